package bluesky

import (
	"context"
	"fmt"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// lookupTimeout bounds the handle lookup of a matched post's author.
const lookupTimeout = 5 * time.Second

// deleteAttempts is how often a deletion is tried before it is logged and
// dropped (the evidence stays either way; only the card's "deleted" line
// is missed).
const deleteAttempts = 3

// process reads frames in batches, as many as are waiting (up to
// MaxBatch), so a quiet stream ingests each post at once and a busy one
// amortises transactions. pos holds each connection's last processed
// time_us; their minimum is the position every watch has reached.
func (s *Stream) process(ctx context.Context, d *Deps, conns int, resume int64, frames <-chan frame) error {
	pos := make([]int64, conns)
	last := make([]time.Time, conns)
	for i := range pos {
		pos[i] = resume
	}
	tick := time.NewTicker(s.opts.IdleAdvance)
	defer tick.Stop()
	for {
		var batch []frame
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			s.idleAdvance(now, pos, last)
			continue
		case f := <-frames:
			batch = append(batch, f)
		}
	drain:
		for len(batch) < s.opts.MaxBatch {
			select {
			case f := <-frames:
				batch = append(batch, f)
			default:
				break drain
			}
		}
		if err := s.handle(ctx, d, batch, pos, last); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// idleAdvance moves the position of connections that have been quiet for
// IdleAdvance to now less idleMargin: nothing older is still to come.
func (s *Stream) idleAdvance(now time.Time, pos []int64, last []time.Time) {
	moved := false
	for i := range pos {
		if last[i].IsZero() || now.Sub(last[i]) < s.opts.IdleAdvance {
			continue
		}
		if at := s.w.opts.Now().Add(-idleMargin).UnixMicro(); at > pos[i] {
			pos[i], moved = at, true
		}
	}
	if moved {
		s.advance(minPos(pos))
	}
}

func minPos(pos []int64) int64 {
	m := pos[0]
	for _, p := range pos[1:] {
		m = min(m, p)
	}
	return m
}

// advance records that every event up to through is processed: each
// watch's in-memory position moves (the store's moves at the watch's next
// ingest or checkpoint).
func (s *Stream) advance(through int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.through = max(s.through, through)
	for _, c := range s.cursors {
		c.TimeUS = max(c.TimeUS, s.through)
	}
}

type deletion struct {
	uri string
	at  time.Time
}

// handle processes one batch: match new posts, note deletions, handle and
// account changes, then ingest each watch's share with its new cursor.
func (s *Stream) handle(ctx context.Context, d *Deps, batch []frame, pos []int64, last []time.Time) error {
	s.mu.Lock()
	p := s.plan
	s.mu.Unlock()
	st := &batchState{batches: make(map[string]*alerts.Batch), now: s.w.opts.Now().UTC()}
	for _, f := range batch {
		last[f.conn] = f.at
		if f.data == nil {
			continue
		}
		ev, rec, err := decodeEvent(f.data)
		if err != nil {
			// Replaying would bring the same bytes back: log and skip.
			s.opts.Logger.Warn("bluesky_event_skipped", "platform", Platform, "err", err, "bytes", len(f.data))
			continue
		}
		switch {
		case ev.Kind == kindCommit && rec != nil && ev.Commit.Operation == opCreate:
			s.matchPost(ctx, d, p, st, &ev, rec, f.data)
		case ev.Kind == kindCommit && ev.Commit.Operation == opDelete && ev.Commit.Collection == postCollection:
			uri := postURI(ev.DID, ev.Commit.RKey)
			if len(p.dids[ev.DID]) > 0 || s.recent.has(uri) {
				st.deletes = append(st.deletes, deletion{uri, time.UnixMicro(ev.TimeUS).UTC()})
			}
		case ev.Kind == kindIdentity:
			s.identityChanged(p, st, &ev)
		case ev.Kind == kindAccount:
			s.accountChanged(p, st, &ev)
		}
		pos[f.conn] = max(pos[f.conn], ev.TimeUS)
	}
	through := minPos(pos)
	s.mu.Lock()
	for name, ns := range s.pending {
		if w := p.watch(name); w != nil {
			st.batch(w).Notices = append(st.batch(w).Notices, ns...)
		}
		delete(s.pending, name)
	}
	s.mu.Unlock()
	for _, name := range st.order {
		if err := s.ingest(ctx, d, st.batches[name], through); err != nil {
			return err
		}
	}
	for _, del := range st.deletes {
		s.deleted(ctx, d, del)
	}
	s.advance(through)
	return nil
}

// ingest stores one watch's share of a batch with the watch's cursor
// moved to through, in one transaction.
func (s *Stream) ingest(ctx context.Context, d *Deps, b *alerts.Batch, through int64) error {
	s.mu.Lock()
	c := s.cursors[b.Watch.Name].clone()
	s.mu.Unlock()
	c.TimeUS = max(c.TimeUS, through)
	for _, pd := range b.Posts {
		if pd.Post.Account == "" {
			continue
		}
		ac := c.account(pd.Post.Account)
		ac.DID, ac.Handle = pd.Post.AuthorID, normAccount(pd.Post.Handle)
		ac.Last, ac.LastAt = pd.Post.ID, pd.Post.CreatedAt
	}
	b.Cursor = c.String()
	if _, err := d.Service.Ingest(ctx, *b); err != nil {
		return fmt.Errorf("jetstream ingest: %w", err)
	}
	s.mu.Lock()
	s.cursors[b.Watch.Name] = c
	for _, pd := range b.Posts {
		s.recent.add(pd.Post.ID)
	}
	s.mu.Unlock()
	return nil
}

// deleted reports a deleted post to the service, retrying a little.
func (s *Stream) deleted(ctx context.Context, d *Deps, del deletion) {
	var err error
	for attempt := range deleteAttempts {
		if err = d.Service.PostDeleted(ctx, Platform, del.uri, del.at, "deleted by author"); err == nil {
			return
		}
		if !s.sleep(ctx, time.Duration(attempt+1)*100*time.Millisecond) {
			return
		}
	}
	s.opts.Logger.Error("bluesky_delete_failed", "uri", del.uri, "err", err)
}

// batchState collects one batch's work per watch, in first-seen order.
type batchState struct {
	batches map[string]*alerts.Batch
	order   []string
	deletes []deletion
	now     time.Time
}

func (b *batchState) batch(w *alerts.Watch) *alerts.Batch {
	if x, ok := b.batches[w.Name]; ok {
		return x
	}
	x := &alerts.Batch{Watch: w, FetchedAt: b.now}
	b.batches[w.Name] = x
	b.order = append(b.order, w.Name)
	return x
}

func (p *plan) watch(name string) *alerts.Watch {
	for _, w := range p.watches {
		if w.Name == name {
			return w
		}
	}
	return nil
}

// matchPost matches one new post against every watch whose position is
// before it.
func (s *Stream) matchPost(ctx context.Context, d *Deps, p *plan, st *batchState, ev *event, rec *postRecord, raw []byte) {
	post := fromRecord(ev.DID, ev.Commit.RKey, rec, raw)
	post.Handle = s.w.dir.handle(ev.DID)
	if post.CreatedAt.IsZero() {
		post.CreatedAt = time.UnixMicro(ev.TimeUS).UTC()
	}
	matched := false
	for _, w := range p.watches {
		s.mu.Lock()
		c := s.cursors[w.Name]
		skip := c == nil || ev.TimeUS <= c.TimeUS
		s.mu.Unlock()
		if skip {
			continue // already processed for this watch, or before it existed
		}
		pw := post
		if a, ok := p.accountOf(w.Name, ev.DID); ok {
			pw.Account = a
		}
		m, ok := d.Matcher.Match(w, &pw)
		if !ok {
			continue
		}
		if !matched {
			matched = true
			post.Handle = s.handleFor(ctx, ev.DID)
			s.mu.Lock()
			post.PreviousHandle = s.prevHandle[ev.DID]
			delete(s.prevHandle, ev.DID)
			s.mu.Unlock()
		}
		pw.Handle, pw.PreviousHandle = post.Handle, post.PreviousHandle
		b := st.batch(w)
		b.Posts = append(b.Posts, alerts.Polled{Post: pw, Match: m, Matched: true})
	}
}

// handleFor returns the author's handle, looking it up when unknown; the
// DID stands in when the lookup fails (the card still links by DID).
func (s *Stream) handleFor(ctx context.Context, did string) string {
	if h := s.w.dir.handle(did); h != "" {
		return h
	}
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	h, err := s.w.dir.lookup(lctx, did)
	if err != nil {
		s.opts.Logger.Debug("bluesky_handle_lookup_failed", "did", did, "err", err)
		return did
	}
	return h
}

// identityChanged refreshes the handle cache. A watched account's rename
// is told to its watches, and its next post carries the old handle.
func (s *Stream) identityChanged(p *plan, st *batchState, ev *event) {
	did, handle := ev.DID, ev.Identity.Handle
	watched := p.dids[did]
	if handle == "" || (len(watched) == 0 && s.w.dir.handle(did) == "") {
		return
	}
	prev := s.w.dir.setHandle(did, handle)
	if prev == "" {
		return
	}
	s.mu.Lock()
	s.prevHandle[did] = prev
	s.mu.Unlock()
	for name, account := range watched {
		if w := p.watch(name); w != nil {
			b := st.batch(w)
			b.Notices = append(b.Notices, fmt.Sprintf("@%s is now @%s (%s); still followed as %s", prev, normAccount(handle), did, account))
		}
	}
}

// accountChanged tells the watches of an account that it was deactivated
// (or taken down, suspended…) or came back.
func (s *Stream) accountChanged(p *plan, st *batchState, ev *event) {
	watched := p.dids[ev.DID]
	if len(watched) == 0 {
		return
	}
	s.mu.Lock()
	was := s.inactive[ev.DID]
	if ev.Account.Active {
		delete(s.inactive, ev.DID)
	} else {
		s.inactive[ev.DID] = true
	}
	s.mu.Unlock()
	name := s.w.dir.handle(ev.DID)
	if name == "" {
		name = ev.DID
	}
	var msg string
	switch {
	case !ev.Account.Active && !was:
		status := ev.Account.Status
		if status == "" {
			status = "deactivated"
		}
		msg = fmt.Sprintf("account @%s (%s) is no longer active (%s) since %s", name, ev.DID, status, ev.Account.Time)
	case ev.Account.Active && was:
		msg = fmt.Sprintf("account @%s (%s) is active again since %s", name, ev.DID, ev.Account.Time)
	default:
		return
	}
	for wn := range watched {
		if w := p.watch(wn); w != nil {
			b := st.batch(w)
			b.Notices = append(b.Notices, msg)
		}
	}
}
