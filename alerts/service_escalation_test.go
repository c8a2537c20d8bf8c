package alerts_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestAckCancelsEscalation(t *testing.T) {
	t.Parallel()
	for _, action := range []alerts.Action{alerts.ActionAck, alerts.ActionResolve} {
		t.Run(string(action), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.raise(xpost("1"))
			tm := e.onlyPending(alerts.TimerEscalate, id, 0)

			e.apply(request(id, action, "a1"))

			if got := e.timer(tm.ID).State; got != alerts.TimerCancelled {
				t.Errorf("escalation timer: got %s; want cancelled", got)
			}
			if got := e.jobs.Cancelled(); !slices.Equal(got, []int64{tm.JobID}) {
				t.Errorf("cancelled jobs: got %v; want [%d]", got, tm.JobID)
			}
			if got := e.pending(); len(got) != 0 {
				t.Errorf("pending timers: got %s; want none", timerList(got))
			}
		})
	}
}

func TestFireTimerEscalatesOpenAlert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	cards := ofKind(e.deliveries(id), alerts.DeliveryCard)
	tm := e.onlyPending(alerts.TimerEscalate, id, 0)
	e.clock.Set(tm.DueAt)

	e.fire(tm.ID)

	a, h := e.alert(id)
	if a.State != alerts.StateEscalated || a.EscalationStep != 1 || a.LastActor != "timer" || a.LastAction != alerts.ActionEscalate {
		t.Errorf("alert: got %s, step %d, last %s by %s; want escalated, step 1, escalate by timer",
			a.State, a.EscalationStep, a.LastAction, a.LastActor)
	}
	if !strings.Contains(a.LastReason, "unacknowledged for 15m") {
		t.Errorf("reason: got %q; want it to say unacknowledged for 15m", a.LastReason)
	}
	ev := h[len(h)-1]
	if ev.Action != alerts.ActionEscalate || ev.Actor != "timer" || ev.Source != alerts.SourceTimer ||
		ev.From != alerts.StateOpen || ev.To != alerts.StateEscalated {
		t.Errorf("audit event: got %+v; want escalate by timer, open → escalated", ev)
	}
	if got := e.timer(tm.ID).State; got != alerts.TimerDone {
		t.Errorf("fired timer: got %s; want done", got)
	}

	added := e.deliveries(id)[len(cards):]
	notices := ofKind(added, alerts.DeliveryNotice)
	if got := destinations(notices); !slices.Equal(got, []alerts.Destination{slackC2}) {
		t.Errorf("notices to %v; want [%s]", got, slackC2)
	}
	for _, n := range notices {
		if !strings.Contains(n.Text, a.Ref()) || !strings.Contains(n.Text, "escalation step 1") {
			t.Errorf("notice: got %q; want it to name %s and step 1", n.Text, a.Ref())
		}
	}
	if got, want := destinations(ofKind(added, alerts.DeliveryEdit)), destinations(cards); !slices.Equal(got, want) {
		t.Errorf("card edits to %v; want %v", got, want)
	}

	next := e.onlyPending(alerts.TimerEscalate, id, 0)
	if want := start.Add(time.Hour); next.Step != 1 || !next.DueAt.Equal(want) {
		t.Errorf("next step: got step %d due %s; want step 1 due %s", next.Step, next.DueAt, want)
	}
}

// TestEscalationFollowsPolicy fires each timer as it falls due and checks
// the policy's steps, its repeat and its end.
func TestEscalationFollowsPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	steps := []struct {
		step   int
		due    time.Duration // after the alert was raised
		notify alerts.Destination
	}{
		{0, 15 * time.Minute, slackC2},
		{1, time.Hour, discordR9},
		{2, time.Hour + 15*time.Minute, slackC2}, // the repeat
		{3, 2 * time.Hour, discordR9},
	}
	for _, s := range steps {
		tm := e.onlyPending(alerts.TimerEscalate, id, 0)
		if want := start.Add(s.due); tm.Step != s.step || !tm.DueAt.Equal(want) {
			t.Fatalf("pending escalation: got step %d due %s; want step %d due %s", tm.Step, tm.DueAt, s.step, want)
		}
		e.clock.Set(tm.DueAt)
		before := len(e.deliveries(id))
		e.fire(tm.ID)
		notices := ofKind(e.deliveries(id)[before:], alerts.DeliveryNotice)
		if got := destinations(notices); !slices.Equal(got, []alerts.Destination{s.notify}) {
			t.Errorf("step %d: notices to %v; want [%s]", s.step, got, s.notify)
		}
		if a, _ := e.alert(id); a.EscalationStep != s.step+1 {
			t.Errorf("step %d: got EscalationStep %d; want %d", s.step, a.EscalationStep, s.step+1)
		}
	}
	if got := e.pending(); len(got) != 0 {
		t.Errorf("after the last repeat: got timers %s; want none", timerList(got))
	}
}

// TestFireTimerSkipsSettledAlerts fires an escalation whose alert no longer
// needs it. "raced" cases put the cancelled timer back to pending, as when
// the job started just before the ack committed: the escalation re-checks
// the alert and does nothing.
func TestFireTimerSkipsSettledAlerts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(e *env, id int64)
		raced bool
	}{
		{"acked", func(e *env, id int64) { e.apply(request(id, alerts.ActionAck, "s1")) }, false},
		{"acked, raced", func(e *env, id int64) { e.apply(request(id, alerts.ActionAck, "s1")) }, true},
		{"resolved, raced", func(e *env, id int64) { e.apply(request(id, alerts.ActionResolve, "s1")) }, true},
		{"muted, raced", func(e *env, id int64) {
			e.mute(alerts.MuteRequest{ActionID: "s1", Scope: alerts.ScopeAlert, AlertID: id})
		}, true},
		{"escalated by hand past the step, raced", func(e *env, id int64) {
			e.apply(request(id, alerts.ActionEscalate, "s1"))
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.raise(xpost("1"))
			tm := e.onlyPending(alerts.TimerEscalate, id, 0)
			tt.setup(e, id)
			if tt.raced {
				e.update(func(ctx context.Context, tx alerts.Tx) error {
					tm.State = alerts.TimerPending
					return tx.UpdateTimer(ctx, tm)
				})
			}
			before, hBefore := e.alert(id)
			dBefore := e.deliveries(id)
			pBefore := e.pending()
			e.clock.Set(tm.DueAt)

			e.fire(tm.ID)

			after, h := e.alert(id)
			if after.State != before.State || after.EscalationStep != before.EscalationStep || len(h) != len(hBefore) {
				t.Errorf("got %s step %d with %d events; want unchanged %s step %d with %d events",
					after.State, after.EscalationStep, len(h), before.State, before.EscalationStep, len(hBefore))
			}
			if got := e.deliveries(id); len(got) != len(dBefore) {
				t.Errorf("got %d deliveries; want %d (no notice, no edit)", len(got), len(dBefore))
			}
			var scheduled int
			for _, p := range e.pending() {
				if !slices.ContainsFunc(pBefore, func(q *alerts.Timer) bool { return q.ID == p.ID }) {
					scheduled++
				}
			}
			if scheduled != 0 {
				t.Errorf("got %d new timers; want none", scheduled)
			}
		})
	}
}

func TestFireTimerTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	tm := e.onlyPending(alerts.TimerEscalate, id, 0)
	e.clock.Set(tm.DueAt)
	e.fire(tm.ID)
	a1, h1 := e.alert(id)
	d1, p1 := e.deliveries(id), e.pending()

	e.fire(tm.ID)

	a2, h2 := e.alert(id)
	if a2.EscalationStep != a1.EscalationStep || len(h2) != len(h1) || len(e.deliveries(id)) != len(d1) || len(e.pending()) != len(p1) {
		t.Errorf("second fire: step %d → %d, events %d → %d, deliveries %d → %d, timers %d → %d; want nothing changed",
			a1.EscalationStep, a2.EscalationStep, len(h1), len(h2), len(d1), len(e.deliveries(id)), len(p1), len(e.pending()))
	}
}

func TestFireTimerUnknown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.svc.FireTimer(e.ctx(), 404); !errors.Is(err, alerts.ErrNotFound) {
		t.Errorf("got %v; want ErrNotFound", err)
	}
}

// TestEscalationRestarts checks that unack and reopen start a new episode
// at step 0, measured from the action.
func TestEscalationRestarts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		stop, start alerts.Action
	}{
		{"unack", alerts.ActionAck, alerts.ActionUnack},
		{"reopen", alerts.ActionResolve, alerts.ActionReopen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.raise(xpost("1"))
			tm := e.onlyPending(alerts.TimerEscalate, id, 0)
			e.clock.Set(tm.DueAt)
			e.fire(tm.ID) // now at step 1
			e.clock.Advance(5 * time.Minute)
			e.apply(request(id, tt.stop, "stop"))
			e.clock.Advance(10 * time.Minute)
			e.apply(request(id, tt.start, "start"))

			a, _ := e.alert(id)
			if a.State != alerts.StateOpen || a.EscalationStep != 0 {
				t.Errorf("alert: got %s at step %d; want open at step 0", a.State, a.EscalationStep)
			}
			next := e.onlyPending(alerts.TimerEscalate, id, 0)
			if want := e.clock.Now().Add(15 * time.Minute); next.Step != 0 || !next.DueAt.Equal(want) {
				t.Errorf("restart: got step %d due %s; want step 0 due %s", next.Step, next.DueAt, want)
			}
			e.clock.Set(next.DueAt)
			before := len(e.deliveries(id))
			e.fire(next.ID)
			if got := destinations(ofKind(e.deliveries(id)[before:], alerts.DeliveryNotice)); !slices.Equal(got, []alerts.Destination{slackC2}) {
				t.Errorf("first step again: notices to %v; want [%s]", got, slackC2)
			}
		})
	}
}

func TestManualEscalation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	first := e.onlyPending(alerts.TimerEscalate, id, 0)
	e.clock.Advance(5 * time.Minute)
	before := len(e.deliveries(id))

	r := request(id, alerts.ActionEscalate, "esc-1")
	r.Target, r.Reason = "discord:user:7", "looks credible"
	res := e.apply(r)

	if res.Alert.State != alerts.StateEscalated || res.Alert.EscalatedTo != "discord:user:7" || res.Alert.EscalationStep != 1 {
		t.Errorf("alert: got %s to %q at step %d; want escalated to discord:user:7 at step 1",
			res.Alert.State, res.Alert.EscalatedTo, res.Alert.EscalationStep)
	}
	notices := ofKind(e.deliveries(id)[before:], alerts.DeliveryNotice)
	if got, want := destinations(notices), []alerts.Destination{"discord:user:7", slackC2}; !slices.Equal(got, want) {
		t.Errorf("notices to %v; want %v", got, want)
	}
	for _, n := range notices {
		if !strings.Contains(n.Text, "escalated by slack:U1") || !strings.Contains(n.Text, "looks credible") {
			t.Errorf("notice: got %q; want who escalated and why", n.Text)
		}
	}
	if got := e.timer(first.ID).State; got != alerts.TimerCancelled {
		t.Errorf("step 0 timer: got %s; want cancelled", got)
	}
	next := e.onlyPending(alerts.TimerEscalate, id, 0)
	if want := e.clock.Now().Add(45 * time.Minute); next.Step != 1 || !next.DueAt.Equal(want) {
		t.Errorf("next step: got step %d due %s; want step 1 due %s", next.Step, next.DueAt, want)
	}
}

// TestTimersSurviveRestart closes the database and fires the pending
// escalation from a new service over the same file.
func TestTimersSurviveRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))

	e.restart()

	tm := e.onlyPending(alerts.TimerEscalate, id, 0)
	e.clock.Set(tm.DueAt)
	before := len(e.deliveries(id))
	e.fire(tm.ID)

	if a, _ := e.alert(id); a.State != alerts.StateEscalated {
		t.Errorf("after restart: got %s; want escalated", a.State)
	}
	notices := ofKind(e.deliveries(id)[before:], alerts.DeliveryNotice)
	if got := destinations(notices); !slices.Equal(got, []alerts.Destination{slackC2}) {
		t.Errorf("after restart: notices to %v; want [%s]", got, slackC2)
	}
	for _, n := range notices {
		if !slices.Contains(e.jobs.Delivered(), n.ID) {
			t.Errorf("notice %d: no delivery job enqueued by the new store", n.ID)
		}
	}
	if next := e.onlyPending(alerts.TimerEscalate, id, 0); next.JobID == 0 || !slices.Contains(e.jobs.Scheduled(), next.ID) {
		t.Errorf("next step: job %d; want a job scheduled by the new store", next.JobID)
	}
}

func TestOverdueStepsDoNotPageBackToBack(t *testing.T) {
	e := newEnv(t)
	id := e.raise(xpost("810"))
	e.clock.Advance(3 * time.Hour) // Lookout was down while every step came due
	for range 4 {
		e.fireDue()
	}
	a, _ := e.alert(id)
	if a.EscalationStep != 1 {
		t.Fatalf("after catching up: escalation step %d; want 1 (the next step counts from when this one fired)", a.EscalationStep)
	}
	e.clock.Advance(45 * time.Minute) // the gap between the policy's steps
	e.fireDue()
	if a, _ = e.alert(id); a.EscalationStep != 2 {
		t.Fatalf("one gap later: escalation step %d; want 2", a.EscalationStep)
	}
}
