// Package sqlitetest gives tests a real, migrated SQLite store in a
// temporary directory, so they run against the same schema and
// transactions as production. It is for tests only.
package sqlitetest

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
)

// Open returns a store over a new, migrated database in t's temporary
// directory, closed when the test ends. The store enqueues no background
// work until SetJobs is called.
func Open(t testing.TB) *store.DB {
	t.Helper()
	_, st := OpenDB(t)
	return st
}

// OpenDB is Open that also returns the database under the store, for
// tests that read or write tables directly.
func OpenDB(t testing.TB) (*sql.DB, *store.DB) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lookout.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := sqlite.Migrate(t.Context(), db); err != nil {
		t.Fatalf("migrate store: %v", err)
	}
	return db, sqlite.New(db, nil)
}
