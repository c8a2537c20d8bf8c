package discord

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// commandName is the application command Lookout registers.
const commandName = "lookout"

// Option types, shortened.
const (
	optSub    = discordgo.ApplicationCommandOptionSubCommand
	optGroup  = discordgo.ApplicationCommandOptionSubCommandGroup
	optString = discordgo.ApplicationCommandOptionString
	optBool   = discordgo.ApplicationCommandOptionBoolean
	optUser   = discordgo.ApplicationCommandOptionUser
	optMent   = discordgo.ApplicationCommandOptionMentionable
)

func alertOpt() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: optString, Name: "alert", Description: "The alert, like A-42", Required: true, Autocomplete: true, MaxLength: 24}
}

func reasonOpt() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: optString, Name: "reason", Description: "Why (kept in the history)", MaxLength: 500}
}

func watchOpt(required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: optString, Name: "watch", Description: "A watch's name", Required: required, Autocomplete: true, MaxLength: 64}
}

func sub(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: optSub, Name: name, Description: desc, Options: opts}
}

func choices(names ...string) []*discordgo.ApplicationCommandOptionChoice {
	out := make([]*discordgo.ApplicationCommandOptionChoice, len(names))
	for i, n := range names {
		out[i] = &discordgo.ApplicationCommandOptionChoice{Name: n, Value: n}
	}
	return out
}

// Command is the /lookout application command: one subcommand per command
// of the bot grammar (bot/usage.go), with typed options.
func Command() *discordgo.ApplicationCommand {
	transition := func(name, desc string) *discordgo.ApplicationCommandOption {
		return sub(name, desc, alertOpt(), reasonOpt())
	}
	return &discordgo.ApplicationCommand{
		Name:        commandName,
		Description: "Triage Lookout alerts",
		Type:        discordgo.ChatApplicationCommand,
		Options: []*discordgo.ApplicationCommandOption{
			transition("ack", "Acknowledge an alert: you are on it"),
			transition("unack", "Return an acknowledged alert to open"),
			transition("resolve", "Close an alert"),
			transition("reopen", "Open a resolved alert again"),
			sub("escalate", "Escalate an alert now", alertOpt(),
				&discordgo.ApplicationCommandOption{Type: optMent, Name: "to", Description: "Also notify this role or member"},
				reasonOpt()),
			sub("assign", "Make someone responsible for an alert", alertOpt(),
				&discordgo.ApplicationCommandOption{Type: optUser, Name: "member", Description: "The member (empty: you)"}),
			sub("note", "Add a note to an alert's history", alertOpt(),
				&discordgo.ApplicationCommandOption{Type: optString, Name: "text", Description: "The note", Required: true, MaxLength: 1000}),
			sub("mute", "Stop alerting on an alert, account, keyword or watch for a while",
				&discordgo.ApplicationCommandOption{Type: optString, Name: "alert", Description: "An alert, like A-42 (with scope: its account or keyword)", Autocomplete: true, MaxLength: 24},
				&discordgo.ApplicationCommandOption{Type: optString, Name: "scope", Description: "With alert: what to mute", Choices: choices("alert", "account", "keyword")},
				&discordgo.ApplicationCommandOption{Type: optString, Name: "account", Description: "An account handle, like @name", MaxLength: 100},
				&discordgo.ApplicationCommandOption{Type: optString, Name: "keyword", Description: "A keyword or phrase", MaxLength: 100},
				watchOpt(false),
				&discordgo.ApplicationCommandOption{Type: optString, Name: "for", Description: "How long, like 90m, 24h, 7d", MaxLength: 16},
				reasonOpt()),
			sub("unmute", "Lift a mute", &discordgo.ApplicationCommandOption{Type: optString, Name: "mute", Description: "The mute, like M-7", Required: true, MaxLength: 24}),
			sub("mutes", "List the mutes in force", &discordgo.ApplicationCommandOption{Type: optBool, Name: "all", Description: "Include ended mutes"}),
			sub("show", "Show an alert", alertOpt()),
			sub("history", "Show everything that happened to an alert", alertOpt()),
			sub("list", "List the newest alerts",
				&discordgo.ApplicationCommandOption{Type: optString, Name: "state", Description: "Which alerts (default: open, acked, escalated)", Choices: choices("open", "acked", "escalated", "resolved", "all")},
				&discordgo.ApplicationCommandOption{Type: optBool, Name: "mine", Description: "Only alerts assigned to you"},
				&discordgo.ApplicationCommandOption{Type: optBool, Name: "muted", Description: "Only muted alerts"},
				watchOpt(false)),
			{Type: optGroup, Name: "watch", Description: "List, add or remove watches", Options: []*discordgo.ApplicationCommandOption{
				sub("list", "List the watches"),
				sub("add", "Add a watch",
					&discordgo.ApplicationCommandOption{Type: optString, Name: "name", Description: "The new watch's name", Required: true, MaxLength: 64},
					&discordgo.ApplicationCommandOption{Type: optString, Name: "source", Description: "Where to watch", Required: true, Choices: choices("feed", "youtube", "x", "mastodon", "bluesky", "reddit", "telegram")},
					&discordgo.ApplicationCommandOption{Type: optString, Name: "accounts", Description: "Accounts or feed URLs, comma-separated", MaxLength: 1000},
					&discordgo.ApplicationCommandOption{Type: optString, Name: "keywords", Description: `Keywords, comma-separated ("two words" as one)`, MaxLength: 1000},
					&discordgo.ApplicationCommandOption{Type: optString, Name: "interval", Description: "How often to poll, like 5m", MaxLength: 16},
					&discordgo.ApplicationCommandOption{Type: optString, Name: "severity", Description: "How urgent its alerts are", Choices: choices("low", "medium", "high", "critical")},
					&discordgo.ApplicationCommandOption{Type: optString, Name: "route", Description: "Where its alerts go", MaxLength: 64},
					&discordgo.ApplicationCommandOption{Type: optBool, Name: "backfill", Description: "Alert on what the source already holds"}),
				sub("remove", "Remove a watch added from chat", &discordgo.ApplicationCommandOption{Type: optString, Name: "name", Description: "The watch", Required: true, Autocomplete: true, MaxLength: 64}),
			}},
			sub("status", "Show watch health, delivery failures and the work queue"),
			sub("help", "Explain the commands",
				&discordgo.ApplicationCommandOption{Type: optString, Name: "command", Description: "One command to explain", Choices: choices(
					"ack", "unack", "resolve", "reopen", "escalate", "assign", "note", "mute", "unmute", "mutes", "show", "history", "list", "status", "watch", "help")}),
		},
	}
}

// options reads a subcommand's options by name, values as text.
type options map[string]*discordgo.ApplicationCommandInteractionDataOption

func (o options) str(name string) string {
	v, ok := o[name]
	if !ok || v.Value == nil {
		return ""
	}
	switch x := v.Value.(type) {
	case string:
		return strings.TrimSpace(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return fmt.Sprint(x)
	}
	return ""
}

func (o options) flag(name string) bool { return o.str(name) == "true" }

// subcommand finds the chosen subcommand (and group) and its options.
func subcommand(d discordgo.ApplicationCommandInteractionData) (path []string, opts options) {
	list := d.Options
	for len(list) == 1 && (list[0].Type == optSub || list[0].Type == optGroup) {
		path = append(path, list[0].Name)
		list = list[0].Options
	}
	opts = make(options, len(list))
	for _, o := range list {
		opts[o.Name] = o
	}
	return path, opts
}

// commandText flattens the chosen subcommand and its options into the
// bot grammar's text: "mute A-42 account for 24h too noisy". Values are
// quoted or cleaned so that they stay one argument each.
func commandText(d discordgo.ApplicationCommandInteractionData) string {
	path, o := subcommand(d)
	if len(path) == 0 {
		return "help"
	}
	words := []string{path[0]}
	add := func(ws ...string) {
		for _, w := range ws {
			if w != "" {
				words = append(words, w)
			}
		}
	}
	switch path[0] {
	case "ack", "unack", "resolve", "reopen":
		add(word(o.str("alert")), free(o.str("reason")))
	case "escalate":
		add(word(o.str("alert")))
		if id := o.str("to"); isSnowflake(id) {
			add("to", mentionOf(d, id))
		}
		add(free(o.str("reason")))
	case "assign":
		add(word(o.str("alert")))
		if id := o.str("member"); isSnowflake(id) {
			add("<@" + id + ">")
		} else {
			add("me")
		}
	case "note":
		add(word(o.str("alert")), free(o.str("text")))
	case "mute":
		switch alert, scope := word(o.str("alert")), o.str("scope"); {
		case alert != "":
			add(alert)
			if scope == "account" || scope == "keyword" {
				add(scope)
			}
		case o.str("watch") != "":
			add("watch", word(o.str("watch")))
		default:
			if acct := word(strings.TrimPrefix(o.str("account"), "@")); acct != "" {
				add("@" + acct)
			}
			add(quoted(o.str("keyword")))
		}
		if f := o.str("for"); f != "" {
			add("for", word(f))
		}
		add(free(o.str("reason")))
	case "unmute":
		add(word(o.str("mute")))
	case "mutes":
		if o.flag("all") {
			add("all")
		}
	case "show", "history":
		add(word(o.str("alert")))
	case "list":
		add(word(o.str("state")))
		if o.flag("mine") {
			add("mine")
		}
		if o.flag("muted") {
			add("muted")
		}
		if w := o.str("watch"); w != "" {
			add("watch", word(w))
		}
	case "watch":
		if len(path) < 2 {
			return "watch"
		}
		add(path[1])
		switch path[1] {
		case "remove":
			add(word(o.str("name")))
		case "add":
			add(word(o.str("name")))
			for _, k := range []string{"source", "interval", "severity", "route"} {
				if v := word(o.str(k)); v != "" {
					add(k + "=" + v)
				}
			}
			for _, k := range []string{"accounts", "keywords"} {
				if v := list(o.str(k)); v != "" {
					add(k + "=" + v)
				}
			}
			if _, ok := o["backfill"]; ok {
				add("backfill=" + o.str("backfill"))
			}
		}
	case "help":
		add(word(o.str("command")))
	}
	return strings.Join(words, " ")
}

// mentionOf writes a mentionable option as the mention the grammar reads:
// a role when the interaction resolved the id as one, else a member.
func mentionOf(d discordgo.ApplicationCommandInteractionData, id string) string {
	if d.Resolved != nil {
		if _, ok := d.Resolved.Roles[id]; ok {
			return "<@&" + id + ">"
		}
	}
	return "<@" + id + ">"
}

// word keeps one argument one token: white space and quotes go.
func word(s string) string {
	return strings.Join(strings.Fields(stripQuotes(s)), "")
}

// quoted makes a phrase one quoted token.
func quoted(s string) string {
	s = strings.TrimSpace(stripQuotes(s))
	if s == "" {
		return ""
	}
	return `"` + s + `"`
}

// free is trailing free text (a reason, a note). The grammar reads it as
// typed, but an unbalanced quote would fail the whole command, so quotes
// then become apostrophes.
func free(s string) string {
	if strings.Count(s, `"`)%2 == 1 || strings.ContainsAny(s, "“”") {
		s = strings.NewReplacer(`"`, "'", "“", "'", "”", "'").Replace(s)
	}
	return s
}

// list writes a comma-separated option as the grammar's list: items with
// spaces quoted, no spaces around commas.
func list(s string) string {
	var items []string
	var b strings.Builder
	inQuote := false
	flush := func() {
		if it := strings.TrimSpace(b.String()); it != "" {
			if strings.ContainsAny(it, " \t") {
				it = `"` + it + `"`
			}
			items = append(items, it)
		}
		b.Reset()
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '“' || r == '”':
			inQuote = !inQuote
		case r == ',' && !inQuote:
			flush()
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return strings.Join(items, ",")
}

func stripQuotes(s string) string {
	return strings.NewReplacer(`"`, "", "“", "", "”", "").Replace(s)
}

// ephemeralCommands answer only the asker even before their answer is
// known (a deferred answer's visibility cannot change later).
var ephemeralCommands = map[string]bool{
	"show": true, "history": true, "list": true, "mutes": true, "status": true, "help": true,
}
