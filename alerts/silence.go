package alerts

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// MuteRequest asks for a mute.
type MuteRequest struct {
	ActionID string
	Scope    MuteScope
	// AlertID is the alert muted (scope alert) or the alert the mute was
	// created from (a "mute this account" button): that alert stops
	// escalating and its card shows the mute.
	AlertID int64
	Account string
	Keyword string
	Watch   string
	For     time.Duration
	Reason  string
	Actor   string
	Source  Source
	// Notify is where expiry notices go; empty means the routes of the
	// alert the mute came from, else every route.
	Notify []Destination
}

// MaxMute is the longest mute anyone can set; shorter limits per role are
// the command layer's business.
const MaxMute = 365 * 24 * time.Hour

// Mute creates a mute, schedules its expiry notices and, when it came from
// an alert, silences that alert and updates its cards. Matches in scope
// from now on are stored as muted, not delivered.
func (s *Service) Mute(ctx context.Context, r MuteRequest) (*Mute, error) {
	if r.ActionID == "" || r.Actor == "" {
		return nil, fmt.Errorf("mute: %w: action id and actor are required", ErrInvalid)
	}
	if r.For <= 0 || r.For > MaxMute {
		return nil, fmt.Errorf("mute: %w: duration must be between 1s and %s", ErrInvalid, MaxMute)
	}
	now := s.Now()
	m := &Mute{
		Scope: r.Scope, AlertID: r.AlertID, Account: r.Account, Keyword: r.Keyword, Watch: r.Watch,
		Reason: r.Reason, CreatedBy: r.Actor, CreatedAt: now, ExpiresAt: now.Add(r.For), Notify: r.Notify,
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("mute: %w", err)
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.AuditByAction(ctx, r.ActionID); err == nil {
			return errDuplicate
		}
		var a *Alert
		if r.AlertID > 0 {
			var err error
			if a, err = tx.Alert(ctx, r.AlertID); err != nil {
				return err
			}
			if len(m.Notify) == 0 {
				if rt, ok := s.routes[a.Route]; ok {
					m.Notify = rt.Destinations
				}
			}
		}
		if len(m.Notify) == 0 {
			m.Notify = s.allDestinations()
		}
		if err := tx.InsertMute(ctx, m); err != nil {
			return fmt.Errorf("insert mute: %w", err)
		}
		ev := &AuditEvent{
			ActionID: r.ActionID, AlertID: r.AlertID, MuteID: m.ID, Action: ActionMute, Actor: r.Actor,
			Source: r.Source, Detail: fmt.Sprintf("%s for %s %s", m.Describe(), r.For, r.Reason), At: now,
		}
		if a != nil {
			ev.From, ev.To = a.State, a.State
		}
		if err := record(ctx, tx, ev); err != nil {
			return err
		}
		if err := s.scheduleMuteTimers(ctx, tx, m); err != nil {
			return err
		}
		if a == nil {
			return nil
		}
		// The alert shows the mute that lasts longest: a shorter second
		// mute must not lift a longer one when it ends.
		if cur, err := s.currentMute(ctx, tx, a); err != nil {
			return err
		} else if cur == nil || !cur.ExpiresAt.After(m.ExpiresAt) {
			a.Muted, a.MuteID = true, m.ID
		}
		a.LastActor, a.LastAction, a.LastReason, a.UpdatedAt = r.Actor, ActionMute, r.Reason, now
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return fmt.Errorf("update alert: %w", err)
		}
		if err := tx.CancelTimers(ctx, a.ID, 0, TimerEscalate); err != nil {
			return fmt.Errorf("cancel escalation: %w", err)
		}
		return s.editCards(ctx, tx, a.ID)
	})
	if errors.Is(err, errDuplicate) {
		return s.muteByAction(ctx, r.ActionID)
	}
	if err != nil {
		return nil, fmt.Errorf("mute %s: %w", m.Describe(), err)
	}
	return m, nil
}

func (s *Service) muteByAction(ctx context.Context, actionID string) (*Mute, error) {
	var m *Mute
	err := s.store.View(ctx, func(tx Tx) error {
		ev, err := tx.AuditByAction(ctx, actionID)
		if err != nil {
			return err
		}
		m, err = tx.Mute(ctx, ev.MuteID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mute: look up earlier action: %w", err)
	}
	return m, nil
}

func (s *Service) scheduleMuteTimers(ctx context.Context, tx Tx, m *Mute) error {
	if s.muteLead > 0 && m.ExpiresAt.Sub(m.CreatedAt) > 2*s.muteLead {
		t := &Timer{Kind: TimerMuteExpiring, MuteID: m.ID, DueAt: m.ExpiresAt.Add(-s.muteLead), State: TimerPending}
		if err := tx.InsertTimer(ctx, t); err != nil {
			return fmt.Errorf("schedule mute expiry notice: %w", err)
		}
	}
	t := &Timer{Kind: TimerMuteExpired, MuteID: m.ID, DueAt: m.ExpiresAt, State: TimerPending}
	if err := tx.InsertTimer(ctx, t); err != nil {
		return fmt.Errorf("schedule mute expiry: %w", err)
	}
	return nil
}

// Unmute lifts a mute before it expires.
func (s *Service) Unmute(ctx context.Context, actionID string, muteID int64, actor string, src Source) (*Mute, error) {
	if actionID == "" || actor == "" {
		return nil, fmt.Errorf("unmute: %w: action id and actor are required", ErrInvalid)
	}
	var m *Mute
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.AuditByAction(ctx, actionID); err == nil {
			return errDuplicate
		}
		var err error
		if m, err = tx.Mute(ctx, muteID); err != nil {
			return err
		}
		if m.Ended {
			return &StaleError{Alert: m.Ref(), Action: ActionUnmute, State: "ended"}
		}
		return s.endMute(ctx, tx, m, actionID, actor, src, "lifted by "+actor)
	})
	if errors.Is(err, errDuplicate) {
		return s.muteByAction(ctx, actionID)
	}
	if err != nil {
		return nil, fmt.Errorf("unmute M-%d: %w", muteID, err)
	}
	return m, nil
}

func (s *Service) endMute(ctx context.Context, tx Tx, m *Mute, actionID, actor string, src Source, why string) error {
	now := s.Now()
	m.Ended, m.EndedAt = true, now
	if err := tx.UpdateMute(ctx, m); err != nil {
		return fmt.Errorf("end mute: %w", err)
	}
	if err := tx.CancelTimers(ctx, 0, m.ID, TimerMuteExpiring, TimerMuteExpired); err != nil {
		return fmt.Errorf("cancel mute timers: %w", err)
	}
	ev := &AuditEvent{ActionID: actionID, AlertID: m.AlertID, MuteID: m.ID, Action: ActionUnmute, Actor: actor, Source: src, Detail: m.Describe() + ": " + why, At: now}
	if err := record(ctx, tx, ev); err != nil {
		return err
	}
	if m.AlertID == 0 {
		return nil
	}
	a, err := tx.Alert(ctx, m.AlertID)
	if err != nil {
		return err
	}
	if a.MuteID != m.ID {
		return nil
	}
	// Another mute from this alert may still be in force: it takes over.
	others, err := tx.Mutes(ctx, now, false)
	if err != nil {
		return fmt.Errorf("list mutes: %w", err)
	}
	var next *Mute
	for _, o := range others {
		if o.ID != m.ID && o.AlertID == a.ID && (next == nil || o.ExpiresAt.After(next.ExpiresAt)) {
			next = o
		}
	}
	if next != nil {
		a.MuteID = next.ID
		a.LastActor, a.LastAction, a.LastReason, a.UpdatedAt = actor, ActionUnmute, why+"; still muted by "+next.Ref(), now
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return fmt.Errorf("update alert: %w", err)
		}
		return s.editCards(ctx, tx, a.ID)
	}
	a.Muted, a.MuteID = false, 0
	a.LastActor, a.LastAction, a.LastReason, a.UpdatedAt = actor, ActionUnmute, why, now
	if err := tx.UpdateAlert(ctx, a); err != nil {
		return fmt.Errorf("update alert: %w", err)
	}
	// An alert nobody acknowledged resumes its escalation where it stopped.
	if a.State == StateOpen || a.State == StateEscalated {
		// A hand escalation while muted may have left a timer: one is enough.
		if err := tx.CancelTimers(ctx, a.ID, 0, TimerEscalate); err != nil {
			return fmt.Errorf("cancel escalation: %w", err)
		}
		if err := s.scheduleEscalation(ctx, tx, a, a.EscalationStep, now); err != nil {
			return err
		}
	}
	return s.editCards(ctx, tx, a.ID)
}

func (s *Service) fireMuteExpiring(ctx context.Context, tx Tx, t *Timer) error {
	m, err := tx.Mute(ctx, t.MuteID)
	if err != nil {
		return err
	}
	if m.Ended {
		return nil
	}
	text := fmt.Sprintf("Mute %s on %s (by %s) expires in %s", m.Ref(), m.Describe(), m.CreatedBy, roundDuration(m.ExpiresAt.Sub(s.Now())))
	return s.notice(ctx, tx, m.Notify, m.AlertID, text)
}

func (s *Service) fireMuteExpired(ctx context.Context, tx Tx, t *Timer) error {
	m, err := tx.Mute(ctx, t.MuteID)
	if err != nil {
		return err
	}
	if m.Ended {
		return nil
	}
	if err := s.endMute(ctx, tx, m, fmt.Sprintf("timer:%d", t.ID), "timer", SourceTimer, "expired"); err != nil {
		return err
	}
	text := fmt.Sprintf("Mute %s on %s (by %s) has expired: new matches alert again", m.Ref(), m.Describe(), m.CreatedBy)
	return s.notice(ctx, tx, m.Notify, m.AlertID, text)
}

func (s *Service) allDestinations() []Destination {
	var out []Destination
	for _, r := range s.routes {
		out = append(out, r.Destinations...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return dedupe(out)
}

// currentMute returns the mute in force that an alert shows, or nil.
func (s *Service) currentMute(ctx context.Context, tx Tx, a *Alert) (*Mute, error) {
	if !a.Muted || a.MuteID == 0 {
		return nil, nil
	}
	m, err := tx.Mute(ctx, a.MuteID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load mute: %w", err)
	}
	if !m.Active(s.Now()) {
		return nil, nil
	}
	return m, nil
}
