package bot

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file splits command text into tokens: words, "quoted" phrases and
// chat mentions in their escaped wire forms.

// token is one word of a command, or one quoted phrase.
type token struct {
	// text is the token with its quotes removed; for a mention, the
	// identity it names ("slack:@U123").
	text string
	// quoted is set when any part of the token was quoted: a quoted word
	// is never a keyword of the grammar.
	quoted bool
	// mention is set for a chat mention; name is its display name, if the
	// platform sent one.
	mention bool
	name    string
	// start and end are the token's byte offsets in the input.
	start, end int
}

// isQuote reports whether r opens or closes a quoted phrase. Phones turn
// straight quotes into curly ones, so all three count, and any closes.
func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' }

// tokenize splits text at white space, keeping quoted phrases and chat
// mentions (which may hold spaces: <@U123|maria jose>) in one token.
func tokenize(s string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		if i >= len(s) {
			return toks, nil
		}
		t := token{start: i}
		var b strings.Builder
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				break
			}
			if isQuote(r) {
				j := strings.IndexFunc(s[i+n:], isQuote)
				if j < 0 {
					return nil, fmt.Errorf("a quote is not closed")
				}
				b.WriteString(s[i+n : i+n+j])
				_, closing := utf8.DecodeRuneInString(s[i+n+j:])
				i += n + j + closing
				t.quoted = true
				continue
			}
			if m := mentionLen(s[i:]); m > 0 {
				b.WriteString(s[i : i+m])
				i += m
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
		}
		t.end, t.text = i, b.String()
		if !t.quoted {
			if id, name, ok := parseMention(t.text); ok {
				t.text, t.name, t.mention = id, name, true
			}
		}
		toks = append(toks, t)
	}
}

// mentionLen returns the length of the escaped mention s starts with
// ("<@U123|maria jose>"), or 0.
func mentionLen(s string) int {
	if len(s) < 3 || s[0] != '<' || !strings.ContainsRune("@#!", rune(s[1])) {
		return 0
	}
	end := strings.IndexAny(s[1:], "<>\n")
	if end < 0 || s[1+end] != '>' {
		return 0
	}
	return end + 2
}

// parseMention reads a Slack or Discord mention into the identity it
// names. Slack ids are upper-case letters and digits ("U123"); Discord
// ids are all digits.
//
//	<@U123|maria> <@U123>  → slack:@U123      <#C123|ops>    → slack:C123
//	<@789> <@!789>         → discord:user:789 <@&456>        → discord:role:456
//	<#123>                 → discord:123
func parseMention(s string) (id, name string, ok bool) {
	if len(s) < 4 || s[0] != '<' || s[len(s)-1] != '>' {
		return "", "", false
	}
	body, name, _ := strings.Cut(s[1:len(s)-1], "|")
	name = strings.TrimSpace(name)
	switch {
	case strings.HasPrefix(body, "@&") && isDigits(body[2:]):
		return "discord:role:" + body[2:], name, true
	case strings.HasPrefix(body, "@!") && isDigits(body[2:]):
		return "discord:user:" + body[2:], name, true
	case strings.HasPrefix(body, "@") && isDigits(body[1:]):
		return "discord:user:" + body[1:], name, true
	case strings.HasPrefix(body, "@") && isSlackID(body[1:]):
		return "slack:@" + body[1:], name, true
	case strings.HasPrefix(body, "#") && isDigits(body[1:]):
		return "discord:" + body[1:], name, true
	case strings.HasPrefix(body, "#") && isSlackID(body[1:]):
		return "slack:" + body[1:], name, true
	}
	return "", "", false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isSlackID(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

var mentionPattern = regexp.MustCompile(`<[@#][^<>\n]*>`)

// displayMentions shows the mentions in free text as people read them:
// "@maria", "#ops", or the identity when the platform sent no name.
func displayMentions(s string) string {
	return mentionPattern.ReplaceAllStringFunc(s, func(m string) string {
		id, name, ok := parseMention(m)
		switch {
		case !ok:
			return m
		case name == "":
			return id
		case m[1] == '#':
			return "#" + strings.TrimPrefix(name, "#")
		}
		return "@" + strings.TrimPrefix(name, "@")
	})
}
