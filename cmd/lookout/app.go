package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/bot/console"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/jobs"
	"github.com/lookoutbot/lookout/internal/metrics"
	"github.com/lookoutbot/lookout/internal/outbox"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/match"
)

// app is everything a command needs, wired from the config.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	db       *sql.DB
	database *database
	store    *store.DB
	svc      *alerts.Service
	registry *watchers.Registry
	engine   *jobs.Engine
	sched    *watchers.Scheduler
	metrics  *metrics.Metrics
	handler  *bot.Handler
	now      func() time.Time
	// budgets are the platforms' request budgets, shared by every watch
	// of a credential.
	budgets *ratelimit.Registry
	// holds are the exclusive streams this process holds (run only).
	holds holdings
	// chats are the configured chat platforms (run only).
	chats []*chatAdapter
	// streams are long-lived source connections (run only), such as
	// Bluesky's Jetstream; each runs until its context ends.
	streams []stream
}

// appOptions say how much of the app a command needs.
type appOptions struct {
	// work builds the scheduler, notifiers and deliverer: only `run`
	// works jobs; other commands only insert them.
	work   bool
	stdout io.Writer
	// color prints console cards with ANSI styles.
	color bool
	now   func() time.Time
	// riverLog receives the work engine's own logs.
	riverLog *slog.Logger
}

// loadConfig loads and validates the config file.
func loadConfig(e *env) (*config.Config, error) {
	cfg, err := config.Load(e.config)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func openApp(ctx context.Context, cfg *config.Config, log *slog.Logger, o appOptions) (*app, error) {
	if o.now == nil {
		o.now = time.Now
	}
	d, err := openDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := d.db
	a := &app{cfg: cfg, log: log, db: db, database: d, now: o.now}
	a.store = d.store
	routes, policies := domainRoutes(cfg)
	a.svc = alerts.NewService(a.store, alerts.Options{
		Routes: routes, Policies: policies,
		MuteExpiryNotice: cfg.Escalation.MuteExpiryNotice.Duration,
		Now:              o.now, Logger: log,
	})
	a.budgets = ratelimit.NewRegistry()
	srcs, err := buildSources(cfg, log, a.budgets)
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	sources := make(map[string]watchers.Watcher, len(srcs))
	checks := make(map[string]func(context.Context, *alerts.Watch) error)
	rechecks := make(map[string]watchers.Rechecker)
	names := make([]string, 0, len(srcs))
	for _, src := range srcs {
		for _, n := range src.names {
			sources[n] = src.watcher
			names = append(names, n)
			if src.check != nil {
				checks[n] = src.check
			}
			if src.recheck != nil {
				rechecks[n] = src.recheck
			}
		}
		if src.run != nil {
			a.streams = append(a.streams, stream{name: src.names[0] + ":stream", run: src.run})
		}
	}
	a.registry = watchers.NewRegistry(domainWatches(cfg), a.store, names, o.now)
	// One matcher (one automaton) serves the scheduler and the streams.
	matcher := match.New()
	wireStreams(srcs, a.svc, a.registry, matcher)
	a.registry.Check = func(ctx context.Context, w *alerts.Watch) error {
		if _, ok := a.svc.Route(w.Route); !ok {
			names := make([]string, 0, len(routes))
			for _, r := range routes {
				names = append(names, r.Name)
			}
			return fmt.Errorf("route %q does not exist (routes: %s)", w.Route, strings.Join(names, ", "))
		}
		if check := checks[w.Source]; check != nil {
			return check(ctx, w)
		}
		return nil
	}
	a.handler = bot.NewHandler(a.svc, a.registry, bot.Roles{
		Responder: cfg.Roles.Responder, Moderator: cfg.Roles.Moderator, Admin: cfg.Roles.Admin,
	}, bot.Options{Now: o.now, Status: a, Defaults: bot.WatchDefaults{Route: defaultRoute(cfg), Interval: 5 * time.Minute, Severity: alerts.SeverityMedium}})
	deps := jobs.Deps{Watches: a.registry, Store: a.store, Timers: a.svc, Rechecks: rechecks, Deletions: a.svc}
	if o.work {
		a.metrics = metrics.New(gauges{a}, log)
		a.metrics.Registry.MustRegister(metrics.NewBudgetCollector(a.budgets))
		a.sched = watchers.NewScheduler(sources, matcher, a.svc, a.registry, watchers.Options{
			Jitter:                 cfg.Scheduler.Jitter,
			MaxConcurrentPerSource: cfg.Scheduler.MaxConcurrentPerSource,
			UnhealthyAfter:         cfg.Scheduler.UnhealthyAfter,
			MaxBackoff:             cfg.Scheduler.MaxBackoff.Duration,
			// A poll must end (and count as a failure) before its job is
			// cancelled, or a slow source would retry forever unreported.
			PollTimeout: pollTimeout(cfg.Store.RescueAfter.Duration),
			Now:         o.now, Logger: log, Observer: a.metrics,
		})
		notifiers := map[string]alerts.Notifier{"console": console.New(o.stdout, o.color)}
		if a.chats, err = chatAdapters(cfg, a, log); err != nil {
			_ = d.Close()
			return nil, err
		}
		for _, c := range a.chats {
			notifiers[c.name] = c.notifier
		}
		windows := make(map[string]time.Duration)
		for _, r := range routes {
			windows[r.Name] = r.GroupWindow
		}
		deps.Scheduler = a.sched
		deps.Deliverer = outbox.New(a.store, notifiers, a.svc, outbox.Options{
			Pace: pace(cfg.Delivery.PacePerChannel.Duration), GroupWindows: windows, NoticeAfter: cfg.Delivery.MaxAttemptsNoticeAfter, Now: o.now, Logger: log, Observer: a.metrics,
		})
	}
	a.engine, err = jobs.New(db, d.river, deps, jobs.Options{Logger: log, RiverLogger: o.riverLog, RescueAfter: cfg.Store.RescueAfter.Duration,
		RecheckEvery: cfg.Scheduler.RecheckEvery.Duration, RecheckWindow: cfg.Scheduler.RecheckWindow.Duration})
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	a.store.SetJobs(a.engine)
	a.registry.OnRemove = func(_ context.Context, name string) { matcher.Forget(name) }
	a.registry.OnAdd = func(ctx context.Context, name string) {
		if err := a.engine.EnsurePoll(ctx, name); err != nil {
			log.Error("start_poll_failed", "watch", name, "err", err)
		}
	}
	return a, nil
}

func (a *app) Close() error { return a.database.Close() }

func domainWatches(cfg *config.Config) []alerts.Watch {
	out := make([]alerts.Watch, 0, len(cfg.Watches))
	for _, w := range cfg.Watches {
		accounts := w.Accounts
		if urls := w.FeedURLs(); urls != nil {
			accounts = urls
		}
		out = append(out, alerts.Watch{
			Name: w.Name, Source: w.Source, Accounts: accounts, Keywords: w.Keywords,
			Interval: w.Interval.Duration, Severity: alerts.Severity(w.Severity), Route: w.Route,
			Backfill: w.Backfill, Enabled: w.Enabled, Origin: alerts.OriginConfig,
		})
	}
	return out
}

func domainRoutes(cfg *config.Config) ([]alerts.Route, []alerts.Policy) {
	routes := make([]alerts.Route, 0, len(cfg.Routes))
	for _, r := range cfg.Routes {
		var ds []alerts.Destination
		for _, c := range r.SlackChannels {
			ds = append(ds, alerts.Destination("slack:"+strings.TrimPrefix(c, "#")))
		}
		for _, c := range r.DiscordChannels {
			ds = append(ds, alerts.Destination("discord:"+c))
		}
		if r.Console {
			ds = append(ds, "console")
		}
		routes = append(routes, alerts.Route{Name: r.Name, Destinations: ds, Policy: r.Policy, GroupWindow: r.GroupWindow.Duration})
	}
	policies := make([]alerts.Policy, 0, len(cfg.Policies))
	for _, p := range cfg.Policies {
		dp := alerts.Policy{Name: p.Name, Repeat: p.Repeat}
		for _, s := range p.Steps {
			st := alerts.Step{After: s.After.Duration}
			for _, n := range s.Notify {
				st.Notify = append(st.Notify, notifyDestination(n))
			}
			dp.Steps = append(dp.Steps, st)
		}
		policies = append(policies, dp)
	}
	return routes, policies
}

// notifyDestination turns a policy target as written in the config
// ("slack:#C1", "discord:channel:1") into a destination.
func notifyDestination(n string) alerts.Destination {
	switch {
	case strings.HasPrefix(n, "slack:#"):
		return alerts.Destination("slack:" + strings.TrimPrefix(n, "slack:#"))
	case strings.HasPrefix(n, "discord:channel:"):
		return alerts.Destination("discord:" + strings.TrimPrefix(n, "discord:channel:"))
	}
	return alerts.Destination(n)
}

func defaultRoute(cfg *config.Config) string {
	if _, ok := cfg.Route("default"); ok {
		return "default"
	}
	if len(cfg.Routes) > 0 {
		return cfg.Routes[0].Name
	}
	return ""
}

// stream is a long-lived connection that one process at a time holds: a
// source's stream (Bluesky Jetstream) or a chat gateway (Discord).
type stream struct {
	name string
	run  func(ctx context.Context) error
}

// gauges gives the metrics the counts it reads at scrape time.
type gauges struct{ a *app }

func (g gauges) AlertsByState(ctx context.Context) (map[alerts.State]int, error) {
	var out map[alerts.State]int
	err := g.a.store.View(ctx, func(tx alerts.Tx) error {
		var err error
		out, err = tx.CountAlerts(ctx)
		return err
	})
	return out, err
}

func (g gauges) QueueDepth(ctx context.Context) (map[string]int, error) {
	return g.a.engine.QueueDepth(ctx)
}

// isTerminal reports whether f is a character device (a terminal), to
// decide on colours.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// pace turns the configured pace into the deliverer's: "0s" turns pacing
// off, which the deliverer's zero value (the 1 s default) cannot say.
func pace(d time.Duration) time.Duration {
	if d == 0 {
		return time.Nanosecond
	}
	return d
}

// pollTimeout bounds one poll: two minutes, and well inside the job
// timeout that a short [store] rescue_after implies.
func pollTimeout(rescueAfter time.Duration) time.Duration {
	if rescueAfter <= 0 {
		return 2 * time.Minute
	}
	return min(2*time.Minute, jobs.JobTimeout(rescueAfter)*9/10)
}
