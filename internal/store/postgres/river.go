package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
)

// RiverDriver returns the work engine's driver over db: River works on
// database/sql (*sql.Tx, the same job code as on SQLite), and a small pgx
// pool lends it the one connection it holds for LISTEN, so a job committed
// on any replica wakes the others in milliseconds instead of at their next
// fetch poll. closePool closes that pool; db stays the caller's.
func RiverDriver(ctx context.Context, db *sql.DB, dsn string) (drv riverdriver.Driver[*sql.Tx], closePool func(), err error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open postgres listener: %w", err)
	}
	// Listener connections are taken out of the pool for good; River holds
	// one per running client and closes it when the client stops.
	cfg.MinConns, cfg.MaxConns = 0, 1
	listen, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("open postgres listener: %w", err)
	}
	return riverdatabasesql.NewWithPgxListener(db, listen), listen.Close, nil
}
