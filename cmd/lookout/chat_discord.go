package main

import (
	"log/slog"

	"github.com/lookoutbot/lookout/internal/config"
)

// discordChat builds the discord adapter when [discord] is configured. The adapter is
// the subject of its own issue; until it lands, routes naming discord
// destinations fail their deliveries visibly ("no discord connection is
// configured"), shown by lookout status.
func discordChat(_ *config.Config, _ *app, _ *slog.Logger) (*chatAdapter, error) {
	return nil, nil
}
