package bluesky

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
	"github.com/lookoutbot/lookout/watchers/match"
)

const bobDID = "did:plc:bob0000000000000000000"

// ingested is what one Ingest call did, sent after its transaction
// committed: the alerts are in the outbox by then.
type ingested struct {
	watch   string
	posts   []alerts.Polled
	notices []string
	res     alerts.IngestResult
}

// observedService is the real alerts service, reporting each commit.
type observedService struct {
	*alerts.Service
	out     chan ingested
	deleted chan string
}

func (o *observedService) Ingest(ctx context.Context, b alerts.Batch) (alerts.IngestResult, error) {
	res, err := o.Service.Ingest(ctx, b)
	if err == nil {
		o.out <- ingested{b.Watch.Name, b.Posts, b.Notices, res}
	}
	return res, err
}

func (o *observedService) PostDeleted(ctx context.Context, platform, chainID string, at time.Time, reason string) error {
	err := o.Service.PostDeleted(ctx, platform, chainID, at, reason)
	if err == nil {
		o.deleted <- chainID
	}
	return err
}

type staticWatches struct {
	mu sync.Mutex
	ws []*alerts.Watch
}

func (s *staticWatches) List(context.Context) ([]*alerts.Watch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*alerts.Watch, len(s.ws))
	for i, w := range s.ws {
		c := *w
		out[i] = &c
	}
	return out, nil
}

func (s *staticWatches) set(ws ...*alerts.Watch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws = ws
}

// streamEnv is a store, a service, a fake AppView and a fake Jetstream.
type streamEnv struct {
	t       testing.TB
	store   alerts.Store
	svc     *observedService
	xrpc    *fakeXRPC
	js      *fakeJetstream
	watches *staticWatches
	// alerted counts alerts raised per watch across the whole test.
	alerted map[string]int
}

func newStreamEnv(t testing.TB) *streamEnv {
	st := sqlitetest.Open(t)
	svc := alerts.NewService(st, alerts.Options{Routes: []alerts.Route{{Name: "default", Destinations: []alerts.Destination{"console"}}}})
	e := &streamEnv{
		t: t, store: st,
		svc:     &observedService{Service: svc, out: make(chan ingested, 1000), deleted: make(chan string, 100)},
		xrpc:    newFakeXRPC(t),
		js:      newFakeJetstream(t),
		watches: &staticWatches{},
		alerted: map[string]int{},
	}
	e.xrpc.account("alice.bsky.social", aliceDID)
	e.xrpc.account("bob.bsky.social", bobDID)
	return e
}

// start runs a new stream (a new process) until the test ends.
func (e *streamEnv) start(url string) (*Stream, *Watcher) {
	w := New(testClient(), nil, Options{BaseURL: e.xrpc.srv.URL})
	s := NewStream(w, StreamOptions{URL: url, Refresh: 20 * time.Millisecond, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, IdleAdvance: time.Hour})
	s.Wire(Deps{Service: e.svc, Watches: e.watches, Matcher: match.New()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			e.t.Errorf("Run = %v; want context.Canceled", err)
		}
	})
	return s, w
}

// waitConnected waits for the n-th connection to the fake Jetstream.
func (e *streamEnv) waitConnected(n int) {
	e.t.Helper()
	for {
		select {
		case got := <-e.js.connected:
			if got >= n {
				return
			}
		case <-time.After(10 * time.Second):
			e.t.Fatalf("no connection #%d to jetstream", n)
		}
	}
}

// waitAlerts collects committed ingests until want alerts were raised in
// total for each watch named.
func (e *streamEnv) waitAlerts(want map[string]int) []ingested {
	e.t.Helper()
	var got []ingested
	for !reached(e.alerted, want) {
		select {
		case in := <-e.svc.out:
			got = append(got, in)
			e.alerted[in.watch] += len(in.res.Alerted)
		case <-time.After(10 * time.Second):
			e.t.Fatalf("alerts = %v; want %v", e.alerted, want)
		}
	}
	return got
}

func reached(got, want map[string]int) bool {
	for k, v := range want {
		if got[k] < v {
			return false
		}
	}
	return true
}

func (e *streamEnv) alertTexts() map[string][]string {
	e.t.Helper()
	out := map[string][]string{}
	err := e.store.View(context.Background(), func(tx alerts.Tx) error {
		as, err := tx.Alerts(context.Background(), alerts.AlertFilter{})
		for _, a := range as {
			out[a.Watch] = append(out[a.Watch], a.Post.Text)
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

func (e *streamEnv) cursorOf(watch string) *cursor {
	e.t.Helper()
	st, err := e.svc.WatchState(context.Background(), watch)
	if err != nil {
		e.t.Fatal(err)
	}
	return parseCursor(st.Cursor)
}

func TestStreamCommitDeleteIdentityAccountReplay(t *testing.T) {
	e := newStreamEnv(t)
	acct := &alerts.Watch{Name: "acct", Source: Platform, Accounts: []string{"alice.bsky.social"}, Severity: alerts.SeverityHigh, Route: "default", Enabled: true, Origin: alerts.OriginConfig}
	kw := &alerts.Watch{Name: "kw", Source: Platform, Keywords: []string{"plaza"}, Severity: alerts.SeverityHigh, Route: "default", Enabled: true, Origin: alerts.OriginConfig}
	e.watches.set(acct, kw)
	_, w := e.start(e.js.url())
	e.waitConnected(1)

	e.js.create(aliceDID, "a1", "hola desde alice")
	e.js.create(bobDID, "b1", "la plaza está tomada")
	e.js.create(bobDID, "b2", "nada que ver")
	e.js.raw(`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r","record":"not a record"}}`)
	e.js.raw(`not json at all`)
	last := e.js.create(aliceDID, "a2", "alice en la plaza")
	e.waitAlerts(map[string]int{"acct": 2, "kw": 2})

	// Each watch's cursor committed with its posts.
	if c := e.cursorOf("acct"); c.TimeUS < last || c.Accounts["alice.bsky.social"].Last != postURI(aliceDID, "a2") {
		t.Errorf("acct cursor = %+v; want time_us ≥ %d and last a2", c, last)
	}

	// The connection drops and stays down while posts keep coming.
	e.js.setDown(true)
	e.js.drop()
	e.js.create(bobDID, "b3", "otra plaza")
	e.js.create(aliceDID, "a3", "durante el corte")
	e.js.setDown(false)
	e.waitConnected(2)
	e.waitAlerts(map[string]int{"acct": 3, "kw": 3})
	if got := e.js.cursors[1]; got <= 0 || got > last {
		t.Errorf("reconnect cursor = %d; want the last processed position (≤ %d)", got, last)
	}

	// Delete, rename, deactivate.
	e.js.remove(aliceDID, "a1")
	select {
	case uri := <-e.svc.deleted:
		if uri != postURI(aliceDID, "a1") {
			t.Errorf("deleted %s; want a1", uri)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("delete not reported")
	}
	e.js.identity(aliceDID, "alice.example.com")
	e.js.create(aliceDID, "a4", "con nombre nuevo")
	got := e.waitAlerts(map[string]int{"acct": 4})
	var renamed *alerts.Post
	var notices []string
	for _, in := range got {
		notices = append(notices, in.notices...)
		for _, p := range in.posts {
			if p.Post.ID == postURI(aliceDID, "a4") {
				renamed = &p.Post
			}
		}
	}
	if renamed == nil || renamed.Handle != "alice.example.com" || renamed.PreviousHandle != "alice.bsky.social" {
		t.Errorf("post after rename = %+v; want @alice.example.com, previously @alice.bsky.social", renamed)
	}
	if !slices.ContainsFunc(notices, func(n string) bool { return strings.Contains(n, "@alice.bsky.social is now @alice.example.com") }) {
		t.Errorf("notices = %q; want the rename", notices)
	}
	e.js.accountEvent(aliceDID, false, "deactivated")
	for found := false; !found; {
		select {
		case in := <-e.svc.out:
			found = in.watch == "acct" && len(in.notices) == 1 && strings.Contains(in.notices[0], "@alice.example.com ("+aliceDID+") is no longer active (deactivated)")
		case <-time.After(10 * time.Second):
			t.Fatal("no deactivation notice to acct")
		}
	}

	// A poll of a watch the stream serves only checkpoints.
	res, err := w.Poll(context.Background(), acct, "")
	if err != nil || len(res.Posts) != 0 || parseCursor(res.Cursor).TimeUS == 0 {
		t.Errorf("Poll = %+v, %v; want a checkpoint with the stream position", res, err)
	}

	want := map[string][]string{
		"acct": {"alice en la plaza", "con nombre nuevo", "durante el corte", "hola desde alice"},
		"kw":   {"alice en la plaza", "la plaza está tomada", "otra plaza"},
	}
	if got := e.alertTexts(); !equalTexts(got, want) {
		t.Errorf("alerts = %v; want exactly %v (no gap, no duplicate)", got, want)
	}
	var deleted int
	_ = e.store.View(context.Background(), func(tx alerts.Tx) error {
		as, _ := tx.Alerts(context.Background(), alerts.AlertFilter{})
		for _, a := range as {
			if !a.Post.DeletedAt.IsZero() {
				deleted++
			}
		}
		return nil
	})
	if deleted != 1 {
		t.Errorf("alerts on deleted posts = %d; want 1 (a1)", deleted)
	}
}

func equalTexts(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !slices.Equal(a[k], b[k]) {
			return false
		}
	}
	return true
}

// TestStreamRestartResumes stops the process, lets posts arrive, and
// starts a new one over the same store: it replays from the stored
// cursor, alerting on what it missed and on nothing twice.
func TestStreamRestartResumes(t *testing.T) {
	e := newStreamEnv(t)
	kw := &alerts.Watch{Name: "kw", Source: Platform, Keywords: []string{"plaza"}, Severity: alerts.SeverityHigh, Route: "default", Enabled: true, Origin: alerts.OriginConfig}
	e.watches.set(kw)

	ctx, cancel := context.WithCancel(context.Background())
	w1 := New(testClient(), nil, Options{BaseURL: e.xrpc.srv.URL})
	s1 := NewStream(w1, StreamOptions{URL: e.js.url(), Refresh: time.Hour, MinBackoff: 10 * time.Millisecond})
	s1.Wire(Deps{Service: e.svc, Watches: e.watches, Matcher: match.New()})
	done := make(chan error, 1)
	go func() { done <- s1.Run(ctx) }()
	e.waitConnected(1)
	e.js.create(bobDID, "b1", "plaza uno")
	e.waitAlerts(map[string]int{"kw": 1})
	cancel()
	<-done

	e.js.create(bobDID, "b2", "plaza dos (while stopped)")
	e.start(e.js.url())
	e.waitConnected(2)
	e.js.create(bobDID, "b3", "plaza tres")
	e.waitAlerts(map[string]int{"kw": 3})
	want := map[string][]string{"kw": {"plaza dos (while stopped)", "plaza tres", "plaza uno"}}
	if got := e.alertTexts(); !equalTexts(got, want) {
		t.Errorf("alerts = %v; want %v", got, want)
	}
	if e.js.cursors[1] <= 0 {
		t.Errorf("restart cursor = %d; want the stored position", e.js.cursors[1])
	}
}

// TestStreamAccountFilter checks wantedDids and a live options_update
// when a watch goes away.
func TestStreamAccountFilter(t *testing.T) {
	e := newStreamEnv(t)
	a := &alerts.Watch{Name: "a", Source: Platform, Accounts: []string{"alice.bsky.social"}, Route: "default", Severity: alerts.SeverityLow, Enabled: true, Origin: alerts.OriginConfig}
	b := &alerts.Watch{Name: "b", Source: Platform, Accounts: []string{"@bob.bsky.social"}, Route: "default", Severity: alerts.SeverityLow, Enabled: true, Origin: alerts.OriginConfig}
	e.watches.set(a, b)
	e.start(e.js.url())
	e.waitConnected(1)
	if u := e.js.urls[0]; !strings.Contains(u, "wantedDids="+strings.ReplaceAll(aliceDID, ":", "%3A")) || !strings.Contains(u, "wantedDids="+strings.ReplaceAll(bobDID, ":", "%3A")) {
		t.Errorf("url = %s; want both DIDs in wantedDids", u)
	}
	e.js.create(bobDID, "b1", "bob habla")
	e.waitAlerts(map[string]int{"b": 1})

	e.watches.set(a) // b removed: fewer DIDs, same connection
	deadline := time.After(10 * time.Second)
	for {
		e.js.mu.Lock()
		n := len(e.js.updates)
		e.js.mu.Unlock()
		if n > 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("no options_update after a watch was removed")
		case <-time.After(5 * time.Millisecond):
		}
	}
	e.js.mu.Lock()
	upd := e.js.updates[0]
	conns := len(e.js.urls)
	e.js.mu.Unlock()
	if !slices.Equal(upd, []string{aliceDID}) || conns != 1 {
		t.Errorf("options_update wantedDids = %v over %d connections; want [alice] on the same connection", upd, conns)
	}
	e.js.create(bobDID, "b2", "bob otra vez")
	e.js.create(aliceDID, "a1", "alice")
	e.waitAlerts(map[string]int{"a": 1})
	if got := e.alertTexts(); !equalTexts(got, map[string][]string{"a": {"alice"}, "b": {"bob habla"}}) {
		t.Errorf("alerts = %v", got)
	}
}
