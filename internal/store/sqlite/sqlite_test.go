package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
	"github.com/lookoutbot/lookout/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (alerts.Store, *storetest.Jobs) {
		jobs := storetest.NewJobs()
		st := sqlitetest.Open(t)
		st.SetJobs(jobs)
		return st, jobs
	})
}

func TestOpenSettings(t *testing.T) {
	db, _ := sqlitetest.OpenDB(t)
	cases := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
		{"foreign_keys", "1"},
	}
	for _, c := range cases {
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", c.pragma, err)
		}
		if got != c.want {
			t.Errorf("PRAGMA %s = %s; want %s", c.pragma, got, c.want)
		}
	}
	if got := db.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("MaxOpenConnections = %d; want 1", got)
	}
}

func TestOpenRejectsDSN(t *testing.T) {
	for _, path := range []string{"", "x.db?_pragma=foreign_keys(0)", "x.db#frag"} {
		if db, err := sqlite.Open(t.Context(), path); err == nil {
			_ = db.Close()
			t.Errorf("Open(%q) succeeded; want an error", path)
		}
	}
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	db, _ := sqlitetest.OpenDB(t) // migrated once
	before := appliedMigrations(t, db)
	if err := sqlite.Migrate(t.Context(), db); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	after := appliedMigrations(t, db)
	if !slices.Equal(before, after) {
		t.Errorf("applied after second run = %v; want %v", after, before)
	}
	files, err := fs.Glob(sqlite.Dialect.Migrations, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 || !slices.Equal(after, files) {
		t.Errorf("lookout_migrations lists %v; want every file %v", after, files)
	}
}

func TestMigrateAppliesNewFilesInOrder(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fsys := fstest.MapFS{
		"0002_b.sql": {Data: []byte("ALTER TABLE a ADD COLUMN y TEXT;\nCREATE TABLE b (id INTEGER);")},
		"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"README.md":  {Data: []byte("ignored")},
	}
	if err := store.Migrate(t.Context(), db, fsys); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	fsys["0003_c.sql"] = &fstest.MapFile{Data: []byte("INSERT INTO b (id) VALUES (1);")}
	if err := store.Migrate(t.Context(), db, fsys); err != nil {
		t.Fatalf("Migrate with a new file: %v", err)
	}
	if err := store.Migrate(t.Context(), db, fsys); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM b").Scan(&n); err != nil || n != 1 {
		t.Errorf("rows in b = %d, %v; want 1 (0003 applied once)", n, err)
	}
	want := []string{"0001_a.sql", "0002_b.sql", "0003_c.sql"}
	if got := appliedMigrations(t, db); !slices.Equal(got, want) {
		t.Errorf("applied = %v; want %v", got, want)
	}
}

func TestMigrateFailureRollsBackThatFile(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fsys := fstest.MapFS{
		"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"0002_b.sql": {Data: []byte("CREATE TABLE b (id INTEGER); CREATE TABLE a (x INTEGER);")},
	}
	err = store.Migrate(t.Context(), db, fsys)
	if err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("Migrate error = %v; want one naming 0002_b.sql", err)
	}
	if got := appliedMigrations(t, db); !slices.Equal(got, []string{"0001_a.sql"}) {
		t.Errorf("applied = %v; want only 0001_a.sql", got)
	}
	var name string
	err = db.QueryRowContext(t.Context(), "SELECT name FROM sqlite_master WHERE name = 'b'").Scan(&name)
	if !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("table b exists after its migration failed (err %v)", err)
	}
}

func TestMigrateRejectsBadNames(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"no version":     {"init.sql": {Data: []byte("SELECT 1;")}},
		"short version":  {"01_init.sql": {Data: []byte("SELECT 1;")}},
		"shared version": {"0001_a.sql": {Data: []byte("SELECT 1;")}, "0001_b.sql": {Data: []byte("SELECT 1;")}},
	}
	for name, fsys := range cases {
		t.Run(name, func(t *testing.T) {
			db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := store.Migrate(t.Context(), db, fsys); err == nil {
				t.Error("Migrate succeeded; want an error")
			}
		})
	}
}

func appliedMigrations(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT name FROM lookout_migrations ORDER BY name")
	if err != nil {
		t.Fatalf("list migrations: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestJobsSetLater(t *testing.T) {
	s := sqlitetest.Open(t)
	ctx := t.Context()
	insert := func() (*alerts.Delivery, *alerts.Timer) {
		t.Helper()
		d := &alerts.Delivery{Destination: "console", Kind: alerts.DeliveryNotice}
		tm := &alerts.Timer{Kind: alerts.TimerEscalate, AlertID: 1}
		err := s.Update(ctx, func(tx alerts.Tx) error {
			return errors.Join(tx.InsertDelivery(ctx, d), tx.InsertTimer(ctx, tm))
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		return d, tm
	}
	if _, tm := insert(); tm.JobID != 0 {
		t.Errorf("without jobs: JobID = %d; want 0", tm.JobID)
	}
	jobs := storetest.NewJobs()
	s.SetJobs(jobs)
	d, tm := insert()
	if tm.JobID == 0 {
		t.Error("with jobs: JobID = 0; want the scheduled job")
	}
	if got := jobs.Delivered(); !slices.Equal(got, []int64{d.ID}) {
		t.Errorf("delivered %v; want [%d]", got, d.ID)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestSQLTx(t *testing.T) {
	s := sqlitetest.Open(t)
	err := s.Update(t.Context(), func(tx alerts.Tx) error {
		sqlTx, ok := store.SQLTx(tx)
		if !ok {
			t.Fatal("SQLTx reported false for the store's own Tx")
		}
		// Work done on the *sql.Tx joins the store transaction; on the
		// pool it would deadlock.
		var n int
		return sqlTx.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM alerts").Scan(&n)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if _, ok := store.SQLTx(nil); ok {
		t.Error("SQLTx(nil) reported true")
	}
}
