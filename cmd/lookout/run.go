package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lookoutbot/lookout/alerts"

	"github.com/lookoutbot/lookout/internal/lease"
	"github.com/lookoutbot/lookout/internal/server"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
)

// shutdownGrace bounds how long `run` waits for running jobs at shutdown.
// A poll cut short never advances its cursor; undelivered rows stay for
// the next start.
const shutdownGrace = 15 * time.Second

func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w", errUsage)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogLevel)
	color := false
	if f, ok := e.stdout.(*os.File); ok {
		color = isTerminal(f)
	}
	if cfg.Store.Driver == "sqlite" {
		unlock, err := sqlite.Lock(cfg.Store.DSN)
		if err != nil {
			return err
		}
		defer unlock()
	}
	a, err := openApp(ctx, cfg, log, appOptions{work: true, stdout: e.stdout, color: color, riverLog: newLogger(e.stderr, riverLevel(cfg.LogLevel))})
	if err != nil {
		return err
	}
	defer a.Close()

	if cfg.Store.Driver == "sqlite" {
		// The lock proves no other process works this queue: jobs still
		// marked running were cut short by a crash.
		n, err := a.engine.RescueOrphans(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Warn("rescued_orphaned_jobs", "jobs", n, "reason", "the previous run stopped without finishing them")
		}
	}
	if err := a.engine.Start(ctx); err != nil {
		return err
	}
	// Start polling every watch now rather than at the first reconcile.
	if _, err := a.engine.Reconcile(ctx); err != nil {
		log.Error("reconcile_failed", "err", err)
	}
	ws, _ := a.registry.List(ctx)
	log.Info("lookout_started", "version", version, "watches", len(ws), "store", cfg.Store.Driver, "http", cfg.HTTP.Listen)

	g, gctx := errgroup.WithContext(ctx)
	if cfg.HTTP.Listen != "" {
		srv := server.New(cfg.HTTP.Listen, cfg.HTTP.MaxBodyBytes, a.store, a.metrics.Registry, log)
		for _, c := range a.chats {
			if c.mount != nil {
				c.mount(srv)
			}
		}
		g.Go(func() error { return srv.Run(gctx) })
	}
	// Streams and exclusive chat connections are held by one replica at a
	// time: on PostgreSQL through an advisory-lock lease that another
	// replica takes over within seconds when the holder dies; on SQLite
	// (one process) the lease is always granted.
	var locker lease.Locker = lease.Local{}
	if cfg.Store.Driver == "postgres" {
		locker = lease.NewPostgres(a.db, lease.Options{Logger: log})
	}
	held := append([]stream(nil), a.streams...)
	for _, c := range a.chats {
		switch {
		case c.run == nil:
		case c.exclusive:
			held = append(held, stream{name: c.name + ":gateway", run: c.run})
		default:
			g.Go(func() error { return c.run(gctx) })
		}
	}
	for _, s := range held {
		g.Go(func() error {
			return lease.Hold(gctx, locker, s.name, func(ctx context.Context) error {
				a.holds.add(s.name)
				defer a.holds.remove(s.name)
				return s.run(ctx)
			})
		})
	}
	g.Go(func() error { return a.heartbeat(gctx, heartbeatEvery) })
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		log.Info("lookout_stopping")
		return a.engine.Stop(sctx)
	})
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("lookout_stopped")
	return nil
}

// riverLevel keeps River's routine info logs out of the way unless the
// operator asked for debug.
func riverLevel(level string) string {
	if level == "debug" {
		return "debug"
	}
	return "warn"
}

// heartbeatEvery is how often a running process records itself and the
// request budgets in the store, where `lookout status` in any process
// reads them.
const heartbeatEvery = 30 * time.Second

// heartbeat records this process (and what it holds) and the platforms'
// request budgets until ctx ends. A failed write is logged and retried at
// the next tick.
func (a *app) heartbeat(ctx context.Context, every time.Duration) error {
	host, _ := os.Hostname()
	me := &alerts.Replica{ID: fmt.Sprintf("%s:%d", host, os.Getpid()), Host: host, PID: os.Getpid(), Version: version, StartedAt: a.now().UTC()}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := a.now().UTC()
		me.SeenAt, me.Holds = now, a.holds.list()
		err := a.store.Update(ctx, func(tx alerts.Tx) error {
			if err := tx.PutReplica(ctx, me); err != nil {
				return err
			}
			for _, s := range a.budgets.Snapshots() {
				if !s.Known {
					continue
				}
				b := &alerts.Budget{Name: s.Name, Limit: s.Limit, Remaining: s.Remaining, Reset: s.Reset, UpdatedAt: now}
				if err := tx.PutBudget(ctx, b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil && ctx.Err() == nil {
			a.log.Warn("heartbeat_failed", "err", err)
		}
		select {
		case <-ctx.Done():
			// A clean stop leaves the list at once instead of after three
			// missed heartbeats.
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			me.SeenAt, me.Holds = time.Time{}, nil
			if err := a.store.Update(sctx, func(tx alerts.Tx) error { return tx.PutReplica(sctx, me) }); err != nil {
				a.log.Warn("heartbeat_failed", "err", err)
			}
			return nil
		case <-t.C:
		}
	}
}

// holdings is the set of exclusive streams this process holds.
type holdings struct {
	mu    sync.Mutex
	names map[string]bool
}

func (h *holdings) add(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.names == nil {
		h.names = make(map[string]bool)
	}
	h.names[name] = true
}

func (h *holdings) remove(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.names, name)
}

func (h *holdings) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.names))
	for n := range h.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
