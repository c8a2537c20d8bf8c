package config

import (
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
)

func TestRedacted(t *testing.T) {
	doc := `
[store]
driver = "postgres"
dsn = "postgres://lookout:pg-SECRET@db:5432/lookout?sslmode=disable"

[slack]
bot_token = "xoxb-SECRET"
app_token = "xapp-SECRET"
signing_secret = "signing-SECRET"

[discord]
bot_token = "discord-SECRET"
public_key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

[sources.x]
bearer_token = "bearer-SECRET"

[sources.reddit]
client_id = "client-id"
client_secret = "reddit-SECRET"
user_agent = "test:org.example.lookout:v1 (by /u/tester)"
` + minimal
	c := mustParse(t, doc, env{})
	r := c.Redacted()

	if c.Slack.BotToken != "xoxb-SECRET" {
		t.Errorf("original slack.bot_token: got %q; want it unchanged", c.Slack.BotToken)
	}
	checks := []struct{ name, got, want string }{
		{"slack.bot_token", r.Slack.BotToken, Redaction},
		{"slack.app_token", r.Slack.AppToken, Redaction},
		{"slack.signing_secret", r.Slack.SigningSecret, Redaction},
		{"discord.bot_token", r.Discord.BotToken, Redaction},
		{"discord.public_key", r.Discord.PublicKey, c.Discord.PublicKey},
		{"sources.x.bearer_token", r.Sources.X.BearerToken, Redaction},
		{"sources.reddit.client_id", r.Sources.Reddit.ClientID, "client-id"},
		{"sources.reddit.client_secret", r.Sources.Reddit.ClientSecret, Redaction},
		{"sources.mastodon.access_token (unset)", r.Sources.Mastodon.AccessToken, ""},
		{"store.dsn", r.Store.DSN, "postgres://lookout:[redacted]@db:5432/lookout?sslmode=disable"},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s: got %q; want %q", tc.name, tc.got, tc.want)
		}
	}

	r.Watches[0].Accounts[0] = "changed"
	if c.Watches[0].Accounts[0] == "changed" {
		t.Error("Redacted: changing the copy changed the original; want a deep copy")
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct{ name, dsn, want string }{
		{"sqlite path", "lookout.db", "lookout.db"},
		{"url password", "postgres://u:p@h/db", "postgres://u:[redacted]@h/db"},
		{"url without password", "postgres://u@h/db", "postgres://u@h/db"},
		{"query password", "postgres://h/db?password=p&user=u", "postgres://h/db?password=[redacted]&user=u"},
		{"key value", "host=h user=u password=p dbname=db", "host=h user=u password=[redacted] dbname=db"},
		{"key value quoted", "host=h password='a b' dbname=db", "host=h password=[redacted] dbname=db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := redactDSN(tc.dsn); got != tc.want {
				t.Errorf("redactDSN(%q): got %q; want %q", tc.dsn, got, tc.want)
			}
		})
	}
}

// TestSecretsNeverInErrors checks that a secret in an invalid config shows up
// in no problem, whatever else is wrong.
func TestSecretsNeverInErrors(t *testing.T) {
	const secret = "xoxb-SECRET"
	tests := []struct{ name, doc string }{
		{"validation fails elsewhere", "[slack]\nbot_token = \"xoxb-SECRET\"\n[[route]]\nname = \"default\"\nslack_channels = [\"C1\"]\n[[watch]]\nname = \"w\"\nsource = \"feed\"\ninterval = \"1s\"\n"},
		{"from the environment", "[slack]\nbot_token = \"${TOKEN}\"\nbot_token_file = \"x\"\ncommand = \"bad\"\n"},
		{"wrong key", "[slack]\nbot_tokn = \"xoxb-SECRET\"\n"},
		{"wrong type", "[slack]\nbot_token = [\"xoxb-SECRET\"]\n"},
		{"bad public key", "[discord]\npublic_key = \"xoxb-SECRET\"\n"},
		{"secret in a base url", "[sources.x]\nbase_url = \"ftp://u:xoxb-SECRET@h\"\n"},
		{"unquoted", "[slack]\nbot_token = xoxb-SECRET\n"},
		{"unterminated", "[slack]\nbot_token = \"xoxb-SECRET\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse([]byte(tc.doc), "test.toml", env{"TOKEN": secret}.lookup)
			if err == nil {
				t.Fatal("parse: got no error; want one")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error text holds the secret:\n%v", err)
			}
		})
	}
}

// TestRedactedRoundTrip checks that a Redacted config can be printed as TOML
// (what `lookout check` does) and that the output loads back to the same
// values.
func TestRedactedRoundTrip(t *testing.T) {
	doc := minimal + `
[[policy]]
name = "oncall"
repeat = 2
[[policy.step]]
after = "1d12h"
notify = ["console", "slack:#C123"]
`
	c := mustParse(t, doc, env{})
	out, err := toml.Marshal(c.Redacted())
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	back := mustParse(t, string(out), env{})
	again, err := toml.Marshal(back.Redacted())
	if err != nil {
		t.Fatalf("marshal again: %v", err)
	}
	if string(again) != string(out) {
		t.Errorf("round trip:\ngot:\n%s\nwant:\n%s", again, out)
	}
	if got := back.Policies[0].Steps[0].After.Duration; got != 36*time.Hour {
		t.Errorf("after round trip: got %v; want 36h", got)
	}
}
