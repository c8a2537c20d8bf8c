package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/outbox"
)

// deliverAll sends every pending delivery through the real outbox.
func (e *env) deliverAll(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	dv := outbox.New(e.st, map[string]alerts.Notifier{"slack": e.adapter}, e.svc, outbox.Options{Now: e.clock.Now})
	for range 20 {
		var pending []*alerts.Delivery
		_ = e.st.View(ctx, func(tx alerts.Tx) error {
			var err error
			pending, err = tx.DeliveriesByState(ctx, alerts.DeliveryPending, 0)
			return err
		})
		if len(pending) == 0 {
			return
		}
		for i := len(pending) - 1; i >= 0; i-- { // oldest first
			if _, err := dv.Deliver(ctx, pending[i].ID); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
		}
		e.clock.Advance(2 * time.Second)
	}
	t.Fatal("deliveries still pending after 20 rounds")
}

// TestTimerEscalationEditsCard fires a policy's escalation timer: the
// card in C1 is edited to show it, and the policy channel C9 gets a
// notice linking back to the card.
func TestTimerEscalationEditsCard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.alert(t, "cartel")
	_ = e.st.Update(ctx, func(tx alerts.Tx) error {
		return tx.InsertDelivery(ctx, &alerts.Delivery{AlertID: a.ID, Destination: "slack:C1", Kind: alerts.DeliveryCard, State: alerts.DeliveryPending, CreatedAt: e.clock.Now()})
	})
	e.deliverAll(t)
	// Ack then unack: the unack schedules the policy's first step.
	for i, act := range []alerts.Action{alerts.ActionAck, alerts.ActionUnack} {
		if _, err := e.svc.Apply(ctx, alerts.Request{ActionID: "t" + string(rune('0'+i)), Alert: a.ID, Action: act, Actor: "slack:U1", Source: alerts.SourceSlack}); err != nil {
			t.Fatal(err)
		}
	}
	e.deliverAll(t)
	e.clock.Advance(16 * time.Minute)
	var timers []*alerts.Timer
	_ = e.st.View(ctx, func(tx alerts.Tx) error { var err error; timers, err = tx.PendingTimers(ctx); return err })
	if len(timers) != 1 {
		t.Fatalf("pending timers: got %d; want 1", len(timers))
	}
	if err := e.svc.FireTimer(ctx, timers[0].ID); err != nil {
		t.Fatal(err)
	}
	e.deliverAll(t)
	ups := e.fake.Calls("chat.update")
	if last := ups[len(ups)-1].BlockText(); !strings.Contains(last, "Escalated by timer") {
		t.Errorf("last card edit: %s; want it escalated by the timer", last)
	}
	var notice string
	for _, c := range e.fake.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "C9" {
			notice = c.BlockText()
		}
	}
	if !strings.Contains(notice, "escalation step 1") || !strings.Contains(notice, "view the card") {
		t.Errorf("policy channel notice: %q; want the step and a link to the card", notice)
	}
}
