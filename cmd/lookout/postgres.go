package main

import (
	"context"
	"errors"
)

// openPostgres opens the shared PostgreSQL store for several replicas.
// The PostgreSQL issue fills this in; until then the driver is refused
// with a clear message.
func openPostgres(_ context.Context, _ string) (*database, error) {
	return nil, errors.New(`store driver "postgres" is not available in this build yet; use driver = "sqlite"`)
}
