// Package console is the chat adapter for a terminal: with no Slack or
// Discord configured, `lookout run` prints each alert card, every change
// of state and every notice to standard output. Triage happens with the
// `lookout alerts` commands.
package console

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// maxText bounds the post text printed on a card.
const maxText = 2000

// Notifier prints messages to a writer. It implements alerts.Notifier.
type Notifier struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	seq   int
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
		_, err = io.WriteString(n.w, n.card(m.Alert))
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
	if _, err := fmt.Fprintf(n.w, "%s is %s: %s\n", n.style("1", a.Ref()), a.State, Sanitize(bot.StateLine(a, m.Mute, m.Now))); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
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

func (n *Notifier) card(a *alerts.Alert) string {
	var b strings.Builder
	head := fmt.Sprintf("── %s  %s  watch %s  %s ", a.Ref(), strings.ToUpper(string(a.Severity)), a.Watch, a.State)
	fmt.Fprintf(&b, "%s\n", n.style(severityColor(a.Severity), head+strings.Repeat("─", max(0, 72-len([]rune(head))))))
	p := &a.Post
	who := p.Handle
	if who == "" {
		who = p.AuthorID
	}
	fmt.Fprintf(&b, "%s on %s · %s\n", Sanitize(who), p.Platform, p.CreatedAt.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "%s\n", n.highlight(p.MatchText(), a.Hits))
	if p.URL != "" {
		fmt.Fprintf(&b, "%s\n", Sanitize(p.URL))
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
