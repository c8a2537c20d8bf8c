package bot

import (
	"strconv"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
)

func parseMute(p *parser) error {
	c := p.cmd
	t, ok := p.next()
	plain := ok && !t.quoted && !t.mention
	switch {
	case !ok || isWord(t, "for"):
		return p.fail(`expected what to mute: A-42, @handle, "keyword" or watch NAME`)
	case plain && looksLikeRef(t.text):
		id, err := alerts.ParseRef(t.text)
		if err != nil {
			return p.fail("expected an alert id like A-42, got %s", quoteArg(t.text))
		}
		c.Alert, c.Scope = id, alerts.ScopeAlert
		if n, ok := p.peek(); ok && isWord(n, "account") {
			c.Scope = alerts.ScopeAccount
			p.pos++
		} else if ok && isWord(n, "keyword") {
			c.Scope = alerts.ScopeKeyword
			p.pos++
		}
	case isWord(t, "watch"):
		n, ok := p.next()
		if !ok || isWord(n, "for") || n.mention {
			return p.fail("expected a watch name after watch")
		}
		c.Scope, c.Watch = alerts.ScopeWatch, n.text
	case t.mention:
		// Slack links a typed @name to a workspace member when one has that
		// name; the name is still the handle the user meant.
		if t.name == "" {
			return p.fail("%s is a chat member, not a watched account; write the account as @handle", t.text)
		}
		c.Scope, c.Account = alerts.ScopeAccount, strings.TrimPrefix(t.name, "@")
	case plain && strings.HasPrefix(t.text, "@"):
		if c.Account = strings.TrimPrefix(t.text, "@"); c.Account == "" {
			return p.fail("expected an account name after @")
		}
		c.Scope = alerts.ScopeAccount
	default:
		if strings.TrimSpace(t.text) == "" {
			return p.fail("the keyword is empty")
		}
		c.Scope, c.Keyword = alerts.ScopeKeyword, t.text
	}
	if c.Scope == alerts.ScopeAccount && c.Alert == 0 {
		if n, ok := p.peek(); ok && !isWord(n, "for") && !looksLikeDuration(n) && !n.mention {
			if strings.TrimSpace(n.text) == "" {
				return p.fail("the keyword is empty")
			}
			c.Scope, c.Keyword = alerts.ScopeAccountKeyword, n.text
			p.pos++
		}
	}
	n, ok := p.peek()
	switch {
	case ok && isWord(n, "for"):
		p.pos++
		d, ok := p.next()
		if !ok {
			return p.fail("expected a duration after for, like 24h or 7d")
		}
		dur, err := ParseDuration(d.text)
		if err != nil {
			return p.fail("%v", err)
		}
		c.For = dur
	case ok && looksLikeDuration(n):
		return p.fail("write for before the duration: for %s", n.text)
	case c.Scope == alerts.ScopeAlert:
		// An alert mute has a default duration; what follows is the reason.
	case ok:
		return p.fail("expected for DURATION, got %s (quote keywords with spaces, like \"gente nueva\")", quoteArg(n.text))
	default:
		return p.fail("this mute needs a duration, like for 24h; only an alert mute has a default")
	}
	c.Reason = p.rest()
	return nil
}

func parseUnmute(p *parser) error {
	t, ok := p.next()
	if !ok {
		return p.fail("expected a mute id like M-7")
	}
	s := t.text
	if len(s) > 2 && (s[0] == 'M' || s[0] == 'm') && s[1] == '-' {
		s = s[2:]
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || t.mention {
		return p.fail("expected a mute id like M-7, got %s", quoteArg(t.text))
	}
	p.cmd.Mute = id
	return p.done()
}
