package store

import "io/fs"

// Dialect is what differs between the databases the store runs on. The
// queries are shared; the schema is not (AUTOINCREMENT against identity
// columns, BLOB against BYTEA), so each dialect brings its own migrations.
type Dialect struct {
	// Name names the database in errors and logs: "sqlite", "postgres".
	Name string
	// Migrations holds the dialect's schema as NNNN_name.sql files at the
	// root, applied in order by Migrate.
	Migrations fs.FS
	// WriteLock, when set, is the first statement of every read-write
	// transaction. PostgreSQL takes a transaction-scoped advisory lock
	// there, so that writers on every replica are serialised as SQLite's
	// BEGIN IMMEDIATE serialises them: the service's read-check-write
	// transitions (a stale ack refused, a timer racing an ack) rely on it.
	WriteLock string
}
