package bluesky

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// Ingester is what the stream needs from the alerts service.
type Ingester interface {
	Ingest(ctx context.Context, b alerts.Batch) (alerts.IngestResult, error)
	PostDeleted(ctx context.Context, platform, chainID string, at time.Time, reason string) error
	WatchState(ctx context.Context, name string) (*alerts.WatchState, error)
}

// WatchLister lists every watch (the registry).
type WatchLister interface {
	List(ctx context.Context) ([]*alerts.Watch, error)
}

// Deps are the parts of the app the stream ingests through. They exist
// only after the sources are built, so they are attached with Wire.
type Deps struct {
	Service Ingester
	Watches WatchLister
	Matcher alerts.Matcher
}

// StreamOptions tune a Stream. Zero values take the defaults.
type StreamOptions struct {
	// URL is the configured Jetstream endpoint; empty means
	// DefaultJetstreamURL, used only while keyword watches exist.
	URL string
	// HTTPClient dials the WebSocket; default http.DefaultClient.
	HTTPClient *http.Client
	UserAgent  string
	// Refresh is how often the watch list is re-read to update the
	// stream's filters; default 5s. A poll of a watch the stream does not
	// know yet triggers a refresh at once.
	Refresh time.Duration
	// MinBackoff and MaxBackoff bound the wait before a reconnect;
	// defaults 1s and 5m.
	MinBackoff, MaxBackoff time.Duration
	// MaxBatch caps the events ingested in one go; default 500.
	MaxBatch int
	// StaleAfter is how long the stream may stay disconnected before the
	// watches it serves report failed polls; default 2m.
	StaleAfter time.Duration
	// IdleAdvance is how long a connection may receive nothing before its
	// position is moved to "now" (less a margin): a DID-filtered stream
	// can be quiet for hours and its checkpoint must still move. Default 5s.
	IdleAdvance time.Duration
	Logger      *slog.Logger
}

func (o *StreamOptions) defaults() {
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Refresh <= 0 {
		o.Refresh = 5 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 500
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = 2 * time.Minute
	}
	if o.IdleAdvance <= 0 {
		o.IdleAdvance = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// idleMargin is how far behind "now" an idle connection's position is
// put: events Jetstream received just before may still be on their way.
const idleMargin = 30 * time.Second

// errReplan ends a session so the stream reconnects with new filters.
var errReplan = errors.New("jetstream filters changed")

// Stream follows bluesky watches on Jetstream. Each new post is matched
// against every bluesky watch and ingested through the alerts service,
// one transaction per watch per batch of events, together with that
// watch's cursor. The stream position (time_us) is stored in each watch's
// own cursor rather than in a separate record, so the post, the alert and
// the position that covers them commit together; a restart resumes from
// the oldest watch position, and posts a watch already stored are dropped
// by the service's deduplication.
type Stream struct {
	w    *Watcher
	opts StreamOptions
	deps atomic.Pointer[Deps]
	wake chan struct{}

	mu         sync.Mutex
	plan       *plan
	cursors    map[string]*cursor // per watch, ahead of or equal to the store
	through    int64              // every event up to here is processed
	connected  bool
	downSince  time.Time
	lastErr    error
	prevHandle map[string]string // DID → handle before a rename
	inactive   map[string]bool   // DIDs reported deactivated
	pending    map[string][]string
	recent     *uriSet
}

// NewStream returns a stream that uses w's directory and serves w's polls:
// once wired, w.Poll only checkpoints the watches the stream serves.
func NewStream(w *Watcher, opts StreamOptions) *Stream {
	opts.defaults()
	s := &Stream{
		w: w, opts: opts, wake: make(chan struct{}, 1),
		cursors: make(map[string]*cursor), prevHandle: make(map[string]string),
		inactive: make(map[string]bool), pending: make(map[string][]string),
		recent: newURISet(100_000), downSince: w.opts.Now(),
	}
	w.stream = s
	return s
}

// Wire attaches the service, the watch list and the matcher. Until it is
// called, Run waits and the watcher polls as if there were no stream.
func (s *Stream) Wire(d Deps) { s.deps.Store(&d) }

// url is the Jetstream endpoint in use.
func (s *Stream) url() string {
	if s.opts.URL != "" {
		return s.opts.URL
	}
	return DefaultJetstreamURL
}

// serves reports whether the stream, not getAuthorFeed, reads w: every
// bluesky watch when a Jetstream URL is configured; keyword-only watches
// always; account watches too while the stream reads every post anyway.
func (s *Stream) serves(w *alerts.Watch) bool {
	if s.deps.Load() == nil {
		return false
	}
	if s.opts.URL != "" || (len(w.Keywords) > 0 && len(w.Accounts) == 0) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.plan != nil && s.plan.firehose
}

// checkpoint is Poll for a watch the stream serves: it stores the
// stream's position for the watch, so a quiet watch's cursor still moves,
// and reports a stream that has been down too long.
func (s *Stream) checkpoint(w *alerts.Watch, stored *cursor) (*watchers.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.plan.err(w.Name); err != nil {
		return nil, fmt.Errorf("poll %s: %w", w.Name, err)
	}
	if !s.connected && s.w.opts.Now().Sub(s.downSince) > s.opts.StaleAfter {
		return nil, fmt.Errorf("poll %s: jetstream unreachable since %s: %v", w.Name, s.downSince.UTC().Format(time.RFC3339), s.lastErr)
	}
	c, ok := s.cursors[w.Name]
	if !ok {
		select {
		case s.wake <- struct{}{}: // a watch we do not know yet
		default:
		}
		return &watchers.Result{Cursor: stored.String()}, nil
	}
	return &watchers.Result{Cursor: c.String()}, nil
}

// Run follows the stream until ctx ends, reconnecting with backoff from
// the last processed position. It returns only ctx.Err().
func (s *Stream) Run(ctx context.Context) error {
	log := s.opts.Logger.With("platform", Platform)
	d := s.deps.Load()
	if d == nil {
		log.Warn("bluesky_stream_not_wired", "effect", "account watches are polled, keyword watches fail")
		<-ctx.Done()
		return ctx.Err()
	}
	failures := 0
	for {
		p, err := s.makePlan(ctx, d)
		if err == nil && !p.streaming() {
			s.setPlan(p)
			if !s.sleep(ctx, s.opts.Refresh) {
				return ctx.Err()
			}
			continue
		}
		if err == nil {
			start := time.Now()
			err = s.session(ctx, d, p)
			if time.Since(start) > s.opts.MaxBackoff {
				failures = 0
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, errReplan) {
			log.Info("bluesky_stream_replan")
			continue
		}
		failures++
		wait := min(s.opts.MinBackoff<<min(failures-1, 20), s.opts.MaxBackoff)
		log.Warn("bluesky_stream_failed", "err", err, "failures", failures, "retry_in", wait)
		if !s.sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// sleep waits d, or less when woken; false when ctx ended.
func (s *Stream) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-s.wake:
	}
	return true
}

func (s *Stream) setPlan(p *plan) {
	s.mu.Lock()
	s.plan = p
	s.mu.Unlock()
}

func (s *Stream) setConnected(up bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if up {
		s.connected = true
		return
	}
	if s.connected || s.downSince.IsZero() {
		s.downSince = s.w.opts.Now()
	}
	s.connected, s.lastErr = false, err
}

// session runs the connections of one plan until one fails or the plan
// changes in a way options_update cannot express.
func (s *Stream) session(ctx context.Context, d *Deps, p *plan) error {
	if err := s.loadCursors(ctx, d, p); err != nil {
		return err
	}
	resume := s.resumeAt(p)
	s.setPlan(p)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	frames := make(chan frame, 4*s.opts.MaxBatch)
	updates := make([]chan []string, len(p.chunks))
	for i, chunk := range p.chunks {
		updates[i] = make(chan []string, 1)
		g.Go(func() error { return s.connect(gctx, i, chunk, resume, frames, updates[i]) })
	}
	g.Go(func() error { return s.process(gctx, d, len(p.chunks), resume, frames) })
	g.Go(func() error { return s.refresh(gctx, d, p, updates) })
	err := g.Wait()
	s.setConnected(false, err)
	return err
}

// loadCursors reads the stored cursor of every watch the stream does not
// hold yet. A watch with no stream position starts at its creation (a
// watch added at run time) or now (a config watch), never earlier: a new
// watch does not alert on the past.
func (s *Stream) loadCursors(ctx context.Context, d *Deps, p *plan) error {
	for _, w := range p.watches {
		s.mu.Lock()
		_, ok := s.cursors[w.Name]
		s.mu.Unlock()
		if ok {
			continue
		}
		st, err := d.Service.WatchState(ctx, w.Name)
		if err != nil {
			return fmt.Errorf("load cursor of %s: %w", w.Name, err)
		}
		c := parseCursor(st.Cursor)
		if c.TimeUS == 0 {
			c.TimeUS = s.origin(w)
		}
		s.mu.Lock()
		s.cursors[w.Name] = c
		s.mu.Unlock()
	}
	return nil
}

func (s *Stream) origin(w *alerts.Watch) int64 {
	now := s.w.opts.Now()
	if w.Origin == alerts.OriginStore && !w.CreatedAt.IsZero() && w.CreatedAt.Before(now) {
		return w.CreatedAt.UnixMicro()
	}
	return now.UnixMicro()
}

// resumeAt is the oldest position of the plan's watches. Watches whose
// position is older than Jetstream's replay window get a possible-gap
// notice with the missing time range.
func (s *Stream) resumeAt(p *plan) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.w.opts.Now()
	oldest := now.Add(-ReplayWindow).UnixMicro()
	resume := now.UnixMicro()
	for _, w := range p.watches {
		c := s.cursors[w.Name]
		if c.TimeUS < oldest {
			from := time.UnixMicro(c.TimeUS).UTC().Format(time.RFC3339)
			to := time.UnixMicro(oldest).UTC().Format(time.RFC3339)
			s.pending[w.Name] = append(s.pending[w.Name], fmt.Sprintf("possible gap: the Bluesky stream was last read at %s and Jetstream replays only %s; posts between %s and %s may be missing", from, ReplayWindow, from, to))
			c.TimeUS = oldest
		}
		resume = min(resume, c.TimeUS)
	}
	s.through = resume
	return resume
}

// refresh re-reads the watch list every Refresh (or when a poll names a
// watch the stream does not know) and sends options_update to each
// connection whose DIDs changed. A change of mode or connection count,
// or a new watch created before the stream's position, ends the session
// instead: reconnecting from the new watch's creation replays the
// seconds it would otherwise miss.
func (s *Stream) refresh(ctx context.Context, d *Deps, p *plan, updates []chan []string) error {
	for {
		if !s.sleep(ctx, s.opts.Refresh) {
			return nil
		}
		np, err := s.makePlan(ctx, d)
		if err != nil {
			s.opts.Logger.Warn("bluesky_stream_plan_failed", "err", err)
			continue
		}
		if !np.streaming() || np.firehose != p.firehose || len(np.chunks) != len(p.chunks) {
			return errReplan
		}
		s.mu.Lock()
		through := s.through
		s.mu.Unlock()
		for _, w := range np.watches {
			if !slices.ContainsFunc(p.watches, func(o *alerts.Watch) bool { return o.Name == w.Name }) && s.origin(w) < through {
				return errReplan
			}
		}
		if err := s.loadCursors(ctx, d, np); err != nil {
			return err
		}
		for i := range np.chunks {
			if !slices.Equal(np.chunks[i], p.chunks[i]) {
				select {
				case <-updates[i]: // replace an update not yet sent
				default:
				}
				updates[i] <- np.chunks[i]
			}
		}
		s.setPlan(np)
		p = np
	}
}

// uriSet remembers the most recent post URIs the stream alerted on, so a
// delete of one of them is reported even when its author is not a watched
// account (keyword watches).
type uriSet struct {
	set  map[string]struct{}
	ring []string
	next int
}

func newURISet(n int) *uriSet {
	return &uriSet{set: make(map[string]struct{}, n), ring: make([]string, n)}
}

func (u *uriSet) add(uri string) {
	if _, ok := u.set[uri]; ok {
		return
	}
	if old := u.ring[u.next]; old != "" {
		delete(u.set, old)
	}
	u.ring[u.next] = uri
	u.set[uri] = struct{}{}
	u.next = (u.next + 1) % len(u.ring)
}

func (u *uriSet) has(uri string) bool {
	_, ok := u.set[uri]
	return ok
}
