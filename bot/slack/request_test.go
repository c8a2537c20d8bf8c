package slack

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/lookoutbot/lookout/bot"
)

func TestClickCommand(t *testing.T) {
	for _, tc := range []struct {
		name      string
		act       slack.BlockAction
		want      string
		media, ok bool
	}{
		{"ack", slack.BlockAction{ActionID: actionAck, Value: "A-42"}, "ack A-42", false, true},
		{"escalate", slack.BlockAction{ActionID: actionEsc, Value: "A-7"}, "escalate A-7", false, true},
		{"reopen", slack.BlockAction{ActionID: actionReopen, Value: "A-7"}, "reopen A-7", false, true},
		{"media", slack.BlockAction{ActionID: actionMedia, Value: "A-7"}, "show A-7", true, true},
		{"mute account 1h", slack.BlockAction{ActionID: actionMute, SelectedOption: slack.OptionBlockObject{Value: "A-7 account 1h"}}, "mute A-7 account for 1h", false, true},
		{"mute keyword", slack.BlockAction{ActionID: actionMute, SelectedOption: slack.OptionBlockObject{Value: "A-7 keyword 24h"}}, "mute A-7 keyword for 24h", false, true},
		{"mute alert", slack.BlockAction{ActionID: actionMute, SelectedOption: slack.OptionBlockObject{Value: "A-7 alert"}}, "mute A-7", false, true},
		{"group menu", slack.BlockAction{ActionID: actionGroup, SelectedOption: slack.OptionBlockObject{Value: "resolve A-9"}}, "resolve A-9", false, true},
		{"unknown action", slack.BlockAction{ActionID: "lookout:delete", Value: "A-7"}, "", false, false},
		{"foreign action", slack.BlockAction{ActionID: "other-app", Value: "A-7"}, "", false, false},
		{"value with extra words", slack.BlockAction{ActionID: actionAck, Value: "A-7 for 99y"}, "", false, false},
		{"bare number", slack.BlockAction{ActionID: actionAck, Value: "7"}, "", false, false},
		{"mute for ever", slack.BlockAction{ActionID: actionMute, SelectedOption: slack.OptionBlockObject{Value: "A-7 account 999d"}}, "", false, false},
		{"group menu with a command", slack.BlockAction{ActionID: actionGroup, SelectedOption: slack.OptionBlockObject{Value: "watch remove A-9"}}, "", false, false},
	} {
		text, media, problem := clickCommand(&tc.act)
		if text != tc.want || media != tc.media || (problem == "") != tc.ok {
			t.Errorf("%s: got %q media %v problem %q; want %q media %v ok %v", tc.name, text, media, problem, tc.want, tc.media, tc.ok)
		}
	}
}

// FuzzClickCommand checks that any control value maps to nothing or to
// one command the grammar reads, never to anything else.
func FuzzClickCommand(f *testing.F) {
	for _, v := range []string{"A-1", "A-1 account 1h", "ack A-1", "A-1 alert", "A-01 keyword 24h", "mute A-1 x"} {
		f.Add(actionMute, v)
		f.Add(actionGroup, v)
		f.Add(actionAck, v)
	}
	f.Fuzz(func(t *testing.T, id, value string) {
		act := slack.BlockAction{ActionID: id, Value: value, SelectedOption: slack.OptionBlockObject{Value: value}}
		text, _, problem := clickCommand(&act)
		if problem != "" {
			return
		}
		c, err := bot.Parse(text)
		if err != nil {
			t.Fatalf("%q/%q gave %q, which does not parse: %v", id, value, text, err)
		}
		switch c.Name {
		case "ack", "unack", "escalate", "resolve", "reopen", "mute", "show":
		default:
			t.Fatalf("%q/%q gave command %q", id, value, c.Name)
		}
		if c.Alert <= 0 || strings.ContainsAny(text, "<>&") {
			t.Fatalf("%q/%q gave %q", id, value, text)
		}
	})
}

func TestCardLinkPattern(t *testing.T) {
	for _, tc := range []struct {
		in, channel, ts string
	}{
		{"<https://team.slack.com/archives/C123/p1700000000000100>", "C123", "1700000000000100"},
		{"<https://team.slack.com/archives/C123/p1700000000000100|card>", "C123", "1700000000000100"},
		{"https://team.enterprise.slack.com/archives/G9/p1700000000000100?thread_ts=1", "G9", "1700000000000100"},
		{"<https://evil.example/archives/C1/p17>", "", ""},
	} {
		m := cardLinkPattern.FindStringSubmatch(tc.in)
		switch {
		case tc.channel == "" && m != nil:
			t.Errorf("%q matched; want no match", tc.in)
		case tc.channel != "" && (m == nil || m[1] != tc.channel || m[2]+m[3] != tc.ts):
			t.Errorf("%q: got %v; want channel %s ts %s", tc.in, m, tc.channel, tc.ts)
		}
	}
}
