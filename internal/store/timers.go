package store

import (
	"context"
	"fmt"

	"github.com/lookoutbot/lookout/alerts"
)

const timerSelect = `SELECT id, kind, alert_id, mute_id, step, due_at, state, job_id FROM timers`

func scanTimer(row scanner) (*alerts.Timer, error) {
	var tm alerts.Timer
	err := row.Scan(&tm.ID, &tm.Kind, &tm.AlertID, &tm.MuteID, &tm.Step, timeCol{&tm.DueAt},
		&tm.State, &tm.JobID)
	if err != nil {
		return nil, err
	}
	return &tm, nil
}

// InsertTimer stores a timer, setting its ID and its State to pending when
// empty, then schedules the job that fires it in the same transaction and
// records the job's id in JobID.
func (t *tx) InsertTimer(ctx context.Context, tm *alerts.Timer) error {
	if tm.State == "" {
		tm.State = alerts.TimerPending
	}
	err := t.queryRow(ctx, `INSERT INTO timers (kind, alert_id, mute_id, step, due_at, state, job_id)
	VALUES ($1, $2, $3, $4, $5, $6, $7)
	RETURNING id`,
		string(tm.Kind), tm.AlertID, tm.MuteID, tm.Step, micros(tm.DueAt), string(tm.State),
		tm.JobID).Scan(&tm.ID)
	if err != nil {
		return fmt.Errorf("insert timer: %w", err)
	}
	jobID, err := t.jobs.TimerTx(ctx, t.tx, tm)
	if err != nil {
		return fmt.Errorf("insert timer %d: schedule: %w", tm.ID, err)
	}
	if jobID == 0 {
		return nil
	}
	tm.JobID = jobID
	if _, err := t.exec(ctx, `UPDATE timers SET job_id = $1 WHERE id = $2`, jobID, tm.ID); err != nil {
		return fmt.Errorf("insert timer %d: %w", tm.ID, err)
	}
	return nil
}

// Timer returns a timer; ErrNotFound when there is none.
func (t *tx) Timer(ctx context.Context, id int64) (*alerts.Timer, error) {
	tm, err := scanTimer(t.queryRow(ctx, timerSelect+` WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("get timer: %w", notFound(err, "timer", id))
	}
	return tm, nil
}

// UpdateTimer writes every field of a timer but its ID. It does not touch
// the timer's job: cancel with CancelTimers.
func (t *tx) UpdateTimer(ctx context.Context, tm *alerts.Timer) error {
	res, err := t.exec(ctx, `UPDATE timers SET kind = $1, alert_id = $2, mute_id = $3, step = $4,
		due_at = $5, state = $6, job_id = $7
	WHERE id = $8`,
		string(tm.Kind), tm.AlertID, tm.MuteID, tm.Step, micros(tm.DueAt), string(tm.State),
		tm.JobID, tm.ID)
	if err := updated(res, err, "timer", tm.ID); err != nil {
		return fmt.Errorf("update timer: %w", err)
	}
	return nil
}

// CancelTimers marks the pending timers of an alert (alertID > 0) or of a
// mute (muteID > 0) cancelled, and cancels their jobs in the same
// transaction. With both ids it cancels the timers of either; with no kinds
// it cancels every kind.
func (t *tx) CancelTimers(ctx context.Context, alertID, muteID int64, kinds ...alerts.TimerKind) error {
	if alertID <= 0 && muteID <= 0 {
		return fmt.Errorf("cancel timers: %w: no alert or mute given", alerts.ErrInvalid)
	}
	var q query
	q.add(timerSelect + ` WHERE state = ` + q.arg(string(alerts.TimerPending)) + ` AND (`)
	switch {
	case alertID > 0 && muteID > 0:
		q.add(`alert_id = ` + q.arg(alertID) + ` OR mute_id = ` + q.arg(muteID))
	case alertID > 0:
		q.add(`alert_id = ` + q.arg(alertID))
	default:
		q.add(`mute_id = ` + q.arg(muteID))
	}
	q.add(`)`)
	if len(kinds) > 0 {
		q.add(` AND kind IN (`)
		for i, k := range kinds {
			if i > 0 {
				q.add(`, `)
			}
			q.add(q.arg(string(k)))
		}
		q.add(`)`)
	}
	q.add(` ORDER BY id`)
	// Read every timer before writing: a driver may not run a statement
	// while rows of another are open on the same connection.
	timers, err := collect(ctx, t, scanTimer, q.String(), q.args...)
	if err != nil {
		return fmt.Errorf("cancel timers: %w", err)
	}
	for _, tm := range timers {
		if _, err := t.exec(ctx, `UPDATE timers SET state = $1 WHERE id = $2`,
			string(alerts.TimerCancelled), tm.ID); err != nil {
			return fmt.Errorf("cancel timer %d: %w", tm.ID, err)
		}
		if tm.JobID == 0 {
			continue
		}
		if err := t.jobs.CancelTx(ctx, t.tx, tm.JobID); err != nil {
			return fmt.Errorf("cancel timer %d: job %d: %w", tm.ID, tm.JobID, err)
		}
	}
	return nil
}

// PendingTimers lists pending timers, soonest due first.
func (t *tx) PendingTimers(ctx context.Context) ([]*alerts.Timer, error) {
	out, err := collect(ctx, t, scanTimer, timerSelect+` WHERE state = $1 ORDER BY due_at NULLS FIRST, id`,
		string(alerts.TimerPending))
	if err != nil {
		return nil, fmt.Errorf("list pending timers: %w", err)
	}
	return out, nil
}
