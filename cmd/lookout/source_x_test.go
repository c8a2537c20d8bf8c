package main

import (
	"log/slog"
	"testing"

	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/ratelimit"
)

func TestXSource(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg := config.Default()
	if s, err := xSourceWith(cfg, log, ratelimit.NewRegistry()); s != nil || err != nil {
		t.Fatalf("xSource without x watches or token = %v, %v; want nil", s, err)
	}
	cfg.Sources.X.BearerToken = "token"
	cfg.Watches = []config.Watch{{Name: "cells", Source: config.SourceX, Accounts: []string{"a"}}}
	s, err := xSourceWith(cfg, log, ratelimit.NewRegistry())
	if err != nil || s == nil || len(s.names) != 1 || s.names[0] != config.SourceX || s.watcher == nil {
		t.Fatalf("xSource = %+v, %v; want the x watcher", s, err)
	}
}
