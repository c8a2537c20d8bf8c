package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/bot/console"
)

const alertsUsage = `usage: lookout alerts COMMAND [ARGS] [--as NAME] [--json] [--action-id ID]

  list [open|acked|escalated|resolved|all] [watch NAME]   alerts, newest first
  show A-42                      one alert with its post, evidence and history
  history A-42                   who did what to an alert, and when
  ack A-42 [reason]              acknowledge            unack A-42
  escalate A-42 [to TARGET] [reason]                    resolve A-42 [reason]
  reopen A-42 [reason]           assign A-42 @who       note A-42 text
  mute A-42 [for 24h] [reason]   mute @handle for 24h [reason]
  mute "phrase" for 7d [reason]  mute watch NAME for 1h [reason]
  unmute M-7                     mutes [all]
  export [--format csv|json] [--since 7d] [--until TIME] [--state open,acked] [--watch NAME] [--out FILE]

Actions are audited as cli:NAME (--as, else $LOOKOUT_AS, else your login name)
and checked against [roles]. --action-id makes a retried command apply once.`

// cliFlags are the flags every alerts command takes, anywhere on the line.
type cliFlags struct {
	as, actionID string
	json         bool
}

// splitFlags pulls --as, --json and --action-id out of args, leaving the
// command words in order.
func splitFlags(args []string) (cliFlags, []string, error) {
	var f cliFlags
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "--") {
			rest = append(rest, a)
			continue
		}
		switch name {
		case "json":
			f.json = true
			continue
		case "as", "action-id":
		default:
			rest = append(rest, a)
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return f, nil, fmt.Errorf("--%s needs a value: %w", name, errUsage)
			}
			i++
			val = args[i]
		}
		if name == "as" {
			f.as = val
		} else {
			f.actionID = val
		}
	}
	return f, rest, nil
}

func cmdAlerts(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		return fmt.Errorf("%s: %w", alertsUsage, errUsage)
	}
	if args[0] == "export" {
		return alertsExport(ctx, e, args[1:])
	}
	f, words, err := splitFlags(args)
	if err != nil {
		return err
	}
	actor, err := cliActor(e, f.as)
	if err != nil {
		return err
	}
	a, err := openCLI(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	id := f.actionID
	if id == "" {
		id = actionID()
	}
	r := a.handler.Handle(ctx, actor, id, commandText(words))
	if r.Err != nil {
		a.log.Error("command_failed", "command", words[0], "err", r.Err)
	}
	if r.Kind != bot.ReplyOK {
		return errors.New(r.Text)
	}
	if f.json {
		return writeJSON(e.stdout, jsonReply(r))
	}
	printReply(e.stdout, r, time.Now())
	return nil
}

// commandText joins shell words back into the command grammar, quoting a
// word that holds spaces (a phrase to mute) so it stays one term.
func commandText(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if i > 0 && words[0] == "mute" && strings.ContainsAny(w, " \t") && !strings.HasPrefix(w, `"`) {
			w = `"` + w + `"`
		}
		out[i] = w
	}
	return strings.Join(out, " ")
}

// jsonReply picks the data a reply carries.
func jsonReply(r *bot.Reply) any {
	switch {
	case r.History != nil && r.Alert != nil:
		return struct {
			Alert   *alerts.Alert        `json:"alert"`
			History []*alerts.AuditEvent `json:"history"`
		}{r.Alert, r.History}
	case r.History != nil:
		return r.History
	case r.Alerts != nil:
		return r.Alerts
	case r.Mutes != nil:
		return r.Mutes
	case r.Watches != nil:
		return r.Watches
	case r.Status != nil:
		return r.Status
	case r.Mute != nil:
		return r.Mute
	case r.Alert != nil:
		return r.Alert
	}
	return map[string]string{"result": r.Text}
}

func printReply(w io.Writer, r *bot.Reply, now time.Time) {
	switch {
	case r.Alerts != nil:
		printAlerts(w, r.Alerts, now)
	case r.Mutes != nil:
		printMutes(w, r.Mutes, now)
	case r.Alert != nil && r.History != nil:
		printAlert(w, r.Alert, r.History, now)
	case r.History != nil:
		printHistory(w, r.History)
	case r.Status != nil:
		printStatus(w, r.Status, now)
	default:
		fmt.Fprintln(w, console.Sanitize(r.Text))
	}
}

func printAlerts(w io.Writer, as []*alerts.Alert, now time.Time) {
	if len(as) == 0 {
		fmt.Fprintln(w, "no alerts")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tSEVERITY\tWATCH\tAGE\tAUTHOR\tTEXT")
	for _, a := range as {
		state := string(a.State)
		if a.Muted {
			state += " (muted)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Ref(), state, a.Severity, a.Watch, bot.Ago(now.Sub(a.CreatedAt)),
			console.Sanitize(author(&a.Post)), oneLine(a.Post.MatchText(), 60))
	}
	_ = tw.Flush()
}

func printAlert(w io.Writer, a *alerts.Alert, h []*alerts.AuditEvent, now time.Time) {
	p := &a.Post
	fmt.Fprintf(w, "%s  %s  watch %s  severity %s\n", a.Ref(), string(a.State)+": "+bot.StateLine(a, nil, now), a.Watch, a.Severity)
	fmt.Fprintf(w, "author:   %s (%s) on %s\n", console.Sanitize(author(p)), console.Sanitize(p.AuthorID), p.Platform)
	fmt.Fprintf(w, "posted:   %s\n", p.CreatedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "url:      %s\n", console.Sanitize(p.URL))
	fmt.Fprintf(w, "matched:  %s\n", console.Sanitize(strings.Join(alerts.Match{Hits: a.Hits}.Terms(), ", ")))
	fmt.Fprintf(w, "evidence: sha256 %s, fetched %s\n", a.Evidence.SHA256, a.Evidence.FetchedAt.Format(time.RFC3339))
	fmt.Fprintf(w, "\n%s\n\n", console.Sanitize(p.MatchText()))
	printHistory(w, h)
}

func printHistory(w io.Writer, h []*alerts.AuditEvent) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tACTION\tBY\tFROM\tSTATE\tDETAIL")
	for _, ev := range h {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ev.At.UTC().Format("2006-01-02 15:04:05"), ev.Action, console.Sanitize(ev.Actor),
			ev.Source, ev.To, oneLine(ev.Detail, 80))
	}
	_ = tw.Flush()
}

func printMutes(w io.Writer, ms []*alerts.Mute, now time.Time) {
	if len(ms) == 0 {
		fmt.Fprintln(w, "no mutes in force")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCOPE\tCOVERS\tBY\tEXPIRES\tREASON")
	for _, m := range ms {
		exp := "in " + strings.TrimSuffix(bot.Ago(m.ExpiresAt.Sub(now)), " ago")
		if m.Ended {
			exp = "ended"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Ref(), m.Scope, console.Sanitize(m.Describe()), console.Sanitize(m.CreatedBy), exp, oneLine(m.Reason, 60))
	}
	_ = tw.Flush()
}

func author(p *alerts.Post) string {
	if p.Handle != "" {
		return p.Handle
	}
	return p.AuthorID
}

// oneLine flattens and shortens untrusted text for a table cell.
func oneLine(s string, n int) string {
	s = console.Sanitize(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
