package postgres_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
	"github.com/lookoutbot/lookout/internal/store/storetest"
)

// openDB opens and migrates a fresh schema.
func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db := openRaw(t, pgtest.DSN(t))
	if err := postgres.Migrate(context.Background(), db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

// openRaw opens dsn without migrating.
func openRaw(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	pgtest.ServerURL(t)
	t.Parallel()
	storetest.Run(t, func(t *testing.T) (alerts.Store, *storetest.Jobs) {
		jobs := storetest.NewJobs()
		return postgres.New(openDB(t), jobs), jobs
	})
}

// TestMigrationsMirrorSQLite checks that every SQLite migration has its
// PostgreSQL twin and that both schemas end with the same tables and
// columns: the store's queries are shared.
func TestMigrationsMirrorSQLite(t *testing.T) {
	pgFiles, _ := fs.Glob(postgres.Dialect.Migrations, "*.sql")
	liteFiles, _ := fs.Glob(sqlite.Dialect.Migrations, "*.sql")
	if !slices.Equal(pgFiles, liteFiles) {
		t.Fatalf("postgres migrations %v; want one per sqlite migration %v", pgFiles, liteFiles)
	}

	pg := openDB(t)
	lite, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if err := sqlite.Migrate(t.Context(), lite); err != nil {
		t.Fatal(err)
	}
	want := columns(t, lite, `SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'river_%'`)
	got := columns(t, pg, `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name NOT LIKE 'river_%'`)
	if !slices.Equal(got, want) {
		t.Errorf("postgres columns:\n got %v\nwant %v", got, want)
	}
}

func columns(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatalf("list columns: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// TestMigrateConcurrentReplicas starts several "replicas" migrating one
// empty schema at once: the lock makes them take turns, every one
// succeeds, and each migration is applied once.
func TestMigrateConcurrentReplicas(t *testing.T) {
	dsn := pgtest.DSN(t)
	const replicas = 4
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		running int
		overlap bool
	)
	errs := make([]error, replicas)
	for i := range replicas {
		db := openRaw(t, dsn)
		wg.Go(func() {
			errs[i] = postgres.Migrate(t.Context(), db, func(context.Context) error {
				mu.Lock()
				running++
				overlap = overlap || running > 1
				mu.Unlock()
				defer func() { mu.Lock(); running--; mu.Unlock() }()
				// Work on the pool while the lock is held, as River's
				// migrations do.
				_, err := db.ExecContext(t.Context(), `CREATE TABLE IF NOT EXISTS extra (x INTEGER)`)
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Migrate: %v", i, err)
		}
	}
	if overlap {
		t.Error("two replicas ran their extra migration step at the same time")
	}
	db := openRaw(t, dsn)
	files, _ := fs.Glob(postgres.Dialect.Migrations, "*.sql")
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM lookout_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Errorf("lookout_migrations rows = %d, %v; want %d", n, err, len(files))
	}
	// The lock went back: nothing holds it now.
	var held int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND pid IN (SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_advisory_lock%' AND pid <> pg_backend_pid())`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Errorf("%d advisory locks still held after Migrate", held)
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://lookout:s3cret-pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("error %q repeats the password", err)
	}
}
