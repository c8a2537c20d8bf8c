// Package store keeps Lookout's state in a SQL database through
// database/sql: one implementation of alerts.Store that serves the embedded
// SQLite file and a shared PostgreSQL database alike.
//
// The queries are portable (numbered $n placeholders, RETURNING, ON CONFLICT,
// times as unix microseconds, booleans as 0/1 integers, lists as JSON text);
// what differs between databases is the schema, which each Dialect carries
// as its own migrations.
//
// Background work (deliveries, timers) is enqueued through Jobs inside the
// same transaction that writes the rows it concerns, so a rolled-back change
// never leaves a job behind.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/lookoutbot/lookout/alerts"
)

// Jobs is how the store enqueues background work inside its transactions.
// Every method runs on the caller's transaction and must not touch the pool:
// SQLite runs with one connection, so anything else deadlocks.
type Jobs interface {
	// DeliverTx enqueues the job that sends a delivery.
	DeliverTx(ctx context.Context, tx *sql.Tx, d *alerts.Delivery) error
	// TimerTx schedules the job that fires a timer at its due time and
	// returns the job's id.
	TimerTx(ctx context.Context, tx *sql.Tx, t *alerts.Timer) (jobID int64, err error)
	// CancelTx cancels a job scheduled by TimerTx.
	CancelTx(ctx context.Context, tx *sql.Tx, jobID int64) error
}

// DB is an alerts.Store over a database/sql pool.
type DB struct {
	db      *sql.DB
	dialect Dialect

	mu   sync.RWMutex
	jobs Jobs
}

var _ alerts.Store = (*DB)(nil)

// New returns a store over db, whose schema must already be migrated for
// dialect d. jobs may be nil, in which case no work is enqueued until
// SetJobs is called: the work engine usually needs the *sql.DB before it
// exists.
func New(db *sql.DB, d Dialect, jobs Jobs) *DB {
	s := &DB{db: db, dialect: d}
	s.SetJobs(jobs)
	return s
}

// SetJobs sets how later transactions enqueue background work; nil enqueues
// nothing. Transactions already running keep the Jobs they started with.
func (s *DB) SetJobs(j Jobs) {
	if j == nil {
		j = noJobs{}
	}
	s.mu.Lock()
	s.jobs = j
	s.mu.Unlock()
}

// Dialect returns the dialect the store was opened with.
func (s *DB) Dialect() Dialect { return s.dialect }

// SQL returns the underlying pool, for the work engine and health checks.
// Never use it inside Update or View: on SQLite the transaction holds the
// only connection.
func (s *DB) SQL() *sql.DB { return s.db }

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.dialect.Name, err)
	}
	return nil
}

// Update runs fn in one read-write transaction and commits only if fn
// returns nil. fn's error is returned as it is; a panic in fn rolls back and
// panics again. The alerts.Tx must not be used after fn returns, nor from
// several goroutines at once.
func (s *DB) Update(ctx context.Context, fn func(alerts.Tx) error) error {
	return s.run(ctx, nil, true, fn)
}

// View runs fn in one read-only transaction, which is always rolled back:
// writes made in fn are refused or discarded, depending on the database.
func (s *DB) View(ctx context.Context, fn func(alerts.Tx) error) error {
	return s.run(ctx, &sql.TxOptions{ReadOnly: true}, false, fn)
}

func (s *DB) run(ctx context.Context, opts *sql.TxOptions, commit bool, fn func(alerts.Tx) error) (err error) {
	s.mu.RLock()
	jobs := s.jobs
	s.mu.RUnlock()

	sqlTx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if commit && s.dialect.WriteLock != "" {
		if _, err := sqlTx.ExecContext(ctx, s.dialect.WriteLock); err != nil {
			_ = sqlTx.Rollback()
			return fmt.Errorf("begin: take write lock: %w", err)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&tx{tx: sqlTx, jobs: jobs}); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if !commit {
		if err := sqlTx.Rollback(); err != nil {
			return fmt.Errorf("end read: %w", err)
		}
		return nil
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// noJobs enqueues nothing: the store works without a work engine, as in
// tools that only read or in tests of the storage itself.
type noJobs struct{}

func (noJobs) DeliverTx(context.Context, *sql.Tx, *alerts.Delivery) error     { return nil }
func (noJobs) TimerTx(context.Context, *sql.Tx, *alerts.Timer) (int64, error) { return 0, nil }
func (noJobs) CancelTx(context.Context, *sql.Tx, int64) error                 { return nil }

// SQLTx returns the *sql.Tx behind an alerts.Tx given to fn by Update or
// View, so that work-engine calls made inside a store transaction (such as
// completing the running job) join it. It reports false for any other Tx.
func SQLTx(t alerts.Tx) (*sql.Tx, bool) {
	x, ok := t.(*tx)
	if !ok {
		return nil, false
	}
	return x.tx, true
}
