package bot

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// memStore is an in-memory alerts.Store for tests. Update runs one
// transaction at a time and rolls back by restoring a snapshot; values are
// stored as copies so callers' pointers never alias the store.
type memStore struct {
	mu sync.Mutex
	db memDB
}

type memDB struct {
	nextID     map[string]int64       // per table, like autoincrement keys
	posts      map[string]alerts.Post // platform/id
	postKeys   map[string]int64
	seen       map[string]bool // watch/platform/chain
	alerts     map[int64]alerts.Alert
	mutes      map[int64]alerts.Mute
	audit      []alerts.AuditEvent
	deliveries map[int64]alerts.Delivery
	timers     map[int64]alerts.Timer
	watches    map[string]alerts.Watch
	states     map[string]alerts.WatchState
}

var (
	_ alerts.Store = (*memStore)(nil)
	_ alerts.Tx    = (*memTx)(nil)
)

func newMemStore() *memStore {
	return &memStore{db: memDB{
		nextID:     map[string]int64{},
		posts:      map[string]alerts.Post{},
		postKeys:   map[string]int64{},
		seen:       map[string]bool{},
		alerts:     map[int64]alerts.Alert{},
		mutes:      map[int64]alerts.Mute{},
		deliveries: map[int64]alerts.Delivery{},
		timers:     map[int64]alerts.Timer{},
		watches:    map[string]alerts.Watch{},
		states:     map[string]alerts.WatchState{},
	}}
}

func (d memDB) clone() memDB {
	d.nextID = maps.Clone(d.nextID)
	d.posts = maps.Clone(d.posts)
	d.postKeys = maps.Clone(d.postKeys)
	d.seen = maps.Clone(d.seen)
	d.alerts = maps.Clone(d.alerts)
	d.mutes = maps.Clone(d.mutes)
	d.audit = slices.Clone(d.audit)
	d.deliveries = maps.Clone(d.deliveries)
	d.timers = maps.Clone(d.timers)
	d.watches = maps.Clone(d.watches)
	d.states = maps.Clone(d.states)
	return d
}

func (s *memStore) Update(ctx context.Context, fn func(alerts.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	saved := s.db.clone()
	if err := fn(&memTx{db: &s.db}); err != nil {
		s.db = saved
		return err
	}
	return nil
}

func (s *memStore) View(ctx context.Context, fn func(alerts.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Writes inside View are discarded, as a read-only transaction would.
	db := s.db.clone()
	return fn(&memTx{db: &db})
}

// memTx is the store inside one transaction.
type memTx struct{ db *memDB }

func (t *memTx) id(table string) int64 {
	t.db.nextID[table]++
	return t.db.nextID[table]
}

func notFound(what string, id any) error {
	return fmt.Errorf("%s %v: %w", what, id, alerts.ErrNotFound)
}

func (t *memTx) PutPost(ctx context.Context, p *alerts.Post, ev alerts.Evidence) (int64, error) {
	k := p.Platform + "/" + p.ID
	if key, ok := t.db.postKeys[k]; ok {
		return key, nil
	}
	key := t.id("post")
	t.db.posts[k], t.db.postKeys[k] = *p, key
	return key, nil
}

func (t *memTx) Seen(ctx context.Context, watch, platform, chainID string) (bool, error) {
	return t.db.seen[watch+"/"+platform+"/"+chainID], nil
}

func (t *memTx) MarkSeen(ctx context.Context, watch, platform, chainID string, at time.Time) error {
	t.db.seen[watch+"/"+platform+"/"+chainID] = true
	return nil
}

func (t *memTx) Posts(ctx context.Context, since time.Time, limit int) ([]*alerts.Post, error) {
	var out []*alerts.Post
	for _, p := range t.db.posts {
		out = append(out, &p)
	}
	return out, nil
}

func (t *memTx) InsertAlert(ctx context.Context, a *alerts.Alert) error {
	a.ID = t.id("alert")
	t.db.alerts[a.ID] = *a
	return nil
}

func (t *memTx) Alert(ctx context.Context, id int64) (*alerts.Alert, error) {
	a, ok := t.db.alerts[id]
	if !ok {
		return nil, notFound("alert", id)
	}
	return &a, nil
}

func (t *memTx) UpdateAlert(ctx context.Context, a *alerts.Alert) error {
	if _, ok := t.db.alerts[a.ID]; !ok {
		return notFound("alert", a.ID)
	}
	t.db.alerts[a.ID] = *a
	return nil
}

func (t *memTx) Alerts(ctx context.Context, f alerts.AlertFilter) ([]*alerts.Alert, error) {
	var out []*alerts.Alert
	for _, a := range t.db.alerts {
		switch {
		case len(f.States) > 0 && !slices.Contains(f.States, a.State),
			f.Watch != "" && a.Watch != f.Watch,
			a.Muted && !f.IncludeMuted:
			continue
		}
		out = append(out, &a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (t *memTx) CountAlerts(ctx context.Context) (map[alerts.State]int, error) {
	out := map[alerts.State]int{}
	for _, a := range t.db.alerts {
		out[a.State]++
	}
	return out, nil
}

func (t *memTx) InsertMute(ctx context.Context, m *alerts.Mute) error {
	m.ID = t.id("mute")
	t.db.mutes[m.ID] = *m
	return nil
}

func (t *memTx) Mute(ctx context.Context, id int64) (*alerts.Mute, error) {
	m, ok := t.db.mutes[id]
	if !ok {
		return nil, notFound("mute", id)
	}
	return &m, nil
}

func (t *memTx) UpdateMute(ctx context.Context, m *alerts.Mute) error {
	t.db.mutes[m.ID] = *m
	return nil
}

func (t *memTx) Mutes(ctx context.Context, at time.Time, all bool) ([]*alerts.Mute, error) {
	var out []*alerts.Mute
	for _, m := range t.db.mutes {
		if all || m.Active(at) {
			m := m
			out = append(out, &m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (t *memTx) InsertAudit(ctx context.Context, e *alerts.AuditEvent) error {
	for _, x := range t.db.audit {
		if x.ActionID == e.ActionID {
			return fmt.Errorf("action %s: %w", e.ActionID, alerts.ErrConflict)
		}
	}
	e.ID = t.id("audit")
	t.db.audit = append(t.db.audit, *e)
	return nil
}

func (t *memTx) AuditByAction(ctx context.Context, actionID string) (*alerts.AuditEvent, error) {
	for _, x := range t.db.audit {
		if x.ActionID == actionID {
			return &x, nil
		}
	}
	return nil, notFound("action", actionID)
}

func (t *memTx) History(ctx context.Context, alertID int64) ([]*alerts.AuditEvent, error) {
	var out []*alerts.AuditEvent
	for _, x := range t.db.audit {
		if x.AlertID == alertID {
			x := x
			out = append(out, &x)
		}
	}
	return out, nil
}

func (t *memTx) InsertDelivery(ctx context.Context, d *alerts.Delivery) error {
	d.ID = t.id("delivery")
	t.db.deliveries[d.ID] = *d
	return nil
}

func (t *memTx) Delivery(ctx context.Context, id int64) (*alerts.Delivery, error) {
	d, ok := t.db.deliveries[id]
	if !ok {
		return nil, notFound("delivery", id)
	}
	return &d, nil
}

func (t *memTx) UpdateDelivery(ctx context.Context, d *alerts.Delivery) error {
	t.db.deliveries[d.ID] = *d
	return nil
}

func (t *memTx) Deliveries(ctx context.Context, alertID int64) ([]*alerts.Delivery, error) {
	var out []*alerts.Delivery
	for _, d := range t.db.deliveries {
		if d.AlertID == alertID {
			d := d
			out = append(out, &d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (t *memTx) PendingBefore(ctx context.Context, d *alerts.Delivery) (bool, error) {
	for _, x := range t.db.deliveries {
		if x.ID < d.ID && x.Destination == d.Destination && x.State == alerts.DeliveryPending {
			return true, nil
		}
	}
	return false, nil
}

func (t *memTx) LastSent(ctx context.Context, to alerts.Destination) (time.Time, error) {
	var last time.Time
	for _, x := range t.db.deliveries {
		if x.Destination == to && x.SentAt.After(last) {
			last = x.SentAt
		}
	}
	return last, nil
}

func (t *memTx) DeliveriesByState(ctx context.Context, s alerts.DeliveryState, limit int) ([]*alerts.Delivery, error) {
	var out []*alerts.Delivery
	for _, d := range t.db.deliveries {
		if d.State == s {
			d := d
			out = append(out, &d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (t *memTx) CountDeliveries(ctx context.Context) (map[alerts.DeliveryState]int, error) {
	out := map[alerts.DeliveryState]int{}
	for _, d := range t.db.deliveries {
		out[d.State]++
	}
	return out, nil
}

func (t *memTx) InsertTimer(ctx context.Context, tm *alerts.Timer) error {
	tm.ID = t.id("timer")
	t.db.timers[tm.ID] = *tm
	return nil
}

func (t *memTx) Timer(ctx context.Context, id int64) (*alerts.Timer, error) {
	tm, ok := t.db.timers[id]
	if !ok {
		return nil, notFound("timer", id)
	}
	return &tm, nil
}

func (t *memTx) UpdateTimer(ctx context.Context, tm *alerts.Timer) error {
	t.db.timers[tm.ID] = *tm
	return nil
}

func (t *memTx) CancelTimers(ctx context.Context, alertID, muteID int64, kinds ...alerts.TimerKind) error {
	for id, tm := range t.db.timers {
		if tm.State != alerts.TimerPending || !slices.Contains(kinds, tm.Kind) {
			continue
		}
		if (alertID > 0 && tm.AlertID == alertID) || (muteID > 0 && tm.MuteID == muteID) {
			tm.State = alerts.TimerCancelled
			t.db.timers[id] = tm
		}
	}
	return nil
}

func (t *memTx) PendingTimers(ctx context.Context) ([]*alerts.Timer, error) {
	var out []*alerts.Timer
	for _, tm := range t.db.timers {
		if tm.State == alerts.TimerPending {
			tm := tm
			out = append(out, &tm)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (t *memTx) InsertWatch(ctx context.Context, w *alerts.Watch) error {
	if _, ok := t.db.watches[w.Name]; ok {
		return fmt.Errorf("watch %s: %w", w.Name, alerts.ErrConflict)
	}
	t.db.watches[w.Name] = *w
	return nil
}

func (t *memTx) DeleteWatch(ctx context.Context, name string) error {
	if _, ok := t.db.watches[name]; !ok {
		return notFound("watch", name)
	}
	delete(t.db.watches, name)
	return nil
}

func (t *memTx) Watches(ctx context.Context) ([]*alerts.Watch, error) {
	var out []*alerts.Watch
	for _, w := range t.db.watches {
		out = append(out, &w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (t *memTx) WatchState(ctx context.Context, name string) (*alerts.WatchState, error) {
	st, ok := t.db.states[name]
	if !ok {
		st = alerts.WatchState{Watch: name}
	}
	return &st, nil
}

func (t *memTx) PutWatchState(ctx context.Context, s *alerts.WatchState) error {
	t.db.states[s.Watch] = *s
	return nil
}

func (t *memTx) WatchStates(ctx context.Context) ([]*alerts.WatchState, error) {
	var out []*alerts.WatchState
	for _, st := range t.db.states {
		out = append(out, &st)
	}
	return out, nil
}
