// Package jobs runs all of Lookout's background work on River: a perpetual
// poll job per watch, one delivery job per outbox row, one job per timer,
// and a periodic reconciler. Every job is inserted inside the store
// transaction that caused it (store.Jobs), on a *sql.Tx, so the same code
// serves SQLite and PostgreSQL.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/outbox"
	"github.com/lookoutbot/lookout/watchers"
)

// Queue names.
const (
	queuePoll    = "poll"
	queueDeliver = "deliver"
	queueTimer   = "timer"
	queueRecheck = "recheck"
)

// Options tune the engine. Zero values take the defaults.
type Options struct {
	PollWorkers    int
	DeliverWorkers int
	TimerWorkers   int
	// ReconcileEvery is how often missing poll, delivery and timer jobs
	// are re-inserted (idempotent: jobs are unique).
	ReconcileEvery time.Duration
	// RescueAfter is when a job left running by a dead process is retried.
	RescueAfter time.Duration
	// FetchPollInterval is how often idle workers look for due jobs.
	FetchPollInterval time.Duration
	// StoreRetry is the wait after a store error inside a job.
	StoreRetry time.Duration
	Logger     *slog.Logger
	// RiverLogger receives River's own logs; River is chatty at info, so
	// callers usually give it a logger at warn. Default: Logger.
	RiverLogger *slog.Logger
	// RecheckEvery is how often alerted posts are looked up again for
	// deletion; zero disables re-checks. RecheckWindow is how far back
	// (by alert time); zero means DefaultRecheckWindow.
	RecheckEvery, RecheckWindow time.Duration
}

func (o *Options) defaults() {
	if o.PollWorkers <= 0 {
		o.PollWorkers = 20
	}
	if o.DeliverWorkers <= 0 {
		o.DeliverWorkers = 10
	}
	if o.TimerWorkers <= 0 {
		o.TimerWorkers = 5
	}
	if o.ReconcileEvery <= 0 {
		o.ReconcileEvery = time.Minute
	}
	if o.RescueAfter <= 0 {
		o.RescueAfter = 5 * time.Minute
	}
	if o.FetchPollInterval <= 0 {
		o.FetchPollInterval = time.Second
	}
	if o.StoreRetry <= 0 {
		o.StoreRetry = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RiverLogger == nil {
		o.RiverLogger = o.Logger
	}
}

// Deps are the parts the jobs call. Scheduler, Deliverer and Timers may be
// nil for an insert-only engine (the CLI), which never works jobs.
type Deps struct {
	Scheduler *watchers.Scheduler
	Deliverer *outbox.Deliverer
	Timers    interface {
		FireTimer(ctx context.Context, id int64) error
	}
	Watches interface {
		List(ctx context.Context) ([]*alerts.Watch, error)
	}
	Store alerts.Store
	// Rechecks are the platforms' deletion re-checkers by Post.Platform,
	// and Deletions the service that marks what they find; either nil
	// disables re-checks.
	Rechecks  map[string]watchers.Rechecker
	Deletions Deletions
}

// Engine is the River client with Lookout's workers.
type Engine struct {
	client *river.Client[*sql.Tx]
	db     *sql.DB
	deps   Deps
	opts   Options
	// recheckRotation is where each platform's next re-check starts.
	recheckRotation rotation
}

// uniqueOpts make a job unique by its arguments while it is waiting or
// running. completed is left out so a finished job can be inserted again
// (River's default keeps it, which would block a watch re-added after its
// poll job ended).
var uniqueOpts = river.UniqueOpts{
	ByArgs: true,
	ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	},
}

// JobTimeout is how long a job may run: it cancels a job before the rescuer would hand it to another
// worker, so one unit of work never runs twice at once: a minute before,
// or at half the bound when the bound is short (tests, small deployments).
func JobTimeout(rescueAfter time.Duration) time.Duration {
	if rescueAfter < 2*time.Minute {
		return rescueAfter / 2
	}
	return rescueAfter - time.Minute
}

// New returns an engine on driver. With deps.Scheduler nil the engine only
// inserts jobs.
func New(db *sql.DB, driver riverdriver.Driver[*sql.Tx], deps Deps, opts Options) (*Engine, error) {
	opts.defaults()
	e := &Engine{db: db, deps: deps, opts: opts}
	cfg := &river.Config{
		Logger:               opts.RiverLogger.With("component", "river"),
		RescueStuckJobsAfter: opts.RescueAfter,
		JobTimeout:           JobTimeout(opts.RescueAfter),
		FetchPollInterval:    opts.FetchPollInterval,
		FetchCooldown:        min(100*time.Millisecond, opts.FetchPollInterval/2),
		// Snoozes never use up attempts; this only bounds real errors,
		// which our workers turn into snoozes anyway.
		MaxAttempts: 100,
	}
	if deps.Scheduler != nil {
		workers := river.NewWorkers()
		river.AddWorker(workers, &pollWorker{e: e})
		river.AddWorker(workers, &deliverWorker{e: e})
		river.AddWorker(workers, &timerWorker{e: e})
		river.AddWorker(workers, &reconcileWorker{e: e})
		river.AddWorker(workers, &recheckWorker{e: e})
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 1},
			queuePoll:          {MaxWorkers: opts.PollWorkers},
			queueDeliver:       {MaxWorkers: opts.DeliverWorkers},
			queueTimer:         {MaxWorkers: opts.TimerWorkers},
			queueRecheck:       {MaxWorkers: 1},
		}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(opts.ReconcileEvery), func() (river.JobArgs, *river.InsertOpts) {
				return ReconcileArgs{}, &river.InsertOpts{UniqueOpts: uniqueOpts}
			}, &river.PeriodicJobOpts{ID: "reconcile", RunOnStart: true}),
		}
		if opts.RecheckEvery > 0 {
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(opts.RecheckEvery), func() (river.JobArgs, *river.InsertOpts) {
				return RecheckArgs{}, &river.InsertOpts{Queue: queueRecheck, UniqueOpts: uniqueOpts}
			}, &river.PeriodicJobOpts{ID: "recheck"}))
		}
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("create work engine: %w", err)
	}
	e.client = c
	return e, nil
}

// Start starts working jobs. It returns at once; Stop ends the work. The
// jobs' contexts are not tied to ctx: a shutdown signal goes through Stop,
// which lets running jobs finish first.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start work engine: %w", err)
	}
	return nil
}

// Stop waits for running jobs to finish until ctx ends, then cancels the
// rest (a poll cut short does not move its cursor; a delivery cut short
// stays pending, and one the platform accepted is still recorded).
func (e *Engine) Stop(ctx context.Context) error {
	err := e.client.Stop(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("stop work engine: %w", err)
	}
	hard, cancel := context.WithTimeout(context.Background(), hardStopWait)
	defer cancel()
	if err := e.client.StopAndCancel(hard); err != nil {
		return fmt.Errorf("stop work engine: %w", err)
	}
	return nil
}

// hardStopWait bounds the wait for cancelled jobs to return.
const hardStopWait = 10 * time.Second

// DeliverTx enqueues the job that sends a delivery, inside tx.
func (e *Engine) DeliverTx(ctx context.Context, tx *sql.Tx, d *alerts.Delivery) error {
	if _, err := e.client.InsertTx(ctx, tx, DeliverArgs{Delivery: d.ID}, &river.InsertOpts{Queue: queueDeliver, UniqueOpts: uniqueOpts}); err != nil {
		return fmt.Errorf("enqueue delivery %d: %w", d.ID, err)
	}
	return nil
}

// TimerTx schedules the job that fires a timer, inside tx.
func (e *Engine) TimerTx(ctx context.Context, tx *sql.Tx, t *alerts.Timer) (int64, error) {
	res, err := e.client.InsertTx(ctx, tx, TimerArgs{Timer: t.ID}, &river.InsertOpts{Queue: queueTimer, ScheduledAt: t.DueAt, UniqueOpts: uniqueOpts})
	if err != nil {
		return 0, fmt.Errorf("schedule timer %d: %w", t.ID, err)
	}
	return res.Job.ID, nil
}

// CancelTx cancels a scheduled job inside tx. A job already gone is fine.
func (e *Engine) CancelTx(ctx context.Context, tx *sql.Tx, jobID int64) error {
	if _, err := e.client.JobCancelTx(ctx, tx, jobID); err != nil && !errors.Is(err, river.ErrNotFound) {
		return fmt.Errorf("cancel job %d: %w", jobID, err)
	}
	return nil
}

// EnsurePoll makes sure a watch has its poll job; inserting it again is a
// no-op while one exists.
func (e *Engine) EnsurePoll(ctx context.Context, watch string) error {
	if _, err := e.client.Insert(ctx, PollArgs{Watch: watch}, &river.InsertOpts{Queue: queuePoll, UniqueOpts: uniqueOpts}); err != nil {
		return fmt.Errorf("enqueue poll of %s: %w", watch, err)
	}
	return nil
}

// QueueDepth counts jobs by state, for status and metrics.
func (e *Engine) QueueDepth(ctx context.Context) (map[string]int, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT queue || ':' || state, count(*) FROM river_job GROUP BY queue, state`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := make(map[string]int)
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("count jobs: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

// RescueOrphans makes every job left "running" available again. Call it
// only before Start and only when this process is known to be the only
// one working the queue (SQLite with its run lock held): such jobs were
// cut short by a crash, and waiting for River's rescuer would delay polls
// and deliveries by RescueAfter.
func (e *Engine) RescueOrphans(ctx context.Context) (int, error) {
	res, err := e.db.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`)
	if err != nil {
		return 0, fmt.Errorf("rescue orphaned jobs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rescue orphaned jobs: %w", err)
	}
	return int(n), nil
}
