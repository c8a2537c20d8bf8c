package watchers_test

import (
	"context"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/feed"
	"github.com/lookoutbot/lookout/watchers/feed/feedtest"
	"github.com/lookoutbot/lookout/watchers/match"
)

// benchPosts is the number of new posts each benchmarked poll returns.
const benchPosts = 100

type benchLookup struct{ w *alerts.Watch }

func (l benchLookup) Get(context.Context, string) (*alerts.Watch, error) { c := *l.w; return &c, nil }

func benchService(b *testing.B) (*alerts.Service, alerts.Store) {
	st := sqlitetest.Open(b)
	svc := alerts.NewService(st, alerts.Options{Routes: []alerts.Route{{Name: "default", Destinations: []alerts.Destination{"console"}}}})
	return svc, st
}

var benchWatch = alerts.Watch{
	Name: "bench", Source: "feed", Accounts: []string{"https://example.org/feed"},
	Keywords: []string{"cartel", `"gente nueva"`, "plaza", "sicario", "halcones"},
	Interval: time.Minute, Severity: alerts.SeverityHigh, Route: "default", Backfill: true, Enabled: true,
}

// BenchmarkIngestBatched measures the whole poll path, fetch excluded:
// parse and normalise the feed, match, deduplicate and store every post of
// the poll, its alerts, deliveries and cursor in one transaction.
func BenchmarkIngestBatched(b *testing.B) {
	svc, _ := benchService(b)
	w := benchWatch
	sched := watchers.NewScheduler(map[string]watchers.Watcher{"feed": feed.New(&feedtest.Generated{Posts: benchPosts}, feed.Options{})},
		match.New(), svc, benchLookup{&w}, watchers.Options{})
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		out, err := sched.Poll(ctx, "bench")
		if err != nil || out.Err != nil || out.Result.Seen != benchPosts {
			b.Fatalf("poll: %v %v, %d new", err, out.Err, out.Result.Seen)
		}
	}
	b.ReportMetric(float64(b.N*benchPosts)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkIngestPerPost is the baseline: the same posts, matched the same
// way, but stored one transaction per post, as a naive poller would.
func BenchmarkIngestPerPost(b *testing.B) {
	svc, _ := benchService(b)
	w := benchWatch
	fw := feed.New(&feedtest.Generated{Posts: benchPosts}, feed.Options{})
	m := match.New()
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := fw.Poll(ctx, &w, "")
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range res.Posts {
			mt, ok := m.Match(&w, &p)
			if _, err := svc.Ingest(ctx, alerts.Batch{Watch: &w, Posts: []alerts.Polled{{Post: p, Match: mt, Matched: ok}}, Cursor: res.Cursor}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*benchPosts)/b.Elapsed().Seconds(), "posts/s")
}
