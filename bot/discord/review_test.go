package discord

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// These cases came from a security review: each once produced a message
// Discord would refuse for good, losing the alert.

func TestWebURLIsWellFormed(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/p/1", "https://example.org/p/1"},
		{`https://evil.example/?q=a b<>"`, "https://evil.example/?q=a%20b%3C%3E%22"},
		{"https://example.org/\u00e9", "https://example.org/%C3%A9"},
		{"javascript:alert(1)", ""},
		{"https://example.org/" + strings.Repeat("a", 3000), ""},
	}
	for _, tt := range tests {
		got := webURL(tt.in)
		if got != tt.want {
			t.Errorf("webURL(%q): got %q; want %q", tt.in, got, tt.want)
		}
		if got != "" {
			if _, err := url.ParseRequestURI(got); err != nil || strings.ContainsAny(got, " <>\"") {
				t.Errorf("webURL(%q) = %q is not well formed", tt.in, got)
			}
		}
	}
}

func TestEditedFieldIsNeverBlank(t *testing.T) {
	a := &alerts.Alert{Latest: &alerts.Post{Text: "\u202e\n\u202e"}}
	f := editedField(a)
	if strings.TrimSpace(f.Value) == "" {
		t.Fatalf("edited field value %q is blank", f.Value)
	}
}

func TestStateLineMentionsOnlyRecordedActors(t *testing.T) {
	a := &alerts.Alert{State: alerts.StateAcked, LastAction: alerts.ActionAck, LastActor: "discord:user:555",
		LastReason: "approved by discord:user:999"}
	got := stateLine(a, nil, time.Time{})
	if !strings.Contains(got, "<@555>") || strings.Contains(got, "<@999>") {
		t.Fatalf("state line %q: want the actor as a mention and the typed id as text", got)
	}
}

func TestShowMediaNeverCutsInsideASpoiler(t *testing.T) {
	a := &alerts.Alert{ID: 7}
	for i := range 40 {
		a.Post.Media = append(a.Post.Media, alerts.Media{Type: "video", URL: "https://cdn.example.org/" + strings.Repeat("v", 60) + "/" + string(rune('a'+i%26)) + ".mp4"})
	}
	c := mediaData(a).Content
	if n := utf8.RuneCountInString(c); n > maxContent {
		t.Fatalf("content of %d characters; want at most %d", n, maxContent)
	}
	if strings.Count(c, "||")%2 != 0 {
		t.Fatalf("content ends inside a spoiler: %q", c[len(c)-80:])
	}
	if !strings.Contains(c, "more") {
		t.Fatalf("dropped links are not announced")
	}
}
