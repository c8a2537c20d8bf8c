package outbox_test

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
	"github.com/lookoutbot/lookout/internal/outbox"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
)

// start is the fake clock's first reading: whole seconds, so times survive
// the store's microsecond columns unchanged.
var start = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// The route every test alert goes to: two Slack channels and a Discord one.
const (
	c1 alerts.Destination = "slack:C1"
	c2 alerts.Destination = "slack:C2"
	d1 alerts.Destination = "discord:D1"
)

var opsRoute = alerts.Route{Name: "ops", Destinations: []alerts.Destination{c1, c2, d1}}

// call is one Post or Edit a fakeNotifier received.
type call struct {
	op      string // post or edit
	to      alerts.Destination
	kind    alerts.DeliveryKind
	alertID int64
	state   alerts.State // the alert's state as rendered
	ref     string       // for edits: the message edited
	notice  string
}

// fakeNotifier records calls and answers each with the next scripted error
// (nil once the script is used up). With block set, it waits for ctx.
type fakeNotifier struct {
	mu      sync.Mutex
	calls   []call
	errs    []error
	block   bool
	entered chan struct{}
}

var _ alerts.Notifier = (*fakeNotifier)(nil)

func (f *fakeNotifier) record(ctx context.Context, c call, m *alerts.Message) error {
	f.mu.Lock()
	c.kind, c.notice = m.Kind, m.Notice
	if m.Alert != nil {
		c.alertID, c.state = m.Alert.ID, m.Alert.State
	}
	f.calls = append(f.calls, c)
	var err error
	if len(f.errs) > 0 {
		err, f.errs = f.errs[0], f.errs[1:]
	}
	block := f.block
	f.mu.Unlock()
	if block {
		close(f.entered)
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

func (f *fakeNotifier) Post(ctx context.Context, to alerts.Destination, m *alerts.Message) (string, error) {
	if err := f.record(ctx, call{op: "post", to: to}, m); err != nil {
		return "", err
	}
	return "ref-" + string(to), nil
}

func (f *fakeNotifier) Edit(ctx context.Context, to alerts.Destination, ref string, m *alerts.Message) error {
	return f.record(ctx, call{op: "edit", to: to, ref: ref}, m)
}

func (f *fakeNotifier) fail(errs ...error) {
	f.mu.Lock()
	f.errs = append(f.errs, errs...)
	f.mu.Unlock()
}

func (f *fakeNotifier) got() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// env is a real SQLite store and alerts service with a deliverer over
// them whose Slack and Discord notifiers are fakes.
type env struct {
	st      *store.DB
	svc     *alerts.Service
	clock   *clock.Fake
	slack   *fakeNotifier
	discord *fakeNotifier
	posts   int // posts stored by alert, for unique ids
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := sqlitetest.Open(t)
	clk := clock.NewFake(start)
	svc := alerts.NewService(st, alerts.Options{Routes: []alerts.Route{opsRoute}, Now: clk.Now})
	return &env{st: st, svc: svc, clock: clk, slack: &fakeNotifier{}, discord: &fakeNotifier{}}
}

func (e *env) deliverer(opts outbox.Options) *outbox.Deliverer {
	opts.Now = e.clock.Now
	notifiers := map[string]alerts.Notifier{"slack": e.slack, "discord": e.discord}
	return outbox.New(e.st, notifiers, e.svc, opts)
}

var defaultOpts = outbox.Options{Pace: time.Second, Wait: 500 * time.Millisecond, MinRetry: 2 * time.Second, MaxRetry: 15 * time.Minute}

// alert stores an open alert on route ops and returns it.
func (e *env) alert(t *testing.T) *alerts.Alert {
	t.Helper()
	e.posts++
	id := fmt.Sprint(e.posts)
	a := &alerts.Alert{
		Watch: "news", Severity: alerts.SeverityHigh, Route: "ops", State: alerts.StateOpen,
		Post: alerts.Post{Platform: "feed", ID: id, Text: "outage " + id, URL: "https://example.com/" + id,
			Kind: alerts.KindPost, CreatedAt: start, Raw: []byte(id)},
		Evidence: alerts.NewEvidence([]byte(id), start), CreatedAt: start, UpdatedAt: start,
	}
	ctx := context.Background()
	if err := e.st.Update(ctx, func(tx alerts.Tx) error { return tx.InsertAlert(ctx, a) }); err != nil {
		t.Fatalf("InsertAlert: %v", err)
	}
	return a
}

func (e *env) insert(t *testing.T, d *alerts.Delivery) int64 {
	t.Helper()
	ctx := context.Background()
	if d.CreatedAt.IsZero() {
		d.CreatedAt = e.clock.Now()
	}
	if err := e.st.Update(ctx, func(tx alerts.Tx) error { return tx.InsertDelivery(ctx, d) }); err != nil {
		t.Fatalf("InsertDelivery: %v", err)
	}
	return d.ID
}

func (e *env) card(t *testing.T, a *alerts.Alert, to alerts.Destination) int64 {
	t.Helper()
	return e.insert(t, &alerts.Delivery{AlertID: a.ID, Destination: to, Kind: alerts.DeliveryCard})
}

func (e *env) delivery(t *testing.T, id int64) *alerts.Delivery {
	t.Helper()
	var d *alerts.Delivery
	ctx := context.Background()
	err := e.st.View(ctx, func(tx alerts.Tx) error {
		var err error
		d, err = tx.Delivery(ctx, id)
		return err
	})
	if err != nil {
		t.Fatalf("Delivery(%d): %v", id, err)
	}
	return d
}

// notices returns the pending notices, by destination.
func (e *env) notices(t *testing.T) map[alerts.Destination]string {
	t.Helper()
	out := make(map[alerts.Destination]string)
	ctx := context.Background()
	err := e.st.View(ctx, func(tx alerts.Tx) error {
		ds, err := tx.DeliveriesByState(ctx, alerts.DeliveryPending, 0)
		for _, d := range ds {
			if d.Kind == alerts.DeliveryNotice {
				if _, dup := out[d.Destination]; dup {
					t.Errorf("notices: two pending notices to %s; want at most one", d.Destination)
				}
				out[d.Destination] = d.Text
			}
		}
		return err
	})
	if err != nil {
		t.Fatalf("DeliveriesByState: %v", err)
	}
	return out
}

func destinations(m map[alerts.Destination]string) []alerts.Destination {
	var out []alerts.Destination
	for d := range m {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

func deliver(t *testing.T, dv *outbox.Deliverer, id int64) outbox.Outcome {
	t.Helper()
	out, err := dv.Deliver(context.Background(), id)
	if err != nil {
		t.Fatalf("Deliver(%d): got error %v; want nil", id, err)
	}
	return out
}

func TestDeliverCard(t *testing.T) {
	e := newEnv(t)
	a := e.alert(t)
	id := e.card(t, a, c1)

	out := deliver(t, e.deliverer(defaultOpts), id)
	if !out.Done {
		t.Errorf("Outcome: got %+v; want Done", out)
	}
	want := []call{{op: "post", to: c1, kind: alerts.DeliveryCard, alertID: a.ID, state: alerts.StateOpen}}
	if got := e.slack.got(); !slices.Equal(got, want) {
		t.Errorf("notifier calls: got %+v; want %+v", got, want)
	}
	d := e.delivery(t, id)
	if d.State != alerts.DeliverySent || d.MessageRef != "ref-slack:C1" || !d.SentAt.Equal(start) || d.LastError != "" {
		t.Errorf("delivery: got state %s, ref %q, sent at %s, error %q; want sent, ref-slack:C1, %s, none",
			d.State, d.MessageRef, d.SentAt, d.LastError, start)
	}
}

func TestDeliverKeepsOrder(t *testing.T) {
	e := newEnv(t)
	dv := e.deliverer(defaultOpts)
	first := e.card(t, e.alert(t), c1)
	second := e.card(t, e.alert(t), c1)

	if out := deliver(t, dv, second); out.Done || out.Retry != defaultOpts.Wait {
		t.Errorf("second card before the first: got %+v; want Retry %s", out, defaultOpts.Wait)
	}
	if got := e.slack.got(); len(got) != 0 {
		t.Errorf("notifier calls: got %+v; want none", got)
	}
	if d := e.delivery(t, second); d.State != alerts.DeliveryPending || d.Attempts != 0 {
		t.Errorf("second card: got state %s, attempts %d; want pending, 0", d.State, d.Attempts)
	}

	if out := deliver(t, dv, first); !out.Done {
		t.Fatalf("first card: got %+v; want Done", out)
	}
	e.clock.Advance(defaultOpts.Pace)
	if out := deliver(t, dv, second); !out.Done {
		t.Errorf("second card after the first: got %+v; want Done", out)
	}
	if got := e.slack.got(); len(got) != 2 {
		t.Errorf("notifier calls: got %d; want 2", len(got))
	}
}

func TestDeliverEditWaitsForCard(t *testing.T) {
	e := newEnv(t)
	dv := e.deliverer(defaultOpts)
	a := e.alert(t)
	card := e.card(t, a, c1)
	edit := e.insert(t, &alerts.Delivery{AlertID: a.ID, CardID: card, Destination: c1, Kind: alerts.DeliveryEdit})

	if out := deliver(t, dv, edit); out.Done || out.Retry != defaultOpts.Wait {
		t.Errorf("edit before its card: got %+v; want Retry %s", out, defaultOpts.Wait)
	}
	if got := e.slack.got(); len(got) != 0 {
		t.Fatalf("notifier calls: got %+v; want none", got)
	}
	if out := deliver(t, dv, card); !out.Done {
		t.Fatalf("card: got %+v; want Done", out)
	}

	// The alert moves on before the edit goes: the edit shows it as it is now.
	ctx := context.Background()
	err := e.st.Update(ctx, func(tx alerts.Tx) error {
		cur, err := tx.Alert(ctx, a.ID)
		if err != nil {
			return err
		}
		cur.State = alerts.StateAcked
		return tx.UpdateAlert(ctx, cur)
	})
	if err != nil {
		t.Fatalf("ack alert: %v", err)
	}
	e.clock.Advance(defaultOpts.Pace)

	if out := deliver(t, dv, edit); !out.Done {
		t.Errorf("edit after its card: got %+v; want Done", out)
	}
	want := []call{
		{op: "post", to: c1, kind: alerts.DeliveryCard, alertID: a.ID, state: alerts.StateOpen},
		{op: "edit", to: c1, kind: alerts.DeliveryEdit, alertID: a.ID, state: alerts.StateAcked, ref: "ref-slack:C1"},
	}
	if got := e.slack.got(); !slices.Equal(got, want) {
		t.Errorf("notifier calls: got %+v; want %+v", got, want)
	}
	if d := e.delivery(t, edit); d.State != alerts.DeliverySent {
		t.Errorf("edit state: got %s; want sent", d.State)
	}
}

func TestDeliverEditOfFailedCard(t *testing.T) {
	e := newEnv(t)
	a := e.alert(t)
	card := e.insert(t, &alerts.Delivery{AlertID: a.ID, Destination: c1, Kind: alerts.DeliveryCard,
		State: alerts.DeliveryFailed, LastError: "channel_not_found"})
	edit := e.insert(t, &alerts.Delivery{AlertID: a.ID, CardID: card, Destination: c1, Kind: alerts.DeliveryEdit})

	if out := deliver(t, e.deliverer(defaultOpts), edit); !out.Done {
		t.Errorf("Outcome: got %+v; want Done", out)
	}
	if got := e.slack.got(); len(got) != 0 {
		t.Errorf("notifier calls: got %+v; want none", got)
	}
	if d := e.delivery(t, edit); d.State != alerts.DeliverySuperseded {
		t.Errorf("edit state: got %s; want superseded", d.State)
	}
}

func TestDeliverPace(t *testing.T) {
	tests := []struct {
		name      string
		since     time.Duration // from the destination's last message to now
		wantRetry time.Duration
		wantSent  bool
	}{
		{name: "too soon waits the rest of the pace", since: 300 * time.Millisecond, wantRetry: 700 * time.Millisecond},
		{name: "exactly one pace later sends", since: time.Second, wantSent: true},
		{name: "later sends", since: time.Minute, wantSent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.insert(t, &alerts.Delivery{Destination: c1, Kind: alerts.DeliveryNotice, Text: "earlier",
				State: alerts.DeliverySent, SentAt: start, MessageRef: "r0"})
			// Another channel's messages do not count.
			e.insert(t, &alerts.Delivery{Destination: c2, Kind: alerts.DeliveryNotice, Text: "other",
				State: alerts.DeliverySent, SentAt: start.Add(tt.since), MessageRef: "r1"})
			id := e.insert(t, &alerts.Delivery{Destination: c1, Kind: alerts.DeliveryNotice, Text: "now"})
			e.clock.Advance(tt.since)

			out := deliver(t, e.deliverer(outbox.Options{Pace: time.Second}), id)
			if out.Done != tt.wantSent || out.Retry != tt.wantRetry {
				t.Errorf("Outcome: got %+v; want Done %v, Retry %s", out, tt.wantSent, tt.wantRetry)
			}
			if got := len(e.slack.got()); got != map[bool]int{false: 0, true: 1}[tt.wantSent] {
				t.Errorf("notifier calls: got %d; want sent %v", got, tt.wantSent)
			}
		})
	}
}

func TestDeliverRetry(t *testing.T) {
	tmp := errors.New("502 bad gateway")
	tests := []struct {
		name     string
		attempts int // attempts already made
		errs     []error
		want     []time.Duration
	}{
		{name: "backoff doubles", errs: []error{tmp, tmp}, want: []time.Duration{2 * time.Second, 4 * time.Second}},
		{name: "retry-after is honoured", errs: []error{&alerts.RetryAfterError{After: 30 * time.Second, Err: tmp}}, want: []time.Duration{30 * time.Second}},
		{name: "zero retry-after backs off", errs: []error{&alerts.RetryAfterError{Err: tmp}}, want: []time.Duration{2 * time.Second}},
		{name: "retry-after is capped", errs: []error{&alerts.RetryAfterError{After: time.Hour, Err: tmp}}, want: []time.Duration{10 * time.Minute}},
		{name: "backoff is capped", attempts: 12, errs: []error{tmp}, want: []time.Duration{10 * time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			dv := e.deliverer(outbox.Options{Pace: time.Second, MinRetry: 2 * time.Second, MaxRetry: 10 * time.Minute, NoticeAfter: 100})
			id := e.insert(t, &alerts.Delivery{AlertID: e.alert(t).ID, Destination: c1, Kind: alerts.DeliveryCard, Attempts: tt.attempts})
			e.slack.fail(tt.errs...)
			for i, want := range tt.want {
				out := deliver(t, dv, id)
				if out.Done || out.Retry != want {
					t.Errorf("attempt %d: got %+v; want Retry %s", i+1, out, want)
				}
				d := e.delivery(t, id)
				if d.State != alerts.DeliveryPending || d.Attempts != tt.attempts+i+1 || d.LastError != tt.errs[i].Error() {
					t.Errorf("attempt %d: got state %s, attempts %d, error %q; want pending, %d, %q",
						i+1, d.State, d.Attempts, d.LastError, tt.attempts+i+1, tt.errs[i])
				}
			}
		})
	}
}

func TestDeliverStuckNotice(t *testing.T) {
	e := newEnv(t)
	dv := e.deliverer(outbox.Options{MinRetry: time.Second, NoticeAfter: 2})
	a := e.alert(t)
	id := e.card(t, a, c1)
	e.slack.fail(errors.New("timeout"), errors.New("timeout"), errors.New("timeout"))

	for n, want := range [][]alerts.Destination{nil, {d1, c2}, {d1, c2}} {
		if out := deliver(t, dv, id); out.Done {
			t.Fatalf("attempt %d: got Done; want a retry", n+1)
		}
		ns := e.notices(t)
		if got := destinations(ns); !slices.Equal(got, want) {
			t.Errorf("after attempt %d: notices to %v; want %v", n+1, got, want)
		}
		for to, text := range ns {
			if !strings.Contains(text, a.Ref()) || !strings.Contains(text, string(c1)) {
				t.Errorf("notice to %s: got %q; want it to name %s and %s", to, text, a.Ref(), c1)
			}
		}
	}
}

func TestDeliverPermanentFailure(t *testing.T) {
	tests := []struct {
		name      string
		to        alerts.Destination
		notifiers []string // platforms with a notifier
		err       error
		wantError []string // in LastError
	}{
		{name: "platform refuses", to: c1, notifiers: []string{"slack", "discord"},
			err: fmt.Errorf("slack: channel_not_found: %w", alerts.ErrPermanent), wantError: []string{"channel_not_found"}},
		{name: "no notifier for the platform", to: d1, notifiers: []string{"slack"},
			wantError: []string{"no discord connection", "[discord]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			notifiers := map[string]alerts.Notifier{}
			for _, p := range tt.notifiers {
				notifiers[p] = map[string]*fakeNotifier{"slack": e.slack, "discord": e.discord}[p]
			}
			dv := outbox.New(e.st, notifiers, e.svc, outbox.Options{Now: e.clock.Now})
			a := e.alert(t)
			id := e.card(t, a, tt.to)
			if tt.err != nil {
				e.slack.fail(tt.err)
			}

			if out := deliver(t, dv, id); !out.Done {
				t.Errorf("Outcome: got %+v; want Done", out)
			}
			d := e.delivery(t, id)
			if d.State != alerts.DeliveryFailed {
				t.Errorf("state: got %s; want failed", d.State)
			}
			for _, s := range tt.wantError {
				if !strings.Contains(d.LastError, s) {
					t.Errorf("LastError: got %q; want it to contain %q", d.LastError, s)
				}
			}
			var want []alerts.Destination
			for _, to := range opsRoute.Destinations {
				if to != tt.to {
					want = append(want, to)
				}
			}
			slices.Sort(want)
			ns := e.notices(t)
			if got := destinations(ns); !slices.Equal(got, want) {
				t.Errorf("notices to %v; want %v", got, want)
			}
			for to, text := range ns {
				if !strings.Contains(text, a.Ref()) || !strings.Contains(text, string(tt.to)) {
					t.Errorf("notice to %s: got %q; want it to name %s and %s", to, text, a.Ref(), tt.to)
				}
			}
		})
	}
}

func TestDeliverFinalStates(t *testing.T) {
	tests := []struct {
		name  string
		state alerts.DeliveryState
	}{
		{name: "already sent", state: alerts.DeliverySent},
		{name: "already failed", state: alerts.DeliveryFailed},
		{name: "superseded", state: alerts.DeliverySuperseded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			id := e.insert(t, &alerts.Delivery{AlertID: e.alert(t).ID, Destination: c1, Kind: alerts.DeliveryCard,
				State: tt.state, Attempts: 1, MessageRef: "r1"})
			if out := deliver(t, e.deliverer(defaultOpts), id); !out.Done {
				t.Errorf("Outcome: got %+v; want Done", out)
			}
			if got := e.slack.got(); len(got) != 0 {
				t.Errorf("notifier calls: got %+v; want none", got)
			}
			if d := e.delivery(t, id); d.State != tt.state || d.Attempts != 1 {
				t.Errorf("delivery: got state %s, attempts %d; want %s, 1 (untouched)", d.State, d.Attempts, tt.state)
			}
		})
	}
}

func TestDeliverMissingRow(t *testing.T) {
	e := newEnv(t)
	if out := deliver(t, e.deliverer(defaultOpts), 42); !out.Done {
		t.Errorf("Outcome: got %+v; want Done", out)
	}
}

func TestDeliverCancelled(t *testing.T) {
	e := newEnv(t)
	e.slack.block, e.slack.entered = true, make(chan struct{})
	id := e.card(t, e.alert(t), c1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	dv := e.deliverer(defaultOpts)
	go func() {
		_, err := dv.Deliver(ctx, id)
		done <- err
	}()
	<-e.slack.entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Deliver: got error %v; want context.Canceled", err)
	}
	if d := e.delivery(t, id); d.State != alerts.DeliveryPending || d.Attempts != 0 || d.LastError != "" {
		t.Errorf("delivery: got state %s, attempts %d, error %q; want pending, 0, none", d.State, d.Attempts, d.LastError)
	}
}

// flakyStore fails the next fail read-write transactions, as a database
// that restarts does.
type flakyStore struct {
	alerts.Store
	fail atomic.Int32
}

func (f *flakyStore) Update(ctx context.Context, fn func(alerts.Tx) error) error {
	if f.fail.Add(-1) >= 0 {
		return errors.New("connection refused")
	}
	return f.Store.Update(ctx, fn)
}

// TestDeliverSentSurvivesStoreOutage has the store go away between the
// post and its record: the deliverer keeps trying to record it rather than
// leaving the row pending, which would post the card a second time.
func TestDeliverSentSurvivesStoreOutage(t *testing.T) {
	e := newEnv(t)
	id := e.card(t, e.alert(t), c1)
	fs := &flakyStore{Store: e.st}
	dv := outbox.New(fs, map[string]alerts.Notifier{"slack": e.slack}, e.svc, outbox.Options{Pace: time.Second, Wait: time.Second, Now: e.clock.Now})
	fs.fail.Store(3)
	out, err := dv.Deliver(context.Background(), id)
	if err != nil || !out.Done {
		t.Fatalf("Deliver: got %+v, %v; want Done once the store is back", out, err)
	}
	if got := e.slack.got(); len(got) != 1 {
		t.Errorf("posts: got %d; want 1", len(got))
	}
	if d := e.delivery(t, id); d.State != alerts.DeliverySent || d.MessageRef != "ref-slack:C1" {
		t.Errorf("delivery: got state %s, ref %q; want sent, ref-slack:C1", d.State, d.MessageRef)
	}
	if again := deliver(t, dv, id); !again.Done || len(e.slack.got()) != 1 {
		t.Errorf("second Deliver: got %+v, %d posts; want Done and still 1 post", again, len(e.slack.got()))
	}
}

func TestDeliverNotice(t *testing.T) {
	e := newEnv(t)
	id := e.insert(t, &alerts.Delivery{Destination: d1, Kind: alerts.DeliveryNotice, Text: "Watch news is unhealthy"})
	if out := deliver(t, e.deliverer(defaultOpts), id); !out.Done {
		t.Errorf("Outcome: got %+v; want Done", out)
	}
	want := []call{{op: "post", to: d1, kind: alerts.DeliveryNotice, notice: "Watch news is unhealthy"}}
	if got := e.discord.got(); !slices.Equal(got, want) {
		t.Errorf("notifier calls: got %+v; want %+v", got, want)
	}
	if d := e.delivery(t, id); d.State != alerts.DeliverySent || d.MessageRef != "ref-discord:D1" {
		t.Errorf("delivery: got state %s, ref %q; want sent, ref-discord:D1", d.State, d.MessageRef)
	}
}
