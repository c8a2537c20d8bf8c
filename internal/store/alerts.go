package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lookoutbot/lookout/alerts"
)

// alertSelect reads alerts with the post version that raised them: an
// alert's Post and Evidence are the stored post's, as first seen.
const alertSelect = `SELECT a.id, a.watch, a.severity, a.route, a.state, a.muted, a.mute_id,
	a.hits, a.assignee, a.last_actor, a.last_action, a.last_reason, a.escalated_to,
	a.escalation_step, a.created_at, a.updated_at, ` + postColumns + `
FROM alerts a JOIN posts p ON p.id = a.post_key`

func scanAlert(row scanner) (*alerts.Alert, error) {
	var a alerts.Alert
	dest := []any{&a.ID, &a.Watch, &a.Severity, &a.Route, &a.State, &a.Muted, &a.MuteID,
		jsonCol{&a.Hits}, &a.Assignee, &a.LastActor, &a.LastAction, &a.LastReason, &a.EscalatedTo,
		&a.EscalationStep, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}}
	dest = append(dest, postDest(&a.PostKey, &a.Post, &a.Evidence)...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	return &a, nil
}

// InsertAlert stores a new alert and sets its ID. The alert names its post
// by PostKey; when PostKey is zero, a.Post is stored first with a.Evidence.
// Either way the alert reads back with the stored post's Post and Evidence.
// A second alert of one watch for one post chain returns ErrConflict and
// leaves the transaction usable.
func (t *tx) InsertAlert(ctx context.Context, a *alerts.Alert) error {
	if a.PostKey == 0 {
		key, err := t.PutPost(ctx, &a.Post, a.Evidence)
		if err != nil {
			return fmt.Errorf("insert alert: %w", err)
		}
		a.PostKey = key
	}
	// The chain comes from the stored post, so the uniqueness of
	// (watch, chain) cannot be dodged by an alert carrying another Post.
	var platform, chainID string
	err := t.queryRow(ctx, `SELECT platform, chain_id FROM posts WHERE id = $1`, a.PostKey).
		Scan(&platform, &chainID)
	if err != nil {
		return fmt.Errorf("insert alert: %w", notFound(err, "post", a.PostKey))
	}
	hits, err := jsonList(a.Hits)
	if err != nil {
		return fmt.Errorf("insert alert: hits: %w", err)
	}
	// DO NOTHING rather than a failing statement: on PostgreSQL an error
	// aborts the whole transaction, and the caller may want to go on.
	err = t.queryRow(ctx, `INSERT INTO alerts (watch, platform, chain_id, post_key, severity,
		route, state, muted, mute_id, hits, assignee, last_actor, last_action, last_reason,
		escalated_to, escalation_step, created_at, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
	ON CONFLICT (watch, platform, chain_id) DO NOTHING
	RETURNING id`,
		a.Watch, platform, chainID, a.PostKey, string(a.Severity), a.Route, string(a.State),
		flag(a.Muted), a.MuteID, hits, a.Assignee, a.LastActor, string(a.LastAction),
		a.LastReason, a.EscalatedTo, a.EscalationStep, micros(a.CreatedAt), micros(a.UpdatedAt)).
		Scan(&a.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("insert alert: watch %s already alerted on %s/%s: %w",
			a.Watch, platform, chainID, alerts.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert alert: %w", err)
	}
	return nil
}

// Alert returns an alert with its post; ErrNotFound when there is none.
func (t *tx) Alert(ctx context.Context, id int64) (*alerts.Alert, error) {
	a, err := scanAlert(t.queryRow(ctx, alertSelect+` WHERE a.id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("get alert: %w", notFound(err, "alert", alerts.FormatRef(id)))
	}
	// The newest version of the post, when it was edited after the alert.
	var (
		key    int64
		latest alerts.Post
		ev     alerts.Evidence
	)
	err = t.queryRow(ctx, `SELECT `+postColumns+` FROM posts p
	WHERE p.platform = $1 AND p.chain_id = $2 ORDER BY p.id DESC LIMIT 1`,
		a.Post.Platform, a.Post.ChainID()).Scan(postDest(&key, &latest, &ev)...)
	if err != nil {
		return nil, fmt.Errorf("get alert %s: latest version: %w", a.Ref(), err)
	}
	if key != a.PostKey {
		a.Latest = &latest
	}
	return a, nil
}

// ChainAlerts lists the alerts raised for a post chain, oldest first.
func (t *tx) ChainAlerts(ctx context.Context, platform, chainID string) ([]int64, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id FROM alerts WHERE platform = $1 AND chain_id = $2 ORDER BY id`, platform, chainID)
	if err != nil {
		return nil, fmt.Errorf("alerts of %s/%s: %w", platform, chainID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("alerts of %s/%s: %w", platform, chainID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("alerts of %s/%s: %w", platform, chainID, err)
	}
	return ids, nil
}

// UpdateAlert writes an alert's mutable fields: everything but its watch,
// post and creation time.
func (t *tx) UpdateAlert(ctx context.Context, a *alerts.Alert) error {
	hits, err := jsonList(a.Hits)
	if err != nil {
		return fmt.Errorf("update alert: hits: %w", err)
	}
	res, err := t.exec(ctx, `UPDATE alerts SET severity = $1, route = $2, state = $3, muted = $4,
		mute_id = $5, hits = $6, assignee = $7, last_actor = $8, last_action = $9,
		last_reason = $10, escalated_to = $11, escalation_step = $12, updated_at = $13
	WHERE id = $14`,
		string(a.Severity), a.Route, string(a.State), flag(a.Muted), a.MuteID, hits,
		a.Assignee, a.LastActor, string(a.LastAction), a.LastReason, a.EscalatedTo,
		a.EscalationStep, micros(a.UpdatedAt), a.ID)
	if err := updated(res, err, "alert", a.Ref()); err != nil {
		return fmt.Errorf("update alert: %w", err)
	}
	return nil
}

// Alerts lists the alerts f selects, newest first. Since is inclusive and
// Until exclusive.
func (t *tx) Alerts(ctx context.Context, f alerts.AlertFilter) ([]*alerts.Alert, error) {
	var q query
	q.add(alertSelect + ` WHERE 1 = 1`)
	if len(f.States) > 0 {
		q.add(` AND a.state IN (`)
		for i, s := range f.States {
			if i > 0 {
				q.add(`, `)
			}
			q.add(q.arg(string(s)))
		}
		q.add(`)`)
	}
	if f.Watch != "" {
		q.add(` AND a.watch = ` + q.arg(f.Watch))
	}
	if !f.Since.IsZero() {
		q.add(` AND a.created_at >= ` + q.arg(f.Since.UnixMicro()))
	}
	if !f.Until.IsZero() {
		q.add(` AND a.created_at < ` + q.arg(f.Until.UnixMicro()))
	}
	if !f.IncludeMuted {
		q.add(` AND a.muted = 0`)
	}
	q.add(` ORDER BY a.created_at DESC NULLS LAST, a.id DESC`)
	if f.Limit > 0 {
		q.add(` LIMIT ` + q.arg(f.Limit))
	}
	out, err := collect(ctx, t, scanAlert, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// CountAlerts counts alerts by state, leaving muted alerts out.
func (t *tx) CountAlerts(ctx context.Context) (map[alerts.State]int, error) {
	out := make(map[alerts.State]int)
	if err := t.count(ctx, `SELECT state, COUNT(*) FROM alerts WHERE muted = 0 GROUP BY state`,
		func(state string, n int) { out[alerts.State(state)] = n }); err != nil {
		return nil, fmt.Errorf("count alerts: %w", err)
	}
	return out, nil
}

// count runs a query returning (key, count) rows.
func (t *tx) count(ctx context.Context, query string, set func(string, int)) error {
	rows, err := t.tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k string
			n int
		)
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		set(k, n)
	}
	return rows.Err()
}
