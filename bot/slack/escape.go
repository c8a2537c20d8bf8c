package slack

import (
	"strings"
	"unicode/utf8"
)

// zwsp is the zero-width space put around mrkdwn formatting characters of
// untrusted text.
const zwsp = "\u200b"

// Untrusted text (post text, handles, keywords, notice text) goes into
// mrkdwn only through safe. It does two things:
//
//  1. Escapes Slack's control characters & < > as &amp; &lt; &gt;. With
//     < and > escaped, <!channel>, <!here>, <!everyone>, <@U…>,
//     <!subteam^…> and <https://evil|click> can no longer form a mention
//     or a link: they render as the literal text.
//  2. Neutralises the formatting characters * _ ~ ` which mrkdwn cannot
//     escape. Each gets a zero-width space on both sides. Slack opens a
//     style only when the marker follows a boundary and precedes a
//     non-space, and closes it only when the marker follows a non-space
//     and precedes a boundary. Whether Slack treats U+200B as a space or
//     as a word character, one of the two conditions fails on each side,
//     so *bold* and ~strike~ stay literal. The character is invisible and
//     survives copying; inbound command text strips it again.
//
// A bare @channel, @here or @everyone is inert because Lookout never sets
// link_names or parse=full; a zero-width space after the @ keeps it inert
// even if a client chose to linkify it.
func safe(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		writeSafe(&b, r)
	}
	return b.String()
}

func writeSafe(b *strings.Builder, r rune) {
	switch r {
	case '&':
		b.WriteString("&amp;")
	case '<':
		b.WriteString("&lt;")
	case '>':
		b.WriteString("&gt;")
	case '*', '_', '~', '`':
		b.WriteString(zwsp)
		b.WriteRune(r)
		b.WriteString(zwsp)
	case '@':
		b.WriteString("@" + zwsp)
	default:
		if isInvisibleControl(r) {
			return
		}
		b.WriteRune(r)
	}
}

// isInvisibleControl reports control characters and bidirectional
// overrides, which could hide or reorder text on a card.
func isInvisibleControl(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// escape replaces only & < >: for trusted text that may use mrkdwn.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// safeBudget renders untrusted text with safe in at most budget runes,
// cutting it with the truncation mark when it does not fit. Cutting
// happens between rendered characters, so an entity or a neutralised
// marker is never split. It reports whether it cut.
func safeBudget(s string, budget int) (string, bool) {
	full := safe(s)
	if utf8.RuneCountInString(full) <= budget {
		return full, false
	}
	limit := budget - utf8.RuneCountInString(truncMark)
	var b, one strings.Builder
	used := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		one.Reset()
		writeSafe(&one, r)
		n := utf8.RuneCountInString(one.String())
		if used+n > limit {
			break
		}
		b.WriteString(one.String())
		used += n
	}
	return strings.TrimRight(b.String(), " \n") + truncMark, true
}

// plain cuts text for a plain_text object (headers, buttons, options),
// where Slack shows characters literally.
func plain(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if isInvisibleControl(r) || r == '\n' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return string(r[:limit-1]) + "…"
}

// stripInvisible removes the zero-width characters cards insert, so a
// handle copied from a card and pasted into a command reads as typed.
func stripInvisible(s string) string {
	return strings.NewReplacer(zwsp, "", "\u2060", "", "\ufeff", "").Replace(s)
}
