package discord

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/clock"
	"github.com/lookoutbot/lookout/internal/outbox"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
)

// storeEnv is a real SQLite store and alerts service whose route "ops"
// posts to Discord channel 123.
type storeEnv struct {
	st  *store.DB
	svc *alerts.Service
	clk *clock.Fake
	n   int
}

func newStoreEnv(t *testing.T) *storeEnv {
	t.Helper()
	st := sqlitetest.Open(t)
	clk := newClock()
	route := alerts.Route{Name: "ops", Destinations: []alerts.Destination{"discord:123"}}
	svc := alerts.NewService(st, alerts.Options{Routes: []alerts.Route{route}, Now: clk.Now})
	return &storeEnv{st: st, svc: svc, clk: clk}
}

// alert stores an open alert with a card delivery to discord:123.
func (e *storeEnv) alert(t *testing.T) (*alerts.Alert, int64) {
	t.Helper()
	e.n++
	id := fmt.Sprint(e.n)
	a := testAlert(0)
	a.Post.ID, a.Post.Raw, a.Post.Text = id, []byte(id), fmt.Sprintf("cartel post %d", e.n)
	a.Evidence = alerts.NewEvidence(a.Post.Raw, t0)
	a.Hits = []alerts.Hit{{Term: "cartel", Start: 0, End: 6}}
	ctx := context.Background()
	d := &alerts.Delivery{Destination: "discord:123", Kind: alerts.DeliveryCard, CreatedAt: e.clk.Now(), State: alerts.DeliveryPending}
	err := e.st.Update(ctx, func(tx alerts.Tx) error {
		if err := tx.InsertAlert(ctx, a); err != nil {
			return err
		}
		d.AlertID = a.ID
		return tx.InsertDelivery(ctx, d)
	})
	if err != nil {
		t.Fatalf("insert alert: %v", err)
	}
	return a, d.ID
}

func (e *storeEnv) pending(t *testing.T) []*alerts.Delivery {
	t.Helper()
	var ds []*alerts.Delivery
	ctx := context.Background()
	err := e.st.View(ctx, func(tx alerts.Tx) error {
		var err error
		ds, err = tx.DeliveriesByState(ctx, alerts.DeliveryPending, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// drain delivers every pending row through dv, moving the clock to the
// earliest retry whenever nothing can go, until nothing is pending.
func (e *storeEnv) drain(t *testing.T, dv *outbox.Deliverer) {
	t.Helper()
	for range 200 {
		ds := e.pending(t)
		if len(ds) == 0 {
			return
		}
		wait := time.Duration(0)
		for _, d := range ds {
			out, err := dv.Deliver(context.Background(), d.ID)
			if err != nil {
				t.Fatalf("Deliver(%d): %v", d.ID, err)
			}
			if !out.Done && (wait == 0 || out.Retry < wait) {
				wait = out.Retry
			}
		}
		e.clk.Advance(max(wait, time.Millisecond))
	}
	t.Fatalf("deliveries still pending after 200 rounds: %+v", e.pending(t))
}

// TestOutageDeliversEverythingOnceInOrder drives the real outbox through
// a Discord outage: 500s, a 502 with an HTML page, a route 429, a global
// 429 and Cloudflare's non-JSON 429. Afterwards every card is posted
// exactly once, in order, and an ack made during the outage edits its
// card.
func TestOutageDeliversEverythingOnceInOrder(t *testing.T) {
	e := newStoreEnv(t)
	f := newFake(t)
	// MaxWait of 1ns: every rate-limit wait goes back to the outbox, whose
	// clock the test moves, instead of a real sleep in the transport.
	a := newAdapter(t, f, Options{Now: e.clk.Now, MaxWait: time.Nanosecond})
	dv := outbox.New(e.st, map[string]alerts.Notifier{"discord": a}, e.svc, outbox.Options{
		Pace: time.Second, Wait: 500 * time.Millisecond, MinRetry: 2 * time.Second, MaxRetry: 15 * time.Minute, Now: e.clk.Now,
	})
	f.script("POST /channels/123/messages",
		reply{500, nil, `{"message":"Internal Server Error","code":0}`},
		reply{502, nil, `<html><body>Bad gateway</body></html>`},
		reply{429, nil, `{"message":"You are being rate limited.","retry_after":3.5,"global":false}`},
		reply{429, map[string]string{"X-RateLimit-Global": "true"}, `{"message":"You are being rate limited.","retry_after":20,"global":true}`},
		reply{429, map[string]string{"Retry-After": "60"}, `<html><title>Access denied | Cloudflare</title></html>`},
	)
	var ids []int64
	for range 4 {
		al, _ := e.alert(t)
		ids = append(ids, al.ID)
	}
	e.drain(t, dv)

	// An ack while Discord fails again: the card edit waits and then goes.
	if _, err := e.svc.Apply(context.Background(), alerts.Request{ActionID: "discord:1", Alert: ids[0], Action: alerts.ActionAck, Actor: "discord:user:555", Source: alerts.SourceDiscord}); err != nil {
		t.Fatalf("ack: %v", err)
	}
	f.script("PATCH /channels/123/messages/5001", reply{503, nil, `upstream connect error`}, reply{429, nil, `{"retry_after":1,"global":false}`})
	e.drain(t, dv)

	var posted []string
	for _, r := range f.matching("POST /channels/123/messages") {
		if strings.Contains(r.Raw, "Internal") {
			continue
		}
		embeds, _ := r.Body["embeds"].([]any)
		if len(embeds) == 1 {
			posted = append(posted, embeds[0].(map[string]any)["title"].(string))
		}
	}
	// Six failed attempts then four cards; the fake only creates messages
	// for requests it answers with success.
	created := int(f.nextID.Load() - 5000)
	if created != len(ids) {
		t.Errorf("messages created: got %d; want %d (each card exactly once)", created, len(ids))
	}
	var order []string
	seen := map[string]bool{}
	for _, p := range posted {
		ref := strings.Fields(p)[0]
		if !seen[ref] {
			order = append(order, ref)
			seen[ref] = true
		}
	}
	want := []string{"A-1", "A-2", "A-3", "A-4"}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("order of first attempts: got %v; want %v", order, want)
	}
	edits := f.matching("PATCH /channels/123/messages/5001")
	last := edits[len(edits)-1]
	if len(edits) != 3 || !strings.Contains(last.Raw, "Acknowledged by \\u003c@555\\u003e") {
		t.Errorf("card edits: got %d, last %s; want 3 attempts ending with the acked card", len(edits), last.Raw)
	}
	ctx := context.Background()
	_ = e.st.View(ctx, func(tx alerts.Tx) error {
		for _, id := range ids {
			ds, err := tx.Deliveries(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.State != alerts.DeliverySent {
					t.Errorf("A-%d delivery %d (%s): got %s; want sent", id, d.ID, d.Kind, d.State)
				}
			}
		}
		return nil
	})
}
