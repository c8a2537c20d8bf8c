package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
)

// TestDatabaseRestartDuringABurst runs two `lookout run` replicas whose
// database sits behind a proxy, and takes the database away (every
// connection dropped, new ones refused) while a burst of posts is being
// ingested and delivered: cards are going out, and two polls are waiting
// for their feed, which answers only while the database is gone. /readyz
// must turn red on both replicas and green again by itself once the
// database is back, and every post must end up alerted once and its card
// printed once, with no delivery left pending or failed.
func TestDatabaseRestartDuringABurst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	dsn := pgtest.DSN(t)
	proxy := pgtest.NewProxy(t, dsn)
	bin := buildLookout(t)

	// Two feeds answer at once; two hold their polls until the cut.
	open, late := make(chan struct{}), make(chan struct{})
	close(open)
	const perFeed = 3
	var lateFeeds []*gatedFeed
	var urls []string
	for i := range 4 {
		var items []string
		for j := range perFeed {
			items = append(items, fmt.Sprintf("cartel post %d", j))
		}
		gate := open
		if i%2 == 1 {
			gate = late
		}
		f := newGatedFeed(t, gate, items...)
		if gate == late {
			lateFeeds = append(lateFeeds, f)
		}
		urls = append(urls, f.srv.URL+"/")
	}
	want := len(urls) * perFeed

	// Cards to one channel go out in order, about one a second, so the
	// cut lands while they are going out. Jobs time out after half of
	// rescue_after: a minute leaves the outage well inside that.
	base := postgresConfig(t, proxy.DSN(dsn), urls)
	var replicas []*replica
	var readyz, healthz []string
	for i := range 2 {
		addr := freeAddr(t)
		cfg := rewriteConfig(t, base, map[string]string{
			`listen = ""`:               fmt.Sprintf("listen = %q", addr),
			`rescue_after = "5s"`:       `rescue_after = "1m"`,
			`max_concurrent_per_source`: "max_backoff = \"1s\"\nmax_concurrent_per_source",
		})
		replicas = append(replicas, startReplica(t, bin, cfg, fmt.Sprintf("replica %d", i+1)))
		readyz = append(readyz, "http://"+addr+"/readyz")
		healthz = append(healthz, "http://"+addr+"/healthz")
	}
	for i, r := range replicas {
		waitFor(t, r.name+" started", func() bool { return strings.Contains(r.out.String(), "lookout_started") })
		waitForStatus(t, readyz[i], http.StatusOK)
	}
	waitFor(t, "the late feeds polled", func() bool {
		return lateFeeds[0].inflight.Load() > 0 && lateFeeds[1].inflight.Load() > 0
	})
	waitFor(t, "the first cards printed", func() bool { return len(cards(replicas...)) >= 3 })

	const outage = 3 * time.Second
	cut := time.Now()
	proxy.Cut()
	printedAtCut := len(cards(replicas...))
	for _, u := range readyz {
		waitForStatus(t, u, http.StatusServiceUnavailable)
	}
	// The late polls get their posts now and cannot store them.
	close(late)
	waitFor(t, "the late feeds answered", func() bool {
		return lateFeeds[0].inflight.Load() == 0 && lateFeeds[1].inflight.Load() == 0
	})
	waitFor(t, "the late polls failing to store their posts", func() bool {
		return strings.Count(replicas[0].out.String()+replicas[1].out.String(), "msg=poll_record_failed") >= len(lateFeeds)
	})
	waitFor(t, "an outage of a few seconds", func() bool { return time.Since(cut) >= outage })
	down := time.Since(cut)
	proxy.Restore()
	restored := time.Now()

	for _, u := range readyz {
		waitForStatus(t, u, http.StatusOK)
	}
	ready := time.Since(restored)
	waitForLong(t, 60*time.Second, "every card printed", func() bool { return len(cards(replicas...)) >= want })
	delivered := time.Since(restored)

	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitFor(t, "every delivery recorded as sent", func() bool {
		return countRows(t, db, `SELECT count(*) FROM deliveries WHERE state <> 'sent'`) == 0
	})
	if n := countRows(t, db, `SELECT count(*) FROM river_job WHERE state = 'discarded'`); n != 0 {
		t.Errorf("discarded jobs: got %d; want 0 (no work given up)", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM alerts`); n != want {
		t.Errorf("alerts: got %d; want %d (one per post)", n, want)
	}
	if n := countRows(t, db, `SELECT count(DISTINCT (watch, chain_id)) FROM alerts`); n != want {
		t.Errorf("distinct alerted posts: got %d; want %d", n, want)
	}
	if n := countRows(t, db, `SELECT count(*) FROM deliveries WHERE kind = 'card'`); n != want {
		t.Errorf("card deliveries: got %d; want %d", n, want)
	}
	printed := cards(replicas...)
	for ref, n := range printed {
		if n != 1 {
			t.Errorf("%s printed %d times; want once", ref, n)
		}
	}
	if len(printed) != want {
		t.Errorf("cards printed: %d distinct; want %d", len(printed), want)
	}
	for i, u := range healthz {
		if got := status(t, u); got != http.StatusOK {
			t.Errorf("%s /healthz after the restart: got %d; want 200 (the process must survive)", replicas[i].name, got)
		}
	}
	t.Logf("database down %s with %d of %d cards printed; /readyz green %s after it returned, every card %s after",
		down.Round(100*time.Millisecond), printedAtCut, want, ready.Round(100*time.Millisecond), delivered.Round(100*time.Millisecond))
}

// rewriteConfig writes a copy of the config at path with each old string
// replaced by its new one; every old string must be there.
func rewriteConfig(t *testing.T, path string, repl map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for old, new := range repl {
		if !strings.Contains(s, old) {
			t.Fatalf("config %s has no %q to replace", path, old)
		}
		s = strings.Replace(s, old, new, 1)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	writeFile(t, out, s)
	return out
}

// status returns the status of a GET of url, or 0 when nothing answers.
func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// waitForStatus polls url until it answers want.
func waitForStatus(t *testing.T, url string, want int) {
	t.Helper()
	last := 0
	waitFor(t, fmt.Sprintf("%s answering %d", url, want), func() bool {
		last = status(t, url)
		return last == want
	})
}
