package alerts_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestPollHealth(t *testing.T) {
	t.Parallel()
	const threshold = 3
	steps := []struct {
		name string
		ok   bool // a successful Ingest; else PollFailed
		// after the step
		failures     int
		unhealthy    bool
		newUnhealthy int // "unhealthy" notices sent by this step, per destination
		newRecovered int // "recovered" notices sent by this step, per destination
	}{
		{name: "first failure", failures: 1},
		{name: "second failure", failures: 2},
		{name: "failure at the threshold", failures: 3, unhealthy: true, newUnhealthy: 1},
		{name: "failure past the threshold", failures: 4, unhealthy: true},
		{name: "success", ok: true, failures: 0, newRecovered: 1},
		{name: "another success", ok: true, failures: 0},
		{name: "a new failure", failures: 1},
	}
	e := newEnv(t)
	e.ingest(alerts.Batch{Watch: border, Cursor: "c0"})
	for i, s := range steps {
		e.clock.Advance(time.Minute)
		before := ofKind(e.deliveries(0), alerts.DeliveryNotice)
		var st *alerts.WatchState
		if s.ok {
			e.ingest(alerts.Batch{Watch: border, Cursor: "c0"})
			var err error
			if st, err = e.svc.WatchState(e.ctx(), "border"); err != nil {
				t.Fatalf("%s: WatchState: %v", s.name, err)
			}
		} else {
			var err error
			if st, err = e.svc.PollFailed(e.ctx(), border, "HTTP 503 from api.x.com", threshold, time.Time{}); err != nil {
				t.Fatalf("%s: PollFailed: %v", s.name, err)
			}
			if stored, _ := e.svc.WatchState(e.ctx(), "border"); stored.Failures != st.Failures {
				t.Errorf("%s: stored failures %d; returned %d", s.name, stored.Failures, st.Failures)
			}
		}
		if st.Failures != s.failures || st.Unhealthy != s.unhealthy {
			t.Errorf("step %d, %s: got failures %d, unhealthy %t; want %d, %t", i, s.name, st.Failures, st.Unhealthy, s.failures, s.unhealthy)
		}
		if st.Cursor != "c0" {
			t.Errorf("step %d, %s: got cursor %q; want c0 (a failure never moves it)", i, s.name, st.Cursor)
		}
		if !s.ok && (st.LastError != "HTTP 503 from api.x.com" || !st.LastPollAt.Equal(e.clock.Now())) {
			t.Errorf("step %d, %s: got last error %q at %s; want the reason at %s", i, s.name, st.LastError, st.LastPollAt, e.clock.Now())
		}
		if s.ok && (st.LastError != "" || !st.LastOKAt.Equal(e.clock.Now())) {
			t.Errorf("step %d, %s: got last error %q, last ok %s; want none, %s", i, s.name, st.LastError, st.LastOKAt, e.clock.Now())
		}
		added := ofKind(e.deliveries(0), alerts.DeliveryNotice)[len(before):]
		for _, c := range []struct {
			word string
			want int
		}{{"is unhealthy", s.newUnhealthy}, {"recovered", s.newRecovered}} {
			got := containing(added, c.word)
			if len(got) != 2*c.want {
				t.Errorf("step %d, %s: got %d %q notices; want %d per destination", i, s.name, len(got), c.word, c.want)
				continue
			}
			if c.want > 0 {
				if d := destinations(got); !slices.Equal(d, []alerts.Destination{console, slackC1}) {
					t.Errorf("step %d, %s: %q notices to %v; want the route's", i, s.name, c.word, d)
				}
				if !strings.Contains(got[0].Text, "border") {
					t.Errorf("step %d, %s: notice %q; want it to name the watch", i, s.name, got[0].Text)
				}
			}
		}
	}
}

func TestPollFailedWithoutThreshold(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for range 5 {
		if _, err := e.svc.PollFailed(e.ctx(), border, "timeout", 0, time.Time{}); err != nil {
			t.Fatalf("PollFailed: %v", err)
		}
	}
	st, _ := e.svc.WatchState(e.ctx(), "border")
	if st.Failures != 5 || st.Unhealthy {
		t.Errorf("got failures %d, unhealthy %t; want 5, false", st.Failures, st.Unhealthy)
	}
	if ns := e.deliveries(0); len(ns) != 0 {
		t.Errorf("got %d notices; want none", len(ns))
	}
}

func TestNotice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.svc.Notice(e.ctx(), "default", "maintenance at 22:00"); err != nil {
		t.Fatalf("Notice: %v", err)
	}
	ns := containing(ofKind(e.deliveries(0), alerts.DeliveryNotice), "maintenance at 22:00")
	if got := destinations(ns); !slices.Equal(got, []alerts.Destination{console, slackC1}) {
		t.Errorf("notices to %v; want [%s %s]", got, console, slackC1)
	}
	// A notice about a failing destination skips it.
	if err := e.svc.Notice(e.ctx(), "default", "slack:C1 is failing", slackC1); err != nil {
		t.Fatalf("Notice: %v", err)
	}
	ns = containing(ofKind(e.deliveries(0), alerts.DeliveryNotice), "slack:C1 is failing")
	if got := destinations(ns); !slices.Equal(got, []alerts.Destination{console}) {
		t.Errorf("notices except %s to %v; want [%s]", slackC1, got, console)
	}
	if err := e.svc.Notice(e.ctx(), "nowhere", "x"); !errors.Is(err, alerts.ErrNotFound) {
		t.Errorf("unknown route: got %v; want ErrNotFound", err)
	}
}
