package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

var alertTests = []test{
	{"IDsStartAtOneAndIncrease", testAlertIDs},
	{"GetIncludesPostEvidenceHits", testAlertGet},
	{"GetMissingIsNotFound", testAlertNotFound},
	{"SameChainConflictsAndTxGoesOn", testAlertConflict},
	{"InsertStoresPostWithoutKey", testAlertStoresPost},
	{"UpdateWritesMutableFields", testAlertUpdate},
	{"UpdateMissingIsNotFound", testAlertUpdateMissing},
	{"ListFilters", testAlertsFilter},
	{"CountByStateWithoutMuted", testCountAlerts},
}

func testAlertIDs(t *testing.T, e *env) {
	for i, id := range []string{"1", "2", "3"} {
		a := e.putAlert("w", id, at(i))
		if want := int64(i + 1); a.ID != want {
			t.Errorf("alert %d: ID = %d; want %d", i, a.ID, want)
		}
	}
}

func testAlertGet(t *testing.T, e *env) {
	want := e.putAlert("w", "1", base)
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Alert(ctx, want.ID)
		if err != nil {
			return err
		}
		equal(t, "Alert", got, want)
		return nil
	})
}

func testAlertNotFound(t *testing.T, e *env) {
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		if _, err := tx.Alert(ctx, 42); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("Alert(42) error = %v; want ErrNotFound", err)
		}
		return nil
	})
}

func testAlertConflict(t *testing.T, e *env) {
	first := e.putAlert("w", "300", base)
	edit := newPost("mastodon", "301", at(1))
	edit.FirstID = "300"
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		key, err := tx.PutPost(ctx, &edit, alerts.NewEvidence(edit.Raw, at(1)))
		if err != nil {
			return err
		}
		dup := &alerts.Alert{Watch: "w", State: alerts.StateOpen, PostKey: key, CreatedAt: at(1)}
		if err := tx.InsertAlert(ctx, dup); !errors.Is(err, alerts.ErrConflict) {
			t.Errorf("second alert on the chain: error = %v; want ErrConflict", err)
		}
		// The transaction must still be usable: on PostgreSQL a failed
		// statement would abort it.
		other := &alerts.Alert{Watch: "other", State: alerts.StateOpen, PostKey: key, CreatedAt: at(1)}
		return tx.InsertAlert(ctx, other)
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		list, err := tx.Alerts(ctx, alerts.AlertFilter{IncludeMuted: true})
		if err != nil {
			return err
		}
		if len(list) != 2 || list[1].ID != first.ID || list[0].Watch != "other" {
			t.Errorf("alerts after conflict = %s; want the first alert and the other watch's", show(list))
		}
		return nil
	})
}

func testAlertStoresPost(t *testing.T, e *env) {
	p := newPost("reddit", "t3_abc", base)
	a := &alerts.Alert{Watch: "w", State: alerts.StateOpen, Post: p, Evidence: alerts.NewEvidence(p.Raw, base), CreatedAt: base}
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.InsertAlert(ctx, a) })
	if a.PostKey == 0 {
		t.Fatal("InsertAlert left PostKey zero")
	}
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Alert(ctx, a.ID)
		if err != nil {
			return err
		}
		equal(t, "Alert.Post", got.Post, p)
		equal(t, "Alert.Evidence", got.Evidence, a.Evidence)
		return nil
	})
}

func testAlertUpdate(t *testing.T, e *env) {
	a := e.putAlert("w", "1", base)
	a.Severity = alerts.SeverityCritical
	a.Route = "night"
	a.State = alerts.StateEscalated
	a.Muted = true
	a.MuteID = 7
	a.Hits = []alerts.Hit{{Term: "of", Start: 5, End: 7}, {Term: "1", Start: 8, End: 9}}
	a.Assignee = "slack:U1"
	a.LastActor = "slack:U2"
	a.LastAction = alerts.ActionEscalate
	a.LastReason = "no answer — 無回答"
	a.EscalatedTo = "discord:role:42"
	a.EscalationStep = 2
	a.UpdatedAt = at(30)
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.UpdateAlert(ctx, a) })
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Alert(ctx, a.ID)
		if err != nil {
			return err
		}
		equal(t, "Alert after update", got, a)
		return nil
	})
}

func testAlertUpdateMissing(t *testing.T, e *env) {
	err := e.s.Update(e.ctx(), func(tx alerts.Tx) error {
		return tx.UpdateAlert(e.ctx(), &alerts.Alert{ID: 99, State: alerts.StateAcked})
	})
	if !errors.Is(err, alerts.ErrNotFound) {
		t.Errorf("UpdateAlert(A-99) error = %v; want ErrNotFound", err)
	}
}

func testAlertsFilter(t *testing.T, e *env) {
	// Alerts 1..5, one minute apart; 2 acked, 3 resolved, 4 muted, 5 on
	// another watch.
	for i := range 5 {
		watch := "w"
		if i == 4 {
			watch = "v"
		}
		e.putAlert(watch, string(rune('a'+i)), at(i))
	}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for id, change := range map[int64]func(*alerts.Alert){
			2: func(a *alerts.Alert) { a.State = alerts.StateAcked },
			3: func(a *alerts.Alert) { a.State = alerts.StateResolved },
			4: func(a *alerts.Alert) { a.Muted, a.MuteID = true, 1 },
		} {
			a, err := tx.Alert(ctx, id)
			if err != nil {
				return err
			}
			change(a)
			if err := tx.UpdateAlert(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		name string
		f    alerts.AlertFilter
		want []int64
	}{
		{"all unmuted, newest first", alerts.AlertFilter{}, []int64{5, 3, 2, 1}},
		{"muted too", alerts.AlertFilter{IncludeMuted: true}, []int64{5, 4, 3, 2, 1}},
		{"one state", alerts.AlertFilter{States: []alerts.State{alerts.StateOpen}}, []int64{5, 1}},
		{"two states", alerts.AlertFilter{States: []alerts.State{alerts.StateAcked, alerts.StateResolved}}, []int64{3, 2}},
		{"watch", alerts.AlertFilter{Watch: "v"}, []int64{5}},
		{"since inclusive", alerts.AlertFilter{Since: at(2), IncludeMuted: true}, []int64{5, 4, 3}},
		{"until exclusive", alerts.AlertFilter{Until: at(2)}, []int64{2, 1}},
		{"since and until", alerts.AlertFilter{Since: at(1), Until: at(4), IncludeMuted: true}, []int64{4, 3, 2}},
		{"limit", alerts.AlertFilter{Limit: 2}, []int64{5, 3}},
		{"nothing", alerts.AlertFilter{Watch: "none"}, []int64{}},
	}
	for _, c := range cases {
		e.view(func(ctx context.Context, tx alerts.Tx) error {
			list, err := tx.Alerts(ctx, c.f)
			if err != nil {
				return err
			}
			got := []int64{}
			for _, a := range list {
				got = append(got, a.ID)
			}
			equal(t, c.name, got, c.want)
			return nil
		})
	}
}

func testCountAlerts(t *testing.T, e *env) {
	for i := range 4 {
		e.putAlert("w", string(rune('a'+i)), at(i))
	}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		a, err := tx.Alert(ctx, 1)
		if err != nil {
			return err
		}
		a.State = alerts.StateAcked
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return err
		}
		m, err := tx.Alert(ctx, 2)
		if err != nil {
			return err
		}
		m.Muted = true
		return tx.UpdateAlert(ctx, m)
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.CountAlerts(ctx)
		if err != nil {
			return err
		}
		equal(t, "CountAlerts", got, map[alerts.State]int{alerts.StateOpen: 2, alerts.StateAcked: 1})
		return nil
	})
}
