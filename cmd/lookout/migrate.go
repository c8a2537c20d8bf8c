package main

import (
	"context"
	"fmt"
)

// cmdMigrate creates or upgrades the schema (Lookout's and the work
// queue's). `run` does the same at start; this lets operators do it ahead
// of a deploy.
func cmdMigrate(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("migrate takes no arguments: %w", errUsage)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	d, err := openDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	fmt.Fprintf(e.stdout, "%s store at %s is up to date\n", cfg.Store.Driver, cfg.Store.DSN)
	return nil
}
