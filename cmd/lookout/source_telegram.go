package main

import (
	"fmt"
	"log/slog"

	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/watchers/telegram"
)

// telegramMaxBodyBytes bounds one preview page; real pages are 50-300 KB.
const telegramMaxBodyBytes = 4 << 20

// telegramSource builds the Telegram public channel adapter. It needs no
// credentials, so it is always available when [sources.telegram] base_url
// is set (the default), for config watches and for watches added from chat.
// Its URLs are built from that trusted base and a validated channel name,
// so it needs no SSRF guard.
func telegramSource(cfg *config.Config, log *slog.Logger) (*source, error) {
	if cfg.Sources.Telegram.BaseURL == "" {
		return nil, nil
	}
	opts := telegram.Options{BaseURL: cfg.Sources.Telegram.BaseURL}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("source telegram: %w", err)
	}
	client := httpx.New(httpx.Options{UserAgent: userAgent(""), MaxBodyBytes: telegramMaxBodyBytes, Logger: log})
	w := telegram.New(client, opts)
	return &source{names: []string{config.SourceTelegram}, watcher: w, recheck: w}, nil
}
