package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

var outboxTests = []test{
	{"InsertEnqueuesJob", testDeliveryInsert},
	{"InsertDefaultsCreatedAtAndState", testDeliveryDefaults},
	{"JobErrorFailsInsert", testDeliveryJobError},
	{"GetUpdateAndNotFound", testDeliveryUpdate},
	{"ListOfAlertOldestFirst", testDeliveriesOfAlert},
	{"PendingBefore", testPendingBefore},
	{"LastSent", testLastSent},
	{"ByStateNewestFirst", testDeliveriesByState},
	{"CountByState", testCountDeliveries},
}

func newDelivery(alertID int64, to alerts.Destination, created time.Time) *alerts.Delivery {
	return &alerts.Delivery{
		AlertID:     alertID,
		Destination: to,
		Kind:        alerts.DeliveryCard,
		State:       alerts.DeliveryPending,
		CreatedAt:   created,
	}
}

// insertDeliveries stores ds in one transaction.
func (e *env) insertDeliveries(ds ...*alerts.Delivery) {
	e.t.Helper()
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for _, d := range ds {
			if err := tx.InsertDelivery(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

func testDeliveryInsert(t *testing.T, e *env) {
	a := newDelivery(1, "slack:C1", base)
	b := newDelivery(0, "discord:9", base)
	b.Kind, b.Text = alerts.DeliveryNotice, "watch x is failing — ⚠"
	e.insertDeliveries(a, b)
	if a.ID != 1 || b.ID != 2 {
		t.Errorf("delivery IDs = %d, %d; want 1, 2", a.ID, b.ID)
	}
	equal(t, "jobs delivered", e.jobs.Delivered(), []int64{1, 2})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Delivery(ctx, b.ID)
		if err != nil {
			return err
		}
		equal(t, "notice", got, b)
		return nil
	})
}

func testDeliveryDefaults(t *testing.T, e *env) {
	before := time.Now().Add(-time.Second)
	d := &alerts.Delivery{AlertID: 1, Destination: "console", Kind: alerts.DeliveryCard}
	e.insertDeliveries(d)
	if d.State != alerts.DeliveryPending {
		t.Errorf("State = %q; want pending", d.State)
	}
	if d.CreatedAt.Before(before) || d.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("CreatedAt = %v; want about now", d.CreatedAt)
	}
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Delivery(ctx, d.ID)
		if err != nil {
			return err
		}
		equal(t, "stored delivery", got, d)
		return nil
	})
}

func testDeliveryJobError(t *testing.T, e *env) {
	boom := errors.New("queue full")
	e.jobs.FailNext(boom)
	var id int64
	err := e.s.Update(e.ctx(), func(tx alerts.Tx) error {
		d := newDelivery(1, "slack:C1", base)
		err := tx.InsertDelivery(e.ctx(), d)
		id = d.ID
		return err
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v; want the job error", err)
	}
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		if _, err := tx.Delivery(ctx, id); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("Delivery(%d) after failed enqueue: error = %v; want ErrNotFound", id, err)
		}
		return nil
	})
}

func testDeliveryUpdate(t *testing.T, e *env) {
	d := newDelivery(3, "slack:C1", base)
	e.insertDeliveries(d)
	d.State = alerts.DeliverySent
	d.MessageRef = "C1/1700000000.000100"
	d.Attempts = 2
	d.LastError = "rate limited"
	d.SentAt = at(1)
	d.Text = "re-rendered"
	d.CardID = 9
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.UpdateDelivery(ctx, d) })
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Delivery(ctx, d.ID)
		if err != nil {
			return err
		}
		equal(t, "delivery after update", got, d)
		if _, err := tx.Delivery(ctx, 77); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("Delivery(77) error = %v; want ErrNotFound", err)
		}
		return nil
	})
	err := e.s.Update(e.ctx(), func(tx alerts.Tx) error {
		return tx.UpdateDelivery(e.ctx(), &alerts.Delivery{ID: 77, State: alerts.DeliverySent})
	})
	if !errors.Is(err, alerts.ErrNotFound) {
		t.Errorf("UpdateDelivery(77) error = %v; want ErrNotFound", err)
	}
}

func testDeliveriesOfAlert(t *testing.T, e *env) {
	e.insertDeliveries(
		newDelivery(1, "slack:C1", at(2)),
		newDelivery(2, "slack:C1", at(1)),
		newDelivery(1, "discord:9", at(0)),
	)
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		ds, err := tx.Deliveries(ctx, 1)
		if err != nil {
			return err
		}
		got := []int64{}
		for _, d := range ds {
			got = append(got, d.ID)
		}
		equal(t, "Deliveries(A-1)", got, []int64{1, 3})
		return nil
	})
}

func testPendingBefore(t *testing.T, e *env) {
	d1 := newDelivery(1, "slack:C1", base)
	d2 := newDelivery(2, "slack:C2", base)
	d3 := newDelivery(3, "slack:C1", base)
	d4 := newDelivery(4, "slack:C1", base)
	e.insertDeliveries(d1, d2, d3, d4)
	check := func(name string, d *alerts.Delivery, want bool) {
		t.Helper()
		e.view(func(ctx context.Context, tx alerts.Tx) error {
			got, err := tx.PendingBefore(ctx, d, base.Add(-time.Hour))
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("%s: PendingBefore(%d) = %v; want %v", name, d.ID, got, want)
			}
			return nil
		})
	}
	check("first to its destination", d1, false)
	check("only one to its destination", d2, false)
	check("older pending to same destination", d3, true)
	d1.State = alerts.DeliverySent
	d3.State = alerts.DeliveryFailed
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		if err := tx.UpdateDelivery(ctx, d1); err != nil {
			return err
		}
		return tx.UpdateDelivery(ctx, d3)
	})
	check("older ones sent or failed", d4, false)
	check("newer pending does not count", d1, false)
}

func testLastSent(t *testing.T, e *env) {
	d1 := newDelivery(1, "slack:C1", base)
	d2 := newDelivery(2, "slack:C1", base)
	d3 := newDelivery(3, "slack:C2", base)
	e.insertDeliveries(d1, d2, d3)
	lastSent := func(to alerts.Destination) time.Time {
		var got time.Time
		e.view(func(ctx context.Context, tx alerts.Tx) (err error) {
			got, err = tx.LastSent(ctx, to)
			return err
		})
		return got
	}
	if got := lastSent("slack:C1"); !got.IsZero() {
		t.Errorf("LastSent before any send = %v; want zero", got)
	}
	d1.State, d1.SentAt = alerts.DeliverySent, at(5)
	d2.State, d2.SentAt = alerts.DeliverySent, at(3)
	d3.State, d3.SentAt = alerts.DeliverySent, at(9)
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for _, d := range []*alerts.Delivery{d1, d2, d3} {
			if err := tx.UpdateDelivery(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "LastSent(slack:C1)", lastSent("slack:C1"), at(5))
	equal(t, "LastSent(slack:C2)", lastSent("slack:C2"), at(9))
	if got := lastSent("console"); !got.IsZero() {
		t.Errorf("LastSent(console) = %v; want zero", got)
	}
}

func testDeliveriesByState(t *testing.T, e *env) {
	ds := []*alerts.Delivery{
		newDelivery(1, "slack:C1", at(0)),
		newDelivery(2, "slack:C1", at(1)),
		newDelivery(3, "slack:C1", at(2)),
		newDelivery(4, "slack:C1", at(3)),
	}
	ds[2].State = alerts.DeliveryFailed
	e.insertDeliveries(ds...)
	cases := []struct {
		name  string
		state alerts.DeliveryState
		limit int
		want  []int64
	}{
		{"pending, newest first", alerts.DeliveryPending, 0, []int64{4, 2, 1}},
		{"limit", alerts.DeliveryPending, 2, []int64{4, 2}},
		{"failed", alerts.DeliveryFailed, 10, []int64{3}},
		{"none", alerts.DeliverySent, 0, []int64{}},
	}
	for _, c := range cases {
		e.view(func(ctx context.Context, tx alerts.Tx) error {
			list, err := tx.DeliveriesByState(ctx, c.state, c.limit)
			if err != nil {
				return err
			}
			got := []int64{}
			for _, d := range list {
				got = append(got, d.ID)
			}
			equal(t, c.name, got, c.want)
			return nil
		})
	}
}

func testCountDeliveries(t *testing.T, e *env) {
	ds := []*alerts.Delivery{
		newDelivery(1, "slack:C1", base),
		newDelivery(1, "slack:C2", base),
		newDelivery(2, "slack:C1", base),
		newDelivery(2, "slack:C2", base),
	}
	ds[0].State = alerts.DeliverySent
	ds[1].State = alerts.DeliverySuperseded
	e.insertDeliveries(ds...)
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.CountDeliveries(ctx)
		if err != nil {
			return err
		}
		equal(t, "CountDeliveries", got, map[alerts.DeliveryState]int{
			alerts.DeliveryPending: 2, alerts.DeliverySent: 1, alerts.DeliverySuperseded: 1,
		})
		return nil
	})
}
