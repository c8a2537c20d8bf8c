package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/bot/slack"
	"github.com/lookoutbot/lookout/bot/slack/slackfake"
)

// slackFeed is an RSS feed whose every item is by one author (the feed
// title is the handle), with items added while the test runs.
type slackFeed struct {
	mu    sync.Mutex
	items []string
	hits  int
	srv   *httptest.Server
}

func newSlackFeed(t *testing.T, author string, items ...string) *slackFeed {
	f := &slackFeed{items: items}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.hits++
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://example.org/</link>`, author)
		for i, it := range f.items {
			fmt.Fprintf(w, `<item><guid>g%d</guid><title>%s</title><link>https://example.org/p/%d</link><pubDate>%s</pubDate></item>`,
				i, it, i, time.Date(2026, 11, 1, 10, i, 0, 0, time.UTC).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *slackFeed) add(item string) {
	f.mu.Lock()
	f.items = append(f.items, item)
	f.mu.Unlock()
}

func (f *slackFeed) polls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

const slackE2ESecret = "e2e-signing-secret"

// postSlackSigned sends a request signed as Slack would, waiting for the
// listener to come up.
func postSlackSigned(t *testing.T, rawURL, body string) {
	t.Helper()
	var resp *http.Response
	waitFor(t, "the HTTP listener", func() bool {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", slack.Signature(slackE2ESecret, ts, []byte(body)))
		var err error
		resp, err = http.DefaultClient.Do(req)
		return err == nil
	})
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: status %d; want 200", rawURL, resp.StatusCode)
	}
}

// TestSlackEndToEnd runs Lookout with Slack over HTTP against the fake:
// a feed post becomes a card; a signed Ack click edits the card with the
// actor; /lookout mute @handle stops the next post from that account
// from being posted; /lookout escalate notifies the policy's channel and
// the named user, and edits the card.
func TestSlackEndToEnd(t *testing.T) {
	fake := slackfake.New(t)
	feed := newSlackFeed(t, "cartelboss", "the cartel is hiring")
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := filepath.Join(dir, "lookout.toml")
	writeFile(t, cfg, fmt.Sprintf(`
[store]
dsn = %q
[http]
listen = %q
[slack]
bot_token = "xoxb-e2e"
signing_secret = %q
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
slack_channels = ["C1"]
policy = "oncall"
[[policy]]
name = "oncall"
[[policy.step]]
after = "1h"
notify = ["slack:#C9"]
[roles]
responder = ["slack:U1", "slack:role:S1"]
moderator = ["slack:U2"]
admin = ["cli:maria"]
`, filepath.Join(dir, "lookout.db"), addr, slackE2ESecret, fake.APIURL(), feed.srv.URL))

	defer startRun(t, cfg).stop(t)
	base := "http://" + addr

	// 1. The post becomes a card in C1.
	posted := func(channel string) []slackfake.Call {
		var out []slackfake.Call
		for _, c := range fake.Calls("chat.postMessage") {
			if c.Form.Get("channel") == channel {
				out = append(out, c)
			}
		}
		return out
	}
	fake.WaitFor(t, "the card in C1", func() bool { return len(posted("C1")) == 1 })
	card := posted("C1")[0]
	if !strings.Contains(card.BlockText(), "*cartel*") || card.Form.Get("unfurl_links") != "false" {
		t.Fatalf("card: %s", card.BlockText())
	}
	ts := "1700000000.000001"

	// 2. A signed Ack click edits the card with the actor.
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U1", "name": "rita"},
		"channel": map[string]any{"id": "C1"}, "container": map[string]any{"type": "message", "channel_id": "C1", "message_ts": ts},
		"response_url": fake.ResponseURL("ack"), "trigger_id": "t1",
		"actions": []any{map[string]any{"action_id": "lookout:ack", "block_id": "actions:A-1", "type": "button", "value": "A-1", "action_ts": "1700000100.000001"}},
	})
	postSlackSigned(t, base+slack.PathInteractions, url.Values{"payload": {string(payload)}}.Encode())
	updated := func(want string) bool {
		for _, c := range fake.Calls("chat.update") {
			if c.Form.Get("channel") == "C1" && c.Form.Get("ts") == ts && strings.Contains(c.BlockText(), want) {
				return true
			}
		}
		return false
	}
	fake.WaitFor(t, "the card edited with the actor", func() bool { return updated("Acknowledged by <@U1>") })

	// 3. /lookout mute @cartelboss for 1h, then a new post from that
	// account is stored as muted and not posted.
	slash := func(user, text, trigger string) {
		postSlackSigned(t, base+slack.PathCommands, url.Values{
			"team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {user}, "user_name": {"joe"}, "command": {"/lookout"},
			"text": {text}, "response_url": {fake.ResponseURL(trigger)}, "trigger_id": {trigger},
		}.Encode())
	}
	slash("U2", "mute @cartelboss for 1h", "t-mute")
	fake.WaitFor(t, "the mute's answer", func() bool {
		for _, r := range fake.Responses() {
			if r.Hook == "t-mute" && strings.Contains(r.Text(), "muted for 1h") {
				return true
			}
		}
		return false
	})
	polls := feed.polls()
	feed.add("cartel again")
	waitFor(t, "two polls after the new post", func() bool { return feed.polls() >= polls+2 })
	code, stdout, stderr := lookout(t, cfg, "alerts", "show", "A-2", "--json", "--as", "maria")
	if code != 0 || !strings.Contains(stdout, `"muted": true`) {
		t.Fatalf("A-2: exit %d, %s %s; want stored as muted", code, stdout, stderr)
	}
	if n := len(posted("C1")); n != 1 {
		t.Errorf("cards in C1: got %d; want 1 (the muted post is not posted)", n)
	}

	// 4. Escalate to a user: the policy channel and the user hear of it,
	// and the card shows it.
	slash("U2", "escalate A-1 to <@U3|lead> armed", "t-esc")
	fake.WaitFor(t, "the escalation notice in C9", func() bool {
		ps := posted("C9")
		return len(ps) == 1 && strings.Contains(ps[0].Form.Get("text"), "A-1 escalated")
	})
	fake.WaitFor(t, "the DM to the on-call user", func() bool {
		dm := posted("DU3")
		return len(dm) == 1 && strings.HasPrefix(dm[0].Form.Get("text"), "<@U3> ") && strings.Contains(dm[0].BlockText(), "view the card")
	})
	fake.WaitFor(t, "the card edited to escalated", func() bool { return updated("Escalated by <@U2>") })
}

func TestSlackManifestCommand(t *testing.T) {
	code, out, errOut := lookout(t, filepath.Join(t.TempDir(), "none.toml"), "slack", "manifest")
	if code != 0 || !strings.Contains(out, `"socket_mode_enabled": true`) || !strings.Contains(out, `"command": "/lookout"`) {
		t.Fatalf("slack manifest: exit %d, %s %s", code, out, errOut)
	}
	code, out, _ = lookout(t, filepath.Join(t.TempDir(), "none.toml"), "slack", "manifest", "-url", "https://lookout.example.org")
	if code != 0 || !strings.Contains(out, `"socket_mode_enabled": false`) || !strings.Contains(out, "https://lookout.example.org/slack/interactions") {
		t.Fatalf("slack manifest -url: exit %d, %s", code, out)
	}
	if code, _, _ = lookout(t, "x.toml", "slack", "manifest", "-url", "http://insecure"); code != 2 {
		t.Errorf("slack manifest -url http://: exit %d; want 2", code)
	}
	if code, _, _ = lookout(t, "x.toml", "slack"); code != 2 {
		t.Errorf("slack without a subcommand: exit %d; want 2", code)
	}
}
