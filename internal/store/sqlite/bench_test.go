package sqlite_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
	"github.com/lookoutbot/lookout/internal/store/storetest"
)

// BenchmarkUpdateIngest measures one ingest transaction as a poll makes it:
// 20 posts stored and marked seen, 2 alerts with their card deliveries, and
// the advanced cursor.
//
//	go test -run '^$' -bench UpdateIngest ./internal/store/sqlite
func BenchmarkUpdateIngest(b *testing.B) {
	const postsPerPoll = 20
	s := sqlitetest.Open(b)
	s.SetJobs(storetest.NewJobs())
	ctx := b.Context()
	now := time.Date(2026, 11, 3, 14, 0, 0, 0, time.UTC)
	raw := []byte(`{"id":"0000000000","text":"a representative payload of a few hundred bytes, as platforms send them","author":{"id":"42","handle":"someone"},"media":[]}`)
	n := 0
	for b.Loop() {
		n++
		err := s.Update(ctx, func(tx alerts.Tx) error {
			for i := range postsPerPoll {
				p := alerts.Post{
					Platform: "x", ID: fmt.Sprintf("%d-%d", n, i), AuthorID: "42", Handle: "@someone",
					Text: "a post that may or may not match", CreatedAt: now, URL: "https://x.com/i/status/1",
					Kind: alerts.KindPost, Raw: raw,
				}
				key, err := tx.PutPost(ctx, &p, alerts.NewEvidence(raw, now))
				if err != nil {
					return err
				}
				if err := tx.MarkSeen(ctx, "w", p.Platform, p.ChainID(), now); err != nil {
					return err
				}
				if i >= 2 {
					continue
				}
				a := &alerts.Alert{Watch: "w", State: alerts.StateOpen, PostKey: key,
					Hits: []alerts.Hit{{Term: "match", Start: 23, End: 28}}, CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertAlert(ctx, a); err != nil {
					return err
				}
				d := &alerts.Delivery{AlertID: a.ID, Destination: "slack:C1", Kind: alerts.DeliveryCard, CreatedAt: now}
				if err := tx.InsertDelivery(ctx, d); err != nil {
					return err
				}
			}
			return tx.PutWatchState(ctx, &alerts.WatchState{Watch: "w", Cursor: fmt.Sprint(n), Baselined: true, LastPollAt: now, LastOKAt: now})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*postsPerPoll)/b.Elapsed().Seconds(), "posts/s")
}
