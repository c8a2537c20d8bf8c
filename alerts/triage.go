package alerts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Request asks for one triage action on one alert.
type Request struct {
	// ActionID makes the action idempotent: a Slack retry, a double click
	// or a second replica handling the same interaction carry the same id
	// and apply once. Required.
	ActionID string
	Alert    int64
	Action   Action
	Actor    string
	Source   Source
	// Reason is free text for escalate, resolve and note (the note itself).
	Reason string
	// Target is the assignee for assign and who to escalate to.
	Target string
}

// Result is what a triage action did.
type Result struct {
	Alert *Alert
	Event *AuditEvent
	// Duplicate is set when the action id had already been applied; Alert
	// is then the alert as it is now, and nothing changed.
	Duplicate bool
}

// Apply performs a triage action: ack, unack, escalate, resolve, reopen,
// assign or note. A stale action (acking a resolved alert) is refused with
// a *StaleError; an action id already applied returns the earlier outcome
// with Duplicate set. On success the audit event, the cancelled or newly
// scheduled escalation timers and an edit of every posted card are written
// in the same transaction as the new state.
func (s *Service) Apply(ctx context.Context, r Request) (*Result, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var res *Result
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		res, err = s.apply(ctx, tx, r)
		return err
	})
	if errors.Is(err, errDuplicate) {
		return s.duplicate(ctx, r)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Action, FormatRef(r.Alert), err)
	}
	return res, nil
}

func (r *Request) check() error {
	switch {
	case r.ActionID == "":
		return fmt.Errorf("%w: action id is required", ErrInvalid)
	case r.Actor == "":
		return fmt.Errorf("%w: actor is required", ErrInvalid)
	case r.Alert <= 0:
		return fmt.Errorf("%w: alert id is required", ErrInvalid)
	case r.Action == ActionAssign && r.Target == "":
		return fmt.Errorf("%w: assign needs someone to assign to", ErrInvalid)
	case r.Action == ActionNote && strings.TrimSpace(r.Reason) == "":
		return fmt.Errorf("%w: a note needs text", ErrInvalid)
	}
	switch r.Action {
	case ActionAck, ActionUnack, ActionEscalate, ActionResolve, ActionReopen, ActionAssign, ActionNote:
		return nil
	}
	return fmt.Errorf("%w: %q is not a triage action", ErrInvalid, r.Action)
}

// duplicate answers a repeated action id with the alert as it is now.
func (s *Service) duplicate(ctx context.Context, r Request) (*Result, error) {
	res := &Result{Duplicate: true}
	err := s.store.View(ctx, func(tx Tx) error {
		ev, err := tx.AuditByAction(ctx, r.ActionID)
		if err != nil {
			return err
		}
		a, err := tx.Alert(ctx, ev.AlertID)
		if err != nil {
			return err
		}
		res.Event, res.Alert = ev, a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: look up earlier action: %w", r.Action, FormatRef(r.Alert), err)
	}
	return res, nil
}

func (s *Service) apply(ctx context.Context, tx Tx, r Request) (*Result, error) {
	if _, err := tx.AuditByAction(ctx, r.ActionID); err == nil {
		return nil, errDuplicate
	} else if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("check action id: %w", err)
	}
	a, err := tx.Alert(ctx, r.Alert)
	if err != nil {
		return nil, err
	}
	from := a.State
	to, ok := Next(from, r.Action)
	if !ok {
		return nil, &StaleError{Alert: a.Ref(), Action: r.Action, State: from, By: a.LastActor}
	}
	now := s.Now()
	switch r.Action {
	case ActionAssign:
		a.Assignee = r.Target
	case ActionEscalate:
		a.EscalatedTo = r.Target
	}
	if r.Action != ActionNote {
		a.State = to
		a.LastActor, a.LastAction, a.LastReason = r.Actor, r.Action, r.Reason
		a.UpdatedAt = now
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return nil, fmt.Errorf("update alert: %w", err)
		}
	}
	ev := &AuditEvent{
		ActionID: r.ActionID, AlertID: a.ID, Action: r.Action, Actor: r.Actor, Source: r.Source,
		From: from, To: to, Detail: r.detail(), At: now,
	}
	if err := record(ctx, tx, ev); err != nil {
		return nil, err
	}
	if err := s.afterTransition(ctx, tx, a, r, now); err != nil {
		return nil, err
	}
	return &Result{Alert: a, Event: ev}, nil
}

// afterTransition keeps timers and cards in step with the new state.
func (s *Service) afterTransition(ctx context.Context, tx Tx, a *Alert, r Request, now time.Time) error {
	switch r.Action {
	case ActionAck, ActionResolve:
		// Cancelled inside the same transaction: an ack that commits can
		// never be followed by the escalation it stopped.
		if err := tx.CancelTimers(ctx, a.ID, 0, TimerEscalate); err != nil {
			return fmt.Errorf("cancel escalation: %w", err)
		}
	case ActionUnack, ActionReopen:
		a.EscalationStep = 0
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return fmt.Errorf("update alert: %w", err)
		}
		if !a.Muted {
			if err := s.scheduleEscalation(ctx, tx, a, 0, now); err != nil {
				return err
			}
		}
	case ActionEscalate:
		if err := s.escalateNow(ctx, tx, a, r.Actor, r.Target, r.Reason); err != nil {
			return err
		}
	case ActionNote:
		// A note changes nothing on the card; it is in the history.
		return nil
	}
	return s.editCards(ctx, tx, a.ID)
}

func (r *Request) detail() string {
	switch {
	case r.Action == ActionAssign:
		return "to " + r.Target
	case r.Action == ActionEscalate && r.Target != "":
		return strings.TrimSpace("to " + r.Target + " " + r.Reason)
	}
	return r.Reason
}
