package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/bot/discord"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/server"
)

// discordChat builds the discord adapter when [discord] has a bot token:
// the notifier for discord destinations, the gateway session (run) and,
// with public_key, the HTTP interactions endpoint.
func discordChat(cfg *config.Config, a *app, log *slog.Logger) (*chatAdapter, error) {
	c := cfg.Discord
	if c.BotToken == "" {
		return nil, nil
	}
	var pk ed25519.PublicKey
	if c.PublicKey != "" {
		b, err := hex.DecodeString(c.PublicKey)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("discord.public_key: must be 64 hex characters")
		}
		pk = b
	}
	log = log.With("chat", "discord")
	d, err := discord.New(discord.Options{
		Token: c.BotToken, AppID: c.ApplicationID, PublicKey: pk, GuildIDs: c.GuildIDs, APIURL: c.APIURL,
		Handler: a.handler, Alerts: a.svc, Watches: a.registry,
		Roles: bot.Roles{Responder: cfg.Roles.Responder, Moderator: cfg.Roles.Moderator, Admin: cfg.Roles.Admin},
		Now:   a.now, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	ad := &chatAdapter{name: "discord", notifier: d, run: d.Run, exclusive: true}
	if pk != nil {
		if cfg.HTTP.Listen == "" {
			log.Warn("discord_interactions_unreachable", "reason", "discord.public_key is set but [http] listen is empty")
		}
		ad.mount = func(srv *server.Server) { srv.Handle("POST /discord/interactions", d) }
	}
	return ad, nil
}
