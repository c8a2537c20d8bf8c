package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot/slack/slackfake"
	"github.com/lookoutbot/lookout/internal/outbox"
)

// TestOutageDeliversEachCardOnceInOrder drives the real outbox deliverer
// against a Slack that answers 500s and 429s for a while: every card is
// posted exactly once afterwards, in order, and Retry-After is honoured.
func TestOutageDeliversEachCardOnceInOrder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []int64
	var refs []string
	for i := range 3 {
		a := e.alert(t, "cartel "+string(rune('a'+i)))
		refs = append(refs, a.Ref())
		d := &alerts.Delivery{AlertID: a.ID, Destination: "slack:C1", Kind: alerts.DeliveryCard, State: alerts.DeliveryPending, CreatedAt: e.clock.Now()}
		if err := e.st.Update(ctx, func(tx alerts.Tx) error { return tx.InsertDelivery(ctx, d) }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	e.fake.Fail("chat.postMessage",
		slackfake.Reply{Status: 500},
		slackfake.Reply{Status: 429, Header: map[string]string{"Retry-After": "20"}},
		slackfake.Reply{Status: 503},
		slackfake.Reply{Status: 429},
	)
	dv := outbox.New(e.st, map[string]alerts.Notifier{"slack": e.adapter}, e.svc, outbox.Options{
		Pace: time.Second, Wait: time.Second, MinRetry: 2 * time.Second, MaxRetry: time.Hour, NoticeAfter: 100, Now: e.clock.Now,
	})
	var waits []time.Duration
	done := map[int64]bool{}
	for round := 0; len(done) < len(ids); round++ {
		if round > 50 {
			t.Fatalf("not delivered after 50 rounds: %v", done)
		}
		next := time.Duration(0)
		for _, id := range ids {
			if done[id] {
				continue
			}
			out, err := dv.Deliver(ctx, id)
			if err != nil {
				t.Fatalf("Deliver(%d): %v", id, err)
			}
			if out.Done {
				done[id] = true
				continue
			}
			if id == ids[0] {
				waits = append(waits, out.Retry)
			}
			if next == 0 || out.Retry < next {
				next = out.Retry
			}
		}
		e.clock.Advance(max(next, time.Second))
	}
	// The 429s' waits: 20 s as asked, and the default for none.
	if !containsDuration(waits, 20*time.Second) || !containsDuration(waits, defaultRetryAfter) {
		t.Errorf("retry waits of the first card: got %v; want 20s and %s among them", waits, defaultRetryAfter)
	}
	calls := e.fake.Calls("chat.postMessage")
	var got []string
	for _, c := range calls {
		got = append(got, alertOf(c))
	}
	want := []string{refs[0], refs[0], refs[0], refs[0], refs[0], refs[1], refs[2]}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("chat.postMessage requests, by card: got %v; want %v (4 failures of the first card, then each card once, in order)", got, want)
	}
	for i, id := range ids {
		var d *alerts.Delivery
		_ = e.st.View(ctx, func(tx alerts.Tx) error { var err error; d, err = tx.Delivery(ctx, id); return err })
		if d.State != alerts.DeliverySent || d.MessageRef == "" {
			t.Errorf("card %d: state %s ref %q; want sent with a ref", i, d.State, d.MessageRef)
		}
	}
}

func containsDuration(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// alertOf returns the alert a posted card is about, from its header's
// block id.
func alertOf(c slackfake.Call) string {
	for _, b := range c.Blocks() {
		if id, _ := b["block_id"].(string); strings.HasPrefix(id, "alert:") {
			return strings.TrimPrefix(id, "alert:")
		}
	}
	return "?"
}
