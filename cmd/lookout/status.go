package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/bot/console"
)

// Status collects what `lookout status` and the chat status command show.
func (a *app) Status(ctx context.Context) (*bot.Status, error) {
	var r bot.Status
	ws, err := a.registry.List(ctx)
	if err != nil {
		return nil, err
	}
	dayAgo := a.now().Add(-24 * time.Hour)
	err = a.store.View(ctx, func(tx alerts.Tx) error {
		for _, w := range ws {
			st, err := tx.WatchState(ctx, w.Name)
			if err != nil {
				return err
			}
			seen, err := tx.SeenSince(ctx, w.Name, dayAgo)
			if err != nil {
				return err
			}
			r.Watches = append(r.Watches, bot.WatchHealth{Name: w.Name, Source: w.Source, Origin: w.Origin, State: st, Seen24h: seen})
		}
		if r.Alerts, err = tx.CountAlerts(ctx); err != nil {
			return err
		}
		if r.Deliveries, err = tx.CountDeliveries(ctx); err != nil {
			return err
		}
		r.Failed, err = tx.DeliveriesByState(ctx, alerts.DeliveryFailed, 10)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read status: %w", err)
	}
	if r.Queue, err = a.engine.QueueDepth(ctx); err != nil {
		return nil, err
	}
	now := a.now()
	err = a.store.View(ctx, func(tx alerts.Tx) error {
		rs, err := tx.Replicas(ctx, now.Add(-3*heartbeatEvery))
		for _, rp := range rs {
			line := fmt.Sprintf("%s (version %s, up %s, seen %s)", rp.ID, rp.Version,
				strings.TrimSuffix(bot.Ago(now.Sub(rp.StartedAt)), " ago"), bot.Ago(now.Sub(rp.SeenAt)))
			if len(rp.Holds) > 0 {
				line += ", holds " + strings.Join(rp.Holds, ", ")
			}
			r.Replicas = append(r.Replicas, line)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read replicas: %w", err)
	}
	for _, b := range a.budgets.Snapshots() {
		if b.Known {
			r.Budgets = append(r.Budgets, fmt.Sprintf("%s: %d of %d left, resets %s", b.Name, b.Remaining, b.Limit, until(b.Reset, now)))
		}
	}
	if len(r.Budgets) == 0 {
		// Another process (`lookout run`) holds the live budgets: show
		// what it last saved.
		var saved []*alerts.Budget
		err := a.store.View(ctx, func(tx alerts.Tx) error {
			var err error
			saved, err = tx.Budgets(ctx)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read budgets: %w", err)
		}
		for _, b := range saved {
			r.Budgets = append(r.Budgets, fmt.Sprintf("%s: %d of %d left, resets %s (as of %s)", b.Name, b.Remaining, b.Limit, until(b.Reset, now), bot.Ago(now.Sub(b.UpdatedAt))))
		}
	}
	return &r, nil
}

func cmdStatus(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w", errUsage)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(e.stderr, "warn"), appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.Status(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, r)
	}
	printStatus(e.stdout, r, time.Now())
	return nil
}

func printStatus(w io.Writer, r *bot.Status, now time.Time) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WATCH\tSOURCE\tHEALTH\tLAST POLL\tLAST OK\tNEXT POLL\tSEEN 24H\tERROR")
	for _, w := range r.Watches {
		st := w.State
		health := "ok"
		switch {
		case st.LastPollAt.IsZero():
			health = "not polled yet"
		case st.Unhealthy:
			health = fmt.Sprintf("UNHEALTHY (%d failures)", st.Failures)
		case st.Failures > 0:
			health = fmt.Sprintf("failing (%d)", st.Failures)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", w.Name, w.Source, health, when(st.LastPollAt, now), when(st.LastOKAt, now),
			until(st.NextPollAt, now), w.Seen24h, oneLine(st.LastError, 80))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nalerts: open %d, acked %d, escalated %d, resolved %d\n",
		r.Alerts[alerts.StateOpen], r.Alerts[alerts.StateAcked], r.Alerts[alerts.StateEscalated], r.Alerts[alerts.StateResolved])
	fmt.Fprintf(w, "deliveries: pending %d, sent %d, failed %d\n",
		r.Deliveries[alerts.DeliveryPending], r.Deliveries[alerts.DeliverySent], r.Deliveries[alerts.DeliveryFailed])
	for _, d := range r.Failed {
		fmt.Fprintf(w, "  FAILED %s %s to %s: %s\n", d.Kind, alerts.FormatRef(d.AlertID), d.Destination, console.Sanitize(d.LastError))
	}
	keys := make([]string, 0, len(r.Queue))
	for k := range r.Queue {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, rp := range r.Replicas {
		fmt.Fprintf(w, "replica %s\n", rp)
	}
	for _, b := range r.Budgets {
		fmt.Fprintf(w, "budget %s\n", b)
	}
	fmt.Fprint(w, "queue:")
	for _, k := range keys {
		fmt.Fprintf(w, " %s=%d", k, r.Queue[k])
	}
	fmt.Fprintln(w)
}

func when(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return bot.Ago(now.Sub(t))
}

// until renders a future time as "in 4m", a past one as "due".
func until(t, now time.Time) string {
	switch {
	case t.IsZero():
		return "-"
	case !t.After(now):
		return "due"
	}
	if d := t.Sub(now); d < time.Minute {
		return fmt.Sprintf("in %ds", int(d.Seconds()+0.5))
	}
	return "in " + strings.TrimSuffix(bot.Ago(t.Sub(now)), " ago")
}
