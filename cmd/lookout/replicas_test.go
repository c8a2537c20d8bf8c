package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
)

// gatedFeed serves an RSS feed whose responses wait until the gate opens,
// so a test can catch a replica in the middle of its polls.
type gatedFeed struct {
	items    []string
	inflight atomic.Int64
	gate     chan struct{}
	srv      *httptest.Server
}

func newGatedFeed(t *testing.T, gate chan struct{}, items ...string) *gatedFeed {
	f := &gatedFeed{items: items, gate: gate}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.inflight.Add(1)
		defer f.inflight.Add(-1)
		select {
		case <-f.gate:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>`)
		for i, it := range f.items {
			fmt.Fprintf(w, `<item><guid>%s-%d</guid><title>%s</title><link>https://example.org/p/%d</link><pubDate>%s</pubDate></item>`,
				r.URL.Path, i, it, i, time.Date(2026, 11, 1, 10, i, 0, 0, time.UTC).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// postgresConfig writes a config for replicas sharing the schema of dsn,
// watching each feed URL and printing cards to the console. Jobs of a dead
// replica are rescued after 5 s.
func postgresConfig(t *testing.T, dsn string, feeds []string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `log_level = "info"
[store]
driver = "postgres"
dsn = %q
rescue_after = "5s"
[http]
listen = ""
[scheduler]
max_concurrent_per_source = 20
jitter = 0.0
[delivery]
pace_per_channel = "0s"
[[route]]
name = "default"
console = true
[roles]
admin = ["cli:maria"]
`, dsn)
	for i, u := range feeds {
		fmt.Fprintf(&b, "[[watch]]\nname = \"w%d\"\nsource = \"feed\"\naccounts = [%q]\nkeywords = [\"cartel\"]\ninterval = \"1m\"\nbackfill = true\n", i, u)
	}
	cfg := filepath.Join(t.TempDir(), "lookout.toml")
	writeFile(t, cfg, b.String())
	return cfg
}

// buildLookout builds the binary once per test.
func buildLookout(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lookout")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// replica is one `lookout run` process.
type replica struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
}

func startReplica(t *testing.T, bin, cfg, name string) *replica {
	t.Helper()
	r := &replica{name: name, out: &syncBuffer{}}
	r.cmd = exec.Command(bin, "-config", cfg, "run")
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		_ = r.cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", r.name, r.out.String())
		}
	})
	return r
}

var cardRef = regexp.MustCompile(`── (A-\d+)  `)

// cards counts the cards printed by every replica, by alert reference.
func cards(rs ...*replica) map[string]int {
	n := make(map[string]int)
	for _, r := range rs {
		for _, m := range cardRef.FindAllStringSubmatch(r.out.String(), -1) {
			n[m[1]]++
		}
	}
	return n
}

// TestReplicasShareWorkAndSurviveKill runs three `lookout run` processes on
// one PostgreSQL schema. The first starts alone and is killed with SIGKILL
// while every one of its polls is in flight; the two others, started
// meanwhile, take its jobs over once River's rescuer declares them stuck.
// Every post must alert once and every card be printed once, by the
// survivors.
func TestReplicasShareWorkAndSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	dsn := pgtest.DSN(t)
	bin := buildLookout(t)
	gate := make(chan struct{})
	var feeds []*gatedFeed
	var urls []string
	const watches, perFeed = 4, 3
	for range watches {
		var items []string
		for j := range perFeed {
			items = append(items, fmt.Sprintf("cartel post %d", j))
		}
		f := newGatedFeed(t, gate, items...)
		feeds = append(feeds, f)
		urls = append(urls, f.srv.URL+"/")
	}
	cfg := postgresConfig(t, dsn, urls)

	first := startReplica(t, bin, cfg, "replica 1")
	waitFor(t, "replica 1 polling every feed", func() bool {
		for _, f := range feeds {
			if f.inflight.Load() == 0 {
				return false
			}
		}
		return true
	})
	// Two more replicas start together (their migrations take turns).
	second := startReplica(t, bin, cfg, "replica 2")
	third := startReplica(t, bin, cfg, "replica 3")
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitFor(t, "replicas 2 and 3 started", func() bool {
		return strings.Contains(second.out.String(), "lookout_started") && strings.Contains(third.out.String(), "lookout_started")
	})

	killed := time.Now()
	_ = first.cmd.Process.Signal(syscall.SIGKILL)
	_, _ = first.cmd.Process.Wait()
	close(gate)

	waitForLong(t, 90*time.Second, "a survivor polling the dead replica's watches", func() bool {
		return strings.Contains(second.out.String()+third.out.String(), "poll_alerted")
	})
	tookPolls := time.Since(killed)
	want := watches * perFeed
	waitForLong(t, 90*time.Second, "every card printed by the survivors", func() bool {
		return len(cards(second, third)) >= want
	})
	took := time.Since(killed)

	if n := countRows(t, db, `SELECT count(*) FROM alerts`); n != want {
		t.Errorf("alerts: got %d; want %d (one per post)", n, want)
	}
	if n := countRows(t, db, `SELECT count(DISTINCT (watch, chain_id)) FROM alerts`); n != want {
		t.Errorf("distinct alerted posts: got %d; want %d", n, want)
	}
	waitFor(t, "every delivery recorded as sent", func() bool {
		return countRows(t, db, `SELECT count(*) FROM deliveries WHERE state <> 'sent'`) == 0
	})
	printed := cards(first, second, third)
	for ref, n := range printed {
		if n != 1 {
			t.Errorf("%s printed %d times; want once", ref, n)
		}
	}
	if len(printed) != want {
		t.Errorf("cards printed: %d distinct; want %d", len(printed), want)
	}
	if c := cards(first); len(c) != 0 {
		t.Errorf("the killed replica printed %v before its feeds answered", c)
	}
	t.Logf("after the kill (rescue_after 5s): polls taken over in %s, all %d cards delivered in %s",
		tookPolls.Round(100*time.Millisecond), want, took.Round(100*time.Millisecond))
}

func countRows(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// waitForLong is waitFor with its own limit, for waits that include
// River's leader election and rescuer.
func waitForLong(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		<-time.After(50 * time.Millisecond)
	}
}
