package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store"
)

// firstJobID is the id of the first job the fake schedules. It is far from
// the timer ids a fresh store hands out, so a store that mixes the two up
// fails the suite.
const firstJobID = 1001

// Jobs is a fake store.Jobs that records what the store enqueues. Like a
// real work engine it runs on the caller's transaction: each call checks
// that the transaction is open and answers. It records calls made in
// transactions that later rolled back too, as the fake cannot see commits;
// the suite checks those against the store's rows instead. It is safe for
// concurrent use.
type Jobs struct {
	mu        sync.Mutex
	delivered []int64
	scheduled []int64
	cancelled []int64
	nextJob   int64
	fail      error
}

var _ store.Jobs = (*Jobs)(nil)

// NewJobs returns an empty fake.
func NewJobs() *Jobs { return &Jobs{nextJob: firstJobID} }

// DeliverTx records the delivery's id.
func (j *Jobs) DeliverTx(ctx context.Context, tx *sql.Tx, d *alerts.Delivery) error {
	if err := j.check(ctx, tx); err != nil {
		return fmt.Errorf("deliver %d: %w", d.ID, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.delivered = append(j.delivered, d.ID)
	return nil
}

// TimerTx records the timer's id and returns the next job id.
func (j *Jobs) TimerTx(ctx context.Context, tx *sql.Tx, t *alerts.Timer) (int64, error) {
	if err := j.check(ctx, tx); err != nil {
		return 0, fmt.Errorf("schedule timer %d: %w", t.ID, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.nextJob == 0 {
		j.nextJob = firstJobID
	}
	id := j.nextJob
	j.nextJob++
	j.scheduled = append(j.scheduled, t.ID)
	return id, nil
}

// CancelTx records the cancelled job id.
func (j *Jobs) CancelTx(ctx context.Context, tx *sql.Tx, jobID int64) error {
	if err := j.check(ctx, tx); err != nil {
		return fmt.Errorf("cancel job %d: %w", jobID, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.cancelled = append(j.cancelled, jobID)
	return nil
}

// FailNext makes the next call fail with err.
func (j *Jobs) FailNext(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.fail = err
}

// Delivered returns the ids of the deliveries enqueued, in call order.
func (j *Jobs) Delivered() []int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.delivered)
}

// Scheduled returns the ids of the timers scheduled, in call order.
func (j *Jobs) Scheduled() []int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.scheduled)
}

// Cancelled returns the job ids cancelled, in call order.
func (j *Jobs) Cancelled() []int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.cancelled)
}

// check fails a call made without a live transaction, or when FailNext
// asked for it.
func (j *Jobs) check(ctx context.Context, tx *sql.Tx) error {
	j.mu.Lock()
	err := j.fail
	j.fail = nil
	j.mu.Unlock()
	if err != nil {
		return err
	}
	if tx == nil {
		return errors.New("no transaction")
	}
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("transaction not usable: %w", err)
	}
	return nil
}
