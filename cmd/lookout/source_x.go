package main

import (
	"fmt"
	"log/slog"

	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers/x"
)

// xMaxBodyBytes allows a full page of 100 long posts (note_tweet text up
// to 25,000 characters each) with their includes.
const xMaxBodyBytes = 16 << 20

// xSourceWith builds the adapter, with the registry holding the token's shared
// rate-limit budgets ("x:app:search", "x:app:timelines", "x:app:users").
func xSourceWith(cfg *config.Config, log *slog.Logger, budgets *ratelimit.Registry) (*source, error) {
	used := false
	for _, w := range cfg.Watches {
		used = used || w.Source == config.SourceX
	}
	if !used && cfg.Sources.X.BearerToken == "" {
		return nil, nil
	}
	client := httpx.New(httpx.Options{
		UserAgent:    userAgent(""),
		MaxBodyBytes: xMaxBodyBytes,
		Logger:       log,
	})
	w, err := x.New(client, x.Options{
		BaseURL:     cfg.Sources.X.BaseURL,
		BearerToken: cfg.Sources.X.BearerToken,
		Budgets:     budgets,
		Logger:      log.With("source", config.SourceX),
	})
	if err != nil {
		return nil, fmt.Errorf("source x: %w", err)
	}
	return &source{names: []string{config.SourceX}, watcher: w, recheck: w}, nil
}
