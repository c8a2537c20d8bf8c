package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/outbox"
)

// groupCard queues a grouped card for a on c1, as a route with a group
// window does.
func (e *env) groupCard(t *testing.T, a *alerts.Alert) int64 {
	t.Helper()
	return e.insert(t, &alerts.Delivery{AlertID: a.ID, Destination: c1, Kind: alerts.DeliveryCard, Group: a.Watch})
}

// groupRecorder keeps the last message a notifier got, to inspect groups.
type groupRecorder struct {
	*fakeNotifier
	last *alerts.Message
}

func (g *groupRecorder) Post(ctx context.Context, to alerts.Destination, m *alerts.Message) (string, error) {
	g.last = m
	return g.fakeNotifier.Post(ctx, to, m)
}

func (g *groupRecorder) Edit(ctx context.Context, to alerts.Destination, ref string, m *alerts.Message) error {
	g.last = m
	return g.fakeNotifier.Edit(ctx, to, ref, m)
}

func TestGroupedCards(t *testing.T) {
	e := newEnv(t)
	rec := &groupRecorder{fakeNotifier: e.slack}
	opts := defaultOpts
	opts.GroupWindows = map[string]time.Duration{"ops": time.Minute}
	opts.Now = e.clock.Now
	dv := outbox.New(e.st, map[string]alerts.Notifier{"slack": rec}, e.svc, opts)

	a1 := e.alert(t)
	first := e.groupCard(t, a1)
	e.clock.Advance(20 * time.Second)
	a2, a3 := e.alert(t), e.alert(t)
	second, third := e.groupCard(t, a2), e.groupCard(t, a3)

	if out := deliver(t, dv, first); out.Done || out.Retry != 40*time.Second {
		t.Fatalf("first card inside the window: got %+v; want a retry when the window closes in 40s", out)
	}
	e.clock.Advance(2 * time.Minute)
	late := e.alert(t)
	lateCard := e.groupCard(t, late) // after the window: the next group

	if out := deliver(t, dv, first); !out.Done {
		t.Fatalf("first card after the window: got %+v; want done", out)
	}
	if got := e.slack.got(); len(got) != 1 || got[0].op != "post" {
		t.Fatalf("calls: got %+v; want one post for the whole group", got)
	}
	if rec.last.Alert != nil || len(rec.last.Group) != 3 || rec.last.Group[0].ID != a1.ID || rec.last.Group[2].ID != a3.ID {
		t.Fatalf("grouped message: got alert %v and %d grouped; want the three alerts of the window in order", rec.last.Alert, len(rec.last.Group))
	}
	for _, id := range []int64{first, second, third} {
		d := e.delivery(t, id)
		if d.State != alerts.DeliverySent || d.MessageRef != "ref-slack:C1" || d.GroupID != first {
			t.Errorf("card %d: got state %s ref %q group %d; want sent, the grouped message's ref, group %d", id, d.State, d.MessageRef, d.GroupID, first)
		}
	}
	for _, id := range []int64{second, third} {
		if out := deliver(t, dv, id); !out.Done {
			t.Errorf("card %d carried by the group: got %+v; want done without sending", id, out)
		}
	}
	if got := len(e.slack.got()); got != 1 {
		t.Fatalf("calls after the carried cards ran: got %d; want still 1", got)
	}

	// A change to one alert of the group re-renders the grouped message.
	_, err := e.svc.Apply(context.Background(), alerts.Request{ActionID: "ack-2", Alert: a2.ID, Action: alerts.ActionAck, Actor: "slack:U1", Source: alerts.SourceSlack})
	if err != nil {
		t.Fatal(err)
	}

	var editID int64
	err = e.st.View(context.Background(), func(tx alerts.Tx) error {
		ds, err := tx.Deliveries(context.Background(), a2.ID)
		for _, d := range ds {
			if d.Kind == alerts.DeliveryEdit {
				editID = d.ID
			}
		}
		return err
	})
	if err != nil || editID == 0 {
		t.Fatalf("edit of the grouped alert: id %d, err %v", editID, err)
	}
	e.clock.Advance(time.Minute)
	// The lone late card goes first: it is older than the edit.
	if out := deliver(t, dv, lateCard); !out.Done {
		t.Fatalf("late card: got %+v; want done", out)
	}
	if rec.last.Group != nil || rec.last.Alert.ID != late.ID {
		t.Fatalf("late card: got a group of %d; want a plain card for %s", len(rec.last.Group), late.Ref())
	}
	e.clock.Advance(time.Minute)
	if out := deliver(t, dv, editID); !out.Done {
		t.Fatalf("edit: got %+v; want done", out)
	}
	calls := e.slack.got()
	last := calls[len(calls)-1]
	if last.op != "edit" || last.ref != "ref-slack:C1" || rec.last.Alert.ID != a2.ID || len(rec.last.Group) != 3 {
		t.Fatalf("edit: got %+v with %d grouped; want an edit of the grouped message carrying all 3", last, len(rec.last.Group))
	}
	for _, a := range rec.last.Group {
		if a.ID == a2.ID && a.State != alerts.StateAcked {
			t.Errorf("%s in the edited group: got %s; want acked", a.Ref(), a.State)
		}
	}
}

// cancellingNotifier is a platform that accepts the message while the
// process is being stopped.
type cancellingNotifier struct {
	*fakeNotifier
	cancel context.CancelFunc
}

func (c *cancellingNotifier) Post(ctx context.Context, to alerts.Destination, m *alerts.Message) (string, error) {
	ref, err := c.fakeNotifier.Post(ctx, to, m)
	c.cancel()
	return ref, err
}

func TestShutdownDuringAnAcceptedPostDoesNotRepost(t *testing.T) {
	e := newEnv(t)
	a := e.alert(t)
	id := e.card(t, a, c1)
	ctx, cancel := context.WithCancel(context.Background())
	n := &cancellingNotifier{fakeNotifier: e.slack, cancel: cancel}
	opts := defaultOpts
	opts.Now = e.clock.Now
	dv := outbox.New(e.st, map[string]alerts.Notifier{"slack": n}, e.svc, opts)
	if _, err := dv.Deliver(ctx, id); err != nil {
		t.Fatalf("Deliver during shutdown: %v; want the accepted post recorded", err)
	}
	if d := e.delivery(t, id); d.State != alerts.DeliverySent {
		t.Fatalf("delivery after an accepted post during shutdown: got %s; want sent", d.State)
	}
	if out := deliver(t, dv, id); !out.Done || len(e.slack.got()) != 1 {
		t.Fatalf("after restart: got %+v and %d posts; want done, posted once", out, len(e.slack.got()))
	}
}

func TestOpenGroupDoesNotHoldBackOtherMessages(t *testing.T) {
	e := newEnv(t)
	opts := defaultOpts
	opts.GroupWindows = map[string]time.Duration{"ops": 5 * time.Minute}
	opts.Now = e.clock.Now
	dv := outbox.New(e.st, map[string]alerts.Notifier{"slack": e.slack}, e.svc, opts)

	posted := e.alert(t)
	first := e.card(t, posted, c1)
	if out := deliver(t, dv, first); !out.Done {
		t.Fatalf("plain card: got %+v; want done", out)
	}
	e.clock.Advance(time.Minute)
	waiting := e.alert(t)
	e.groupCard(t, waiting) // waits five minutes for its window
	e.clock.Advance(time.Minute)
	if _, err := e.svc.Apply(context.Background(), alerts.Request{ActionID: "ack", Alert: posted.ID, Action: alerts.ActionAck, Actor: "slack:U1", Source: alerts.SourceSlack}); err != nil {
		t.Fatal(err)
	}
	var editID int64
	_ = e.st.View(context.Background(), func(tx alerts.Tx) error {
		ds, err := tx.Deliveries(context.Background(), posted.ID)
		for _, d := range ds {
			if d.Kind == alerts.DeliveryEdit && d.Destination == c1 {
				editID = d.ID
			}
		}
		return err
	})
	if out := deliver(t, dv, editID); !out.Done {
		t.Fatalf("edit of another card while a group waits: got %+v; want it sent at once", out)
	}
}

func TestOnlyTheNewestQueuedEditIsSent(t *testing.T) {
	e := newEnv(t)
	dv := e.deliverer(defaultOpts)
	a := e.alert(t)
	card := e.card(t, a, c1)
	if out := deliver(t, dv, card); !out.Done {
		t.Fatalf("card: %+v", out)
	}
	for i, act := range []alerts.Action{alerts.ActionAck, alerts.ActionResolve} {
		if _, err := e.svc.Apply(context.Background(), alerts.Request{ActionID: fmt.Sprint("a", i), Alert: a.ID, Action: act, Actor: "slack:U1", Source: alerts.SourceSlack}); err != nil {
			t.Fatal(err)
		}
	}
	var edits []int64
	_ = e.st.View(context.Background(), func(tx alerts.Tx) error {
		ds, err := tx.Deliveries(context.Background(), a.ID)
		for _, d := range ds {
			if d.Kind == alerts.DeliveryEdit && d.Destination == c1 {
				edits = append(edits, d.ID)
			}
		}
		return err
	})
	if len(edits) != 2 {
		t.Fatalf("queued edits: got %d; want 2", len(edits))
	}
	e.clock.Advance(time.Minute)
	for _, id := range edits {
		if out := deliver(t, dv, id); !out.Done {
			t.Fatalf("edit %d: got %+v; want done", id, out)
		}
	}
	var got []call
	for _, c := range e.slack.got() {
		if c.op == "edit" {
			got = append(got, c)
		}
	}
	if len(got) != 1 || got[0].state != alerts.StateResolved {
		t.Fatalf("edits sent: got %+v; want one, showing the alert resolved", got)
	}
	if d := e.delivery(t, edits[0]); d.State != alerts.DeliverySuperseded {
		t.Fatalf("the older edit: got %s; want superseded", d.State)
	}
}
