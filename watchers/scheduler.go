package watchers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// Service is what the scheduler needs from the alerts service.
type Service interface {
	WatchState(ctx context.Context, name string) (*alerts.WatchState, error)
	PollFailed(ctx context.Context, w *alerts.Watch, reason string, unhealthyAfter int, next time.Time) (*alerts.WatchState, error)
	Ingest(ctx context.Context, b alerts.Batch) (alerts.IngestResult, error)
}

// Lookup finds a watch by name.
type Lookup interface {
	Get(ctx context.Context, name string) (*alerts.Watch, error)
}

// Observer is told about every poll, for metrics.
type Observer interface {
	Polled(source string, took time.Duration, posts int, res alerts.IngestResult, err error)
}

// Options tune the scheduler. Zero values take the defaults.
type Options struct {
	// Jitter spreads polls: each interval is scaled by a random factor in
	// [1-Jitter, 1+Jitter], so watches started together drift apart.
	Jitter float64
	// MaxConcurrentPerSource caps simultaneous polls of one source in this
	// process, to stay inside the platform's rate limits.
	MaxConcurrentPerSource int
	// UnhealthyAfter is the number of failed polls in a row after which
	// the watch's route hears that it is unhealthy.
	UnhealthyAfter int
	// MinBackoff and MaxBackoff bound the wait after a failed poll.
	MinBackoff, MaxBackoff time.Duration
	// PollTimeout bounds one poll.
	PollTimeout time.Duration
	Now         func() time.Time
	// Rand returns a float in [0, 1); tests make it fixed.
	Rand     func() float64
	Logger   *slog.Logger
	Observer Observer
}

func (o *Options) defaults() {
	if o.Jitter <= 0 {
		o.Jitter = 0.1
	}
	if o.MaxConcurrentPerSource <= 0 {
		o.MaxConcurrentPerSource = 4
	}
	if o.UnhealthyAfter <= 0 {
		o.UnhealthyAfter = 3
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 2 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Scheduler runs one poll of one watch at a time, when the work engine
// asks: poll → normalise (the watcher) → match → ingest, then says when
// the watch is due again. The work engine guarantees a watch is never
// polled twice at once; the scheduler adds a per-source limit, jitter,
// backoff that honours Retry-After, and health notices.
type Scheduler struct {
	watchers map[string]Watcher
	matcher  alerts.Matcher
	svc      Service
	watches  Lookup
	sems     map[string]chan struct{}
	opts     Options
}

// NewScheduler returns a scheduler polling with watchers, keyed by source
// name ("feed", "youtube", "x", …).
func NewScheduler(watchers map[string]Watcher, matcher alerts.Matcher, svc Service, watches Lookup, opts Options) *Scheduler {
	opts.defaults()
	s := &Scheduler{watchers: watchers, matcher: matcher, svc: svc, watches: watches, sems: make(map[string]chan struct{}), opts: opts}
	for name := range watchers {
		s.sems[name] = make(chan struct{}, opts.MaxConcurrentPerSource)
	}
	return s
}

// Sources lists the source names the scheduler can poll.
func (s *Scheduler) Sources() []string {
	out := make([]string, 0, len(s.watchers))
	for name := range s.watchers {
		out = append(out, name)
	}
	return out
}

// Outcome says what a poll did and when the watch is due again.
type Outcome struct {
	// Next is the wait before the next poll.
	Next time.Duration
	// Stop is set when the watch no longer exists or is disabled: its
	// poll job ends.
	Stop   bool
	Posts  int
	Result alerts.IngestResult
	// Err is the poll's failure, already recorded and scheduled for retry.
	Err error
}

// Poll polls the named watch once. It returns an error only when ctx ends
// (shutdown): the cursor did not move and the poll will simply run again.
// Every other failure is recorded on the watch and becomes a later retry.
func (s *Scheduler) Poll(ctx context.Context, name string) (Outcome, error) {
	w, err := s.watches.Get(ctx, name)
	if errors.Is(err, alerts.ErrNotFound) {
		return Outcome{Stop: true}, nil
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("poll %s: %w", name, err)
	}
	if !w.Enabled {
		return Outcome{Stop: true}, nil
	}
	log := s.opts.Logger.With("watch", w.Name, "source", w.Source)
	wt, ok := s.watchers[w.Source]
	if !ok {
		err := fmt.Errorf("source %q is not configured", w.Source)
		return s.failed(ctx, log, w, err)
	}
	sem := s.sems[w.Source]
	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
	case <-ctx.Done():
		return Outcome{}, ctx.Err()
	}
	start := s.opts.Now()
	out, err := s.poll(ctx, wt, w)
	if ctx.Err() != nil {
		// Shutdown mid-poll: nothing was stored, the cursor did not move.
		return Outcome{}, ctx.Err()
	}
	if s.opts.Observer != nil {
		s.opts.Observer.Polled(w.Source, s.opts.Now().Sub(start), out.Posts, out.Result, err)
	}
	if err != nil {
		return s.failed(ctx, log, w, err)
	}
	if len(out.Result.Alerted)+len(out.Result.Muted) > 0 {
		log.Info("poll_alerted", "posts", out.Posts, "alerted", len(out.Result.Alerted), "muted", len(out.Result.Muted))
	} else {
		log.Debug("poll_done", "posts", out.Posts, "new", out.Result.Seen)
	}
	return out, nil
}

func (s *Scheduler) poll(ctx context.Context, wt Watcher, w *alerts.Watch) (Outcome, error) {
	st, err := s.svc.WatchState(ctx, w.Name)
	if err != nil {
		return Outcome{}, err
	}
	pctx, cancel := context.WithTimeout(ctx, s.opts.PollTimeout)
	defer cancel()
	res, err := wt.Poll(pctx, w, st.Cursor)
	if err != nil {
		return Outcome{}, err
	}
	next := s.jitter(w.Interval)
	now := s.opts.Now().UTC()
	b := alerts.Batch{
		Watch:      w,
		Posts:      make([]alerts.Polled, len(res.Posts)),
		Cursor:     res.Cursor,
		Notices:    res.Notices,
		FetchedAt:  now,
		NextPollAt: now.Add(next),
		Baseline:   !st.Baselined && !w.Backfill,
	}
	for i := range res.Posts {
		m, ok := s.matcher.Match(w, &res.Posts[i])
		b.Posts[i] = alerts.Polled{Post: res.Posts[i], Match: m, Matched: ok}
	}
	ir, err := s.svc.Ingest(ctx, b)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Posts: len(res.Posts), Result: ir, Next: next}, nil
}

// failed records a failed poll and picks the wait before the next one: the
// platform's Retry-After when it gave one, else exponential backoff.
func (s *Scheduler) failed(ctx context.Context, log *slog.Logger, w *alerts.Watch, perr error) (Outcome, error) {
	after := s.opts.UnhealthyAfter
	if errors.Is(perr, alerts.ErrPermanent) {
		// Rejected credentials or a vanished account will not fix
		// themselves: say so at the first failure.
		after = 1
	}
	failures := 1
	if st, err := s.svc.WatchState(ctx, w.Name); err == nil {
		failures = st.Failures + 1
	}
	next := s.backoff(failures)
	if ra, ok := alerts.RetryAfter(perr); ok && ra > 0 {
		next = ra
	}
	st, err := s.svc.PollFailed(ctx, w, perr.Error(), after, s.opts.Now().UTC().Add(next))
	if err != nil {
		if ctx.Err() != nil {
			return Outcome{}, ctx.Err()
		}
		// The failure could not even be recorded (store down): retry
		// soon, and never later than MaxBackoff, like every retry.
		log.Error("poll_record_failed", "err", err)
		return Outcome{Next: min(s.opts.MinBackoff, s.opts.MaxBackoff), Err: perr}, nil
	}
	log.Warn("poll_failed", "err", perr, "failures", st.Failures, "retry_in", next)
	return Outcome{Next: next, Err: perr}, nil
}

// backoff is MinBackoff·2^(failures-1), jittered and capped at MaxBackoff.
func (s *Scheduler) backoff(failures int) time.Duration {
	exp := math.Pow(2, float64(max(failures-1, 0)))
	d := time.Duration(math.Min(float64(s.opts.MinBackoff)*exp, float64(s.opts.MaxBackoff)))
	return min(s.jitter(d), s.opts.MaxBackoff)
}

func (s *Scheduler) jitter(d time.Duration) time.Duration {
	f := 1 + s.opts.Jitter*(2*s.opts.Rand()-1)
	return time.Duration(float64(d) * f)
}
