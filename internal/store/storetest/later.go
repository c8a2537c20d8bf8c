package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// laterTests cover what the store gained after the first schema: grouped
// cards, deletions and edits of posts, mute notify lists, watch health and
// account cadence.
var laterTests = []test{
	{"GroupedCards", testGroupedCards},
	{"PostDeletedMarksChain", testMarkPostDeleted},
	{"AlertShowsLatestVersion", testAlertLatest},
	{"MuteNotifyRoundTrip", testMuteNotify},
	{"WatchStateNextPollAndSeenSince", testWatchHealth},
	{"AccountActivity", testActivity},
	{"BudgetsLatestReading", testBudgets},
	{"ReplicaHeartbeats", testReplicas},
	{"PendingBeforeSkipsOpenGroups", testPendingBeforeSkipsOpenGroups},
}

func testGroupedCards(t *testing.T, e *env) {
	a1, a2, a3 := e.putAlert("w", "1", at(0)), e.putAlert("w", "2", at(1)), e.putAlert("other", "3", at(1))
	g1 := newDelivery(a1.ID, "slack:C1", at(0))
	g2 := newDelivery(a2.ID, "slack:C1", at(1))
	late := newDelivery(a2.ID, "slack:C1", at(5))
	elsewhere := newDelivery(a2.ID, "slack:C2", at(1))
	otherGroup := newDelivery(a3.ID, "slack:C1", at(1))
	for _, d := range []*alerts.Delivery{g1, g2, late, elsewhere} {
		d.Group = "w"
	}
	otherGroup.Group = "other"
	e.insertDeliveries(g1, g2, late, elsewhere, otherGroup)
	var pending []*alerts.Delivery
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		pending, err = tx.GroupPending(ctx, "slack:C1", "w", at(2))
		return err
	})
	if len(pending) != 2 || pending[0].ID != g1.ID || pending[1].ID != g2.ID || pending[0].Group != "w" {
		t.Fatalf("GroupPending: got %d cards; want the two of group w to slack:C1 before the window closed, oldest first", len(pending))
	}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for _, d := range pending {
			d.State, d.GroupID, d.MessageRef = alerts.DeliverySent, g1.ID, "C1/1.0"
			if err := tx.UpdateDelivery(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		members, err := tx.GroupMembers(ctx, g1.ID)
		if err != nil {
			return err
		}
		if len(members) != 2 || members[1].ID != g2.ID || members[1].GroupID != g1.ID {
			t.Errorf("GroupMembers: got %d; want both cards the grouped message carried", len(members))
		}
		left, err := tx.GroupPending(ctx, "slack:C1", "w", at(10))
		if len(left) != 1 || left[0].ID != late.ID {
			t.Errorf("GroupPending after sending: got %d; want only the late card", len(left))
		}
		return err
	})
}

func testMarkPostDeleted(t *testing.T, e *env) {
	a := e.putAlert("w", "10", at(0))
	b := e.putAlert("w2", "10", at(0)) // the same post alerted on another watch
	when := at(30)
	var ids []int64
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		if ids, err = tx.MarkPostDeleted(ctx, "mastodon", "10", when, "deleted by author"); err != nil {
			return err
		}
		// A second report keeps the first time.
		_, err = tx.MarkPostDeleted(ctx, "mastodon", "10", at(60), "removed")
		return err
	})
	if len(ids) != 2 || ids[0] != a.ID || ids[1] != b.ID {
		t.Fatalf("MarkPostDeleted: got alerts %v; want [%d %d]", ids, a.ID, b.ID)
	}
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Alert(ctx, a.ID)
		if err != nil {
			return err
		}
		equal(t, "deleted at", got.Post.DeletedAt, when)
		equal(t, "deleted reason", got.Post.DeletedReason, "deleted by author")
		equal(t, "evidence kept", got.Evidence.SHA256, a.Evidence.SHA256)
		chain, err := tx.ChainAlerts(ctx, "mastodon", "10")
		equal(t, "chain alerts", chain, []int64{a.ID, b.ID})
		return err
	})
}

func testAlertLatest(t *testing.T, e *env) {
	a := e.putAlert("w", "20", at(0))
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Alert(ctx, a.ID)
		if got != nil && got.Latest != nil {
			t.Errorf("Latest before any edit: got %+v; want nil", got.Latest)
		}
		return err
	})
	edit := newPost("mastodon", "21", at(5))
	edit.FirstID, edit.Text, edit.PreviousHandle = "20", "edited text", "@old"
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		_, err := tx.PutPost(ctx, &edit, alerts.NewEvidence(edit.Raw, at(5)))
		return err
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Alert(ctx, a.ID)
		if err != nil {
			return err
		}
		if got.Latest == nil || got.Latest.Text != "edited text" || got.Latest.PreviousHandle != "@old" || got.Post.Text != a.Post.Text {
			t.Errorf("after an edit: latest %+v, post %q; want the edit beside the version that alerted", got.Latest, got.Post.Text)
		}
		return nil
	})
}

func testMuteNotify(t *testing.T, e *env) {
	m := newMute(alerts.ScopeAccount, base, time.Hour)
	m.Notify = []alerts.Destination{"slack:C9", "discord:7"}
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.InsertMute(ctx, m) })
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Mute(ctx, m.ID)
		if err == nil {
			equal(t, "notify", got.Notify, m.Notify)
		}
		return err
	})
}

func testWatchHealth(t *testing.T, e *env) {
	st := &alerts.WatchState{Watch: "w", Cursor: "c", NextPollAt: at(5)}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		if err := tx.PutWatchState(ctx, st); err != nil {
			return err
		}
		for i, when := range []time.Time{at(-2000), at(-10), at(0)} {
			if err := tx.MarkSeen(ctx, "w", "x", string(rune('a'+i)), when); err != nil {
				return err
			}
		}
		return tx.MarkSeen(ctx, "other", "x", "z", at(0))
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.WatchState(ctx, "w")
		if err != nil {
			return err
		}
		equal(t, "next poll", got.NextPollAt, at(5))
		n, err := tx.SeenSince(ctx, "w", at(-24*60))
		equal(t, "seen in the last day", n, 2)
		return err
	})
}

func testActivity(t *testing.T, e *env) {
	a := &alerts.AccountActivity{Watch: "w", Account: "@a", LastPostAt: at(0), Since: at(-60), Posts: 3, MeanGap: 90 * time.Minute}
	b := &alerts.AccountActivity{Watch: "w", Account: "@b", LastPostAt: at(1), Since: at(-60), Posts: 1}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		if err := tx.PutActivity(ctx, a); err != nil {
			return err
		}
		if err := tx.PutActivity(ctx, b); err != nil {
			return err
		}
		a.Posts, a.SilentNotified = 4, true
		return tx.PutActivity(ctx, a) // upsert
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Activity(ctx, "w")
		if err != nil {
			return err
		}
		if len(got) != 2 {
			t.Fatalf("Activity: got %d rows; want 2", len(got))
		}
		equal(t, "activity", *got[0], *a)
		equal(t, "activity", *got[1], *b)
		return nil
	})
}

func testBudgets(t *testing.T, e *env) {
	b := &alerts.Budget{Name: "x:app:search", Limit: 450, Remaining: 12, Reset: at(15), UpdatedAt: at(0)}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		if err := tx.PutBudget(ctx, &alerts.Budget{Name: "x:app:search", Limit: 450, Remaining: 400, UpdatedAt: at(-5)}); err != nil {
			return err
		}
		return tx.PutBudget(ctx, b)
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Budgets(ctx)
		if err == nil && (len(got) != 1 || *got[0] != *b) {
			t.Errorf("Budgets: got %v; want the latest reading only", got)
		}
		return err
	})
}

func testReplicas(t *testing.T, e *env) {
	r := &alerts.Replica{ID: "host-a:123", Host: "host-a", PID: 123, Version: "v1", StartedAt: at(0), SeenAt: at(1), Holds: []string{"bluesky:stream"}}
	old := &alerts.Replica{ID: "host-b:9", Host: "host-b", PID: 9, StartedAt: at(-60), SeenAt: at(-30)}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		if err := tx.PutReplica(ctx, old); err != nil {
			return err
		}
		if err := tx.PutReplica(ctx, &alerts.Replica{ID: r.ID, SeenAt: at(0)}); err != nil {
			return err
		}
		return tx.PutReplica(ctx, r) // the latest heartbeat wins
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Replicas(ctx, at(-2))
		if err == nil {
			if len(got) != 1 {
				t.Fatalf("Replicas: got %d; want only the one seen recently", len(got))
			}
			equal(t, "replica", *got[0], *r)
		}
		return err
	})
}

func testPendingBeforeSkipsOpenGroups(t *testing.T, e *env) {
	a := e.putAlert("w", "30", at(0))
	grouped := newDelivery(a.ID, "slack:C1", at(0))
	grouped.Group = "w"
	sameGroup := newDelivery(a.ID, "slack:C1", at(1))
	sameGroup.Group = "w"
	other := newDelivery(a.ID, "slack:C1", at(1))
	e.insertDeliveries(grouped, sameGroup, other)
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		for _, c := range []struct {
			name      string
			d         *alerts.Delivery
			openSince time.Time
			want      bool
		}{
			{"another row while the group's window is open", other, at(-5), false},
			{"another row once the group's window closed", other, at(5), true},
			{"a card of the same group", sameGroup, at(-5), true},
		} {
			got, err := tx.PendingBefore(ctx, c.d, c.openSince)
			if err != nil {
				return err
			}
			if got != c.want {
				t.Errorf("%s: PendingBefore = %v; want %v", c.name, got, c.want)
			}
		}
		return nil
	})
}
