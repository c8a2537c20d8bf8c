package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot/slack/slackfake"
)

func TestPostCard(t *testing.T) {
	e := newEnv(t)
	a := testAlert(hostile, alerts.Hit{Term: "bold", Start: 30, End: 34})
	ref, err := e.adapter.Post(context.Background(), "slack:C1", &alerts.Message{Kind: alerts.DeliveryCard, Alert: a, Now: t0})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if ref != "C1/1700000000.000001" {
		t.Errorf("ref: got %q; want C1/1700000000.000001", ref)
	}
	calls := e.fake.Calls("chat.postMessage")
	if len(calls) != 1 {
		t.Fatalf("chat.postMessage calls: got %d; want 1", len(calls))
	}
	c := calls[0]
	for key, want := range map[string]string{"channel": "C1", "unfurl_links": "false", "unfurl_media": "false"} {
		if got := c.Form.Get(key); got != want {
			t.Errorf("%s: got %q; want %q", key, got, want)
		}
	}
	for _, key := range []string{"link_names", "parse"} {
		if c.Form.Has(key) {
			t.Errorf("%s is set (%q); it must never be", key, c.Form.Get(key))
		}
	}
	if c.Token != botToken {
		t.Errorf("Authorization: got %q; want the bot token", c.Token)
	}
	if text := c.Form.Get("text"); strings.ContainsAny(text, "<>") || !strings.Contains(text, "&lt;!channel&gt;") {
		t.Errorf("fallback text not escaped: %q", text)
	}
	if len(c.Blocks()) == 0 {
		t.Errorf("no blocks sent")
	}
}

func TestPostDirectMessage(t *testing.T) {
	e := newEnv(t)
	ref, err := e.adapter.Post(context.Background(), "slack:@U7", &alerts.Message{Kind: alerts.DeliveryNotice, Notice: "watch w is unhealthy"})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if open := e.fake.Calls("conversations.open"); len(open) != 1 || open[0].Form.Get("users") != "U7" {
		t.Fatalf("conversations.open: got %+v; want one call for U7", open)
	}
	if ref != "DU7/1700000000.000001" {
		t.Errorf("ref: got %q; want the DM channel's", ref)
	}
}

func TestEditCard(t *testing.T) {
	e := newEnv(t)
	a := testAlert("cartel")
	ctx := context.Background()
	ref, err := e.adapter.Post(ctx, "slack:C1", &alerts.Message{Kind: alerts.DeliveryCard, Alert: a, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	a.State, a.LastAction, a.LastActor, a.UpdatedAt = alerts.StateAcked, alerts.ActionAck, "slack:U1", t0
	if err := e.adapter.Edit(ctx, "slack:C1", ref, &alerts.Message{Kind: alerts.DeliveryEdit, Alert: a, Now: t0}); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	up := e.fake.Calls("chat.update")
	if len(up) != 1 || up[0].Form.Get("ts") != "1700000000.000001" || up[0].Form.Get("channel") != "C1" {
		t.Fatalf("chat.update: got %+v; want one update of C1/1700000000.000001", up)
	}
	if b := up[0].BlockText(); !strings.Contains(b, "Acknowledged by <@U1>") {
		t.Errorf("edited card does not name the actor: %s", b)
	}
	if err := e.adapter.Edit(ctx, "slack:C1", "garbage", &alerts.Message{Kind: alerts.DeliveryEdit, Alert: a}); !errors.Is(err, alerts.ErrPermanent) {
		t.Errorf("Edit with a bad ref: got %v; want ErrPermanent", err)
	}
}

func TestPostErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reply     slackfake.Reply
		permanent bool
		after     time.Duration // 0: no Retry-After
	}{
		{"429 with Retry-After", slackfake.Reply{Status: 429, Header: map[string]string{"Retry-After": "7"}}, false, 7 * time.Second},
		{"429 without Retry-After", slackfake.Reply{Status: 429}, false, defaultRetryAfter},
		{"429 with an HTTP date", slackfake.Reply{Status: 429, Header: map[string]string{"Retry-After": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}}, false, time.Hour},
		{"429 with garbage", slackfake.Reply{Status: 429, Header: map[string]string{"Retry-After": "soon"}}, false, defaultRetryAfter},
		{"500", slackfake.Reply{Status: 500, Body: "<html>oops</html>"}, false, 0},
		{"503", slackfake.Reply{Status: 503}, false, 0},
		{"channel_not_found", slackfake.Reply{Body: `{"ok":false,"error":"channel_not_found"}`}, true, 0},
		{"not_in_channel", slackfake.Reply{Body: `{"ok":false,"error":"not_in_channel"}`}, true, 0},
		{"is_archived", slackfake.Reply{Body: `{"ok":false,"error":"is_archived"}`}, true, 0},
		{"invalid_auth", slackfake.Reply{Body: `{"ok":false,"error":"invalid_auth"}`}, true, 0},
		{"token_revoked", slackfake.Reply{Body: `{"ok":false,"error":"token_revoked"}`}, true, 0},
		{"account_inactive", slackfake.Reply{Body: `{"ok":false,"error":"account_inactive"}`}, true, 0},
		{"msg_too_long", slackfake.Reply{Body: `{"ok":false,"error":"msg_too_long"}`}, true, 0},
		{"ratelimited in the body", slackfake.Reply{Body: `{"ok":false,"error":"ratelimited"}`}, false, defaultRetryAfter},
		{"internal_error", slackfake.Reply{Body: `{"ok":false,"error":"internal_error"}`}, false, 0},
		{"malformed body", slackfake.Reply{Body: `{"ok":tru`}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := slackfake.New(t)
			ad, err := New(Options{BotToken: botToken, APIURL: fake.APIURL()})
			if err != nil {
				t.Fatal(err)
			}
			fake.Fail("chat.postMessage", tc.reply)
			_, err = ad.Post(context.Background(), "slack:C1", &alerts.Message{Kind: alerts.DeliveryCard, Alert: testAlert("x"), Now: t0})
			if err == nil {
				t.Fatal("Post: got nil error")
			}
			if got := errors.Is(err, alerts.ErrPermanent); got != tc.permanent {
				t.Errorf("permanent: got %v (%v); want %v", got, err, tc.permanent)
			}
			after, ok := alerts.RetryAfter(err)
			if tc.after == 0 && ok {
				t.Errorf("Retry-After: got %s; want none", after)
			}
			if tc.after > 0 && (after < tc.after-2*time.Second || after > tc.after) {
				t.Errorf("Retry-After: got %s (%v); want about %s", after, err, tc.after)
			}
			// The outbox owns retries: one failure is one request.
			if n := len(fake.Calls("chat.postMessage")); n != 1 {
				t.Errorf("chat.postMessage requests: got %d; want exactly 1 (no retry below the outbox)", n)
			}
			if strings.Contains(err.Error(), botToken) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestEscalationNoticeLinksToCard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := testAlert("cartel")
	ref, err := e.adapter.Post(ctx, "slack:C1", &alerts.Message{Kind: alerts.DeliveryCard, Alert: a, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	a.State, a.EscalatedTo = alerts.StateEscalated, "slack:@U3"
	msg := &alerts.Message{Kind: alerts.DeliveryNotice, Alert: a, Notice: "A-42 escalated by slack:U2: <!channel>", Cards: []alerts.CardRef{{Destination: "slack:C1", Ref: ref}}}
	if _, err := e.adapter.Post(ctx, "slack:C9", msg); err != nil {
		t.Fatalf("Post notice: %v", err)
	}
	posts := e.fake.Calls("chat.postMessage")
	n := posts[len(posts)-1]
	blocks, text := n.BlockText(), n.Form.Get("text")
	if !strings.Contains(blocks, "<@U3>") || !strings.HasPrefix(text, "<@U3> ") {
		t.Errorf("notice does not mention the on-call user: text %q blocks %s", text, blocks)
	}
	if strings.Count(blocks, "<@") != 1 || strings.Contains(blocks, "<!channel>") {
		t.Errorf("notice carries another mention: %s", blocks)
	}
	if !strings.Contains(blocks, "<https://fake.slack.com/archives/C1/p1700000000000001|view the card>") {
		t.Errorf("notice does not link to the card: %s", blocks)
	}
}
