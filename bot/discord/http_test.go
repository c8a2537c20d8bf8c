package discord

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/internal/clock"
	"github.com/lookoutbot/lookout/internal/server"
)

// signer signs interactions as Discord does, with a generated key.
type signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newSigner(t *testing.T) *signer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{pub: pub, priv: priv}
}

// request is a POST of body signed at ts.
func (s *signer) request(body string, ts time.Time) *http.Request {
	r := httptest.NewRequest("POST", "/discord/interactions", strings.NewReader(body))
	stamp := strconv.FormatInt(ts.Unix(), 10)
	r.Header.Set("X-Signature-Timestamp", stamp)
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(s.priv, []byte(stamp+body))))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// member is the guild member who acts in most tests: role 999.
const member = `"guild_id":"900","channel_id":"123","member":{"user":{"id":"555","username":"maria","global_name":"Maria"},"roles":["999"],"nick":null,"permissions":"0"}`

// dmUser is a user acting in a direct message: no member, no guild.
const dmUser = `"channel_id":"321","user":{"id":"556","username":"dmuser"}`

// interaction builds an interaction payload in Discord's wire format.
func interaction(id string, typ int, who, data string) string {
	if data == "" {
		return fmt.Sprintf(`{"id":%q,"application_id":"777","type":%d,"token":"tok-%s","version":1,%s}`, id, typ, id, who)
	}
	return fmt.Sprintf(`{"id":%q,"application_id":"777","type":%d,"token":"tok-%s","version":1,%s,"data":%s}`, id, typ, id, who, data)
}

// slash is /lookout with one subcommand and options (JSON list).
func slash(sub, opts string) string {
	return fmt.Sprintf(`{"id":"1","name":"lookout","type":1,"options":[{"name":%q,"type":1,"options":%s}]}`, sub, opts)
}

func button(customID string) string {
	return fmt.Sprintf(`{"custom_id":%q,"component_type":2}`, customID)
}

func menu(customID, value string) string {
	return fmt.Sprintf(`{"custom_id":%q,"component_type":3,"values":[%q]}`, customID, value)
}

// response decodes an HTTP interaction answer.
type response struct {
	Type int `json:"type"`
	Data struct {
		Content         string           `json:"content"`
		Flags           int              `json:"flags"`
		Embeds          []map[string]any `json:"embeds"`
		Components      []map[string]any `json:"components"`
		Choices         []map[string]any `json:"choices"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	} `json:"data"`
}

func serve(t *testing.T, h http.Handler, r *http.Request) (int, response, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.String()
	var resp response
	if w.Code == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &resp); err != nil {
			t.Fatalf("answer is not JSON: %v: %s", err, body)
		}
		if resp.Type != 1 && resp.Type != 5 && resp.Type != 6 && resp.Type != 8 && (resp.Data.AllowedMentions == nil || resp.Data.AllowedMentions.Parse == nil || len(resp.Data.AllowedMentions.Parse) != 0) {
			t.Errorf("answer without an explicit empty allowed_mentions.parse: %s", body)
		}
	}
	return w.Code, resp, body
}

type httpEnv struct {
	f   *fakeDiscord
	s   *signer
	clk *clock.Fake
	rec *recorder
	a   *Adapter
}

func newHTTPEnv(t *testing.T, o Options) *httpEnv {
	t.Helper()
	e := &httpEnv{f: newFake(t), s: newSigner(t), clk: newClock(), rec: &recorder{}}
	o.PublicKey, o.Now = e.s.pub, e.clk.Now
	if o.Handler == nil {
		o.Handler = e.rec
	}
	e.a = newAdapter(t, e.f, o)
	t.Cleanup(e.a.Wait)
	return e
}

func TestHTTPPing(t *testing.T) {
	e := newHTTPEnv(t, Options{})
	code, _, body := serve(t, e.a, e.s.request(`{"id":"1","application_id":"777","type":1,"token":"t","version":1}`, e.clk.Now()))
	if code != 200 || compact(body) != `{"type":1}` {
		t.Errorf("PING: got %d %s; want 200 {\"type\":1}", code, body)
	}
}

func TestHTTPRefusesWithNothingApplied(t *testing.T) {
	body := interaction("10", 2, member, slash("ack", `[{"name":"alert","type":3,"value":"A-1"}]`))
	other := newSigner(t)
	cases := []struct {
		name string
		req  func(e *httpEnv) *http.Request
	}{
		{"bad signature", func(e *httpEnv) *http.Request { return other.request(body, e.clk.Now()) }},
		{"tampered body", func(e *httpEnv) *http.Request {
			r := e.s.request(body, e.clk.Now())
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "A-1", "A-2", 1)))
			return r
		}},
		{"no signature", func(e *httpEnv) *http.Request {
			r := e.s.request(body, e.clk.Now())
			r.Header.Del("X-Signature-Ed25519")
			return r
		}},
		{"signature not hex", func(e *httpEnv) *http.Request {
			r := e.s.request(body, e.clk.Now())
			r.Header.Set("X-Signature-Ed25519", "zz")
			return r
		}},
		{"timestamp not a number", func(e *httpEnv) *http.Request {
			r := e.s.request(body, e.clk.Now())
			r.Header.Set("X-Signature-Timestamp", "yesterday")
			return r
		}},
		{"old timestamp", func(e *httpEnv) *http.Request { return e.s.request(body, e.clk.Now().Add(-6*time.Minute)) }},
		{"future timestamp", func(e *httpEnv) *http.Request { return e.s.request(body, e.clk.Now().Add(6*time.Minute)) }},
		{"oversized body", func(e *httpEnv) *http.Request {
			big := strings.Replace(body, `"version":1`, `"version":1,"pad":"`+strings.Repeat("x", 4096)+`"`, 1)
			return e.s.request(big, e.clk.Now())
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newHTTPEnv(t, Options{MaxBody: 2048})
			code, _, _ := serve(t, e.a, c.req(e))
			if code != http.StatusUnauthorized {
				t.Errorf("status: got %d; want 401", code)
			}
			if got := e.rec.got(); len(got) != 0 {
				t.Errorf("commands run: got %v; want none", got)
			}
			if n := len(e.f.requests()); n != 0 {
				t.Errorf("REST calls: got %d; want none", n)
			}
		})
	}
}

func TestHTTPRefusesAReplay(t *testing.T) {
	e := newHTTPEnv(t, Options{})
	body := interaction("11", 2, member, slash("ack", `[{"name":"alert","type":3,"value":"A-1"}]`))
	if code, _, _ := serve(t, e.a, e.s.request(body, e.clk.Now())); code != 200 {
		t.Fatalf("first: got %d; want 200", code)
	}
	e.clk.Advance(time.Minute)
	// The same signed request, captured and sent again inside the window.
	if code, _, _ := serve(t, e.a, e.s.request(body, e.clk.Now().Add(-time.Minute))); code != http.StatusUnauthorized {
		t.Errorf("replay: got %d; want 401", code)
	}
	if got := e.rec.got(); len(got) != 1 {
		t.Errorf("commands run: got %v; want one", got)
	}
}

// TestHTTPBodyLimitOfTheServer sends an oversized body through the real
// server, whose MaxBytesReader cuts it before the adapter's own limit.
func TestHTTPBodyLimitOfTheServer(t *testing.T) {
	e := newHTTPEnv(t, Options{})
	srv := server.New("127.0.0.1:0", 1024, okPinger{}, nil, slog.New(slog.DiscardHandler))
	srv.Handle("POST /discord/interactions", e.a)
	body := interaction("12", 2, member, slash("ack", `[{"name":"alert","type":3,"value":"A-1"},{"name":"reason","type":3,"value":"`+strings.Repeat("y", 2000)+`"}]`))
	code, _, _ := serve(t, srv, e.s.request(body, e.clk.Now()))
	if code != http.StatusUnauthorized || len(e.rec.got()) != 0 {
		t.Errorf("oversized through the server: got %d, commands %v; want 401 and none", code, e.rec.got())
	}
	small := interaction("13", 1, member, "")
	if code, _, _ := serve(t, srv, e.s.request(small, e.clk.Now())); code != 200 {
		t.Errorf("small body through the server: got %d; want 200", code)
	}
}

type okPinger struct{}

func (okPinger) Ping(context.Context) error { return nil }

func TestHTTPCommandFromAMemberAndFromADM(t *testing.T) {
	e := newHTTPEnv(t, Options{})
	opts := `[{"name":"alert","type":3,"value":"A-42"},{"name":"reason","type":3,"value":"on it"}]`
	code, resp, _ := serve(t, e.a, e.s.request(interaction("20", 2, member, slash("ack", opts)), e.clk.Now()))
	if code != 200 || resp.Type != 4 || resp.Data.Content != "ok\\: ack A-42 on it" || resp.Data.Flags != 0 {
		t.Errorf("ack: got %d type %d %q flags %d; want 200, type 4, the reply in public", code, resp.Type, resp.Data.Content, resp.Data.Flags)
	}
	code, resp, _ = serve(t, e.a, e.s.request(interaction("21", 2, dmUser, slash("ack", opts)), e.clk.Now()))
	if code != 200 || resp.Type != 4 {
		t.Fatalf("ack from a DM: got %d type %d", code, resp.Type)
	}
	want := []bot.Actor{
		{ID: "discord:user:555", Name: "Maria", Roles: []string{"999"}, Source: "discord", Channel: "discord:123"},
		{ID: "discord:user:556", Name: "dmuser", Source: "discord", Channel: "discord:321"},
	}
	for i, w := range want {
		got := e.rec.acts[i]
		if got.ID != w.ID || got.Name != w.Name || strings.Join(got.Roles, ",") != strings.Join(w.Roles, ",") || got.Channel != w.Channel || got.Source != w.Source {
			t.Errorf("actor %d: got %+v; want %+v", i, got, w)
		}
	}
	if got := e.rec.got(); got[0] != "discord:20 ack A-42 on it" {
		t.Errorf("command: got %q; want the action id and the flattened text", got[0])
	}
}

func TestHTTPNoUserAtAll(t *testing.T) {
	e := newHTTPEnv(t, Options{})
	code, resp, _ := serve(t, e.a, e.s.request(interaction("22", 2, `"channel_id":"1"`, slash("status", `[]`)), e.clk.Now()))
	if code != 200 || resp.Data.Flags != 64 || len(e.rec.got()) != 0 {
		t.Errorf("no member, no user: got %d flags %d commands %v; want an ephemeral refusal and nothing run", code, resp.Data.Flags, e.rec.got())
	}
}

func TestHTTPSlowCommandIsDeferredThenEdited(t *testing.T) {
	e := newHTTPEnv(t, Options{DeferAfter: -1})
	code, resp, _ := serve(t, e.a, e.s.request(interaction("30", 2, member, slash("ack", `[{"name":"alert","type":3,"value":"A-1"}]`)), e.clk.Now()))
	if code != 200 || resp.Type != 5 || resp.Data.Flags != 0 {
		t.Fatalf("deferral: got %d type %d flags %d; want type 5 in public", code, resp.Type, resp.Data.Flags)
	}
	e.a.Wait()
	edits := e.f.matching("PATCH /webhooks/777/tok-30/messages/@original")
	if len(edits) != 1 || edits[0].Body["content"] != "ok\\: ack A-1" {
		t.Errorf("edit of the original response: got %+v; want the reply", edits)
	}
}

func TestHTTPDeferredRefusalBecomesEphemeral(t *testing.T) {
	e := newHTTPEnv(t, Options{DeferAfter: -1})
	e.rec.reply = func(string) *bot.Reply {
		return &bot.Reply{Kind: bot.ReplyRefused, Text: "you have no Lookout role", Ephemeral: true}
	}
	serve(t, e.a, e.s.request(interaction("31", 2, member, slash("ack", `[{"name":"alert","type":3,"value":"A-1"}]`)), e.clk.Now()))
	e.a.Wait()
	if n := len(e.f.matching("DELETE /webhooks/777/tok-31/messages/@original")); n != 1 {
		t.Errorf("public placeholder deletions: got %d; want 1", n)
	}
	fu := e.f.matching("POST /webhooks/777/tok-31")
	if len(fu) != 1 || fu[0].Body["flags"] != float64(64) || !strings.Contains(fu[0].Body["content"].(string), "no Lookout role") {
		t.Errorf("follow-up: got %+v; want one ephemeral refusal", fu)
	}
}

func TestHTTPHistoryAndStatusAreEphemeral(t *testing.T) {
	e := newHTTPEnv(t, Options{DeferAfter: -1})
	serve(t, e.a, e.s.request(interaction("32", 2, member, slash("history", `[{"name":"alert","type":3,"value":"A-1"}]`)), e.clk.Now()))
	code, resp, _ := serve(t, e.a, e.s.request(interaction("33", 2, member, slash("status", `[]`)), e.clk.Now()))
	if code != 200 || resp.Type != 5 || resp.Data.Flags != 64 {
		t.Errorf("status deferral: got type %d flags %d; want 5 and ephemeral", resp.Type, resp.Data.Flags)
	}
}

func TestHTTPUnknownComponent(t *testing.T) {
	e := newHTTPEnv(t, Options{})
	for i, id := range []string{"lookout:delete:1", "other", "lookout:ack:1;drop", strings.Repeat("x", 200)} {
		code, resp, _ := serve(t, e.a, e.s.request(interaction(fmt.Sprint(40+i), 3, member, button(id)), e.clk.Now()))
		if code != 200 || resp.Type != 4 || resp.Data.Flags != 64 || !strings.Contains(resp.Data.Content, "nothing was done") {
			t.Errorf("custom_id %.20q: got %d type %d flags %d %q; want an ephemeral 'nothing was done'", id, code, resp.Type, resp.Data.Flags, resp.Data.Content)
		}
	}
	if got := e.rec.got(); len(got) != 0 {
		t.Errorf("commands run: got %v; want none", got)
	}
}

// FuzzServeHTTP feeds signed arbitrary bodies to the endpoint: it never
// panics, and answers 200 with JSON, 400 or 401.
func FuzzServeHTTP(f *testing.F) {
	f.Add(interaction("1", 1, member, ""))
	f.Add(interaction("2", 2, member, slash("ack", `[{"name":"alert","type":3,"value":"A-1"}]`)))
	f.Add(interaction("3", 3, dmUser, menu("lookout:mute:1", "alert")))
	f.Add(interaction("4", 4, member, slash("ack", `[{"name":"alert","type":3,"value":"","focused":true}]`)))
	f.Add(`{"id":"5","type":2,"data":{"name":"lookout","options":[{"name":"watch","type":2,"options":[{"name":"add","type":1,"options":null}]}]}}`)
	e := &httpEnv{s: &signer{}}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	e.s.pub, e.s.priv = pub, priv
	a, err := New(Options{Token: "t", APIURL: "http://127.0.0.1:1/api/", PublicKey: pub, Handler: &recorder{}, DeferAfter: time.Hour, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, e.s.request(body, time.Now()))
		switch w.Code {
		case 200:
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("200 with a body that is not JSON: %q", w.Body.String())
			}
		case 400, 401:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}

// TestHTTPDefersWhenTheCommandIsSlow: a command still running when the
// defer timer fires gets a deferral in time, then its answer as an edit.
func TestHTTPDefersWhenTheCommandIsSlow(t *testing.T) {
	e := newHTTPEnv(t, Options{DeferAfter: 20 * time.Millisecond})
	release := make(chan struct{})
	e.rec.reply = func(text string) *bot.Reply {
		<-release
		if strings.HasPrefix(text, "ack") {
			a := testAlert(1)
			a.State, a.LastAction, a.LastActor = "acked", "ack", "discord:user:555"
			return &bot.Reply{Kind: bot.ReplyOK, Text: "A-1 acknowledged by Maria", Alert: a}
		}
		return &bot.Reply{Kind: bot.ReplyOK, Text: "slow: " + text}
	}
	_, resp, _ := serve(t, e.a, e.s.request(interaction("80", 2, member, slash("status", `[]`)), e.clk.Now()))
	if resp.Type != 5 || resp.Data.Flags != 64 {
		t.Errorf("slow status: got type %d flags %d; want an ephemeral deferral (5)", resp.Type, resp.Data.Flags)
	}
	_, resp, _ = serve(t, e.a, e.s.request(interaction("81", 3, member, button("lookout:ack:1")), e.clk.Now()))
	if resp.Type != 6 {
		t.Errorf("slow button: got type %d; want a deferred update (6)", resp.Type)
	}
	close(release)
	e.a.Wait()
	if got := e.f.matching("PATCH /webhooks/777/tok-80/messages/@original"); len(got) != 1 || !strings.Contains(got[0].Raw, "slow") {
		t.Errorf("status edit: got %+v", got)
	}
	if got := e.f.matching("PATCH /webhooks/777/tok-81/messages/@original"); len(got) != 1 || !strings.Contains(got[0].Raw, "Acknowledged by \\u003c@555\\u003e") {
		t.Errorf("card edit after the deferred update: got %+v; want the acked card", got)
	}
}
