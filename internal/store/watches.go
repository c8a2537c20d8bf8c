package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

const watchSelect = `SELECT name, source, accounts, keywords, interval_ns, severity, route,
	backfill, enabled, origin, created_by, created_at
FROM watches`

func scanWatch(row scanner) (*alerts.Watch, error) {
	var (
		w        alerts.Watch
		interval int64
	)
	err := row.Scan(&w.Name, &w.Source, jsonCol{&w.Accounts}, jsonCol{&w.Keywords}, &interval,
		&w.Severity, &w.Route, &w.Backfill, &w.Enabled, &w.Origin, &w.CreatedBy,
		timeCol{&w.CreatedAt})
	if err != nil {
		return nil, err
	}
	w.Interval = time.Duration(interval)
	return &w, nil
}

// InsertWatch stores a watch added at run time; its Origin becomes store
// when empty. A name already taken returns ErrConflict.
func (t *tx) InsertWatch(ctx context.Context, w *alerts.Watch) error {
	if w.Origin == "" {
		w.Origin = alerts.OriginStore
	}
	accounts, err := jsonList(w.Accounts)
	if err != nil {
		return fmt.Errorf("insert watch %s: accounts: %w", w.Name, err)
	}
	keywords, err := jsonList(w.Keywords)
	if err != nil {
		return fmt.Errorf("insert watch %s: keywords: %w", w.Name, err)
	}
	var name string
	err = t.queryRow(ctx, `INSERT INTO watches (name, source, accounts, keywords, interval_ns,
		severity, route, backfill, enabled, origin, created_by, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
	ON CONFLICT (name) DO NOTHING
	RETURNING name`,
		w.Name, w.Source, accounts, keywords, int64(w.Interval), string(w.Severity), w.Route,
		flag(w.Backfill), flag(w.Enabled), string(w.Origin), w.CreatedBy, micros(w.CreatedAt)).
		Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("insert watch %s: name taken: %w", w.Name, alerts.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert watch %s: %w", w.Name, err)
	}
	return nil
}

// DeleteWatch deletes a stored watch and its state. The chains it has seen
// are kept.
func (t *tx) DeleteWatch(ctx context.Context, name string) error {
	res, err := t.exec(ctx, `DELETE FROM watches WHERE name = $1`, name)
	if err := updated(res, err, "watch", name); err != nil {
		return fmt.Errorf("delete watch: %w", err)
	}
	if _, err := t.exec(ctx, `DELETE FROM watch_state WHERE watch = $1`, name); err != nil {
		return fmt.Errorf("delete watch %s: state: %w", name, err)
	}
	return nil
}

// Watches lists stored watches by name.
func (t *tx) Watches(ctx context.Context) ([]*alerts.Watch, error) {
	out, err := collect(ctx, t, scanWatch, watchSelect+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list watches: %w", err)
	}
	return out, nil
}

const watchStateSelect = `SELECT watch, cursor_value, baselined, failures, last_error,
	last_poll_at, last_ok_at, unhealthy, next_poll_at
FROM watch_state`

func scanWatchState(row scanner) (*alerts.WatchState, error) {
	var s alerts.WatchState
	err := row.Scan(&s.Watch, &s.Cursor, &s.Baselined, &s.Failures, &s.LastError,
		timeCol{&s.LastPollAt}, timeCol{&s.LastOKAt}, &s.Unhealthy, timeCol{&s.NextPollAt})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// WatchState returns a watch's state, or the zero state with Watch set for
// a watch never polled.
func (t *tx) WatchState(ctx context.Context, name string) (*alerts.WatchState, error) {
	s, err := scanWatchState(t.queryRow(ctx, watchStateSelect+` WHERE watch = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return &alerts.WatchState{Watch: name}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get watch state %s: %w", name, err)
	}
	return s, nil
}

// PutWatchState creates or replaces a watch's state.
func (t *tx) PutWatchState(ctx context.Context, s *alerts.WatchState) error {
	_, err := t.exec(ctx, `INSERT INTO watch_state (watch, cursor_value, baselined, failures,
		last_error, last_poll_at, last_ok_at, unhealthy, next_poll_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
	ON CONFLICT (watch) DO UPDATE SET cursor_value = excluded.cursor_value,
		baselined = excluded.baselined, failures = excluded.failures,
		last_error = excluded.last_error, last_poll_at = excluded.last_poll_at,
		last_ok_at = excluded.last_ok_at, unhealthy = excluded.unhealthy,
		next_poll_at = excluded.next_poll_at`,
		s.Watch, s.Cursor, flag(s.Baselined), s.Failures, s.LastError, micros(s.LastPollAt),
		micros(s.LastOKAt), flag(s.Unhealthy), micros(s.NextPollAt))
	if err != nil {
		return fmt.Errorf("put watch state %s: %w", s.Watch, err)
	}
	return nil
}

// WatchStates lists every watch's state by watch name.
func (t *tx) WatchStates(ctx context.Context) ([]*alerts.WatchState, error) {
	out, err := collect(ctx, t, scanWatchState, watchStateSelect+` ORDER BY watch`)
	if err != nil {
		return nil, fmt.Errorf("list watch states: %w", err)
	}
	return out, nil
}

// SeenSince counts the post chains a watch processed since t.
func (t *tx) SeenSince(ctx context.Context, watch string, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM seen WHERE watch = $1 AND seen_at >= $2`,
		watch, since.UnixMicro()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count seen of %s: %w", watch, err)
	}
	return n, nil
}

const activitySelect = `SELECT watch, account, last_post_at, since_at, posts, mean_gap_us, silent_notified
FROM account_activity`

func scanActivity(row scanner) (*alerts.AccountActivity, error) {
	var a alerts.AccountActivity
	var gap int64
	err := row.Scan(&a.Watch, &a.Account, timeCol{&a.LastPostAt}, timeCol{&a.Since}, &a.Posts, &gap, &a.SilentNotified)
	if err != nil {
		return nil, err
	}
	a.MeanGap = time.Duration(gap) * time.Microsecond
	return &a, nil
}

// Activity lists the posting cadence of a watch's accounts, by account.
func (t *tx) Activity(ctx context.Context, watch string) ([]*alerts.AccountActivity, error) {
	out, err := collect(ctx, t, scanActivity, activitySelect+` WHERE watch = $1 ORDER BY account`, watch)
	if err != nil {
		return nil, fmt.Errorf("list activity of %s: %w", watch, err)
	}
	return out, nil
}

// PutActivity creates or replaces one account's cadence.
func (t *tx) PutActivity(ctx context.Context, a *alerts.AccountActivity) error {
	_, err := t.exec(ctx, `INSERT INTO account_activity (watch, account, last_post_at, since_at,
		posts, mean_gap_us, silent_notified)
	VALUES ($1, $2, $3, $4, $5, $6, $7)
	ON CONFLICT (watch, account) DO UPDATE SET last_post_at = excluded.last_post_at,
		since_at = excluded.since_at, posts = excluded.posts, mean_gap_us = excluded.mean_gap_us,
		silent_notified = excluded.silent_notified`,
		a.Watch, a.Account, micros(a.LastPostAt), micros(a.Since), a.Posts, a.MeanGap.Microseconds(), flag(a.SilentNotified))
	if err != nil {
		return fmt.Errorf("put activity %s/%s: %w", a.Watch, a.Account, err)
	}
	return nil
}

// PutBudget creates or replaces a request budget's last reading.
func (t *tx) PutBudget(ctx context.Context, b *alerts.Budget) error {
	_, err := t.exec(ctx, `INSERT INTO budgets (name, max_calls, remaining, reset_at, updated_at)
	VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT (name) DO UPDATE SET max_calls = excluded.max_calls,
		remaining = excluded.remaining, reset_at = excluded.reset_at, updated_at = excluded.updated_at`,
		b.Name, b.Limit, b.Remaining, micros(b.Reset), micros(b.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put budget %s: %w", b.Name, err)
	}
	return nil
}

// Budgets lists the recorded request budgets by name.
func (t *tx) Budgets(ctx context.Context) ([]*alerts.Budget, error) {
	out, err := collect(ctx, t, func(row scanner) (*alerts.Budget, error) {
		var b alerts.Budget
		if err := row.Scan(&b.Name, &b.Limit, &b.Remaining, timeCol{&b.Reset}, timeCol{&b.UpdatedAt}); err != nil {
			return nil, err
		}
		return &b, nil
	}, `SELECT name, max_calls, remaining, reset_at, updated_at FROM budgets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list budgets: %w", err)
	}
	return out, nil
}

// PutReplica creates or replaces a process's heartbeat.
func (t *tx) PutReplica(ctx context.Context, r *alerts.Replica) error {
	holds, err := jsonList(r.Holds)
	if err != nil {
		return fmt.Errorf("put replica %s: %w", r.ID, err)
	}
	_, err = t.exec(ctx, `INSERT INTO replicas (id, host, pid, version, started_at, seen_at, holds)
	VALUES ($1, $2, $3, $4, $5, $6, $7)
	ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid,
		version = excluded.version, started_at = excluded.started_at,
		seen_at = excluded.seen_at, holds = excluded.holds`,
		r.ID, r.Host, r.PID, r.Version, micros(r.StartedAt), micros(r.SeenAt), holds)
	if err != nil {
		return fmt.Errorf("put replica %s: %w", r.ID, err)
	}
	return nil
}

// Replicas lists the processes whose heartbeat is at or after since.
func (t *tx) Replicas(ctx context.Context, since time.Time) ([]*alerts.Replica, error) {
	out, err := collect(ctx, t, func(row scanner) (*alerts.Replica, error) {
		var r alerts.Replica
		err := row.Scan(&r.ID, &r.Host, &r.PID, &r.Version, timeCol{&r.StartedAt}, timeCol{&r.SeenAt}, jsonCol{&r.Holds})
		if err != nil {
			return nil, err
		}
		return &r, nil
	}, `SELECT id, host, pid, version, started_at, seen_at, holds FROM replicas WHERE seen_at >= $1 ORDER BY id`, since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("list replicas: %w", err)
	}
	return out, nil
}
