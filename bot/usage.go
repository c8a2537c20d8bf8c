package bot

import (
	"fmt"
	"strings"
)

// UsageError reports text the parser could not read, with the usage of the
// command it was meant for (or the list of commands).
type UsageError struct {
	// Command is the command the text was meant for; empty when it named
	// none.
	Command string
	// Problem says what is wrong, in words for the person who typed it.
	Problem string
	// Usage shows how the command is typed, starting "usage: ", or lists
	// the commands when Command is empty.
	Usage string
}

// Error renders the problem, then the usage on the next line:
//
//	ack: expected an alert id like A-42, got "foo"
//	usage: ack A-42 [reason]
func (e *UsageError) Error() string {
	msg := e.Problem
	if e.Command != "" {
		msg = e.Command + ": " + msg
	}
	if e.Usage != "" {
		msg += "\n" + e.Usage
	}
	return msg
}

// commandSpec documents one command for help and usage errors.
type commandSpec struct {
	name     string
	synopsis []string
	summary  string
}

// commandSpecs lists the commands in the order help shows them.
var commandSpecs = []commandSpec{
	{"ack", []string{"ack A-42 [reason]"}, "Acknowledge an alert: you are on it, and its escalation stops."},
	{"unack", []string{"unack A-42 [reason]"}, "Return an acknowledged alert to open; its escalation starts again."},
	{"resolve", []string{"resolve A-42 [reason]"}, "Close an alert."},
	{"reopen", []string{"reopen A-42 [reason]"}, "Open a resolved alert again."},
	{"escalate", []string{"escalate A-42 [to @lead|to slack:C123|to discord:role:42] [reason]"},
		"Escalate now: notify the next step of the alert's policy and, with to, whoever you name."},
	{"assign", []string{"assign A-42 [to] @who", "assign A-42 me"}, "Make someone responsible for an alert."},
	{"note", []string{"note A-42 text"}, "Add a note to an alert's history."},
	{"mute", []string{
		"mute A-42 [for 24h] [reason]",
		"mute A-42 account|keyword for 24h [reason]",
		"mute @handle for 7d [reason]",
		`mute "keyword" for 7d [reason]`,
		`mute @handle "keyword" for 1d [reason]`,
		"mute watch NAME for 1h [reason]",
	}, "Stop alerting on an alert, an account, a keyword or a watch for a while. " +
		"Durations look like 90m, 24h, 7d, 2w or 1d12h; an alert mute lasts 24h unless you say otherwise."},
	{"unmute", []string{"unmute M-7"}, "Lift a mute before it expires."},
	{"mutes", []string{"mutes [all]"}, "List the mutes in force, or every mute with all."},
	{"show", []string{"show A-42"}, "Show an alert."},
	{"history", []string{"history A-42"}, "Show everything that happened to an alert, and who did it."},
	{"list", []string{"list [open|acked|escalated|resolved|all] [mine] [muted] [watch NAME]"},
		"List the newest alerts; by default the open, acked and escalated ones. mine: assigned to you; muted: suppressed ones."},
	{"status", []string{"status"}, "Show watch health, delivery failures and the work queue."},
	{"watch", []string{
		"watch list",
		`watch add NAME source=SOURCE accounts=URL1,URL2 keywords="two words",word [interval=5m] [severity=high] [route=NAME] [backfill=true]`,
		"watch remove NAME",
	}, "List, add or remove watches. Watches defined in the config file can only be changed there."},
	{"help", []string{"help [command]"}, "Explain the commands, or one of them."},
}

func specOf(name string) (commandSpec, bool) {
	for _, s := range commandSpecs {
		if s.name == name {
			return s, true
		}
	}
	return commandSpec{}, false
}

// Commands returns the names of the commands, in the order help lists them.
func Commands() []string {
	out := make([]string, len(commandSpecs))
	for i, s := range commandSpecs {
		out[i] = s.name
	}
	return out
}

// Usage returns a command's help text: how it is typed and what it does.
// It reports false for a name that is not a command.
func Usage(name string) (string, bool) {
	s, ok := specOf(strings.ToLower(name))
	if !ok {
		return "", false
	}
	return synopsis(s) + "\n" + s.summary, true
}

// synopsis renders a command's forms after "usage: ", one per line.
func synopsis(s commandSpec) string {
	return "usage: " + strings.Join(s.synopsis, "\n       ")
}

// help is the text of "help" without a command.
func help() string {
	var b strings.Builder
	b.WriteString("Lookout commands:")
	for _, s := range commandSpecs {
		for _, line := range s.synopsis {
			b.WriteString("\n  ")
			b.WriteString(line)
		}
	}
	b.WriteString("\nhelp COMMAND explains one.")
	return b.String()
}

// commandList is the usage shown when the text names no known command.
func commandList() string {
	return "commands: " + strings.Join(Commands(), ", ") + " (help COMMAND explains one)"
}

// usageError builds the error for a problem with a known command.
func usageError(name, format string, args ...any) *UsageError {
	e := &UsageError{Command: name, Problem: fmt.Sprintf(format, args...)}
	if s, ok := specOf(name); ok {
		e.Usage = synopsis(s)
	} else {
		e.Usage = commandList()
	}
	return e
}

// unknownCommand builds the error for a word that is not a command,
// suggesting the closest one when it is a likely typo.
func unknownCommand(word string) *UsageError {
	problem := fmt.Sprintf("unknown command %s", quoteArg(word))
	if s := suggest(strings.ToLower(word)); s != "" {
		problem += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return &UsageError{Problem: problem, Usage: commandList()}
}

// suggest returns the command closest to word, if it is close enough to be
// a typo: at most two edits, and fewer edits than the word has letters.
func suggest(word string) string {
	best, bestDist := "", 3
	for _, s := range commandSpecs {
		d := editDistance(word, s.name)
		if d < bestDist && d < len([]rune(word)) {
			best, bestDist = s.name, d
		}
	}
	return best
}

// editDistance counts the insertions, deletions, substitutions and swaps
// of adjacent letters that turn a into b (optimal string alignment), so
// the common "akc" for "ack" is one edit away.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Words longer than any command cannot be typos of one; bound the work.
	if len(ra) > 32 {
		return len(ra)
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// quoteArg quotes user text for an error message, shortened so a pasted
// paragraph does not become a paragraph of error.
func quoteArg(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
