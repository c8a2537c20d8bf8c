package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/internal/config"
)

// exportLimit bounds one export; narrow the time range for more.
const exportLimit = 1_000_000

// exported is one alert with its history, as `alerts export` writes it.
type exported struct {
	Ref     string               `json:"ref"`
	Alert   *alerts.Alert        `json:"alert"`
	History []*alerts.AuditEvent `json:"history"`
}

func alertsExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("alerts export", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "csv", "csv or json")
	since := fs.String("since", "", "only alerts raised since: a duration back from now (7d) or an RFC 3339 time")
	until := fs.String("until", "", "only alerts raised before: a duration back from now or an RFC 3339 time")
	states := fs.String("state", "", "comma-separated states (open,acked,escalated,resolved); default all")
	watch := fs.String("watch", "", "only this watch")
	out := fs.String("out", "", "write to this file instead of standard output")
	as := fs.String("as", "", "who is exporting (must hold a role)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return fmt.Errorf("%s: %w", alertsUsage, errUsage)
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("--format must be csv or json, not %q: %w", *format, errUsage)
	}
	now := time.Now().UTC()
	f := alerts.AlertFilter{Watch: *watch, IncludeMuted: true, Limit: exportLimit}
	var err error
	if f.Since, err = parseWhen(*since, now); err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	if f.Until, err = parseWhen(*until, now); err != nil {
		return fmt.Errorf("--until: %w", err)
	}
	for _, s := range strings.Split(*states, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !alerts.State(s).Valid() {
			return fmt.Errorf("--state: unknown state %q (open, acked, escalated, resolved): %w", s, errUsage)
		}
		f.States = append(f.States, alerts.State(s))
	}
	var rows []exported
	err = withRole(ctx, e, *as, bot.RoleResponder, func(a *app, _ bot.Actor) error {
		return a.store.View(ctx, func(tx alerts.Tx) error {
			list, err := tx.Alerts(ctx, f)
			if err != nil {
				return err
			}
			for _, al := range list {
				h, err := tx.History(ctx, al.ID)
				if err != nil {
					return err
				}
				rows = append(rows, exported{Ref: al.Ref(), Alert: al, History: h})
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := e.stdout
	if *out != "" {
		file, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer file.Close()
		w = file
	}
	if *format == "json" {
		err = writeJSON(w, rows)
	} else {
		err = writeCSV(w, rows)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *out != "" {
		fmt.Fprintf(e.stderr, "exported %d alerts to %s\n", len(rows), *out)
	}
	return nil
}

// parseWhen reads "7d" (that long ago) or an RFC 3339 time; "" is zero.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := config.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a duration (7d) nor an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

var csvHeader = []string{
	"ref", "watch", "severity", "state", "muted", "created_at", "updated_at", "assignee",
	"platform", "post_id", "author_id", "handle", "post_created_at", "url", "text", "terms",
	"evidence_sha256", "fetched_at", "history",
}

// writeCSV writes one row per alert; the history is one cell of
// "time actor action detail" lines, so a spreadsheet keeps it with its
// alert. Cells that a spreadsheet would run as a formula are prefixed
// with a quote.
func writeCSV(w io.Writer, rows []exported) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, r := range rows {
		a, p := r.Alert, &r.Alert.Post
		var hist []string
		for _, ev := range r.History {
			hist = append(hist, strings.TrimSpace(fmt.Sprintf("%s %s %s %s", ev.At.UTC().Format(time.RFC3339), ev.Actor, ev.Action, ev.Detail)))
		}
		rec := []string{
			r.Ref, a.Watch, string(a.Severity), string(a.State), strconv.FormatBool(a.Muted),
			a.CreatedAt.UTC().Format(time.RFC3339), a.UpdatedAt.UTC().Format(time.RFC3339), a.Assignee,
			p.Platform, p.ID, p.AuthorID, p.Handle, p.CreatedAt.UTC().Format(time.RFC3339), p.URL, p.MatchText(),
			strings.Join(alerts.Match{Hits: a.Hits}.Terms(), "; "), a.Evidence.SHA256,
			a.Evidence.FetchedAt.UTC().Format(time.RFC3339), strings.Join(hist, "\n"),
		}
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formula injection from untrusted text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
