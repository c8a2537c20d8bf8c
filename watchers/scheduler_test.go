package watchers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/clock"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/match"
)

// start is the fake clock's first reading: whole seconds, so times survive
// the store's microsecond columns unchanged.
var start = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// opsRoute is the route of every test watch: one destination, so each
// notice is one delivery row.
var opsRoute = alerts.Route{Name: "ops", Destinations: []alerts.Destination{"slack:C1"}}

// env is a real SQLite store with a real alerts service over it.
type env struct {
	st    *store.DB
	svc   *alerts.Service
	clock *clock.Fake
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := sqlitetest.Open(t)
	clk := clock.NewFake(start)
	svc := alerts.NewService(st, alerts.Options{Routes: []alerts.Route{opsRoute}, Now: clk.Now})
	return &env{st: st, svc: svc, clock: clk}
}

func (e *env) state(t *testing.T, name string) *alerts.WatchState {
	t.Helper()
	st, err := e.svc.WatchState(context.Background(), name)
	if err != nil {
		t.Fatalf("WatchState(%s): %v", name, err)
	}
	return st
}

func (e *env) alerts(t *testing.T) []*alerts.Alert {
	t.Helper()
	as, err := e.svc.Alerts(context.Background(), alerts.AlertFilter{})
	if err != nil {
		t.Fatalf("Alerts: %v", err)
	}
	return as
}

// notices returns the texts of pending notices containing substr.
func (e *env) notices(t *testing.T, substr string) []string {
	t.Helper()
	var out []string
	err := e.st.View(context.Background(), func(tx alerts.Tx) error {
		ds, err := tx.DeliveriesByState(context.Background(), alerts.DeliveryPending, 0)
		for _, d := range ds {
			if d.Kind == alerts.DeliveryNotice && strings.Contains(d.Text, substr) {
				out = append(out, d.Text)
			}
		}
		return err
	})
	if err != nil {
		t.Fatalf("DeliveriesByState: %v", err)
	}
	return out
}

// lookup is a Lookup over a fixed set of watches.
type lookup map[string]*alerts.Watch

func (l lookup) Get(_ context.Context, name string) (*alerts.Watch, error) {
	w, ok := l[name]
	if !ok {
		return nil, fmt.Errorf("watch %q: %w", name, alerts.ErrNotFound)
	}
	c := *w
	return &c, nil
}

// step is one scripted answer of a scriptedWatcher.
type step struct {
	res *watchers.Result
	err error
}

// scriptedWatcher answers each poll with the next step and records the
// cursor it was given. Once the script is used up it returns no posts and
// keeps the cursor.
type scriptedWatcher struct {
	mu      sync.Mutex
	steps   []step
	cursors []string
}

func (s *scriptedWatcher) Poll(_ context.Context, _ *alerts.Watch, cursor string) (*watchers.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursors = append(s.cursors, cursor)
	if len(s.steps) == 0 {
		return &watchers.Result{Cursor: cursor}, nil
	}
	st := s.steps[0]
	s.steps = s.steps[1:]
	return st.res, st.err
}

func (s *scriptedWatcher) then(res *watchers.Result, err error) *scriptedWatcher {
	s.mu.Lock()
	s.steps = append(s.steps, step{res, err})
	s.mu.Unlock()
	return s
}

func (s *scriptedWatcher) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cursors)
}

// blockingWatcher blocks each poll until it is released or its ctx ends,
// telling entered about every poll that starts and counting how many run
// at once.
type blockingWatcher struct {
	entered chan string
	release chan struct{}
	inside  atomic.Int32
	most    atomic.Int32
}

func newBlockingWatcher() *blockingWatcher {
	return &blockingWatcher{entered: make(chan string, 16), release: make(chan struct{})}
}

func (b *blockingWatcher) Poll(ctx context.Context, w *alerts.Watch, cursor string) (*watchers.Result, error) {
	n := b.inside.Add(1)
	defer b.inside.Add(-1)
	for {
		m := b.most.Load()
		if n <= m || b.most.CompareAndSwap(m, n) {
			break
		}
	}
	b.entered <- w.Name
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.release:
		return &watchers.Result{Cursor: cursor + "+"}, nil
	}
}

func post(id, text string) alerts.Post {
	return alerts.Post{
		Platform: "feed", ID: id, AuthorID: "author", Handle: "author", Text: text,
		URL: "https://example.com/" + id, Kind: alerts.KindPost, CreatedAt: start,
		Raw: []byte(`{"id":"` + id + `"}`),
	}
}

func newWatch(name string) *alerts.Watch {
	return &alerts.Watch{
		Name: name, Source: "feed", Keywords: []string{"outage"}, Interval: 5 * time.Minute,
		Severity: alerts.SeverityHigh, Route: "ops", Enabled: true, Origin: alerts.OriginConfig,
	}
}

func fixedRand(f float64) func() float64 { return func() float64 { return f } }

func (e *env) scheduler(ws map[string]watchers.Watcher, l watchers.Lookup, opts watchers.Options) *watchers.Scheduler {
	opts.Now = e.clock.Now
	if opts.Rand == nil {
		opts.Rand = fixedRand(0.5)
	}
	return watchers.NewScheduler(ws, match.New(), e.svc, l, opts)
}

func TestPollIngestsMatches(t *testing.T) {
	tests := []struct {
		name   string
		rand   float64
		lo, hi time.Duration
	}{
		{name: "lowest jitter", rand: 0, lo: 270 * time.Second, hi: 300 * time.Second},
		{name: "highest jitter", rand: 0.999, lo: 300 * time.Second, hi: 330 * time.Second},
		{name: "no jitter", rand: 0.5, lo: 300 * time.Second, hi: 300 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			w := newWatch("news")
			w.Backfill = true
			wt := (&scriptedWatcher{}).then(&watchers.Result{
				Posts:  []alerts.Post{post("1", "Major outage in the east"), post("2", "all quiet")},
				Cursor: "c1",
			}, nil)
			s := e.scheduler(map[string]watchers.Watcher{"feed": wt}, lookup{"news": w},
				watchers.Options{Jitter: 0.1, Rand: fixedRand(tt.rand)})

			out, err := s.Poll(ctx, "news")
			if err != nil {
				t.Fatalf("Poll: got error %v; want nil", err)
			}
			if out.Err != nil || out.Stop {
				t.Errorf("Outcome: got Err %v, Stop %v; want no error, no stop", out.Err, out.Stop)
			}
			if out.Next < tt.lo || out.Next > tt.hi {
				t.Errorf("Next: got %s; want within [%s, %s]", out.Next, tt.lo, tt.hi)
			}
			if out.Posts != 2 || out.Result.Seen != 2 || len(out.Result.Alerted) != 1 {
				t.Errorf("Outcome: got posts %d, seen %d, alerted %v; want 2, 2, one alert", out.Posts, out.Result.Seen, out.Result.Alerted)
			}
			as := e.alerts(t)
			if len(as) != 1 || as[0].Post.ID != "1" || as[0].Watch != "news" || as[0].Route != "ops" {
				t.Fatalf("alerts: got %v; want one alert of watch news for post 1", alertPosts(as))
			}
			if len(as[0].Hits) == 0 || as[0].Hits[0].Term != "outage" {
				t.Errorf("alert hits: got %v; want a hit on outage", as[0].Hits)
			}
			if got := e.state(t, "news"); got.Cursor != "c1" || !got.Baselined || got.Failures != 0 {
				t.Errorf("state: got cursor %q baselined %v failures %d; want c1, true, 0", got.Cursor, got.Baselined, got.Failures)
			}
		})
	}
}

func alertPosts(as []*alerts.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Watch+"/"+a.Post.ID)
	}
	return out
}

func TestPollBaseline(t *testing.T) {
	tests := []struct {
		name      string
		backfill  bool
		wantFirst []string // posts alerted by the first poll
	}{
		{name: "without backfill the first poll is a baseline", backfill: false, wantFirst: nil},
		{name: "with backfill the first poll alerts", backfill: true, wantFirst: []string{"news/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			w := newWatch("news")
			w.Backfill = tt.backfill
			wt := (&scriptedWatcher{}).
				then(&watchers.Result{Posts: []alerts.Post{post("1", "outage one")}, Cursor: "c1"}, nil).
				then(&watchers.Result{Posts: []alerts.Post{post("1", "outage one"), post("2", "outage two")}, Cursor: "c2"}, nil)
			s := e.scheduler(map[string]watchers.Watcher{"feed": wt}, lookup{"news": w}, watchers.Options{})

			out, err := s.Poll(ctx, "news")
			if err != nil || out.Err != nil {
				t.Fatalf("first Poll: got %v, %v; want no error", err, out.Err)
			}
			if got := alertPosts(e.alerts(t)); !slices.Equal(got, tt.wantFirst) {
				t.Errorf("alerts after first poll: got %v; want %v", got, tt.wantFirst)
			}
			if got := e.state(t, "news"); !got.Baselined {
				t.Errorf("Baselined after first poll: got false; want true")
			}

			out, err = s.Poll(ctx, "news")
			if err != nil || out.Err != nil {
				t.Fatalf("second Poll: got %v, %v; want no error", err, out.Err)
			}
			if out.Result.Seen != 1 || out.Result.Duplicate != 1 {
				t.Errorf("second poll: got seen %d, duplicate %d; want 1, 1", out.Result.Seen, out.Result.Duplicate)
			}
			want := append(slices.Clone(tt.wantFirst), "news/2")
			got := alertPosts(e.alerts(t))
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("alerts after second poll: got %v; want %v", got, want)
			}
		})
	}
}

func TestPollBackoff(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	w := newWatch("news")
	wt := (&scriptedWatcher{}).then(&watchers.Result{Cursor: "c1"}, nil)
	boom := errors.New("connection reset")
	for range 8 {
		wt.then(nil, boom)
	}
	s := e.scheduler(map[string]watchers.Watcher{"feed": wt}, lookup{"news": w}, watchers.Options{
		MinBackoff: 30 * time.Second, MaxBackoff: time.Hour, UnhealthyAfter: 100, Rand: fixedRand(0.5),
	})
	if out, err := s.Poll(ctx, "news"); err != nil || out.Err != nil {
		t.Fatalf("first Poll: got %v, %v; want no error", err, out.Err)
	}

	want := []time.Duration{
		30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute,
		8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour,
	}
	for i, next := range want {
		n := i + 1
		out, err := s.Poll(ctx, "news")
		if err != nil {
			t.Fatalf("failure %d: Poll returned %v; want nil (failures are outcomes)", n, err)
		}
		if !errors.Is(out.Err, boom) {
			t.Errorf("failure %d: Outcome.Err: got %v; want %v", n, out.Err, boom)
		}
		if out.Next != next {
			t.Errorf("failure %d: Next: got %s; want %s", n, out.Next, next)
		}
		st := e.state(t, "news")
		if st.Cursor != "c1" || st.Failures != n || st.LastError != boom.Error() {
			t.Errorf("failure %d: state: got cursor %q failures %d error %q; want c1, %d, %q", n, st.Cursor, st.Failures, st.LastError, n, boom.Error())
		}
	}
	wantCursors := []string{"", "c1", "c1", "c1", "c1", "c1", "c1", "c1", "c1"}
	if got := wt.calls(); !slices.Equal(got, wantCursors) {
		t.Errorf("cursors given to the watcher: got %q; want %q", got, wantCursors)
	}
}

func TestPollRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{name: "plain error backs off", err: errors.New("503"), want: 30 * time.Second},
		{name: "retry-after is honoured", err: &alerts.RetryAfterError{After: 7 * time.Minute, Err: errors.New("429")}, want: 7 * time.Minute},
		{name: "wrapped retry-after is honoured", err: fmt.Errorf("fetch: %w", &alerts.RetryAfterError{After: 7 * time.Minute, Err: errors.New("429")}), want: 7 * time.Minute},
		{name: "zero retry-after backs off", err: &alerts.RetryAfterError{Err: errors.New("429")}, want: 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			wt := (&scriptedWatcher{}).then(nil, tt.err)
			s := e.scheduler(map[string]watchers.Watcher{"feed": wt}, lookup{"news": newWatch("news")},
				watchers.Options{MinBackoff: 30 * time.Second, MaxBackoff: time.Hour})
			out, err := s.Poll(context.Background(), "news")
			if err != nil {
				t.Fatalf("Poll: got error %v; want nil", err)
			}
			if out.Next != tt.want {
				t.Errorf("Next: got %s; want %s", out.Next, tt.want)
			}
			if !errors.Is(out.Err, tt.err) {
				t.Errorf("Outcome.Err: got %v; want %v", out.Err, tt.err)
			}
		})
	}
}

// downStore is a store whose database went away while down is set: every
// transaction fails, as during a database restart.
type downStore struct {
	alerts.Store
	down atomic.Bool
}

var errDown = errors.New("connection refused")

func (d *downStore) View(ctx context.Context, fn func(alerts.Tx) error) error {
	if d.down.Load() {
		return errDown
	}
	return d.Store.View(ctx, fn)
}

func (d *downStore) Update(ctx context.Context, fn func(alerts.Tx) error) error {
	if d.down.Load() {
		return errDown
	}
	return d.Store.Update(ctx, fn)
}

// TestPollStoreDownRetriesSoon polls while the store is unreachable, so
// not even the failure can be recorded: the poll is retried after
// MinBackoff, never later than MaxBackoff, and nothing was stored.
func TestPollStoreDownRetriesSoon(t *testing.T) {
	tests := []struct {
		name     string
		min, max time.Duration
		want     time.Duration
	}{
		{name: "min backoff", min: 30 * time.Second, max: time.Hour, want: 30 * time.Second},
		{name: "max backoff below min backoff caps it", min: 30 * time.Second, max: 2 * time.Second, want: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ds := &downStore{Store: e.st}
			svc := alerts.NewService(ds, alerts.Options{Routes: []alerts.Route{opsRoute}, Now: e.clock.Now})
			wt := (&scriptedWatcher{}).then(&watchers.Result{Cursor: "c1", Posts: []alerts.Post{post("1", "outage")}}, nil)
			s := watchers.NewScheduler(map[string]watchers.Watcher{"feed": wt}, match.New(), svc, lookup{"news": newWatch("news")},
				watchers.Options{MinBackoff: tt.min, MaxBackoff: tt.max, Now: e.clock.Now, Rand: fixedRand(0.5)})
			ds.down.Store(true)
			out, err := s.Poll(context.Background(), "news")
			ds.down.Store(false)
			if err != nil || !errors.Is(out.Err, errDown) {
				t.Fatalf("Poll: got %v, Outcome.Err %v; want nil and %v", err, out.Err, errDown)
			}
			if out.Next != tt.want {
				t.Errorf("Next: got %s; want %s", out.Next, tt.want)
			}
			if st := e.state(t, "news"); st.Cursor != "" || len(e.alerts(t)) != 0 {
				t.Errorf("after the failed poll: cursor %q, %d alerts; want nothing stored", st.Cursor, len(e.alerts(t)))
			}
		})
	}
}

func TestPollHealthNotices(t *testing.T) {
	tests := []struct {
		name string
		err  error
		// failures is how many polls fail in a row; noticeAt is the failure
		// after which the single "unhealthy" notice must be queued.
		failures, noticeAt int
	}{
		{name: "temporary errors after UnhealthyAfter", err: errors.New("timeout"), failures: 4, noticeAt: 3},
		{name: "permanent error at once", err: fmt.Errorf("token revoked: %w", alerts.ErrPermanent), failures: 2, noticeAt: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			wt := &scriptedWatcher{}
			for range tt.failures {
				wt.then(nil, tt.err)
			}
			wt.then(&watchers.Result{Cursor: "c1"}, nil).then(&watchers.Result{Cursor: "c2"}, nil)
			s := e.scheduler(map[string]watchers.Watcher{"feed": wt}, lookup{"news": newWatch("news")},
				watchers.Options{UnhealthyAfter: 3})

			for n := 1; n <= tt.failures; n++ {
				if _, err := s.Poll(ctx, "news"); err != nil {
					t.Fatalf("failure %d: Poll: %v", n, err)
				}
				want := 0
				if n >= tt.noticeAt {
					want = 1
				}
				if got := e.notices(t, "unhealthy"); len(got) != want {
					t.Errorf("after failure %d: unhealthy notices: got %d %q; want %d", n, len(got), got, want)
				}
			}
			if got := e.notices(t, "unhealthy"); len(got) == 1 && (!strings.Contains(got[0], "news") || !strings.Contains(got[0], tt.err.Error())) {
				t.Errorf("unhealthy notice: got %q; want it to name the watch and the error %q", got[0], tt.err)
			}
			for n := 1; n <= 2; n++ {
				if out, err := s.Poll(ctx, "news"); err != nil || out.Err != nil {
					t.Fatalf("success %d: Poll: got %v, %v; want no error", n, err, out.Err)
				}
				if got := e.notices(t, "recovered"); len(got) != 1 {
					t.Errorf("after success %d: recovered notices: got %d %q; want 1", n, len(got), got)
				}
			}
			if st := e.state(t, "news"); st.Failures != 0 || st.Unhealthy {
				t.Errorf("state after recovery: got failures %d unhealthy %v; want 0, false", st.Failures, st.Unhealthy)
			}
		})
	}
}

func TestPollStops(t *testing.T) {
	disabled := newWatch("off")
	disabled.Enabled = false
	tests := []struct {
		name  string
		watch string
	}{
		{name: "unknown watch", watch: "gone"},
		{name: "disabled watch", watch: "off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			wt := &scriptedWatcher{}
			s := e.scheduler(map[string]watchers.Watcher{"feed": wt}, lookup{"off": disabled}, watchers.Options{})
			out, err := s.Poll(context.Background(), tt.watch)
			if err != nil || !out.Stop {
				t.Errorf("Poll(%s): got Stop %v, error %v; want Stop true, nil", tt.watch, out.Stop, err)
			}
			if got := wt.calls(); len(got) != 0 {
				t.Errorf("watcher polls: got %d; want 0", len(got))
			}
		})
	}
}

func TestPollSourceNotConfigured(t *testing.T) {
	e := newEnv(t)
	w := newWatch("clips")
	w.Source = "youtube"
	s := e.scheduler(map[string]watchers.Watcher{"feed": &scriptedWatcher{}}, lookup{"clips": w},
		watchers.Options{MinBackoff: 30 * time.Second})
	out, err := s.Poll(context.Background(), "clips")
	if err != nil {
		t.Fatalf("Poll: got error %v; want nil", err)
	}
	if out.Err == nil || !strings.Contains(out.Err.Error(), `"youtube"`) {
		t.Errorf("Outcome.Err: got %v; want an error naming source \"youtube\"", out.Err)
	}
	if out.Stop || out.Next != 30*time.Second {
		t.Errorf("Outcome: got Stop %v, Next %s; want false, 30s", out.Stop, out.Next)
	}
	st := e.state(t, "clips")
	if st.Failures != 1 || !strings.Contains(st.LastError, "youtube") || !strings.Contains(st.LastError, "not configured") {
		t.Errorf("state: got failures %d, error %q; want 1 and a reason naming the unconfigured source", st.Failures, st.LastError)
	}
}

func TestPollShutdown(t *testing.T) {
	e := newEnv(t)
	w := newWatch("news")
	first := (&scriptedWatcher{}).then(&watchers.Result{Cursor: "c1"}, nil)
	if out, err := e.scheduler(map[string]watchers.Watcher{"feed": first}, lookup{"news": w}, watchers.Options{}).
		Poll(context.Background(), "news"); err != nil || out.Err != nil {
		t.Fatalf("first Poll: got %v, %v; want no error", err, out.Err)
	}

	bw := newBlockingWatcher()
	s := e.scheduler(map[string]watchers.Watcher{"feed": bw}, lookup{"news": w}, watchers.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Poll(ctx, "news")
		done <- err
	}()
	<-bw.entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Poll after cancel: got %v; want context.Canceled", err)
	}
	if as := e.alerts(t); len(as) != 0 {
		t.Errorf("alerts: got %v; want none", alertPosts(as))
	}
	st := e.state(t, "news")
	if st.Cursor != "c1" || st.Failures != 0 {
		t.Errorf("state: got cursor %q, failures %d; want c1, 0 (shutdown is not a failure)", st.Cursor, st.Failures)
	}
}

// doneCtx tells called when Done is first asked for: a poll waiting for
// its source's slot asks before it blocks.
type doneCtx struct {
	context.Context
	once   sync.Once
	called chan struct{}
}

func (c *doneCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.called) })
	return c.Context.Done()
}

// countingService records which watches had their state read: a poll
// reads it only once it holds its source's slot.
type countingService struct {
	watchers.Service
	mu   sync.Mutex
	read map[string]int
}

func (c *countingService) WatchState(ctx context.Context, name string) (*alerts.WatchState, error) {
	c.mu.Lock()
	c.read[name]++
	c.mu.Unlock()
	return c.Service.WatchState(ctx, name)
}

func (c *countingService) reads(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.read[name]
}

func TestPollPerSourceLimit(t *testing.T) {
	e := newEnv(t)
	bw := newBlockingWatcher()
	svc := &countingService{Service: e.svc, read: make(map[string]int)}
	l := lookup{"a": newWatch("a"), "b": newWatch("b"), "c": newWatch("c")}
	s := watchers.NewScheduler(map[string]watchers.Watcher{"feed": bw}, match.New(), svc, l,
		watchers.Options{MaxConcurrentPerSource: 2, Now: e.clock.Now, Rand: fixedRand(0.5)})

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	poll := func(ctx context.Context, name string) {
		wg.Go(func() {
			out, err := s.Poll(ctx, name)
			if err == nil {
				err = out.Err
			}
			errs <- err
		})
	}
	poll(context.Background(), "a")
	poll(context.Background(), "b")
	entered := []string{<-bw.entered, <-bw.entered}

	// c asks for the slot while a and b hold both: it must wait.
	cctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hook := &doneCtx{Context: cctx, called: make(chan struct{})}
	cdone := make(chan error, 1)
	go func() {
		_, err := s.Poll(hook, "c")
		cdone <- err
	}()
	<-hook.called
	if n := svc.reads("c"); n != 0 {
		t.Errorf("poll of c started while %v were running; want at most 2 at once", entered)
	}
	cancel()
	if err := <-cdone; !errors.Is(err, context.Canceled) {
		t.Errorf("waiting poll of c after cancel: got %v; want context.Canceled", err)
	}
	select {
	case name := <-bw.entered:
		t.Errorf("poll of %s reached the watcher while %v were running; want at most 2 at once", name, entered)
	default:
	}

	// Once a slot frees, the next poll of the source goes.
	bw.release <- struct{}{}
	poll(context.Background(), "c")
	entered = append(entered, <-bw.entered)
	bw.release <- struct{}{}
	bw.release <- struct{}{}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Poll: got error %v; want nil", err)
		}
	}
	if got := bw.most.Load(); got > 2 {
		t.Errorf("most polls of one source at once: got %d; want at most 2", got)
	}
	slices.Sort(entered)
	if want := []string{"a", "b", "c"}; !slices.Equal(entered, want) {
		t.Errorf("polled watches: got %v; want %v", entered, want)
	}
}
