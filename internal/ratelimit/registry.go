package ratelimit

import (
	"sort"
	"sync"
	"time"
)

// Registry holds one Budget per credential, shared by every watch that
// uses it. It is safe for concurrent use.
type Registry struct {
	mu      sync.Mutex
	budgets map[string]*Budget
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{budgets: make(map[string]*Budget)}
}

// Get returns the budget named name, creating it with clock now (nil means
// time.Now) on first use. Later calls return the same budget whatever now.
func (r *Registry) Get(name string, now func() time.Time) *Budget {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.budgets[name]
	if !ok {
		b = New(name, now)
		r.budgets[name] = b
	}
	return b
}

// Snapshots returns every budget's state, sorted by name.
func (r *Registry) Snapshots() []Snapshot {
	r.mu.Lock()
	bs := make([]*Budget, 0, len(r.budgets))
	for _, b := range r.budgets {
		bs = append(bs, b)
	}
	r.mu.Unlock()
	out := make([]Snapshot, len(bs))
	for i, b := range bs {
		out[i] = b.Snapshot()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
