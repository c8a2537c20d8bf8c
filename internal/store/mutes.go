package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

const muteSelect = `SELECT id, scope, alert_id, account, keyword, watch, reason, created_by,
	created_at, expires_at, ended, ended_at, notify
FROM mutes`

func scanMute(row scanner) (*alerts.Mute, error) {
	var m alerts.Mute
	err := row.Scan(&m.ID, &m.Scope, &m.AlertID, &m.Account, &m.Keyword, &m.Watch, &m.Reason,
		&m.CreatedBy, timeCol{&m.CreatedAt}, timeCol{&m.ExpiresAt}, &m.Ended, timeCol{&m.EndedAt}, jsonCol{&m.Notify})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// InsertMute stores a new mute and sets its ID.
func (t *tx) InsertMute(ctx context.Context, m *alerts.Mute) error {
	notify, err := jsonList(m.Notify)
	if err != nil {
		return fmt.Errorf("insert mute: %w", err)
	}
	err = t.queryRow(ctx, `INSERT INTO mutes (scope, alert_id, account, keyword, watch, reason,
		created_by, created_at, expires_at, ended, ended_at, notify)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
	RETURNING id`,
		string(m.Scope), m.AlertID, m.Account, m.Keyword, m.Watch, m.Reason, m.CreatedBy,
		micros(m.CreatedAt), micros(m.ExpiresAt), flag(m.Ended), micros(m.EndedAt), notify).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("insert mute: %w", err)
	}
	return nil
}

// Mute returns a mute; ErrNotFound when there is none.
func (t *tx) Mute(ctx context.Context, id int64) (*alerts.Mute, error) {
	m, err := scanMute(t.queryRow(ctx, muteSelect+` WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("get mute: %w", notFound(err, "mute", fmt.Sprintf("M-%d", id)))
	}
	return m, nil
}

// UpdateMute writes every field of a mute but its ID.
func (t *tx) UpdateMute(ctx context.Context, m *alerts.Mute) error {
	notify, err := jsonList(m.Notify)
	if err != nil {
		return fmt.Errorf("update mute: %w", err)
	}
	res, err := t.exec(ctx, `UPDATE mutes SET scope = $1, alert_id = $2, account = $3,
		keyword = $4, watch = $5, reason = $6, created_by = $7, created_at = $8,
		expires_at = $9, ended = $10, ended_at = $11, notify = $12
	WHERE id = $13`,
		string(m.Scope), m.AlertID, m.Account, m.Keyword, m.Watch, m.Reason, m.CreatedBy,
		micros(m.CreatedAt), micros(m.ExpiresAt), flag(m.Ended), micros(m.EndedAt), notify, m.ID)
	if err := updated(res, err, "mute", m.Ref()); err != nil {
		return fmt.Errorf("update mute: %w", err)
	}
	return nil
}

// Mutes lists the mutes in force at at (not ended, expiring after at), or
// every mute when all is set, oldest first.
func (t *tx) Mutes(ctx context.Context, at time.Time, all bool) ([]*alerts.Mute, error) {
	var (
		out []*alerts.Mute
		err error
	)
	if all {
		out, err = collect(ctx, t, scanMute, muteSelect+` ORDER BY id`)
	} else {
		out, err = collect(ctx, t, scanMute, muteSelect+` WHERE ended = 0 AND expires_at > $1 ORDER BY id`,
			at.UnixMicro())
	}
	if err != nil {
		return nil, fmt.Errorf("list mutes: %w", err)
	}
	return out, nil
}
