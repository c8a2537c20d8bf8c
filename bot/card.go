package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// This file holds what every chat adapter shows on a card, in plain text:
// the state line, relative times and the split of post text into matched
// and unmatched runs. Each adapter escapes and styles the pieces for its
// platform.

// StateLine describes an alert's state for its card: "Acknowledged by
// slack:U1 · 3m ago", "Escalated to @lead · 1h ago · reason", "Muted
// @handle until 14:05 UTC by cli:joe". mute may be nil.
func StateLine(a *alerts.Alert, mute *alerts.Mute, now time.Time) string {
	ago := ""
	if !a.UpdatedAt.IsZero() && !now.IsZero() {
		ago = " · " + Ago(now.Sub(a.UpdatedAt))
	}
	var s string
	switch {
	case a.Muted && mute != nil:
		s = fmt.Sprintf("Muted %s until %s by %s", mute.Describe(), mute.ExpiresAt.UTC().Format("Jan 2 15:04 MST"), mute.CreatedBy)
		if mute.Reason != "" {
			s += " · " + Truncate(mute.Reason, maxReason, "…")
		}
		return s
	case a.Muted:
		s = "Muted"
	case a.LastAction == "" || a.LastAction == alerts.ActionCreate:
		s = "Open"
	default:
		s = fmt.Sprintf("%s by %s%s", PastTense(a.LastAction), a.LastActor, ago)
	}
	if a.State == alerts.StateEscalated && a.EscalatedTo != "" {
		s += " · to " + a.EscalatedTo
	}
	if a.LastReason != "" {
		s += " · " + Truncate(a.LastReason, maxReason, "…")
	}
	if a.Assignee != "" {
		s += " · assigned to " + a.Assignee
	}
	return s
}

// EditedAt is when the platform edited the post of an alert that has a
// newer version (a.Latest): the newest version's time when it is later
// than the version that alerted (X gives each edit its own time). It is
// zero when the platform keeps the first time on an edit (Telegram) or
// there is no edit, and the card then says only that the post was edited.
func EditedAt(a *alerts.Alert) time.Time {
	if a.Latest == nil || !a.Latest.CreatedAt.After(a.Post.CreatedAt) {
		return time.Time{}
	}
	return a.Latest.CreatedAt
}

// maxReason bounds a reason on a card's state line; the whole text is in
// the history.
const maxReason = 300

// Ago renders a duration as "just now", "3m ago", "2h ago", "4d ago".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
}

// PastTense names what an action did, capitalised for a state line.
func PastTense(a alerts.Action) string {
	switch a {
	case alerts.ActionAck:
		return "Acknowledged"
	case alerts.ActionUnack:
		return "Unacknowledged"
	case alerts.ActionEscalate:
		return "Escalated"
	case alerts.ActionResolve:
		return "Resolved"
	case alerts.ActionReopen:
		return "Reopened"
	case alerts.ActionAssign:
		return "Assigned"
	case alerts.ActionMute:
		return "Muted"
	case alerts.ActionUnmute:
		return "Unmuted"
	}
	return string(a)
}

// Segment is a run of post text, matched (to be bolded) or not.
type Segment struct {
	Text    string
	Matched bool
}

// Segments splits text at the hits, which must be byte ranges into text
// (alerts.Hit offsets into Post.MatchText). Overlapping, reversed or
// out-of-range hits are skipped, so hostile offsets cannot panic.
func Segments(text string, hits []alerts.Hit) []Segment {
	var out []Segment
	pos := 0
	for _, h := range hits {
		if h.Start < pos || h.End > len(text) || h.Start >= h.End {
			continue
		}
		if h.Start > pos {
			out = append(out, Segment{Text: text[pos:h.Start]})
		}
		out = append(out, Segment{Text: text[h.Start:h.End], Matched: true})
		pos = h.End
	}
	if pos < len(text) {
		out = append(out, Segment{Text: text[pos:]})
	}
	return out
}

// Truncate cuts s to at most n runes, ending with mark when it cut, so a
// reader sees that text is missing.
func Truncate(s string, n int, mark string) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	m := []rune(mark)
	if n <= len(m) {
		return string(r[:n])
	}
	return strings.TrimRight(string(r[:n-len(m)]), " ") + mark
}
