package alerts_test

import (
	"slices"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

func TestNext(t *testing.T) {
	t.Parallel()
	const (
		open      = alerts.StateOpen
		acked     = alerts.StateAcked
		escalated = alerts.StateEscalated
		resolved  = alerts.StateResolved
		stale     = alerts.State("")
	)
	// want[action] lists the outcome from open, acked, escalated, resolved.
	want := map[alerts.Action][4]alerts.State{
		alerts.ActionAck:      {acked, stale, acked, stale},
		alerts.ActionUnack:    {stale, open, stale, stale},
		alerts.ActionEscalate: {escalated, escalated, escalated, stale},
		alerts.ActionResolve:  {resolved, resolved, resolved, stale},
		alerts.ActionReopen:   {stale, stale, stale, open},
		alerts.ActionAssign:   {open, acked, escalated, stale},
		alerts.ActionNote:     {open, acked, escalated, resolved},
		alerts.ActionMute:     {open, acked, escalated, resolved},
		alerts.ActionUnmute:   {open, acked, escalated, resolved},
		alerts.ActionCreate:   {stale, stale, stale, stale},
		alerts.ActionRefused:  {stale, stale, stale, stale},
		"snooze":              {stale, stale, stale, stale},
	}
	for action, tos := range want {
		for i, from := range []alerts.State{open, acked, escalated, resolved} {
			t.Run(string(action)+" "+string(from), func(t *testing.T) {
				got, ok := alerts.Next(from, action)
				if tos[i] == stale {
					if ok {
						t.Errorf("Next(%s, %s) = %s, true; want stale", from, action, got)
					}
					return
				}
				if !ok || got != tos[i] {
					t.Errorf("Next(%s, %s) = %s, %t; want %s, true", from, action, got, ok, tos[i])
				}
			})
		}
	}
	if got, ok := alerts.Next("archived", alerts.ActionAck); ok {
		t.Errorf("Next(archived, ack) = %s, true; want stale", got)
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state alerts.State
		want  []alerts.Action
	}{
		{alerts.StateOpen, []alerts.Action{alerts.ActionAck, alerts.ActionEscalate, alerts.ActionResolve}},
		{alerts.StateAcked, []alerts.Action{alerts.ActionUnack, alerts.ActionEscalate, alerts.ActionResolve}},
		{alerts.StateEscalated, []alerts.Action{alerts.ActionAck, alerts.ActionEscalate, alerts.ActionResolve}},
		{alerts.StateResolved, []alerts.Action{alerts.ActionReopen}},
		{"archived", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			if got := alerts.Actions(tt.state); !slices.Equal(got, tt.want) {
				t.Errorf("Actions(%s) = %v; want %v", tt.state, got, tt.want)
			}
		})
	}
}

func TestValidActionAndState(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		action alerts.Action
		want   bool
	}{
		{alerts.ActionAck, true},
		{alerts.ActionNote, true},
		{alerts.ActionUnmute, true},
		{alerts.ActionCreate, false},
		{"snooze", false},
		{"", false},
	} {
		if got := alerts.ValidAction(tt.action); got != tt.want {
			t.Errorf("ValidAction(%q) = %t; want %t", tt.action, got, tt.want)
		}
	}
	for _, tt := range []struct {
		state alerts.State
		want  bool
	}{
		{alerts.StateOpen, true},
		{alerts.StateAcked, true},
		{alerts.StateEscalated, true},
		{alerts.StateResolved, true},
		{"Open", false},
		{"", false},
	} {
		if got := tt.state.Valid(); got != tt.want {
			t.Errorf("State(%q).Valid() = %t; want %t", tt.state, got, tt.want)
		}
	}
}
