package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/internal/clock"
)

// apiBase is the path the fake serves the API under, so tests prove the
// transport keeps the configured base path.
const apiBase = "/proxy/api/v10/"

// seen is one request the fake received.
type seen struct {
	Method, Path, Auth string
	Body               map[string]any
	Raw                string
}

// reply is a scripted answer: status, headers and body.
type reply struct {
	status int
	header map[string]string
	body   string
}

// fakeDiscord speaks Discord's REST wire format on loopback: it creates
// messages with increasing ids, accepts edits, callbacks and webhooks, and
// answers each request with the next scripted reply for its route first.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	reqs    []seen
	scripts map[string][]reply // "METHOD path-suffix" → replies
	nextID  atomic.Int64
	// gateway is the websocket URL GET /gateway returns.
	gateway string
	// channelGuild answers GET /channels/{id}.
	channelGuild string
	// onRequest, when set, is called for every request.
	onRequest func(s seen)
}

func newFake(t *testing.T) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{t: t, scripts: make(map[string][]reply), channelGuild: "900"}
	f.nextID.Store(5000)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// url is the API URL to configure: loopback, with a base path.
func (f *fakeDiscord) url() string { return f.srv.URL + apiBase }

// script queues replies for requests whose "METHOD path" ends with key.
func (f *fakeDiscord) script(key string, rs ...reply) {
	f.mu.Lock()
	f.scripts[key] = append(f.scripts[key], rs...)
	f.mu.Unlock()
}

func (f *fakeDiscord) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// matching returns the requests whose "METHOD path" contains s.
func (f *fakeDiscord) matching(s string) []seen {
	var out []seen
	for _, r := range f.requests() {
		if strings.Contains(r.Method+" "+r.Path, s) {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	path, ok := strings.CutPrefix(r.URL.Path, apiBase)
	if !ok {
		f.t.Errorf("request outside the API base: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	s := seen{Method: r.Method, Path: "/" + path, Auth: r.Header.Get("Authorization"), Raw: string(raw)}
	if len(raw) > 0 {
		if !json.Valid(raw) {
			f.t.Errorf("%s %s: body is not JSON: %s", r.Method, path, raw)
		}
		_ = json.Unmarshal(raw, &s.Body) // objects only; command lists are arrays
	}
	f.checkMentions(s)
	key := r.Method + " " + s.Path
	f.mu.Lock()
	f.reqs = append(f.reqs, s)
	var scripted *reply
	for k, rs := range f.scripts {
		if strings.HasSuffix(key, k) && len(rs) > 0 {
			scripted = &rs[0]
			f.scripts[k] = rs[1:]
			break
		}
	}
	hook := f.onRequest
	f.mu.Unlock()
	if hook != nil {
		hook(s)
	}
	if scripted != nil {
		for k, v := range scripted.header {
			w.Header().Set(k, v)
		}
		if strings.HasPrefix(strings.TrimSpace(scripted.body), "{") {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(scripted.status)
		_, _ = io.WriteString(w, scripted.body)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == "GET" && s.Path == "/gateway":
		fmt.Fprintf(w, `{"url":%q}`, f.gateway)
	case r.Method == "GET" && s.Path == "/oauth2/applications/@me":
		fmt.Fprint(w, `{"id":"777","name":"Lookout"}`)
	case r.Method == "GET" && strings.HasPrefix(s.Path, "/channels/"):
		fmt.Fprintf(w, `{"id":%q,"guild_id":%q,"type":0}`, strings.TrimPrefix(s.Path, "/channels/"), f.channelGuild)
	case r.Method == "POST" && s.Path == "/users/@me/channels":
		fmt.Fprint(w, `{"id":"4444","type":1}`)
	case r.Method == "POST" && strings.HasSuffix(s.Path, "/messages"),
		r.Method == "POST" && strings.HasPrefix(s.Path, "/webhooks/"):
		id := f.nextID.Add(1)
		ch := strings.Split(strings.TrimPrefix(s.Path, "/channels/"), "/")[0]
		fmt.Fprintf(w, `{"id":"%d","channel_id":%q,"content":""}`, id, ch)
	case r.Method == "PATCH":
		fmt.Fprint(w, `{"id":"1","channel_id":"1"}`)
	case r.Method == "PUT":
		_, _ = w.Write(raw)
	case r.Method == "POST" && strings.HasSuffix(s.Path, "/callback"), r.Method == "DELETE":
		w.WriteHeader(http.StatusNoContent)
	default:
		f.t.Errorf("fake discord: unexpected %s %s", r.Method, s.Path)
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"404: Not Found","code":0}`)
	}
}

// checkMentions fails the test for any message body without an explicit
// allowed_mentions whose parse list is empty.
func (f *fakeDiscord) checkMentions(s seen) {
	body := s.Body
	if s.Method == "POST" && strings.HasSuffix(s.Path, "/callback") {
		d, _ := body["data"].(map[string]any)
		if d == nil {
			return // deferrals and PONG carry no message
		}
		body = d
	}
	carries := false
	for _, k := range []string{"content", "embeds", "components"} {
		if _, ok := body[k]; ok {
			carries = true
		}
	}
	if !carries {
		return
	}
	am, ok := body["allowed_mentions"].(map[string]any)
	if !ok {
		f.t.Errorf("%s %s: no allowed_mentions in %s", s.Method, s.Path, s.Raw)
		return
	}
	parse, ok := am["parse"].([]any)
	if !ok || len(parse) != 0 {
		f.t.Errorf("%s %s: allowed_mentions.parse = %v; want an explicit []", s.Method, s.Path, am["parse"])
	}
}

// waitFor polls cond; the adapter signals only through requests.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		<-time.After(5 * time.Millisecond)
	}
}

var t0 = time.Date(2026, 11, 3, 14, 0, 0, 0, time.UTC)

// newClock is a fake clock reading t0, which tests move by hand.
func newClock() *clock.Fake { return clock.NewFake(t0) }

// recorder is a Handler that records commands and answers with reply.
type recorder struct {
	mu    sync.Mutex
	calls []string
	acts  []bot.Actor
	reply func(text string) *bot.Reply
}

func (r *recorder) Handle(_ context.Context, a bot.Actor, actionID, text string) *bot.Reply {
	r.mu.Lock()
	r.calls = append(r.calls, actionID+" "+text)
	r.acts = append(r.acts, a)
	f := r.reply
	r.mu.Unlock()
	if f != nil {
		return f(text)
	}
	return &bot.Reply{Kind: bot.ReplyOK, Text: "ok: " + text}
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// newAdapter returns an adapter on the fake, with test defaults.
func newAdapter(t *testing.T, f *fakeDiscord, o Options) *Adapter {
	t.Helper()
	if o.Token == "" {
		o.Token = "test-token"
	}
	if o.APIURL == "" {
		o.APIURL = f.url()
	}
	if o.Handler == nil {
		o.Handler = &recorder{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// testAlert is an open alert with a matched keyword.
func testAlert(id int64) *alerts.Alert {
	text := "the cartel is hiring drivers tonight"
	return &alerts.Alert{
		ID: id, Watch: "cartel-watch", Severity: alerts.SeverityHigh, Route: "ops", State: alerts.StateOpen,
		Post: alerts.Post{
			Platform: "mastodon", ID: "p1", AuthorID: "https://m.example/users/el_jefe", Handle: "el_jefe",
			Text: text, URL: "https://m.example/@el_jefe/1", Kind: alerts.KindPost, CreatedAt: t0.Add(-10 * time.Minute),
		},
		Hits:      []alerts.Hit{{Term: "cartel", Start: 4, End: 10}},
		CreatedAt: t0.Add(-5 * time.Minute), UpdatedAt: t0.Add(-5 * time.Minute),
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func compact(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return s
	}
	return b.String()
}
