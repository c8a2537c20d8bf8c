// Package slackfake is an offline Slack Web API for tests: slacktest's
// server with the routes it lacks (chat.update, conversations.open,
// chat.getPermalink, conversations.history, usergroups.list, response
// URLs) and scripted failures. It speaks the real wire format: form
// bodies with a Bearer token in, {"ok":…} JSON out, 429 with Retry-After.
// It listens on loopback only.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
)

// Call is one Web API request the fake received.
type Call struct {
	Method string
	Form   url.Values
	// Token is the token the call carried, in the Authorization header
	// ("Bearer …") or, as slack-go sends chat.* methods, in the form.
	Token string
}

// Blocks returns the call's blocks field, decoded.
func (c Call) Blocks() []map[string]any {
	var out []map[string]any
	_ = json.Unmarshal([]byte(c.Form.Get("blocks")), &out)
	return out
}

// Reply is a scripted answer to one call.
type Reply struct {
	Status int
	Header map[string]string
	Body   string
}

// Response is one message posted to a response URL.
type Response struct {
	Hook string
	Body map[string]any
}

// Text returns the response's text and every text in its blocks, joined.
func (r Response) Text() string {
	b, _ := json.Marshal(r.Body)
	return string(b)
}

// Server is the fake.
type Server struct {
	srv *slacktest.Server

	mu        sync.Mutex
	calls     []Call
	script    map[string][]Reply
	messages  map[string]map[string]string // channel → ts → blocks JSON
	seq       int
	responses []Response
	groups    map[string][]string
	changed   chan struct{}
}

// Option configures a Server.
type Option func(*options)

type options struct {
	ws func(*websocket.Conn)
}

// WithWebsocket serves Socket Mode's /ws with f, called once per
// connection.
func WithWebsocket(f func(*websocket.Conn)) Option {
	return func(o *options) { o.ws = f }
}

// New starts a fake and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{
		script:   map[string][]Reply{},
		messages: map[string]map[string]string{},
		groups:   map[string][]string{},
		changed:  make(chan struct{}),
	}
	binders := []slacktest.Binder{func(c slacktest.Customize) {
		for _, m := range []string{"chat.postMessage", "chat.update", "chat.postEphemeral", "conversations.open", "chat.getPermalink", "conversations.history", "usergroups.list", "apps.connections.open"} {
			c.Handle("/"+m, s.method(m))
		}
		c.Handle("/hooks/", s.hook)
		if o.ws != nil {
			c.Handle("/ws", slacktest.Websocket(o.ws))
		}
	}}
	s.srv = slacktest.NewTestServer(binders...)
	s.srv.Start()
	t.Cleanup(s.srv.Stop)
	return s
}

// APIURL is the base URL to configure, with its trailing "/".
func (s *Server) APIURL() string { return s.srv.GetAPIURL() }

// ResponseURL returns a response_url served by the fake.
func (s *Server) ResponseURL(name string) string { return s.srv.GetAPIURL() + "hooks/" + name }

// Fail scripts the next answers of a method.
func (s *Server) Fail(method string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[method] = append(s.script[method], replies...)
}

// SetUserGroups sets usergroups.list's answer: group id → member ids.
func (s *Server) SetUserGroups(g map[string][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups = g
}

// Calls returns the calls of one method ("" for all), oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Responses returns the messages posted to response URLs.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

// WaitFor blocks until cond holds, re-checking after every request the
// fake receives, and fails the test after 10 s.
func (s *Server) WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("slackfake: waited 10s for %s", what)
		}
	}
}

// notify wakes WaitFor; callers hold mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) method(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		for k, v := range r.URL.Query() {
			form[k] = v
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		defer s.notify()
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token == "" {
			token = form.Get("token")
		}
		s.calls = append(s.calls, Call{Method: name, Form: form, Token: token})
		if q := s.script[name]; len(q) > 0 {
			rep := q[0]
			s.script[name] = q[1:]
			for k, v := range rep.Header {
				w.Header().Set(k, v)
			}
			if rep.Status == 0 {
				rep.Status = http.StatusOK
			}
			w.WriteHeader(rep.Status)
			_, _ = io.WriteString(w, rep.Body)
			return
		}
		if token == "" {
			writeJSON(w, map[string]any{"ok": false, "error": "not_authed"})
			return
		}
		writeJSON(w, s.answer(name, form))
	}
}

// answer is a method's successful reply; callers hold mu.
func (s *Server) answer(name string, form url.Values) map[string]any {
	ch := form.Get("channel")
	switch name {
	case "chat.postMessage":
		s.seq++
		ts := fmt.Sprintf("1700000000.%06d", s.seq)
		if s.messages[ch] == nil {
			s.messages[ch] = map[string]string{}
		}
		s.messages[ch][ts] = form.Get("blocks")
		return map[string]any{"ok": true, "channel": ch, "ts": ts}
	case "chat.update":
		ts := form.Get("ts")
		if s.messages[ch][ts] == "" {
			return map[string]any{"ok": false, "error": "message_not_found"}
		}
		s.messages[ch][ts] = form.Get("blocks")
		return map[string]any{"ok": true, "channel": ch, "ts": ts}
	case "chat.postEphemeral":
		return map[string]any{"ok": true, "message_ts": "1700000000.999999"}
	case "conversations.open":
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + form.Get("users")}}
	case "chat.getPermalink":
		return map[string]any{"ok": true, "channel": ch,
			"permalink": fmt.Sprintf("https://fake.slack.com/archives/%s/p%s", ch, strings.ReplaceAll(form.Get("message_ts"), ".", ""))}
	case "conversations.history":
		ts := form.Get("latest")
		blocks, ok := s.messages[ch][ts]
		if !ok {
			return map[string]any{"ok": true, "messages": []any{}}
		}
		return map[string]any{"ok": true, "messages": []any{map[string]any{"type": "message", "ts": ts, "blocks": json.RawMessage(blocks)}}}
	case "apps.connections.open":
		return map[string]any{"ok": true, "url": s.srv.GetWSURL()}
	case "usergroups.list":
		var gs []any
		for id, users := range s.groups {
			gs = append(gs, map[string]any{"id": id, "users": users})
		}
		return map[string]any{"ok": true, "usergroups": gs}
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

func (s *Server) hook(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.responses = append(s.responses, Response{Hook: strings.TrimPrefix(r.URL.Path, "/hooks/"), Body: body})
	s.notify()
	s.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// BlockText returns every string in the call's blocks, one per line, as
// Slack reads them (JSON escapes decoded).
func (c Call) BlockText() string { return Strings(c.Form.Get("blocks")) }

// Strings returns every string value in a JSON document, one per line.
func Strings(doc string) string {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte('\n')
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k])
			}
		}
	}
	walk(v)
	return b.String()
}
