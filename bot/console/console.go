// Package console is the chat adapter for a terminal: with no Slack or
// Discord configured, `lookout run` prints each alert card, every change
// of state and every notice to standard output. Triage happens with the
// `lookout alerts` commands.
package console

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// maxText bounds the post text printed on a card.
const maxText = 2000

// timeLayout is how cards print times.
const timeLayout = "2006-01-02 15:04 MST"

// Notifier prints messages to a writer. It implements alerts.Notifier.
type Notifier struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	seq   int
	// shown holds, per alert, the notes (edit, deletion, rename) already
	// printed, so that each is printed once and not again with every
	// change of state. An alert's entry goes once it is resolved.
	shown map[int64][]string
}

var _ alerts.Notifier = (*Notifier)(nil)

// New returns a notifier writing to w; color turns on ANSI bold and
// colours (for a terminal).
func New(w io.Writer, color bool) *Notifier {
	return &Notifier{w: w, color: color}
}

// Post prints a card or a notice and returns a reference for later edits.
func (n *Notifier) Post(_ context.Context, _ alerts.Destination, m *alerts.Message) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seq++
	var err error
	switch {
	case m.Kind == alerts.DeliveryCard && m.Group != nil:
		_, err = io.WriteString(n.w, n.groupCard(m.Group))
	case m.Kind == alerts.DeliveryCard && m.Alert != nil:
		notes := n.unseen(m.Alert)
		if _, err = io.WriteString(n.w, n.card(m.Alert, notes)); err == nil {
			n.remember(m.Alert, notes)
		}
	default:
		_, err = fmt.Fprintf(n.w, "%s %s\n", n.style("1;33", "notice:"), Sanitize(m.Notice))
	}
	if err != nil {
		return "", fmt.Errorf("console: %w", err)
	}
	return "console:" + strconv.Itoa(n.seq), nil
}

// Edit prints the alert's new state on one line: a terminal cannot change
// what it already printed.
func (n *Notifier) Edit(_ context.Context, _ alerts.Destination, _ string, m *alerts.Message) error {
	if m.Alert == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	a := m.Alert
	notes := n.unseen(a)
	line := fmt.Sprintf("%s is %s: %s\n", n.style("1", a.Ref()), a.State, Sanitize(bot.StateLine(a, m.Mute, m.Now)))
	if _, err := io.WriteString(n.w, line+strings.Join(notes, "")); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	n.remember(a, notes)
	return nil
}

// notes are what the platform changed since the alert was raised, one
// printable piece each: the author's rename, the post's deletion and its
// newest version. The text that alerted stays on the card as evidence;
// the new version is sanitised and cut like it but never marked, since
// the hits point into the version that alerted.
func (n *Notifier) notes(a *alerts.Alert) []string {
	p := &a.Post
	var out []string
	if p.PreviousHandle != "" && p.PreviousHandle != p.Handle {
		out = append(out, fmt.Sprintf("%s is now %s\n", Sanitize(atHandle(p.PreviousHandle)), Sanitize(atHandle(p.Handle))))
	}
	if !p.DeletedAt.IsZero() {
		reason := p.DeletedReason
		if reason == "" {
			reason = "deleted"
		}
		out = append(out, fmt.Sprintf("post %s at %s; the evidence is kept\n", Sanitize(reason), p.DeletedAt.UTC().Format(timeLayout)))
	}
	if a.Latest != nil {
		head := "edited on the platform:"
		if at := bot.EditedAt(a); !at.IsZero() {
			head = "edited on the platform at " + at.UTC().Format(timeLayout) + ":"
		}
		out = append(out, head+"\n"+n.highlight(a.Latest.MatchText(), nil)+"\n")
	}
	return out
}

// unseen returns the notes of a not printed yet. Callers hold n.mu.
func (n *Notifier) unseen(a *alerts.Alert) []string {
	var fresh []string
	for _, note := range n.notes(a) {
		if !slices.Contains(n.shown[a.ID], note) {
			fresh = append(fresh, note)
		}
	}
	return fresh
}

// remember records notes of a as printed, once they were written. Callers
// hold n.mu.
func (n *Notifier) remember(a *alerts.Alert, notes []string) {
	if a.State == alerts.StateResolved {
		delete(n.shown, a.ID)
		return
	}
	if len(notes) == 0 {
		return
	}
	if n.shown == nil {
		n.shown = map[int64][]string{}
	}
	n.shown[a.ID] = append(n.shown[a.ID], notes...)
}

// atHandle shows a handle with one leading @.
func atHandle(h string) string {
	if h == "" || strings.HasPrefix(h, "@") || strings.Contains(h, "://") {
		return h
	}
	return "@" + h
}

// groupCard prints a burst of alerts of one watch as one block, one line
// per alert, each still addressable by its id.
func (n *Notifier) groupCard(group []*alerts.Alert) string {
	var b strings.Builder
	head := fmt.Sprintf("── %d new matches for watch %s ", len(group), group[0].Watch)
	fmt.Fprintf(&b, "%s\n", n.style(severityColor(group[0].Severity), head+strings.Repeat("─", max(0, 72-len([]rune(head))))))
	for _, a := range group {
		who := a.Post.Handle
		if who == "" {
			who = a.Post.AuthorID
		}
		text := strings.Join(strings.Fields(a.Post.MatchText()), " ")
		if r := []rune(text); len(r) > 80 {
			text = string(r[:80]) + "…"
		}
		fmt.Fprintf(&b, "%s  %s  %s: %s\n", n.style("1", a.Ref()), a.State, Sanitize(who), Sanitize(text))
	}
	fmt.Fprintf(&b, "triage:  lookout alerts ack %s --as NAME (each alert by its id)\n", group[0].Ref())
	return b.String()
}

func (n *Notifier) card(a *alerts.Alert, notes []string) string {
	var b strings.Builder
	head := fmt.Sprintf("── %s  %s  watch %s  %s ", a.Ref(), strings.ToUpper(string(a.Severity)), a.Watch, a.State)
	fmt.Fprintf(&b, "%s\n", n.style(severityColor(a.Severity), head+strings.Repeat("─", max(0, 72-len([]rune(head))))))
	p := &a.Post
	who := p.Handle
	if who == "" {
		who = p.AuthorID
	}
	fmt.Fprintf(&b, "%s on %s · %s\n", Sanitize(who), p.Platform, p.CreatedAt.UTC().Format(timeLayout))
	fmt.Fprintf(&b, "%s\n", n.highlight(p.MatchText(), a.Hits))
	if p.URL != "" {
		fmt.Fprintf(&b, "%s\n", Sanitize(p.URL))
	}
	for _, note := range notes {
		b.WriteString(note)
	}
	if terms := (alerts.Match{Hits: a.Hits}).Terms(); len(terms) > 0 {
		fmt.Fprintf(&b, "matched: %s\n", Sanitize(strings.Join(terms, ", ")))
	}
	fmt.Fprintf(&b, "triage:  lookout alerts ack %s --as NAME\n", a.Ref())
	return b.String()
}

// highlight marks the hit ranges of text, bold on a terminal and with
// »brackets« otherwise, after sanitising every piece.
func (n *Notifier) highlight(text string, hits []alerts.Hit) string {
	var b strings.Builder
	for _, s := range bot.Segments(text, hits) {
		t := Sanitize(s.Text)
		switch {
		case !s.Matched:
			b.WriteString(t)
		case n.color:
			b.WriteString(n.style("1;4", t))
		default:
			b.WriteString("»" + t + "«")
		}
	}
	return bot.Truncate(b.String(), maxText, "… [truncated]")
}

func (n *Notifier) style(code, s string) string {
	if !n.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func severityColor(s alerts.Severity) string {
	switch s {
	case alerts.SeverityCritical:
		return "1;41"
	case alerts.SeverityHigh:
		return "1;31"
	case alerts.SeverityMedium:
		return "1;33"
	}
	return "1;36"
}

// Sanitize removes control characters (escape sequences could rewrite the
// operator's terminal) and bidirectional overrides from untrusted text,
// keeping newlines and tabs.
func Sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
