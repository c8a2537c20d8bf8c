package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/bot/console"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/jobs"
	"github.com/lookoutbot/lookout/internal/metrics"
	"github.com/lookoutbot/lookout/internal/outbox"
	"github.com/lookoutbot/lookout/internal/store"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/feed"
	"github.com/lookoutbot/lookout/watchers/match"
)

// app is everything a command needs, wired from the config.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	db       *sql.DB
	store    *store.DB
	svc      *alerts.Service
	registry *watchers.Registry
	engine   *jobs.Engine
	sched    *watchers.Scheduler
	metrics  *metrics.Metrics
	handler  *bot.Handler
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

// openDB opens and migrates the configured database, River's tables
// included.
func openDB(ctx context.Context, cfg *config.Config) (*sql.DB, error) {
	switch cfg.Store.Driver {
	case "sqlite":
	case "postgres":
		return nil, errors.New("store driver \"postgres\" is not available in this build yet; use driver = \"sqlite\"")
	default:
		return nil, fmt.Errorf("unknown store driver %q", cfg.Store.Driver)
	}
	db, err := sqlite.Open(ctx, cfg.Store.DSN)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	if err := sqlite.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate store: %w", err)
	}
	m, err := rivermigrate.New(riversqlite.New(db), nil)
	if err != nil {
		return fmt.Errorf("migrate work queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate work queue: %w", err)
	}
	return nil
}

func openApp(ctx context.Context, cfg *config.Config, log *slog.Logger, o appOptions) (*app, error) {
	if o.now == nil {
		o.now = time.Now
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: db}
	a.store = sqlite.New(db, nil)
	routes, policies := domainRoutes(cfg)
	a.svc = alerts.NewService(a.store, alerts.Options{
		Routes: routes, Policies: policies,
		MuteExpiryNotice: cfg.Escalation.MuteExpiryNotice.Duration,
		Now:              o.now, Logger: log,
	})
	sources := watcherSet(cfg, log)
	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	a.registry = watchers.NewRegistry(domainWatches(cfg), a.store, names, o.now)
	a.handler = bot.NewHandler(a.svc, a.registry, bot.Roles{
		Responder: cfg.Roles.Responder, Moderator: cfg.Roles.Moderator, Admin: cfg.Roles.Admin,
	}, bot.Options{Now: o.now, Defaults: bot.WatchDefaults{Route: defaultRoute(cfg), Interval: 5 * time.Minute, Severity: alerts.SeverityMedium}})
	deps := jobs.Deps{Watches: a.registry, Store: a.store, Timers: a.svc}
	if o.work {
		a.metrics = metrics.New(gauges{a}, log)
		a.sched = watchers.NewScheduler(sources, match.New(), a.svc, a.registry, watchers.Options{
			Jitter:                 cfg.Scheduler.Jitter,
			MaxConcurrentPerSource: cfg.Scheduler.MaxConcurrentPerSource,
			UnhealthyAfter:         cfg.Scheduler.UnhealthyAfter,
			MaxBackoff:             cfg.Scheduler.MaxBackoff.Duration,
			Now:                    o.now, Logger: log, Observer: a.metrics,
		})
		notifiers := map[string]alerts.Notifier{"console": console.New(o.stdout, o.color)}
		windows := make(map[string]time.Duration)
		for _, r := range routes {
			windows[r.Name] = r.GroupWindow
		}
		deps.Scheduler = a.sched
		deps.Deliverer = outbox.New(a.store, notifiers, a.svc, outbox.Options{
			Pace: cfg.Delivery.PacePerChannel.Duration, GroupWindows: windows, NoticeAfter: cfg.Delivery.MaxAttemptsNoticeAfter, Now: o.now, Logger: log, Observer: a.metrics,
		})
	}
	a.engine, err = jobs.New(db, riversqlite.New(db), deps, jobs.Options{Logger: log, RiverLogger: o.riverLog})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	a.store.SetJobs(a.engine)
	a.registry.OnAdd = func(ctx context.Context, name string) {
		if err := a.engine.EnsurePoll(ctx, name); err != nil {
			log.Error("start_poll_failed", "watch", name, "err", err)
		}
	}
	return a, nil
}

func (a *app) Close() error { return a.db.Close() }

// watcherSet builds one watcher per source. Feeds from the config file are
// trusted (they may be file:// or on the local network); feeds added at run
// time go through the SSRF guard unless [sources.feed] allow_private says
// otherwise.
func watcherSet(cfg *config.Config, log *slog.Logger) map[string]watchers.Watcher {
	ua := cfg.Sources.Feed.UserAgent
	if ua == "" {
		ua = "Lookout/" + version
	}
	trusted := httpx.New(httpx.Options{UserAgent: ua, MaxBodyBytes: cfg.Sources.Feed.MaxBodyBytes, Logger: log})
	guarded := httpx.New(httpx.Options{UserAgent: ua, MaxBodyBytes: cfg.Sources.Feed.MaxBodyBytes, Logger: log,
		Guard: true, AllowPrivate: cfg.Sources.Feed.AllowPrivate})
	f := byOrigin{config: feed.New(trusted, feed.Options{}), stored: feed.New(guarded, feed.Options{})}
	return map[string]watchers.Watcher{config.SourceFeed: f, config.SourceYouTube: f}
}

// byOrigin polls config watches and run-time watches with different
// watchers (trusted and guarded HTTP clients).
type byOrigin struct{ config, stored watchers.Watcher }

func (b byOrigin) Poll(ctx context.Context, w *alerts.Watch, cursor string) (*watchers.Result, error) {
	if w.Origin == alerts.OriginConfig {
		return b.config.Poll(ctx, w, cursor)
	}
	return b.stored.Poll(ctx, w, cursor)
}

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
