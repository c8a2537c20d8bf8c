package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// MaxInput is the longest command text Parse reads, in bytes. Slack sends
// slash-command text well under it; anything longer is a paste, not a
// command.
const MaxInput = 4000

// ListLimit is how many alerts list shows, newest first.
const ListLimit = 20

// invocation is the slash command the chat front ends register; the text
// may start with it when a user pastes a whole command.
const invocation = "/lookout"

// Command is a parsed command. Which fields are set depends on Name.
type Command struct {
	// Name is the command, lower case: "ack", "mute", "watch", …
	Name string
	// Sub is the watch subcommand: "list", "add" or "remove".
	Sub string
	// Alert is the alert the command is about, or the alert a mute was
	// asked from.
	Alert int64
	// Mute is the mute unmute lifts.
	Mute int64
	// Scope is what mute suppresses. An account or keyword scope with
	// Alert set and Account or Keyword empty ("mute A-42 account for 24h")
	// takes the alert's author or first matched term.
	Scope   alerts.MuteScope
	Account string
	Keyword string
	// Watch is the watch a mute, a listing or a watch subcommand names.
	Watch string
	// For is how long a mute lasts. Zero, allowed only for an alert mute,
	// means the default.
	For time.Duration
	// Target is whom escalate notifies or assign names: "@lead",
	// "slack:@U123", "discord:role:42", "slack:C123", or "me" for the
	// actor.
	Target string
	// Reason is the free text after the arguments; for note, the note.
	Reason string
	// States are the states list shows; empty with All set means every
	// state.
	States []alerts.State
	// All is set by "mutes all" and "list all".
	All bool
	// Mine and Muted narrow list to the asker's assigned alerts and to
	// muted alerts.
	Mine, Muted bool
	// Topic is the command help explains; empty for the overview.
	Topic string
	// Args are watch add's key=value settings, quotes removed.
	Args map[string]string
	// NewWatch is the watch watch add describes, before the handler fills
	// in defaults and ownership.
	NewWatch *alerts.Watch
}

// grammar maps each command to its parser. Every command in commandSpecs
// has one.
var grammar = map[string]func(*parser) error{
	"ack":      parseTransition,
	"unack":    parseTransition,
	"resolve":  parseTransition,
	"reopen":   parseTransition,
	"escalate": parseEscalate,
	"assign":   parseAssign,
	"note":     parseNote,
	"mute":     parseMute,
	"unmute":   parseUnmute,
	"mutes":    parseMutes,
	"show":     parseShow,
	"history":  parseShow,
	"list":     parseList,
	"watch":    parseWatch,
	"help":     parseHelp,
	"status":   parseNoArgs,
}

// Parse reads one command. Text is what the user typed after the slash
// command (a leading "/lookout" is ignored), with chat mentions in their
// escaped wire forms; decoding HTML entities is the front end's job. Empty
// text asks for help. Any problem is reported as a *UsageError that
// carries the command's usage.
func Parse(text string) (*Command, error) {
	if len(text) > MaxInput {
		return nil, &UsageError{
			Problem: fmt.Sprintf("the command is %d bytes long; the limit is %d", len(text), MaxInput),
			Usage:   commandList(),
		}
	}
	text = trimInvocation(strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD")))
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return &Command{Name: "help"}, nil
	}
	name := strings.ToLower(fields[0])
	parse, ok := grammar[name]
	if !ok {
		return nil, unknownCommand(fields[0])
	}
	toks, err := tokenize(text)
	if err != nil {
		return nil, usageError(name, "%v", err)
	}
	p := &parser{input: text, toks: toks[1:], cmd: &Command{Name: name}}
	if err := parse(p); err != nil {
		return nil, err
	}
	return p.cmd, nil
}

func trimInvocation(s string) string {
	if len(s) >= len(invocation) && strings.EqualFold(s[:len(invocation)], invocation) {
		rest := s[len(invocation):]
		if r, _ := utf8.DecodeRuneInString(rest); rest == "" || unicode.IsSpace(r) {
			return strings.TrimSpace(rest)
		}
	}
	return s
}

// parser walks the tokens after the command name.
type parser struct {
	input string
	toks  []token
	pos   int
	cmd   *Command
}

func (p *parser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

func (p *parser) next() (token, bool) {
	t, ok := p.peek()
	if ok {
		p.pos++
	}
	return t, ok
}

func (p *parser) fail(format string, args ...any) error {
	return usageError(p.cmd.Name, format, args...)
}

// done fails if any token is left.
func (p *parser) done() error {
	if t, ok := p.peek(); ok {
		return p.fail("unexpected %s", quoteArg(t.text))
	}
	return nil
}

// rest consumes the remaining tokens as free text. It keeps the text as
// typed (spacing, line breaks, inner quotes) so notes read as written,
// strips the quotes around a reason given as one quoted string, and shows
// chat mentions by name.
func (p *parser) rest() string {
	if p.pos >= len(p.toks) {
		return ""
	}
	first := p.toks[p.pos]
	single := p.pos == len(p.toks)-1
	p.pos = len(p.toks)
	if single && first.quoted && !first.mention {
		raw := p.input[first.start:first.end]
		r0, _ := utf8.DecodeRuneInString(raw)
		r1, _ := utf8.DecodeLastRuneInString(raw)
		if isQuote(r0) && isQuote(r1) {
			return strings.TrimSpace(first.text)
		}
	}
	return displayMentions(strings.TrimSpace(p.input[first.start:]))
}

// alert reads an alert id.
func (p *parser) alert() error {
	t, ok := p.next()
	if !ok {
		return p.fail("expected an alert id like A-42")
	}
	id, err := alerts.ParseRef(t.text)
	if err != nil || t.mention {
		return p.fail("expected an alert id like A-42, got %s", quoteArg(t.text))
	}
	p.cmd.Alert = id
	return nil
}

func parseTransition(p *parser) error {
	if err := p.alert(); err != nil {
		return err
	}
	p.cmd.Reason = p.rest()
	return nil
}

func parseNote(p *parser) error {
	if err := p.alert(); err != nil {
		return err
	}
	if p.cmd.Reason = p.rest(); p.cmd.Reason == "" {
		return p.fail("the note needs text, as in: note A-42 called the reporter")
	}
	return nil
}

func parseEscalate(p *parser) error {
	if err := p.alert(); err != nil {
		return err
	}
	// "to" starts a target only when a target follows: "escalate A-42 to
	// be safe" is a reason.
	if t, ok := p.peek(); ok && isWord(t, "to") {
		if p.pos+1 >= len(p.toks) {
			return p.fail("expected whom to escalate to after to, like @lead or slack:C123")
		}
		if n := p.toks[p.pos+1]; isTarget(n, false) {
			p.cmd.Target = n.text
			p.pos += 2
		}
	}
	p.cmd.Reason = p.rest()
	return nil
}

func parseAssign(p *parser) error {
	if err := p.alert(); err != nil {
		return err
	}
	t, ok := p.next()
	if ok && isWord(t, "to") {
		t, ok = p.next()
	}
	switch {
	case !ok:
		return p.fail("expected whom to assign, like @maria or me")
	case isWord(t, "me"):
		p.cmd.Target = "me"
	case isTarget(t, true):
		p.cmd.Target = t.text
	default:
		return p.fail("expected @name, me or a mention, got %s", quoteArg(t.text))
	}
	return p.done()
}

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

func parseMutes(p *parser) error {
	if t, ok := p.peek(); ok && isWord(t, "all") {
		p.cmd.All = true
		p.pos++
	}
	return p.done()
}

func parseShow(p *parser) error {
	if err := p.alert(); err != nil {
		return err
	}
	return p.done()
}

// defaultStates are what list shows unless told otherwise: everything
// still needing attention.
var defaultStates = []alerts.State{alerts.StateOpen, alerts.StateAcked, alerts.StateEscalated}

func parseList(p *parser) error {
	c := p.cmd
	for {
		t, ok := p.next()
		if !ok {
			break
		}
		word := strings.ToLower(t.text)
		switch {
		case t.quoted || t.mention:
			return p.fail("unexpected %s", quoteArg(t.text))
		case alerts.State(word).Valid():
			if !containsState(c.States, alerts.State(word)) {
				c.States = append(c.States, alerts.State(word))
			}
		case word == "all":
			c.All = true
		case word == "mine":
			c.Mine = true
		case word == "muted":
			c.Muted = true
		case word == "watch":
			n, ok := p.next()
			if !ok {
				return p.fail("expected a watch name after watch")
			}
			c.Watch = n.text
		default:
			return p.fail("unexpected %s; expected open, acked, escalated, resolved, all, mine, muted or watch NAME", quoteArg(t.text))
		}
	}
	if c.All && len(c.States) > 0 {
		return p.fail("all already includes every state")
	}
	if !c.All && len(c.States) == 0 {
		c.States = append([]alerts.State(nil), defaultStates...)
	}
	return nil
}

// parseNoArgs reads a command that takes no arguments.
func parseNoArgs(p *parser) error { return p.done() }

func containsState(ss []alerts.State, s alerts.State) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

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

func parseHelp(p *parser) error {
	t, ok := p.next()
	if !ok {
		return nil
	}
	if _, known := specOf(strings.ToLower(t.text)); !known {
		e := unknownCommand(t.text)
		e.Command = "help"
		return e
	}
	// "help watch add" explains watch; the rest is ignored.
	p.cmd.Topic = strings.ToLower(t.text)
	p.pos = len(p.toks)
	return nil
}

// isWord reports whether t is the keyword w, typed bare in any case.
func isWord(t token, w string) bool {
	return !t.quoted && !t.mention && strings.EqualFold(t.text, w)
}

// isTarget reports whether t names someone to notify or assign: a chat
// mention, an @name or a platform identity. CLI identities name people,
// so only assign accepts them.
func isTarget(t token, cli bool) bool {
	if t.mention {
		return true
	}
	if t.quoted {
		return false
	}
	if len(t.text) > 1 && t.text[0] == '@' {
		return true
	}
	platform, rest, ok := strings.Cut(t.text, ":")
	if !ok || rest == "" {
		return false
	}
	switch strings.ToLower(platform) {
	case "slack", "discord":
		return true
	case "cli":
		return cli
	}
	return false
}

// looksLikeRef reports whether s is written as an alert id ("A-42"),
// valid or not. A bare number is a keyword to mute, not an alert.
func looksLikeRef(s string) bool {
	return len(s) > 2 && (s[0] == 'A' || s[0] == 'a') && s[1] == '-'
}

func looksLikeDuration(t token) bool {
	if t.quoted || t.mention {
		return false
	}
	_, err := ParseDuration(t.text)
	return err == nil
}

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
