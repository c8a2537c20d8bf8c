package lease

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
)

// fast are options for tests: takeover and loss detection in ~100 ms.
var fast = Options{Retry: 50 * time.Millisecond, Check: 50 * time.Millisecond, DeadAfter: 2 * time.Second}

// waitLimit bounds every wait here: a takeover must happen "within
// seconds".
const waitLimit = 5 * time.Second

func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// holderPID returns the backend holding the lease called name, 0 if none.
func holderPID(t *testing.T, db *sql.DB, name string) int {
	t.Helper()
	k := uint64(Key(name))
	var pid int
	err := db.QueryRowContext(t.Context(), `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1`, int64(k>>32), int64(k&0xffffffff)).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// acquireAsync starts Acquire in the background.
func acquireAsync(ctx context.Context, l Locker, name string) <-chan Lease {
	got := make(chan Lease, 1)
	go func() {
		ls, err := l.Acquire(ctx, name)
		if err == nil {
			got <- ls
		}
	}()
	return got
}

func within[T any](t *testing.T, what string, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("%s: not within %s", what, waitLimit)
	}
	var zero T
	return zero
}

func TestSecondHolderTakesOverWhenFirstConnectionDies(t *testing.T) {
	name := "bluesky:jetstream:" + t.Name()
	url := pgtest.ServerURL(t)
	admin := open(t, url)
	// Two replicas: each its own pool, as separate processes have.
	a, b := NewPostgres(open(t, url), fast), NewPostgres(open(t, url), fast)

	first, err := a.Acquire(t.Context(), name)
	if err != nil {
		t.Fatalf("first Acquire: %v", err)
	}
	second := acquireAsync(t.Context(), b, name)
	select {
	case <-second:
		t.Fatal("second replica got the lease while the first held it")
	case <-time.After(5 * fast.Retry):
	}

	pid := holderPID(t, admin, name)
	if pid == 0 {
		t.Fatal("no backend holds the lease")
	}
	// The first replica's session dies (its process was killed).
	killed := time.Now()
	if _, err := admin.ExecContext(t.Context(), `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	ls := within(t, "takeover by the second replica", second)
	took := time.Since(killed)
	defer ls.Release()
	within(t, "the first holder learning it lost the lease", first.Lost())
	first.Release() // after a loss: only drops the dead connection
	if got := holderPID(t, admin, name); got == 0 || got == pid {
		t.Errorf("holder after takeover = %d; want the second replica's backend", got)
	}
	t.Logf("takeover %s after the holder's session died", took.Round(time.Millisecond))
}

func TestReleaseHandsOverAtOnce(t *testing.T) {
	name := "discord:gateway:" + t.Name()
	url := pgtest.ServerURL(t)
	a, b := NewPostgres(open(t, url), fast), NewPostgres(open(t, url), fast)
	first, err := a.Acquire(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	second := acquireAsync(t.Context(), b, name)
	first.Release()
	first.Release() // twice is fine
	ls := within(t, "takeover after release", second)
	select {
	case <-first.Lost():
		t.Error("Lost closed after a Release")
	default:
	}
	ls.Release()
	// The pooled connection went back without the lock or the timeout.
	again, err := a.Acquire(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	again.Release()
}

// TestUnreachableHolderLosesLease cuts the holder off from the database
// without any reset reaching the server side... as far as a proxy can: the
// server sees the session end, the holder's pings fail, and a replica with
// its own route takes over.
func TestUnreachableHolderLosesLease(t *testing.T) {
	name := "mastodon:stream:" + t.Name()
	url := pgtest.ServerURL(t)
	proxy := pgtest.NewProxy(t, url)
	a := NewPostgres(open(t, proxy.DSN(url)), fast)
	b := NewPostgres(open(t, url), fast)
	first, err := a.Acquire(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	second := acquireAsync(t.Context(), b, name)
	proxy.Cut()
	within(t, "the cut-off holder noticing", first.Lost())
	ls := within(t, "takeover", second)
	ls.Release()
	first.Release()
}

// TestLeaseLostWhileSettlingIsNotGranted cuts a replica off from the
// database after it took the lock but before its settle wait ended: the
// lock died with its session, so Acquire must not hand it out; the replica
// keeps waiting while one that reaches the database takes the lease.
func TestLeaseLostWhileSettlingIsNotGranted(t *testing.T) {
	name := "bluesky:jetstream:" + t.Name()
	url := pgtest.ServerURL(t)
	admin := open(t, url)
	proxy := pgtest.NewProxy(t, url)
	slow := Options{Retry: 50 * time.Millisecond, Check: 300 * time.Millisecond, DeadAfter: 2 * time.Second}
	a := NewPostgres(open(t, proxy.DSN(url)), slow)
	b := NewPostgres(open(t, url), fast)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	settling := acquireAsync(ctx, a, name)
	deadline := time.Now().Add(waitLimit)
	for holderPID(t, admin, name) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the first replica did not take the lock within %s", waitLimit)
		}
		<-time.After(5 * time.Millisecond)
	}
	proxy.Cut()
	ls := within(t, "takeover by the replica that reaches the database", acquireAsync(t.Context(), b, name))
	defer ls.Release()
	select {
	case got := <-settling:
		t.Error("Acquire granted a lease whose session died while it settled")
		got.Release()
	case <-time.After(settleChecks*slow.Check + 2*slow.Check):
	}
}

func TestHoldRunsOnOneReplicaAndMovesOnLoss(t *testing.T) {
	name := "bluesky:jetstream:" + t.Name()
	url := pgtest.ServerURL(t)
	admin := open(t, url)
	// a retries slowly, so after a's loss the stream moves to b rather
	// than coming back to a.
	slow := fast
	slow.Retry = time.Minute
	a, b := NewPostgres(open(t, url), slow), NewPostgres(open(t, url), fast)

	var running atomic.Int32
	started, ended := make(chan string, 4), make(chan string, 4)
	stream := func(who string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			if running.Add(1) > 1 {
				t.Errorf("%s: two replicas run the stream at once", who)
			}
			started <- who
			<-ctx.Done()
			running.Add(-1)
			ended <- who
			return ctx.Err()
		}
	}
	ctxA, stopA := context.WithCancel(t.Context())
	ctxB, stopB := context.WithCancel(t.Context())
	doneA, doneB := make(chan error, 1), make(chan error, 1)
	go func() { doneA <- Hold(ctxA, a, name, stream("a")) }()
	if who := within(t, "the first stream start", started); who != "a" {
		t.Fatalf("stream started on %s; want a", who)
	}
	go func() { doneB <- Hold(ctxB, b, name, stream("b")) }()

	// Kill a's session: a's stream is cancelled, then b's starts.
	if _, err := admin.ExecContext(t.Context(), `SELECT pg_terminate_backend($1)`, holderPID(t, admin, name)); err != nil {
		t.Fatal(err)
	}
	if who := within(t, "the lost stream stopping", ended); who != "a" {
		t.Fatalf("stream ended on %s; want a", who)
	}
	if who := within(t, "the stream moving", started); who != "b" {
		t.Fatalf("stream restarted on %s; want b", who)
	}
	// Stop both: Hold returns nil when its context ends.
	stopA()
	stopB()
	if err := within(t, "Hold a returning", doneA); err != nil {
		t.Errorf("Hold a: %v", err)
	}
	if err := within(t, "Hold b returning", doneB); err != nil {
		t.Errorf("Hold b: %v", err)
	}
}

func TestHoldReturnsTheStreamsError(t *testing.T) {
	boom := errors.New("boom")
	for _, l := range []Locker{Local{}, NewPostgres(open(t, pgtest.ServerURL(t)), fast)} {
		err := Hold(t.Context(), l, "x:"+t.Name(), func(context.Context) error { return boom })
		if !errors.Is(err, boom) {
			t.Errorf("%T: Hold = %v; want the stream's error", l, err)
		}
	}
}

func TestLocalAlwaysGrants(t *testing.T) {
	ls, err := Local{}.Acquire(t.Context(), "x")
	if err != nil {
		t.Fatal(err)
	}
	if ls.Lost() != nil {
		t.Error("a local lease can be lost")
	}
	ls.Release()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := (Local{}).Acquire(ctx, "x"); err == nil {
		t.Error("Acquire with an ended context succeeded")
	}
	if err := Hold(ctx, Local{}, "x", func(context.Context) error { return errors.New("ran") }); err != nil {
		t.Errorf("Hold with an ended context = %v; want nil", err)
	}
}
