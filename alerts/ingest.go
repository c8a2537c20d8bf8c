package alerts

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Polled is one post a poll returned, with the matcher's verdict.
type Polled struct {
	Post    Post
	Match   Match
	Matched bool
}

// Batch is everything one poll of one watch produced. Ingest stores it in
// one transaction together with the watch's new cursor.
type Batch struct {
	Watch     *Watch
	Posts     []Polled
	Cursor    string
	FetchedAt time.Time
	// Notices from the watcher (a possible gap, a handle change) go to the
	// watch's route in the same transaction.
	Notices []string
	// NextPollAt is when the scheduler will poll the watch again.
	NextPollAt time.Time
	// Baseline records the posts as seen without alerting: a new watch's
	// first poll, unless the watch asks for backfill.
	Baseline bool
}

// IngestResult counts what Ingest did.
type IngestResult struct {
	Seen      int     // posts new to this watch
	Duplicate int     // posts the watch had already processed
	Alerted   []int64 // alerts raised and queued for delivery
	Muted     []int64 // alerts raised but muted
}

// Ingest stores a poll's posts with their evidence, raises one alert per
// new matching post chain, checks mutes, queues the cards and the first
// escalation timer, and advances the watch's cursor, all in one
// transaction: after a crash at any point either all of it happened or
// none of it did, so nothing is lost and nothing alerts twice.
func (s *Service) Ingest(ctx context.Context, b Batch) (IngestResult, error) {
	var res IngestResult
	if b.Watch == nil {
		return res, fmt.Errorf("ingest: %w: no watch", ErrInvalid)
	}
	if b.FetchedAt.IsZero() {
		b.FetchedAt = s.Now()
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		res = IngestResult{}
		mutes, err := tx.Mutes(ctx, s.Now(), false)
		if err != nil {
			return fmt.Errorf("load mutes: %w", err)
		}
		var fresh []*Post
		for i := range b.Posts {
			isNew, err := s.ingestOne(ctx, tx, &b, &b.Posts[i], mutes, &res)
			if err != nil {
				return err
			}
			if isNew {
				fresh = append(fresh, &b.Posts[i].Post)
			}
		}
		if err := s.trackActivity(ctx, tx, &b, fresh); err != nil {
			return fmt.Errorf("track activity: %w", err)
		}
		st, err := tx.WatchState(ctx, b.Watch.Name)
		if err != nil {
			return fmt.Errorf("load state of %s: %w", b.Watch.Name, err)
		}
		st.Cursor = b.Cursor
		st.Baselined = true
		st.NextPollAt = b.NextPollAt
		if err := s.pollSucceeded(ctx, tx, b.Watch, st, b.FetchedAt); err != nil {
			return err
		}
		for _, n := range b.Notices {
			if err := s.noticeRoute(ctx, tx, b.Watch.Route, 0, fmt.Sprintf("Watch %s: %s", b.Watch.Name, n)); err != nil {
				return err
			}
		}
		if err := tx.PutWatchState(ctx, st); err != nil {
			return fmt.Errorf("advance cursor of %s: %w", b.Watch.Name, err)
		}
		return nil
	})
	if err != nil {
		return IngestResult{}, fmt.Errorf("ingest %s: %w", b.Watch.Name, err)
	}
	return res, nil
}

// ingestOne stores one post and raises its alert; it reports whether the
// post was new to the watch.
func (s *Service) ingestOne(ctx context.Context, tx Tx, b *Batch, pd *Polled, mutes []*Mute, res *IngestResult) (bool, error) {
	p := &pd.Post
	key, err := tx.PutPost(ctx, p, NewEvidence(p.Raw, b.FetchedAt))
	if err != nil {
		return true, fmt.Errorf("store post %s/%s: %w", p.Platform, p.ID, err)
	}
	seen, err := tx.Seen(ctx, b.Watch.Name, p.Platform, p.ChainID())
	if err != nil {
		return true, fmt.Errorf("dedup post %s/%s: %w", p.Platform, p.ID, err)
	}
	if !p.DeletedAt.IsZero() {
		// The platform lists the post as removed (Reddit does): keep it,
		// mark the chain, and update any card already posted for it.
		if err := s.postDeleted(ctx, tx, p.Platform, p.ChainID(), p.DeletedAt, p.DeletedReason); err != nil {
			return false, err
		}
	}
	if seen {
		res.Duplicate++
		if p.FirstID == "" || p.FirstID == p.ID {
			return false, nil
		}
		// A new version of a post already processed. If it now matches
		// and the watch never alerted on the chain (posting something
		// harmless, then editing it in, must not evade a watch), it
		// alerts; otherwise its cards show the edit.
		if pd.Matched && !b.Baseline {
			raised, err := s.raise(ctx, tx, b, pd, key, mutes, res)
			if err != nil || raised {
				return false, err
			}
		}
		return false, s.postEdited(ctx, tx, p, key)
	}
	res.Seen++
	if err := tx.MarkSeen(ctx, b.Watch.Name, p.Platform, p.ChainID(), b.FetchedAt); err != nil {
		return true, fmt.Errorf("mark post %s/%s seen: %w", p.Platform, p.ID, err)
	}
	if !pd.Matched || b.Baseline {
		return true, nil
	}
	_, err = s.raise(ctx, tx, b, pd, key, mutes, res)
	return true, err
}

// raise creates the alert for a matching post, its audit event, its cards
// and first escalation, or reports false when the watch already alerted on
// the post's chain.
func (s *Service) raise(ctx context.Context, tx Tx, b *Batch, pd *Polled, key int64, mutes []*Mute, res *IngestResult) (bool, error) {
	p := &pd.Post
	now := s.Now()
	a := &Alert{
		Watch:     b.Watch.Name,
		Severity:  b.Watch.Severity,
		Route:     b.Watch.Route,
		State:     StateOpen,
		Post:      *p,
		PostKey:   key,
		Evidence:  NewEvidence(p.Raw, b.FetchedAt),
		Hits:      pd.Match.Hits,
		CreatedAt: now,
		UpdatedAt: now,
	}
	for _, m := range mutes {
		if m.Covers(b.Watch.Name, p, pd.Match.Hits) {
			a.Muted, a.MuteID = true, m.ID
			break
		}
	}
	if err := tx.InsertAlert(ctx, a); errors.Is(err, ErrConflict) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("raise alert for %s/%s: %w", p.Platform, p.ID, err)
	}
	detail := "terms: " + fmt.Sprint(pd.Match.Terms())
	if a.Muted {
		detail += fmt.Sprintf("; muted by M-%d", a.MuteID)
	}
	ev := &AuditEvent{
		ActionID: fmt.Sprintf("create:%s:%s:%s", b.Watch.Name, p.Platform, p.ChainID()),
		AlertID:  a.ID, MuteID: a.MuteID, Action: ActionCreate, Actor: "watch:" + b.Watch.Name,
		Source: SourceSystem, To: StateOpen, Detail: detail, At: now,
	}
	if err := record(ctx, tx, ev); err != nil {
		return true, err
	}
	if a.Muted {
		res.Muted = append(res.Muted, a.ID)
		return true, nil
	}
	res.Alerted = append(res.Alerted, a.ID)
	if err := s.postCards(ctx, tx, a); err != nil {
		return true, err
	}
	return true, s.scheduleEscalation(ctx, tx, a, 0, a.CreatedAt)
}

// scheduleEscalation schedules the n-th escalation of an alert (counting
// policy repeats) if its route's policy has one. from is when the previous
// step fired, or when the episode started (creation, unack, reopen) for
// n = 0, so a step's delay is measured from the step before it.
func (s *Service) scheduleEscalation(ctx context.Context, tx Tx, a *Alert, n int, from time.Time) error {
	p, ok := s.policyFor(a.Route)
	if !ok {
		return nil
	}
	_, after, ok := p.StepAt(n)
	if !ok {
		return nil
	}
	if n > 0 {
		_, prev, _ := p.StepAt(n - 1)
		after -= prev
	}
	t := &Timer{Kind: TimerEscalate, AlertID: a.ID, Step: n, DueAt: from.Add(after), State: TimerPending}
	if err := tx.InsertTimer(ctx, t); err != nil {
		return fmt.Errorf("schedule escalation of %s: %w", a.Ref(), err)
	}
	return nil
}
