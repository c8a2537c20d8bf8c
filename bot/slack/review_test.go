package slack

import (
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

// These cases came from a security review: each once rendered a message
// Slack refuses, which would have lost the alert or the page.

func TestCardOfInvisibleTextIsNotEmpty(t *testing.T) {
	for _, text := range []string{"\u202e", "\u2066\x01", "\x00", "\u200b \u2060"} {
		a := testAlert(text)
		r := renderCard(a, nil, t0)
		checkLimits(t, r.blocks)
		edited := testAlert("original")
		edited.Latest = &alerts.Post{Text: text}
		checkLimits(t, renderCard(edited, nil, t0).blocks)
	}
}

func TestLongNoticeStaysWithinSlackLimits(t *testing.T) {
	text := strings.Repeat("https://example.org/very/long/", 200)
	for _, mention := range []string{"", "U0123456789"} {
		checkLimits(t, renderNotice(text, mention, nil).blocks)
	}
}

func TestLongReasonStaysWithinSlackLimits(t *testing.T) {
	a := testAlert("cartel")
	a.State, a.LastAction, a.LastActor = alerts.StateAcked, alerts.ActionAck, "slack:U1"
	a.LastReason = strings.Repeat("&", 800)
	a.Assignee = strings.Repeat("<@U1>", 200)
	checkLimits(t, renderCard(a, nil, t0).blocks)
}
