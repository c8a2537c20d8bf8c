// Package sqlite opens Lookout's embedded SQLite database (modernc.org/sqlite,
// pure Go) and provides its schema and dialect for the store package.
//
// The connection follows the guardrails of the work engine: WAL,
// busy_timeout, synchronous=NORMAL, foreign keys, BEGIN IMMEDIATE and a
// single open connection, so writers queue in the pool instead of failing
// with SQLITE_BUSY. With one connection, nothing may use the pool while a
// transaction is open: inside store.DB.Update, only the transaction.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/lookoutbot/lookout/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// driverName is the name modernc.org/sqlite registers with database/sql.
const driverName = "sqlite"

// pragmas configure every connection; see the package comment.
const pragmas = "_pragma=journal_mode(WAL)" +
	"&_pragma=busy_timeout(5000)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_txlock=immediate"

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect is the store dialect for SQLite: its name and its migrations.
var Dialect = store.Dialect{Name: "sqlite", Migrations: mustSub(migrationFiles, "migrations")}

// Open opens (creating if needed) the SQLite database at path with
// Lookout's settings and checks that it answers. path is a file path such
// as "lookout.db"; it must not carry DSN parameters of its own.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite %q: want a plain file path", path)
	}
	db, err := sql.Open(driverName, path+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One connection: writers wait for each other in the pool rather than
	// in SQLite, where several connections meet SQLITE_BUSY.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Migrate brings db's schema up to date.
func Migrate(ctx context.Context, db *sql.DB) error {
	return store.Migrate(ctx, db, Dialect.Migrations)
}

// New returns the store over db, an already migrated database from Open.
// jobs may be nil and set later with SetJobs.
func New(db *sql.DB, jobs store.Jobs) *store.DB {
	return store.New(db, Dialect, jobs)
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a constant embedded above
	}
	return sub
}
