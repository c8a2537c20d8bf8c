package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

var auditTests = []test{
	{"InsertAndGetByAction", testAuditRoundTrip},
	{"DuplicateActionConflictsAndTxGoesOn", testAuditDuplicate},
	{"ByActionMissingIsNotFound", testAuditNotFound},
	{"HistoryOldestFirst", testHistory},
}

func newEvent(actionID string, alertID int64, a alerts.Action, when int) *alerts.AuditEvent {
	return &alerts.AuditEvent{
		ActionID: actionID,
		AlertID:  alertID,
		Action:   a,
		Actor:    "slack:U1",
		Source:   alerts.SourceSlack,
		From:     alerts.StateOpen,
		To:       alerts.StateAcked,
		Detail:   "détail",
		At:       at(when),
	}
}

func testAuditRoundTrip(t *testing.T, e *env) {
	ev := newEvent("slack:abc", 3, alerts.ActionAck, 0)
	ev.MuteID = 4
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.InsertAudit(ctx, ev) })
	if ev.ID != 1 {
		t.Errorf("first event ID = %d; want 1", ev.ID)
	}
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.AuditByAction(ctx, "slack:abc")
		if err != nil {
			return err
		}
		equal(t, "AuditByAction", got, ev)
		return nil
	})
}

func testAuditDuplicate(t *testing.T, e *env) {
	first := newEvent("act-1", 1, alerts.ActionAck, 0)
	e.update(func(ctx context.Context, tx alerts.Tx) error { return tx.InsertAudit(ctx, first) })
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		dup := newEvent("act-1", 1, alerts.ActionResolve, 1)
		if err := tx.InsertAudit(ctx, dup); !errors.Is(err, alerts.ErrConflict) {
			t.Errorf("duplicate action: error = %v; want ErrConflict", err)
		}
		// A refused duplicate must leave the transaction usable.
		return tx.InsertAudit(ctx, newEvent("act-2", 1, alerts.ActionNote, 2))
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		got, err := tx.AuditByAction(ctx, "act-1")
		if err != nil {
			return err
		}
		equal(t, "first event", got, first)
		h, err := tx.History(ctx, 1)
		if err != nil {
			return err
		}
		if len(h) != 2 {
			t.Errorf("history has %d events; want 2 (act-1, act-2)", len(h))
		}
		return nil
	})
}

func testAuditNotFound(t *testing.T, e *env) {
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		if _, err := tx.AuditByAction(ctx, "nope"); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("AuditByAction(nope) error = %v; want ErrNotFound", err)
		}
		return nil
	})
}

func testHistory(t *testing.T, e *env) {
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for _, ev := range []*alerts.AuditEvent{
			newEvent("a", 1, alerts.ActionCreate, 0),
			newEvent("b", 2, alerts.ActionCreate, 1),
			newEvent("c", 1, alerts.ActionAck, 2),
			newEvent("d", 1, alerts.ActionResolve, 3),
		} {
			if err := tx.InsertAudit(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		h, err := tx.History(ctx, 1)
		if err != nil {
			return err
		}
		got := []string{}
		for _, ev := range h {
			got = append(got, ev.ActionID)
		}
		equal(t, "History(A-1)", got, []string{"a", "c", "d"})
		none, err := tx.History(ctx, 9)
		if err != nil {
			return err
		}
		if len(none) != 0 {
			t.Errorf("History(A-9) = %s; want none", show(none))
		}
		return nil
	})
}
