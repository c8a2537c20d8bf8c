package main

import (
	"log/slog"
	"strings"

	"github.com/lookoutbot/lookout/bot/slack"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/server"
)

// slackChat builds the Slack adapter when [slack] has a bot token: cards
// go out through the outbox; commands and clicks come in over Socket Mode
// (app_token) and/or the HTTP endpoints (signing_secret).
func slackChat(cfg *config.Config, a *app, log *slog.Logger) (*chatAdapter, error) {
	sc := cfg.Slack
	if sc.BotToken == "" {
		return nil, nil
	}
	ad, err := slack.New(slack.Options{
		BotToken:      sc.BotToken,
		AppToken:      sc.AppToken,
		SigningSecret: sc.SigningSecret,
		APIURL:        sc.APIURL,
		Command:       sc.Command,
		Handler:       a.handler,
		UserGroups:    namesSlackGroups(cfg.Roles),
		MaxBody:       cfg.HTTP.MaxBodyBytes,
		Now:           a.now,
		Logger:        log,
	})
	if err != nil {
		return nil, err
	}
	c := &chatAdapter{name: "slack", notifier: ad, run: ad.Run}
	if sc.SigningSecret != "" {
		if cfg.HTTP.Listen == "" {
			log.Warn("slack_http_disabled", "reason", "slack.signing_secret is set but [http] listen is empty, so Slack cannot reach /slack/commands")
		}
		c.mount = func(srv *server.Server) { ad.Mount(srv) }
	}
	return c, nil
}

// namesSlackGroups reports whether [roles] grants a role to a Slack user
// group, which needs the usergroups:read scope to resolve.
func namesSlackGroups(r config.Roles) bool {
	for _, ids := range [][]string{r.Responder, r.Moderator, r.Admin} {
		for _, id := range ids {
			if strings.HasPrefix(id, "slack:role:") {
				return true
			}
		}
	}
	return false
}
