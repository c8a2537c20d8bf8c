package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

var muteTests = []test{
	{"InsertGetUpdate", testMuteRoundTrip},
	{"GetMissingIsNotFound", testMuteNotFound},
	{"ListInForceOrAll", testMutesList},
}

func newMute(scope alerts.MuteScope, created time.Time, d time.Duration) *alerts.Mute {
	return &alerts.Mute{
		Scope:     scope,
		Account:   "@spammer",
		Keyword:   "giveaway",
		Reason:    "noise — Lärm",
		CreatedBy: "slack:U1",
		CreatedAt: created,
		ExpiresAt: created.Add(d),
	}
}

func testMuteRoundTrip(t *testing.T, e *env) {
	m := newMute(alerts.ScopeAccountKeyword, base, time.Hour)
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.InsertMute(ctx, m) })
	if m.ID != 1 {
		t.Errorf("first mute ID = %d; want 1", m.ID)
	}
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Mute(ctx, m.ID)
		if err != nil {
			return err
		}
		equal(t, "Mute", got, m)
		return nil
	})
	m.Ended = true
	m.EndedAt = at(10)
	m.ExpiresAt = at(20)
	m.Reason = "lifted"
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.UpdateMute(ctx, m) })
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Mute(ctx, m.ID)
		if err != nil {
			return err
		}
		equal(t, "Mute after update", got, m)
		return nil
	})
}

func testMuteNotFound(t *testing.T, e *env) {
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		if _, err := tx.Mute(ctx, 5); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("Mute(5) error = %v; want ErrNotFound", err)
		}
		return nil
	})
	err := e.s.Update(e.ctx(), func(tx alerts.Tx) error { return tx.UpdateMute(e.ctx(), &alerts.Mute{ID: 5}) })
	if !errors.Is(err, alerts.ErrNotFound) {
		t.Errorf("UpdateMute(M-5) error = %v; want ErrNotFound", err)
	}
}

func testMutesList(t *testing.T, e *env) {
	// 1 expires at +60, 2 at +10, 3 ended, 4 at +120.
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for i, m := range []*alerts.Mute{
			newMute(alerts.ScopeAccount, base, time.Hour),
			newMute(alerts.ScopeKeyword, base, 10*time.Minute),
			{Scope: alerts.ScopeWatch, Watch: "w", CreatedAt: base, ExpiresAt: at(60), Ended: true, EndedAt: at(1)},
			newMute(alerts.ScopeAccount, base, 2*time.Hour),
		} {
			if err := tx.InsertMute(ctx, m); err != nil {
				return err
			}
			if m.ID != int64(i+1) {
				t.Errorf("mute %d: ID = %d; want %d", i, m.ID, i+1)
			}
		}
		return nil
	})
	cases := []struct {
		name string
		at   time.Time
		all  bool
		want []int64
	}{
		{"in force now", at(0), false, []int64{1, 2, 4}},
		{"expiry is exclusive", at(10), false, []int64{1, 4}},
		{"later", at(61), false, []int64{4}},
		{"all expired", at(500), false, []int64{}},
		{"all", at(500), true, []int64{1, 2, 3, 4}},
	}
	for _, c := range cases {
		e.view(func(ctx context.Context, tx alerts.Tx) error {
			list, err := tx.Mutes(ctx, c.at, c.all)
			if err != nil {
				return err
			}
			got := []int64{}
			for _, m := range list {
				got = append(got, m.ID)
			}
			equal(t, c.name, got, c.want)
			return nil
		})
	}
}
