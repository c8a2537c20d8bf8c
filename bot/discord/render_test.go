package discord

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name.json, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update): %v", err)
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(got) {
		t.Errorf("%s differs from the golden file (go test -run %s -update to accept):\ngot:\n%s\nwant:\n%s", name, t.Name(), got, want)
	}
}

// hostile is a post built to ping, fake a link, hide text and overflow.
func hostile() *alerts.Alert {
	a := testAlert(7)
	lead := "@everyone <@&123> [click](https://evil) ||spoiler|| cartel "
	a.Post.Text = lead + strings.Repeat("x", 10000)
	a.Post.Handle = "@here <@1>"
	a.Hits = []alerts.Hit{{Term: "cartel", Start: len(lead) - 7, End: len(lead) - 1}}
	return a
}

func TestRenderGolden(t *testing.T) {
	now := t0
	acked := testAlert(42)
	acked.State, acked.LastAction, acked.LastActor, acked.LastReason = alerts.StateAcked, alerts.ActionAck, "discord:user:555", "on it"
	acked.UpdatedAt = now.Add(-3 * time.Minute)
	media := testAlert(43)
	media.Post.Media = []alerts.Media{{Type: "video", URL: "https://cdn.example/v.mp4"}}
	media.Post.PreviousHandle = "old_jefe"
	media.Post.DeletedAt, media.Post.DeletedReason = now.Add(-time.Minute), "deleted by author"
	resolved := testAlert(44)
	resolved.State, resolved.LastAction, resolved.LastActor = alerts.StateResolved, alerts.ActionResolve, "cli:maria"
	muted := testAlert(45)
	muted.Muted, muted.MuteID = true, 3
	mute := &alerts.Mute{ID: 3, Scope: alerts.ScopeAccount, Account: "el_jefe", CreatedBy: "discord:user:555", ExpiresAt: now.Add(24 * time.Hour)}
	group := []*alerts.Alert{testAlert(50), testAlert(51), resolved}
	// Edited on X: the new version has its own time and keeps the term,
	// which must not be bolded (the hits point into the first version).
	edited := testAlert(46)
	edited.Latest = &alerts.Post{
		Platform: "mastodon", ID: "p2", FirstID: "p1", Handle: "el_jefe",
		Text: "the cartel is NOT hiring @everyone **tonight**", CreatedAt: now.Add(-time.Minute),
	}

	cases := []struct {
		name string
		m    *alerts.Message
	}{
		{"card_open", &alerts.Message{Kind: alerts.DeliveryCard, Alert: testAlert(41), Now: now}},
		{"card_acked", &alerts.Message{Kind: alerts.DeliveryEdit, Alert: acked, Now: now}},
		{"card_media_renamed_deleted", &alerts.Message{Kind: alerts.DeliveryEdit, Alert: media, Now: now}},
		{"card_resolved", &alerts.Message{Kind: alerts.DeliveryEdit, Alert: resolved, Now: now}},
		{"card_muted", &alerts.Message{Kind: alerts.DeliveryEdit, Alert: muted, Mute: mute, Now: now}},
		{"card_edited", &alerts.Message{Kind: alerts.DeliveryEdit, Alert: edited, Now: now}},
		{"card_group", &alerts.Message{Kind: alerts.DeliveryCard, Group: group, Now: now}},
		{"notice", &alerts.Message{Kind: alerts.DeliveryNotice, Notice: "A-1 unacknowledged for 15m · [ops] @everyone: **bold** <@&9>", Now: now}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := render(c.m)
			body := messageCreate{Content: r.Text, Embeds: nonNil(r.Embeds), Components: nonNilC(r.Components), AllowedMentions: noMentions()}
			golden(t, c.name, jsonOf(t, body))
		})
	}
}

func TestHostilePostStaysInertAndFits(t *testing.T) {
	r := render(&alerts.Message{Kind: alerts.DeliveryCard, Alert: hostile(), Now: t0})
	e := r.Embeds[0]
	for _, bad := range []string{"@everyone", "<@&123>", "[click](https://evil)", "||spoiler||", "@here", "<@1>"} {
		for _, part := range []string{e.Title, e.Description, e.Author.Name, e.Footer.Text} {
			if strings.Contains(part, bad) {
				t.Errorf("rendered card contains %q live in %.80q", bad, part)
			}
		}
	}
	if !strings.Contains(e.Description, `\[click\]\(https\:\/\/evil\)`) && !strings.Contains(e.Description, `\[click\]\(https\://evil\)`) {
		t.Errorf("description does not show the link as text: %.200q", e.Description)
	}
	if !strings.Contains(e.Description, "**cartel**") {
		t.Errorf("description does not bold the hit: %.200q", e.Description)
	}
	if n := utf8.RuneCountInString(e.Description); n > maxDescription {
		t.Errorf("description: got %d characters; want at most %d", n, maxDescription)
	}
	if !strings.HasSuffix(e.Description, cut) {
		t.Errorf("description does not end with the visible truncation mark: …%q", e.Description[len(e.Description)-40:])
	}
	if n := embedLen(e); n > maxEmbedsTotal {
		t.Errorf("embed total: got %d; want at most %d", n, maxEmbedsTotal)
	}
}

func TestCardEdited(t *testing.T) {
	long := hostile().Post.Text
	for _, tc := range []struct {
		name     string
		latest   alerts.Post
		wantName string
	}{
		// Telegram keeps the first time on an edited message: no time.
		{"same time", alerts.Post{Text: "the cartel is hiring\n(edited)", CreatedAt: t0.Add(-10 * time.Minute)}, "Edited on the platform"},
		{"later time", alerts.Post{Text: "the cartel was hiring", CreatedAt: t0}, "Edited on the platform at 2026-11-03 14:00 UTC"},
		{"hostile and long", alerts.Post{Text: long, CreatedAt: t0}, "Edited on the platform at 2026-11-03 14:00 UTC"},
		{"no text", alerts.Post{CreatedAt: t0}, "Edited on the platform at 2026-11-03 14:00 UTC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testAlert(1)
			a.Latest = &tc.latest
			e := render(&alerts.Message{Kind: alerts.DeliveryEdit, Alert: a, Now: t0}).Embeds[0]
			if want := "the **cartel** is hiring drivers tonight"; e.Description != want {
				t.Errorf("description: got %q; want the text that alerted, %q", e.Description, want)
			}
			var f *discordgo.MessageEmbedField
			for _, x := range e.Fields {
				if strings.HasPrefix(x.Name, "Edited") {
					f = x
				}
			}
			if f == nil {
				t.Fatalf("no edit field in %+v", e.Fields)
			}
			want := postMarkdown(tc.latest.Text, nil, maxFieldValue)
			if want == "" {
				want = "*(no text)*"
			}
			if f.Name != tc.wantName || f.Value != want {
				t.Errorf("edit field: got %q: %.200q; want %q: %.200q", f.Name, f.Value, tc.wantName, want)
			}
			if strings.Contains(f.Value, "**") || strings.Contains(f.Value, "@everyone") || strings.Contains(f.Value, "<@&123>") {
				t.Errorf("edit field is bolded or live: %.200q", f.Value)
			}
			if n := utf8.RuneCountInString(f.Value); n > maxFieldValue {
				t.Errorf("edit field: got %d characters; want at most %d", n, maxFieldValue)
			}
			if n := embedLen(e); n > maxEmbedsTotal {
				t.Errorf("embed total: got %d; want at most %d", n, maxEmbedsTotal)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"@everyone", "@\u200beveryone"},
		{"<@&123>", `\<@` + "\u200b" + `&123\>`},
		{"[click](https://evil)", `\[click\]\(https\://evil\)`},
		{"||spoiler||", `\|\|spoiler\|\|`},
		{"**bold** _it_ ~~s~~ `code`", `\*\*bold\*\* \_it\_ \~\~s\~\~ \` + "`" + `code\` + "`"},
		{"# heading\n> quote\n- item", "\\# heading\n\\> quote\n\\- item"},
		{"a\u202Eb\x00c", "abc"},
	}
	for _, c := range cases {
		if got := escape(c.in); got != c.want {
			t.Errorf("escape(%q): got %q; want %q", c.in, got, c.want)
		}
	}
}

func TestFitEmbedEnforcesEveryLimit(t *testing.T) {
	long := strings.Repeat("é", 9000)
	e := &discordgo.MessageEmbed{Title: long, Description: long, Footer: &discordgo.MessageEmbedFooter{Text: long}, Author: &discordgo.MessageEmbedAuthor{Name: long}}
	for range 30 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: long, Value: long})
	}
	fitEmbed(e)
	checks := []struct {
		what     string
		got, max int
	}{
		{"title", runes(e.Title), maxTitle},
		{"description", runes(e.Description), maxDescription},
		{"fields", len(e.Fields), maxFields},
		{"footer", runes(e.Footer.Text), maxFooter},
		{"author", runes(e.Author.Name), maxAuthor},
		{"total", embedLen(e), maxEmbedsTotal},
	}
	for _, c := range checks {
		if c.got > c.max {
			t.Errorf("%s: got %d; want at most %d", c.what, c.got, c.max)
		}
	}
	if !strings.HasSuffix(e.Title, cut) || !strings.HasSuffix(e.Description, cut) {
		t.Errorf("truncated parts lack the visible mark: title …%q", e.Title[len(e.Title)-20:])
	}
}

func TestCustomIDsFit(t *testing.T) {
	a := testAlert(9223372036854775807)
	a.Post.Media = []alerts.Media{{Type: "image", URL: "https://x/y.png"}}
	for _, row := range cardComponents(a) {
		for _, c := range row.(discordgo.ActionsRow).Components {
			id := ""
			switch x := c.(type) {
			case discordgo.Button:
				id = x.CustomID
			case discordgo.SelectMenu:
				id = x.CustomID
			}
			if id == "" || len(id) > maxCustomID {
				t.Errorf("custom_id %q: want 1..%d characters", id, maxCustomID)
			}
			if _, _, ok := componentCommand(id, []string{"alert"}); !ok && !strings.Contains(id, ":mute:") {
				t.Errorf("custom_id %q does not parse back", id)
			}
		}
	}
}

func TestComponentCommand(t *testing.T) {
	cases := []struct {
		id     string
		values []string
		want   string
		ok     bool
	}{
		{"lookout:ack:42", nil, "ack A-42", true},
		{"lookout:escalate:42", nil, "escalate A-42", true},
		{"lookout:reopen:42", nil, "reopen A-42", true},
		{"lookout:media:42", nil, "show A-42", true},
		{"lookout:mute:42", []string{"account:24h"}, "mute A-42 account for 24h", true},
		{"lookout:mute:42", []string{"keyword:24h"}, "mute A-42 keyword for 24h", true},
		{"lookout:mute:42", []string{"alert"}, "mute A-42", true},
		{"lookout:mute:42", []string{"account:99y"}, "", false},
		{"lookout:mute:42", nil, "", false},
		{"lookout:pick:42", []string{"43"}, "ack A-43", true},
		{"lookout:pick:42", []string{"A-43; drop"}, "", false},
		{"lookout:delete:42", nil, "", false},
		{"lookout:ack:42 extra", nil, "", false},
		{"other:ack:42", nil, "", false},
		{"lookout:ack:", nil, "", false},
	}
	for _, c := range cases {
		_, got, ok := componentCommand(c.id, c.values)
		if got != c.want || ok != c.ok {
			t.Errorf("componentCommand(%q, %q): got %q, %v; want %q, %v", c.id, c.values, got, ok, c.want, c.ok)
		}
	}
}

func FuzzComponentCommand(f *testing.F) {
	f.Add("lookout:ack:42", "")
	f.Add("lookout:mute:42", "account:1h")
	f.Add("lookout:pick:1", "2")
	f.Fuzz(func(t *testing.T, id, value string) {
		_, text, ok := componentCommand(id, []string{value})
		if !ok {
			return
		}
		// Whatever comes in, only the grammar's own words go out.
		for _, w := range strings.Fields(text) {
			if strings.ContainsAny(w, `"<>@|`) {
				t.Fatalf("componentCommand(%q, %q) produced %q", id, value, text)
			}
		}
	})
}

func FuzzPostMarkdown(f *testing.F) {
	f.Add("@everyone <@&123> [click](https://evil) ||spoiler|| cartel", 49, 55, 100)
	f.Add(strings.Repeat("\\*", 50), 0, 3, 10)
	f.Fuzz(func(t *testing.T, text string, start, end, limit int) {
		limit = 20 + abs(limit)%5000
		out := postMarkdown(text, []alerts.Hit{{Start: start, End: end}}, limit)
		if n := runes(out); n > limit {
			t.Fatalf("postMarkdown: %d characters; limit %d", n, limit)
		}
		live := liveMarkdown(out)
		if strings.Contains(live, "<") || strings.Contains(live, "](") || strings.Contains(live, "||") || strings.Contains(live, "@everyone") {
			t.Fatalf("postMarkdown(%q) left live markdown: %q", text, out)
		}
		if strings.Count(out, "**")%2 != 0 && !strings.Contains(text, "*") {
			t.Fatalf("postMarkdown(%q) left a bold run open: %q", text, out)
		}
	})
}

// liveMarkdown removes what Discord shows literally (backslash escapes),
// leaving the characters markdown would act on.
func liveMarkdown(s string) string {
	var b strings.Builder
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func abs(n int) int {
	if n < 0 {
		if n == -n {
			return 0
		}
		return -n
	}
	return n
}
