package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/jobs"
	"github.com/lookoutbot/lookout/internal/outbox"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/feed"
	"github.com/lookoutbot/lookout/watchers/match"
)

// waitTimeout bounds every wait for background work in these tests.
const waitTimeout = 20 * time.Second

// feedServer serves an RSS feed whose items the test controls.
type feedServer struct {
	mu    sync.Mutex
	items []string
	hits  atomic.Int64
	srv   *httptest.Server
}

func newFeedServer(t *testing.T, items ...string) *feedServer {
	f := &feedServer{items: items}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.hits.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>`)
		for i, it := range f.items {
			fmt.Fprintf(w, `<item><guid>g%d</guid><title>%s</title><link>https://example.org/p/%d</link><pubDate>%s</pubDate></item>`,
				i, it, i, time.Date(2026, 11, 1, 10, i, 0, 0, time.UTC).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// notifier records what reaches "chat". Posts fail while failPosts > 0,
// and block until their context ends while block is set.
type notifier struct {
	mu        sync.Mutex
	posts     []alerts.Message
	edits     []string
	failPosts int
	block     bool
	sent      chan alerts.Message
}

func newNotifier() *notifier { return &notifier{sent: make(chan alerts.Message, 100)} }

func (n *notifier) Post(ctx context.Context, _ alerts.Destination, m *alerts.Message) (string, error) {
	n.mu.Lock()
	if n.block {
		n.mu.Unlock()
		<-ctx.Done()
		return "", ctx.Err()
	}
	if n.failPosts > 0 {
		n.failPosts--
		n.mu.Unlock()
		return "", errors.New("chat is down")
	}
	n.posts = append(n.posts, *m)
	ref := fmt.Sprintf("ref-%d", len(n.posts))
	n.mu.Unlock()
	n.sent <- *m
	return ref, nil
}

func (n *notifier) Edit(_ context.Context, _ alerts.Destination, ref string, m *alerts.Message) error {
	n.mu.Lock()
	n.edits = append(n.edits, fmt.Sprintf("%s %s %s", ref, m.Alert.Ref(), m.Alert.State))
	n.mu.Unlock()
	n.sent <- *m
	return nil
}

func (n *notifier) cards() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, m := range n.posts {
		if m.Kind == alerts.DeliveryCard {
			out = append(out, m.Alert.Post.Title)
		}
	}
	return out
}

// node is one running Lookout process over a database: its own pool on
// the test's database, as one process has.
type node struct {
	db     *sql.DB
	store  *store.DB
	svc    *alerts.Service
	engine *jobs.Engine
	cancel context.CancelFunc
	close  func()
}

type setup struct {
	backend backend
	// place is the test's database on the backend: a file or a schema.
	place    string
	feed     *feedServer
	route    alerts.Route
	policies []alerts.Policy
	// wrap lets a test put a faulty store between the service and the
	// database.
	wrap func(alerts.Store) alerts.Store
	// rechecks re-check the feed platform's posts for deletion, through
	// River every recheckEvery when it is set.
	rechecks     map[string]watchers.Rechecker
	recheckEvery time.Duration
}

func newSetup(t *testing.T, b backend, f *feedServer) *setup {
	return &setup{
		backend: b,
		place:   b.place(t),
		feed:    f,
		route:   alerts.Route{Name: "default", Destinations: []alerts.Destination{"console"}},
	}
}

func (s *setup) watch() alerts.Watch {
	return alerts.Watch{
		Name: "w", Source: "feed", Accounts: []string{s.feed.srv.URL}, Keywords: []string{"cartel"},
		Interval: time.Hour, Severity: alerts.SeverityHigh, Route: "default", Backfill: true, Enabled: true,
	}
}

// start opens a new pool on the test's database and runs a node until the
// test ends or stop. Starting again after stop is a process restart.
func (s *setup) start(t *testing.T, n *notifier) *node {
	t.Helper()
	ctx := context.Background()
	c, err := s.backend.open(ctx, s.place)
	if err != nil {
		t.Fatal(err)
	}
	st := c.store
	var as alerts.Store = st
	if s.wrap != nil {
		as = s.wrap(st)
	}
	svc := alerts.NewService(as, alerts.Options{Routes: []alerts.Route{s.route}, Policies: s.policies})
	reg := watchers.NewRegistry([]alerts.Watch{s.watch()}, as, []string{"feed"}, nil)
	fw := feed.New(httpx.New(httpx.Options{RetryMax: -1}), feed.Options{})
	sched := watchers.NewScheduler(map[string]watchers.Watcher{"feed": fw}, match.New(), svc, reg, watchers.Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	del := outbox.New(as, map[string]alerts.Notifier{"console": n}, svc, outbox.Options{Pace: time.Millisecond, Wait: 20 * time.Millisecond, MinRetry: 20 * time.Millisecond})
	deps := jobs.Deps{Scheduler: sched, Deliverer: del, Timers: svc, Watches: reg, Store: as}
	if s.rechecks != nil {
		deps.Rechecks, deps.Deletions = s.rechecks, svc
	}
	eng, err := jobs.New(c.db, c.river, deps, jobs.Options{FetchPollInterval: 50 * time.Millisecond, RecheckEvery: s.recheckEvery})
	if err != nil {
		c.close()
		t.Fatal(err)
	}
	st.SetJobs(eng)
	rctx, cancel := context.WithCancel(ctx)
	nd := &node{db: c.db, store: st, svc: svc, engine: eng, cancel: cancel, close: c.close}
	t.Cleanup(func() { nd.stop(t) })
	if err := eng.Start(rctx); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	return nd
}

func (nd *node) stop(t *testing.T) {
	if nd.cancel == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := nd.engine.Stop(ctx); err != nil && !strings.Contains(err.Error(), "not started") {
		t.Errorf("stop: %v", err)
	}
	nd.cancel()
	nd.cancel = nil
	nd.close()
}

// await waits for n messages of kind on the notifier.
func await(t *testing.T, n *notifier, kind alerts.DeliveryKind, count int) []alerts.Message {
	t.Helper()
	var got []alerts.Message
	deadline := time.After(waitTimeout)
	for len(got) < count {
		select {
		case m := <-n.sent:
			if m.Kind == kind {
				got = append(got, m)
			}
		case <-deadline:
			t.Fatalf("waited %s for %d %s messages; got %d", waitTimeout, count, kind, len(got))
		}
	}
	return got
}

func countAlerts(t *testing.T, st alerts.Store) int {
	t.Helper()
	var n int
	err := st.View(context.Background(), func(tx alerts.Tx) error {
		as, err := tx.Alerts(context.Background(), alerts.AlertFilter{IncludeMuted: true, Limit: 1000})
		n = len(as)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPollAlertDeliverAckEdit(t *testing.T) { eachBackend(t, testPollAlertDeliverAckEdit) }

func testPollAlertDeliverAckEdit(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one", "nothing here", "the CÁRTEL two")
	s := newSetup(t, b, f)
	n := newNotifier()
	nd := s.start(t, n)

	cards := await(t, n, alerts.DeliveryCard, 2)
	if got, want := []string{cards[0].Alert.Post.Title, cards[1].Alert.Post.Title}, []string{"cartel one", "the CÁRTEL two"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("cards in order: got %q; want %q", got, want)
	}
	res, err := nd.svc.Apply(context.Background(), alerts.Request{ActionID: "a1", Alert: cards[0].Alert.ID, Action: alerts.ActionAck, Actor: "cli:maria", Source: alerts.SourceCLI})
	if err != nil {
		t.Fatal(err)
	}
	edit := await(t, n, alerts.DeliveryEdit, 1)[0]
	if edit.Alert.ID != res.Alert.ID || edit.Alert.State != alerts.StateAcked {
		t.Fatalf("edit: got %s %s; want %s acked", edit.Alert.Ref(), edit.Alert.State, res.Alert.Ref())
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if want := "ref-1 " + res.Alert.Ref() + " acked"; len(n.edits) != 1 || n.edits[0] != want {
		t.Fatalf("edits: got %q; want [%q] (the edit must target the card's message)", n.edits, want)
	}
}

func TestDeliveryRetriesUntilChatRecovers(t *testing.T) {
	eachBackend(t, testDeliveryRetriesUntilChatRecovers)
}

func testDeliveryRetriesUntilChatRecovers(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one", "cartel two")
	s := newSetup(t, b, f)
	n := newNotifier()
	n.failPosts = 3
	nd := s.start(t, n)
	await(t, n, alerts.DeliveryCard, 2)
	if got := n.cards(); len(got) != 2 || got[0] != "cartel one" || got[1] != "cartel two" {
		t.Fatalf("cards: got %q; want each alert once, in order", got)
	}
	if got := countAlerts(t, nd.store); got != 2 {
		t.Fatalf("alerts: got %d; want 2", got)
	}
}

// faultyStore fails one InsertDelivery: the ingest transaction that raised
// the alerts must roll back entirely.
type faultyStore struct {
	alerts.Store
	failed atomic.Bool
}

func (f *faultyStore) Update(ctx context.Context, fn func(alerts.Tx) error) error {
	return f.Store.Update(ctx, func(tx alerts.Tx) error { return fn(&faultyTx{Tx: tx, s: f}) })
}

type faultyTx struct {
	alerts.Tx
	s *faultyStore
}

func (t *faultyTx) InsertDelivery(ctx context.Context, d *alerts.Delivery) error {
	if d.Kind == alerts.DeliveryCard && t.s.failed.CompareAndSwap(false, true) {
		return errors.New("disk full")
	}
	return t.Tx.InsertDelivery(ctx, d)
}

func TestIngestFaultIsRetriedWithoutLossOrDuplicate(t *testing.T) {
	eachBackend(t, testIngestFaultIsRetriedWithoutLossOrDuplicate)
}

func testIngestFaultIsRetriedWithoutLossOrDuplicate(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one", "cartel two", "cartel three")
	s := newSetup(t, b, f)
	fs := &faultyStore{}
	s.wrap = func(st alerts.Store) alerts.Store { fs.Store = st; return fs }
	n := newNotifier()
	nd := s.start(t, n)
	await(t, n, alerts.DeliveryCard, 3)
	if !fs.failed.Load() {
		t.Fatal("the fault was never injected")
	}
	if got := n.cards(); fmt.Sprint(got) != fmt.Sprint([]string{"cartel one", "cartel two", "cartel three"}) {
		t.Fatalf("cards: got %q; want each post once, in order", got)
	}
	if got := countAlerts(t, nd.store); got != 3 {
		t.Fatalf("alerts: got %d; want 3", got)
	}
	if f.hits.Load() < 2 {
		t.Fatalf("feed fetched %d times; want a retry after the failed ingest", f.hits.Load())
	}
}

func TestRestartDeliversWhatWasPending(t *testing.T) {
	eachBackend(t, testRestartDeliversWhatWasPending)
}

func testRestartDeliversWhatWasPending(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one", "cartel two")
	s := newSetup(t, b, f)
	stuck := newNotifier()
	stuck.block = true
	first := s.start(t, stuck)
	// Wait until the poll stored the alerts, then "crash" while the first
	// card is being sent.
	deadline := time.Now().Add(waitTimeout)
	for countAlerts(t, first.store) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("alerts were never stored")
		}
		yieldBriefly()
	}
	first.stop(t)

	n := newNotifier()
	second := s.start(t, n)
	await(t, n, alerts.DeliveryCard, 2)
	if got := n.cards(); fmt.Sprint(got) != fmt.Sprint([]string{"cartel one", "cartel two"}) {
		t.Fatalf("cards after restart: got %q; want both, once, in order", got)
	}
	if got := countAlerts(t, second.store); got != 2 {
		t.Fatalf("alerts after restart: got %d; want 2 (no duplicates)", got)
	}
}

func TestEscalationTimerFiresAfterRestart(t *testing.T) {
	eachBackend(t, testEscalationTimerFiresAfterRestart)
}

func testEscalationTimerFiresAfterRestart(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one")
	s := newSetup(t, b, f)
	s.route.Policy = "p"
	s.policies = []alerts.Policy{{Name: "p", Steps: []alerts.Step{{After: 2 * time.Second, Notify: []alerts.Destination{"console"}}}}}
	n := newNotifier()
	first := s.start(t, n)
	card := await(t, n, alerts.DeliveryCard, 1)[0]
	first.stop(t)

	n2 := newNotifier()
	second := s.start(t, n2)
	notice := await(t, n2, alerts.DeliveryNotice, 1)[0]
	if !strings.Contains(notice.Notice, card.Alert.Ref()) || !strings.Contains(notice.Notice, "escalation step 1") {
		t.Fatalf("notice: got %q; want it to name %s and the step", notice.Notice, card.Alert.Ref())
	}
	a, _, err := second.svc.Alert(context.Background(), card.Alert.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != alerts.StateEscalated {
		t.Fatalf("state after the timer: got %s; want escalated", a.State)
	}
}

func TestAckCancelsTheEscalationJob(t *testing.T) { eachBackend(t, testAckCancelsTheEscalationJob) }

func testAckCancelsTheEscalationJob(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one")
	s := newSetup(t, b, f)
	s.route.Policy = "p"
	s.policies = []alerts.Policy{{Name: "p", Steps: []alerts.Step{{After: time.Hour, Notify: []alerts.Destination{"console"}}}}}
	n := newNotifier()
	nd := s.start(t, n)
	card := await(t, n, alerts.DeliveryCard, 1)[0]
	var jobID int64
	err := nd.store.View(context.Background(), func(tx alerts.Tx) error {
		ts, err := tx.PendingTimers(context.Background())
		if len(ts) == 1 {
			jobID = ts[0].JobID
		}
		return err
	})
	if err != nil || jobID == 0 {
		t.Fatalf("pending escalation timer: job %d, err %v", jobID, err)
	}
	if _, err := nd.svc.Apply(context.Background(), alerts.Request{ActionID: "ack", Alert: card.Alert.ID, Action: alerts.ActionAck, Actor: "cli:maria", Source: alerts.SourceCLI}); err != nil {
		t.Fatal(err)
	}
	var state string
	if err := nd.db.QueryRow(`SELECT state FROM river_job WHERE id = $1`, jobID).Scan(&state); err != nil {
		t.Fatal(err)
	}
	if state != "cancelled" {
		t.Fatalf("escalation job after ack: got %s; want cancelled", state)
	}
}

func TestReconcileReinsertsLostJobs(t *testing.T) { eachBackend(t, testReconcileReinsertsLostJobs) }

func testReconcileReinsertsLostJobs(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one")
	s := newSetup(t, b, f)
	n := newNotifier()
	n.block = true
	nd := s.start(t, n)
	deadline := time.Now().Add(waitTimeout)
	for countAlerts(t, nd.store) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("alert was never stored")
		}
		yieldBriefly()
	}
	nd.stop(t)
	c, err := s.backend.open(context.Background(), s.place)
	if err != nil {
		t.Fatal(err)
	}
	// Lose every job, as if the queue had been wiped.
	if _, err := c.db.Exec(`DELETE FROM river_job`); err != nil {
		t.Fatal(err)
	}
	c.close()
	n2 := newNotifier()
	nd2 := s.start(t, n2)
	if got := await(t, n2, alerts.DeliveryCard, 1)[0].Alert.Post.Title; got != "cartel one" {
		t.Fatalf("card after reconcile: got %q; want %q", got, "cartel one")
	}
	// With every job in place, reconciling again adds nothing.
	if n, err := nd2.engine.Reconcile(context.Background()); err != nil || n != 0 {
		t.Fatalf("second reconcile: inserted %d, err %v; want 0 (jobs are unique)", n, err)
	}
}
