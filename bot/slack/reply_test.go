package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

func TestReplyGolden(t *testing.T) {
	a := testAlert("cartel news")
	m := &alerts.Mute{ID: 3, Scope: alerts.ScopeKeyword, Keyword: "*gente*", CreatedBy: "slack:U2", CreatedAt: t0, ExpiresAt: t0.Add(24 * 60 * 60 * 1e9), Reason: "<!here>"}
	for _, tc := range []struct {
		name string
		r    *bot.Reply
	}{
		{"reply_list.json", &bot.Reply{Kind: bot.ReplyOK, Text: "1 alert (open)", Alerts: []*alerts.Alert{a}, Ephemeral: true}},
		{"reply_mutes.json", &bot.Reply{Kind: bot.ReplyOK, Text: "1 mute in force", Mutes: []*alerts.Mute{m}, Ephemeral: true}},
		{"reply_usage.json", &bot.Reply{Kind: bot.ReplyUsage, Text: "mute: expected what to mute\nusage: mute A-42 [for DURATION] ```oops```", Ephemeral: true}},
		{"reply_refused.json", &bot.Reply{Kind: bot.ReplyRefused, Text: "only moderators and admins can escalate; you are a responder", Ephemeral: true}},
		{"reply_status.json", &bot.Reply{Kind: bot.ReplyOK, Text: "1 watch, 1 unhealthy", Ephemeral: true, Status: &bot.Status{
			Watches:    []bot.WatchHealth{{Name: "w", Source: "feed", State: &alerts.WatchState{Failures: 3, Unhealthy: true, LastError: "HTTP 503 <html>", LastPollAt: t0}}},
			Alerts:     map[alerts.State]int{alerts.StateOpen: 2},
			Deliveries: map[alerts.DeliveryState]int{alerts.DeliveryFailed: 1},
			Failed:     []*alerts.Delivery{{AlertID: 4, Destination: "slack:C1", LastError: "slack chat.postMessage: not_in_channel"}},
			Queue:      map[string]int{"deliver:available": 1},
			Replicas:   []string{"host-a:41 (version v1, up 2h, seen just now), holds bluesky:stream"},
			Budgets:    []string{"x:app:search: 17 of 450 left, resets in 12m"},
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := renderReply(tc.r, t0)
			checkLimits(t, r.blocks)
			golden(t, tc.name, map[string]any{"text": r.text, "blocks": r.blocks})
		})
	}
}

func TestReplyLimits(t *testing.T) {
	var many []*alerts.Alert
	var hist []*alerts.AuditEvent
	for i := range 1000 {
		a := testAlert(hostile + strings.Repeat(" words", 20))
		a.ID = int64(i + 1)
		many = append(many, a)
		if i < 500 {
			hist = append(hist, &alerts.AuditEvent{Action: alerts.ActionNote, Actor: "slack:U1", Detail: hostile + strings.Repeat("x", 500), At: t0})
		}
	}
	for _, r := range []*bot.Reply{
		{Kind: bot.ReplyOK, Text: "1000 alerts", Alerts: many, Ephemeral: true},
		{Kind: bot.ReplyOK, Text: "history", History: hist, Ephemeral: true},
		{Kind: bot.ReplyUsage, Text: strings.Repeat("usage line\n", 1000), Ephemeral: true},
	} {
		out := renderReply(r, t0)
		checkLimits(t, out.blocks)
		raw, _ := json.Marshal(out.blocks)
		if s := decodeJSONString(t, raw); !strings.Contains(s, "truncated") {
			t.Errorf("%s: long reply cut without a visible mark", r.Text[:min(20, len(r.Text))])
		}
		if s := decodeJSONString(t, raw); strings.Contains(s, "<!channel>") {
			t.Errorf("reply carries a live <!channel>")
		}
	}
}
