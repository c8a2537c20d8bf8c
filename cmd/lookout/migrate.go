package main

import (
	"context"
	"flag"
	"fmt"
)

// cmdMigrate creates or upgrades the schema (Lookout's and the work
// queue's). `run` does the same at start; this lets operators do it ahead
// of a deploy. With --from sqlite:PATH it then copies an embedded store
// into the configured PostgreSQL one (migrate_from.go).
func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	from := fs.String("from", "", "copy the SQLite store at `sqlite:PATH` into the configured postgres store")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return fmt.Errorf("usage: lookout migrate [--from sqlite:PATH]: %w", errUsage)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	d, err := openDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if *from != "" {
		return migrateFrom(ctx, e.stdout, cfg, d, *from)
	}
	fmt.Fprintf(e.stdout, "%s store at %s is up to date\n", cfg.Store.Driver, cfg.Redacted().Store.DSN)
	return nil
}
