package alerts_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// polledOn is a post polled by a watch.
type polledOn struct {
	watch *alerts.Watch
	post  alerts.Post
	terms []string
}

func TestMuteScopes(t *testing.T) {
	t.Parallel()
	ports := watch("ports")
	cartel := xpost("")
	journalist := by(xpost(""), "999", "journalist")
	renamed := by(xpost(""), "1234", "NewHandle")
	tests := []struct {
		name    string
		r       alerts.MuteRequest
		in, out []polledOn
	}{
		{
			name: "account by handle",
			r:    alerts.MuteRequest{Scope: alerts.ScopeAccount, Account: "CartelWatch"},
			in:   []polledOn{{border, cartel, nil}, {ports, cartel, []string{"port"}}},
			out:  []polledOn{{border, journalist, nil}},
		},
		{
			name: "account by handle with @, in any case",
			r:    alerts.MuteRequest{Scope: alerts.ScopeAccount, Account: "@cartelWATCH"},
			in:   []polledOn{{border, cartel, nil}},
			out:  []polledOn{{border, journalist, nil}},
		},
		{
			name: "account by id survives a handle change",
			r:    alerts.MuteRequest{Scope: alerts.ScopeAccount, Account: "1234"},
			in:   []polledOn{{border, cartel, nil}, {border, renamed, nil}},
			out:  []polledOn{{border, journalist, nil}},
		},
		{
			name: "account by id with @",
			r:    alerts.MuteRequest{Scope: alerts.ScopeAccount, Account: "@1234"},
			in:   []polledOn{{border, renamed, nil}},
			out:  []polledOn{{border, journalist, nil}},
		},
		{
			name: "keyword",
			r:    alerts.MuteRequest{Scope: alerts.ScopeKeyword, Keyword: "shipment"},
			in:   []polledOn{{border, journalist, []string{"shipment"}}, {ports, cartel, []string{"port", "shipment"}}},
			out:  []polledOn{{border, cartel, []string{"port"}}},
		},
		{
			name: "keyword in any case",
			r:    alerts.MuteRequest{Scope: alerts.ScopeKeyword, Keyword: "SHIPMENT"},
			in:   []polledOn{{border, journalist, []string{"shipment"}}},
			out:  []polledOn{{border, journalist, []string{"port"}}},
		},
		{
			name: "watch",
			r:    alerts.MuteRequest{Scope: alerts.ScopeWatch, Watch: "border"},
			in:   []polledOn{{border, cartel, nil}, {border, journalist, []string{"port"}}},
			out:  []polledOn{{ports, cartel, nil}},
		},
		{
			name: "account and keyword",
			r:    alerts.MuteRequest{Scope: alerts.ScopeAccountKeyword, Account: "@CartelWatch", Keyword: "shipment"},
			in:   []polledOn{{border, cartel, []string{"shipment"}}, {ports, cartel, []string{"port", "shipment"}}},
			out:  []polledOn{{border, cartel, []string{"port"}}, {border, journalist, []string{"shipment"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tt.r.ActionID = "mute-1"
			m := e.mute(tt.r)
			n := 0
			next := func(p polledOn) alerts.Post {
				n++
				post := p.post
				post.ID = fmt.Sprint(n)
				return post
			}
			for _, p := range tt.in {
				post := next(p)
				id := e.raiseOn(p.watch, post, p.terms...)
				a, h := e.alert(id)
				if !a.Muted || a.MuteID != m.ID {
					t.Errorf("in scope: %s by %s on %s %v: got muted %t by %d; want muted by %s",
						post.ID, post.Handle, p.watch.Name, p.terms, a.Muted, a.MuteID, m.Ref())
				}
				if ds := e.deliveries(id); len(ds) != 0 {
					t.Errorf("in scope: %s: got %d deliveries to %v; want none", post.ID, len(ds), destinations(ds))
				}
				if ts := e.pendingOf(alerts.TimerEscalate, id, 0); len(ts) != 0 {
					t.Errorf("in scope: %s: got escalations %s; want none", post.ID, timerList(ts))
				}
				if len(h) != 1 || h[0].MuteID != m.ID || !strings.Contains(h[0].Detail, m.Ref()) {
					t.Errorf("in scope: %s: got history %+v; want a create event naming %s", post.ID, h, m.Ref())
				}
			}
			for _, p := range tt.out {
				post := next(p)
				id := e.raiseOn(p.watch, post, p.terms...)
				a, _ := e.alert(id)
				if a.Muted {
					t.Errorf("out of scope: %s by %s on %s %v: got muted; want alerted", post.ID, post.Handle, p.watch.Name, p.terms)
				}
				if got := destinations(ofKind(e.deliveries(id), alerts.DeliveryCard)); !slices.Equal(got, []alerts.Destination{console, slackC1}) {
					t.Errorf("out of scope: %s: cards to %v; want [%s %s]", post.ID, got, console, slackC1)
				}
			}
			listed, err := e.svc.Alerts(e.ctx(), alerts.AlertFilter{})
			if err != nil {
				t.Fatalf("Alerts: %v", err)
			}
			if len(listed) != len(tt.out) {
				t.Errorf("listing without muted: got %d alerts; want %d", len(listed), len(tt.out))
			}
		})
	}
}

func TestMuteExpires(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after time.Duration
		muted bool
	}{
		{"before expiry", 59 * time.Minute, true},
		{"at expiry", time.Hour, false},
		{"after expiry", 3 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.mute(alerts.MuteRequest{ActionID: "m1", Scope: alerts.ScopeWatch, Watch: "border", For: time.Hour})
			// The expiry timer has not fired: the mute ends by its time alone.
			e.clock.Advance(tt.after)
			id := e.raise(xpost("1"))
			if a, _ := e.alert(id); a.Muted != tt.muted {
				t.Errorf("%s after the mute: got muted %t; want %t", tt.after, a.Muted, tt.muted)
			}
		})
	}
}

func TestMuteTimers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		d        time.Duration
		expiring time.Duration // 0: no expiring notice
	}{
		{"long enough for a notice", 2 * time.Hour, 90 * time.Minute},
		{"just long enough", 61 * time.Minute, 31 * time.Minute},
		{"too short for a notice", time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			m := e.mute(alerts.MuteRequest{ActionID: "m1", Scope: alerts.ScopeWatch, Watch: "border", For: tt.d})
			if tm := e.onlyPending(alerts.TimerMuteExpired, 0, m.ID); !tm.DueAt.Equal(start.Add(tt.d)) {
				t.Errorf("expired timer: got due %s; want %s", tm.DueAt, start.Add(tt.d))
			}
			ts := e.pendingOf(alerts.TimerMuteExpiring, 0, m.ID)
			switch {
			case tt.expiring == 0 && len(ts) != 0:
				t.Errorf("expiring timers: got %s; want none", timerList(ts))
			case tt.expiring != 0 && (len(ts) != 1 || !ts[0].DueAt.Equal(start.Add(tt.expiring))):
				t.Errorf("expiring timers: got %s; want one due %s", timerList(ts), start.Add(tt.expiring).Format(time.TimeOnly))
			}
		})
	}
}

func TestMuteNotify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    alerts.MuteRequest
		// fromAlert raises an alert first and mutes from it.
		fromAlert bool
		want      []alerts.Destination
	}{
		{
			name: "where the mute asks",
			r:    alerts.MuteRequest{Scope: alerts.ScopeWatch, Watch: "border", Notify: []alerts.Destination{"slack:C9"}},
			want: []alerts.Destination{"slack:C9"},
		},
		{
			name:      "the route of the alert it came from",
			r:         alerts.MuteRequest{Scope: alerts.ScopeAccount, Account: "@CartelWatch"},
			fromAlert: true,
			want:      []alerts.Destination{console, slackC1},
		},
		{
			name: "every route",
			r:    alerts.MuteRequest{Scope: alerts.ScopeKeyword, Keyword: "shipment"},
			want: []alerts.Destination{console, discord55, slackC1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tt.r.ActionID = "m1"
			if tt.fromAlert {
				tt.r.AlertID = e.raise(xpost("1"))
			}
			m := e.mute(tt.r)
			if got := slices.Sorted(slices.Values(m.Notify)); !slices.Equal(got, tt.want) {
				t.Errorf("Notify: got %v; want %v", got, tt.want)
			}
			// What the expiry timer will read back from the store.
			all, err := e.svc.Mutes(e.ctx(), true)
			if err != nil {
				t.Fatalf("Mutes: %v", err)
			}
			if got := slices.Sorted(slices.Values(all[0].Notify)); !slices.Equal(got, tt.want) {
				t.Errorf("stored Notify: got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestMuteExpiryTimer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.mute(alerts.MuteRequest{ActionID: "m1", Scope: alerts.ScopeWatch, Watch: "border", For: 2 * time.Hour,
		Notify: []alerts.Destination{"slack:C9"}, Reason: "drill"})
	expiring := e.onlyPending(alerts.TimerMuteExpiring, 0, m.ID)
	expired := e.onlyPending(alerts.TimerMuteExpired, 0, m.ID)

	e.clock.Set(expiring.DueAt)
	e.fire(expiring.ID)
	notices := containing(ofKind(e.deliveries(0), alerts.DeliveryNotice), "expires in")
	if got := destinations(notices); !slices.Equal(got, []alerts.Destination{"slack:C9"}) {
		t.Errorf("expiring: notices to %v; want [slack:C9]", got)
	}
	for _, n := range notices {
		if !strings.Contains(n.Text, m.Ref()) || !strings.Contains(n.Text, "30m") {
			t.Errorf("expiring notice: got %q; want it to name %s and 30m", n.Text, m.Ref())
		}
	}
	if active, _ := e.svc.Mutes(e.ctx(), false); len(active) != 1 {
		t.Errorf("after the expiring notice: got %d mutes in force; want 1", len(active))
	}

	e.clock.Set(expired.DueAt)
	e.fire(expired.ID)
	all, err := e.svc.Mutes(e.ctx(), true)
	if err != nil {
		t.Fatalf("Mutes: %v", err)
	}
	if len(all) != 1 || !all[0].Ended || !all[0].EndedAt.Equal(expired.DueAt) {
		t.Fatalf("mutes: got %+v; want M-1 ended at %s", all, expired.DueAt)
	}
	ev := e.auditByAction(fmt.Sprintf("timer:%d", expired.ID))
	if ev.Action != alerts.ActionUnmute || ev.Actor != "timer" || ev.Source != alerts.SourceTimer || ev.MuteID != m.ID {
		t.Errorf("audit: got %+v; want unmute of %s by timer", ev, m.Ref())
	}
	notices = containing(ofKind(e.deliveries(0), alerts.DeliveryNotice), "has expired")
	if got := destinations(notices); !slices.Equal(got, []alerts.Destination{"slack:C9"}) {
		t.Errorf("expired: notices to %v; want [slack:C9]", got)
	}
	if a, _ := e.alert(e.raise(xpost("1"))); a.Muted {
		t.Errorf("after expiry: got a muted alert; want it delivered")
	}

	// A second run of the timer (a retried job) changes nothing.
	before := len(e.deliveries(0))
	e.fire(expired.ID)
	if got := len(e.deliveries(0)); got != before {
		t.Errorf("second fire: got %d notices; want %d", got, before)
	}
}

func TestUnmute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.mute(alerts.MuteRequest{ActionID: "m1", Scope: alerts.ScopeWatch, Watch: "border", For: 2 * time.Hour})
	timers := e.pendingOf(alerts.TimerMuteExpiring, 0, m.ID)
	timers = append(timers, e.pendingOf(alerts.TimerMuteExpired, 0, m.ID)...)
	e.clock.Advance(10 * time.Minute)

	got, err := e.svc.Unmute(e.ctx(), "u1", m.ID, "cli:maria", alerts.SourceCLI)
	if err != nil {
		t.Fatalf("Unmute: %v", err)
	}
	if !got.Ended || !got.EndedAt.Equal(e.clock.Now()) {
		t.Errorf("mute: got ended %t at %s; want ended at %s", got.Ended, got.EndedAt, e.clock.Now())
	}
	for _, tm := range timers {
		if s := e.timer(tm.ID).State; s != alerts.TimerCancelled {
			t.Errorf("%s timer: got %s; want cancelled", tm.Kind, s)
		}
		if !slices.Contains(e.jobs.Cancelled(), tm.JobID) {
			t.Errorf("%s timer: job %d not cancelled (cancelled %v)", tm.Kind, tm.JobID, e.jobs.Cancelled())
		}
	}
	if ev := e.auditByAction("u1"); ev.Action != alerts.ActionUnmute || ev.Actor != "cli:maria" || ev.Source != alerts.SourceCLI || ev.MuteID != m.ID {
		t.Errorf("audit: got %+v; want unmute by cli:maria", ev)
	}
	if a, _ := e.alert(e.raise(xpost("1"))); a.Muted {
		t.Errorf("after unmute: got a muted alert; want it delivered")
	}

	t.Run("retry", func(t *testing.T) {
		again, err := e.svc.Unmute(e.ctx(), "u1", m.ID, "cli:maria", alerts.SourceCLI)
		if err != nil || again.ID != m.ID {
			t.Errorf("got %v, %v; want %s again", again, err, m.Ref())
		}
	})
	t.Run("ended", func(t *testing.T) {
		_, err := e.svc.Unmute(e.ctx(), "u2", m.ID, "slack:U1", alerts.SourceSlack)
		var se *alerts.StaleError
		if !errors.Is(err, alerts.ErrStale) || !errors.As(err, &se) {
			t.Fatalf("got %v; want a *StaleError", err)
		}
		if msg := err.Error(); !strings.Contains(msg, m.Ref()) || !strings.Contains(msg, "ended") {
			t.Errorf("message: got %q; want it to name %s and say it ended", msg, m.Ref())
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if _, err := e.svc.Unmute(e.ctx(), "u3", 99, "slack:U1", alerts.SourceSlack); !errors.Is(err, alerts.ErrNotFound) {
			t.Errorf("got %v; want ErrNotFound", err)
		}
	})
	t.Run("no actor", func(t *testing.T) {
		if _, err := e.svc.Unmute(e.ctx(), "u4", m.ID, "", alerts.SourceSlack); !errors.Is(err, alerts.ErrInvalid) {
			t.Errorf("got %v; want ErrInvalid", err)
		}
	})
}

func TestMuteFromAlert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    alerts.MuteRequest
		// next is whether a new post by the same author is muted too.
		next bool
	}{
		{"mute this alert", alerts.MuteRequest{Scope: alerts.ScopeAlert}, false},
		{"mute this account", alerts.MuteRequest{Scope: alerts.ScopeAccount, Account: "@CartelWatch"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.raiseIn(alerts.StateAcked)
			e.apply(request(id, alerts.ActionUnack, "unack")) // open, escalation pending again
			esc := e.onlyPending(alerts.TimerEscalate, id, 0)
			cards := ofKind(e.deliveries(id), alerts.DeliveryCard)
			before := len(e.deliveries(id))

			tt.r.ActionID, tt.r.AlertID = "m1", id
			m := e.mute(tt.r)

			a, h := e.alert(id)
			if !a.Muted || a.MuteID != m.ID || a.LastAction != alerts.ActionMute {
				t.Errorf("alert: got muted %t by %d, last action %s; want muted by %s", a.Muted, a.MuteID, a.LastAction, m.Ref())
			}
			if got := e.timer(esc.ID).State; got != alerts.TimerCancelled || !slices.Contains(e.jobs.Cancelled(), esc.JobID) {
				t.Errorf("escalation: got %s (cancelled jobs %v); want cancelled with job %d", got, e.jobs.Cancelled(), esc.JobID)
			}
			edits := ofKind(e.deliveries(id)[before:], alerts.DeliveryEdit)
			if got, want := destinations(edits), destinations(cards); !slices.Equal(got, want) {
				t.Errorf("card edits to %v; want %v", got, want)
			}
			ev := h[len(h)-1]
			if ev.Action != alerts.ActionMute || ev.MuteID != m.ID || ev.From != alerts.StateOpen || ev.To != alerts.StateOpen {
				t.Errorf("audit: got %+v; want mute of the open alert", ev)
			}

			next := e.raise(by(xpost("2"), "1234", "CartelWatch"))
			if a, _ := e.alert(next); a.Muted != tt.next {
				t.Errorf("next post by the author: got muted %t; want %t", a.Muted, tt.next)
			}

			before = len(e.deliveries(id))
			if _, err := e.svc.Unmute(e.ctx(), "u1", m.ID, "slack:U1", alerts.SourceSlack); err != nil {
				t.Fatalf("Unmute: %v", err)
			}
			a, h = e.alert(id)
			if a.Muted || a.MuteID != 0 {
				t.Errorf("after unmute: got muted %t by %d; want not muted", a.Muted, a.MuteID)
			}
			if h[len(h)-1].Action != alerts.ActionUnmute {
				t.Errorf("after unmute: last event %s; want unmute", h[len(h)-1].Action)
			}
			if got, want := destinations(ofKind(e.deliveries(id)[before:], alerts.DeliveryEdit)), destinations(cards); !slices.Equal(got, want) {
				t.Errorf("after unmute: card edits to %v; want %v", got, want)
			}
		})
	}
}

func TestMuteRefusesInvalidRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ok := alerts.MuteRequest{ActionID: "m", Scope: alerts.ScopeWatch, Watch: "border", For: time.Hour, Actor: "slack:U1"}
	with := func(f func(r *alerts.MuteRequest)) alerts.MuteRequest {
		r := ok
		f(&r)
		return r
	}
	tests := []struct {
		name string
		r    alerts.MuteRequest
		want error
	}{
		{"no action id", with(func(r *alerts.MuteRequest) { r.ActionID = "" }), alerts.ErrInvalid},
		{"no actor", with(func(r *alerts.MuteRequest) { r.Actor = "" }), alerts.ErrInvalid},
		{"zero duration", with(func(r *alerts.MuteRequest) { r.For = 0 }), alerts.ErrInvalid},
		{"negative duration", with(func(r *alerts.MuteRequest) { r.For = -time.Hour }), alerts.ErrInvalid},
		{"longer than a year", with(func(r *alerts.MuteRequest) { r.For = alerts.MaxMute + time.Second }), alerts.ErrInvalid},
		{"account scope without account", with(func(r *alerts.MuteRequest) { r.Scope = alerts.ScopeAccount }), alerts.ErrInvalid},
		{"keyword scope without keyword", with(func(r *alerts.MuteRequest) { r.Scope = alerts.ScopeKeyword }), alerts.ErrInvalid},
		{"watch scope without watch", with(func(r *alerts.MuteRequest) { r.Watch = "" }), alerts.ErrInvalid},
		{"account and keyword without keyword", with(func(r *alerts.MuteRequest) {
			r.Scope, r.Account = alerts.ScopeAccountKeyword, "@CartelWatch"
		}), alerts.ErrInvalid},
		{"alert scope without alert", with(func(r *alerts.MuteRequest) { r.Scope = alerts.ScopeAlert }), alerts.ErrInvalid},
		{"unknown scope", with(func(r *alerts.MuteRequest) { r.Scope = "everything" }), alerts.ErrInvalid},
		{"no such alert", with(func(r *alerts.MuteRequest) { r.Scope, r.AlertID = alerts.ScopeAlert, 42 }), alerts.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.Mute(e.ctx(), tt.r); !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
	if all, _ := e.svc.Mutes(e.ctx(), true); len(all) != 0 {
		t.Errorf("got %d mutes; want none", len(all))
	}
}

// TestEscalationResumesWhenAlertMuteEnds: a muted alert stops escalating,
// but once the mute is lifted or expires an alert nobody acknowledged must
// escalate again (Policy: "steps that fire while an alert stays
// unacknowledged"); otherwise "mute A-42 for 1h" silences its pager for
// good.
func TestEscalationResumesWhenAlertMuteEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(e *env, m *alerts.Mute)
	}{
		{"lifted", func(e *env, m *alerts.Mute) {
			if _, err := e.svc.Unmute(e.ctx(), "u1", m.ID, "slack:U1", alerts.SourceSlack); err != nil {
				e.t.Fatalf("Unmute: %v", err)
			}
		}},
		{"expired", func(e *env, m *alerts.Mute) {
			tm := e.onlyPending(alerts.TimerMuteExpired, 0, m.ID)
			e.clock.Set(tm.DueAt)
			e.fire(tm.ID)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.raise(xpost("1"))
			m := e.mute(alerts.MuteRequest{ActionID: "m1", Scope: alerts.ScopeAlert, AlertID: id, For: time.Hour})
			if ts := e.pendingOf(alerts.TimerEscalate, id, 0); len(ts) != 0 {
				t.Fatalf("while muted: got escalations %s; want none", timerList(ts))
			}
			e.clock.Advance(10 * time.Minute)
			tt.end(e, m)
			a, _ := e.alert(id)
			if a.Muted || a.State != alerts.StateOpen {
				t.Fatalf("after the mute: got %s, muted %t; want open, not muted", a.State, a.Muted)
			}
			if ts := e.pendingOf(alerts.TimerEscalate, id, 0); len(ts) != 1 {
				t.Errorf("after the mute of open %s ended: got %d pending escalations; want 1 (escalation resumes)", a.Ref(), len(ts))
			}
		})
	}
}

// TestEscalatedByHandWhileMuted: escalating a muted alert by hand and then
// lifting the mute leaves one escalation running, so each later step
// pages once.
func TestEscalatedByHandWhileMuted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.raise(xpost("1"))
	m := e.mute(alerts.MuteRequest{ActionID: "m1", Scope: alerts.ScopeAlert, AlertID: id, For: time.Hour})
	e.apply(request(id, alerts.ActionEscalate, "esc"))
	if _, err := e.svc.Unmute(e.ctx(), "u1", m.ID, "slack:U1", alerts.SourceSlack); err != nil {
		t.Fatalf("Unmute: %v", err)
	}
	before := len(e.deliveries(id))
	for _, tm := range e.pendingOf(alerts.TimerEscalate, id, 0) {
		e.clock.Set(tm.DueAt)
		e.fire(tm.ID)
	}
	notices := ofKind(e.deliveries(id)[before:], alerts.DeliveryNotice)
	if got := destinations(notices); !slices.Equal(got, []alerts.Destination{discordR9}) {
		t.Errorf("next step: notices to %v; want one to %s", got, discordR9)
	}
}

func TestShorterSecondMuteDoesNotLiftALongerOne(t *testing.T) {
	for _, order := range []string{"long first", "short first"} {
		t.Run(order, func(t *testing.T) {
			e := newEnv(t)
			id := e.raise(xpost("700"))
			durations := []time.Duration{24 * time.Hour, 10 * time.Minute}
			if order == "short first" {
				durations[0], durations[1] = durations[1], durations[0]
			}
			for i, d := range durations {
				if _, err := e.svc.Mute(e.ctx(), alerts.MuteRequest{ActionID: fmt.Sprintf("m%d", i), Scope: alerts.ScopeAlert, AlertID: id, For: d, Actor: "slack:U1", Source: alerts.SourceSlack}); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Advance(15 * time.Minute)
			e.fireDue()
			a, _ := e.alert(id)
			if !a.Muted {
				t.Fatalf("after the 10-minute mute ended: alert unmuted; want it still muted by the 24-hour one")
			}
			e.clock.Advance(24 * time.Hour)
			e.fireDue()
			if a, _ = e.alert(id); a.Muted {
				t.Fatalf("after both mutes ended: still muted (M-%d)", a.MuteID)
			}
		})
	}
}
