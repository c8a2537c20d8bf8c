package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
)

// storeConfig writes a config on the given store watching url, with an
// escalation policy so alerts carry pending timers.
func storeConfig(t *testing.T, driver, dsn, url string) string {
	cfg := filepath.Join(t.TempDir(), "lookout.toml")
	writeFile(t, cfg, fmt.Sprintf(`
[store]
driver = %q
dsn = %q
[http]
listen = ""
[sources.feed]
allow_private = true   # the test's feeds are on loopback
[[watch]]
name = "w"
source = "feed"
accounts = [%q]
keywords = ["cartel"]
interval = "10s"
backfill = true
[[route]]
name = "default"
console = true
policy = "oncall"
[[policy]]
name = "oncall"
[[policy.step]]
after = "1h"
notify = ["console"]
[roles]
admin = ["cli:maria"]
`, driver, dsn, url))
	return cfg
}

// runUntil runs `lookout run` in-process until cond holds on its output.
func runUntil(t *testing.T, cfg, what string, cond func(out string) bool) string {
	t.Helper()
	r := startRun(t, cfg)
	waitFor(t, what, func() bool { return cond(r.out.String()) })
	r.stop(t)
	if t.Failed() {
		t.FailNow()
	}
	return r.out.String()
}

// TestMigrateFromSQLite fills a SQLite store the way a team would (alerts,
// an ack, a mute, a watch added from the CLI, pending timers, one card not
// yet delivered), copies it into PostgreSQL with `lookout migrate --from`,
// and checks that the records, ids and history came along, that the copy
// refuses to run twice, and that `lookout run` on PostgreSQL alerts nothing
// twice and delivers the pending card.
func TestMigrateFromSQLite(t *testing.T) {
	f := newFeed(t, "cartel one", "weather", "cartel two", "cartel three")
	litePath := filepath.Join(t.TempDir(), "lookout.db")
	liteCfg := storeConfig(t, "sqlite", litePath, f.srv.URL)
	runUntil(t, liteCfg, "three cards on sqlite", func(out string) bool { return strings.Contains(out, "── A-3 ") })
	for _, args := range [][]string{
		{"alerts", "ack", "A-1", "on it", "--as", "maria"},
		{"alerts", "mute", "A-2", "for", "2h", "noise", "--as", "maria"},
		{"watch", "add", "extra", "--source", "feed", "--accounts", f.srv.URL + "/extra", "--as", "maria"},
	} {
		if code, out, errOut := lookout(t, liteCfg, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s %s", args, code, out, errOut)
		}
	}
	// One card still waiting in the outbox, as after a crash.
	lite, err := sqlite.Open(t.Context(), litePath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lite.ExecContext(t.Context(), `INSERT INTO deliveries (alert_id, destination, kind, state, created_at)
		VALUES (3, 'console', 'card', 'pending', $1)`, time.Now().UnixMicro()); err != nil {
		t.Fatal(err)
	}
	wantRows := tableCounts(t, lite)
	pendingDeliveries := countRows(t, lite, `SELECT count(*) FROM deliveries WHERE state = 'pending'`)
	pendingTimers := countRows(t, lite, `SELECT count(*) FROM timers WHERE state = 'pending'`)
	if pendingDeliveries < 2 || pendingTimers < 2 {
		t.Fatalf("fixture: %d pending deliveries, %d pending timers; want some of each", pendingDeliveries, pendingTimers)
	}
	_ = lite.Close()
	wantList := listAlerts(t, liteCfg)
	_, wantHistory, _ := lookout(t, liteCfg, "alerts", "history", "A-1", "--json", "--as", "maria")

	dsn := pgtest.DSN(t)
	pgCfg := storeConfig(t, "postgres", dsn, f.srv.URL)
	code, out, errOut := lookout(t, pgCfg, "migrate", "--from", "sqlite:"+litePath)
	if code != 0 {
		t.Fatalf("migrate --from: exit %d: %s %s", code, out, errOut)
	}
	if !strings.Contains(out, fmt.Sprintf("re-enqueued %d pending deliveries and %d pending timers", pendingDeliveries, pendingTimers)) {
		t.Errorf("migrate --from output lacks the re-enqueued work:\n%s", out)
	}
	pg, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if got := tableCounts(t, pg); fmt.Sprint(got) != fmt.Sprint(wantRows) {
		t.Errorf("rows after the copy:\n got %v\nwant %v", got, wantRows)
	}
	if got := listAlerts(t, pgCfg); fmt.Sprint(got) != fmt.Sprint(wantList) {
		t.Errorf("alerts list on postgres:\n got %v\nwant %v", got, wantList)
	}
	if _, got, _ := lookout(t, pgCfg, "alerts", "history", "A-1", "--json", "--as", "maria"); got != wantHistory {
		t.Errorf("history of A-1 on postgres:\n got %s\nwant %s", got, wantHistory)
	}
	if n := countRows(t, pg, `SELECT count(*) FROM river_job WHERE queue = 'deliver' AND state = 'available'`); n != pendingDeliveries {
		t.Errorf("delivery jobs: got %d; want %d", n, pendingDeliveries)
	}
	if n := countRows(t, pg, `SELECT count(*) FROM timers t JOIN river_job j ON j.id = t.job_id
		WHERE t.state = 'pending' AND j.queue = 'timer' AND j.state = 'scheduled'`); n != pendingTimers {
		t.Errorf("pending timers pointing at their new scheduled job: got %d; want %d", n, pendingTimers)
	}

	code, _, errOut = lookout(t, pgCfg, "migrate", "--from", "sqlite:"+litePath)
	if code == 0 || !strings.Contains(errOut, "empty store only") {
		t.Errorf("second migrate --from: exit %d, stderr %q; want a refusal", code, errOut)
	}

	// New ids continue after the copied ones; nothing alerts twice; the
	// pending card is delivered.
	f.items = append(f.items, "cartel four")
	pgOut := runUntil(t, pgCfg, "the new post's card and the pending one", func(out string) bool {
		return strings.Contains(out, "── A-4 ") && strings.Contains(out, "── A-3 ")
	})
	for _, ref := range []string{"── A-1 ", "── A-2 "} {
		if strings.Contains(pgOut, ref) {
			t.Errorf("run on postgres printed %q again:\n%s", ref, pgOut)
		}
	}
}

// tableCounts counts the rows of Lookout's tables.
func tableCounts(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	out := make(map[string]int)
	for _, tb := range []string{"posts", "seen", "alerts", "mutes", "audit_events", "deliveries", "timers", "watches", "watch_state"} {
		out[tb] = countRows(t, db, `SELECT count(*) FROM `+tb)
	}
	return out
}

func TestMigrateFromRefusesBadSources(t *testing.T) {
	pgCfg := storeConfig(t, "postgres", pgtest.DSN(t), "https://example.org/feed")
	for _, tc := range []struct{ from, want string }{
		{"lookout.db", "must be sqlite:PATH"},
		{"sqlite:" + filepath.Join(t.TempDir(), "missing.db"), "no such file"},
	} {
		code, _, errOut := lookout(t, pgCfg, "migrate", "--from", tc.from)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("--from %s: exit %d, stderr %q; want an error with %q", tc.from, code, errOut, tc.want)
		}
	}
	liteCfg := storeConfig(t, "sqlite", filepath.Join(t.TempDir(), "a.db"), "https://example.org/feed")
	code, _, errOut := lookout(t, liteCfg, "migrate", "--from", "sqlite:x.db")
	if code == 0 || !strings.Contains(errOut, "copies into a postgres store") {
		t.Errorf("--from with a sqlite config: exit %d, stderr %q", code, errOut)
	}
}
