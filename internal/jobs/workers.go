package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/lookoutbot/lookout/alerts"
)

// shutdownSnooze is the wait a job asks for when the process stops under
// it: the job runs again after the next start, without using an attempt.
const shutdownSnooze = time.Second

type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	e *Engine
}

// Work polls once and snoozes until the watch is due again. Poll errors
// are snoozes too: a job that returned errors would be discarded after its
// last attempt and the watch would silently stop being polled.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	out, err := w.e.deps.Scheduler.Poll(ctx, job.Args.Watch)
	if err != nil {
		if ctx.Err() != nil {
			return river.JobSnooze(shutdownSnooze)
		}
		w.e.opts.Logger.Error("poll_job_failed", "watch", job.Args.Watch, "err", err)
		return river.JobSnooze(w.e.opts.StoreRetry)
	}
	if out.Stop {
		w.e.opts.Logger.Info("poll_stopped", "watch", job.Args.Watch, "reason", "watch removed or disabled")
		return nil
	}
	return river.JobSnooze(out.Next)
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	e *Engine
}

// Work attempts the delivery once; waits and retries are snoozes.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	out, err := w.e.deps.Deliverer.Deliver(ctx, job.Args.Delivery)
	if err != nil {
		if ctx.Err() != nil {
			return river.JobSnooze(shutdownSnooze)
		}
		w.e.opts.Logger.Error("deliver_job_failed", "delivery", job.Args.Delivery, "err", err)
		return river.JobSnooze(w.e.opts.StoreRetry)
	}
	if out.Done {
		return nil
	}
	return river.JobSnooze(out.Retry)
}

type timerWorker struct {
	river.WorkerDefaults[TimerArgs]
	e *Engine
}

// Work fires the timer. The service re-checks the alert, so a timer that
// an ack raced does nothing.
func (w *timerWorker) Work(ctx context.Context, job *river.Job[TimerArgs]) error {
	err := w.e.deps.Timers.FireTimer(ctx, job.Args.Timer)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, alerts.ErrNotFound):
		w.e.opts.Logger.Warn("timer_missing", "timer", job.Args.Timer)
		return nil
	case ctx.Err() != nil:
		return river.JobSnooze(shutdownSnooze)
	}
	w.e.opts.Logger.Error("timer_job_failed", "timer", job.Args.Timer, "err", err)
	return river.JobSnooze(w.e.opts.StoreRetry)
}

type reconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	e *Engine
}

// Work re-inserts the job of every enabled watch, pending delivery and
// pending timer. Jobs are unique by their arguments, so only missing ones
// are added: after a crash, a lost insert or a watch added from another
// process, everything is picked up again.
func (w *reconcileWorker) Work(ctx context.Context, _ *river.Job[ReconcileArgs]) error {
	n, err := w.e.Reconcile(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.e.opts.Logger.Info("reconciled", "inserted", n)
	}
	return nil
}

// Reconcile inserts every missing job and returns how many it inserted.
func (e *Engine) Reconcile(ctx context.Context) (int, error) {
	var params []river.InsertManyParams
	ws, err := e.deps.Watches.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("reconcile: %w", err)
	}
	for _, w := range ws {
		if w.Enabled {
			params = append(params, river.InsertManyParams{Args: PollArgs{Watch: w.Name}, InsertOpts: &river.InsertOpts{Queue: queuePoll, UniqueOpts: uniqueOpts}})
		}
	}
	var ds []*alerts.Delivery
	var ts []*alerts.Timer
	err = e.deps.Store.View(ctx, func(tx alerts.Tx) error {
		var err error
		if ds, err = tx.DeliveriesByState(ctx, alerts.DeliveryPending, 100000); err != nil {
			return err
		}
		ts, err = tx.PendingTimers(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("reconcile: %w", err)
	}
	for _, d := range ds {
		params = append(params, river.InsertManyParams{Args: DeliverArgs{Delivery: d.ID}, InsertOpts: &river.InsertOpts{Queue: queueDeliver, UniqueOpts: uniqueOpts}})
	}
	for _, t := range ts {
		params = append(params, river.InsertManyParams{Args: TimerArgs{Timer: t.ID}, InsertOpts: &river.InsertOpts{Queue: queueTimer, ScheduledAt: t.DueAt, UniqueOpts: uniqueOpts}})
	}
	// Batches keep a large backlog from costing one round trip (and, on
	// SQLite, one turn of the single connection) per job.
	inserted := 0
	for batch := range slices.Chunk(params, reconcileBatch) {
		res, err := e.client.InsertMany(ctx, batch)
		if err != nil {
			return inserted, fmt.Errorf("reconcile: insert %d jobs: %w", len(batch), err)
		}
		for _, r := range res {
			if !r.UniqueSkippedAsDuplicate {
				inserted++
			}
		}
	}
	return inserted, nil
}

// reconcileBatch is how many jobs one reconcile insert carries.
const reconcileBatch = 500
