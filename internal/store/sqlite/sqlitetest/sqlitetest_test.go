package sqlitetest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
)

func TestOpenIsMigratedAndEmpty(t *testing.T) {
	st := sqlitetest.Open(t)
	err := st.View(t.Context(), func(tx alerts.Tx) error {
		_, err := tx.Alert(context.Background(), 1)
		return err
	})
	if !errors.Is(err, alerts.ErrNotFound) {
		t.Fatalf("Alert(1) on a new store: got %v; want ErrNotFound", err)
	}
}

func TestOpenDBSharesTheDatabase(t *testing.T) {
	db, st := sqlitetest.OpenDB(t)
	if st.SQL() != db {
		t.Fatal("OpenDB: the store is not over the returned database")
	}
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM lookout_migrations`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("applied migrations: got %d, %v; want some", n, err)
	}
}

func TestEachOpenIsItsOwnDatabase(t *testing.T) {
	a, _ := sqlitetest.OpenDB(t)
	b, _ := sqlitetest.OpenDB(t)
	if _, err := a.ExecContext(t.Context(), `CREATE TABLE only_in_a (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ExecContext(t.Context(), `SELECT x FROM only_in_a`); err == nil {
		t.Fatal("a table created in one database is visible in another")
	}
}
