package jobs_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
)

// backend is a database the work engine runs on. Every engine test runs
// once per backend: the job code is the same on both, on a *sql.Tx.
type backend struct {
	name string
	// place returns where a test's database lives, a file for SQLite or a
	// fresh schema for PostgreSQL; it skips the test when the backend is
	// not available.
	place func(t *testing.T) string
	// open connects a new pool to the database at place and migrates it,
	// Lookout's tables and River's, as `lookout run` does at start.
	open func(ctx context.Context, place string) (*conn, error)
}

// conn is one process's connection to a backend.
type conn struct {
	db    *sql.DB
	store *store.DB
	river riverdriver.Driver[*sql.Tx]
	// close releases every connection, the LISTEN pool included.
	close func()
}

// backends are SQLite (always) and PostgreSQL (when LOOKOUT_TEST_POSTGRES
// names a server).
func backends() []backend {
	return []backend{
		{
			name:  "sqlite",
			place: func(t *testing.T) string { return filepath.Join(t.TempDir(), "lookout.db") },
			open:  openSQLite,
		},
		{
			name:  "postgres",
			place: func(t *testing.T) string { return pgtest.DSN(t) },
			open:  openPostgres,
		},
	}
}

// eachBackend runs test as one subtest per backend, the backends side by
// side: each has its own database, feed and chat.
func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b)
		})
	}
}

func openSQLite(ctx context.Context, path string) (*conn, error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	drv := riversqlite.New(db)
	if err := sqlite.Migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := migrateRiver(ctx, drv); err != nil {
		_ = db.Close()
		return nil, err
	}
	return &conn{db: db, store: sqlite.New(db, nil), river: drv, close: func() { _ = db.Close() }}, nil
}

// openPostgres opens the store as cmd/lookout does: River on database/sql
// for the work, with a one-connection pgx pool lent to it for LISTEN.
func openPostgres(ctx context.Context, dsn string) (*conn, error) {
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	drv, closePool, err := postgres.RiverDriver(ctx, db, dsn)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	closeAll := func() { closePool(); _ = db.Close() }
	if err := postgres.Migrate(ctx, db, func(ctx context.Context) error { return migrateRiver(ctx, drv) }); err != nil {
		closeAll()
		return nil, err
	}
	return &conn{db: db, store: postgres.New(db, nil), river: drv, close: closeAll}, nil
}

func migrateRiver(ctx context.Context, drv riverdriver.Driver[*sql.Tx]) error {
	m, err := rivermigrate.New(drv, nil)
	if err != nil {
		return fmt.Errorf("migrate work queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate work queue: %w", err)
	}
	return nil
}
