# Lookout: a static binary on a minimal image, running as a non-root user.
#   docker build -t lookout .
#   docker run --rm -v lookout-data:/data -v $PWD/lookout.toml:/etc/lookout/lookout.toml:ro lookout
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/lookout ./cmd/lookout \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lookout /usr/local/bin/lookout
COPY --from=build --chown=65532:65532 /out/data /data
COPY config.example.toml /etc/lookout/lookout.toml
COPY --chown=65532:65532 examples /data/examples
WORKDIR /data
USER 65532:65532
ENV LOOKOUT_CONFIG=/etc/lookout/lookout.toml
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/lookout"]
CMD ["run"]
