package alerts_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// edit is a new version of p with a new id, as X gives edits.
func edit(p alerts.Post, id string) alerts.Post {
	e := p
	e.ID, e.FirstID = id, p.ID
	e.Text = p.Text + " (edited)"
	e.Raw = []byte(`{"id_str":"` + id + `","edit_of":"` + p.ID + `"}`)
	return e
}

func TestIngestDeduplicates(t *testing.T) {
	t.Parallel()
	type poll struct {
		watch    *alerts.Watch
		posts    []alerts.Polled
		baseline bool
		// what the IngestResult must count
		seen, duplicate, alerted int
	}
	p1, p2, p3 := xpost("1"), xpost("2"), xpost("3")
	ports := watch("ports")
	tests := []struct {
		name  string
		polls []poll
		// alerts raised in all, one per (watch, chain)
		want int
	}{
		{
			name:  "one alert per new matching post",
			polls: []poll{{watch: border, posts: []alerts.Polled{matched(p1), matched(p2)}, seen: 2, alerted: 2}},
			want:  2,
		},
		{
			name: "the same post in a second batch is a duplicate",
			polls: []poll{
				{watch: border, posts: []alerts.Polled{matched(p1)}, seen: 1, alerted: 1},
				{watch: border, posts: []alerts.Polled{matched(p1)}, duplicate: 1},
			},
			want: 1,
		},
		{
			name: "an edit with a new id does not alert again",
			polls: []poll{
				{watch: border, posts: []alerts.Polled{matched(p1)}, seen: 1, alerted: 1},
				{watch: border, posts: []alerts.Polled{matched(edit(p1, "1e"))}, duplicate: 1},
			},
			want: 1,
		},
		{
			name:  "a post and its edit in one batch alert once",
			polls: []poll{{watch: border, posts: []alerts.Polled{matched(p1), matched(edit(p1, "1e"))}, seen: 1, duplicate: 1, alerted: 1}},
			want:  1,
		},
		{
			name: "the same post on two watches alerts on each",
			polls: []poll{
				{watch: border, posts: []alerts.Polled{matched(p1)}, seen: 1, alerted: 1},
				{watch: ports, posts: []alerts.Polled{matched(p1)}, seen: 1, alerted: 1},
			},
			want: 2,
		},
		{
			name:  "unmatched posts are seen but raise nothing",
			polls: []poll{{watch: border, posts: []alerts.Polled{unmatched(p1), unmatched(p2)}, seen: 2}},
			want:  0,
		},
		{
			name: "a baseline records posts without alerting, and they stay seen",
			polls: []poll{
				{watch: border, posts: []alerts.Polled{matched(p1), matched(p2)}, baseline: true, seen: 2},
				{watch: border, posts: []alerts.Polled{matched(p1), matched(p2)}, duplicate: 2},
			},
			want: 0,
		},
		{
			name: "a new post after a baseline alerts",
			polls: []poll{
				{watch: border, posts: []alerts.Polled{matched(p1), matched(p2)}, baseline: true, seen: 2},
				{watch: border, posts: []alerts.Polled{matched(p1), matched(p2), matched(p3)}, seen: 1, duplicate: 2, alerted: 1},
			},
			want: 1,
		},
		{
			// Edited after the watch started, the new version is news: a
			// post edited to carry a watched term must not evade the watch.
			name: "a matching edit of a baselined post alerts once",
			polls: []poll{
				{watch: border, posts: []alerts.Polled{matched(p1)}, baseline: true, seen: 1},
				{watch: border, posts: []alerts.Polled{matched(edit(p1, "1e"))}, duplicate: 1, alerted: 1},
				{watch: border, posts: []alerts.Polled{matched(edit(p1, "1f"))}, duplicate: 1},
			},
			want: 1,
		},
		{
			name: "an edit into a match alerts once",
			polls: []poll{
				{watch: border, posts: []alerts.Polled{unmatched(p1)}, seen: 1},
				{watch: border, posts: []alerts.Polled{matched(edit(p1, "1e"))}, duplicate: 1, alerted: 1},
				{watch: border, posts: []alerts.Polled{matched(edit(p1, "1f"))}, duplicate: 1},
			},
			want: 1,
		},
		{
			name: "an edit seen during a baseline does not alert",
			polls: []poll{
				{watch: border, posts: []alerts.Polled{unmatched(p1)}, baseline: true, seen: 1},
				{watch: border, posts: []alerts.Polled{matched(edit(p1, "1e"))}, baseline: true, duplicate: 1},
			},
			want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			for i, p := range tt.polls {
				got := e.ingest(alerts.Batch{Watch: p.watch, Posts: p.posts, Baseline: p.baseline})
				if got.Seen != p.seen || got.Duplicate != p.duplicate || len(got.Alerted) != p.alerted || len(got.Muted) != 0 {
					t.Errorf("poll %d: got seen %d, duplicate %d, alerted %v, muted %v; want seen %d, duplicate %d, %d alerted, none muted",
						i, got.Seen, got.Duplicate, got.Alerted, got.Muted, p.seen, p.duplicate, p.alerted)
				}
			}
			if got := e.allAlerts(); len(got) != tt.want {
				t.Errorf("got %d alerts; want %d", len(got), tt.want)
			}
		})
	}
}

func TestIngestRaisesAlert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"), "shipment", "port")
	a, h := e.alert(id)

	if a.State != alerts.StateOpen || a.Muted || a.Watch != "border" || a.Route != "default" || a.Severity != alerts.SeverityHigh {
		t.Errorf("alert: got state %s, muted %t, watch %q, route %q, severity %s; want open, not muted, border, default, high",
			a.State, a.Muted, a.Watch, a.Route, a.Severity)
	}
	if !a.CreatedAt.Equal(start) {
		t.Errorf("CreatedAt: got %s; want %s", a.CreatedAt, start)
	}
	if a.Post.ID != "1" || a.Post.Text != postText || a.Post.Handle != "CartelWatch" {
		t.Errorf("post: got %+v; want post 1 by CartelWatch", a.Post)
	}
	if got := (alerts.Match{Hits: a.Hits}).Terms(); !slices.Equal(got, []string{"shipment", "port"}) {
		t.Errorf("hit terms: got %v; want [shipment port]", got)
	}
	if len(h) != 1 {
		t.Fatalf("history: got %d events; want 1 (create)", len(h))
	}
	ev := h[0]
	if ev.Action != alerts.ActionCreate || ev.Actor != "watch:border" || ev.Source != alerts.SourceSystem || ev.To != alerts.StateOpen || ev.AlertID != id {
		t.Errorf("create event: got %+v; want create by watch:border from system to open", ev)
	}
}

func TestIngestQueuesCardsAndFirstEscalation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	a, _ := e.alert(id)

	ds := e.deliveries(id)
	cards := ofKind(ds, alerts.DeliveryCard)
	if len(cards) != len(ds) {
		t.Errorf("deliveries: got %d of which %d cards; want cards only", len(ds), len(cards))
	}
	if got, want := destinations(cards), []alerts.Destination{console, slackC1}; !slices.Equal(got, want) {
		t.Errorf("cards to %v; want %v", got, want)
	}
	for _, c := range cards {
		if c.State != alerts.DeliveryPending {
			t.Errorf("card to %s: got state %s; want pending", c.Destination, c.State)
		}
	}
	if got, want := e.jobs.Delivered(), ids(cards); !slices.Equal(got, want) {
		t.Errorf("delivery jobs: got %v; want %v", got, want)
	}

	tm := e.onlyPending(alerts.TimerEscalate, id, 0)
	if want := a.CreatedAt.Add(15 * time.Minute); tm.Step != 0 || !tm.DueAt.Equal(want) {
		t.Errorf("first escalation: got step %d due %s; want step 0 due %s", tm.Step, tm.DueAt, want)
	}
	if tm.JobID == 0 || !slices.Contains(e.jobs.Scheduled(), tm.ID) {
		t.Errorf("first escalation: job %d, scheduled timers %v; want a job for timer %d", tm.JobID, e.jobs.Scheduled(), tm.ID)
	}
}

func TestIngestOnRouteWithoutPolicySchedulesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := watch("quiet")
	w.Route = "quiet"
	id := e.raiseOn(w, xpost("1"))
	if got := destinations(ofKind(e.deliveries(id), alerts.DeliveryCard)); !slices.Equal(got, []alerts.Destination{discord55}) {
		t.Errorf("cards to %v; want [%s]", got, discord55)
	}
	if got := e.pending(); len(got) != 0 {
		t.Errorf("pending timers: got %s; want none", timerList(got))
	}
}

func TestIngestAdvancesCursor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fetched := start.Add(-30 * time.Second)
	e.ingest(alerts.Batch{Watch: border, Posts: []alerts.Polled{matched(xpost("1"))}, Cursor: "c1", FetchedAt: fetched})
	st, err := e.svc.WatchState(e.ctx(), "border")
	if err != nil {
		t.Fatalf("WatchState: %v", err)
	}
	if st.Cursor != "c1" || !st.Baselined || !st.LastPollAt.Equal(fetched) || !st.LastOKAt.Equal(fetched) {
		t.Errorf("state: got cursor %q, baselined %t, last poll %s, last ok %s; want c1, true, %s, %s",
			st.Cursor, st.Baselined, st.LastPollAt, st.LastOKAt, fetched, fetched)
	}

	e.ingest(alerts.Batch{Watch: border, Cursor: "c2"})
	if st, _ := e.svc.WatchState(e.ctx(), "border"); st.Cursor != "c2" {
		t.Errorf("after an empty poll: got cursor %q; want c2", st.Cursor)
	}
}

func TestIngestKeepsEvidence(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := xpost("1")
	sum := sha256.Sum256(p.Raw)
	want := hex.EncodeToString(sum[:])

	id := e.raise(p)
	// The platform later serves another payload for the same post, and an
	// edit: the alert keeps the evidence of the post as first seen.
	e.clock.Advance(time.Minute)
	changed := p
	changed.Raw = []byte(`{"id_str":"1","text":"deleted"}`)
	e.ingest(alerts.Batch{Watch: border, Posts: []alerts.Polled{matched(changed), matched(edit(p, "1e"))}})

	a, _ := e.alert(id)
	if a.Evidence.SHA256 != want || !a.Evidence.FetchedAt.Equal(start) {
		t.Errorf("evidence: got %s fetched %s; want %s fetched %s", a.Evidence.SHA256, a.Evidence.FetchedAt, want, start)
	}
	if string(a.Post.Raw) != string(p.Raw) {
		t.Errorf("raw: got %s; want %s", a.Post.Raw, p.Raw)
	}
}

func TestIngestNotices(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ingest(alerts.Batch{Watch: border, Notices: []string{"possible gap: 40 posts skipped"}})
	ns := containing(ofKind(e.deliveries(0), alerts.DeliveryNotice), "Watch border: possible gap")
	if got := destinations(ns); !slices.Equal(got, []alerts.Destination{console, slackC1}) {
		t.Errorf("notices to %v; want [%s %s]", got, console, slackC1)
	}
}

func TestIngestWithoutWatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.svc.Ingest(e.ctx(), alerts.Batch{Posts: []alerts.Polled{matched(xpost("1"))}})
	if !errors.Is(err, alerts.ErrInvalid) {
		t.Errorf("got %v; want ErrInvalid", err)
	}
}

// TestIngestIsAtomic fails the ingest transaction at each of its writes and
// checks that nothing of the batch was kept, so the next poll, from the
// same cursor, alerts exactly once per post.
func TestIngestIsAtomic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method string
		nth    int
	}{
		{"PutPost", 1},
		{"PutPost", 2},
		{"MarkSeen", 1},
		{"MarkSeen", 2},
		{"InsertAlert", 1},
		{"InsertAlert", 2},
		{"InsertAudit", 1},
		{"InsertAudit", 2},
		{"InsertDelivery", 1},
		{"InsertDelivery", 2}, // the second card of the first alert
		{"InsertDelivery", 4}, // the second card of the second alert
		{"InsertTimer", 1},
		{"InsertTimer", 2},
		{"PutWatchState", 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s call %d", tt.method, tt.nth), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			batch := alerts.Batch{
				Watch:  border,
				Posts:  []alerts.Polled{matched(xpost("1")), unmatched(xpost("2")), matched(xpost("3"))},
				Cursor: "c1",
			}
			faulty := alerts.NewService(newFaultStore(e.st, tt.method, tt.nth), e.opts)
			if _, err := faulty.Ingest(e.ctx(), batch); !errors.Is(err, errInjected) {
				t.Fatalf("Ingest with %s #%d failing: got %v; want the injected fault", tt.method, tt.nth, err)
			}

			if got := e.allAlerts(); len(got) != 0 {
				t.Errorf("after the fault: got %d alerts; want 0", len(got))
			}
			e.view(func(ctx context.Context, tx alerts.Tx) error {
				for _, id := range []string{"1", "2", "3"} {
					if seen, err := tx.Seen(ctx, "border", "x", id); err != nil || seen {
						t.Errorf("after the fault: Seen(%s) = %t, %v; want false", id, seen, err)
					}
				}
				if ps, err := tx.Posts(ctx, time.Time{}, 0); err != nil || len(ps) != 0 {
					t.Errorf("after the fault: got %d posts (%v); want 0", len(ps), err)
				}
				if ds, err := tx.DeliveriesByState(ctx, alerts.DeliveryPending, 0); err != nil || len(ds) != 0 {
					t.Errorf("after the fault: got %d deliveries (%v); want 0", len(ds), err)
				}
				return nil
			})
			if ts := e.pending(); len(ts) != 0 {
				t.Errorf("after the fault: got timers %s; want none", timerList(ts))
			}
			st, err := e.svc.WatchState(e.ctx(), "border")
			if err != nil {
				t.Fatalf("WatchState: %v", err)
			}
			if st.Cursor != "" || st.Baselined {
				t.Errorf("after the fault: got cursor %q, baselined %t; want the cursor not advanced", st.Cursor, st.Baselined)
			}

			res := e.ingest(batch)
			if len(res.Alerted) != 2 || res.Seen != 3 || res.Duplicate != 0 {
				t.Errorf("retry: got seen %d, duplicate %d, alerted %v; want 3, 0, two alerts", res.Seen, res.Duplicate, res.Alerted)
			}
			if got := e.allAlerts(); len(got) != 2 {
				t.Errorf("retry: got %d alerts; want exactly one per matching post (2)", len(got))
			}
			if st, _ := e.svc.WatchState(e.ctx(), "border"); st.Cursor != "c1" {
				t.Errorf("retry: got cursor %q; want c1", st.Cursor)
			}
		})
	}
}

// TestIngestConcurrently runs the same poll twice at once, as two replicas
// would if the scheduler slipped: the post alerts once.
func TestIngestConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	batch := alerts.Batch{Watch: border, Posts: []alerts.Polled{matched(xpost("1")), matched(xpost("2"))}, Cursor: "c1"}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range 4 {
		wg.Go(func() {
			_, err := e.svc.Ingest(e.ctx(), batch)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if len(errs) != 0 {
		t.Errorf("Ingest errors: %v; want none", errs)
	}
	if got := e.allAlerts(); len(got) != 2 {
		t.Errorf("got %d alerts; want 2, one per post", len(got))
	}
}
