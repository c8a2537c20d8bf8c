package console_test

import (
	"bytes"
	"context"
	"errors"
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

// changed is alert() after the platform changed things: the author renamed
// the account, edited the post (to hostile text) and then deleted it.
func changed() *alerts.Alert {
	a := alert()
	a.Post.Handle, a.Post.PreviousHandle = "reclutador_2", "reclutador"
	a.Post.DeletedAt, a.Post.DeletedReason = time.Date(2026, 11, 1, 11, 0, 0, 0, time.UTC), "deleted by author"
	a.Latest = &alerts.Post{Platform: "feed", Handle: "reclutador_2", Text: "ya no se busca \x1b[2Jgente nueva en la plaza",
		CreatedAt: time.Date(2026, 11, 1, 10, 30, 0, 0, time.UTC)}
	return a
}

func TestCardShowsWhatThePlatformChanged(t *testing.T) {
	long := strings.Repeat("plaza ", 1000)
	tests := []struct {
		name   string
		alert  func() *alerts.Alert
		want   []string
		absent []string
	}{
		{"unchanged", alert, nil, []string{"is now", "post deleted", "edited on the platform"}},
		{"renamed, edited, deleted", changed, []string{
			"en la »plaza«\n", // the text that alerted, with its hits
			"@reclutador is now @reclutador_2\n",
			"post deleted by author at 2026-11-01 11:00 UTC; the evidence is kept\n",
			"edited on the platform at 2026-11-01 10:30 UTC:\nya no se busca [2Jgente nueva en la plaza\n",
		}, nil},
		{"edit keeping the first time (Telegram)", func() *alerts.Alert {
			a := alert()
			a.Latest = &alerts.Post{Text: "Se busca gente\n(edited)", CreatedAt: a.Post.CreatedAt}
			return a
		}, []string{"edited on the platform:\nSe busca gente\n(edited)\n"}, []string{"edited on the platform at"}},
		{"long edit cut like the post text", func() *alerts.Alert {
			a := alert()
			a.Latest = &alerts.Post{Text: long, CreatedAt: a.Post.CreatedAt.Add(time.Hour)}
			return a
		}, []string{"… [truncated]\n"}, []string{long}},
		{"deleted without a reason", func() *alerts.Alert {
			a := alert()
			a.Post.DeletedAt = time.Date(2026, 11, 1, 11, 0, 0, 0, time.UTC)
			return a
		}, []string{"post deleted at 2026-11-01 11:00 UTC; the evidence is kept\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			n := console.New(&out, false)
			if _, err := n.Post(context.Background(), "console", &alerts.Message{Kind: alerts.DeliveryCard, Alert: tt.alert()}); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if strings.ContainsRune(got, '\x1b') {
				t.Fatalf("card contains an escape character from the post:\n%q", got)
			}
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("card: got\n%s\nwant it to contain %q", got, want)
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(got, bad) {
					t.Errorf("card: got\n%s\nwant no %q", got, bad)
				}
			}
		})
	}
}

func TestEditPrintsEachChangeOnce(t *testing.T) {
	var out bytes.Buffer
	n := console.New(&out, false)
	ctx := context.Background()
	if _, err := n.Post(ctx, "console", &alerts.Message{Kind: alerts.DeliveryCard, Alert: alert()}); err != nil {
		t.Fatal(err)
	}
	edit := func(a *alerts.Alert) string {
		t.Helper()
		out.Reset()
		if err := n.Edit(ctx, "console", "console:1", &alerts.Message{Kind: alerts.DeliveryEdit, Alert: a}); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	edited := alert()
	edited.Latest = &alerts.Post{Text: "ya no se busca", CreatedAt: time.Date(2026, 11, 1, 10, 30, 0, 0, time.UTC)}
	if got, want := edit(edited), "A-7 is open: Open\nedited on the platform at 2026-11-01 10:30 UTC:\nya no se busca\n"; got != want {
		t.Errorf("edit after a post edit: got %q; want %q", got, want)
	}
	edited.State, edited.LastAction, edited.LastActor = alerts.StateAcked, alerts.ActionAck, "cli:maria"
	if got, want := edit(edited), "A-7 is acked: Acknowledged by cli:maria\n"; got != want {
		t.Errorf("edit after an ack: got %q; want %q (the edit once only)", got, want)
	}
	edited.Post.DeletedAt, edited.Post.DeletedReason = time.Date(2026, 11, 1, 11, 0, 0, 0, time.UTC), "removed by moderators"
	if got, want := edit(edited), "A-7 is acked: Acknowledged by cli:maria\npost removed by moderators at 2026-11-01 11:00 UTC; the evidence is kept\n"; got != want {
		t.Errorf("edit after a deletion: got %q; want %q", got, want)
	}
	edited.Latest = &alerts.Post{Text: "otra vez", CreatedAt: time.Date(2026, 11, 1, 10, 45, 0, 0, time.UTC)}
	if got, want := edit(edited), "A-7 is acked: Acknowledged by cli:maria\nedited on the platform at 2026-11-01 10:45 UTC:\notra vez\n"; got != want {
		t.Errorf("edit after a second post edit: got %q; want %q", got, want)
	}
}

// failOnce fails the first write, as a closed pipe would.
type failOnce struct {
	buf    bytes.Buffer
	failed bool
}

func (f *failOnce) Write(p []byte) (int, error) {
	if !f.failed {
		f.failed = true
		return 0, errors.New("broken pipe")
	}
	return f.buf.Write(p)
}

func TestFailedEditPrintsTheChangeOnRetry(t *testing.T) {
	var out failOnce
	n := console.New(&out, false)
	a := alert()
	a.Latest = &alerts.Post{Text: "ya no se busca", CreatedAt: time.Date(2026, 11, 1, 10, 30, 0, 0, time.UTC)}
	m := &alerts.Message{Kind: alerts.DeliveryEdit, Alert: a}
	if err := n.Edit(context.Background(), "console", "console:1", m); err == nil {
		t.Fatal("Edit to a broken writer: got nil; want an error")
	}
	if err := n.Edit(context.Background(), "console", "console:1", m); err != nil {
		t.Fatal(err)
	}
	if got, want := out.buf.String(), "A-7 is open: Open\nedited on the platform at 2026-11-01 10:30 UTC:\nya no se busca\n"; got != want {
		t.Errorf("retried edit: got %q; want %q", got, want)
	}
}
