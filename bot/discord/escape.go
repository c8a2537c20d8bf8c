package discord

import (
	"strings"
	"unicode"
)

// markdownChars are the characters Discord's markdown gives a meaning
// anywhere in a line: emphasis, code, spoilers (||), masked links
// ([text](url)), mentions, custom emoji and timestamps (<@id>, <@&role>,
// <:e:id>, <t:1>) and autolinks (https://). lineStartChars matter only
// first on a line: headings, quotes, lists. A backslash before any of
// them shows it literally. See
// https://support.discord.com/hc/en-us/articles/210298617.
const (
	markdownChars  = "\\*_~`|<>[]():"
	lineStartChars = "#>-+"
)

// escaper escapes untrusted text one rune at a time, knowing whether it is
// at the start of a line.
type escaper struct{ midLine bool }

// unit returns the escaped form of r: nothing in untrusted text can bold,
// hide (spoilers), quote, fake a link or form a mention. "@" is followed
// by a zero-width space so that @everyone and @here stay words even where
// a client renders raw text. Control and bidirectional-override
// characters, which can disguise text, are dropped.
func (e *escaper) unit(r rune) string {
	start := !e.midLine
	switch {
	case r == '\n':
		e.midLine = false
		return "\n"
	case r == ' ' || r == '\t':
		return string(r)
	case hidden(r):
		return ""
	}
	e.midLine = true
	switch {
	case r == '@':
		return "@\u200b"
	case strings.ContainsRune(markdownChars, r), start && strings.ContainsRune(lineStartChars, r):
		return "\\" + string(r)
	}
	return string(r)
}

// escape makes untrusted text literal in Discord markdown (see unit).
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	var e escaper
	for _, r := range s {
		b.WriteString(e.unit(r))
	}
	return b.String()
}

// plain cleans untrusted text for places Discord shows without markdown
// (author names, footers, option labels): hidden characters go, and "@"
// is followed by a zero-width space as in escape.
func plain(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if hidden(r) {
			return -1
		}
		return r
	}, s)
	return strings.ReplaceAll(s, "@", "@\u200b")
}

// hidden reports control characters and the bidirectional overrides and
// isolates that can make text read differently from what it is.
func hidden(r rune) bool {
	switch {
	case r == '\n', r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069', r == '\u200E', r == '\u200F', r == '\u061C':
		return true
	}
	return false
}
