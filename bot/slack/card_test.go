package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot/slack/slackfake"
)

// hostile is a post that tries every way to ping, format or link.
const hostile = "<!channel> @here <@U123> *bold* ~strike~ <https://evil|click> <!subteam^S1> @channel & `code` _it_"

func TestCardGolden(t *testing.T) {
	text := "the cartel is hiring: se busca gente nueva"
	hits := []alerts.Hit{{Term: "cartel", Start: 4, End: 10}, {Term: `"gente nueva"`, Start: 31, End: 42}}
	now := t0
	open := testAlert(text, hits...)

	acked := testAlert(text, hits...)
	acked.State, acked.LastAction, acked.LastActor, acked.LastReason = alerts.StateAcked, alerts.ActionAck, "slack:U1", "on it"
	acked.UpdatedAt = now.Add(-3 * time.Minute)

	escalated := testAlert(text, hits...)
	escalated.State, escalated.LastAction, escalated.LastActor = alerts.StateEscalated, alerts.ActionEscalate, "slack:U2"
	escalated.EscalatedTo, escalated.LastReason = "slack:@U3", "armed"

	muted := testAlert(text, hits...)
	muted.Muted, muted.MuteID = true, 7
	mute := &alerts.Mute{ID: 7, Scope: alerts.ScopeAccount, Account: "elchapo", CreatedBy: "slack:U2", CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour), Reason: "noise"}

	changed := testAlert(text, hits...)
	changed.State = alerts.StateResolved
	changed.LastAction, changed.LastActor = alerts.ActionResolve, "cli:maria"
	changed.Post.PreviousHandle = "chapo_old"
	changed.Post.DeletedAt, changed.Post.DeletedReason = now.Add(-time.Minute), "deleted by author"
	changed.Post.Media = []alerts.Media{{Type: "image", URL: "https://cdn.example/1.jpg"}, {Type: "video", URL: "https://cdn.example/2.mp4"}}

	// Edited on X: the new version has its own time and keeps the term,
	// which must not be bolded (the hits point into the first version).
	edited := testAlert(text, hits...)
	edited.Latest = &alerts.Post{
		Platform: "mastodon", ID: "110", FirstID: "109", Handle: "elchapo@mastodon.example",
		Text: "the cartel is NOT hiring <!here> *ya*", CreatedAt: now.Add(-time.Minute),
	}

	for _, tc := range []struct {
		name string
		a    *alerts.Alert
		m    *alerts.Mute
	}{
		{"card_open.json", open, nil},
		{"card_acked.json", acked, nil},
		{"card_escalated.json", escalated, nil},
		{"card_muted.json", muted, mute},
		{"card_resolved_deleted_media.json", changed, nil},
		{"card_edited.json", edited, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := renderCard(tc.a, tc.m, now)
			checkLimits(t, r.blocks)
			golden(t, tc.name, map[string]any{"text": r.text, "blocks": r.blocks})
		})
	}
}

func TestCardHostileText(t *testing.T) {
	long := hostile + " " + strings.Repeat("x*_~<>&@", 40000/8)
	i := strings.Index(long, "strike")
	a := testAlert(long, alerts.Hit{Term: "strike", Start: i, End: i + len("strike")})
	a.Post.Handle = "<!everyone> *boss*"
	a.Post.URL = "https://evil.example/a|b>c<d&e"
	r := renderCard(a, nil, t0)
	checkLimits(t, r.blocks)
	raw, _ := json.Marshal(map[string]any{"text": r.text, "blocks": r.blocks})
	s := decodeJSONString(t, raw)
	for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://evil|", "<!subteam", "*bold*", "~strike~", "~*strike*~", "`code`", "_it_"} {
		if strings.Contains(s, bad) {
			t.Errorf("rendered card contains live %q", bad)
		}
	}
	if !strings.Contains(s, "~"+zwsp+"*strike*"+zwsp+"~") {
		t.Errorf("the matched term is not bold, or its neighbours are not neutralised")
	}
	if !strings.Contains(s, "&lt;!channel&gt;") || !strings.Contains(s, "&lt;https://evil|click&gt;") {
		t.Errorf("rendered card lost the hostile text instead of escaping it")
	}
	if !strings.Contains(s, "<https://evil.example/a%7Cb%3Ec%3Cd&amp;e|open post>") {
		t.Errorf("post link not made safe: %s", s[:min(len(s), 2000)])
	}
	if !strings.Contains(s, truncMark) {
		t.Errorf("40,000 characters were cut without a visible mark")
	}
	if strings.Contains(r.text, "<") || len([]rune(r.text)) > maxFallbackText {
		t.Errorf("fallback text %q is unescaped or longer than %d", r.text, maxFallbackText)
	}
}

func TestCardEdited(t *testing.T) {
	text := "the cartel is hiring"
	hit := alerts.Hit{Term: "cartel", Start: 4, End: 10}
	long := hostile + " cartel " + strings.Repeat("x*_~<>&@", 40000/8)
	for _, tc := range []struct {
		name     string
		latest   alerts.Post
		wantLine string
	}{
		// Telegram keeps the first time on an edited message: no time.
		{"same time", alerts.Post{Text: "the cartel is hiring\n(edited)", CreatedAt: t0.Add(-5 * time.Minute)}, ":pencil2: Edited on the platform:"},
		{"later time", alerts.Post{Text: "the cartel was hiring", CreatedAt: t0}, ":pencil2: Edited on the platform at <!date^" + fmt.Sprint(t0.Unix())},
		{"hostile and long", alerts.Post{Text: long, CreatedAt: t0}, ":pencil2: Edited on the platform at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testAlert(text, hit)
			a.Latest = &tc.latest
			r := renderCard(a, nil, t0)
			checkLimits(t, r.blocks)
			raw, _ := json.Marshal(r.blocks)
			s := decodeJSONString(t, raw)
			if !strings.Contains(s, "the *cartel* is hiring") {
				t.Errorf("card lost the text that alerted, with its bold hit:\n%s", s[:min(len(s), 2000)])
			}
			if !strings.Contains(s, tc.wantLine) {
				t.Errorf("card does not say the post was edited: got\n%s\nwant a line with %q", s[:min(len(s), 2000)], tc.wantLine)
			}
			want := postText(tc.latest.Text, nil, maxSectionText)
			if !strings.Contains(s, want) {
				t.Errorf("new version: got\n%s\nwant %q", s[:min(len(s), 2000)], want[:min(len(want), 200)])
			}
			if strings.Count(s, "*cartel*") != 1 {
				t.Errorf("got %d bold %q; want only the hit in the text that alerted", strings.Count(s, "*cartel*"), "cartel")
			}
			for _, bad := range []string{"<!channel>", "<!here>", "<@U123>", "<https://evil|", "*bold*"} {
				if strings.Contains(s, bad) {
					t.Errorf("rendered card contains live %q", bad)
				}
			}
			if strings.Contains(r.text, "was hiring") || strings.Contains(r.text, "edited") {
				t.Errorf("fallback text %q shows the edit; want the text that alerted", r.text)
			}
		})
	}
}

func decodeJSONString(t *testing.T, raw []byte) string {
	t.Helper()
	out := slackfake.Strings(string(raw))
	if out == "" {
		t.Fatalf("not JSON: %s", raw)
	}
	return out
}

func TestGroupCardGolden(t *testing.T) {
	var group []*alerts.Alert
	for i := range 3 {
		a := testAlert(fmt.Sprintf("cartel post %d", i), alerts.Hit{Term: "cartel", Start: 0, End: 6})
		a.ID = int64(40 + i)
		group = append(group, a)
	}
	group[1].State = alerts.StateAcked
	r := renderGroup(group)
	checkLimits(t, r.blocks)
	golden(t, "card_group.json", map[string]any{"text": r.text, "blocks": r.blocks})
}

func TestGroupCardLimits(t *testing.T) {
	var group []*alerts.Alert
	for i := range 120 {
		a := testAlert(hostile+strings.Repeat(" long", 2000), alerts.Hit{Term: "bold", Start: 0, End: 4})
		a.ID = int64(i + 1)
		group = append(group, a)
	}
	r := renderGroup(group)
	checkLimits(t, r.blocks)
	raw, _ := json.Marshal(r.blocks)
	s := decodeJSONString(t, raw)
	if !strings.Contains(s, "and 73 more [truncated]") {
		t.Errorf("120 alerts: no visible mark for the alerts left out")
	}
	if !strings.Contains(s, "120 new matches") {
		t.Errorf("header does not count all 120 alerts")
	}
}

func TestNoticeGolden(t *testing.T) {
	links := []cardLink{{channel: "C1", url: "https://fake.slack.com/archives/C1/p1700000000000001"}, {channel: "C2"}}
	r := renderNotice("A-42 escalated by slack:U2 to slack:@U3: armed · [w] elchapo: <!channel> *now*", "U3", links)
	checkLimits(t, r.blocks)
	golden(t, "notice_escalation.json", map[string]any{"text": r.text, "blocks": r.blocks})
}

func TestNoticeMention(t *testing.T) {
	esc := testAlert("x")
	esc.State, esc.EscalatedTo = alerts.StateEscalated, "slack:@U3"
	for _, tc := range []struct {
		name string
		to   alerts.Destination
		m    *alerts.Message
		want string
	}{
		{"user destination", "slack:@U7", &alerts.Message{Kind: alerts.DeliveryNotice, Alert: testAlert("x")}, "U7"},
		{"channel, escalated to a user", "slack:C9", &alerts.Message{Kind: alerts.DeliveryNotice, Alert: esc}, "U3"},
		{"channel, no alert", "slack:C9", &alerts.Message{Kind: alerts.DeliveryNotice, Notice: "watch w is unhealthy"}, ""},
		{"user destination, no alert", "slack:@U7", &alerts.Message{Kind: alerts.DeliveryNotice}, ""},
		{"hostile target", "slack:@U7><!channel", &alerts.Message{Kind: alerts.DeliveryNotice, Alert: testAlert("x")}, ""},
	} {
		if got := noticeMention(tc.to, tc.m); got != tc.want {
			t.Errorf("%s: got mention %q; want %q", tc.name, got, tc.want)
		}
	}
}
