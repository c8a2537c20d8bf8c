package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/jobs"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
)

// copyOrder lists the tables whose order matters (alerts refer to posts);
// any other Lookout table follows, by name. The work queue's tables are not
// copied: pending work is re-enqueued from the rows that describe it.
var copyOrder = []string{"posts", "seen", "alerts", "mutes", "audit_events", "deliveries", "timers", "watches", "watch_state"}

// notCopied are tables of process state, not records: the heartbeats of
// running processes and the request budgets they last saw.
var notCopied = []string{"replicas", "budgets"}

// copyBatch is how many rows one INSERT carries.
const copyBatch = 200

// migrateFrom copies the SQLite store at from ("sqlite:PATH") into the
// configured PostgreSQL store d, which must be empty: watches, posts with
// their evidence, alerts, history, mutes, timers, cursors and watch state,
// and the outbox. Ids are kept (A-42 stays A-42). Pending deliveries and
// timers get their jobs again, in the same transaction as the copy, so a
// replica started afterwards picks them up; poll jobs come from the
// reconciler at start. The SQLite file is locked for the copy, so no
// `lookout run` can write to it meanwhile.
func migrateFrom(ctx context.Context, w io.Writer, cfg *config.Config, d *database, from string) error {
	path, ok := strings.CutPrefix(from, "sqlite:")
	if !ok || path == "" {
		return fmt.Errorf("--from must be sqlite:PATH, not %q: %w", from, errUsage)
	}
	if cfg.Store.Driver != "postgres" {
		return fmt.Errorf("migrate --from copies into a postgres store; the config's store.driver is %q", cfg.Store.Driver)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("migrate --from: %w", err)
	}
	unlock, err := sqlite.Lock(path)
	if err != nil {
		return fmt.Errorf("migrate --from: %w", err)
	}
	defer unlock()
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer src.Close()
	// An older file is brought to the current schema first, so both sides
	// have the same columns.
	if err := sqlite.Migrate(ctx, src); err != nil {
		return fmt.Errorf("migrate --from: upgrade %s: %w", path, err)
	}
	tables, err := sourceTables(ctx, src)
	if err != nil {
		return fmt.Errorf("migrate --from: %w", err)
	}
	eng, err := jobs.New(d.db, d.river, jobs.Deps{Store: d.store}, jobs.Options{})
	if err != nil {
		return err
	}
	counts := make(map[string]int)
	var requeued [2]int
	err = d.store.Update(ctx, func(atx alerts.Tx) error {
		tx, _ := store.SQLTx(atx)
		if err := requireEmpty(ctx, tx, tables); err != nil {
			return err
		}
		for _, t := range tables {
			n, err := copyTable(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			counts[t] = n
		}
		requeued, err = requeue(ctx, tx, eng)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate --from %s: %w", path, err)
	}
	for _, t := range tables {
		fmt.Fprintf(w, "%-16s %d rows\n", t, counts[t])
	}
	fmt.Fprintf(w, "re-enqueued %d pending deliveries and %d pending timers\n", requeued[0], requeued[1])
	fmt.Fprintf(w, "copied %s into the postgres store at %s\n", path, cfg.Redacted().Store.DSN)
	return nil
}

// sourceTables lists Lookout's tables in the SQLite file in copy order.
func sourceTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'river_%' AND name <> 'lookout_migrations' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var rest []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		if !slices.Contains(copyOrder, name) && !slices.Contains(notCopied, name) {
			rest = append(rest, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return append(slices.Clone(copyOrder), rest...), nil
}

// requireEmpty refuses to copy over existing records: ids would collide,
// and a half-merged store is worse than a clear error.
func requireEmpty(ctx context.Context, tx *sql.Tx, tables []string) error {
	for _, t := range tables {
		var has bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&has); err != nil {
			return fmt.Errorf("check %s: %w", t, err)
		}
		if has {
			return fmt.Errorf("the postgres store already holds %s; migrate --from copies into an empty store only", t)
		}
	}
	return nil
}

// copyTable copies every row of table t, column for column, and moves its
// id sequence past the copied ids.
func copyTable(ctx context.Context, src *sql.DB, tx *sql.Tx, t string) (int, error) {
	binary, err := byteaColumns(ctx, tx, t)
	if err != nil {
		return 0, err
	}
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+t)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	var (
		batch [][]any
		n     int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := insertRows(ctx, tx, t, cols, batch); err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			// SQLite may hand text back as bytes; only BYTEA columns take
			// bytes on PostgreSQL.
			if b, ok := v.([]byte); ok && !binary[cols[i]] {
				vals[i] = string(b)
			}
		}
		batch = append(batch, vals)
		if len(batch) == copyBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	if slices.Contains(cols, "id") {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'),
			COALESCE((SELECT max(id) FROM `+t+`), 1), (SELECT max(id) FROM `+t+`) IS NOT NULL)`, t); err != nil {
			return n, fmt.Errorf("advance id sequence: %w", err)
		}
	}
	return n, nil
}

func byteaColumns(ctx context.Context, tx *sql.Tx, t string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'bytea'`, t)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]bool)
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out[c] = true
	}
	return out, rows.Err()
}

func insertRows(ctx context.Context, tx *sql.Tx, t string, cols []string, batch [][]any) error {
	var q strings.Builder
	args := make([]any, 0, len(batch)*len(cols))
	fmt.Fprintf(&q, "INSERT INTO %s (%s) VALUES ", t, strings.Join(cols, ", "))
	for r, vals := range batch {
		if r > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for i, v := range vals {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, v)
			fmt.Fprintf(&q, "$%d", len(args))
		}
		q.WriteByte(')')
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// requeue enqueues the job of every pending delivery and timer, inside tx.
// A timer gets a new job (the SQLite queue's ids mean nothing here) due at
// its original time; one already overdue fires at once.
func requeue(ctx context.Context, tx *sql.Tx, eng *jobs.Engine) ([2]int, error) {
	var n [2]int
	ids, err := pendingIDs(ctx, tx, `SELECT id FROM deliveries WHERE state = $1 ORDER BY id`, string(alerts.DeliveryPending))
	if err != nil {
		return n, fmt.Errorf("pending deliveries: %w", err)
	}
	for _, id := range ids {
		if err := eng.DeliverTx(ctx, tx, &alerts.Delivery{ID: id}); err != nil {
			return n, err
		}
		n[0]++
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(due_at, 0) FROM timers WHERE state = $1 ORDER BY id`, string(alerts.TimerPending))
	if err != nil {
		return n, fmt.Errorf("pending timers: %w", err)
	}
	var timers []*alerts.Timer
	for rows.Next() {
		var id, due int64
		if err := rows.Scan(&id, &due); err != nil {
			rows.Close()
			return n, fmt.Errorf("pending timers: %w", err)
		}
		timers = append(timers, &alerts.Timer{ID: id, DueAt: time.UnixMicro(due).UTC()})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("pending timers: %w", err)
	}
	for _, tm := range timers {
		job, err := eng.TimerTx(ctx, tx, tm)
		if err != nil {
			return n, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE timers SET job_id = $1 WHERE id = $2`, job, tm.ID); err != nil {
			return n, fmt.Errorf("timer %d: %w", tm.ID, err)
		}
		n[1]++
	}
	return n, nil
}

func pendingIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
