package discord

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/bot"
)

func TestCommandText(t *testing.T) {
	cases := []struct {
		name, data, want string
	}{
		{"ack with reason", slash("ack", `[{"name":"alert","type":3,"value":"A-42"},{"name":"reason","type":3,"value":"on it"}]`), "ack A-42 on it"},
		{"reason with an odd quote", slash("resolve", `[{"name":"alert","type":3,"value":"A-1"},{"name":"reason","type":3,"value":"it's \"fine"}]`), "resolve A-1 it's 'fine"},
		{"alert id with spaces", slash("show", `[{"name":"alert","type":3,"value":" A- 42 "}]`), "show A-42"},
		{"escalate to a role", `{"name":"lookout","type":1,"resolved":{"roles":{"42":{"id":"42","name":"leads"}}},"options":[{"name":"escalate","type":1,"options":[{"name":"alert","type":3,"value":"A-1"},{"name":"to","type":9,"value":"42"}]}]}`, "escalate A-1 to <@&42>"},
		{"escalate to a member", slash("escalate", `[{"name":"alert","type":3,"value":"A-1"},{"name":"to","type":9,"value":"7"},{"name":"reason","type":3,"value":"urgent"}]`), "escalate A-1 to <@7> urgent"},
		{"assign to me", slash("assign", `[{"name":"alert","type":3,"value":"A-1"}]`), "assign A-1 me"},
		{"assign to a member", slash("assign", `[{"name":"alert","type":3,"value":"A-1"},{"name":"member","type":6,"value":"7"}]`), "assign A-1 <@7>"},
		{"note", slash("note", `[{"name":"alert","type":3,"value":"A-1"},{"name":"text","type":3,"value":"called the reporter"}]`), "note A-1 called the reporter"},
		{"mute an alert's account", slash("mute", `[{"name":"alert","type":3,"value":"A-1"},{"name":"scope","type":3,"value":"account"},{"name":"for","type":3,"value":"24h"}]`), "mute A-1 account for 24h"},
		{"mute an account and phrase", slash("mute", `[{"name":"account","type":3,"value":"@el jefe"},{"name":"keyword","type":3,"value":"gente \"nueva\""},{"name":"for","type":3,"value":"7d"},{"name":"reason","type":3,"value":"noise"}]`), `mute @eljefe "gente nueva" for 7d noise`},
		{"mute a watch", slash("mute", `[{"name":"watch","type":3,"value":"ports"},{"name":"for","type":3,"value":"1h"}]`), "mute watch ports for 1h"},
		{"unmute", slash("unmute", `[{"name":"mute","type":3,"value":"M-7"}]`), "unmute M-7"},
		{"mutes all", slash("mutes", `[{"name":"all","type":5,"value":true}]`), "mutes all"},
		{"list", slash("list", `[{"name":"state","type":3,"value":"resolved"},{"name":"mine","type":5,"value":true},{"name":"watch","type":3,"value":"ports"}]`), "list resolved mine watch ports"},
		{"watch add", `{"name":"lookout","type":1,"options":[{"name":"watch","type":2,"options":[{"name":"add","type":1,"options":[{"name":"name","type":3,"value":"ports"},{"name":"source","type":3,"value":"feed"},{"name":"keywords","type":3,"value":"gente nueva, cartel"},{"name":"accounts","type":3,"value":"https://a.example/feed"},{"name":"backfill","type":5,"value":false}]}]}]}`, `watch add ports source=feed accounts=https://a.example/feed keywords="gente nueva",cartel backfill=false`},
		{"watch remove", `{"name":"lookout","type":1,"options":[{"name":"watch","type":2,"options":[{"name":"remove","type":1,"options":[{"name":"name","type":3,"value":"ports"}]}]}]}`, "watch remove ports"},
		{"status", slash("status", `[]`), "status"},
		{"help mute", slash("help", `[{"name":"command","type":3,"value":"mute"}]`), "help mute"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d discordgo.ApplicationCommandInteractionData
			if err := json.Unmarshal([]byte(c.data), &d); err != nil {
				t.Fatal(err)
			}
			got := commandText(d)
			if got != c.want {
				t.Errorf("got %q; want %q", got, c.want)
			}
			if _, err := bot.Parse(got); err != nil {
				t.Errorf("the grammar does not read %q: %v", got, err)
			}
		})
	}
}

// TestCommandMirrorsTheGrammar checks every bot command has a subcommand
// and the definition stays within Discord's limits.
func TestCommandMirrorsTheGrammar(t *testing.T) {
	cmd := Command()
	subs := map[string]bool{}
	for _, o := range cmd.Options {
		subs[o.Name] = true
		if len(o.Description) > 100 || len(o.Name) > 32 {
			t.Errorf("subcommand %s: name or description too long", o.Name)
		}
	}
	for _, name := range bot.Commands() {
		if !subs[name] {
			t.Errorf("bot command %q has no /lookout subcommand", name)
		}
	}
	if len(cmd.Options) > 25 {
		t.Errorf("subcommands: got %d; Discord allows 25", len(cmd.Options))
	}
}

func TestInviteURL(t *testing.T) {
	u, err := url.Parse(InviteURL("777", "900"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "discord.com" || q.Get("client_id") != "777" || q.Get("scope") != "bot applications.commands" || q.Get("guild_id") != "900" {
		t.Errorf("invite URL: got %s", u)
	}
	// View Channel 1<<10, Send Messages 1<<11, Embed Links 1<<14, Mention Everyone 1<<17.
	if q.Get("permissions") != "150528" {
		t.Errorf("permissions: got %s; want 150528", q.Get("permissions"))
	}
}

func TestOptionsValidate(t *testing.T) {
	o := Options{Token: "Bot x", AppID: "abc", PublicKey: []byte{1}, GuildIDs: []string{"g"}, APIURL: "ftp://x"}
	err := o.Validate()
	for _, want := range []string{`"Bot "`, "application id", "public key", "guild id", "api url", "handler"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: got %v; want it to mention %s", err, want)
		}
	}
}
