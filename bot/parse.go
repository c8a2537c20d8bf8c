package bot

import (
	"fmt"
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
