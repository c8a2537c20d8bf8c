package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers/mastodon"
)

// mastodonMaxBodyBytes allows a page of 40 statuses from forks that allow
// long posts, with their accounts, media and quotes.
const mastodonMaxBodyBytes = 8 << 20

// mastodonSourceWith builds the adapter, with the registry holding each
// instance's shared rate-limit budget ("mastodon:<host>").
func mastodonSourceWith(cfg *config.Config, log *slog.Logger, budgets *ratelimit.Registry) (*source, error) {
	used := false
	for _, w := range cfg.Watches {
		if w.Source != config.SourceMastodon {
			continue
		}
		used = true
		// Config validation has no Mastodon knowledge; say early what
		// each poll of this watch will refuse.
		if err := mastodon.CheckWatch(w.Accounts, w.Keywords); err != nil {
			log.Warn("mastodon_watch_unusable", "watch", w.Name, "err", err)
		}
	}
	if !used && cfg.Sources.Mastodon.BaseURL == "" {
		return nil, nil
	}
	ua := userAgent("")
	// The configured instance comes from the config file: trusted. Home
	// instances come from watches, which chat users may add: guarded.
	local := httpx.New(httpx.Options{UserAgent: ua, MaxBodyBytes: mastodonMaxBodyBytes, Logger: log})
	remote := httpx.New(httpx.Options{UserAgent: ua, MaxBodyBytes: mastodonMaxBodyBytes, Logger: log, Guard: true})
	w, err := mastodon.New(local, remote, mastodon.Options{
		BaseURL:     cfg.Sources.Mastodon.BaseURL,
		AccessToken: cfg.Sources.Mastodon.AccessToken,
		Budget: func(host string) mastodon.Budget {
			return budgets.Get("mastodon:"+host, time.Now)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("source mastodon: %w", err)
	}
	return &source{names: []string{config.SourceMastodon}, watcher: w, recheck: w}, nil
}
