package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/internal/server"
)

// maxTestBody is the [http] max_body_bytes of the test server.
const maxTestBody = 4096

// serve mounts the adapter on a real server.Server (which limits bodies
// itself) behind httptest.
func (e *env) serve(t *testing.T) *httptest.Server {
	t.Helper()
	srv := server.New("127.0.0.1:0", maxTestBody, nil, nil, slog.New(slog.DiscardHandler))
	e.adapter.Mount(srv)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs
}

// signed posts body to path, signed at the fake clock's time plus skew.
func (e *env) signed(t *testing.T, hs *httptest.Server, path, body string, skew time.Duration, mutate ...func(http.Header)) int {
	t.Helper()
	ts := strconv.FormatInt(e.clock.Now().Add(skew).Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, hs.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Signature(secret, ts, []byte(body)))
	for _, m := range mutate {
		m(req.Header)
	}
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func (e *env) slash(user, text, trigger string) string {
	return url.Values{
		"token": {"legacy"}, "team_id": {"T1"}, "channel_id": {"C1"}, "channel_name": {"ops"},
		"user_id": {user}, "user_name": {strings.ToLower(user)}, "command": {"/lookout"}, "text": {text},
		"response_url": {e.fake.ResponseURL("cmd-" + trigger)}, "trigger_id": {trigger},
	}.Encode()
}

func (e *env) click(user, actionID, value, option, actionTS string) string {
	act := map[string]any{"action_id": actionID, "block_id": "actions:A-1", "type": "button", "action_ts": actionTS, "value": value}
	if option != "" {
		act["type"] = "static_select"
		act["selected_option"] = map[string]any{"value": option, "text": map[string]any{"type": "plain_text", "text": "x"}}
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user, "username": strings.ToLower(user), "name": strings.ToLower(user)},
		"api_app_id": "A1", "trigger_id": "trig", "team": map[string]any{"id": "T1"},
		"container":    map[string]any{"type": "message", "message_ts": "1700000000.000001", "channel_id": "C1"},
		"channel":      map[string]any{"id": "C1", "name": "ops"},
		"response_url": e.fake.ResponseURL("act-" + actionTS),
		"actions":      []any{act},
	})
	return url.Values{"payload": {string(payload)}}.Encode()
}

// waitResponses waits for n messages on response URLs and returns them.
func (e *env) waitResponses(t *testing.T, n int) []string {
	t.Helper()
	e.fake.WaitFor(t, fmt.Sprintf("%d responses", n), func() bool { return len(e.fake.Responses()) >= n })
	e.adapter.Wait()
	var out []string
	for _, r := range e.fake.Responses() {
		out = append(out, r.Text())
	}
	return out
}

func (e *env) state(t *testing.T, id int64) *alerts.Alert {
	t.Helper()
	a, _, err := e.svc.Alert(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestHTTPSlashCommandAck(t *testing.T) {
	e := newEnv(t)
	hs := e.serve(t)
	a := e.alert(t, "cartel")
	if code := e.signed(t, hs, PathCommands, e.slash("U1", "ack "+a.Ref()+" on it", "trig-1"), 0); code != http.StatusOK {
		t.Fatalf("status: got %d; want 200", code)
	}
	got := e.waitResponses(t, 1)[0]
	if !strings.Contains(got, a.Ref()+" acknowledged by u1") || !strings.Contains(got, `"response_type":"in_channel"`) {
		t.Errorf("response: got %s; want an in-channel confirmation", got)
	}
	st := e.state(t, a.ID)
	if st.State != alerts.StateAcked || st.LastActor != "slack:U1" {
		t.Errorf("alert: state %s by %s; want acked by slack:U1", st.State, st.LastActor)
	}
	_, hist, _ := e.svc.Alert(context.Background(), a.ID)
	if last := hist[len(hist)-1]; last.ActionID != "slack:cmd:trig-1" || last.Source != alerts.SourceSlack {
		t.Errorf("audit: action id %q source %s; want slack:cmd:trig-1 from slack", last.ActionID, last.Source)
	}
}

func TestHTTPClickAckAndReplay(t *testing.T) {
	e := newEnv(t)
	hs := e.serve(t)
	a := e.alert(t, "cartel")
	body := e.click("U1", actionAck, a.Ref(), "", "1700000123.000200")
	for i := range 2 {
		if code := e.signed(t, hs, PathInteractions, body, 0); code != http.StatusOK {
			t.Fatalf("post %d: status %d; want 200", i, code)
		}
		e.waitResponses(t, i+1)
	}
	rs := e.waitResponses(t, 2)
	if !strings.Contains(rs[0], `"response_type":"ephemeral"`) || !strings.Contains(rs[0], "acknowledged by u1") {
		t.Errorf("first answer: %s; want an ephemeral confirmation", rs[0])
	}
	if !strings.Contains(rs[1], "applied once") {
		t.Errorf("replayed click: %s; want it reported as already applied", rs[1])
	}
	_, hist, _ := e.svc.Alert(context.Background(), a.ID)
	acks := 0
	for _, h := range hist {
		if h.Action == alerts.ActionAck {
			acks++
		}
	}
	if acks != 1 {
		t.Errorf("ack events: got %d; want 1", acks)
	}
}

func TestHTTPRefusesBadRequests(t *testing.T) {
	e := newEnv(t)
	hs := e.serve(t)
	a := e.alert(t, "cartel")
	good := e.slash("U1", "ack "+a.Ref(), "trig-h")
	for _, tc := range []struct {
		name   string
		path   string
		body   string
		skew   time.Duration
		mutate func(http.Header)
	}{
		{"forged signature", PathCommands, good, 0, func(h http.Header) { h.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32)) }},
		{"no signature", PathCommands, good, 0, func(h http.Header) { h.Del("X-Slack-Signature") }},
		{"no timestamp", PathCommands, good, 0, func(h http.Header) { h.Del("X-Slack-Request-Timestamp") }},
		{"stale timestamp", PathCommands, good, -6 * time.Minute, nil},
		{"future timestamp", PathCommands, good, 6 * time.Minute, nil},
		{"body over the limit", PathCommands, good + "&pad=" + strings.Repeat("x", maxTestBody), 0, nil},
		{"malformed form", PathCommands, "%zz=%", 0, nil},
		{"form without user", PathCommands, "command=%2Flookout&text=ack+" + a.Ref(), 0, nil},
		{"interaction without payload", PathInteractions, "x=1", 0, nil},
		{"interaction payload not JSON", PathInteractions, "payload=%7Bnope", 0, nil},
		{"event not JSON", PathEvents, "{nope", 0, nil},
		{"command body sent as an interaction", PathInteractions, good, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m []func(http.Header)
			if tc.mutate != nil {
				m = append(m, tc.mutate)
			}
			if code := e.signed(t, hs, tc.path, tc.body, tc.skew, m...); code != http.StatusUnauthorized {
				t.Errorf("status: got %d; want 401", code)
			}
		})
	}
	e.adapter.Wait()
	if st := e.state(t, a.ID); st.State != alerts.StateOpen {
		t.Errorf("alert: got %s; want open (nothing applied)", st.State)
	}
	if rs := e.fake.Responses(); len(rs) != 0 {
		t.Errorf("responses: got %d; want none", len(rs))
	}
	if !strings.Contains(e.logs.String(), "body over the size limit") {
		t.Errorf("oversized body not logged as such:\n%s", e.logs.String())
	}
}

func TestHTTPURLVerification(t *testing.T) {
	e := newEnv(t)
	hs := e.serve(t)
	body := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, hs.URL+PathEvents, strings.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Signature(secret, ts, []byte(body)))
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != 200 || got["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: status %d body %v; want the challenge back", resp.StatusCode, got)
	}
}

func TestHTTPCommandAnswers(t *testing.T) {
	e := newEnv(t)
	hs := e.serve(t)
	a := e.alert(t, "cartel")
	e.fake.SetUserGroups(map[string][]string{"S1": {"U5"}})
	ref, err := e.adapter.Post(context.Background(), "slack:C1", &alerts.Message{Kind: alerts.DeliveryCard, Alert: a, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	_, ts, _ := parseRef(ref)
	link := "https://fake.slack.com/archives/C1/p" + strings.ReplaceAll(ts, ".", "")
	n := 0
	for _, tc := range []struct {
		name, user, text string
		path             string // default: a slash command
		want             []string
	}{
		{"unknown alert", "U1", "ack A-999", "", []string{"A-999 does not exist"}},
		{"user without a role", "U9", "ack " + a.Ref(), "", []string{"no Lookout role", "slack:U9"}},
		{"role too low", "U1", "escalate " + a.Ref(), "", []string{"only moderators and admins can escalate"}},
		{"bad input gets the usage", "U1", "mute", "", []string{"usage: mute"}},
		{"unknown command", "U1", "frobnicate", "", []string{"frobnicate"}},
		{"user group role, pasted card link", "U5", "ack <" + link + ">", "", []string{a.Ref() + " acknowledged by u5"}},
		{"link to no card", "U1", "ack <https://fake.slack.com/archives/C1/p1700000000999999>", "", []string{"not a Lookout alert card"}},
		{"entities decoded, zero-width removed", "U2", "mute \"a &amp; b\" for 1h", "", []string{`\"a \u0026amp; b\" muted for 1h`}},
		{"copied handle", "U2", "mute @\u200bel\u200bchapo for 1h", "", []string{"elchapo muted for 1h"}},
		{"list", "U1", "list all", "", []string{a.Ref(), "1 alert"}},
		{"history", "U1", "history " + a.Ref(), "", []string{"*ack*"}},
		{"help", "U1", "help", "", []string{"```", "Lookout commands"}},
		{"unknown control", "U1", "", actionPrefix + "explode", []string{"not one Lookout knows"}},
		{"tampered control value", "U1", "", actionAck + "|A-1 <!channel>", []string{"not one Lookout knows"}},
		{"show media", "U1", "", actionMedia, []string{"Content warning", "only you can see"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n++
			var body string
			path := PathCommands
			switch {
			case tc.path == actionAck+"|A-1 <!channel>":
				path, body = PathInteractions, e.click(tc.user, actionAck, "A-1 <!channel>", "", fmt.Sprintf("17000001%02d.000001", n))
			case tc.path != "":
				path, body = PathInteractions, e.click(tc.user, tc.path, a.Ref(), "", fmt.Sprintf("17000001%02d.000001", n))
			default:
				body = e.slash(tc.user, tc.text, fmt.Sprintf("trig-%d", n))
			}
			if code := e.signed(t, hs, path, body, 0); code != 200 {
				t.Fatalf("status %d; want 200", code)
			}
			got := e.waitResponses(t, n)[n-1]
			for _, w := range tc.want {
				if !strings.Contains(strings.ToLower(got), strings.ToLower(w)) {
					t.Errorf("answer lacks %q:\n%s", w, got)
				}
			}
		})
	}
	ms, _ := e.svc.Mutes(context.Background(), false)
	accounts := map[string]bool{}
	for _, m := range ms {
		accounts[m.Account+m.Keyword] = true
	}
	if !accounts["elchapo"] || !accounts["a & b"] {
		t.Errorf("mutes: got %v; want account elchapo (zero-width spaces removed) and keyword \"a & b\" (entities decoded)", accounts)
	}
}

// blockingHandler answers only when released, like a store stuck on a
// lock.
type blockingHandler struct {
	release chan struct{}
	mu      sync.Mutex
	calls   int
}

func (b *blockingHandler) Handle(context.Context, bot.Actor, string, string) *bot.Reply {
	<-b.release
	b.mu.Lock()
	b.calls++
	b.mu.Unlock()
	return &bot.Reply{Kind: bot.ReplyOK, Text: "done"}
}

// TestHTTPAnswersBeforeTheWork shows the 3-second rule: Slack gets its
// 200 while the command is still running; the answer follows through
// the response_url.
func TestHTTPAnswersBeforeTheWork(t *testing.T) {
	e := newEnv(t)
	h := &blockingHandler{release: make(chan struct{})}
	e.adapter.opts.Handler = h
	hs := e.serve(t)
	start := time.Now()
	if code := e.signed(t, hs, PathCommands, e.slash("U1", "list", "trig-slow"), 0); code != 200 {
		t.Fatalf("status %d; want 200", code)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the 200 took %s; Slack gives up after 3 s", took)
	}
	if len(e.fake.Responses()) != 0 {
		t.Fatalf("answered before the work ran")
	}
	close(h.release)
	if got := e.waitResponses(t, 1)[0]; !strings.Contains(got, "done") {
		t.Errorf("late answer: %s", got)
	}
}
