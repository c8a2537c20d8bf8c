package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
)

// database is the opened, migrated store with the work engine's driver on
// the same connection pool.
type database struct {
	db    *sql.DB
	store *store.DB
	river riverdriver.Driver[*sql.Tx]
	// closeExtra, when set, closes what the driver opened beside db (the
	// PostgreSQL LISTEN pool).
	closeExtra func()
}

// Close closes the database and anything opened beside it.
func (d *database) Close() error {
	if d.closeExtra != nil {
		d.closeExtra()
	}
	return d.db.Close()
}

// openDatabase opens and migrates the configured database, the work
// queue's tables included.
func openDatabase(ctx context.Context, cfg *config.Config) (*database, error) {
	switch cfg.Store.Driver {
	case "sqlite":
		return openSQLite(ctx, cfg.Store.DSN)
	case "postgres":
		return openPostgres(ctx, cfg.Store.DSN)
	}
	return nil, fmt.Errorf("unknown store driver %q (sqlite or postgres)", cfg.Store.Driver)
}

func openSQLite(ctx context.Context, path string) (*database, error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	d := &database{db: db, store: sqlite.New(db, nil), river: riversqlite.New(db)}
	if err := sqlite.Migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	if err := migrateRiver(ctx, d.river); err != nil {
		_ = db.Close()
		return nil, err
	}
	return d, nil
}

// migrateRiver brings the work queue's tables up to date.
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
