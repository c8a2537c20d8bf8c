package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// fakeRechecker plays a platform: the chains in gone are deleted, and it
// checks at most perCall posts per call (0: all). err fails every call.
type fakeRechecker struct {
	mu      sync.Mutex
	gone    map[string]string // chain → reason
	perCall int
	err     error
	offered [][]string
	at      time.Time
}

func (f *fakeRechecker) Recheck(_ context.Context, posts []alerts.Post) (watchers.Rechecked, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, p := range posts {
		ids = append(ids, p.ChainID())
	}
	f.offered = append(f.offered, ids)
	if f.err != nil {
		return watchers.Rechecked{}, f.err
	}
	n := len(posts)
	if f.perCall > 0 {
		n = min(n, f.perCall)
	}
	var out watchers.Rechecked
	for _, p := range posts[:n] {
		if reason, ok := f.gone[p.ChainID()]; ok {
			out.Gone = append(out.Gone, watchers.Gone{ChainID: p.ChainID(), At: f.at, Reason: reason})
		}
	}
	out.Checked = n
	return out, nil
}

func (f *fakeRechecker) calls() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.offered)
}

// startRecheck runs a node like setup.start, with rc re-checking the feed
// platform. every > 0 also runs the periodic job through River.
func (s *setup) startRecheck(t *testing.T, n *notifier, rc watchers.Rechecker, every time.Duration) *node {
	t.Helper()
	s.rechecks = map[string]watchers.Rechecker{"feed": rc}
	s.recheckEvery = every
	return s.start(t, n)
}

// alertsNow lists every alert, newest first.
func alertsNow(t *testing.T, st alerts.Store) []*alerts.Alert {
	t.Helper()
	var out []*alerts.Alert
	err := st.View(context.Background(), func(tx alerts.Tx) error {
		var err error
		out, err = tx.Alerts(context.Background(), alerts.AlertFilter{IncludeMuted: true, Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRecheckMarksADisappearedPostAndEditsItsCard(t *testing.T) {
	eachBackend(t, testRecheckMarksADisappearedPostAndEditsItsCard)
}

func testRecheckMarksADisappearedPostAndEditsItsCard(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one")
	s := newSetup(t, b, f)
	n := newNotifier()
	rc := &fakeRechecker{gone: map[string]string{}}
	nd := s.startRecheck(t, n, rc, 0)
	await(t, n, alerts.DeliveryCard, 1)
	before := alertsNow(t, nd.store)[0]
	if before.Post.Platform != "feed" {
		t.Fatalf("platform: got %s; want feed", before.Post.Platform)
	}

	// Still there: nothing happens.
	ctx := context.Background()
	st, err := nd.engine.Recheck(ctx)
	if err != nil || st.Deleted != 0 || st.Checked["feed"] != 1 {
		t.Fatalf("first run: got %+v, %v; want 1 checked, 0 deleted", st, err)
	}

	// The author deletes it.
	rc.mu.Lock()
	rc.gone[before.Post.ChainID()] = watchers.ReasonDeleted
	rc.at = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	rc.mu.Unlock()
	st, err = nd.engine.Recheck(ctx)
	if err != nil || st.Deleted != 1 {
		t.Fatalf("second run: got %+v, %v; want 1 deleted", st, err)
	}
	edit := await(t, n, alerts.DeliveryEdit, 1)[0]
	if got := edit.Alert.Post; !got.DeletedAt.Equal(rc.at) || got.DeletedReason != watchers.ReasonDeleted {
		t.Errorf("edited card: got deleted %v %q; want %v %q", got.DeletedAt, got.DeletedReason, rc.at, watchers.ReasonDeleted)
	}
	_, history, err := nd.svc.Alert(ctx, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	var audited int
	for _, ev := range history {
		if ev.Action == alerts.ActionPostDeleted {
			audited++
		}
	}
	if audited != 1 {
		t.Errorf("post_deleted audit events: got %d; want 1", audited)
	}
	after := alertsNow(t, nd.store)[0]
	if after.Evidence != before.Evidence || !bytes.Equal(after.Post.Raw, before.Post.Raw) || after.Post.Text != before.Post.Text {
		t.Errorf("evidence changed: got %+v; want %+v", after.Evidence, before.Evidence)
	}

	// Marked posts are not asked about again.
	st, err = nd.engine.Recheck(ctx)
	if err != nil || st.Deleted != 0 || st.Checked["feed"] != 0 {
		t.Errorf("third run: got %+v, %v; want nothing checked", st, err)
	}
	if calls := rc.calls(); len(calls) != 2 {
		t.Errorf("rechecker calls: got %v; want 2 (none once the post is marked)", calls)
	}
}

func TestRecheckPlatformFailureMarksNothing(t *testing.T) {
	eachBackend(t, testRecheckPlatformFailureMarksNothing)
}

func testRecheckPlatformFailureMarksNothing(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one")
	s := newSetup(t, b, f)
	n := newNotifier()
	rc := &fakeRechecker{err: &alerts.RetryAfterError{After: time.Minute, Err: errors.New("429")}}
	nd := s.startRecheck(t, n, rc, 0)
	await(t, n, alerts.DeliveryCard, 1)
	st, err := nd.engine.Recheck(context.Background())
	if err != nil || st.Deleted != 0 {
		t.Fatalf("got %+v, %v; want no error (logged) and nothing deleted", st, err)
	}
	if a := alertsNow(t, nd.store)[0]; !a.Post.DeletedAt.IsZero() {
		t.Errorf("post marked deleted after a failed re-check: %v", a.Post.DeletedAt)
	}
}

func TestRecheckGoesRoundAllPostsOverRuns(t *testing.T) {
	eachBackend(t, testRecheckGoesRoundAllPostsOverRuns)
}

func testRecheckGoesRoundAllPostsOverRuns(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel a", "cartel b", "cartel c")
	s := newSetup(t, b, f)
	n := newNotifier()
	rc := &fakeRechecker{perCall: 1}
	nd := s.startRecheck(t, n, rc, 0)
	await(t, n, alerts.DeliveryCard, 3)
	for range 4 {
		if _, err := nd.engine.Recheck(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var firsts []string
	for _, c := range rc.calls() {
		firsts = append(firsts, c[0])
	}
	if len(firsts) != 4 || firsts[0] == firsts[1] || firsts[1] == firsts[2] || firsts[0] == firsts[2] || firsts[3] != firsts[0] {
		t.Errorf("first post offered per run: got %v; want each of the 3 in turn, then round again", firsts)
	}
}

func TestRecheckRunsPeriodically(t *testing.T) { eachBackend(t, testRecheckRunsPeriodically) }

func testRecheckRunsPeriodically(t *testing.T, b backend) {
	f := newFeedServer(t, "cartel one")
	s := newSetup(t, b, f)
	n := newNotifier()
	rc := &fakeRechecker{gone: map[string]string{}}
	nd := s.startRecheck(t, n, rc, 200*time.Millisecond)
	await(t, n, alerts.DeliveryCard, 1)
	chain := alertsNow(t, nd.store)[0].Post.ChainID()
	rc.mu.Lock()
	rc.gone[chain] = "removed by moderators"
	rc.at = time.Now().UTC()
	rc.mu.Unlock()
	edit := await(t, n, alerts.DeliveryEdit, 1)[0]
	if edit.Alert.Post.DeletedReason != "removed by moderators" {
		t.Errorf("edited card reason: got %q; want %q", edit.Alert.Post.DeletedReason, "removed by moderators")
	}
}
