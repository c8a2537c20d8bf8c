package alerts

import (
	"context"
	"fmt"
)

// Alert returns one alert with its history, oldest event first.
func (s *Service) Alert(ctx context.Context, id int64) (*Alert, []*AuditEvent, error) {
	var a *Alert
	var h []*AuditEvent
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if a, err = tx.Alert(ctx, id); err != nil {
			return err
		}
		h, err = tx.History(ctx, id)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("show %s: %w", FormatRef(id), err)
	}
	return a, h, nil
}

// Alerts lists alerts, newest first.
func (s *Service) Alerts(ctx context.Context, f AlertFilter) ([]*Alert, error) {
	var out []*Alert
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Alerts(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// Mutes lists the mutes in force, or every mute when all is set.
func (s *Service) Mutes(ctx context.Context, all bool) ([]*Mute, error) {
	var out []*Mute
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Mutes(ctx, s.Now(), all)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list mutes: %w", err)
	}
	return out, nil
}

// RecordRefusal audits a request that was refused for lack of a role, so
// the trail shows who tried what.
func (s *Service) RecordRefusal(ctx context.Context, actionID string, alertID int64, actor string, src Source, what string) error {
	err := s.store.Update(ctx, func(tx Tx) error {
		ev := &AuditEvent{ActionID: actionID, AlertID: alertID, Action: ActionRefused, Actor: actor, Source: src, Detail: what, At: s.Now()}
		return record(ctx, tx, ev)
	})
	if err != nil && err != errDuplicate {
		return fmt.Errorf("record refusal: %w", err)
	}
	return nil
}
