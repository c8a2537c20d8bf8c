package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lookoutbot/lookout/alerts"
)

const auditSelect = `SELECT id, action_id, alert_id, mute_id, action, actor, source,
	from_state, to_state, detail, created_at
FROM audit_events`

func scanAudit(row scanner) (*alerts.AuditEvent, error) {
	var e alerts.AuditEvent
	err := row.Scan(&e.ID, &e.ActionID, &e.AlertID, &e.MuteID, &e.Action, &e.Actor, &e.Source,
		&e.From, &e.To, &e.Detail, timeCol{&e.At})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// InsertAudit records an event and sets its ID. An ActionID already
// recorded returns ErrConflict and writes nothing; the transaction stays
// usable on every database, since no statement failed.
func (t *tx) InsertAudit(ctx context.Context, e *alerts.AuditEvent) error {
	err := t.queryRow(ctx, `INSERT INTO audit_events (action_id, alert_id, mute_id, action,
		actor, source, from_state, to_state, detail, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
	ON CONFLICT (action_id) DO NOTHING
	RETURNING id`,
		e.ActionID, e.AlertID, e.MuteID, string(e.Action), e.Actor, string(e.Source),
		string(e.From), string(e.To), e.Detail, micros(e.At)).Scan(&e.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("insert audit: action %q already recorded: %w", e.ActionID, alerts.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert audit: %w", err)
	}
	return nil
}

// AuditByAction returns the event recorded for an action id; ErrNotFound
// when the action was never recorded.
func (t *tx) AuditByAction(ctx context.Context, actionID string) (*alerts.AuditEvent, error) {
	e, err := scanAudit(t.queryRow(ctx, auditSelect+` WHERE action_id = $1`, actionID))
	if err != nil {
		return nil, fmt.Errorf("get audit: %w", notFound(err, "action", fmt.Sprintf("%q", actionID)))
	}
	return e, nil
}

// History lists an alert's audit events, oldest first.
func (t *tx) History(ctx context.Context, alertID int64) ([]*alerts.AuditEvent, error) {
	out, err := collect(ctx, t, scanAudit, auditSelect+` WHERE alert_id = $1 ORDER BY created_at NULLS FIRST, id`, alertID)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", alerts.FormatRef(alertID), err)
	}
	return out, nil
}
