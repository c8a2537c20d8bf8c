package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

const deliverySelect = `SELECT id, alert_id, card_id, destination, kind, body, state,
	message_ref, attempts, last_error, created_at, sent_at, group_key, group_id
FROM deliveries`

func scanDelivery(row scanner) (*alerts.Delivery, error) {
	var d alerts.Delivery
	err := row.Scan(&d.ID, &d.AlertID, &d.CardID, &d.Destination, &d.Kind, &d.Text, &d.State,
		&d.MessageRef, &d.Attempts, &d.LastError, timeCol{&d.CreatedAt}, timeCol{&d.SentAt},
		&d.Group, &d.GroupID)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// InsertDelivery stores a delivery, setting its ID, its CreatedAt when zero
// and its State to pending when empty, then enqueues the job that sends it
// in the same transaction.
func (t *tx) InsertDelivery(ctx context.Context, d *alerts.Delivery) error {
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	}
	if d.State == "" {
		d.State = alerts.DeliveryPending
	}
	err := t.queryRow(ctx, `INSERT INTO deliveries (alert_id, card_id, destination, kind, body,
		state, message_ref, attempts, last_error, created_at, sent_at, group_key, group_id)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
	RETURNING id`,
		d.AlertID, d.CardID, string(d.Destination), string(d.Kind), d.Text, string(d.State),
		d.MessageRef, d.Attempts, d.LastError, micros(d.CreatedAt), micros(d.SentAt),
		d.Group, d.GroupID).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("insert delivery: %w", err)
	}
	if err := t.jobs.DeliverTx(ctx, t.tx, d); err != nil {
		return fmt.Errorf("insert delivery %d: enqueue: %w", d.ID, err)
	}
	return nil
}

// Delivery returns a delivery; ErrNotFound when there is none.
func (t *tx) Delivery(ctx context.Context, id int64) (*alerts.Delivery, error) {
	d, err := scanDelivery(t.queryRow(ctx, deliverySelect+` WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("get delivery: %w", notFound(err, "delivery", id))
	}
	return d, nil
}

// UpdateDelivery writes a delivery's mutable fields: everything but its
// alert, destination, kind and creation time.
func (t *tx) UpdateDelivery(ctx context.Context, d *alerts.Delivery) error {
	res, err := t.exec(ctx, `UPDATE deliveries SET card_id = $1, body = $2, state = $3,
		message_ref = $4, attempts = $5, last_error = $6, sent_at = $7, group_id = $8
	WHERE id = $9`,
		d.CardID, d.Text, string(d.State), d.MessageRef, d.Attempts, d.LastError,
		micros(d.SentAt), d.GroupID, d.ID)
	if err := updated(res, err, "delivery", d.ID); err != nil {
		return fmt.Errorf("update delivery: %w", err)
	}
	return nil
}

// Deliveries lists an alert's deliveries, oldest first.
func (t *tx) Deliveries(ctx context.Context, alertID int64) ([]*alerts.Delivery, error) {
	out, err := collect(ctx, t, scanDelivery, deliverySelect+` WHERE alert_id = $1 ORDER BY id`, alertID)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of %s: %w", alerts.FormatRef(alertID), err)
	}
	return out, nil
}

// PendingBefore reports whether a delivery to d's destination inserted
// before d is still pending. Grouped cards created after openSince wait for
// their window and hold back only the cards of their own group.
func (t *tx) PendingBefore(ctx context.Context, d *alerts.Delivery, openSince time.Time) (bool, error) {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM deliveries
	WHERE destination = $1 AND id < $2 AND state = $3
		AND (group_key = '' OR group_key = $4 OR created_at <= $5)
	LIMIT 1`,
		string(d.Destination), d.ID, string(alerts.DeliveryPending), d.Group, openSince.UnixMicro()).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("pending before delivery %d: %w", d.ID, err)
	}
	return true, nil
}

// LastSent returns when the destination last received a message, or the
// zero time if it never did.
func (t *tx) LastSent(ctx context.Context, to alerts.Destination) (time.Time, error) {
	var at time.Time
	err := t.queryRow(ctx, `SELECT MAX(sent_at) FROM deliveries WHERE destination = $1`,
		string(to)).Scan(timeCol{&at})
	if err != nil {
		return time.Time{}, fmt.Errorf("last sent to %s: %w", to, err)
	}
	return at, nil
}

// GroupPending lists the pending cards of group to one destination created
// before the given time, oldest first.
func (t *tx) GroupPending(ctx context.Context, to alerts.Destination, group string, before time.Time) ([]*alerts.Delivery, error) {
	out, err := collect(ctx, t, scanDelivery, deliverySelect+` WHERE destination = $1 AND group_key = $2
	AND kind = $3 AND state = $4 AND created_at < $5 ORDER BY id`,
		string(to), group, string(alerts.DeliveryCard), string(alerts.DeliveryPending), before.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("list pending cards of group %s: %w", group, err)
	}
	return out, nil
}

// GroupMembers lists the cards a grouped message carried, oldest first.
func (t *tx) GroupMembers(ctx context.Context, groupID int64) ([]*alerts.Delivery, error) {
	out, err := collect(ctx, t, scanDelivery, deliverySelect+` WHERE group_id = $1 ORDER BY id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("list cards of group %d: %w", groupID, err)
	}
	return out, nil
}

// DeliveriesByState lists deliveries in state s, newest first; limit <= 0
// lists them all.
func (t *tx) DeliveriesByState(ctx context.Context, s alerts.DeliveryState, limit int) ([]*alerts.Delivery, error) {
	var q query
	q.add(deliverySelect + ` WHERE state = ` + q.arg(string(s)) + ` ORDER BY created_at DESC NULLS LAST, id DESC`)
	if limit > 0 {
		q.add(` LIMIT ` + q.arg(limit))
	}
	out, err := collect(ctx, t, scanDelivery, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("list %s deliveries: %w", s, err)
	}
	return out, nil
}

// CountDeliveries counts deliveries by state.
func (t *tx) CountDeliveries(ctx context.Context) (map[alerts.DeliveryState]int, error) {
	out := make(map[alerts.DeliveryState]int)
	if err := t.count(ctx, `SELECT state, COUNT(*) FROM deliveries GROUP BY state`,
		func(state string, n int) { out[alerts.DeliveryState(state)] = n }); err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	return out, nil
}
