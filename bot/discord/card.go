package discord

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// Embed colours: severity while an alert needs attention, green once
// resolved, grey while muted.
var severityColours = map[alerts.Severity]int{
	alerts.SeverityLow:      0x95A5A6,
	alerts.SeverityMedium:   0xF1C40F,
	alerts.SeverityHigh:     0xE67E22,
	alerts.SeverityCritical: 0xE74C3C,
}

const (
	colourResolved = 0x2ECC71
	colourMuted    = 0x607D8B
	colourNotice   = 0x3498DB
)

// content is one rendered message: what a post, an edit or an
// interaction answer sends.
type content struct {
	Text       string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

// render turns a message from the outbox into Discord's shape.
func render(m *alerts.Message) content {
	switch {
	case len(m.Group) > 0:
		return groupCard(m.Group, m.Now)
	case m.Kind == alerts.DeliveryNotice || m.Alert == nil:
		return content{Text: truncate(escape(m.Notice), maxContent)}
	}
	return alertCard(m.Alert, m.Mute, m.Now)
}

// alertCard is an alert's card: the embed and the components that fit
// its state.
func alertCard(a *alerts.Alert, mute *alerts.Mute, now time.Time) content {
	e := alertEmbed(a, mute, now)
	return content{Embeds: []*discordgo.MessageEmbed{e}, Components: cardComponents(a)}
}

func alertEmbed(a *alerts.Alert, mute *alerts.Mute, now time.Time) *discordgo.MessageEmbed {
	p := &a.Post
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       escape(fmt.Sprintf("%s · %s · %s", a.Ref(), a.Watch, a.Severity)),
		URL:         webURL(p.URL),
		Description: postMarkdown(p.MatchText(), a.Hits, maxDescription),
		Color:       colour(a),
		Author:      &discordgo.MessageEmbedAuthor{Name: plain(author(p))},
		Fields:      []*discordgo.MessageEmbedField{{Name: "State", Value: stateLine(a, mute, now)}},
		Footer:      &discordgo.MessageEmbedFooter{Text: plain(footer(a))},
	}
	if !p.CreatedAt.IsZero() {
		e.Timestamp = p.CreatedAt.UTC().Format(time.RFC3339)
	}
	if f := editedField(a); f != nil {
		e.Fields = append(e.Fields, f)
	}
	if p.PreviousHandle != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name: "Handle changed", Value: escape(fmt.Sprintf("@%s is now @%s", strings.TrimPrefix(p.PreviousHandle, "@"), strings.TrimPrefix(p.Handle, "@"))),
		})
	}
	if !p.DeletedAt.IsZero() {
		why := p.DeletedReason
		if why == "" {
			why = "deleted"
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name: "Deleted", Value: escape(fmt.Sprintf("post %s at %s; the evidence is kept", why, p.DeletedAt.UTC().Format("2006-01-02 15:04 MST"))),
		})
	}
	if n := len(p.Media); n > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name: "Media", Value: fmt.Sprintf("%d attachment(s) hidden; Show media shows them to you alone", n),
		})
	}
	if e.Description == "" {
		e.Description = "*(no text)*"
	}
	fitEmbed(e)
	return e
}

// editedField shows the newest version of an edited post beside the text
// that alerted, which stays the description and the evidence: escaped and
// cut as the post text is, but never bolded, since the hits point into the
// version that alerted. It is nil when the post was not edited.
func editedField(a *alerts.Alert) *discordgo.MessageEmbedField {
	if a.Latest == nil {
		return nil
	}
	name := "Edited on the platform"
	if at := bot.EditedAt(a); !at.IsZero() {
		name += " at " + at.UTC().Format("2006-01-02 15:04 MST")
	}
	value := postMarkdown(a.Latest.MatchText(), nil, maxFieldValue)
	if strings.TrimSpace(value) == "" {
		value = "*(no text)*"
	}
	return &discordgo.MessageEmbedField{Name: name, Value: value}
}

// groupCard lists a burst of alerts of one watch in one message, each
// with its id so it stays addressable.
func groupCard(group []*alerts.Alert, now time.Time) content {
	first := group[0]
	var b strings.Builder
	shown := 0
	worst := first
	for _, a := range group {
		if rank(a.Severity) > rank(worst.Severity) {
			worst = a
		}
	}
	for i, a := range group {
		line := fmt.Sprintf("**%s** · %s · %s: %s\n", a.Ref(), a.State, escape(author(&a.Post)), escape(snippet(a, 120)))
		rest := fmt.Sprintf("… and %d more (/lookout list watch %s)", len(group)-i, escape(first.Watch))
		if runes(b.String())+runes(line)+runes(rest) > maxDescription {
			b.WriteString(rest)
			break
		}
		b.WriteString(line)
		shown++
	}
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       escape(fmt.Sprintf("%d new matches for watch %s", len(group), first.Watch)),
		Description: strings.TrimRight(b.String(), "\n"),
		Color:       severityColours[worst.Severity],
		Footer:      &discordgo.MessageEmbedFooter{Text: plain(fmt.Sprintf("%s … %s · updated %s", first.Ref(), group[len(group)-1].Ref(), now.UTC().Format("15:04 MST")))},
	}
	fitEmbed(e)
	return content{Embeds: []*discordgo.MessageEmbed{e}, Components: groupComponents(group)}
}

func rank(s alerts.Severity) int {
	switch s {
	case alerts.SeverityLow:
		return 1
	case alerts.SeverityMedium:
		return 2
	case alerts.SeverityHigh:
		return 3
	case alerts.SeverityCritical:
		return 4
	}
	return 0
}

func colour(a *alerts.Alert) int {
	switch {
	case a.Muted:
		return colourMuted
	case a.State == alerts.StateResolved:
		return colourResolved
	}
	if c, ok := severityColours[a.Severity]; ok {
		return c
	}
	return colourNotice
}

// author names a post's author for the card: "@handle on platform".
func author(p *alerts.Post) string {
	who := p.Handle
	if who == "" {
		who = p.AuthorID
	}
	if who != "" && !strings.HasPrefix(who, "@") && !strings.Contains(who, "://") {
		who = "@" + who
	}
	if who == "" {
		who = "unknown author"
	}
	return who + " on " + p.Platform
}

func footer(a *alerts.Alert) string {
	s := a.Post.Platform
	if a.Post.Kind != "" && a.Post.Kind != alerts.KindPost {
		s += " · " + string(a.Post.Kind)
	}
	return s + " · " + a.Ref()
}

// snippet is the start of an alert's post text on one line.
func snippet(a *alerts.Alert, n int) string {
	return bot.Truncate(strings.Join(strings.Fields(a.Post.MatchText()), " "), n, "…")
}

// webURL returns u when it is an http(s) URL Discord will accept as an
// embed link, else "".
func webURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	// Discord refuses a URL that is not well formed (and refusal is
	// permanent: the alert would be lost), so encode what a raw query or a
	// hostile instance may leave in it.
	s := strings.NewReplacer(" ", "%20", "<", "%3C", ">", "%3E", `"`, "%22", "\n", "", "\r", "", "\t", "%09").Replace(p.String())
	if len(s) > 2048 {
		return ""
	}
	return s
}

// actorPattern matches the identities Lookout records for Discord users.
var actorPattern = regexp.MustCompile(`^discord:user:([0-9]{1,20})$`)

// stateLine is bot.StateLine, escaped, with the Discord users Lookout
// recorded (the actor, the escalation target, the assignee, the mute's
// author) shown as mentions: an embed renders <@id> as the member's name
// and never pings. Text someone typed into a reason stays text.
func stateLine(a *alerts.Alert, mute *alerts.Mute, now time.Time) string {
	out := escape(bot.StateLine(a, mute, now))
	known := []string{a.LastActor, a.EscalatedTo, a.Assignee}
	if mute != nil {
		known = append(known, mute.CreatedBy)
	}
	for _, id := range known {
		if m := actorPattern.FindStringSubmatch(id); m != nil {
			out = strings.ReplaceAll(out, escape(id), "<@"+m[1]+">")
		}
	}
	return out
}
