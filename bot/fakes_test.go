package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// fakeService answers every call with a plausible success, or with err
// when set, and records refusals.
type fakeService struct {
	mu       sync.Mutex
	err      error
	calls    []string
	refusals []fakeRefusal
	mutes    []alerts.MuteRequest
}

type fakeRefusal struct {
	actionID string
	alertID  int64
	actor    string
	source   alerts.Source
	what     string
}

var _ Service = (*fakeService)(nil)

func (f *fakeService) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	return f.err
}

func (f *fakeService) Apply(ctx context.Context, r alerts.Request) (*alerts.Result, error) {
	if err := f.call("Apply"); err != nil {
		return nil, err
	}
	return &alerts.Result{Alert: &alerts.Alert{ID: r.Alert, State: alerts.StateAcked}}, nil
}

func (f *fakeService) Mute(ctx context.Context, r alerts.MuteRequest) (*alerts.Mute, error) {
	if err := f.call("Mute"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.mutes = append(f.mutes, r)
	f.mu.Unlock()
	now := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	return &alerts.Mute{ID: 1, Scope: r.Scope, AlertID: r.AlertID, Account: r.Account, Keyword: r.Keyword, Watch: r.Watch,
		CreatedBy: r.Actor, CreatedAt: now, ExpiresAt: now.Add(r.For)}, nil
}

func (f *fakeService) Unmute(ctx context.Context, actionID string, muteID int64, actor string, src alerts.Source) (*alerts.Mute, error) {
	if err := f.call("Unmute"); err != nil {
		return nil, err
	}
	return &alerts.Mute{ID: muteID, Scope: alerts.ScopeAccount, Account: "x", Ended: true}, nil
}

func (f *fakeService) Alert(ctx context.Context, id int64) (*alerts.Alert, []*alerts.AuditEvent, error) {
	if err := f.call("Alert"); err != nil {
		return nil, nil, err
	}
	a := &alerts.Alert{ID: id, Watch: "w", State: alerts.StateOpen,
		Post: alerts.Post{AuthorID: "author-1", Handle: "author"}, Hits: []alerts.Hit{{Term: "plaza"}}}
	return a, []*alerts.AuditEvent{{AlertID: id, Action: alerts.ActionCreate}}, nil
}

func (f *fakeService) Alerts(ctx context.Context, filter alerts.AlertFilter) ([]*alerts.Alert, error) {
	return nil, f.call("Alerts")
}

func (f *fakeService) Mutes(ctx context.Context, all bool) ([]*alerts.Mute, error) {
	return nil, f.call("Mutes")
}

func (f *fakeService) RecordRefusal(ctx context.Context, actionID string, alertID int64, actor string, src alerts.Source, what string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refusals = append(f.refusals, fakeRefusal{actionID, alertID, actor, src, what})
	return f.err
}

// fakeWatches keeps watches in a map. Config watches cannot be removed.
type fakeWatches struct {
	mu      sync.Mutex
	watches map[string]*alerts.Watch
	added   []*alerts.Watch
}

var _ Watches = (*fakeWatches)(nil)

func newFakeWatches(ws ...*alerts.Watch) *fakeWatches {
	f := &fakeWatches{watches: map[string]*alerts.Watch{}}
	for _, w := range ws {
		f.watches[w.Name] = w
	}
	return f
}

func (f *fakeWatches) List(ctx context.Context) ([]*alerts.Watch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*alerts.Watch
	for _, w := range f.watches {
		out = append(out, w)
	}
	return out, nil
}

func (f *fakeWatches) Add(ctx context.Context, w *alerts.Watch, actor string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.watches[w.Name]; ok {
		return fmt.Errorf("add watch %s: %w", w.Name, alerts.ErrConflict)
	}
	f.watches[w.Name] = w
	f.added = append(f.added, w)
	return nil
}

func (f *fakeWatches) Remove(ctx context.Context, name, actor string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.watches[name]
	switch {
	case !ok:
		return fmt.Errorf("remove watch %s: %w", name, alerts.ErrNotFound)
	case w.Origin == alerts.OriginConfig:
		return fmt.Errorf("remove watch %s: %w: watch %s is defined in the config file", name, alerts.ErrForbidden, name)
	}
	delete(f.watches, name)
	return nil
}
