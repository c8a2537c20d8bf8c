package main

import (
	"log/slog"
	"testing"

	"github.com/lookoutbot/lookout/internal/config"
)

func TestXSource(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg := config.Default()
	if s, err := xSource(cfg, log); s != nil || err != nil {
		t.Fatalf("xSource without x watches or token = %v, %v; want nil", s, err)
	}
	cfg.Sources.X.BearerToken = "token"
	cfg.Watches = []config.Watch{{Name: "cells", Source: config.SourceX, Accounts: []string{"a"}}}
	s, err := xSource(cfg, log)
	if err != nil || s == nil || len(s.names) != 1 || s.names[0] != config.SourceX || s.watcher == nil {
		t.Fatalf("xSource = %+v, %v; want the x watcher", s, err)
	}
}
