package bluesky

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// BenchmarkJetstreamToOutbox measures the latency from a post appearing on
// the (fake, loopback) Jetstream to its alert committed in the outbox
// (SQLite, the real alerts service): frame write, read, decode, match,
// ingest transaction. It reports p50 and p99 per post.
func BenchmarkJetstreamToOutbox(b *testing.B) {
	e := newStreamEnv(b)
	e.watches.set(&alerts.Watch{Name: "kw", Source: Platform, Keywords: []string{"plaza"}, Severity: alerts.SeverityHigh, Route: "default", Enabled: true, Origin: alerts.OriginConfig})
	e.start(e.js.url())
	e.waitConnected(1)
	// The author's handle is looked up once, outside the measurement.
	e.js.create(bobDID, "warm", "plaza warm-up")
	<-e.svc.out
	lat := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		e.js.create(bobDID, fmt.Sprintf("p%d", i), "la plaza está tomada")
		in := <-e.svc.out
		lat = append(lat, time.Since(start))
		if len(in.res.Alerted) != 1 {
			b.Fatalf("alerted %v; want one alert", in.res.Alerted)
		}
	}
	reportPercentiles(b, lat)
}

// BenchmarkIngestOnly is the baseline: the same post ingested directly,
// with no stream, so the difference is the stream's own cost.
func BenchmarkIngestOnly(b *testing.B) {
	e := newStreamEnv(b)
	w := &alerts.Watch{Name: "kw", Source: Platform, Keywords: []string{"plaza"}, Severity: alerts.SeverityHigh, Route: "default", Enabled: true}
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		i++
		p := alerts.Post{Platform: Platform, ID: postURI(bobDID, fmt.Sprintf("p%d", i)), AuthorID: bobDID, Handle: "bob.bsky.social", Text: "la plaza está tomada", Kind: alerts.KindPost, Raw: []byte(`{}`)}
		start := time.Now()
		res, err := e.svc.Service.Ingest(ctx, alerts.Batch{Watch: w, Posts: []alerts.Polled{{Post: p, Matched: true}}, Cursor: "{}"})
		lat = append(lat, time.Since(start))
		if err != nil || len(res.Alerted) != 1 {
			b.Fatalf("Ingest = %v, %v", res, err)
		}
	}
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
