package main

import (
	"context"
	"log/slog"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/server"
)

// chatAdapter is one chat platform as `run` uses it.
type chatAdapter struct {
	// name is the destination platform it serves: "slack", "discord".
	name     string
	notifier alerts.Notifier
	// run, when set, holds the platform connection (Socket Mode, the
	// gateway) until ctx ends; it must reconnect on its own and return
	// only ctx.Err(), or an error no reconnect can fix (a bad token).
	run func(ctx context.Context) error
	// exclusive says the connection must be held by one replica at a
	// time (the Discord gateway delivers each interaction to every
	// session; Slack's Socket Mode spreads them and needs no lease).
	exclusive bool
	// mount, when set, adds the platform's HTTP endpoints.
	mount func(srv *server.Server)
}

// chatBuilder builds one chat adapter from the config and the app (its
// command handler and service), or returns nil when the platform is not
// configured.
type chatBuilder func(cfg *config.Config, a *app, log *slog.Logger) (*chatAdapter, error)

// chatAdapters builds every configured chat adapter. Each platform's
// builder lives in its own file (chat_<platform>.go).
func chatAdapters(cfg *config.Config, a *app, log *slog.Logger) ([]*chatAdapter, error) {
	var out []*chatAdapter
	for _, build := range []chatBuilder{slackChat, discordChat} {
		c, err := build(cfg, a, log)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}
