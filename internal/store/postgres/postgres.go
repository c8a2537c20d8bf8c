// Package postgres opens Lookout's shared PostgreSQL database (pgx through
// database/sql) and provides its schema and dialect for the store package,
// so that any number of `lookout run` replicas behave as one bot.
//
// The queries are the store package's, shared with SQLite; the schema
// mirrors sqlite/migrations file for file. Two things differ on a shared
// server: migrations run under a session advisory lock, so replicas
// starting together do not race, and every read-write transaction first
// takes a transaction advisory lock (Dialect.WriteLock), so writers on
// every replica are serialised as SQLite serialises them.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/lookoutbot/lookout/internal/store"
)

// Advisory lock keys. They are arbitrary constants in PostgreSQL's single
// bigint key space, chosen so no other application is likely to use them.
const (
	// migrationLockKey guards schema migrations (Lookout's and River's).
	migrationLockKey int64 = 0x4c6f6f6b6f75_01 // "Lookou" + 1
	// writeLockKey serialises read-write store transactions.
	writeLockKey int64 = 0x4c6f6f6b6f75_02
)

// Pool settings. A replica runs up to ~35 River workers plus chat and
// HTTP handlers; writers queue on the write lock, so more connections
// would only wait there.
const (
	maxOpenConns    = 25
	maxIdleConns    = 10
	connMaxLifetime = 30 * time.Minute
	connMaxIdleTime = 5 * time.Minute
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect is the store dialect for PostgreSQL: its name, its migrations and
// the write lock every read-write transaction takes first.
var Dialect = store.Dialect{
	Name:       "postgres",
	Migrations: mustSub(migrationFiles, "migrations"),
	WriteLock:  "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(writeLockKey, 10) + ")",
}

// Open connects to the PostgreSQL database at dsn (a postgres:// URL or
// key=value pairs, as libpq takes them) and checks that it answers. The
// DSN may carry runtime parameters such as search_path. Errors never
// repeat the password.
func Open(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxLifetime(connMaxLifetime)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open postgres %s:%d/%s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	return db, nil
}

// Migrate brings db's schema up to date under the migration lock, then
// runs each of also (the work queue's migrations) under the same lock: two
// replicas starting together take turns, and the second finds nothing to
// do.
func Migrate(ctx context.Context, db *sql.DB, also ...func(context.Context) error) error {
	return withSessionLock(ctx, db, migrationLockKey, func(ctx context.Context) error {
		if err := store.Migrate(ctx, db, Dialect.Migrations); err != nil {
			return err
		}
		for _, fn := range also {
			if err := fn(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// New returns the store over db, an already migrated database from Open.
// jobs may be nil and set later with SetJobs.
func New(db *sql.DB, jobs store.Jobs) *store.DB {
	return store.New(db, Dialect, jobs)
}

// withSessionLock runs fn while holding the session advisory lock key on a
// connection of its own, waiting for the lock as long as ctx allows. fn
// works on the pool: the lock is a mutex between sessions, not a fence
// around one connection.
func withSessionLock(ctx context.Context, db *sql.DB, key int64, fn func(context.Context) error) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("lock %d: %w", key, err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		discard(conn)
		return fmt.Errorf("lock %d: %w", key, err)
	}
	defer func() {
		// Unlock even when ctx has ended; a connection that cannot unlock
		// is thrown away, which ends its session and so the lock, rather
		// than going back to the pool still holding it.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, uerr := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key); uerr != nil {
			discard(conn)
			return
		}
		_ = conn.Close()
	}()
	return fn(ctx)
}

// discard closes conn's session instead of returning it to the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a constant embedded above
	}
	return sub
}
