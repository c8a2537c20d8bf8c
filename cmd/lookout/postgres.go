package main

import (
	"context"
	"fmt"

	"github.com/lookoutbot/lookout/internal/store/postgres"
)

// openPostgres opens the shared PostgreSQL store for several replicas and
// migrates it, Lookout's tables and the work queue's, under one advisory
// lock so replicas starting together take turns.
//
// The work engine runs on database/sql (*sql.Tx, the same job code as on
// SQLite); a small pgx pool only lends it the one connection it holds for
// LISTEN, so a job committed on any replica wakes the others in
// milliseconds instead of at their next fetch poll.
func openPostgres(ctx context.Context, dsn string) (*database, error) {
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	drv, closePool, err := postgres.RiverDriver(ctx, db, dsn)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	d := &database{db: db, store: postgres.New(db, nil), river: drv, closeExtra: closePool}
	if err := postgres.Migrate(ctx, db, func(ctx context.Context) error { return migrateRiver(ctx, d.river) }); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	return d, nil
}
