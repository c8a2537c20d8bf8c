package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/internal/config"
)

const watchUsage = `usage:
  lookout watch list [--json]
  lookout watch add NAME --source SOURCE [--accounts A,B] [--keywords K1,"K 2"] [--interval 5m]
                   [--severity medium] [--route NAME] [--backfill] [--as NAME]
  lookout watch remove NAME [--as NAME]
  lookout watch import FILE.csv --name NAME --source SOURCE [--route NAME] [--interval 5m] [--as NAME]
      FILE.csv has a header row with an "account" column, a "keyword" column, or both;
      each row fills one or both. Blank cells and duplicates are skipped.`

func cmdWatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" {
		return fmt.Errorf("%s: %w", watchUsage, errUsage)
	}
	switch args[0] {
	case "list":
		return watchList(ctx, e, args[1:])
	case "add":
		return watchAdd(ctx, e, args[1:])
	case "remove":
		return watchRemove(ctx, e, args[1:])
	case "import":
		return watchImport(ctx, e, args[1:])
	}
	return fmt.Errorf("unknown watch command %q\n%s: %w", args[0], watchUsage, errUsage)
}

// parseInterleaved parses flags that may come before or after the
// positional arguments ("add NAME --source x" and "add --source x NAME").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func watchList(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("watch list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterleaved(fs, args); err != nil {
		return fmt.Errorf("%s: %w", watchUsage, errUsage)
	}
	a, err := openCLI(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	ws, err := a.registry.List(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, ws)
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSOURCE\tORIGIN\tINTERVAL\tSEVERITY\tROUTE\tACCOUNTS\tKEYWORDS")
	for _, w := range ws {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", w.Name, w.Source, w.Origin, w.Interval, w.Severity, w.Route, len(w.Accounts), len(w.Keywords))
	}
	return tw.Flush()
}

// watchFlags are the settings shared by add and import.
type watchFlags struct {
	source, route, severity, as string
	interval                    time.Duration
	backfill                    bool
}

func (f *watchFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.source, "source", "", "source: feed, youtube, …")
	fs.StringVar(&f.route, "route", "", "route name (default: the config's default route)")
	fs.StringVar(&f.severity, "severity", string(alerts.SeverityMedium), "low, medium, high or critical")
	fs.DurationVar(&f.interval, "interval", 5*time.Minute, "poll interval")
	fs.BoolVar(&f.backfill, "backfill", false, "alert on what the source already holds")
	fs.StringVar(&f.as, "as", "", "who is acting (audited)")
}

func (f *watchFlags) watch(cfg *config.Config, name string) *alerts.Watch {
	route := f.route
	if route == "" {
		route = defaultRoute(cfg)
	}
	return &alerts.Watch{Name: name, Source: f.source, Interval: f.interval, Severity: alerts.Severity(f.severity), Route: route, Backfill: f.backfill}
}

func watchAdd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("watch add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var wf watchFlags
	wf.register(fs)
	accounts := fs.String("accounts", "", "comma-separated accounts (feed URLs for feeds)")
	keywords := fs.String("keywords", "", `comma-separated keywords; quote phrases: 'plaza,"gente nueva"'`)
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 {
		return fmt.Errorf("%s: %w", watchUsage, errUsage)
	}
	return withRole(ctx, e, wf.as, bot.RoleModerator, func(a *app, actor bot.Actor) error {
		w := wf.watch(a.cfg, pos[0])
		var err error
		if w.Accounts, err = splitList(*accounts); err != nil {
			return err
		}
		if w.Keywords, err = splitList(*keywords); err != nil {
			return err
		}
		if err := a.registry.Add(ctx, w, actor.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "watch %s added (%d accounts, %d keywords); `lookout run` polls it within a minute\n", w.Name, len(w.Accounts), len(w.Keywords))
		return nil
	})
}

func watchRemove(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("watch remove", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	as := fs.String("as", "", "who is acting (audited)")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 {
		return fmt.Errorf("%s: %w", watchUsage, errUsage)
	}
	return withRole(ctx, e, *as, bot.RoleAdmin, func(a *app, actor bot.Actor) error {
		if err := a.registry.Remove(ctx, pos[0], actor.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "watch %s removed; its alerts and history are kept\n", pos[0])
		return nil
	})
}

func watchImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("watch import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var wf watchFlags
	wf.register(fs)
	name := fs.String("name", "", "name of the new watch")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 || *name == "" {
		return fmt.Errorf("%s: %w", watchUsage, errUsage)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	accounts, keywords, err := readWatchCSV(f)
	if err != nil {
		return fmt.Errorf("import %s: %w", pos[0], err)
	}
	return withRole(ctx, e, wf.as, bot.RoleModerator, func(a *app, actor bot.Actor) error {
		w := wf.watch(a.cfg, *name)
		w.Accounts, w.Keywords = accounts, keywords
		if err := a.registry.Add(ctx, w, actor.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "watch %s imported from %s: %d accounts, %d keywords\n", w.Name, pos[0], len(accounts), len(keywords))
		return nil
	})
}

// readWatchCSV reads accounts and keywords from a CSV file with a header
// row naming an "account" column, a "keyword" column, or both.
func readWatchCSV(r io.Reader) (accounts, keywords []string, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("read header: %w", err)
	}
	ai, ki := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "account", "accounts":
			ai = i
		case "keyword", "keywords":
			ki = i
		}
	}
	if ai < 0 && ki < 0 {
		return nil, nil, errors.New(`the header row needs an "account" or a "keyword" column`)
	}
	seenA, seenK := map[string]bool{}, map[string]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		if v := cell(rec, ai); v != "" && !seenA[v] {
			seenA[v] = true
			accounts = append(accounts, v)
		}
		if v := cell(rec, ki); v != "" && !seenK[v] {
			seenK[v] = true
			keywords = append(keywords, v)
		}
	}
	if len(accounts)+len(keywords) == 0 {
		return nil, nil, errors.New("no accounts or keywords found")
	}
	return accounts, keywords, nil
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// splitList splits a comma-separated flag value, keeping commas inside
// double quotes and the quotes themselves (a quoted keyword is a phrase).
func splitList(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ',' && !quoted:
			if v := strings.TrimSpace(cur.String()); v != "" {
				out = append(out, v)
			}
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if quoted {
		return nil, fmt.Errorf("unbalanced quote in %q", s)
	}
	if v := strings.TrimSpace(cur.String()); v != "" {
		out = append(out, v)
	}
	return out, nil
}

// withRole opens the app, checks that the CLI actor holds at least role,
// and runs fn.
func withRole(ctx context.Context, e *env, as string, role bot.Role, fn func(*app, bot.Actor) error) error {
	actor, err := cliActor(e, as)
	if err != nil {
		return err
	}
	a, err := openCLI(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	roles := bot.Roles{Responder: a.cfg.Roles.Responder, Moderator: a.cfg.Roles.Moderator, Admin: a.cfg.Roles.Admin}
	if got := roles.Of(actor); got < role {
		return fmt.Errorf("%w: %s is a %s; this needs a %s (see [roles] in the config)", alerts.ErrForbidden, actor.ID, got, role)
	}
	return fn(a, actor)
}

// openCLI loads the config and opens the app for a one-shot command.
func openCLI(ctx context.Context, e *env) (*app, error) {
	cfg, err := loadConfig(e)
	if err != nil {
		return nil, err
	}
	return openApp(ctx, cfg, newLogger(e.stderr, "warn"), appOptions{})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
