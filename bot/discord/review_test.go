package discord

import (
	"net/url"
	"strings"
	"testing"

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
