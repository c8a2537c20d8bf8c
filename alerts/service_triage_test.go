package alerts_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// raiseIn raises an alert and brings it to state s the way people do:
// acked by slack:U7, escalated by hand by discord:U8, resolved by cli:maria.
func (e *env) raiseIn(s alerts.State) int64 {
	e.t.Helper()
	id := e.raise(xpost("1"))
	var r alerts.Request
	switch s {
	case alerts.StateOpen:
		return id
	case alerts.StateAcked:
		r = alerts.Request{ActionID: "setup", Alert: id, Action: alerts.ActionAck, Actor: "slack:U7", Source: alerts.SourceSlack}
	case alerts.StateEscalated:
		r = alerts.Request{ActionID: "setup", Alert: id, Action: alerts.ActionEscalate, Actor: "discord:U8", Source: alerts.SourceDiscord}
	case alerts.StateResolved:
		r = alerts.Request{ActionID: "setup", Alert: id, Action: alerts.ActionResolve, Actor: "cli:maria", Source: alerts.SourceCLI}
	default:
		e.t.Fatalf("raiseIn(%s): unknown state", s)
	}
	if got := e.apply(r).Alert.State; got != s {
		e.t.Fatalf("setup: got state %s; want %s", got, s)
	}
	return id
}

func TestApplyTransitions(t *testing.T) {
	t.Parallel()
	const (
		open      = alerts.StateOpen
		acked     = alerts.StateAcked
		escalated = alerts.StateEscalated
		resolved  = alerts.StateResolved
		stale     = alerts.State("")
	)
	tests := []struct {
		from   alerts.State
		action alerts.Action
		want   alerts.State // stale: refused
	}{
		{open, alerts.ActionAck, acked},
		{open, alerts.ActionUnack, stale},
		{open, alerts.ActionEscalate, escalated},
		{open, alerts.ActionResolve, resolved},
		{open, alerts.ActionReopen, stale},
		{open, alerts.ActionAssign, open},
		{open, alerts.ActionNote, open},

		{acked, alerts.ActionAck, stale},
		{acked, alerts.ActionUnack, open},
		{acked, alerts.ActionEscalate, escalated},
		{acked, alerts.ActionResolve, resolved},
		{acked, alerts.ActionReopen, stale},
		{acked, alerts.ActionAssign, acked},
		{acked, alerts.ActionNote, acked},

		{escalated, alerts.ActionAck, acked},
		{escalated, alerts.ActionUnack, stale},
		{escalated, alerts.ActionEscalate, escalated},
		{escalated, alerts.ActionResolve, resolved},
		{escalated, alerts.ActionReopen, stale},
		{escalated, alerts.ActionAssign, escalated},
		{escalated, alerts.ActionNote, escalated},

		{resolved, alerts.ActionAck, stale},
		{resolved, alerts.ActionUnack, stale},
		{resolved, alerts.ActionEscalate, stale},
		{resolved, alerts.ActionResolve, stale},
		{resolved, alerts.ActionReopen, open},
		{resolved, alerts.ActionAssign, stale},
		{resolved, alerts.ActionNote, resolved},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s %s", tt.action, tt.from)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.raiseIn(tt.from)
			before, hBefore := e.alert(id)
			dBefore := e.deliveries(id)
			cards := ofKind(dBefore, alerts.DeliveryCard)
			e.clock.Advance(3 * time.Minute)

			r := request(id, tt.action, "act-"+name)
			res, err := e.svc.Apply(e.ctx(), r)

			if tt.want == stale {
				var se *alerts.StaleError
				if !errors.Is(err, alerts.ErrStale) || !errors.As(err, &se) {
					t.Fatalf("got %v; want a *StaleError", err)
				}
				ref := alerts.FormatRef(id)
				if se.Alert != ref || se.State != tt.from || se.Action != tt.action {
					t.Errorf("StaleError: got %+v; want alert %s, state %s, action %s", se, ref, tt.from, tt.action)
				}
				if msg := err.Error(); !strings.Contains(msg, ref) || !strings.Contains(msg, string(tt.from)) {
					t.Errorf("message: got %q; want it to name %s and %s", msg, ref, tt.from)
				}
				after, h := e.alert(id)
				if after.State != tt.from || !after.UpdatedAt.Equal(before.UpdatedAt) || len(h) != len(hBefore) {
					t.Errorf("after a stale action: got state %s, updated %s, %d events; want %s, %s, %d",
						after.State, after.UpdatedAt, len(h), tt.from, before.UpdatedAt, len(hBefore))
				}
				if got := e.deliveries(id); len(got) != len(dBefore) {
					t.Errorf("after a stale action: got %d deliveries; want %d", len(got), len(dBefore))
				}
				return
			}

			if err != nil {
				t.Fatalf("got %v; want state %s", err, tt.want)
			}
			if res.Duplicate || res.Alert.State != tt.want {
				t.Errorf("result: got state %s, duplicate %t; want %s, false", res.Alert.State, res.Duplicate, tt.want)
			}
			after, h := e.alert(id)
			if after.State != tt.want {
				t.Errorf("stored state: got %s; want %s", after.State, tt.want)
			}
			if len(h) != len(hBefore)+1 {
				t.Fatalf("history: got %d events; want %d", len(h), len(hBefore)+1)
			}
			ev := h[len(h)-1]
			if ev.ActionID != r.ActionID || ev.Action != tt.action || ev.Actor != "slack:U1" || ev.Source != alerts.SourceSlack ||
				ev.From != tt.from || ev.To != tt.want || ev.AlertID != id || !ev.At.Equal(e.clock.Now()) {
				t.Errorf("audit event: got %+v; want %s by slack:U1 from slack, %s → %s at %s", ev, tt.action, tt.from, tt.want, e.clock.Now())
			}

			added := e.deliveries(id)[len(dBefore):]
			edits := ofKind(added, alerts.DeliveryEdit)
			if tt.action == alerts.ActionNote {
				if len(added) != 0 || after.LastAction != before.LastAction {
					t.Errorf("note: got %d new deliveries, last action %s; want none, %s (a note is only in the history)",
						len(added), after.LastAction, before.LastAction)
				}
				return
			}
			if after.LastActor != "slack:U1" || after.LastAction != tt.action || !after.UpdatedAt.Equal(e.clock.Now()) {
				t.Errorf("state line: got %s by %s at %s; want %s by slack:U1 at %s",
					after.LastAction, after.LastActor, after.UpdatedAt, tt.action, e.clock.Now())
			}
			var gotCards, wantCards []int64
			for _, d := range edits {
				gotCards = append(gotCards, d.CardID)
			}
			for _, c := range cards {
				wantCards = append(wantCards, c.ID)
			}
			slices.Sort(gotCards)
			if !slices.Equal(gotCards, wantCards) {
				t.Errorf("card edits: got edits of cards %v; want one edit of each card %v", gotCards, wantCards)
			}
			if got, want := destinations(edits), destinations(cards); !slices.Equal(got, want) {
				t.Errorf("card edits to %v; want %v", got, want)
			}
		})
	}
}

func TestApplyAssignAndNote(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	e.apply(request(id, alerts.ActionAssign, "a1"))
	res := e.apply(request(id, alerts.ActionNote, "n1"))
	if res.Alert.Assignee != "@maria" {
		t.Errorf("assignee: got %q; want @maria", res.Alert.Assignee)
	}
	if res.Event.Detail != "seen before, same account" {
		t.Errorf("note: got detail %q; want the note's text", res.Event.Detail)
	}
	if ev := e.auditByAction("a1"); ev.Detail != "to @maria" {
		t.Errorf("assign: got detail %q; want %q", ev.Detail, "to @maria")
	}
}

func TestApplyRefusesInvalidRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	tests := []struct {
		name string
		r    alerts.Request
		want error
	}{
		{"no action id", alerts.Request{Alert: id, Action: alerts.ActionAck, Actor: "slack:U1"}, alerts.ErrInvalid},
		{"no actor", alerts.Request{ActionID: "x1", Alert: id, Action: alerts.ActionAck}, alerts.ErrInvalid},
		{"no alert", alerts.Request{ActionID: "x2", Action: alerts.ActionAck, Actor: "slack:U1"}, alerts.ErrInvalid},
		{"assign to no one", alerts.Request{ActionID: "x3", Alert: id, Action: alerts.ActionAssign, Actor: "slack:U1"}, alerts.ErrInvalid},
		{"empty note", alerts.Request{ActionID: "x4", Alert: id, Action: alerts.ActionNote, Actor: "slack:U1", Reason: "  "}, alerts.ErrInvalid},
		{"mute is not a triage action", alerts.Request{ActionID: "x5", Alert: id, Action: alerts.ActionMute, Actor: "slack:U1"}, alerts.ErrInvalid},
		{"unknown action", alerts.Request{ActionID: "x6", Alert: id, Action: "snooze", Actor: "slack:U1"}, alerts.ErrInvalid},
		{"no such alert", alerts.Request{ActionID: "x7", Alert: id + 100, Action: alerts.ActionAck, Actor: "slack:U1"}, alerts.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.Apply(e.ctx(), tt.r); !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
	if a, h := e.alert(id); a.State != alerts.StateOpen || len(h) != 1 {
		t.Errorf("after refused requests: got state %s, %d events; want open, 1", a.State, len(h))
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// then is applied after the first ack and before its retry.
		then alerts.Action
	}{
		{"retry right away", ""},
		{"retry after the alert was resolved", alerts.ActionResolve},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.raise(xpost("1"))
			first := e.apply(request(id, alerts.ActionAck, "slack-click-1"))
			if tt.then != "" {
				e.apply(request(id, tt.then, "other"))
			}
			now, hBefore := e.alert(id)
			dBefore := e.deliveries(id)
			e.clock.Advance(5 * time.Second)

			// A Slack retry of the same click, from another replica.
			r := request(id, alerts.ActionAck, "slack-click-1")
			r.Actor = "slack:U9"
			second, err := e.svc.Apply(e.ctx(), r)
			if err != nil {
				t.Fatalf("retry: got %v; want the earlier outcome", err)
			}
			if !second.Duplicate {
				t.Errorf("retry: got Duplicate false; want true")
			}
			if second.Event == nil || second.Event.ID != first.Event.ID {
				t.Errorf("retry: got event %+v; want the first ack's event %d", second.Event, first.Event.ID)
			}
			if second.Alert.State != now.State || !second.Alert.UpdatedAt.Equal(now.UpdatedAt) {
				t.Errorf("retry: got alert %s updated %s; want it as it is now, %s updated %s",
					second.Alert.State, second.Alert.UpdatedAt, now.State, now.UpdatedAt)
			}
			after, h := e.alert(id)
			if after.State != now.State || len(h) != len(hBefore) || len(e.deliveries(id)) != len(dBefore) {
				t.Errorf("retry changed something: state %s → %s, events %d → %d, deliveries %d → %d",
					now.State, after.State, len(hBefore), len(h), len(dBefore), len(e.deliveries(id)))
			}
			acks := 0
			for _, ev := range h {
				if ev.ActionID == "slack-click-1" {
					acks++
				}
			}
			if acks != 1 {
				t.Errorf("got %d audit events for the action id; want 1", acks)
			}
		})
	}
}

func TestMuteIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := alerts.MuteRequest{ActionID: "mute-click-1", Scope: alerts.ScopeAccount, Account: "@CartelWatch", Reason: "noisy"}
	first := e.mute(r)
	e.clock.Advance(5 * time.Second)
	second := e.mute(r)
	if second.ID != first.ID || second.Account != first.Account || !second.ExpiresAt.Equal(first.ExpiresAt) {
		t.Errorf("retry: got mute %s on %s until %s; want %s on %s until %s",
			second.Ref(), second.Account, second.ExpiresAt, first.Ref(), first.Account, first.ExpiresAt)
	}
	all, err := e.svc.Mutes(e.ctx(), true)
	if err != nil {
		t.Fatalf("Mutes: %v", err)
	}
	if len(all) != 1 {
		t.Errorf("got %d mutes; want 1", len(all))
	}
	if got := e.pendingOf(alerts.TimerMuteExpired, 0, first.ID); len(got) != 1 {
		t.Errorf("got %d expiry timers; want 1", len(got))
	}
}

func TestRecordRefusal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	for range 2 {
		if err := e.svc.RecordRefusal(e.ctx(), "refuse-1", id, "slack:U5", alerts.SourceSlack, "resolve needs the responder role"); err != nil {
			t.Fatalf("RecordRefusal: %v", err)
		}
	}
	_, h := e.alert(id)
	var refused []*alerts.AuditEvent
	for _, ev := range h {
		if ev.Action == alerts.ActionRefused {
			refused = append(refused, ev)
		}
	}
	if len(refused) != 1 || refused[0].Actor != "slack:U5" || refused[0].Detail != "resolve needs the responder role" {
		t.Errorf("refusals: got %d (%+v); want one by slack:U5 with the reason", len(refused), refused)
	}
	if a, _ := e.alert(id); a.State != alerts.StateOpen {
		t.Errorf("state: got %s; want open", a.State)
	}
}

// TestApplyConcurrently sends one click many times at once, as Slack
// retries and several replicas do, and many different acks at once: each
// applies once.
func TestApplyConcurrently(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sameID    bool
		wantDup   int
		wantStale int
	}{
		{"same action id", true, 7, 0},
		{"different action ids", false, 0, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.raise(xpost("1"))
			const n = 8
			var (
				wg                  sync.WaitGroup
				mu                  sync.Mutex
				applied, dup, stale int
				other               []error
			)
			for i := range n {
				wg.Go(func() {
					actionID := "click"
					if !tt.sameID {
						actionID = fmt.Sprintf("click-%d", i)
					}
					res, err := e.svc.Apply(e.ctx(), request(id, alerts.ActionAck, actionID))
					mu.Lock()
					defer mu.Unlock()
					switch {
					case errors.Is(err, alerts.ErrStale):
						stale++
					case err != nil:
						other = append(other, err)
					case res.Duplicate:
						dup++
					default:
						applied++
					}
				})
			}
			wg.Wait()
			if applied != 1 || dup != tt.wantDup || stale != tt.wantStale || len(other) != 0 {
				t.Errorf("got %d applied, %d duplicates, %d stale, errors %v; want 1, %d, %d, none",
					applied, dup, stale, other, tt.wantDup, tt.wantStale)
			}
			_, h := e.alert(id)
			acks := 0
			for _, ev := range h {
				if ev.Action == alerts.ActionAck {
					acks++
				}
			}
			if acks != 1 {
				t.Errorf("got %d ack events; want 1", acks)
			}
		})
	}
}
