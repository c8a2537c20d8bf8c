package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store/sqlite/sqlitetest"
)

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newRealHandler returns a handler over the real alerts service and an
// SQLite store holding one alert, A-<id>, by @cartel_news matching
// "plaza".
func newRealHandler(t *testing.T) (*Handler, *alerts.Service, int64) {
	t.Helper()
	clock := func() time.Time { return testNow }
	svc := alerts.NewService(sqlitetest.Open(t), alerts.Options{
		Routes: []alerts.Route{{Name: "ops", Destinations: []alerts.Destination{"slack:C1"}}},
		Now:    clock,
	})
	w := &alerts.Watch{Name: "cartels", Source: "feed", Route: "ops", Severity: alerts.SeverityHigh, Interval: time.Minute}
	post := alerts.Post{Platform: "x", ID: "p1", AuthorID: "1234", Handle: "cartel_news", Text: "nos vemos en la plaza", URL: "https://x.example/p1"}
	res, err := svc.Ingest(context.Background(), alerts.Batch{
		Watch: w,
		Posts: []alerts.Polled{{Post: post, Match: alerts.Match{Hits: []alerts.Hit{{Term: "plaza", Start: 16, End: 21}}}, Matched: true}},
	})
	if err != nil || len(res.Alerted) != 1 {
		t.Fatalf("Ingest = %+v, %v; want one alert", res, err)
	}
	return NewHandler(svc, newFakeWatches(), testRoles, Options{Now: clock}), svc, res.Alerted[0]
}

// step is one command in a scripted conversation.
type step struct {
	name     string
	actor    Actor
	actionID string
	text     string
	kind     ReplyKind
	want     string // the reply's text; REF stands for the ref under test
	dup      bool
	public   bool
}

func runSteps(t *testing.T, h *Handler, ref string, steps []step) {
	t.Helper()
	for _, s := range steps {
		text := strings.ReplaceAll(s.text, "REF", ref)
		r := h.Handle(context.Background(), s.actor, s.actionID, text)
		want := strings.ReplaceAll(s.want, "REF", ref)
		if r.Kind != s.kind || r.Text != want || r.Duplicate != s.dup || r.Ephemeral == s.public {
			t.Errorf("%s: %q → %v %q (dup %v, ephemeral %v); want %v %q (dup %v, ephemeral %v)",
				s.name, text, r.Kind, r.Text, r.Duplicate, r.Ephemeral, s.kind, want, s.dup, !s.public)
		}
		if r.Err != nil {
			t.Errorf("%s: Err = %v; want none", s.name, r.Err)
		}
	}
}

func TestTriageFlow(t *testing.T) {
	h, svc, id := newRealHandler(t)
	joe := Actor{ID: "cli:joe", Name: "joe", Source: alerts.SourceCLI}
	runSteps(t, h, alerts.FormatRef(id), []step{
		{"ack", responder, "s-1", "ack REF on it", ReplyOK, "REF acknowledged by rita", false, true},
		{"same action again", responder, "s-1", "ack REF on it", ReplyOK, "REF was already acknowledged (this action was applied once)", true, false},
		{"same action id, other command", responder, "s-1", "resolve REF", ReplyOK, "REF was already acknowledged (this action was applied once)", true, false},
		{"ack again with a new id", responder, "s-2", "ack REF", ReplyStale, "cannot ack REF: it is acked (by slack:U1)", false, false},
		{"assign me", responder, "s-3", "assign REF me", ReplyOK, "REF assigned to rita by rita", false, true},
		{"note", responder, "s-4", "note REF called the reporter", ReplyOK, "note added to REF by rita", false, true},
		{"escalate", moderator, "s-5", "escalate REF to <@&99> threats", ReplyOK, "REF escalated to discord:role:99 by mo", false, true},
		{"resolve", joe, "s-6", "resolve REF parody account", ReplyOK, "REF resolved by joe", false, true},
		{"ack a resolved alert", responder, "s-7", "ack REF", ReplyStale, "cannot ack REF: it is resolved (by cli:joe)", false, false},
		{"responder cannot reopen", responder, "s-8", "reopen REF", ReplyRefused, "only moderators and admins can reopen alerts; you are a responder", false, false},
		{"reopen", moderator, "s-9", "reopen REF it is back", ReplyOK, "REF reopened by mo", false, true},
		{"unack an open alert", responder, "s-10", "unack REF", ReplyStale, "cannot unack REF: it is open (by discord:user:8)", false, false},
		{"missing alert", responder, "s-11", "ack A-99", ReplyError, "A-99 does not exist", false, false},
		{"no action id", responder, "", "ack REF", ReplyError, "action id is required", false, false},
		{"show", responder, "s-12", "show REF", ReplyOK, "REF is open (watch cartels)", false, false},
		{"history", responder, "s-13", "history REF", ReplyOK, "REF: 8 events", false, false},
		{"usage", responder, "s-14", "ack", ReplyUsage, "ack: expected an alert id like A-42\nusage: ack A-42 [reason]", false, false},
	})

	a, history, err := svc.Alert(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Assignee != responder.ID || a.State != alerts.StateOpen {
		t.Errorf("alert assignee %q state %q; want %q open", a.Assignee, a.State, responder.ID)
	}
	var actions []string
	for _, e := range history {
		actions = append(actions, fmt.Sprintf("%s:%s", e.ActionID, e.Action))
	}
	want := []string{"create:cartels:x:p1:create", "s-1:ack", "s-3:assign", "s-4:note", "s-5:escalate", "s-6:resolve", "s-8:refused", "s-9:reopen"}
	if !slices.Equal(actions, want) {
		t.Errorf("history = %v; want %v", actions, want)
	}
	for _, e := range history {
		if e.Action == alerts.ActionRefused && e.Actor != responder.ID {
			t.Errorf("refusal recorded for %q; want %q", e.Actor, responder.ID)
		}
	}
}

func TestMuteFlow(t *testing.T) {
	h, svc, id := newRealHandler(t)
	ctx := context.Background()
	ref := alerts.FormatRef(id)

	r := h.Handle(ctx, moderator, "m-1", "mute "+ref+" account for 12h parody")
	if r.Kind != ReplyOK || r.Mute == nil {
		t.Fatalf("mute account = %v %q; want ok with a mute", r.Kind, r.Text)
	}
	m := r.Mute
	if m.Scope != alerts.ScopeAccount || m.Account != "1234" || m.AlertID != id || m.Reason != "parody" {
		t.Errorf("mute = %+v; want account 1234 from %s with the reason", m, ref)
	}
	if !slices.Equal(m.Notify, []alerts.Destination{moderator.Channel}) {
		t.Errorf("notify = %v; want the channel the command came from, %v", m.Notify, moderator.Channel)
	}
	wantText := fmt.Sprintf("@1234 muted for 12h by mo (%s, until 2026-01-02 15:04 UTC)", m.Ref())
	if r.Text != wantText {
		t.Errorf("text = %q; want %q", r.Text, wantText)
	}

	r = h.Handle(ctx, admin, "m-2", "mute "+ref+" keyword for 2w")
	if r.Kind != ReplyOK || r.Mute.Keyword != "plaza" || r.Mute.Scope != alerts.ScopeKeyword {
		t.Fatalf("mute keyword = %v %q %+v; want a keyword mute of plaza", r.Kind, r.Text, r.Mute)
	}
	if !slices.Equal(r.Mute.Notify, []alerts.Destination{"slack:C1"}) {
		t.Errorf("cli mute notifies %v; want the alert's route, [slack:C1]", r.Mute.Notify)
	}

	r = h.Handle(ctx, responder, "m-3", "mutes")
	if r.Kind != ReplyOK || len(r.Mutes) != 2 || r.Text != "2 mutes in force" || !r.Ephemeral {
		t.Errorf("mutes = %v %q with %d; want 2 in force, ephemeral", r.Kind, r.Text, len(r.Mutes))
	}

	mref := m.Ref()
	runSteps(t, h, mref, []step{
		{"unmute", moderator, "m-4", "unmute REF", ReplyOK, "REF on @1234 lifted by mo", false, true},
		{"unmute again", moderator, "m-5", "unmute REF", ReplyStale, "cannot unmute REF: it is ended", false, false},
		{"unmute a missing mute", moderator, "m-6", "unmute M-999", ReplyError, "M-999 does not exist", false, false},
		{"mute a missing alert's account", moderator, "m-7", "mute A-999 account for 1h", ReplyError, "A-999 does not exist", false, false},
		{"mute a watch", moderator, "m-8", "mute watch cartels for 1h maintenance", ReplyOK, "watch cartels muted for 1h by mo (M-3, until 2026-01-02 04:04 UTC)", false, true},
	})

	all, err := svc.Mutes(ctx, true)
	if err != nil || len(all) != 3 {
		t.Fatalf("all mutes = %d, %v; want 3", len(all), err)
	}
}

func TestListing(t *testing.T) {
	h, _, id := newRealHandler(t)
	ctx := context.Background()
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"list", 1, "1 alert (open, acked, escalated)"},
		{"list resolved", 0, "no alerts (resolved)"},
		{"list all watch cartels", 1, "1 alert (all; watch cartels)"},
		{"list watch other", 0, "no alerts (open, acked, escalated; watch other)"},
	}
	for _, tt := range tests {
		r := h.Handle(ctx, responder, "l", tt.text)
		if r.Kind != ReplyOK || r.Text != tt.want || len(r.Alerts) != tt.n || !r.Ephemeral {
			t.Errorf("%q = %v %q with %d alerts; want %q with %d, ephemeral", tt.text, r.Kind, r.Text, len(r.Alerts), tt.want, tt.n)
		}
		if tt.n == 1 && r.Alerts[0].ID != id {
			t.Errorf("%q listed alert %d; want %d", tt.text, r.Alerts[0].ID, id)
		}
	}
}

func TestHelp(t *testing.T) {
	h, _, _ := newRealHandler(t)
	for _, tt := range []struct{ text, want string }{
		{"help", "Lookout commands:\n  ack A-42 [reason]"},
		{"", "Lookout commands:"},
		{"help mute", "usage: mute A-42 [for 24h] [reason]\n       mute A-42 account|keyword"},
	} {
		r := h.Handle(context.Background(), responder, "h", tt.text)
		if r.Kind != ReplyOK || !strings.HasPrefix(r.Text, tt.want) || !r.Ephemeral {
			t.Errorf("%q = %v %q; want ok, ephemeral, starting %q", tt.text, r.Kind, r.Text, tt.want)
		}
	}
}

func TestErrorsNeverLeak(t *testing.T) {
	secret := errors.New("pq: password authentication failed for user lookout at 10.0.0.5")
	tests := []struct {
		name string
		err  error
		kind ReplyKind
		want string
		log  bool
	}{
		{"internal", secret, ReplyError, "internal error; the details are in the log", true},
		{"invalid", fmt.Errorf("mute: %w: duration must be between 1s and 8760h0m0s", alerts.ErrInvalid), ReplyError, "duration must be between 1s and 8760h0m0s", false},
		{"bare invalid", alerts.ErrInvalid, ReplyError, "that request is not valid", false},
		{"not found", fmt.Errorf("ack A-5: %w", alerts.ErrNotFound), ReplyError, "A-5 does not exist", false},
		{"stale", &alerts.StaleError{Alert: "A-5", Action: alerts.ActionAck, State: alerts.StateResolved, By: "cli:joe"}, ReplyStale, "cannot ack A-5: it is resolved (by cli:joe)", false},
		{"forbidden", fmt.Errorf("x: %w: not from chat", alerts.ErrForbidden), ReplyRefused, "not from chat", false},
		{"conflict", fmt.Errorf("ack A-5: %w", alerts.ErrConflict), ReplyError, "someone changed this at the same moment; try again", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHandler(&fakeService{err: tt.err}, newFakeWatches(), testRoles, Options{})
			r := h.Handle(context.Background(), responder, "e-1", "ack A-5")
			if r.Kind != tt.kind || r.Text != tt.want || !r.Ephemeral {
				t.Errorf("reply = %v %q; want %v %q, ephemeral", r.Kind, r.Text, tt.kind, tt.want)
			}
			if (r.Err != nil) != tt.log || (tt.log && !errors.Is(r.Err, secret)) {
				t.Errorf("Err = %v; want it set (wrapping the cause) only for internal errors: %v", r.Err, tt.log)
			}
		})
	}
}

func TestWatchCommands(t *testing.T) {
	watches := newFakeWatches(&alerts.Watch{Name: "from-config", Origin: alerts.OriginConfig})
	h := NewHandler(&fakeService{}, watches, testRoles, Options{
		Now:      func() time.Time { return testNow },
		Defaults: WatchDefaults{Route: "ops", Interval: 2 * time.Minute},
	})
	runSteps(t, h, "", []step{
		{"add", moderator, "w-1", `watch add cartels source=feed accounts=https://a.example/rss keywords="gente nueva"`, ReplyOK, "watch cartels added by mo: feed every 2m", false, true},
		{"add a taken name", moderator, "w-2", "watch add cartels source=feed keywords=a", ReplyError, "a watch named cartels already exists", false, false},
		{"add an invalid name", moderator, "w-3", "watch add Bad! source=feed keywords=a", ReplyError,
			`watch name "Bad!" must be 1-64 of a-z, 0-9, _ and -, starting with a letter or digit`, false, false},
		{"add too fast", moderator, "w-4", "watch add fast source=feed keywords=a interval=1s", ReplyError, "watch fast interval 1s is shorter than 10s", false, false},
		{"list", responder, "w-5", "watch list", ReplyOK, "2 watches", false, false},
		{"remove a config watch", admin, "w-6", "watch remove from-config", ReplyRefused, "watch from-config is defined in the config file", false, false},
		{"remove a missing watch", admin, "w-7", "watch remove nope", ReplyError, "watch nope does not exist", false, false},
		{"remove", admin, "w-8", "watch remove cartels", ReplyOK, "watch cartels removed by maria", false, true},
	})
	if len(watches.added) != 1 {
		t.Fatalf("added %d watches; want 1", len(watches.added))
	}
	got := *watches.added[0]
	want := alerts.Watch{
		Name: "cartels", Source: "feed", Accounts: []string{"https://a.example/rss"}, Keywords: []string{"gente nueva"},
		Interval: 2 * time.Minute, Severity: alerts.SeverityMedium, Route: "ops", Enabled: true,
		Origin: alerts.OriginStore, CreatedBy: moderator.ID, CreatedAt: testNow,
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("added watch\n got  %+v\n want %+v", got, want)
	}
}
