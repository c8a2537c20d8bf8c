package slack

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// renderReply renders the bot's answer to a command as Block Kit: a
// headline for its kind, then whatever the command listed. All text from
// the reply is treated as untrusted.
func renderReply(r *bot.Reply, now time.Time) rendered {
	var b replyBuilder
	head := replyEmoji(r.Kind) + " "
	if r.Kind == bot.ReplyUsage || strings.Contains(r.Text, "\n") {
		b.section(head + "\n" + codeBlock(r.Text, maxSectionText-utf8.RuneCountInString(head)-1))
	} else {
		b.section(head + safeCut(r.Text, maxSectionText-utf8.RuneCountInString(head)))
	}
	switch {
	case len(r.History) > 0:
		for _, e := range r.History {
			b.line(historyLine(e))
		}
	case r.Alert != nil && r.Kind == bot.ReplyOK && r.Ephemeral && !r.Duplicate:
		// show: the card itself, buttons included.
		b.flush()
		b.blocks = append(b.blocks, renderCard(r.Alert, nil, now).blocks...)
	}
	for _, a := range r.Alerts {
		b.line(alertLine(a))
	}
	for _, m := range r.Mutes {
		b.line(muteLine(m, now))
	}
	for _, w := range r.Watches {
		b.line(watchLine(w))
	}
	if r.Status != nil {
		statusLines(&b, r.Status)
	}
	return rendered{blocks: b.done(), text: fallback(r.Text)}
}

func replyEmoji(k bot.ReplyKind) string {
	switch k {
	case bot.ReplyOK:
		return ":white_check_mark:"
	case bot.ReplyUsage:
		return ":grey_question:"
	case bot.ReplyRefused:
		return ":no_entry:"
	case bot.ReplyStale:
		return ":hourglass:"
	}
	return ":warning:"
}

// codeBlock shows multi-line text (usage, help) verbatim. Triple
// backticks inside are broken so the block cannot be closed early.
func codeBlock(s string, limit int) string {
	s = strings.ReplaceAll(escape(stripControls(s)), "```", "`"+zwsp+"``")
	out, _ := cutRunes(s, limit-6)
	return "```" + out + "```"
}

func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if isInvisibleControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// cutRunes cuts already-escaped trusted text at a line end when it can.
func cutRunes(s string, n int) (string, bool) {
	r := []rune(s)
	if len(r) <= n {
		return s, false
	}
	cut := string(r[:n-utf8.RuneCountInString(truncMark)])
	// Never end inside an entity.
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i]
	}
	return cut + truncMark, true
}

func alertLine(a *alerts.Alert) string {
	who := a.Post.Handle
	if who == "" {
		who = a.Post.AuthorID
	}
	body, _ := safeBudget(oneLine(a.Post.MatchText()), 120)
	return fmt.Sprintf("%s *%s* · %s · %s · %s: %s", stateEmoji(a), a.Ref(), stateWord(a), safeCut(a.Watch, 64), safeCut(atHandle(who), 80), body)
}

func historyLine(e *alerts.AuditEvent) string {
	s := fmt.Sprintf("`%s` · %s · *%s*", e.At.UTC().Format("2006-01-02 15:04 UTC"), safeCut(e.Actor, 80), safeCut(string(e.Action), 40))
	if e.From != "" && e.To != "" && e.From != e.To {
		s += fmt.Sprintf(" · %s → %s", e.From, e.To)
	}
	if e.Source != "" {
		s += " · via " + safeCut(string(e.Source), 20)
	}
	if e.Detail != "" {
		s += " · " + safeCut(e.Detail, 300)
	}
	return s
}

func muteLine(m *alerts.Mute, now time.Time) string {
	s := fmt.Sprintf("*%s* · %s · until %s · by %s", m.Ref(), safeCut(m.Describe(), 200), m.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"), safeCut(m.CreatedBy, 80))
	if !m.Active(now) {
		s += " · ended"
	}
	if m.Reason != "" {
		s += " · " + safeCut(m.Reason, 200)
	}
	return s
}

func watchLine(w *alerts.Watch) string {
	s := fmt.Sprintf("*%s* · %s · every %s · %s · %d accounts, %d keywords · %s", safeCut(w.Name, 64), safeCut(w.Source, 30), bot.FormatDuration(w.Interval), w.Severity, len(w.Accounts), len(w.Keywords), w.Origin)
	if !w.Enabled {
		s += " · disabled"
	}
	return s
}

func statusLines(b *replyBuilder, st *bot.Status) {
	for _, w := range st.Watches {
		health := ":large_green_circle: ok"
		if w.State == nil || w.State.LastPollAt.IsZero() {
			health = ":white_circle: not polled yet"
		} else if w.State.Unhealthy || w.State.Failures > 0 {
			health = fmt.Sprintf(":red_circle: %d failed polls · %s", w.State.Failures, safeCut(w.State.LastError, 200))
		}
		b.line(fmt.Sprintf("*%s* · %s · %s", safeCut(w.Name, 64), safeCut(w.Source, 30), health))
	}
	b.line("*Alerts:* " + counts(st.Alerts))
	b.line("*Deliveries:* " + counts(st.Deliveries))
	if len(st.Queue) > 0 {
		b.line("*Queue:* " + counts(st.Queue))
	}
	for _, d := range st.Failed {
		b.line(fmt.Sprintf(":x: %s to %s failed: %s", alerts.FormatRef(d.AlertID), safeCut(string(d.Destination), 80), safeCut(d.LastError, 300)))
	}
	for _, r := range st.Replicas {
		b.line("*Replica* " + safeCut(r, 300))
	}
	for _, s := range st.Budgets {
		b.line(safeCut(s, 300))
	}
}

// counts renders a map of counts as "open 3, acked 1", sorted by key.
func counts[K ~string](m map[K]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", safeCut(k, 40), m[K(k)])
	}
	return strings.Join(parts, ", ")
}

// replyBuilder packs lines into sections of at most maxSectionText
// characters and a message into at most maxBlocks blocks, ending with a
// visible mark when lines had to be left out.
type replyBuilder struct {
	blocks  []slack.Block
	cur     strings.Builder
	dropped int
}

func (b *replyBuilder) section(text string) {
	b.flush()
	b.add(slack.NewSectionBlock(mrkdwn(text), nil, nil))
}

func (b *replyBuilder) add(bl slack.Block) {
	if len(b.blocks) >= maxBlocks-1 {
		b.dropped++
		return
	}
	b.blocks = append(b.blocks, bl)
}

func (b *replyBuilder) line(s string) {
	if b.cur.Len() > 0 && utf8.RuneCountInString(b.cur.String())+1+utf8.RuneCountInString(s) > maxSectionText {
		b.flush()
	}
	if b.cur.Len() > 0 {
		b.cur.WriteByte('\n')
	}
	b.cur.WriteString(s)
}

func (b *replyBuilder) flush() {
	if b.cur.Len() == 0 {
		return
	}
	b.add(slack.NewSectionBlock(mrkdwn(b.cur.String()), nil, nil))
	b.cur.Reset()
}

func (b *replyBuilder) done() []slack.Block {
	b.flush()
	if len(b.blocks) > maxBlocks-1 {
		b.blocks = b.blocks[:maxBlocks-1]
	}
	if b.dropped > 0 {
		b.blocks = append(b.blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("[truncated: %d more sections not shown]", b.dropped))))
	}
	return b.blocks
}
