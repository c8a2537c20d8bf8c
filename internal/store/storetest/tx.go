package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

var txTests = []test{
	{"RollbackOnErrorLeavesNothing", testRollbackOnError},
	{"RollbackOnPanicAndStoreStaysUsable", testRollbackOnPanic},
	{"ViewDoesNotCommit", testViewDoesNotCommit},
	{"ConcurrentUpdatesAllSucceed", testConcurrentUpdates},
	{"TimesUTCMicroseconds", testTimes},
}

// ingest writes what one ingest transaction writes, the way the ingest
// path does, and returns the ids it got.
type ingested struct {
	postKey, alertID, deliveryID, timerID int64
}

func ingest(ctx context.Context, tx alerts.Tx, watch, postID string, now time.Time) (ingested, error) {
	var got ingested
	p := newPost("x", postID, now)
	ev := alerts.NewEvidence(p.Raw, now)
	key, err := tx.PutPost(ctx, &p, ev)
	if err != nil {
		return got, err
	}
	got.postKey = key
	if err := tx.MarkSeen(ctx, watch, p.Platform, p.ChainID(), now); err != nil {
		return got, err
	}
	a := &alerts.Alert{Watch: watch, State: alerts.StateOpen, PostKey: key, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertAlert(ctx, a); err != nil {
		return got, err
	}
	got.alertID = a.ID
	if err := tx.InsertAudit(ctx, &alerts.AuditEvent{
		ActionID: fmt.Sprintf("create:%s:%s", watch, postID), AlertID: a.ID,
		Action: alerts.ActionCreate, Source: alerts.SourceSystem, To: alerts.StateOpen, At: now,
	}); err != nil {
		return got, err
	}
	d := &alerts.Delivery{AlertID: a.ID, Destination: "slack:C1", Kind: alerts.DeliveryCard, CreatedAt: now}
	if err := tx.InsertDelivery(ctx, d); err != nil {
		return got, err
	}
	got.deliveryID = d.ID
	tm := &alerts.Timer{Kind: alerts.TimerEscalate, AlertID: a.ID, DueAt: now.Add(10 * time.Minute)}
	if err := tx.InsertTimer(ctx, tm); err != nil {
		return got, err
	}
	got.timerID = tm.ID
	return got, tx.PutWatchState(ctx, &alerts.WatchState{Watch: watch, Cursor: postID, Baselined: true, LastPollAt: now})
}

// assertEmpty checks that nothing ingest writes is in the store.
func (e *env) assertEmpty(ids ingested) {
	t := e.t
	t.Helper()
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		if posts, err := tx.Posts(ctx, time.Time{}, 0); err != nil || len(posts) != 0 {
			t.Errorf("Posts = %s, %v; want none", show(posts), err)
		}
		if seen, err := tx.Seen(ctx, "w", "x", "r1"); err != nil || seen {
			t.Errorf("Seen = %v, %v; want false", seen, err)
		}
		if _, err := tx.Alert(ctx, ids.alertID); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("Alert(%d) error = %v; want ErrNotFound", ids.alertID, err)
		}
		if list, err := tx.Alerts(ctx, alerts.AlertFilter{IncludeMuted: true}); err != nil || len(list) != 0 {
			t.Errorf("Alerts = %s, %v; want none", show(list), err)
		}
		if _, err := tx.AuditByAction(ctx, "create:w:r1"); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("AuditByAction error = %v; want ErrNotFound", err)
		}
		if _, err := tx.Delivery(ctx, ids.deliveryID); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("Delivery(%d) error = %v; want ErrNotFound", ids.deliveryID, err)
		}
		if n, err := tx.CountDeliveries(ctx); err != nil || len(n) != 0 {
			t.Errorf("CountDeliveries = %v, %v; want none", n, err)
		}
		if _, err := tx.Timer(ctx, ids.timerID); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("Timer(%d) error = %v; want ErrNotFound", ids.timerID, err)
		}
		if st, err := tx.WatchState(ctx, "w"); err != nil || st.Cursor != "" {
			t.Errorf("WatchState = %+v, %v; want the zero state", st, err)
		}
		return nil
	})
}

func testRollbackOnError(t *testing.T, e *env) {
	boom := errors.New("boom")
	var ids ingested
	err := e.s.Update(e.ctx(), func(tx alerts.Tx) error {
		var err error
		if ids, err = ingest(e.ctx(), tx, "w", "r1", base); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v; want fn's error", err)
	}
	if ids.deliveryID == 0 || ids.timerID == 0 {
		t.Fatalf("ingest did not get as far as the outbox: %+v", ids)
	}
	e.assertEmpty(ids)
	// The fake saw the calls, as a work engine would have seen its rows
	// written and then rolled back: the job that runs finds no delivery.
	if !slices.Contains(e.jobs.Delivered(), ids.deliveryID) {
		t.Errorf("jobs delivered %v; want the rolled-back call %d recorded", e.jobs.Delivered(), ids.deliveryID)
	}

	// The store is still usable and the next ingest commits.
	var next ingested
	e.update(func(ctx context.Context, tx alerts.Tx) (err error) {
		next, err = ingest(ctx, tx, "w", "r2", at(1))
		return err
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		if _, err := tx.Delivery(ctx, next.deliveryID); err != nil {
			return err
		}
		posts, err := tx.Posts(ctx, time.Time{}, 0)
		if err != nil {
			return err
		}
		if len(posts) != 1 || posts[0].ID != "r2" {
			t.Errorf("Posts = %s; want only r2", show(posts))
		}
		return nil
	})
}

func testRollbackOnPanic(t *testing.T, e *env) {
	var ids ingested
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v; want the panic of fn re-raised", r)
			}
		}()
		_ = e.s.Update(e.ctx(), func(tx alerts.Tx) error {
			var err error
			if ids, err = ingest(e.ctx(), tx, "w", "r1", base); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	e.assertEmpty(ids)
	// The connection went back to the pool: on SQLite, with one
	// connection, a leaked transaction would block this for ever.
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		_, err := ingest(ctx, tx, "w", "r2", at(1))
		return err
	})
}

func testViewDoesNotCommit(t *testing.T, e *env) {
	// Writing in View fails or is discarded, depending on the database.
	_ = e.s.View(e.ctx(), func(tx alerts.Tx) error {
		return tx.InsertWatch(e.ctx(), newWatch("w"))
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		ws, err := tx.Watches(ctx)
		if err != nil {
			return err
		}
		if len(ws) != 0 {
			t.Errorf("Watches after a write in View = %s; want none", show(ws))
		}
		return nil
	})
}

func testConcurrentUpdates(t *testing.T, e *env) {
	const workers, each = 8, 5
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				watch := fmt.Sprintf("w%d", w)
				err := e.s.Update(e.ctx(), func(tx alerts.Tx) error {
					_, err := ingest(e.ctx(), tx, watch, fmt.Sprintf("p%d-%d", w, i), at(i))
					return err
				})
				if err != nil {
					t.Errorf("worker %d, update %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		list, err := tx.Alerts(ctx, alerts.AlertFilter{})
		if err != nil {
			return err
		}
		if len(list) != workers*each {
			t.Errorf("%d alerts; want %d", len(list), workers*each)
		}
		n, err := tx.CountDeliveries(ctx)
		if err != nil {
			return err
		}
		equal(t, "CountDeliveries", n, map[alerts.DeliveryState]int{alerts.DeliveryPending: workers * each})
		states, err := tx.WatchStates(ctx)
		if err != nil {
			return err
		}
		if len(states) != workers {
			t.Errorf("%d watch states; want %d", len(states), workers)
		}
		return nil
	})
	delivered := e.jobs.Delivered()
	slices.Sort(delivered)
	if len(slices.Compact(delivered)) != workers*each {
		t.Errorf("jobs delivered %d distinct ids; want %d", len(delivered), workers*each)
	}
}

func testTimes(t *testing.T, e *env) {
	zone := time.FixedZone("IST", 5*3600+1800)
	local := time.Date(2026, 11, 3, 19, 45, 16, 987654321, zone)
	want := local.UTC().Truncate(time.Microsecond)
	if want.Nanosecond() != 987654000 {
		t.Fatalf("bad fixture: %v", want)
	}
	old := time.Date(1969, 7, 20, 20, 17, 40, 123456789, zone) // before the epoch
	oldWant := old.UTC().Truncate(time.Microsecond)

	p := newPost("x", "t1", local)
	p.CreatedAt = old
	a := &alerts.Alert{Watch: "w", State: alerts.StateOpen, Post: p, Evidence: alerts.Evidence{SHA256: "00", FetchedAt: local}, CreatedAt: local, UpdatedAt: local}
	m := &alerts.Mute{Scope: alerts.ScopeWatch, Watch: "w", CreatedAt: local, ExpiresAt: local.Add(time.Hour)}
	ev := &alerts.AuditEvent{ActionID: "x", Action: alerts.ActionNote, At: local}
	d := &alerts.Delivery{Destination: "console", Kind: alerts.DeliveryNotice, CreatedAt: local, SentAt: local}
	tm := &alerts.Timer{Kind: alerts.TimerEscalate, AlertID: 1, DueAt: local}
	st := &alerts.WatchState{Watch: "w", LastPollAt: local, LastOKAt: local}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		return errors.Join(tx.InsertAlert(ctx, a), tx.InsertMute(ctx, m), tx.InsertAudit(ctx, ev),
			tx.InsertDelivery(ctx, d), tx.InsertTimer(ctx, tm), tx.PutWatchState(ctx, st))
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		ga, err := tx.Alert(ctx, a.ID)
		if err != nil {
			return err
		}
		gm, err := tx.Mute(ctx, m.ID)
		if err != nil {
			return err
		}
		ge, err := tx.AuditByAction(ctx, "x")
		if err != nil {
			return err
		}
		gd, err := tx.Delivery(ctx, d.ID)
		if err != nil {
			return err
		}
		gt, err := tx.Timer(ctx, tm.ID)
		if err != nil {
			return err
		}
		gs, err := tx.WatchState(ctx, "w")
		if err != nil {
			return err
		}
		for _, c := range []struct {
			name      string
			got, want time.Time
		}{
			{"alert created", ga.CreatedAt, want},
			{"alert updated", ga.UpdatedAt, want},
			{"post created before 1970", ga.Post.CreatedAt, oldWant},
			{"evidence fetched", ga.Evidence.FetchedAt, want},
			{"mute expires", gm.ExpiresAt, want.Add(time.Hour)},
			{"audit at", ge.At, want},
			{"delivery sent", gd.SentAt, want},
			{"timer due", gt.DueAt, want},
			{"watch polled", gs.LastPollAt, want},
		} {
			if c.got != c.want || c.got.Location() != time.UTC {
				t.Errorf("%s = %v; want %v (UTC, microseconds)", c.name, c.got, c.want)
			}
		}
		if !gm.EndedAt.IsZero() {
			t.Errorf("zero EndedAt came back as %v", gm.EndedAt)
		}
		return nil
	})
}
