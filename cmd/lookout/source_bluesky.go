package main

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers/bluesky"
)

// blueskySourceWith builds the Bluesky adapter (polling and Jetstream),
// with the registry holding the AppView's shared rate-limit budget ("bluesky:appview").
func blueskySourceWith(cfg *config.Config, log *slog.Logger, budgets *ratelimit.Registry) (*source, error) {
	bc := cfg.Sources.Bluesky
	opts := bluesky.Options{BaseURL: bc.BaseURL, JetstreamURL: bc.JetstreamURL}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("source bluesky: %w", err)
	}
	ua := userAgent("")
	client := httpx.New(httpx.Options{UserAgent: ua, Logger: log})
	w := bluesky.New(client, budgets.Get("bluesky:appview", nil), opts)
	s := bluesky.NewStream(w, bluesky.StreamOptions{
		URL: bc.JetstreamURL, UserAgent: ua, HTTPClient: &http.Client{},
		Logger: log.With("source", config.SourceBluesky),
	})
	return &source{names: []string{config.SourceBluesky}, watcher: blueskyWatcher{w, s}, run: s.Run, recheck: w}, nil
}

// blueskyWatcher is the Bluesky watcher with its stream, so wireStreams
// can find the stream among the sources.
type blueskyWatcher struct {
	*bluesky.Watcher
	stream *bluesky.Stream
}

// wireStreams attaches the alerts service, the watch registry and a
// matcher to every source that holds a stream. openApp calls it once the
// registry exists.
func wireStreams(srcs []*source, svc *alerts.Service, watches bluesky.WatchLister, matcher alerts.Matcher) {
	for _, src := range srcs {
		if bw, ok := src.watcher.(blueskyWatcher); ok {
			bw.stream.Wire(bluesky.Deps{Service: svc, Watches: watches, Matcher: matcher})
		}
	}
}
