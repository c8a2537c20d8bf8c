package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers/match"
)

type noWatches struct{}

func (noWatches) List(context.Context) ([]*alerts.Watch, error) { return nil, nil }

// TestBlueskySourceWiring checks the source is always built, runs a
// stream, and that keyword watches are served by the stream once wired.
func TestBlueskySourceWiring(t *testing.T) {
	cfg := config.Default()
	cfg.Sources.Bluesky.BaseURL = "http://127.0.0.1:1" // never dialled
	src, err := blueskySourceWith(cfg, slog.New(slog.DiscardHandler), ratelimit.NewRegistry())
	if err != nil || src == nil || src.run == nil || len(src.names) != 1 || src.names[0] != config.SourceBluesky {
		t.Fatalf("blueskySource = %+v, %v; want a bluesky source with a stream", src, err)
	}
	kw := &alerts.Watch{Name: "kw", Source: config.SourceBluesky, Keywords: []string{"plaza"}, Enabled: true}
	if _, err := src.watcher.Poll(context.Background(), kw, ""); !errors.Is(err, alerts.ErrPermanent) {
		t.Errorf("keyword poll before wiring = %v; want a permanent 'stream not running' error", err)
	}
	wireStreams([]*source{src}, nil, noWatches{}, match.New())
	res, err := src.watcher.Poll(context.Background(), kw, "")
	if err != nil || len(res.Posts) != 0 {
		t.Errorf("keyword poll after wiring = %+v, %v; want a checkpoint", res, err)
	}
}
