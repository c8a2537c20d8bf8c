package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot/console"
)

func TestSanitize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "gente nueva", "gente nueva"},
		{"newlines and tabs kept", "a\n\tb", "a\n\tb"},
		{"escape sequence dropped", "x\x1b[2J\x1b]0;owned\x07y", "x[2J]0;ownedy"},
		{"carriage return dropped", "fake\rreal", "fakereal"},
		{"bidi override dropped", "abc\u202Egnp.exe", "abcgnp.exe"},
		{"invalid utf-8 replaced", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := console.Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q): got %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func alert() *alerts.Alert {
	text := "Se busca \x1b[31mgente nueva\x1b[0m en la plaza"
	start := strings.Index(text, "gente")
	return &alerts.Alert{
		ID: 7, Watch: "border", Severity: alerts.SeverityHigh, State: alerts.StateOpen,
		Post: alerts.Post{Platform: "feed", Handle: "reclutador", Text: text, URL: "https://example.org/1",
			CreatedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)},
		Hits: []alerts.Hit{{Term: `"gente nueva"`, Start: start, End: strings.Index(text, "\x1b[0m")}, {Term: "plaza", Start: len(text) - 5, End: len(text)}},
	}
}

func TestCardMarksHitsAndNeutralisesEscapes(t *testing.T) {
	var out bytes.Buffer
	n := console.New(&out, false)
	ref, err := n.Post(context.Background(), "console", &alerts.Message{Kind: alerts.DeliveryCard, Alert: alert()})
	if err != nil || ref == "" {
		t.Fatalf("Post: ref %q, err %v", ref, err)
	}
	got := out.String()
	if strings.ContainsRune(got, '\x1b') {
		t.Fatalf("card contains an escape character from the post:\n%q", got)
	}
	for _, want := range []string{"A-7", "HIGH", "watch border", "»plaza«", "https://example.org/1", "lookout alerts ack A-7"} {
		if !strings.Contains(got, want) {
			t.Errorf("card lacks %q:\n%s", want, got)
		}
	}
}

func TestEditPrintsTheNewState(t *testing.T) {
	var out bytes.Buffer
	n := console.New(&out, false)
	a := alert()
	a.State, a.LastAction, a.LastActor = alerts.StateAcked, alerts.ActionAck, "cli:maria"
	now := time.Date(2026, 11, 1, 10, 5, 0, 0, time.UTC)
	a.UpdatedAt = now.Add(-3 * time.Minute)
	if err := n.Edit(context.Background(), "console", "console:1", &alerts.Message{Kind: alerts.DeliveryEdit, Alert: a, Now: now}); err != nil {
		t.Fatal(err)
	}
	if want := "A-7 is acked: Acknowledged by cli:maria · 3m ago\n"; out.String() != want {
		t.Fatalf("edit: got %q; want %q", out.String(), want)
	}
}

func TestGroupedCardListsEveryAlert(t *testing.T) {
	var out bytes.Buffer
	n := console.New(&out, false)
	a, b := alert(), alert()
	b.ID = 8
	if _, err := n.Post(context.Background(), "console", &alerts.Message{Kind: alerts.DeliveryCard, Group: []*alerts.Alert{a, b}}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "2 new matches for watch border") || !strings.Contains(got, "A-7") || !strings.Contains(got, "A-8") {
		t.Fatalf("grouped card:\n%s", got)
	}
}
