package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

var timerTests = []test{
	{"InsertSchedulesJob", testTimerInsert},
	{"GetUpdateAndNotFound", testTimerUpdate},
	{"CancelByAlertAndKind", testCancelTimersAlert},
	{"CancelByMute", testCancelTimersMute},
	{"PendingSoonestFirst", testPendingTimers},
}

func newTimer(kind alerts.TimerKind, alertID, muteID int64, due int) *alerts.Timer {
	return &alerts.Timer{Kind: kind, AlertID: alertID, MuteID: muteID, DueAt: at(due)}
}

// insertTimers stores ts in one transaction.
func (e *env) insertTimers(ts ...*alerts.Timer) {
	e.t.Helper()
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for _, tm := range ts {
			if err := tx.InsertTimer(ctx, tm); err != nil {
				return err
			}
		}
		return nil
	})
}

func testTimerInsert(t *testing.T, e *env) {
	a := newTimer(alerts.TimerEscalate, 1, 0, 5)
	a.Step = 1
	b := newTimer(alerts.TimerMuteExpired, 0, 2, 60)
	e.insertTimers(a, b)
	if a.ID != 1 || b.ID != 2 {
		t.Errorf("timer IDs = %d, %d; want 1, 2", a.ID, b.ID)
	}
	if a.State != alerts.TimerPending {
		t.Errorf("State = %q; want pending", a.State)
	}
	if a.JobID != firstJobID || b.JobID != firstJobID+1 {
		t.Errorf("job IDs = %d, %d; want %d, %d", a.JobID, b.JobID, firstJobID, firstJobID+1)
	}
	equal(t, "timers scheduled", e.jobs.Scheduled(), []int64{1, 2})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Timer(ctx, a.ID)
		if err != nil {
			return err
		}
		equal(t, "stored timer", got, a)
		return nil
	})
}

func testTimerUpdate(t *testing.T, e *env) {
	tm := newTimer(alerts.TimerEscalate, 1, 0, 5)
	e.insertTimers(tm)
	tm.State = alerts.TimerDone
	tm.Step = 3
	tm.DueAt = at(50)
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.UpdateTimer(ctx, tm) })
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.Timer(ctx, tm.ID)
		if err != nil {
			return err
		}
		equal(t, "timer after update", got, tm)
		if _, err := tx.Timer(ctx, 99); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("Timer(99) error = %v; want ErrNotFound", err)
		}
		return nil
	})
	err := e.s.Update(e.ctx(), func(tx alerts.Tx) error {
		return tx.UpdateTimer(e.ctx(), &alerts.Timer{ID: 99, State: alerts.TimerDone})
	})
	if !errors.Is(err, alerts.ErrNotFound) {
		t.Errorf("UpdateTimer(99) error = %v; want ErrNotFound", err)
	}
}

// states returns each timer's state by id.
func (e *env) timerStates(ids ...int64) []alerts.TimerState {
	e.t.Helper()
	var out []alerts.TimerState
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		for _, id := range ids {
			tm, err := tx.Timer(ctx, id)
			if err != nil {
				return err
			}
			out = append(out, tm.State)
		}
		return nil
	})
	return out
}

func testCancelTimersAlert(t *testing.T, e *env) {
	const (
		p = alerts.TimerPending
		c = alerts.TimerCancelled
		d = alerts.TimerDone
	)
	done := newTimer(alerts.TimerEscalate, 1, 0, 1)
	done.State = d
	e.insertTimers(
		newTimer(alerts.TimerEscalate, 1, 0, 5),      // 1: cancelled
		newTimer(alerts.TimerEscalate, 1, 0, 10),     // 2: cancelled
		newTimer(alerts.TimerMuteExpiring, 1, 3, 20), // 3: other kind, kept
		newTimer(alerts.TimerEscalate, 2, 0, 5),      // 4: other alert, kept
		done,                                         // 5: not pending, kept
	)
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		return tx.CancelTimers(ctx, 1, 0, alerts.TimerEscalate)
	})
	equal(t, "states", e.timerStates(1, 2, 3, 4, 5), []alerts.TimerState{c, c, p, p, d})
	equal(t, "jobs cancelled", e.jobs.Cancelled(), []int64{firstJobID, firstJobID + 1})

	// No kinds cancels every kind; cancelling again changes nothing.
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.CancelTimers(ctx, 1, 0) })
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.CancelTimers(ctx, 1, 0) })
	equal(t, "states after cancelling all kinds", e.timerStates(1, 2, 3, 4, 5), []alerts.TimerState{c, c, c, p, d})
	equal(t, "jobs cancelled", e.jobs.Cancelled(), []int64{firstJobID, firstJobID + 1, firstJobID + 2})
}

func testCancelTimersMute(t *testing.T, e *env) {
	e.insertTimers(
		newTimer(alerts.TimerMuteExpiring, 0, 7, 5),
		newTimer(alerts.TimerMuteExpired, 0, 7, 10),
		newTimer(alerts.TimerMuteExpired, 0, 8, 10),
	)
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		return tx.CancelTimers(ctx, 0, 7, alerts.TimerMuteExpiring, alerts.TimerMuteExpired)
	})
	equal(t, "states", e.timerStates(1, 2, 3),
		[]alerts.TimerState{alerts.TimerCancelled, alerts.TimerCancelled, alerts.TimerPending})
	equal(t, "jobs cancelled", e.jobs.Cancelled(), []int64{firstJobID, firstJobID + 1})
}

func testPendingTimers(t *testing.T, e *env) {
	late := newTimer(alerts.TimerEscalate, 1, 0, 30)
	soon := newTimer(alerts.TimerEscalate, 2, 0, 5)
	done := newTimer(alerts.TimerEscalate, 3, 0, 1)
	done.State = alerts.TimerDone
	mid := newTimer(alerts.TimerMuteExpired, 0, 1, 10)
	e.insertTimers(late, soon, done, mid)
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.PendingTimers(ctx)
		if err != nil {
			return err
		}
		equal(t, "PendingTimers", got, []*alerts.Timer{soon, mid, late})
		return nil
	})
}
