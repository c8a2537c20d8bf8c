package alerts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// escalateNow fires the alert's next policy step at once (a manual
// escalation) and notifies target when it names a destination.
func (s *Service) escalateNow(ctx context.Context, tx Tx, a *Alert, actor, target, reason string) error {
	text := fmt.Sprintf("%s escalated by %s", a.Ref(), actor)
	if target != "" {
		text += " to " + target
	}
	if reason != "" {
		text += ": " + reason
	}
	text += " · " + summary(a)
	var to []Destination
	if p, ok := s.policyFor(a.Route); ok {
		if step, _, ok := p.StepAt(a.EscalationStep); ok {
			to = append(to, step.Notify...)
		}
		if err := tx.CancelTimers(ctx, a.ID, 0, TimerEscalate); err != nil {
			return fmt.Errorf("cancel escalation: %w", err)
		}
		a.EscalationStep++
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return fmt.Errorf("update alert: %w", err)
		}
		if err := s.scheduleEscalation(ctx, tx, a, a.EscalationStep, s.Now()); err != nil {
			return err
		}
	}
	if d, err := ParseDestination(target); err == nil {
		to = append(to, d)
	}
	return s.notice(ctx, tx, dedupe(to), a.ID, text)
}

// FireTimer runs a due timer: an escalation step, or a mute's expiry
// notices. A timer already done or cancelled does nothing, and an
// escalation re-checks the alert, so an ack that raced the timer wins.
func (s *Service) FireTimer(ctx context.Context, id int64) error {
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.Timer(ctx, id)
		if err != nil {
			return err
		}
		if t.State != TimerPending {
			return nil
		}
		t.State = TimerDone
		if err := tx.UpdateTimer(ctx, t); err != nil {
			return fmt.Errorf("finish timer: %w", err)
		}
		switch t.Kind {
		case TimerEscalate:
			return s.fireEscalation(ctx, tx, t)
		case TimerMuteExpiring:
			return s.fireMuteExpiring(ctx, tx, t)
		case TimerMuteExpired:
			return s.fireMuteExpired(ctx, tx, t)
		}
		return fmt.Errorf("%w: timer kind %q", ErrInvalid, t.Kind)
	})
	if errors.Is(err, errDuplicate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fire timer %d: %w", id, err)
	}
	return nil
}

func (s *Service) fireEscalation(ctx context.Context, tx Tx, t *Timer) error {
	a, err := tx.Alert(ctx, t.AlertID)
	if err != nil {
		return err
	}
	if a.Muted || a.State == StateAcked || a.State == StateResolved || t.Step != a.EscalationStep {
		return nil
	}
	p, ok := s.policyFor(a.Route)
	if !ok {
		return nil
	}
	step, _, ok := p.StepAt(t.Step)
	if !ok {
		return nil
	}
	now := s.Now()
	from := a.State
	a.State = StateEscalated
	a.EscalationStep = t.Step + 1
	a.LastActor, a.LastAction = "timer", ActionEscalate
	a.LastReason = fmt.Sprintf("unacknowledged for %s", roundDuration(now.Sub(a.CreatedAt)))
	a.UpdatedAt = now
	if err := tx.UpdateAlert(ctx, a); err != nil {
		return fmt.Errorf("update alert: %w", err)
	}
	ev := &AuditEvent{
		ActionID: fmt.Sprintf("timer:%d", t.ID), AlertID: a.ID, Action: ActionEscalate,
		Actor: "timer", Source: SourceTimer, From: from, To: a.State,
		Detail: fmt.Sprintf("policy %s step %d: %s", p.Name, t.Step+1, a.LastReason), At: now,
	}
	if err := record(ctx, tx, ev); err != nil {
		return err
	}
	text := fmt.Sprintf("%s %s · escalation step %d · %s", a.Ref(), a.LastReason, t.Step+1, summary(a))
	if err := s.notice(ctx, tx, step.Notify, a.ID, text); err != nil {
		return err
	}
	if err := s.editCards(ctx, tx, a.ID); err != nil {
		return err
	}
	// Count the next step from when this one really fired: after downtime,
	// overdue steps must not page the targets back to back.
	next := t.DueAt
	if now.After(next) {
		next = now
	}
	return s.scheduleEscalation(ctx, tx, a, t.Step+1, next)
}

// summary is a one-line description of an alert for notices.
func summary(a *Alert) string {
	text := strings.Join(strings.Fields(a.Post.MatchText()), " ")
	if r := []rune(text); len(r) > 80 {
		text = string(r[:80]) + "…"
	}
	who := a.Post.Handle
	if who == "" {
		who = a.Post.AuthorID
	}
	return fmt.Sprintf("[%s] %s: %s %s", a.Watch, who, text, a.Post.URL)
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Hour:
		return d.Round(time.Minute)
	case d >= time.Minute:
		return d.Round(time.Second)
	}
	return d.Round(time.Second)
}

func dedupe(ds []Destination) []Destination {
	seen := make(map[Destination]bool, len(ds))
	out := ds[:0:0]
	for _, d := range ds {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
