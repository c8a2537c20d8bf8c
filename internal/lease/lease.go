// Package lease lets one replica at a time hold a long-lived stream (the
// Bluesky Jetstream, Mastodon streams, the Discord gateway) when several
// `lookout run` processes share one PostgreSQL database.
//
// A lease is a PostgreSQL session advisory lock held on a connection of its
// own. PostgreSQL drops it the moment that session ends: a replica killed
// with SIGKILL, or a host that stops answering (the lease connection sets
// idle_session_timeout and pings well inside it), loses its lease, and a
// waiting replica takes it within seconds (Options.Retry + 3×Check, 4 s by
// default). On SQLite, where one
// process runs, Local grants every lease at once.
//
// Stream runners wrap their run func with Hold:
//
//	err := lease.Hold(ctx, locker, "bluesky:jetstream", func(ctx context.Context) error {
//		return jetstream.Run(ctx) // resumes from the stored cursor
//	})
package lease

import (
	"context"
	"errors"
	"time"
)

// Lease is the right to hold one stream. Lost is closed when the right
// ended without Release (the database connection died); Release gives it
// up. Release is safe to call more than once.
type Lease interface {
	Lost() <-chan struct{}
	Release()
}

// Locker grants leases by name. Acquire waits until the lease is held or
// ctx ends.
type Locker interface {
	Acquire(ctx context.Context, name string) (Lease, error)
}

// Hold runs fn while this process holds the lease called name. It waits for
// the lease, runs fn with a context that is cancelled if the lease is lost,
// and after a loss waits to hold it again and runs fn anew (a stream resumes
// from its stored cursor). It returns nil when ctx ends, and fn's result
// when fn returns by itself while the lease is held, releasing the lease
// either way.
func Hold(ctx context.Context, l Locker, name string, fn func(ctx context.Context) error) error {
	for {
		ls, err := l.Acquire(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		lost, err := runHeld(ctx, ls, fn)
		ls.Release()
		switch {
		case ctx.Err() != nil:
			return nil
		case lost:
			// Step back before trying again: the loss says this process's
			// connection to the database is in doubt, so another replica
			// should get the first chance to take over.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(lostPause):
			}
			continue
		}
		return err
	}
}

// lostPause is how long a process that lost a lease waits before trying to
// take it again.
const lostPause = 2 * time.Second

// runHeld runs fn until it returns or the lease is lost, and reports
// whether the lease was lost.
func runHeld(ctx context.Context, ls Lease, fn func(ctx context.Context) error) (lost bool, err error) {
	fctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan error, 1)
	go func() { done <- fn(fctx) }()
	select {
	case err := <-done:
		return false, err
	case <-ls.Lost():
		cancel(errLost)
		<-done
		return true, nil
	}
}

// errLost is the cause of a held context cancelled by a lost lease.
var errLost = errors.New("lease lost")

// Local grants every lease at once and never loses one: SQLite serves a
// single process, which holds every stream.
type Local struct{}

var _ Locker = Local{}

// Acquire returns a lease at once.
func (Local) Acquire(ctx context.Context, _ string) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return localLease{}, nil
}

type localLease struct{}

func (localLease) Lost() <-chan struct{} { return nil }
func (localLease) Release()              {}
