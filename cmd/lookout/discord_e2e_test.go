package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// discordFake is a loopback Discord REST API: it creates messages with
// increasing ids, accepts edits and command registrations, and records
// every request.
type discordFake struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []discordReq
	next atomic.Int64
}

type discordReq struct {
	Method, Path string
	Body         map[string]any
	Raw          string
}

func newDiscordFake(t *testing.T) *discordFake {
	f := &discordFake{t: t}
	f.next.Store(5000)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		path := strings.TrimPrefix(r.URL.Path, "/api/v10")
		req := discordReq{Method: r.Method, Path: path, Raw: string(raw)}
		_ = json.Unmarshal(raw, &req.Body)
		if r.Header.Get("Authorization") != "Bot e2e-token" {
			t.Errorf("%s %s: authorization %q; want the bot token", r.Method, path, r.Header.Get("Authorization"))
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, req)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "POST" && strings.HasSuffix(path, "/messages"):
			ch := strings.Split(strings.TrimPrefix(path, "/channels/"), "/")[0]
			fmt.Fprintf(w, `{"id":"%d","channel_id":%q}`, f.next.Add(1), ch)
		case r.Method == "GET" && strings.HasPrefix(path, "/channels/"):
			fmt.Fprintf(w, `{"id":%q,"guild_id":"900","type":0}`, strings.TrimPrefix(path, "/channels/"))
		case r.Method == "PUT":
			_, _ = w.Write(raw)
		default:
			fmt.Fprint(w, `{"id":"1","channel_id":"1"}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *discordFake) find(method, path, contains string) []discordReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []discordReq
	for _, r := range f.reqs {
		if r.Method == method && strings.HasPrefix(r.Path, path) && strings.Contains(r.Raw, contains) {
			out = append(out, r)
		}
	}
	return out
}

// e2eMember is the moderator clicking: role 999.
const e2eMember = `"guild_id":"900","channel_id":"123","member":{"user":{"id":"555","username":"maria"},"roles":["999"]}`

// TestDiscordEndToEnd runs Lookout with [discord] pointing at the fake:
// a post becomes an embed with the state's buttons and the mute menu; a
// signed button click acks the alert and the card shows who did it, in
// the answer and in every posted card; the mute menu mutes; an
// escalation mentions exactly the role and links the card; autocomplete
// offers the alert.
func TestDiscordEndToEnd(t *testing.T) {
	feed := newFeed(t, "the cartel is hiring")
	dc := newDiscordFake(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "lookout.toml")
	writeFile(t, cfg, fmt.Sprintf(`
[store]
dsn = %q
[http]
listen = %q
[discord]
bot_token = "e2e-token"
application_id = "777"
public_key = %q
guild_ids = ["900"]
api_url = %q
[[watch]]
name = "w"
source = "feed"
accounts = [%q]
keywords = ["cartel"]
interval = "10s"
backfill = true
[[route]]
name = "default"
discord_channels = ["123"]
[roles]
responder = ["discord:role:888"]
moderator = ["discord:role:999"]
`, filepath.Join(dir, "lookout.db"), addr, hex.EncodeToString(pub), dc.srv.URL+"/api/v10/", feed.srv.URL))

	defer startRun(t, cfg).stop(t)

	waitFor(t, "the alert card", func() bool { return len(dc.find("POST", "/channels/123/messages", "lookout:ack:1")) == 1 })
	card := dc.find("POST", "/channels/123/messages", "lookout:ack:1")[0]
	for _, want := range []string{`"title":"A-1 · w · medium"`, `the **cartel** is hiring`, "lookout:escalate:1", "lookout:resolve:1", "lookout:mute:1", `"allowed_mentions":{"parse":[]`} {
		if !strings.Contains(card.Raw, want) {
			t.Errorf("card lacks %s:\n%s", want, card.Raw)
		}
	}
	waitFor(t, "the command registration", func() bool { return len(dc.find("PUT", "/applications/777/guilds/900/commands", `"lookout"`)) == 1 })

	post := func(id, typ, data string) map[string]any {
		t.Helper()
		body := fmt.Sprintf(`{"id":%q,"application_id":"777","type":%s,"token":"tok-%s","version":1,%s,"data":%s}`, id, typ, id, e2eMember, data)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest("POST", "http://"+addr+"/discord/interactions", strings.NewReader(body))
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("interaction %s: %v", id, err)
		}
		defer resp.Body.Close()
		var got map[string]any
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&got) != nil {
			t.Fatalf("interaction %s: status %d", id, resp.StatusCode)
		}
		return got
	}

	ack := post("100", "3", `{"custom_id":"lookout:ack:1","component_type":2}`)
	raw, _ := json.Marshal(ack)
	if ack["type"] != float64(7) || !strings.Contains(string(raw), `Acknowledged by \u003c@555\u003e`) || !strings.Contains(string(raw), "lookout:unack:1") {
		t.Errorf("ack click: got %s; want the card updated (type 7) with the actor and an Unack button", raw)
	}
	waitFor(t, "the card edited by the outbox", func() bool {
		return len(dc.find("PATCH", "/channels/123/messages/5001", `Acknowledged by \u003c@555\u003e`)) > 0
	})

	mute := post("101", "3", `{"custom_id":"lookout:mute:1","component_type":3,"values":["account:1h"]}`)
	if d := mute["data"].(map[string]any); mute["type"] != float64(4) || !strings.Contains(d["content"].(string), "muted for 1h by maria") {
		t.Errorf("mute menu: got %v; want a confirmation", mute)
	}

	esc := post("102", "2", `{"id":"1","name":"lookout","type":1,"resolved":{"roles":{"42":{"id":"42","name":"leads"}}},"options":[{"name":"escalate","type":1,"options":[{"name":"alert","type":3,"value":"A-1"},{"name":"to","type":9,"value":"42"}]}]}`)
	if d := esc["data"].(map[string]any); !strings.Contains(d["content"].(string), "escalated to discord") {
		t.Errorf("escalate: got %v", esc)
	}
	waitFor(t, "the escalation mention", func() bool {
		return len(dc.find("POST", "/channels/123/messages", `"content":"\u003c@\u002642\u003e`)) == 1
	})
	ping := dc.find("POST", "/channels/123/messages", `"content":"\u003c@\u002642\u003e`)[0]
	am := ping.Body["allowed_mentions"].(map[string]any)
	if roles, _ := am["roles"].([]any); len(roles) != 1 || roles[0] != "42" || len(am["parse"].([]any)) != 0 || am["users"] != nil {
		t.Errorf("escalation allowed_mentions: got %v; want exactly role 42", am)
	}
	if !strings.Contains(ping.Body["content"].(string), "https://discord.com/channels/900/123/5001") {
		t.Errorf("escalation does not link the card: %q", ping.Body["content"])
	}

	auto := post("103", "4", `{"id":"1","name":"lookout","type":1,"options":[{"name":"show","type":1,"options":[{"name":"alert","type":3,"value":"","focused":true}]}]}`)
	choices, _ := auto["data"].(map[string]any)["choices"].([]any)
	if auto["type"] != float64(8) || len(choices) != 1 || choices[0].(map[string]any)["value"] != "A-1" {
		t.Errorf("autocomplete: got %v; want A-1 offered", auto)
	}
}

func TestDiscordInvite(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "lookout.toml")
	writeFile(t, cfg, `
[discord]
bot_token = "x"
application_id = "777"
guild_ids = ["900"]
[[route]]
name = "default"
console = true
`)
	code, out, errOut := lookout(t, cfg, "discord", "invite")
	want := "https://discord.com/oauth2/authorize?client_id=777&disable_guild_select=true&guild_id=900&permissions=150528&scope=bot+applications.commands\n"
	if code != 0 || out != want {
		t.Errorf("discord invite: exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
	if code, _, errOut := lookout(t, cfg, "discord"); code != 2 || !strings.Contains(errOut, "usage: lookout discord invite") {
		t.Errorf("discord without a subcommand: exit %d, stderr %q; want the usage", code, errOut)
	}
}
