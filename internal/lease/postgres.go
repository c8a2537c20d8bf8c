package lease

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// settleChecks is how many Check intervals a new holder waits before it
// uses a lease it just took; see Acquire.
const settleChecks = 3

// Options tune a Postgres locker. Zero values take the defaults.
type Options struct {
	// Retry is how often a waiting replica tries the lock. A takeover
	// after the holder's session ended takes up to Retry + 3×Check.
	// Default 1s.
	Retry time.Duration
	// Check is how often the holder pings its lease connection to learn
	// that it lost it. Default 1s.
	Check time.Duration
	// DeadAfter is the idle_session_timeout of the lease connection: a
	// holder that stops pinging (a frozen or unreachable host) has its
	// session, and so its lease, ended by the server after it. Default 10s;
	// it must exceed Check.
	DeadAfter time.Duration
	Logger    *slog.Logger
}

func (o *Options) defaults() {
	if o.Retry <= 0 {
		o.Retry = time.Second
	}
	if o.Check <= 0 {
		o.Check = time.Second
	}
	if o.DeadAfter <= o.Check {
		o.DeadAfter = max(10*time.Second, 3*o.Check)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Postgres grants leases as PostgreSQL session advisory locks, each on a
// connection taken from db for as long as it is held.
type Postgres struct {
	db   *sql.DB
	opts Options
}

var _ Locker = (*Postgres)(nil)

// NewPostgres returns a locker over db.
func NewPostgres(db *sql.DB, o Options) *Postgres {
	o.defaults()
	return &Postgres{db: db, opts: o}
}

// Key is the advisory lock key of the lease called name, for operators
// looking at pg_locks (classid is its high 32 bits, objid its low ones).
func Key(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("lookout lease " + name))
	return int64(h.Sum64())
}

// Acquire waits until this process holds the lease called name, trying
// every Retry, then waits 3×Check more so that a previous holder still
// running but cut off from the database has noticed its loss. Database errors while waiting are logged and retried, so a
// database restart only delays the takeover.
func (p *Postgres) Acquire(ctx context.Context, name string) (Lease, error) {
	key := Key(name)
	log := p.opts.Logger.With("lease", name)
	for {
		ls, err := p.try(ctx, name, key)
		if ls != nil {
			// A previous holder that is alive but cut off learns of its
			// loss at its next failed ping, within two Checks; wait that
			// out (with a margin) so two replicas never stream at once.
			select {
			case <-ctx.Done():
				ls.Release()
				return nil, fmt.Errorf("acquire lease %s: %w", name, ctx.Err())
			case <-ls.Lost():
				// The session, and the lock with it, died meanwhile
				// (database restart, network cut): it is not ours.
				ls.Release()
				continue
			case <-time.After(settleChecks * p.opts.Check):
			}
			log.Info("lease_acquired")
			return ls, nil
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("lease_try_failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("acquire lease %s: %w", name, ctx.Err())
		case <-time.After(p.opts.Retry):
		}
	}
}

// try takes the lock once; it returns a nil lease when another session
// holds it.
func (p *Postgres) try(ctx context.Context, name string, key int64) (*pgLease, error) {
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	// Idle here means "stopped pinging": the server ends such a session and
	// frees the lock even when no TCP reset ever arrives.
	timeout := strconv.FormatInt(p.opts.DeadAfter.Milliseconds(), 10)
	if _, err := conn.ExecContext(ctx, `SELECT set_config('idle_session_timeout', $1, false)`, timeout); err != nil {
		discard(conn)
		return nil, fmt.Errorf("lease %s: set idle_session_timeout: %w", name, err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		discard(conn)
		return nil, fmt.Errorf("lease %s: %w", name, err)
	}
	if !got {
		// Back to the pool with the default timeout, so an idle pooled
		// connection is not cut by the server.
		if _, err := conn.ExecContext(ctx, `RESET idle_session_timeout`); err != nil {
			discard(conn)
			return nil, nil
		}
		_ = conn.Close()
		return nil, nil
	}
	ls := &pgLease{name: name, key: key, conn: conn, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}), log: p.opts.Logger.With("lease", name)}
	go ls.watch(p.opts.Check)
	return ls, nil
}

// pgLease is a held advisory lock and the connection that holds it.
type pgLease struct {
	name string
	key  int64
	conn *sql.Conn
	log  *slog.Logger

	lost chan struct{} // closed when the connection died
	stop chan struct{} // closed by Release
	done chan struct{} // closed when watch returns

	once sync.Once
	// mu serialises use of conn between watch and Release.
	mu sync.Mutex
}

func (l *pgLease) Lost() <-chan struct{} { return l.lost }

// watch pings the lease connection every check until Release or a failed
// ping, which means the session, and the lock with it, is gone.
func (l *pgLease) watch(check time.Duration) {
	defer close(l.done)
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), check)
		err := l.conn.PingContext(ctx)
		if err == nil {
			// PingContext may be answered by the driver without a round
			// trip; a query proves the session is alive.
			var one int
			err = l.conn.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
		}
		cancel()
		l.mu.Unlock()
		if err != nil {
			l.log.Warn("lease_lost", "err", err)
			close(l.lost)
			return
		}
	}
}

// Release unlocks and returns the connection; after a loss it only throws
// the dead connection away.
func (l *pgLease) Release() {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		l.mu.Lock()
		defer l.mu.Unlock()
		select {
		case <-l.lost:
			discard(l.conn)
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key); err != nil {
			discard(l.conn)
			return
		}
		if _, err := l.conn.ExecContext(ctx, `RESET idle_session_timeout`); err != nil {
			discard(l.conn)
			return
		}
		_ = l.conn.Close()
		l.log.Info("lease_released")
	})
}

// discard ends conn's session instead of returning it to the pool, so a
// connection in an unknown state never serves anyone else.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
