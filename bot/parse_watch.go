package bot

import (
	"strconv"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
)

func parseWatch(p *parser) error {
	t, ok := p.next()
	if !ok {
		return p.fail("expected list, add or remove")
	}
	p.cmd.Sub = strings.ToLower(t.text)
	switch {
	case isWord(t, "list"):
		return p.done()
	case isWord(t, "remove"):
		n, ok := p.next()
		if !ok {
			return p.fail("expected the name of the watch to remove")
		}
		p.cmd.Watch = n.text
		return p.done()
	case isWord(t, "add"):
		return parseWatchAdd(p)
	}
	return p.fail("expected list, add or remove, got %s", quoteArg(t.text))
}

// watchSettings are the keys watch add accepts.
const watchSettings = "source, accounts, keywords, interval, severity, route, backfill"

func parseWatchAdd(p *parser) error {
	n, ok := p.next()
	if !ok || strings.Contains(n.text, "=") {
		return p.fail("expected the new watch's name before its settings")
	}
	w := &alerts.Watch{Name: n.text}
	args := make(map[string]string)
	for {
		t, ok := p.next()
		if !ok {
			break
		}
		raw := p.input[t.start:t.end]
		eq := strings.IndexByte(raw, '=')
		if t.mention || eq <= 0 || strings.IndexFunc(raw[:eq], isQuote) >= 0 {
			return p.fail("expected key=value, got %s (quote values with spaces, like keywords=\"gente nueva\")", quoteArg(t.text))
		}
		// The key holds no quote, so the token's text lines up with raw
		// up to and including the "=".
		key, val, rawVal := strings.ToLower(raw[:eq]), t.text[eq+1:], raw[eq+1:]
		if _, dup := args[key]; dup {
			return p.fail("%s is given twice", key)
		}
		switch key {
		case "source":
			w.Source = val
		case "accounts":
			w.Accounts = splitList(rawVal)
		case "keywords":
			w.Keywords = splitList(rawVal)
		case "interval":
			d, err := ParseDuration(val)
			if err != nil {
				return p.fail("interval: %v", err)
			}
			w.Interval = d
		case "severity":
			w.Severity = alerts.Severity(strings.ToLower(val))
			if !w.Severity.Valid() {
				return p.fail("severity %s is not one of low, medium, high, critical", quoteArg(val))
			}
		case "route":
			w.Route = val
		case "backfill":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return p.fail("backfill %s is not true or false", quoteArg(val))
			}
			w.Backfill = b
		default:
			return p.fail("unknown setting %s (settings: %s)", quoteArg(key), watchSettings)
		}
		args[key] = val
	}
	switch {
	case w.Source == "":
		return p.fail("a watch needs a source, like source=feed")
	case len(w.Accounts) == 0 && len(w.Keywords) == 0:
		return p.fail("a watch needs accounts= or keywords=")
	}
	p.cmd.Watch, p.cmd.Args, p.cmd.NewWatch = w.Name, args, w
	return nil
}

// splitList splits a comma-separated value, keeping commas inside quotes
// and removing the quotes: `"gente nueva",plaza` is two items.
func splitList(raw string) []string {
	var out []string
	var b strings.Builder
	inQuote := false
	flush := func() {
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, s)
		}
		b.Reset()
	}
	for _, r := range raw {
		switch {
		case isQuote(r):
			inQuote = !inQuote
		case r == ',' && !inQuote:
			flush()
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return out
}
