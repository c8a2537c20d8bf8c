package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/bot/slack/slackfake"
	"github.com/lookoutbot/lookout/internal/clock"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// t0 is the fake clock's start: whole seconds survive the store.
var t0 = time.Date(2026, 11, 3, 14, 0, 0, 0, time.UTC)

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	secret   = "8f742231b10e8888abcd99yyyzzz85a5"
	botToken = "xoxb-test-token"
)

// env is a real SQLite store, alerts service and bot handler behind a
// Slack adapter talking to the fake.
type env struct {
	fake    *slackfake.Server
	st      *store.DB
	svc     *alerts.Service
	clock   *clock.Fake
	adapter *Adapter
	logs    *syncBuffer
	posts   int
}

// opsRoute posts to C1 and escalates with policy "oncall".
var opsRoute = alerts.Route{Name: "ops", Destinations: []alerts.Destination{"slack:C1"}, Policy: "oncall"}

var oncall = alerts.Policy{Name: "oncall", Steps: []alerts.Step{{After: 15 * time.Minute, Notify: []alerts.Destination{"slack:C9"}}}}

func newEnv(t *testing.T, opts ...slackfake.Option) *env {
	t.Helper()
	e := &env{fake: slackfake.New(t, opts...), st: sqlitetest.Open(t), clock: clock.NewFake(t0), logs: &syncBuffer{}}
	e.svc = alerts.NewService(e.st, alerts.Options{Routes: []alerts.Route{opsRoute}, Policies: []alerts.Policy{oncall}, Now: e.clock.Now})
	h := bot.NewHandler(e.svc, nil, bot.Roles{
		Responder: []string{"slack:U1", "slack:role:S1"},
		Moderator: []string{"slack:U2"},
	}, bot.Options{Now: e.clock.Now})
	var err error
	e.adapter, err = New(Options{
		BotToken: botToken, AppToken: "xapp-test", SigningSecret: secret, APIURL: e.fake.APIURL(),
		Handler: h, UserGroups: true, Now: e.clock.Now, PingInterval: time.Minute,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.adapter.Wait)
	return e
}

// alert stores an open alert on route ops and returns it.
func (e *env) alert(t *testing.T, text string, hits ...alerts.Hit) *alerts.Alert {
	t.Helper()
	e.posts++
	id := fmt.Sprintf("p%d", e.posts)
	a := testAlert(text, hits...)
	a.Post.ID = id
	a.Post.Raw = []byte(id)
	a.Evidence = alerts.NewEvidence([]byte(id), t0)
	ctx := context.Background()
	if err := e.st.Update(ctx, func(tx alerts.Tx) error { return tx.InsertAlert(ctx, a) }); err != nil {
		t.Fatalf("InsertAlert: %v", err)
	}
	return a
}

// testAlert is an open alert as the golden files show it.
func testAlert(text string, hits ...alerts.Hit) *alerts.Alert {
	return &alerts.Alert{
		ID: 42, Watch: "cartel-watch", Severity: alerts.SeverityHigh, Route: "ops", State: alerts.StateOpen,
		Post: alerts.Post{
			Platform: "mastodon", ID: "109", AuthorID: "https://mastodon.example/users/elchapo", Handle: "elchapo@mastodon.example",
			Text: text, CreatedAt: t0.Add(-5 * time.Minute), URL: "https://mastodon.example/@elchapo/109", Kind: alerts.KindPost,
		},
		Evidence:  alerts.NewEvidence([]byte("raw"), t0),
		Hits:      hits,
		CreatedAt: t0.Add(-4 * time.Minute), UpdatedAt: t0.Add(-4 * time.Minute),
	}
}

// golden compares v, as indented JSON, with testdata/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep < > & readable, as Slack receives them
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./bot/slack -run %s -update rewrites it):\n%s", path, t.Name(), got)
	}
}
