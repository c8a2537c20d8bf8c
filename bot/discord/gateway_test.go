package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeGateway speaks Discord's gateway protocol on loopback: Hello (op 10)
// with a heartbeat interval, READY after Identify (op 2), RESUMED after
// Resume (op 6), heartbeat acks (op 11), then the dispatches a test
// queues. Each connection ends when the test says so.
type fakeGateway struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	ops      []string // "identify", "resume:<session>:<seq>"
	conns    int
	seq      int
	dispatch chan string      // INTERACTION_CREATE payloads to push
	drop     chan int         // close the current connection with this code
	onLogin  func(n int) bool // false: refuse the login with close 4004
}

func newGateway(t *testing.T) *fakeGateway {
	g := &fakeGateway{t: t, dispatch: make(chan string, 8), drop: make(chan int, 1), onLogin: func(int) bool { return true }}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGateway) url() string { return "ws" + strings.TrimPrefix(g.srv.URL, "http") }

func (g *fakeGateway) record(op string) {
	g.mu.Lock()
	g.ops = append(g.ops, op)
	g.mu.Unlock()
}

func (g *fakeGateway) recorded() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.ops...)
}

func (g *fakeGateway) send(ctx context.Context, c *websocket.Conn, t string, d string) error {
	g.mu.Lock()
	g.seq++
	s := g.seq
	g.mu.Unlock()
	return c.Write(ctx, websocket.MessageText, fmt.Appendf(nil, `{"op":0,"s":%d,"t":%q,"d":%s}`, s, t, d))
}

func (g *fakeGateway) serve(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer func() { _ = c.CloseNow() }()
	ctx := r.Context()
	g.mu.Lock()
	g.conns++
	n := g.conns
	g.mu.Unlock()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"op":10,"d":{"heartbeat_interval":45000}}`)); err != nil {
		return
	}
	reads := make(chan map[string]any)
	go func() {
		defer close(reads)
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(b, &m) == nil {
				reads <- m
			}
		}
	}()
	for {
		select {
		case m, ok := <-reads:
			if !ok {
				return
			}
			switch m["op"] {
			case float64(1):
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"op":11}`))
			case float64(2):
				g.record("identify")
				if !g.onLogin(n) {
					_ = c.Close(4004, "Authentication failed.")
					return
				}
				_ = g.send(ctx, c, "READY", `{"v":10,"session_id":"sess-1","resume_gateway_url":"`+g.url()+`","user":{"id":"1","username":"lookout"},"application":{"id":"777"},"guilds":[]}`)
			case float64(6):
				d := m["d"].(map[string]any)
				g.record(fmt.Sprintf("resume:%s:%v", d["session_id"], d["seq"]))
				_ = g.send(ctx, c, "RESUMED", `{}`)
			}
		case p := <-g.dispatch:
			_ = g.send(ctx, c, "INTERACTION_CREATE", p)
		case code := <-g.drop:
			_ = c.Close(websocket.StatusCode(code), "reconnect")
			return
		}
	}
}

func TestGatewayHandlesInteractionsAndResumes(t *testing.T) {
	f := newFake(t)
	g := newGateway(t)
	f.gateway = g.url()
	rec := &recorder{}
	a := newAdapter(t, f, Options{Handler: rec, GuildIDs: []string{"900", "901"}, ReconnectMin: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	g.dispatch <- interaction("70", 2, member, slash("ack", `[{"name":"alert","type":3,"value":"A-1"}]`))
	waitFor(t, "the first callback", func() bool { return len(f.matching("POST /interactions/70/tok-70/callback")) == 1 })
	cb := f.matching("POST /interactions/70/tok-70/callback")[0]
	if cb.Body["type"] != float64(4) || !strings.Contains(cb.Raw, "ok\\\\: ack A-1") {
		t.Errorf("callback: got %s; want type 4 with the reply", cb.Raw)
	}

	// The connection drops (Discord asks clients to reconnect now and
	// then): the adapter resumes the session and keeps answering.
	g.drop <- 4000
	waitFor(t, "a resume", func() bool { return len(g.recorded()) == 2 })
	g.dispatch <- interaction("71", 3, dmUser, button("lookout:ack:1"))
	waitFor(t, "the second callback", func() bool { return len(f.matching("/interactions/71/tok-71/callback")) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: got %v; want context.Canceled", err)
	}
	if ops := g.recorded(); ops[0] != "identify" || ops[1] != "resume:sess-1:2" {
		t.Errorf("gateway ops: got %v; want identify, then resume of sess-1 at seq 2 (READY, one dispatch)", ops)
	}
	if got := rec.got(); len(got) != 2 || got[1] != "discord:71 ack A-1" {
		t.Errorf("commands: got %v; want the slash command and the button", got)
	}
	for _, guild := range []string{"900", "901"} {
		puts := f.matching("PUT /applications/777/guilds/" + guild + "/commands")
		if len(puts) != 1 || !strings.Contains(puts[0].Raw, `"name":"lookout"`) {
			t.Errorf("guild %s: registrations got %d; want one bulk overwrite with /lookout", guild, len(puts))
		}
	}
	if n := len(f.matching("GET /oauth2/applications/@me")); n != 1 {
		t.Errorf("application lookups: got %d; want 1 (no application_id configured)", n)
	}
}

func TestGatewayBadTokenIsAClearError(t *testing.T) {
	f := newFake(t)
	g := newGateway(t)
	g.onLogin = func(int) bool { return false }
	f.gateway = g.url()
	a := newAdapter(t, f, Options{AppID: "777", ReconnectMin: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "refused the bot token") || !strings.Contains(err.Error(), "4004") {
		t.Errorf("Run with a refused token: got %v; want a clear 4004 error", err)
	}
}

func TestRunWithARefusedTokenAtTheAPI(t *testing.T) {
	f := newFake(t)
	f.script("GET /oauth2/applications/@me", reply{401, nil, `{"message":"401: Unauthorized","code":0}`})
	a := newAdapter(t, f, Options{})
	err := a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bot_token") {
		t.Errorf("Run: got %v; want an error naming bot_token", err)
	}
}

func TestHTTPModeRegistersAndWaits(t *testing.T) {
	f := newFake(t)
	s := newSigner(t)
	a := newAdapter(t, f, Options{AppID: "777", PublicKey: s.pub})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	waitFor(t, "the global registration", func() bool { return len(f.matching("PUT /applications/777/commands")) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: got %v; want context.Canceled", err)
	}
	if n := len(f.matching("GET /gateway")); n != 0 {
		t.Errorf("gateway lookups in HTTP mode: got %d; want 0", n)
	}
}
