package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/server"
	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
)

// TestReadyzFollowsTheDatabase serves /readyz over a store whose database
// goes away (every connection cut, new ones refused) and comes back: the
// probe turns red, then green again without a restart.
func TestReadyzFollowsTheDatabase(t *testing.T) {
	url := pgtest.ServerURL(t)
	proxy := pgtest.NewProxy(t, url)
	db := openRaw(t, proxy.DSN(url))
	st := postgres.New(db, nil)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(ln.Addr().String(), 1<<20, st, nil, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	readyz := "http://" + ln.Addr().String() + "/readyz"

	awaitStatus(t, readyz, http.StatusOK)
	proxy.Cut()
	awaitStatus(t, readyz, http.StatusServiceUnavailable)
	proxy.Restore()
	awaitStatus(t, readyz, http.StatusOK)
}

// awaitStatus polls url until it answers want; /readyz pings with a 2 s
// timeout, so a few polls suffice.
func awaitStatus(t *testing.T, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last := 0
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if last = resp.StatusCode; last == want {
			return
		}
		<-time.After(50 * time.Millisecond)
	}
	t.Fatalf("/readyz answered %d; want %d", last, want)
}
