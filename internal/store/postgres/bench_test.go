package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/jobs"
	"github.com/lookoutbot/lookout/internal/outbox"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/feed"
	"github.com/lookoutbot/lookout/watchers/feed/feedtest"
	"github.com/lookoutbot/lookout/watchers/match"
)

// backend is one database under benchmark, migrated, with its River driver.
type backend struct {
	db    *sql.DB
	store *store.DB
	river riverdriver.Driver[*sql.Tx]
}

// backends are the databases compared: SQLite (the baseline), PostgreSQL
// with LISTEN/NOTIFY wakeups (what `lookout run` uses) and PostgreSQL
// polling for jobs only.
var backends = []string{"sqlite", "postgres", "postgres-pollonly"}

func openBackend(b testing.TB, name string) *backend {
	b.Helper()
	ctx := context.Background()
	var be backend
	var err error
	switch name {
	case "sqlite":
		be.db, err = sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		be.store, be.river = sqlite.New(be.db, nil), riversqlite.New(be.db)
		err = sqlite.Migrate(ctx, be.db)
	default:
		dsn := pgtest.DSN(b)
		be.db, err = postgres.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		be.store, be.river = postgres.New(be.db, nil), riverdatabasesql.New(be.db)
		if name == "postgres" {
			pool, err := pgxpool.New(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(pool.Close)
			be.river = riverdatabasesql.NewWithPgxListener(be.db, pool)
		}
		err = postgres.Migrate(ctx, be.db)
	}
	b.Cleanup(func() { _ = be.db.Close() })
	if err != nil {
		b.Fatal(err)
	}
	m, err := rivermigrate.New(be.river, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		b.Fatal(err)
	}
	return &be
}

// benchPosts is the number of new posts each benchmarked poll returns.
const benchPosts = 100

type benchLookup struct{ w *alerts.Watch }

func (l benchLookup) Get(context.Context, string) (*alerts.Watch, error) { c := *l.w; return &c, nil }

var benchWatch = alerts.Watch{
	Name: "bench", Source: "feed", Accounts: []string{"https://example.org/feed"},
	Keywords: []string{"cartel", `"gente nueva"`, "plaza", "sicario", "halcones"},
	Interval: time.Minute, Severity: alerts.SeverityHigh, Route: "default", Backfill: true, Enabled: true,
}

var benchRoute = alerts.Route{Name: "default", Destinations: []alerts.Destination{"console"}}

// BenchmarkIngest measures the poll path on each database: parse, match,
// deduplicate and store 100 new posts with their alerts, deliveries and
// cursor in one transaction (the write lock included on PostgreSQL).
func BenchmarkIngest(b *testing.B) {
	for _, name := range backends[:2] {
		b.Run(name, func(b *testing.B) {
			be := openBackend(b, name)
			svc := alerts.NewService(be.store, alerts.Options{Routes: []alerts.Route{benchRoute}})
			w := benchWatch
			sched := watchers.NewScheduler(map[string]watchers.Watcher{"feed": feed.New(&feedtest.Generated{Posts: benchPosts}, feed.Options{})},
				match.New(), svc, benchLookup{&w}, watchers.Options{})
			ctx := context.Background()
			for b.Loop() {
				out, err := sched.Poll(ctx, "bench")
				if err != nil || out.Err != nil || out.Result.Seen != benchPosts {
					b.Fatalf("poll: %v %v, %d new", err, out.Err, out.Result.Seen)
				}
			}
			b.ReportMetric(float64(b.N*benchPosts)/b.Elapsed().Seconds(), "posts/s")
		})
	}
}

// sink is a notifier that records when each message arrived.
type sink struct {
	mu   sync.Mutex
	at   map[string]time.Time
	seen chan string
}

func newSink(n int) *sink { return &sink{at: make(map[string]time.Time), seen: make(chan string, n)} }

func (s *sink) Post(_ context.Context, _ alerts.Destination, m *alerts.Message) (string, error) {
	s.mu.Lock()
	s.at[m.Notice] = time.Now()
	s.mu.Unlock()
	s.seen <- m.Notice
	return "ref", nil
}

func (s *sink) Edit(context.Context, alerts.Destination, string, *alerts.Message) error { return nil }

type noWatches struct{}

func (noWatches) List(context.Context) ([]*alerts.Watch, error) { return nil, nil }

// startEngine runs the work engine on be with sink as the "bench" chat.
func startEngine(b testing.TB, be *backend, s *sink) {
	b.Helper()
	svc := alerts.NewService(be.store, alerts.Options{Routes: []alerts.Route{benchRoute}})
	deliverer := outbox.New(be.store, map[string]alerts.Notifier{"bench": s}, svc, outbox.Options{})
	sched := watchers.NewScheduler(nil, match.New(), svc, benchLookup{&benchWatch}, watchers.Options{})
	eng, err := jobs.New(be.db, be.river, jobs.Deps{Scheduler: sched, Deliverer: deliverer, Timers: svc, Watches: noWatches{}, Store: be.store},
		jobs.Options{DeliverWorkers: 20})
	if err != nil {
		b.Fatal(err)
	}
	be.store.SetJobs(eng)
	if err := eng.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = eng.Stop(ctx)
	})
}

// insertNotices commits one transaction with n notices, each to its own
// channel (so per-channel ordering does not serialise them).
func insertNotices(b testing.TB, be *backend, prefix string, n int) {
	b.Helper()
	err := be.store.Update(context.Background(), func(tx alerts.Tx) error {
		for i := range n {
			d := &alerts.Delivery{Destination: alerts.Destination(fmt.Sprintf("bench:%s-%d", prefix, i)), Kind: alerts.DeliveryNotice,
				Text: fmt.Sprintf("%s-%d", prefix, i), CreatedAt: time.Now()}
			if err := tx.InsertDelivery(context.Background(), d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDeliver measures delivery throughput through River: each
// iteration commits 200 notices to 200 channels and waits until the
// (instant) notifier has received them all.
func BenchmarkDeliver(b *testing.B) {
	const batch = 200
	for _, name := range backends {
		b.Run(name, func(b *testing.B) {
			be := openBackend(b, name)
			s := newSink(batch)
			startEngine(b, be, s)
			round := 0
			for b.Loop() {
				round++
				insertNotices(b, be, fmt.Sprintf("r%d", round), batch)
				for range batch {
					<-s.seen
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkCommitToDeliveryLatency measures, per database, the time from
// the commit of a transaction holding a delivery to the notifier receiving
// it, one delivery at a time, and reports its p50 and p99.
func BenchmarkCommitToDeliveryLatency(b *testing.B) {
	for _, name := range backends {
		b.Run(name, func(b *testing.B) {
			be := openBackend(b, name)
			s := newSink(1)
			startEngine(b, be, s)
			var lat []time.Duration
			i := 0
			for b.Loop() {
				insertNotices(b, be, fmt.Sprintf("l%d", i), 1)
				committed := time.Now()
				<-s.seen
				lat = append(lat, time.Since(committed))
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
