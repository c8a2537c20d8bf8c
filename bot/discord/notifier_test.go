package discord

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestPostAndEditGoThroughTheConfiguredAPIURL(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, Options{})
	ctx := context.Background()
	al := testAlert(41)
	ref, err := a.Post(ctx, "discord:123", &alerts.Message{Kind: alerts.DeliveryCard, Alert: al, Now: t0})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if ref != "123/5001" {
		t.Errorf("ref: got %q; want 123/5001", ref)
	}
	al.State = alerts.StateAcked
	if err := a.Edit(ctx, "discord:123", ref, &alerts.Message{Kind: alerts.DeliveryEdit, Alert: al, Now: t0}); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("requests: got %d; want 2", len(reqs))
	}
	post, edit := reqs[0], reqs[1]
	if post.Method != "POST" || post.Path != "/channels/123/messages" || post.Auth != "Bot test-token" {
		t.Errorf("post: got %s %s auth %q; want POST /channels/123/messages with the bot token", post.Method, post.Path, post.Auth)
	}
	if post.Body["enforce_nonce"] != true || len(post.Body["nonce"].(string)) > 25 {
		t.Errorf("post: nonce %v enforce %v; want an enforced nonce of at most 25 characters", post.Body["nonce"], post.Body["enforce_nonce"])
	}
	if edit.Method != "PATCH" || edit.Path != "/channels/123/messages/5001" {
		t.Errorf("edit: got %s %s; want PATCH /channels/123/messages/5001", edit.Method, edit.Path)
	}
	if !strings.Contains(edit.Raw, "lookout:unack:41") {
		t.Errorf("edit does not carry the acked card's buttons: %s", edit.Raw)
	}
}

func TestEscalationMentionsExactlyTheTarget(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, Options{})
	ctx := context.Background()
	m := &alerts.Message{
		Kind: alerts.DeliveryNotice, Alert: testAlert(42), Now: t0,
		Notice: "A-42 unacknowledged for 15m · escalation step 1 · [cartel-watch] @everyone <@&1>",
		Cards: []alerts.CardRef{
			{Destination: "slack:C1", Ref: "C1/123.456"},
			{Destination: "discord:123", Ref: "123/5001"},
			{Destination: "discord:124", Ref: "124/5002"},
		},
	}
	for _, c := range []struct {
		to, mention, list string
	}{
		{"discord:role:42", "<@&42>", "roles"},
		{"discord:user:7", "<@7>", "users"},
	} {
		ref, err := a.Post(ctx, alerts.Destination(c.to), m)
		if err != nil {
			t.Fatalf("Post %s: %v", c.to, err)
		}
		if !strings.HasPrefix(ref, "123/") {
			t.Errorf("%s: ref %q; want a message in channel 123, beside the first card", c.to, ref)
		}
		posts := f.matching("POST /channels/123/messages")
		got := posts[len(posts)-1].Body
		content, _ := got["content"].(string)
		if !strings.HasPrefix(content, c.mention+" ") {
			t.Errorf("%s: content %q; want it to start with %s", c.to, content, c.mention)
		}
		for _, link := range []string{"https://discord.com/channels/900/123/5001", "https://discord.com/channels/900/124/5002"} {
			if !strings.Contains(content, link) {
				t.Errorf("%s: content %q lacks the link %s", c.to, content, link)
			}
		}
		if strings.Contains(content, "<@&1>") || strings.Contains(content, "@everyone") {
			t.Errorf("%s: the post text mentions someone live: %q", c.to, content)
		}
		am := got["allowed_mentions"].(map[string]any)
		ids, _ := am[c.list].([]any)
		if len(ids) != 1 || ids[0] != strings.Trim(c.mention, "<@&>") {
			t.Errorf("%s: allowed_mentions %v; want %s = [%s] only", c.to, am, c.list, strings.Trim(c.mention, "<@&>"))
		}
	}
	if n := len(f.matching("GET /channels/")); n != 2 {
		t.Errorf("guild lookups: got %d; want 2 (one per channel, then cached)", n)
	}
}

func TestEscalationWithoutADiscordCard(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, Options{})
	ctx := context.Background()
	m := &alerts.Message{Kind: alerts.DeliveryNotice, Alert: testAlert(42), Notice: "A-42 escalated", Now: t0}
	if _, err := a.Post(ctx, "discord:role:42", m); !errors.Is(err, alerts.ErrPermanent) {
		t.Errorf("role without a card: got %v; want ErrPermanent", err)
	}
	ref, err := a.Post(ctx, "discord:user:7", m)
	if err != nil || ref != "4444/5001" {
		t.Fatalf("user without a card: got %q, %v; want a direct message 4444/5001", ref, err)
	}
	if dm := f.matching("POST /users/@me/channels"); len(dm) != 1 || dm[0].Body["recipient_id"] != "7" {
		t.Errorf("direct message channel: got %+v; want one for user 7", dm)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	cases := []struct {
		name      string
		r         reply
		permanent bool
		retry     time.Duration // >0: a RetryAfterError with this wait
		says      string
	}{
		{"unknown channel", reply{404, nil, `{"message":"Unknown Channel","code":10003}`}, true, 0, "code 10003"},
		{"missing access", reply{403, nil, `{"message":"Missing Access","code":50001}`}, true, 0, "lookout discord invite"},
		{"missing permissions", reply{403, nil, `{"message":"Missing Permissions","code":50013}`}, true, 0, "Embed Links"},
		{"bad token", reply{401, nil, `{"message":"401: Unauthorized","code":0}`}, true, 0, "401"},
		{"malformed", reply{400, nil, `{"message":"Invalid Form Body","code":50035}`}, true, 0, "malformed"},
		{"server error", reply{500, nil, `{"message":"Internal Server Error","code":0}`}, false, 0, "500"},
		{"bad gateway html", reply{502, nil, `<html>` + strings.Repeat("x", 5000) + `</html>`}, false, 0, "502"},
		{"route 429", reply{429, map[string]string{"X-RateLimit-Scope": "user"}, `{"message":"You are being rate limited.","retry_after":1.5,"global":false}`}, false, 1500 * time.Millisecond, "route 429"},
		{"global 429", reply{429, map[string]string{"X-RateLimit-Global": "true"}, `{"message":"You are being rate limited.","retry_after":12,"global":true}`}, false, 12 * time.Second, "global 429"},
		{"cloudflare 429 with Retry-After", reply{429, map[string]string{"Retry-After": "90", "Content-Type": "text/html"}, `<!DOCTYPE html><title>Access denied | discord.com used Cloudflare</title>`}, false, 90 * time.Second, "non-JSON 429"},
		{"cloudflare 429 bare", reply{429, nil, `<html>error code: 1015</html>`}, false, defaultRateWait, "non-JSON 429"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			a := newAdapter(t, f, Options{})
			f.script("/messages", c.r)
			_, err := a.Post(context.Background(), "discord:123", &alerts.Message{Kind: alerts.DeliveryCard, Alert: testAlert(1), Now: t0})
			if err == nil {
				t.Fatal("Post: got nil error")
			}
			if got := errors.Is(err, alerts.ErrPermanent); got != c.permanent {
				t.Errorf("permanent: got %v; want %v (%v)", got, c.permanent, err)
			}
			ra, isRetry := alerts.RetryAfter(err)
			if c.retry > 0 && (!isRetry || ra != c.retry) {
				t.Errorf("retry after: got %v, %v; want %v (%v)", ra, isRetry, c.retry, err)
			}
			if c.retry == 0 && isRetry {
				t.Errorf("got a RetryAfterError %v; want none", err)
			}
			if !strings.Contains(err.Error(), c.says) || len(err.Error()) > 600 {
				t.Errorf("error %q: want it to say %q, in under 600 bytes", err, c.says)
			}
			if strings.Contains(err.Error(), "test-token") {
				t.Errorf("error leaks the token: %v", err)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("requests: got %d; want 1 (no retry inside the adapter)", n)
			}
		})
	}
}

func TestGlobalRateLimitHoldsEveryRouteButInteractions(t *testing.T) {
	f := newFake(t)
	clk := newClock()
	a := newAdapter(t, f, Options{Now: clk.Now})
	ctx := context.Background()
	m := &alerts.Message{Kind: alerts.DeliveryCard, Alert: testAlert(1), Now: t0}
	f.script("/channels/1/messages", reply{429, map[string]string{"X-RateLimit-Global": "true"}, `{"message":"limited","retry_after":30,"global":true}`})
	if _, err := a.Post(ctx, "discord:1", m); err == nil {
		t.Fatal("first post: got nil; want the 429")
	}
	_, err := a.Post(ctx, "discord:2", m)
	if ra, ok := alerts.RetryAfter(err); !ok || ra != 30*time.Second {
		t.Fatalf("post to another channel during the global limit: got %v; want a 30s RetryAfterError without a request", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests during the global limit: got %d; want 1", n)
	}
	// Interaction responses are exempt from the global limit.
	if err := a.request(ctx, "POST", "https://discord.com/api/v9/interactions/1/tok/callback", map[string]int{"type": 6}, nil); err != nil {
		t.Errorf("interaction callback during the global limit: %v", err)
	}
	clk.Advance(31 * time.Second)
	if _, err := a.Post(ctx, "discord:2", m); err != nil {
		t.Errorf("post after the limit: %v", err)
	}
}

func TestBucketExhaustionWaitsBriefly(t *testing.T) {
	f := newFake(t)
	clk := newClock()
	a := newAdapter(t, f, Options{Now: clk.Now, MaxWait: time.Second})
	ctx := context.Background()
	m := &alerts.Message{Kind: alerts.DeliveryCard, Alert: testAlert(1), Now: t0}
	f.script("/channels/1/messages", reply{200, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "5"}, `{"id":"9","channel_id":"1"}`})
	if _, err := a.Post(ctx, "discord:1", m); err != nil {
		t.Fatal(err)
	}
	_, err := a.Post(ctx, "discord:1", m)
	if ra, ok := alerts.RetryAfter(err); !ok || ra != 5*time.Second {
		t.Errorf("post to an exhausted bucket: got %v; want a 5s RetryAfterError", err)
	}
	if _, err := a.Post(ctx, "discord:2", m); err != nil {
		t.Errorf("another channel's bucket: %v", err)
	}
}

func TestTransportRefusesRequestsOutsideTheAPI(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, Options{})
	err := a.request(context.Background(), "GET", "https://cdn.discordapp.com/avatars/1/2.png", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "outside the API") {
		t.Errorf("CDN request: got %v; want a refusal", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("requests: got %d; want 0", n)
	}
}
