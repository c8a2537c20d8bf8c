package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestParse(t *testing.T) {
	open := []alerts.State{alerts.StateOpen, alerts.StateAcked, alerts.StateEscalated}
	tests := []struct {
		name string
		in   string
		want Command
	}{
		{"ack", "ack A-42", Command{Name: "ack", Alert: 42}},
		{"ack with reason", "ack A-42 looking into it", Command{Name: "ack", Alert: 42, Reason: "looking into it"}},
		{"ack lower-case id", "ack a-42", Command{Name: "ack", Alert: 42}},
		{"ack bare number", "ack 42", Command{Name: "ack", Alert: 42}},
		{"command in capitals", "ACK A-42", Command{Name: "ack", Alert: 42}},
		{"leading slash command", "/lookout ack A-42", Command{Name: "ack", Alert: 42}},
		{"slash command only", "/lookout", Command{Name: "help"}},
		{"empty", "   ", Command{Name: "help"}},
		{"reason keeps spacing and lines", "resolve A-1 false alarm:\n  the account is parody",
			Command{Name: "resolve", Alert: 1, Reason: "false alarm:\n  the account is parody"}},
		{"quoted reason loses its quotes", `resolve A-1 "false alarm"`, Command{Name: "resolve", Alert: 1, Reason: "false alarm"}},
		{"curly quoted reason", "resolve A-1 “false alarm”", Command{Name: "resolve", Alert: 1, Reason: "false alarm"}},
		{"reason with inner quotes kept", `resolve A-1 he said "hi" twice`, Command{Name: "resolve", Alert: 1, Reason: `he said "hi" twice`}},
		{"mention in reason shown by name", "ack A-1 with <@U123|bob>", Command{Name: "ack", Alert: 1, Reason: "with @bob"}},
		{"unack", "unack A-42", Command{Name: "unack", Alert: 42}},
		{"reopen", "reopen A-42 it is back", Command{Name: "reopen", Alert: 42, Reason: "it is back"}},
		{"escalate", "escalate A-42", Command{Name: "escalate", Alert: 42}},
		{"escalate to handle", "escalate A-42 to @lead threats of violence",
			Command{Name: "escalate", Alert: 42, Target: "@lead", Reason: "threats of violence"}},
		{"escalate to slack channel", "escalate A-42 to slack:#C1", Command{Name: "escalate", Alert: 42, Target: "slack:#C1"}},
		{"escalate to discord role", "escalate A-42 to discord:role:1 now", Command{Name: "escalate", Alert: 42, Target: "discord:role:1", Reason: "now"}},
		{"escalate to slack mention", "escalate A-42 to <@U123|lead>", Command{Name: "escalate", Alert: 42, Target: "slack:@U123"}},
		{"escalate to slack channel mention", "escalate A-42 to <#C99|ops>", Command{Name: "escalate", Alert: 42, Target: "slack:C99"}},
		{"escalate to discord role mention", "escalate A-42 to <@&456>", Command{Name: "escalate", Alert: 42, Target: "discord:role:456"}},
		{"escalate reason starting with to", "escalate A-42 to be safe", Command{Name: "escalate", Alert: 42, Reason: "to be safe"}},
		{"assign", "assign A-42 @maria", Command{Name: "assign", Alert: 42, Target: "@maria"}},
		{"assign to", "assign A-42 to @maria", Command{Name: "assign", Alert: 42, Target: "@maria"}},
		{"assign me", "assign A-42 me", Command{Name: "assign", Alert: 42, Target: "me"}},
		{"assign slack mention", "assign A-42 <@U123>", Command{Name: "assign", Alert: 42, Target: "slack:@U123"}},
		{"assign slack mention with spaced name", "assign A-42 <@U123|maria jose>", Command{Name: "assign", Alert: 42, Target: "slack:@U123"}},
		{"assign discord mention", "assign A-42 <@!789>", Command{Name: "assign", Alert: 42, Target: "discord:user:789"}},
		{"assign cli identity", "assign A-42 cli:joe", Command{Name: "assign", Alert: 42, Target: "cli:joe"}},
		{"note", "note A-42 called the reporter", Command{Name: "note", Alert: 42, Reason: "called the reporter"}},
		{"mute alert", "mute A-42", Command{Name: "mute", Alert: 42, Scope: alerts.ScopeAlert}},
		{"mute alert with reason", "mute A-42 known parody", Command{Name: "mute", Alert: 42, Scope: alerts.ScopeAlert, Reason: "known parody"}},
		{"mute alert for", "mute A-42 for 2h noisy", Command{Name: "mute", Alert: 42, Scope: alerts.ScopeAlert, For: 2 * time.Hour, Reason: "noisy"}},
		{"mute account", "mute @cartel_news for 24h spam", Command{Name: "mute", Scope: alerts.ScopeAccount, Account: "cartel_news", For: 24 * time.Hour, Reason: "spam"}},
		{"mute fediverse account", "mute @bot@example.social for 1d", Command{Name: "mute", Scope: alerts.ScopeAccount, Account: "bot@example.social", For: 24 * time.Hour}},
		{"mute account linked by slack", "mute <@U123|cartel_news> for 1d", Command{Name: "mute", Scope: alerts.ScopeAccount, Account: "cartel_news", For: 24 * time.Hour}},
		{"mute quoted keyword", `mute "gente nueva" for 7d recruiting ads`,
			Command{Name: "mute", Scope: alerts.ScopeKeyword, Keyword: "gente nueva", For: 7 * day, Reason: "recruiting ads"}},
		{"mute curly quoted keyword", "mute “gente nueva” for 7d", Command{Name: "mute", Scope: alerts.ScopeKeyword, Keyword: "gente nueva", For: 7 * day}},
		{"mute plain keyword", "mute plaza for 90m", Command{Name: "mute", Scope: alerts.ScopeKeyword, Keyword: "plaza", For: 90 * time.Minute}},
		{"mute bare number is a keyword", "mute 42 for 1h", Command{Name: "mute", Scope: alerts.ScopeKeyword, Keyword: "42", For: time.Hour}},
		{"mute quoted alert id is a keyword", `mute "A-42" for 1h`, Command{Name: "mute", Scope: alerts.ScopeKeyword, Keyword: "A-42", For: time.Hour}},
		{"mute quoted watch is a keyword", `mute "watch" for 1h`, Command{Name: "mute", Scope: alerts.ScopeKeyword, Keyword: "watch", For: time.Hour}},
		{"mute watch", "mute watch cartels for 1h maintenance", Command{Name: "mute", Scope: alerts.ScopeWatch, Watch: "cartels", For: time.Hour, Reason: "maintenance"}},
		{"mute account keyword", `mute @handle "kw" for 1d`, Command{Name: "mute", Scope: alerts.ScopeAccountKeyword, Account: "handle", Keyword: "kw", For: day}},
		{"mute account plain keyword", "mute @handle plaza for 1d12h", Command{Name: "mute", Scope: alerts.ScopeAccountKeyword, Account: "handle", Keyword: "plaza", For: 36 * time.Hour}},
		{"mute alert's account", "mute A-42 account for 24h", Command{Name: "mute", Alert: 42, Scope: alerts.ScopeAccount, For: 24 * time.Hour}},
		{"mute alert's keyword", "mute A-42 keyword for 2w", Command{Name: "mute", Alert: 42, Scope: alerts.ScopeKeyword, For: 14 * day}},
		{"unmute", "unmute M-7", Command{Name: "unmute", Mute: 7}},
		{"unmute lower case", "unmute m-7", Command{Name: "unmute", Mute: 7}},
		{"mutes", "mutes", Command{Name: "mutes"}},
		{"mutes all", "mutes all", Command{Name: "mutes", All: true}},
		{"show", "show A-42", Command{Name: "show", Alert: 42}},
		{"history", "history A-42", Command{Name: "history", Alert: 42}},
		{"list", "list", Command{Name: "list", States: open}},
		{"list resolved", "list resolved", Command{Name: "list", States: []alerts.State{alerts.StateResolved}}},
		{"list two states", "list open escalated open", Command{Name: "list", States: []alerts.State{alerts.StateOpen, alerts.StateEscalated}}},
		{"list all", "list all", Command{Name: "list", All: true}},
		{"list watch", "list watch cartels", Command{Name: "list", Watch: "cartels", States: open}},
		{"list acked of a watch", "list acked watch cartels", Command{Name: "list", Watch: "cartels", States: []alerts.State{alerts.StateAcked}}},
		{"watch list", "watch list", Command{Name: "watch", Sub: "list"}},
		{"watch remove", "watch remove cartels", Command{Name: "watch", Sub: "remove", Watch: "cartels"}},
		{"watch add", `watch add cartels source=feed accounts=https://a.example/rss,https://b.example/rss keywords="gente nueva",plaza interval=5m severity=HIGH route=ops backfill=true`,
			Command{Name: "watch", Sub: "add", Watch: "cartels",
				Args: map[string]string{
					"source": "feed", "accounts": "https://a.example/rss,https://b.example/rss", "keywords": "gente nueva,plaza",
					"interval": "5m", "severity": "HIGH", "route": "ops", "backfill": "true",
				},
				NewWatch: &alerts.Watch{
					Name: "cartels", Source: "feed", Accounts: []string{"https://a.example/rss", "https://b.example/rss"},
					Keywords: []string{"gente nueva", "plaza"}, Interval: 5 * time.Minute, Severity: alerts.SeverityHigh,
					Route: "ops", Backfill: true,
				}}},
		{"watch add minimal", `watch add kw source=x keywords="a, b"`,
			Command{Name: "watch", Sub: "add", Watch: "kw",
				Args:     map[string]string{"source": "x", "keywords": "a, b"},
				NewWatch: &alerts.Watch{Name: "kw", Source: "x", Keywords: []string{"a, b"}}}},
		{"help", "help", Command{Name: "help"}},
		{"help topic", "help Mute", Command{Name: "help", Topic: "mute"}},
		{"help subcommand", "help watch add", Command{Name: "help", Topic: "watch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Parse(%q)\n got  %+v\n want %+v", tt.in, *got, tt.want)
				if got.NewWatch != nil && tt.want.NewWatch != nil {
					t.Errorf("watch: got %+v; want %+v", *got.NewWatch, *tt.want.NewWatch)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		command string // UsageError.Command
		problem string // substring of UsageError.Problem
		usage   string // substring of UsageError.Usage
	}{
		{"unknown command with suggestion", "akc A-42", "", `unknown command "akc" (did you mean "ack"?)`, "commands: ack, unack"},
		{"unknown command, transposed", "hsitory A-1", "", `(did you mean "history"?)`, "commands:"},
		{"unknown command, far off", "frobnicate", "", `unknown command "frobnicate"`, "commands:"},
		{"unknown command without suggestion for short words", "x", "", `unknown command "x"`, "commands:"},
		{"oversized input", "note A-1 " + strings.Repeat("x", MaxInput), "", "the limit is 4000", "commands:"},
		{"missing id", "ack", "ack", "expected an alert id like A-42", "usage: ack A-42 [reason]"},
		{"bad id", "ack foo", "ack", `expected an alert id like A-42, got "foo"`, "usage: ack A-42 [reason]"},
		{"zero id", "resolve A-0", "resolve", `got "A-0"`, "usage: resolve"},
		{"mention as id", "show <@U1>", "show", "expected an alert id", "usage: show A-42"},
		{"unbalanced quote", `mute "gente nueva for 7d`, "mute", "a quote is not closed", "usage: mute A-42"},
		{"unbalanced curly quote", "note A-1 “oops", "note", "a quote is not closed", "usage: note"},
		{"empty note", "note A-42", "note", "the note needs text", "usage: note A-42 text"},
		{"empty quoted note", `note A-42 ""`, "note", "the note needs text", "usage: note"},
		{"bad duration", "mute @x for 5 minutes", "mute", `"5" is not a duration`, "usage: mute"},
		{"duration too long", "mute @x for 400d", "mute", "longer than 365d", "usage: mute"},
		{"mute without for", "mute @x", "mute", "needs a duration", "usage: mute"},
		{"mute keyword without for", "mute plaza spam", "mute", `expected for DURATION, got "spam"`, "usage: mute"},
		{"mute unquoted phrase", "mute gente nueva for 7d", "mute", `got "nueva" (quote keywords with spaces`, "usage: mute"},
		{"mute duration without for", "mute @x 7d", "mute", "write for before the duration: for 7d", "usage: mute"},
		{"mute alert duration without for", "mute A-42 24h", "mute", "write for before the duration", "usage: mute"},
		{"mute for without duration", "mute @x for", "mute", "expected a duration after for", "usage: mute"},
		{"mute nothing", "mute", "mute", "expected what to mute", "usage: mute"},
		{"mute for first", "mute for 1h", "mute", "expected what to mute", "usage: mute"},
		{"mute bad alert id", "mute A-x for 1h", "mute", `expected an alert id like A-42, got "A-x"`, "usage: mute"},
		{"mute bare @", "mute @ for 1h", "mute", "expected an account name", "usage: mute"},
		{"mute empty keyword", `mute "" for 1h`, "mute", "the keyword is empty", "usage: mute"},
		{"mute watch without name", "mute watch", "mute", "expected a watch name", "usage: mute"},
		{"mute chat member without name", "mute <@U1> for 1h", "mute", "is a chat member", "usage: mute"},
		{"mute alert's account without for", "mute A-42 account", "mute", "needs a duration", "usage: mute"},
		{"assign nobody", "assign A-42", "assign", "expected whom to assign", "usage: assign A-42 [to] @who"},
		{"assign to nobody", "assign A-42 to", "assign", "expected whom to assign", "usage: assign"},
		{"assign plain word", "assign A-42 maria", "assign", `expected @name, me or a mention, got "maria"`, "usage: assign"},
		{"assign two people", "assign A-42 @a @b", "assign", `unexpected "@b"`, "usage: assign"},
		{"escalate to nothing", "escalate A-42 to", "escalate", "expected whom to escalate to", "usage: escalate"},
		{"unmute missing id", "unmute", "unmute", "expected a mute id like M-7", "usage: unmute M-7"},
		{"unmute alert id", "unmute A-42", "unmute", `got "A-42"`, "usage: unmute M-7"},
		{"show extra", "show A-42 now", "show", `unexpected "now"`, "usage: show A-42"},
		{"mutes extra", "mutes everything", "mutes", `unexpected "everything"`, "usage: mutes [all]"},
		{"list unknown state", "list closed", "list", `unexpected "closed"`, "usage: list"},
		{"list all and a state", "list all open", "list", "all already includes every state", "usage: list"},
		{"list watch without name", "list watch", "list", "expected a watch name", "usage: list"},
		{"watch without subcommand", "watch", "watch", "expected list, add or remove", "usage: watch list"},
		{"watch bad subcommand", "watch delete x", "watch", `got "delete"`, "usage: watch list"},
		{"watch remove without name", "watch remove", "watch", "expected the name of the watch", "usage: watch"},
		{"watch add without name", "watch add source=feed", "watch", "expected the new watch's name", "usage: watch"},
		{"watch add without source", "watch add w keywords=a", "watch", "a watch needs a source", "usage: watch"},
		{"watch add without terms", "watch add w source=feed", "watch", "needs accounts= or keywords=", "usage: watch"},
		{"watch add unknown setting", "watch add w source=feed colour=red", "watch", `unknown setting "colour"`, "usage: watch"},
		{"watch add bare word", "watch add w source=feed keywords=gente nueva", "watch", `expected key=value, got "nueva"`, "usage: watch"},
		{"watch add duplicate setting", "watch add w source=feed source=x keywords=a", "watch", "source is given twice", "usage: watch"},
		{"watch add bad interval", "watch add w source=feed keywords=a interval=5", "watch", `interval: "5" is not a duration`, "usage: watch"},
		{"watch add bad severity", "watch add w source=feed keywords=a severity=urgent", "watch", `severity "urgent" is not one of`, "usage: watch"},
		{"watch add bad backfill", "watch add w source=feed keywords=a backfill=maybe", "watch", `backfill "maybe" is not true or false`, "usage: watch"},
		{"help unknown topic", "help akc", "help", `unknown command "akc" (did you mean "ack"?)`, "commands:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) = %+v, %v; want a *UsageError", tt.in, got, err)
			}
			if got != nil {
				t.Errorf("Parse(%q) command = %+v; want nil with an error", tt.in, got)
			}
			if ue.Command != tt.command {
				t.Errorf("Command = %q; want %q", ue.Command, tt.command)
			}
			if !strings.Contains(ue.Problem, tt.problem) {
				t.Errorf("Problem = %q; want it to contain %q", ue.Problem, tt.problem)
			}
			if !strings.Contains(ue.Usage, tt.usage) {
				t.Errorf("Usage = %q; want it to contain %q", ue.Usage, tt.usage)
			}
		})
	}
}

func TestUsageErrorMessage(t *testing.T) {
	_, err := Parse("ack foo")
	want := "ack: expected an alert id like A-42, got \"foo\"\nusage: ack A-42 [reason]"
	if err == nil || err.Error() != want {
		t.Fatalf("Parse(\"ack foo\") error = %v; want %q", err, want)
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		in, id, name string
		ok           bool
	}{
		{"<@U123|maria>", "slack:@U123", "maria", true},
		{"<@U123>", "slack:@U123", "", true},
		{"<@W9>", "slack:@W9", "", true},
		{"<#C123|ops>", "slack:C123", "ops", true},
		{"<@789>", "discord:user:789", "", true},
		{"<@!789>", "discord:user:789", "", true},
		{"<@&456>", "discord:role:456", "", true},
		{"<#123>", "discord:123", "", true},
		{"<!channel>", "", "", false},
		{"<@u123>", "", "", false},
		{"<@>", "", "", false},
		{"@maria", "", "", false},
	}
	for _, tt := range tests {
		id, name, ok := parseMention(tt.in)
		if id != tt.id || name != tt.name || ok != tt.ok {
			t.Errorf("parseMention(%q) = %q, %q, %v; want %q, %q, %v", tt.in, id, name, ok, tt.id, tt.name, tt.ok)
		}
	}
}

func TestEveryCommandHasGrammarUsageAndPermission(t *testing.T) {
	for _, name := range Commands() {
		if _, ok := grammar[name]; !ok {
			t.Errorf("command %q has no parser", name)
		}
		if text, ok := Usage(name); !ok || !strings.HasPrefix(text, "usage: "+name) {
			t.Errorf("Usage(%q) = %q, %v; want text starting \"usage: %s\"", name, text, ok, name)
		}
		if name == "watch" {
			continue
		}
		if _, ok := permissions[name]; !ok {
			t.Errorf("command %q has no permission", name)
		}
	}
	for _, sub := range []string{"list", "add", "remove"} {
		if _, ok := permissions["watch "+sub]; !ok {
			t.Errorf("watch %s has no permission", sub)
		}
	}
	if len(grammar) != len(Commands()) {
		t.Errorf("%d parsers for %d commands", len(grammar), len(Commands()))
	}
	if _, ok := Usage("nope"); ok {
		t.Errorf("Usage(\"nope\") reported a command")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"ack A-42 on it", "mute \"gente nueva\" for 7d", "mute @h \"kw\" for 1d12h x", "escalate A-1 to <@U1|x> now",
		"watch add w source=feed keywords=\"a,b\",c interval=5m", "list all watch w", "assign A-1 to me",
		"note A-1 “curly”", "unmute M-3", "/lookout help mute", "<@", "mute A-1 keyword for 2w", "\"", "ack \xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmd, err := Parse(s)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) error %T %v; want a *UsageError", s, err, err)
			}
			if cmd != nil || ue.Error() == "" {
				t.Fatalf("Parse(%q) = %+v, %q; want nil and a message", s, cmd, ue.Error())
			}
			return
		}
		if cmd == nil || grammar[cmd.Name] == nil {
			t.Fatalf("Parse(%q) = %+v; want a known command", s, cmd)
		}
	})
}
