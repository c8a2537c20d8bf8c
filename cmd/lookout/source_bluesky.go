package main

import (
	"log/slog"

	"github.com/lookoutbot/lookout/internal/config"
)

// blueskySource builds the Bluesky adapter when the config has bluesky watches. The
// watcher for this platform is the subject of its own issue; until it
// lands, watches of this source are reported as "source not configured"
// on every poll (and by lookout status), never silently ignored.
func blueskySource(_ *config.Config, _ *slog.Logger) (*source, error) {
	return nil, nil
}
