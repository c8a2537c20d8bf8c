package watchers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// Registry is the set of watches: those defined in the config file
// (read-only at run time) and those added from chat or the CLI (kept in the
// store). Names are unique across both.
type Registry struct {
	config  map[string]*alerts.Watch
	store   alerts.Store
	sources []string
	now     func() time.Time
	// OnAdd, when set, is called after a watch is added so polling starts
	// at once instead of at the next reconcile.
	OnAdd func(ctx context.Context, name string)
	// OnRemove, when set, is called after a watch is removed, so the
	// matcher can drop its rules.
	OnRemove func(ctx context.Context, name string)
	// Check, when set, vets a watch before it is added: the source's own
	// rules, such as refusing feed URLs that point into the local network.
	Check func(ctx context.Context, w *alerts.Watch) error
}

// NewRegistry returns a registry over the config's watches and the store.
// sources lists the source names watches may use.
func NewRegistry(config []alerts.Watch, store alerts.Store, sources []string, now func() time.Time) *Registry {
	r := &Registry{config: make(map[string]*alerts.Watch, len(config)), store: store, sources: sources, now: now}
	for i := range config {
		w := config[i]
		w.Origin = alerts.OriginConfig
		r.config[w.Name] = &w
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// Get returns one watch by name.
func (r *Registry) Get(ctx context.Context, name string) (*alerts.Watch, error) {
	if w, ok := r.config[name]; ok {
		return clone(w), nil
	}
	ws, err := r.stored(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if w.Name == name {
			return w, nil
		}
	}
	return nil, fmt.Errorf("watch %q: %w", name, alerts.ErrNotFound)
}

// List returns every watch, config first, each group by name.
func (r *Registry) List(ctx context.Context) ([]*alerts.Watch, error) {
	out := make([]*alerts.Watch, 0, len(r.config))
	for _, w := range r.config {
		out = append(out, clone(w))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	ws, err := r.stored(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		// A config watch shadows a stored one of the same name.
		if _, ok := r.config[w.Name]; !ok {
			out = append(out, w)
		}
	}
	return out, nil
}

func (r *Registry) stored(ctx context.Context) ([]*alerts.Watch, error) {
	var ws []*alerts.Watch
	err := r.store.View(ctx, func(tx alerts.Tx) error {
		var err error
		ws, err = tx.Watches(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list stored watches: %w", err)
	}
	return ws, nil
}

// Add stores a new watch and audits who added it.
func (r *Registry) Add(ctx context.Context, w *alerts.Watch, actor string) error {
	if _, ok := r.config[w.Name]; ok {
		return fmt.Errorf("add watch %s: %w: a watch with that name is defined in the config file", w.Name, alerts.ErrConflict)
	}
	if !slices.Contains(r.sources, w.Source) {
		return fmt.Errorf("add watch %s: %w: unknown source %q (available: %s)", w.Name, alerts.ErrInvalid, w.Source, strings.Join(r.sources, ", "))
	}
	if err := w.Validate(); err != nil {
		return fmt.Errorf("add watch: %w", err)
	}
	if r.Check != nil {
		if err := r.Check(ctx, w); err != nil {
			return fmt.Errorf("add watch %s: %w: %w", w.Name, alerts.ErrInvalid, err)
		}
	}
	now := r.now().UTC()
	w.Origin, w.CreatedBy, w.CreatedAt, w.Enabled = alerts.OriginStore, actor, now, true
	err := r.store.Update(ctx, func(tx alerts.Tx) error {
		if err := tx.InsertWatch(ctx, w); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, &alerts.AuditEvent{
			ActionID: fmt.Sprintf("watch-add:%s:%d", w.Name, now.UnixNano()),
			Action:   alerts.ActionWatchAdd, Actor: actor, Source: sourceOf(actor),
			Detail: fmt.Sprintf("%s on %s: accounts %v keywords %v", w.Name, w.Source, w.Accounts, w.Keywords), At: now,
		})
	})
	if errors.Is(err, alerts.ErrConflict) {
		return fmt.Errorf("add watch %s: %w: the name is taken", w.Name, alerts.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("add watch %s: %w", w.Name, err)
	}
	if r.OnAdd != nil {
		r.OnAdd(ctx, w.Name)
	}
	return nil
}

// Remove deletes a watch added at run time. Config watches are removed by
// editing the config file.
func (r *Registry) Remove(ctx context.Context, name, actor string) error {
	if _, ok := r.config[name]; ok {
		return fmt.Errorf("remove watch %s: %w: it is defined in the config file; remove it there", name, alerts.ErrForbidden)
	}
	now := r.now().UTC()
	err := r.store.Update(ctx, func(tx alerts.Tx) error {
		if err := tx.DeleteWatch(ctx, name); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, &alerts.AuditEvent{
			ActionID: fmt.Sprintf("watch-remove:%s:%d", name, now.UnixNano()),
			Action:   alerts.ActionWatchRemove, Actor: actor, Source: sourceOf(actor), Detail: name, At: now,
		})
	})
	if err != nil {
		return fmt.Errorf("remove watch %s: %w", name, err)
	}
	if r.OnRemove != nil {
		r.OnRemove(ctx, name)
	}
	return nil
}

// sourceOf guesses an action's source from an actor id like "slack:U1".
func sourceOf(actor string) alerts.Source {
	p, _, _ := strings.Cut(actor, ":")
	switch alerts.Source(p) {
	case alerts.SourceSlack, alerts.SourceDiscord, alerts.SourceCLI:
		return alerts.Source(p)
	}
	return alerts.SourceSystem
}

// clone copies a watch deeply enough that callers cannot change the
// registry's config through it.
func clone(w *alerts.Watch) *alerts.Watch {
	c := *w
	c.Accounts = slices.Clone(w.Accounts)
	c.Keywords = slices.Clone(w.Keywords)
	return &c
}
