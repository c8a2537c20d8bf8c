package slack

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot/slack/slackfake"
)

// socketScript is what the fake Socket Mode server does on each
// connection; the test reads what the client sent back.
type socketScript struct {
	conns atomic.Int32
	// acks receives every envelope id the client acknowledged.
	acks  chan string
	pongs chan struct{}
	// drop, when closed, makes the server drop the first connection.
	drop chan struct{}
	// onConn runs for connection n (1-based) after hello.
	onConn func(n int, c *websocket.Conn)
}

func (s *socketScript) serve(c *websocket.Conn) {
	n := int(s.conns.Add(1))
	c.SetPongHandler(func(string) error {
		select {
		case s.pongs <- struct{}{}:
		default:
		}
		return nil
	})
	if err := c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}}); err != nil {
		return
	}
	go s.onConn(n, c)
	for {
		var msg struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if err := c.ReadJSON(&msg); err != nil {
			return
		}
		s.acks <- msg.EnvelopeID
	}
}

func envelope(id, typ string, payload any) map[string]any {
	return map[string]any{"envelope_id": id, "type": typ, "accepts_response_payload": typ == "slash_commands", "payload": payload}
}

// TestSocketMode runs the adapter against a fake Socket Mode server:
// hello, a ping, a slash command and a button click, each acknowledged;
// then the server drops the socket and the adapter reconnects and keeps
// working.
func TestSocketMode(t *testing.T) {
	script := &socketScript{acks: make(chan string, 16), pongs: make(chan struct{}, 4), drop: make(chan struct{})}
	var e *env
	var a *alerts.Alert
	script.onConn = func(n int, c *websocket.Conn) {
		switch n {
		case 1:
			_ = c.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
			_ = c.WriteJSON(envelope("env-1", "slash_commands", map[string]any{
				"team_id": "T1", "channel_id": "C1", "user_id": "U1", "user_name": "maria", "command": "/lookout",
				"text": "ack " + a.Ref() + " via socket", "response_url": e.fake.ResponseURL("sm-1"), "trigger_id": "sm-trig-1",
			}))
			<-script.drop
			_ = c.Close()
		case 2:
			_ = c.WriteJSON(envelope("env-3", "interactive", map[string]any{
				"type": "block_actions", "user": map[string]any{"id": "U1", "name": "maria"},
				"channel": map[string]any{"id": "C1"}, "response_url": e.fake.ResponseURL("sm-3"),
				"actions": []any{map[string]any{"action_id": actionRes, "block_id": "actions:" + a.Ref(), "value": a.Ref(), "type": "button", "action_ts": "1700000200.000001"}},
			}))
		}
	}
	e = newEnv(t, slackfake.WithWebsocket(script.serve))
	a = e.alert(t, "cartel")
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- e.adapter.Run(ctx) }()

	expectAck(t, script.acks, "env-1")
	select {
	case <-script.pongs:
	case <-time.After(10 * time.Second):
		t.Fatal("no pong for the server's ping")
	}
	e.waitResponses(t, 1)
	if st := e.state(t, a.ID); st.State != alerts.StateAcked || st.LastActor != "slack:U1" {
		t.Fatalf("after the slash command: %s by %s; want acked by slack:U1", st.State, st.LastActor)
	}
	// Drop the socket: slack-go must reconnect on its own.
	if script.conns.Load() != 1 {
		t.Fatalf("connections: got %d; want 1", script.conns.Load())
	}
	close(script.drop)
	expectAck(t, script.acks, "env-3")
	if testing.Verbose() {
		defer func() { t.Log(e.logs.String()) }()
	}
	rs := e.waitResponses(t, 2)
	if !strings.Contains(rs[1], "resolved by maria") || !strings.Contains(rs[1], `"response_type":"ephemeral"`) {
		t.Errorf("click answer: %s", rs[1])
	}
	if st := e.state(t, a.ID); st.State != alerts.StateResolved {
		t.Errorf("after the click on the new connection: %s; want resolved", st.State)
	}
	cancel()
	if err := <-runErr; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: got %v; want context.Canceled", err)
	}
}

func expectAck(t *testing.T, acks chan string, want string) {
	t.Helper()
	select {
	case got := <-acks:
		if got != want {
			t.Fatalf("ack: got envelope %q; want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no ack for %s", want)
	}
}

func TestSocketModeFatalAuthStopsQuietly(t *testing.T) {
	e := newEnv(t)
	e.fake.Fail("apps.connections.open", slackfake.Reply{Body: `{"ok":false,"error":"invalid_auth"}`})
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- e.adapter.Run(ctx) }()
	e.fake.WaitFor(t, "apps.connections.open", func() bool { return len(e.fake.Calls("apps.connections.open")) == 1 })
	deadline := time.After(10 * time.Second)
	for !strings.Contains(e.logs.String(), "slack_socket_mode_stopped") {
		select {
		case err := <-runErr:
			t.Fatalf("Run returned %v after an auth failure; want it to wait for shutdown", err)
		case <-deadline:
			t.Fatalf("no clear log line for the auth failure:\n%s", e.logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if strings.Contains(e.logs.String(), "xapp-test") {
		t.Errorf("log leaks the app token")
	}
	cancel()
	if err := <-runErr; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: got %v; want context.Canceled", err)
	}
	if n := len(e.fake.Calls("apps.connections.open")); n != 1 {
		t.Errorf("apps.connections.open: %d calls; want 1 (no retry on invalid_auth)", n)
	}
}
