package watchers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/feed"
	"github.com/lookoutbot/lookout/watchers/match"
)

// benchPosts is the number of new posts each benchmarked poll returns.
const benchPosts = 100

// generatedFeed answers every fetch with benchPosts items never seen
// before, about 1 in 10 of them matching the watch.
type generatedFeed struct{ round int }

func (g *generatedFeed) Get(_ context.Context, _ string, _ http.Header) (*httpx.Response, error) {
	g.round++
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title><link>https://example.org/</link>`)
	for i := range benchPosts {
		text := "Reunión del comité vecinal el sábado en el parque, traigan sillas y agua para todos"
		if i%10 == 0 {
			text = "Se busca gente nueva para la plaza, el cártel paga bien"
		}
		fmt.Fprintf(&b, `<item><guid>r%d-%d</guid><title>post %d</title><description>%s</description><pubDate>Sun, 01 Nov 2026 10:00:00 +0000</pubDate></item>`,
			g.round, i, i, text)
	}
	b.WriteString(`</channel></rss>`)
	return &httpx.Response{Status: 200, Header: http.Header{}, Body: []byte(b.String())}, nil
}

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
	sched := watchers.NewScheduler(map[string]watchers.Watcher{"feed": feed.New(&generatedFeed{}, feed.Options{})},
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
	fw := feed.New(&generatedFeed{}, feed.Options{})
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
