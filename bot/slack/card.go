package slack

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// Action ids of the card's controls. Each maps to one text command of the
// bot grammar, so buttons and /lookout share one code path.
const (
	actionPrefix = "lookout:"
	actionAck    = actionPrefix + "ack"
	actionUnack  = actionPrefix + "unack"
	actionEsc    = actionPrefix + "escalate"
	actionRes    = actionPrefix + "resolve"
	actionReopen = actionPrefix + "reopen"
	actionMute   = actionPrefix + "mute"
	actionMedia  = actionPrefix + "media"
	// actionGroup is the overflow menu of one alert on a grouped card; its
	// option values are whole commands ("ack A-42").
	actionGroup = actionPrefix + "group"
)

// blockID names the block that carries an alert, so a pasted card link
// can be traced back to its alert.
func blockID(ref string) string { return "alert:" + ref }

// rendered is a message ready to send: its blocks and the fallback text
// notifications show.
type rendered struct {
	blocks []slack.Block
	text   string
}

// renderCard renders one alert's card in its current state.
func renderCard(a *alerts.Alert, mute *alerts.Mute, now time.Time) rendered {
	ref := a.Ref()
	p := &a.Post
	var blocks []slack.Block
	head := fmt.Sprintf("%s %s · %s · %s", severityEmoji(a.Severity), strings.ToUpper(string(a.Severity)), a.Watch, ref)
	blocks = append(blocks, slack.NewHeaderBlock(plainText(plain(head, maxHeaderText)), slack.HeaderBlockOptionBlockID(blockID(ref))))
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(postText(p.MatchText(), a.Hits, maxSectionText)), nil, nil))

	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(authorLine(p))))
	blocks = append(blocks, editedBlocks(a)...)
	if p.PreviousHandle != "" && p.PreviousHandle != p.Handle {
		line := fmt.Sprintf("%s is now %s", safeCut(atHandle(p.PreviousHandle), 200), safeCut(atHandle(p.Handle), 200))
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(":arrows_counterclockwise: "+line)))
	}
	if !p.DeletedAt.IsZero() {
		reason := p.DeletedReason
		if reason == "" {
			reason = "deleted"
		}
		line := fmt.Sprintf(":wastebasket: Post %s at %s; the evidence is kept (sha256 %s)", safeCut(reason, 200), slackDate(p.DeletedAt), safeCut(a.Evidence.SHA256, 64))
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(line)))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(stateLine(a, mute, now))))
	blocks = append(blocks, slack.NewActionBlock("actions:"+ref, controls(a)...))

	who := p.Handle
	if who == "" {
		who = p.AuthorID
	}
	text := fmt.Sprintf("%s %s alert %s on watch %s: %s: %s", strings.ToUpper(string(a.Severity)), stateWord(a), ref, a.Watch, who, oneLine(p.MatchText()))
	return rendered{blocks: blocks, text: fallback(text)}
}

// renderGroup renders a grouped card: one line per alert, each with its
// own menu, so every alert stays addressable.
func renderGroup(group []*alerts.Alert) rendered {
	first := group[0]
	head := fmt.Sprintf("%s %d new matches for watch %s", severityEmoji(first.Severity), len(group), first.Watch)
	blocks := []slack.Block{slack.NewHeaderBlock(plainText(plain(head, maxHeaderText)))}
	// Room for the header, the footer and a truncation line.
	room := maxBlocks - 3
	for i, a := range group {
		if i == room {
			more := fmt.Sprintf(":heavy_plus_sign: and %d more [truncated]; `/lookout list watch %s` lists them all", len(group)-room, a.Watch)
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(more)))
			break
		}
		who := a.Post.Handle
		if who == "" {
			who = a.Post.AuthorID
		}
		line := fmt.Sprintf("%s *%s* · %s · %s: ", stateEmoji(a), a.Ref(), a.State, safeCut(atHandle(who), 100))
		body, _ := safeBudget(oneLine(a.Post.MatchText()), min(300, maxSectionText-utf8.RuneCountInString(line)))
		var acc *slack.Accessory
		if opts := groupOptions(a); len(opts) > 0 {
			acc = slack.NewAccessory(slack.NewOverflowBlockElement(actionGroup, opts...))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(line+body), nil, acc, slack.SectionBlockOptionBlockID(blockID(a.Ref()))))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("Triage each alert from its menu or with `/lookout ack %s`.", first.Ref()))))
	refs := make([]string, 0, len(group))
	for _, a := range group {
		refs = append(refs, a.Ref())
	}
	text := fmt.Sprintf("%s: %d new matches for watch %s (%s)", strings.ToUpper(string(first.Severity)), len(group), first.Watch, strings.Join(refs, ", "))
	return rendered{blocks: blocks, text: fallback(text)}
}

// groupOptions are the menu entries of one alert on a grouped card.
func groupOptions(a *alerts.Alert) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for _, act := range alerts.Actions(a.State) {
		if len(out) == maxOverflowOption-1 {
			break
		}
		label := fmt.Sprintf("%s %s", actionLabel(act), a.Ref())
		out = append(out, option(string(act)+" "+a.Ref(), label))
	}
	return append(out, option("mute "+a.Ref(), "Mute "+a.Ref()))
}

// controls are the card's buttons and menus for the alert's state.
func controls(a *alerts.Alert) []slack.BlockElement {
	ref := a.Ref()
	var els []slack.BlockElement
	for _, act := range alerts.Actions(a.State) {
		b := slack.NewButtonBlockElement(actionPrefix+string(act), ref, plainText(plain(actionLabel(act), maxButtonText)))
		switch act {
		case alerts.ActionAck:
			b.Style = slack.StylePrimary
		case alerts.ActionEscalate:
			b.Style = slack.StyleDanger
		}
		els = append(els, b)
	}
	mutes := []*slack.OptionBlockObject{
		option(ref+" account 1h", "This account for 1h"),
		option(ref+" account 24h", "This account for 24h"),
		option(ref+" account 7d", "This account for 7d"),
	}
	if len(a.Hits) > 0 && a.Hits[0].Term != "" {
		mutes = append(mutes, option(ref+" keyword 24h", plain("Keyword “"+a.Hits[0].Term+"” for 24h", maxOptionText)))
	}
	mutes = append(mutes, option(ref+" alert", "This alert"))
	els = append(els, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Mute…"), actionMute, mutes...))
	if len(a.Post.Media) > 0 {
		els = append(els, slack.NewButtonBlockElement(actionMedia, ref, plainText(fmt.Sprintf("Show media (%d)", len(a.Post.Media)))))
	}
	return els
}

func actionLabel(a alerts.Action) string {
	switch a {
	case alerts.ActionAck:
		return "Ack"
	case alerts.ActionUnack:
		return "Unack"
	case alerts.ActionEscalate:
		return "Escalate"
	case alerts.ActionResolve:
		return "Resolve"
	case alerts.ActionReopen:
		return "Reopen"
	}
	return string(a)
}

func option(value, label string) *slack.OptionBlockObject {
	if len(value) > maxOptionValue {
		value = value[:maxOptionValue]
	}
	return slack.NewOptionBlockObject(value, plainText(plain(label, maxOptionText)), nil)
}

// postText renders the post with its matched terms in bold, within limit
// runes.
func postText(text string, hits []alerts.Hit, limit int) string {
	if strings.TrimSpace(text) == "" {
		return "_(no text)_"
	}
	var b strings.Builder
	used := 0
	for _, seg := range bot.Segments(text, hits) {
		left := limit - used
		var piece string
		cut := false
		if seg.Matched {
			piece, cut = boldSafe(seg.Text, left)
		} else {
			piece, cut = safeBudget(seg.Text, left)
		}
		b.WriteString(piece)
		used += utf8.RuneCountInString(piece)
		if cut {
			break
		}
	}
	if !visible(b.String()) {
		// Text made only of invisible or control characters renders to
		// nothing, and Slack refuses an empty section: the card would be
		// lost.
		return "_(no text)_"
	}
	return b.String()
}

// boldSafe bolds one matched term. Spaces stay outside the markers, since
// Slack only closes a bold run after a non-space character.
func boldSafe(term string, budget int) (string, bool) {
	core := strings.TrimSpace(term)
	if core == "" {
		return safeBudget(term, budget)
	}
	i := strings.Index(term, core)
	lead, trail := term[:i], term[i+len(core):]
	body := safe(core)
	full := safe(lead) + "*" + body + "*" + safe(trail)
	if utf8.RuneCountInString(full) <= budget {
		return full, false
	}
	// Too long for what is left: cut it without bold, keeping the mark.
	return safeBudget(term, budget)
}

// editedBlocks show the newest version of an edited post below the text
// that alerted, which stays the evidence: a context line saying when, then
// the new text, escaped and cut as the post text is but never bolded,
// since the hits point into the version that alerted.
func editedBlocks(a *alerts.Alert) []slack.Block {
	if a.Latest == nil {
		return nil
	}
	line := ":pencil2: Edited on the platform:"
	if at := bot.EditedAt(a); !at.IsZero() {
		line = fmt.Sprintf(":pencil2: Edited on the platform at %s:", slackDate(at))
	}
	return []slack.Block{
		slack.NewContextBlock("", mrkdwn(line)),
		slack.NewSectionBlock(mrkdwn(postText(a.Latest.MatchText(), nil, maxSectionText)), nil, nil),
	}
}

// authorLine says who posted, where, when and links to the post.
func authorLine(p *alerts.Post) string {
	var parts []string
	who := "*" + safeCut(atHandle(p.Handle), 200) + "*"
	if p.Handle == "" {
		who = "*unknown author*"
	}
	if p.AuthorID != "" && p.AuthorID != p.Handle {
		who += " (" + safeCut(p.AuthorID, 200) + ")"
	}
	parts = append(parts, who, safeCut(p.Platform, 50))
	if !p.CreatedAt.IsZero() {
		parts = append(parts, slackDate(p.CreatedAt))
	}
	if link, ok := linkURL(p.URL); ok {
		parts = append(parts, "<"+link+"|open post>")
	}
	if len(p.Media) > 0 {
		parts = append(parts, fmt.Sprintf(":paperclip: %d attachment(s), hidden", len(p.Media)))
	}
	return strings.Join(parts, " · ")
}

// stateLine is the card's state context: emoji, state and bot.StateLine,
// with Slack actors shown as mentions.
func stateLine(a *alerts.Alert, mute *alerts.Mute, now time.Time) string {
	// Escaping can grow text fivefold (& → &amp;): cut before it, so the
	// context element stays within Slack's 3,000 characters.
	line := bot.Truncate(bot.StateLine(a, mute, now), maxStateRunes, truncMark)
	known := []string{a.LastActor, a.EscalatedTo, a.Assignee}
	if mute != nil {
		known = append(known, mute.CreatedBy)
	}
	return fmt.Sprintf("%s *%s* · %s", stateEmoji(a), stateWord(a), safeWithActors(line, known))
}

// slackIdentity matches the identities Lookout records for Slack users:
// "slack:U123" (actors) and "slack:@U123" (mention targets).
var slackIdentity = regexp.MustCompile(`^slack:@?([UW][A-Z0-9]{1,20})$`)

// safeWithActors renders s with safe, showing each of the known Slack
// identities as a user mention. Only identities Lookout recorded are
// converted, never text a user typed into a reason.
func safeWithActors(s string, known []string) string {
	type hit struct {
		at, end int
		id      string
	}
	var hits []hit
	for _, k := range known {
		m := slackIdentity.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		for off := 0; ; {
			i := strings.Index(s[off:], k)
			if i < 0 {
				break
			}
			hits = append(hits, hit{off + i, off + i + len(k), m[1]})
			off += i + len(k)
		}
	}
	if len(hits) == 0 {
		return safe(s)
	}
	var b strings.Builder
	pos := 0
	for pos < len(s) {
		next := -1
		for j, h := range hits {
			if h.at >= pos && (next < 0 || h.at < hits[next].at) {
				next = j
			}
		}
		if next < 0 {
			break
		}
		h := hits[next]
		b.WriteString(safe(s[pos:h.at]))
		b.WriteString("<@" + h.id + ">")
		pos = h.end
	}
	b.WriteString(safe(s[pos:]))
	return b.String()
}

func stateWord(a *alerts.Alert) string {
	if a.Muted {
		return "Muted"
	}
	switch a.State {
	case alerts.StateOpen:
		return "Open"
	case alerts.StateAcked:
		return "Acknowledged"
	case alerts.StateEscalated:
		return "Escalated"
	case alerts.StateResolved:
		return "Resolved"
	}
	return string(a.State)
}

func stateEmoji(a *alerts.Alert) string {
	if a.Muted {
		return ":mute:"
	}
	switch a.State {
	case alerts.StateOpen:
		return ":red_circle:"
	case alerts.StateAcked:
		return ":eyes:"
	case alerts.StateEscalated:
		return ":rotating_light:"
	case alerts.StateResolved:
		return ":white_check_mark:"
	}
	return ":grey_question:"
}

func severityEmoji(s alerts.Severity) string {
	switch s {
	case alerts.SeverityCritical:
		return "🟥"
	case alerts.SeverityHigh:
		return "🟧"
	case alerts.SeverityMedium:
		return "🟨"
	}
	return "🟦"
}

// slackDate renders t in each reader's time zone, with a UTC fallback.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// linkURL checks an untrusted URL for use inside <url|label>: http or
// https only, and no character that could end the link early.
func linkURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	s := strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "").Replace(u.String())
	s = strings.ReplaceAll(s, "&", "&amp;")
	if len(s) > 2000 {
		return "", false
	}
	return s, true
}

// atHandle shows a handle with one leading @.
func atHandle(h string) string {
	if h == "" || strings.HasPrefix(h, "@") || strings.Contains(h, "://") {
		return h
	}
	return "@" + h
}

// safeCut is safe text cut to at most n runes.
func safeCut(s string, n int) string {
	out, _ := safeBudget(s, n)
	return out
}

// oneLine folds white space, for fallback text and list lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// fallback is the escaped top-level text notifications show.
func fallback(s string) string {
	out, _ := safeBudget(oneLine(s), maxFallbackText)
	return out
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// mrkdwn makes a verbatim mrkdwn object: verbatim stops Slack from
// linkifying URLs and names on its own; only the links Lookout builds
// are links.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

// maxStateRunes bounds a state line before escaping.
const maxStateRunes = 500

// visible reports whether s shows anything: a rune that is neither space,
// a zero-width character nor a control or format character.
func visible(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		default:
			return true
		}
	}
	return false
}
