package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/ratelimit"
)

func TestMastodonSource(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg := config.Default()
	if s, err := mastodonSourceWith(cfg, log, ratelimit.NewRegistry()); s != nil || err != nil {
		t.Fatalf("mastodonSource without watches or base_url = %v, %v; want nil", s, err)
	}

	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/accounts/lookup":
			_, _ = w.Write([]byte(`{"id":"7","username":"cartel","acct":"cartel","uri":"https://m.example/users/cartel","url":"https://m.example/@cartel"}`))
		case "/api/v1/accounts/7/statuses":
			_, _ = w.Write([]byte(`[{"id":"101","uri":"https://m.example/users/cartel/statuses/101","url":null,"created_at":"2026-03-03T09:30:00.000Z",
				"content":"<p>la plaza</p>","spoiler_text":"","language":"es","account":{"id":"7","acct":"cartel","uri":"https://m.example/users/cartel"}}]`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	var logs bytes.Buffer
	cfg.Sources.Mastodon.BaseURL = srv.URL
	cfg.Sources.Mastodon.AccessToken = "tok"
	cfg.Watches = []config.Watch{{Name: "words", Source: config.SourceMastodon, Keywords: []string{"plaza"}}}
	s, err := mastodonSourceWith(cfg, slog.New(slog.NewTextHandler(&logs, nil)), ratelimit.NewRegistry())
	if err != nil || s == nil || len(s.names) != 1 || s.names[0] != config.SourceMastodon {
		t.Fatalf("mastodonSource = %+v, %v; want the mastodon watcher", s, err)
	}
	if !strings.Contains(logs.String(), "mastodon_watch_unusable") || !strings.Contains(logs.String(), "watch=words") {
		t.Errorf("got logs %q; want a warning about watch words", logs.String())
	}

	res, err := s.watcher.Poll(context.Background(), &alerts.Watch{Name: "acc", Source: "mastodon", Accounts: []string{"cartel"}}, "")
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if len(res.Posts) != 1 || res.Posts[0].Text != "la plaza" || res.Posts[0].AuthorID != "https://m.example/users/cartel" {
		t.Errorf("got %+v; want the one status, normalised", res.Posts)
	}
	if len(auth) != 2 || auth[0] != "Bearer tok" {
		t.Errorf("got Authorization %q; want the token on the configured instance", auth)
	}
}
