package discord

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// maxListLines bounds the lines of a listing embed before "… and N more".
const maxListLines = 40

// replyPrefix marks each kind of reply at the start of its text.
var replyPrefix = map[bot.ReplyKind]string{
	bot.ReplyOK:      "",
	bot.ReplyError:   "⚠️ ",
	bot.ReplyUsage:   "",
	bot.ReplyRefused: "⛔ ",
	bot.ReplyStale:   "↩️ ",
}

// ephemeral reports whether a reply is for the asker alone: the handler's
// choice, and every refusal, error, listing, history and status.
func ephemeral(r *bot.Reply) bool {
	return r.Ephemeral || r.Kind != bot.ReplyOK || r.History != nil || r.Status != nil
}

// replyData renders a command's reply as an interaction message.
func replyData(r *bot.Reply, now time.Time) *discordgo.InteractionResponseData {
	d := &discordgo.InteractionResponseData{
		Content:         replyText(r),
		AllowedMentions: noMentions(),
		Embeds:          replyEmbeds(r, now),
		Components:      []discordgo.MessageComponent{},
	}
	if ephemeral(r) {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	return d
}

// replyText is the reply's text, escaped; help and usage come as a code
// block, where nothing renders.
func replyText(r *bot.Reply) string {
	if r.Kind == bot.ReplyUsage || strings.Contains(r.Text, "\n") {
		return codeBlock(r.Text)
	}
	return truncate(replyPrefix[r.Kind]+escape(r.Text), maxContent)
}

// codeBlock shows text verbatim; backticks inside become a look-alike so
// they cannot close the block.
func codeBlock(s string) string {
	s = strings.ReplaceAll(plainLines(s), "`", "ˋ")
	const open, closing = "```\n", "\n```"
	return open + truncate(s, maxContent-runes(open)-runes(closing)) + closing
}

// plainLines is plain, keeping line breaks.
func plainLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = plain(l)
	}
	return strings.Join(lines, "\n")
}

func replyEmbeds(r *bot.Reply, now time.Time) []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	switch {
	case r.History != nil && r.Alert != nil:
		out = append(out, historyEmbed(r.Alert, r.History))
	case r.Alert != nil && r.Kind == bot.ReplyOK && r.Ephemeral && !r.Duplicate:
		// show A-42: the card itself, for the asker.
		out = append(out, alertEmbed(r.Alert, r.Mute, now))
	}
	if len(r.Alerts) > 0 {
		lines := make([]string, len(r.Alerts))
		for i, a := range r.Alerts {
			lines[i] = fmt.Sprintf("**%s** · %s · %s · %s: %s", a.Ref(), a.State, escape(a.Watch), escape(author(&a.Post)), escape(snippet(a, 80)))
		}
		out = append(out, listEmbed("Alerts", lines))
	}
	if len(r.Mutes) > 0 {
		lines := make([]string, len(r.Mutes))
		for i, m := range r.Mutes {
			state := "until " + m.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")
			if m.Ended {
				state = "ended"
			}
			line := fmt.Sprintf("**%s** · %s · %s · by %s", m.Ref(), escape(m.Describe()), state, escape(m.CreatedBy))
			if m.Reason != "" {
				line += " · " + escape(m.Reason)
			}
			lines[i] = line
		}
		out = append(out, listEmbed("Mutes", lines))
	}
	if len(r.Watches) > 0 {
		lines := make([]string, len(r.Watches))
		for i, w := range r.Watches {
			lines[i] = fmt.Sprintf("**%s** · %s · every %s · %s · %s", escape(w.Name), escape(w.Source), bot.FormatDuration(w.Interval), w.Severity, w.Origin)
		}
		out = append(out, listEmbed("Watches", lines))
	}
	if r.Status != nil {
		out = append(out, statusEmbed(r.Status))
	}
	if out == nil {
		out = []*discordgo.MessageEmbed{}
	}
	return out
}

func historyEmbed(a *alerts.Alert, events []*alerts.AuditEvent) *discordgo.MessageEmbed {
	lines := make([]string, len(events))
	for i, ev := range events {
		line := fmt.Sprintf("%s · **%s** · %s (%s)", ev.At.UTC().Format("2006-01-02 15:04:05"), ev.Action, escape(ev.Actor), ev.Source)
		if ev.From != "" && ev.To != "" && ev.From != ev.To {
			line += fmt.Sprintf(" · %s → %s", ev.From, ev.To)
		}
		if ev.Detail != "" {
			line += " · " + escape(ev.Detail)
		}
		lines[i] = line
	}
	e := listEmbed("History of "+a.Ref(), lines)
	e.Color = colour(a)
	return e
}

// listEmbed shows one line per item, as many as fit, then how many more.
func listEmbed(title string, lines []string) *discordgo.MessageEmbed {
	var b strings.Builder
	for i, l := range lines {
		more := fmt.Sprintf("… and %d more", len(lines)-i)
		if i == maxListLines || runes(b.String())+runes(l)+1+runes(more) > maxDescription {
			b.WriteString(more)
			break
		}
		b.WriteString(truncate(l, 400))
		b.WriteString("\n")
	}
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: escape(title), Description: strings.TrimRight(b.String(), "\n"), Color: colourNotice}
	fitEmbed(e)
	return e
}

func statusEmbed(st *bot.Status) *discordgo.MessageEmbed {
	var watches []string
	for _, w := range st.Watches {
		line := fmt.Sprintf("**%s** (%s)", escape(w.Name), escape(w.Source))
		switch {
		case w.State == nil:
			line += " · not polled yet"
		case w.State.Unhealthy:
			line += fmt.Sprintf(" · ❗ unhealthy, %d failures: %s", w.State.Failures, escape(w.State.LastError))
		case !w.State.LastOKAt.IsZero():
			line += " · ok at " + w.State.LastOKAt.UTC().Format("15:04 MST")
		}
		watches = append(watches, line)
	}
	e := listEmbed("Lookout status", watches)
	e.Fields = append(e.Fields,
		&discordgo.MessageEmbedField{Name: "Alerts", Value: counts(st.Alerts), Inline: true},
		&discordgo.MessageEmbedField{Name: "Deliveries", Value: counts(st.Deliveries), Inline: true},
		&discordgo.MessageEmbedField{Name: "Queue", Value: counts(st.Queue), Inline: true},
	)
	if len(st.Failed) > 0 {
		var b strings.Builder
		for _, d := range st.Failed {
			fmt.Fprintf(&b, "%s → %s: %s\n", alerts.FormatRef(d.AlertID), escape(string(d.Destination)), escape(d.LastError))
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Failed deliveries", Value: strings.TrimSpace(b.String())})
	}
	for _, l := range st.Replicas {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Replica", Value: escape(l)})
	}
	for _, l := range st.Budgets {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Budget", Value: escape(l)})
	}
	fitEmbed(e)
	return e
}

// counts renders a map of counts sorted by key: "acked 2 · open 5".
func counts[K ~string](m map[K]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", escape(k), m[K(k)]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}
