package alerts_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/clock"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
	"github.com/lookoutbot/lookout/internal/store/storetest"
)

// start is the fake clock's first reading. Whole seconds, so times survive
// the store's microsecond precision unchanged.
var start = time.Date(2025, time.March, 1, 9, 0, 0, 0, time.UTC)

// The destinations of the test configuration.
const (
	console   alerts.Destination = "console"
	slackC1   alerts.Destination = "slack:C1"
	slackC2   alerts.Destination = "slack:C2"
	discordR9 alerts.Destination = "discord:role:9"
	discord55 alerts.Destination = "discord:55"
)

// options is the test configuration: route "default" posts to the console
// and slack:C1 and escalates with policy "oncall" (15m → slack:C2,
// 1h → discord:role:9, the whole sequence once more); route "quiet" posts
// to discord:55 and never escalates.
func options(c *clock.Fake) alerts.Options {
	return alerts.Options{
		Routes: []alerts.Route{
			{Name: "default", Destinations: []alerts.Destination{console, slackC1}, Policy: "oncall"},
			{Name: "quiet", Destinations: []alerts.Destination{discord55}},
		},
		Policies: []alerts.Policy{{
			Name: "oncall",
			Steps: []alerts.Step{
				{After: 15 * time.Minute, Notify: []alerts.Destination{slackC2}},
				{After: time.Hour, Notify: []alerts.Destination{discordR9}},
			},
			Repeat: 1,
		}},
		MuteExpiryNotice: 30 * time.Minute,
		Now:              c.Now,
	}
}

// env is one service over a real SQLite file in a temporary directory,
// with fake jobs and the fake clock.
type env struct {
	t     *testing.T
	path  string
	db    *sql.DB
	st    *store.DB
	jobs  *storetest.Jobs
	clock *clock.Fake
	opts  alerts.Options
	svc   *alerts.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "t.db"), clock: clock.NewFake(start)}
	e.opts = options(e.clock)
	e.open()
	return e
}

// open opens (and migrates) the database file and builds a new service
// over it with fresh fake jobs.
func (e *env) open() {
	e.t.Helper()
	ctx := e.t.Context()
	db, err := sqlite.Open(ctx, e.path)
	if err != nil {
		e.t.Fatalf("sqlite.Open: %v", err)
	}
	e.t.Cleanup(func() { _ = db.Close() })
	if err := sqlite.Migrate(ctx, db); err != nil {
		e.t.Fatalf("sqlite.Migrate: %v", err)
	}
	e.db = db
	e.jobs = storetest.NewJobs()
	e.st = sqlite.New(db, e.jobs)
	e.svc = alerts.NewService(e.st, e.opts)
}

// restart closes the database and opens the same file with a new store
// and a new service, as a process restart would.
func (e *env) restart() {
	e.t.Helper()
	if err := e.db.Close(); err != nil {
		e.t.Fatalf("close: %v", err)
	}
	e.open()
}

func (e *env) ctx() context.Context { return e.t.Context() }

// view runs fn in a read transaction and fails the test on error.
func (e *env) view(fn func(ctx context.Context, tx alerts.Tx) error) {
	e.t.Helper()
	ctx := e.ctx()
	if err := e.st.View(ctx, func(tx alerts.Tx) error { return fn(ctx, tx) }); err != nil {
		e.t.Fatalf("View: %v", err)
	}
}

// update runs fn in a write transaction and fails the test on error.
func (e *env) update(fn func(ctx context.Context, tx alerts.Tx) error) {
	e.t.Helper()
	ctx := e.ctx()
	if err := e.st.Update(ctx, func(tx alerts.Tx) error { return fn(ctx, tx) }); err != nil {
		e.t.Fatalf("Update: %v", err)
	}
}

// watch returns a watch on route "default".
func watch(name string) *alerts.Watch {
	return &alerts.Watch{
		Name: name, Source: "x", Keywords: []string{"shipment", "port"}, Interval: time.Minute,
		Severity: alerts.SeverityHigh, Route: "default", Enabled: true, Origin: alerts.OriginConfig,
	}
}

// border is the watch most tests use.
var border = watch("border")

const postText = "big shipment arrives at the port tonight"

// xpost returns a post by @CartelWatch (author id 1234).
func xpost(id string) alerts.Post {
	return alerts.Post{
		Platform: "x", ID: id, AuthorID: "1234", Handle: "CartelWatch",
		Text: postText, Lang: "en", CreatedAt: start.Add(-time.Minute),
		URL: "https://x.com/CartelWatch/status/" + id, Kind: alerts.KindPost,
		Raw: []byte(`{"id_str":"` + id + `","text":"` + postText + `"}`),
	}
}

// by returns p written by another author.
func by(p alerts.Post, authorID, handle string) alerts.Post {
	p.AuthorID, p.Handle = authorID, handle
	return p
}

// matched is p as the matcher passes it, with a hit for each term
// ("shipment" when none is given).
func matched(p alerts.Post, terms ...string) alerts.Polled {
	if len(terms) == 0 {
		terms = []string{"shipment"}
	}
	var hits []alerts.Hit
	for _, term := range terms {
		i := max(strings.Index(strings.ToLower(p.MatchText()), strings.ToLower(term)), 0)
		hits = append(hits, alerts.Hit{Term: term, Start: i, End: i + len(term)})
	}
	return alerts.Polled{Post: p, Match: alerts.Match{Hits: hits}, Matched: true}
}

// unmatched is p as the matcher rejects it.
func unmatched(p alerts.Post) alerts.Polled { return alerts.Polled{Post: p} }

// ingest ingests a batch and fails the test on error.
func (e *env) ingest(b alerts.Batch) alerts.IngestResult {
	e.t.Helper()
	res, err := e.svc.Ingest(e.ctx(), b)
	if err != nil {
		e.t.Fatalf("Ingest: %v", err)
	}
	return res
}

// raise ingests one matching post on the border watch and returns the id
// of the alert it raised (delivered or muted).
func (e *env) raise(p alerts.Post, terms ...string) int64 {
	e.t.Helper()
	return e.raiseOn(border, p, terms...)
}

// raiseOn ingests one matching post on watch w and returns the id of the
// alert it raised (delivered or muted).
func (e *env) raiseOn(w *alerts.Watch, p alerts.Post, terms ...string) int64 {
	e.t.Helper()
	res := e.ingest(alerts.Batch{Watch: w, Posts: []alerts.Polled{matched(p, terms...)}, Cursor: "after-" + p.ID})
	ids := append(slices.Clone(res.Alerted), res.Muted...)
	if len(ids) != 1 {
		e.t.Fatalf("ingest %s on %s: got alerts %v; want exactly one", p.ID, w.Name, ids)
	}
	return ids[0]
}

// request is a triage request by slack:U1 with what each action needs.
func request(id int64, a alerts.Action, actionID string) alerts.Request {
	r := alerts.Request{ActionID: actionID, Alert: id, Action: a, Actor: "slack:U1", Source: alerts.SourceSlack}
	switch a {
	case alerts.ActionAssign:
		r.Target = "@maria"
	case alerts.ActionNote:
		r.Reason = "seen before, same account"
	}
	return r
}

// apply applies a request and fails the test on error.
func (e *env) apply(r alerts.Request) *alerts.Result {
	e.t.Helper()
	res, err := e.svc.Apply(e.ctx(), r)
	if err != nil {
		e.t.Fatalf("Apply %s %s: %v", r.Action, alerts.FormatRef(r.Alert), err)
	}
	return res
}

// alert returns an alert and its history, failing the test on error.
func (e *env) alert(id int64) (*alerts.Alert, []*alerts.AuditEvent) {
	e.t.Helper()
	a, h, err := e.svc.Alert(e.ctx(), id)
	if err != nil {
		e.t.Fatalf("Alert(%d): %v", id, err)
	}
	return a, h
}

// allAlerts lists every alert, muted ones included, newest first.
func (e *env) allAlerts() []*alerts.Alert {
	e.t.Helper()
	as, err := e.svc.Alerts(e.ctx(), alerts.AlertFilter{IncludeMuted: true})
	if err != nil {
		e.t.Fatalf("Alerts: %v", err)
	}
	return as
}

// deliveries lists an alert's deliveries (alertID 0: those about no
// alert, such as watch health notices), oldest first.
func (e *env) deliveries(alertID int64) []*alerts.Delivery {
	e.t.Helper()
	var ds []*alerts.Delivery
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		ds, err = tx.Deliveries(ctx, alertID)
		return err
	})
	return ds
}

// pending lists the pending timers, soonest first.
func (e *env) pending() []*alerts.Timer {
	e.t.Helper()
	var ts []*alerts.Timer
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		ts, err = tx.PendingTimers(ctx)
		return err
	})
	return ts
}

// pendingOf lists the pending timers of one kind for an alert (alertID >
// 0) or a mute (muteID > 0).
func (e *env) pendingOf(kind alerts.TimerKind, alertID, muteID int64) []*alerts.Timer {
	e.t.Helper()
	var out []*alerts.Timer
	for _, tm := range e.pending() {
		if tm.Kind == kind && tm.AlertID == alertID && tm.MuteID == muteID {
			out = append(out, tm)
		}
	}
	return out
}

// onlyPending returns the one pending timer of a kind for an alert or a
// mute, failing the test when there is not exactly one.
func (e *env) onlyPending(kind alerts.TimerKind, alertID, muteID int64) *alerts.Timer {
	e.t.Helper()
	ts := e.pendingOf(kind, alertID, muteID)
	if len(ts) != 1 {
		e.t.Fatalf("pending %s timers of alert %d mute %d: got %d (%s); want 1", kind, alertID, muteID, len(ts), timerList(ts))
	}
	return ts[0]
}

// timer returns a timer by id.
func (e *env) timer(id int64) *alerts.Timer {
	e.t.Helper()
	var tm *alerts.Timer
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		tm, err = tx.Timer(ctx, id)
		return err
	})
	return tm
}

// fire fires a timer and fails the test on error.
func (e *env) fire(id int64) {
	e.t.Helper()
	if err := e.svc.FireTimer(e.ctx(), id); err != nil {
		e.t.Fatalf("FireTimer(%d): %v", id, err)
	}
}

// mute creates a mute and fails the test on error.
func (e *env) mute(r alerts.MuteRequest) *alerts.Mute {
	e.t.Helper()
	if r.Actor == "" {
		r.Actor = "slack:U1"
	}
	if r.Source == "" {
		r.Source = alerts.SourceSlack
	}
	if r.For == 0 {
		r.For = 2 * time.Hour
	}
	m, err := e.svc.Mute(e.ctx(), r)
	if err != nil {
		e.t.Fatalf("Mute %+v: %v", r, err)
	}
	return m
}

// auditByAction returns the audit event of an action id.
func (e *env) auditByAction(actionID string) *alerts.AuditEvent {
	e.t.Helper()
	var ev *alerts.AuditEvent
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		ev, err = tx.AuditByAction(ctx, actionID)
		return err
	})
	return ev
}

// ofKind keeps the deliveries of one kind.
func ofKind(ds []*alerts.Delivery, k alerts.DeliveryKind) []*alerts.Delivery {
	var out []*alerts.Delivery
	for _, d := range ds {
		if d.Kind == k {
			out = append(out, d)
		}
	}
	return out
}

// containing keeps the deliveries whose text contains s.
func containing(ds []*alerts.Delivery, s string) []*alerts.Delivery {
	var out []*alerts.Delivery
	for _, d := range ds {
		if strings.Contains(d.Text, s) {
			out = append(out, d)
		}
	}
	return out
}

// destinations returns the deliveries' destinations, sorted.
func destinations(ds []*alerts.Delivery) []alerts.Destination {
	out := make([]alerts.Destination, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Destination)
	}
	slices.Sort(out)
	return out
}

// ids returns the deliveries' ids.
func ids(ds []*alerts.Delivery) []int64 {
	out := make([]int64, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func timerList(ts []*alerts.Timer) string {
	var b strings.Builder
	for i, tm := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(tm.Kind) + "@" + tm.DueAt.Format(time.TimeOnly))
	}
	return b.String()
}

// errInjected is the fault faultStore injects.
var errInjected = errors.New("injected fault")

// faultStore is an alerts.Store whose transactions fail the nth call of
// one Tx method with errInjected, as a crash or a full disk would at that
// point of the transaction.
type faultStore struct {
	alerts.Store
	method string
	nth    int

	mu    sync.Mutex
	calls map[string]int
}

var (
	_ alerts.Store = (*faultStore)(nil)
	_ alerts.Tx    = (*faultTx)(nil)
)

func newFaultStore(s alerts.Store, method string, nth int) *faultStore {
	return &faultStore{Store: s, method: method, nth: nth, calls: map[string]int{}}
}

// Update implements alerts.Store.
func (s *faultStore) Update(ctx context.Context, fn func(alerts.Tx) error) error {
	return s.Store.Update(ctx, func(tx alerts.Tx) error { return fn(&faultTx{Tx: tx, s: s}) })
}

// fault counts a call and returns errInjected when it is the one to fail.
func (s *faultStore) fault(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	if method == s.method && s.calls[method] == s.nth {
		return errInjected
	}
	return nil
}

// faultTx is a transaction of faultStore.
type faultTx struct {
	alerts.Tx
	s *faultStore
}

func (t *faultTx) PutPost(ctx context.Context, p *alerts.Post, ev alerts.Evidence) (int64, error) {
	if err := t.s.fault("PutPost"); err != nil {
		return 0, err
	}
	return t.Tx.PutPost(ctx, p, ev)
}

func (t *faultTx) MarkSeen(ctx context.Context, watch, platform, chainID string, at time.Time) error {
	if err := t.s.fault("MarkSeen"); err != nil {
		return err
	}
	return t.Tx.MarkSeen(ctx, watch, platform, chainID, at)
}

func (t *faultTx) InsertAlert(ctx context.Context, a *alerts.Alert) error {
	if err := t.s.fault("InsertAlert"); err != nil {
		return err
	}
	return t.Tx.InsertAlert(ctx, a)
}

func (t *faultTx) InsertAudit(ctx context.Context, ev *alerts.AuditEvent) error {
	if err := t.s.fault("InsertAudit"); err != nil {
		return err
	}
	return t.Tx.InsertAudit(ctx, ev)
}

func (t *faultTx) InsertDelivery(ctx context.Context, d *alerts.Delivery) error {
	if err := t.s.fault("InsertDelivery"); err != nil {
		return err
	}
	return t.Tx.InsertDelivery(ctx, d)
}

func (t *faultTx) InsertTimer(ctx context.Context, tm *alerts.Timer) error {
	if err := t.s.fault("InsertTimer"); err != nil {
		return err
	}
	return t.Tx.InsertTimer(ctx, tm)
}

func (t *faultTx) PutWatchState(ctx context.Context, st *alerts.WatchState) error {
	if err := t.s.fault("PutWatchState"); err != nil {
		return err
	}
	return t.Tx.PutWatchState(ctx, st)
}

// fireDue fires every pending timer due by the clock, oldest first, as the
// work engine would.
func (e *env) fireDue() {
	e.t.Helper()
	var due []*alerts.Timer
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		ts, err := tx.PendingTimers(ctx)
		for _, tm := range ts {
			if !tm.DueAt.After(e.clock.Now()) {
				due = append(due, tm)
			}
		}
		return err
	})
	sort.Slice(due, func(i, j int) bool { return due[i].DueAt.Before(due[j].DueAt) })
	for _, tm := range due {
		e.fire(tm.ID)
	}
}
