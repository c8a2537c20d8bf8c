package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
)

const testRedditUA = "test:org.example.lookout:v1 (by /u/lookout_test)"

func sourceNames(t *testing.T, cfg *config.Config) []string {
	t.Helper()
	srcs, err := buildSources(cfg, slog.New(slog.DiscardHandler), ratelimit.NewRegistry())
	if err != nil {
		t.Fatalf("buildSources: %v", err)
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.names...)
	}
	return names
}

func TestTelegramAndRedditSources(t *testing.T) {
	cfg := config.Default()
	names := sourceNames(t, cfg)
	if !slices.Contains(names, config.SourceTelegram) || slices.Contains(names, config.SourceReddit) {
		t.Errorf("sources without a Reddit app = %v; want telegram and no reddit", names)
	}
	cfg.Sources.Reddit.ClientID, cfg.Sources.Reddit.ClientSecret, cfg.Sources.Reddit.UserAgent = "id", "secret", testRedditUA
	if names := sourceNames(t, cfg); !slices.Contains(names, config.SourceReddit) {
		t.Errorf("sources with a Reddit app = %v; want reddit", names)
	}
	cfg.Sources.Reddit.UserAgent = "Go-http-client/1.1"
	if _, err := buildSources(cfg, slog.New(slog.DiscardHandler), ratelimit.NewRegistry()); err == nil || !strings.Contains(err.Error(), "user_agent") {
		t.Errorf("buildSources with a generic User-Agent: error = %v; want it refused", err)
	}
}

func TestRedditURLs(t *testing.T) {
	for _, tt := range []struct{ in, base, api string }{
		{"https://www.reddit.com", "https://www.reddit.com", "https://oauth.reddit.com"},
		{"https://www.reddit.com/", "https://www.reddit.com", "https://oauth.reddit.com"},
		{"http://127.0.0.1:9999/", "http://127.0.0.1:9999", "http://127.0.0.1:9999"},
	} {
		if b, a := redditURLs(tt.in); b != tt.base || a != tt.api {
			t.Errorf("redditURLs(%q) = %q, %q; want %q, %q", tt.in, b, a, tt.base, tt.api)
		}
	}
}

// TestWiredSourcesPoll polls through the sources `lookout run` builds, with
// base URLs pointing at local fakes.
func TestWiredSourcesPoll(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/s/examplechan":
			fmt.Fprint(w, `<section class="tgme_channel_history"><div class="tgme_widget_message" data-post="examplechan/7">
<div class="tgme_widget_message_text">hola plaza</div><a class="tgme_widget_message_date"><time datetime="2026-03-01T10:00:00+00:00"></time></a></div></section>`)
		case r.URL.Path == "/api/v1/access_token" && r.UserAgent() == testRedditUA:
			fmt.Fprint(w, `{"access_token":"tok","token_type":"bearer","expires_in":86400,"scope":"*"}`)
		case r.URL.Path == "/r/example/new" && r.Header.Get("Authorization") == "bearer tok":
			fmt.Fprint(w, `{"kind":"Listing","data":{"after":null,"children":[{"kind":"t3","data":{"name":"t3_abc","id":"abc","author":"x","author_fullname":"t2_x","title":"plaza","selftext":"","permalink":"/r/example/comments/abc/plaza/","created_utc":1767225600.0,"is_self":true}}]}}`)
		default:
			http.Error(w, "unexpected "+r.URL.String(), http.StatusTeapot)
		}
	}))
	defer srv.Close()
	cfg := config.Default()
	cfg.Sources.Telegram.BaseURL = srv.URL
	cfg.Sources.Reddit.BaseURL = srv.URL
	cfg.Sources.Reddit.ClientID, cfg.Sources.Reddit.ClientSecret, cfg.Sources.Reddit.UserAgent = "id", "secret", testRedditUA
	srcs, err := buildSources(cfg, slog.New(slog.DiscardHandler), ratelimit.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{config.SourceTelegram: "examplechan/7", config.SourceReddit: "t3_abc"}
	accounts := map[string]string{config.SourceTelegram: "examplechan", config.SourceReddit: "r/example"}
	for _, s := range srcs {
		for _, name := range s.names {
			id, ok := want[name]
			if !ok {
				continue
			}
			res, err := s.watcher.Poll(context.Background(), &alerts.Watch{Name: "w", Source: name, Accounts: []string{accounts[name]}, Origin: alerts.OriginStore}, "")
			if err != nil || len(res.Posts) != 1 || res.Posts[0].ID != id {
				t.Errorf("%s poll = %+v, %v; want post %s", name, res, err, id)
			}
			delete(want, name)
		}
	}
	if len(want) != 0 {
		t.Errorf("sources not built: %v", want)
	}
}

// TestStoredFeedWatchesAreGuarded checks the path `lookout watch add feed
// URL` and chat take: stored feed watches go through the guarded client.
// Only loopback, file:// and gopher:// URLs are tried, so even a broken
// guard could not send traffic off this machine; the full suite, with an
// injected resolver and dialer, is internal/httpx/ssrf_test.go.
func TestStoredFeedWatchesAreGuarded(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, `<rss version="2.0"><channel><title>t</title></channel></rss>`)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	src, err := feedSource(config.Default(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{
		srv.URL + "/feed",
		"http://[::1]:" + port + "/feed",
		"http://localhost:" + port + "/feed",
		"http://127.0.0.1:" + port + "/redirect",
		"file:///etc/passwd",
		"gopher://127.0.0.1:" + port + "/",
	} {
		w := &alerts.Watch{Name: "added", Source: "feed", Accounts: []string{u}, Interval: time.Minute, Origin: alerts.OriginStore}
		_, err := src.watcher.Poll(context.Background(), w, "")
		if !errors.Is(err, httpx.ErrBlockedAddress) {
			t.Errorf("stored watch on %s: error = %v; want ErrBlockedAddress", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the local server got %d requests from stored watches; want 0", n)
	}
	// The same URL in the config file is trusted.
	w := &alerts.Watch{Name: "configured", Source: "feed", Accounts: []string{srv.URL + "/feed"}, Interval: time.Minute, Origin: alerts.OriginConfig}
	if _, err := src.watcher.Poll(context.Background(), w, ""); err != nil {
		t.Errorf("config watch on a local feed: %v; want it fetched", err)
	}
}
