package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

var watchTests = []test{
	{"InsertListByName", testWatches},
	{"DuplicateNameConflicts", testWatchConflict},
	{"DeleteRemovesState", testWatchDelete},
	{"StateZeroWhenAbsent", testWatchStateZero},
	{"PutStateUpserts", testPutWatchState},
}

func newWatch(name string) *alerts.Watch {
	return &alerts.Watch{
		Name:      name,
		Source:    "mastodon",
		Accounts:  []string{"@a@example.social", "@b@example.social"},
		Keywords:  []string{`"día de"`, "#alerta"},
		Interval:  90 * time.Second,
		Severity:  alerts.SeverityHigh,
		Route:     "ops",
		Backfill:  true,
		Enabled:   true,
		Origin:    alerts.OriginStore,
		CreatedBy: "slack:U1",
		CreatedAt: base,
	}
}

func testWatches(t *testing.T, e *env) {
	b, a, c := newWatch("bravo"), newWatch("alpha"), newWatch("charlie")
	c.Accounts, c.Backfill, c.Enabled = nil, false, false
	c.Origin = ""
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for _, w := range []*alerts.Watch{b, a, c} {
			if err := tx.InsertWatch(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if c.Origin != alerts.OriginStore {
		t.Errorf("Origin = %q; want %q when empty", c.Origin, alerts.OriginStore)
	}
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Watches(ctx)
		if err != nil {
			return err
		}
		equal(t, "Watches", got, []*alerts.Watch{a, b, c})
		return nil
	})
}

func testWatchConflict(t *testing.T, e *env) {
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.InsertWatch(ctx, newWatch("w")) })
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		dup := newWatch("w")
		dup.Source = "x"
		if err := tx.InsertWatch(ctx, dup); !errors.Is(err, alerts.ErrConflict) {
			t.Errorf("duplicate name: error = %v; want ErrConflict", err)
		}
		return tx.InsertWatch(ctx, newWatch("v"))
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Watches(ctx)
		if err != nil {
			return err
		}
		if len(got) != 2 || got[1].Source != "mastodon" {
			t.Errorf("Watches = %s; want v and the first w", show(got))
		}
		return nil
	})
}

func testWatchDelete(t *testing.T, e *env) {
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		if err := tx.InsertWatch(ctx, newWatch("w")); err != nil {
			return err
		}
		return tx.PutWatchState(ctx, &alerts.WatchState{Watch: "w", Cursor: "c1", Baselined: true})
	})
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.DeleteWatch(ctx, "w") })
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		ws, err := tx.Watches(ctx)
		if err != nil {
			return err
		}
		if len(ws) != 0 {
			t.Errorf("Watches after delete = %s; want none", show(ws))
		}
		st, err := tx.WatchState(ctx, "w")
		if err != nil {
			return err
		}
		equal(t, "state after delete", st, &alerts.WatchState{Watch: "w"})
		return nil
	})
	err := e.s.Update(e.ctx(), func(tx alerts.Tx) error { return tx.DeleteWatch(e.ctx(), "w") })
	if !errors.Is(err, alerts.ErrNotFound) {
		t.Errorf("deleting a missing watch: error = %v; want ErrNotFound", err)
	}
}

func testWatchStateZero(t *testing.T, e *env) {
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.WatchState(ctx, "never-polled")
		if err != nil {
			return err
		}
		equal(t, "WatchState", got, &alerts.WatchState{Watch: "never-polled"})
		all, err := tx.WatchStates(ctx)
		if err != nil {
			return err
		}
		if len(all) != 0 {
			t.Errorf("WatchStates = %s; want none", show(all))
		}
		return nil
	})
}

func testPutWatchState(t *testing.T, e *env) {
	first := &alerts.WatchState{Watch: "w", Cursor: "since_id=1", Baselined: true, LastPollAt: base, LastOKAt: base}
	second := &alerts.WatchState{
		Watch: "w", Cursor: "since_id=2", Baselined: true, Failures: 3,
		LastError: "503 from upstream", LastPollAt: at(5), LastOKAt: base, Unhealthy: true,
	}
	other := &alerts.WatchState{Watch: "a", Cursor: "x"}
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.PutWatchState(ctx, first) })
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		if err := tx.PutWatchState(ctx, second); err != nil {
			return err
		}
		return tx.PutWatchState(ctx, other)
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.WatchState(ctx, "w")
		if err != nil {
			return err
		}
		equal(t, "WatchState(w)", got, second)
		all, err := tx.WatchStates(ctx)
		if err != nil {
			return err
		}
		equal(t, "WatchStates", all, []*alerts.WatchState{other, second})
		return nil
	})
}
