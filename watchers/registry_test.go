package watchers_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// storeWatch puts a watch straight into the store, as an earlier run (or
// an older config) left it.
func (e *env) storeWatch(t *testing.T, w *alerts.Watch) {
	t.Helper()
	ctx := context.Background()
	if err := e.st.Update(ctx, func(tx alerts.Tx) error { return tx.InsertWatch(ctx, w) }); err != nil {
		t.Fatalf("InsertWatch(%s): %v", w.Name, err)
	}
}

func storedWatch(name string) *alerts.Watch {
	w := newWatch(name)
	w.Origin = alerts.OriginStore
	w.CreatedBy = "cli:maria"
	return w
}

// newRegistry returns a registry with config watches "news" and "alpha",
// a stored watch "blog", and sources feed and youtube.
func (e *env) newRegistry(t *testing.T) *watchers.Registry {
	t.Helper()
	e.storeWatch(t, storedWatch("blog"))
	config := []alerts.Watch{*newWatch("news"), *newWatch("alpha")}
	config[0].Origin, config[1].Origin = "", ""
	return watchers.NewRegistry(config, e.st, []string{"feed", "youtube"}, e.clock.Now)
}

func TestRegistryGet(t *testing.T) {
	e := newEnv(t)
	r := e.newRegistry(t)
	// A stored watch shadowed by a config watch of the same name (the
	// config gained it after it was added from chat): the config wins.
	shadow := storedWatch("news")
	shadow.Keywords = []string{"stale"}
	e.storeWatch(t, shadow)

	tests := []struct {
		name       string
		watch      string
		wantOrigin alerts.Origin
		wantErr    error
	}{
		{name: "config watch", watch: "alpha", wantOrigin: alerts.OriginConfig},
		{name: "stored watch", watch: "blog", wantOrigin: alerts.OriginStore},
		{name: "config wins over stored", watch: "news", wantOrigin: alerts.OriginConfig},
		{name: "unknown watch", watch: "nope", wantErr: alerts.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := r.Get(context.Background(), tt.watch)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Get(%s): got error %v; want %v", tt.watch, err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if w.Name != tt.watch || w.Origin != tt.wantOrigin {
				t.Errorf("Get(%s): got %s origin %s; want %s origin %s", tt.watch, w.Name, w.Origin, tt.watch, tt.wantOrigin)
			}
			if tt.watch == "news" && !slices.Equal(w.Keywords, []string{"outage"}) {
				t.Errorf("Get(news) keywords: got %v; want the config's [outage]", w.Keywords)
			}
		})
	}

	// Get returns a copy: changing it leaves the registry as it was.
	w, _ := r.Get(context.Background(), "alpha")
	w.Interval = time.Hour
	if again, _ := r.Get(context.Background(), "alpha"); again.Interval != 5*time.Minute {
		t.Errorf("Get(alpha) after editing a returned copy: got interval %s; want 5m0s", again.Interval)
	}
}

func TestRegistryList(t *testing.T) {
	e := newEnv(t)
	r := e.newRegistry(t)
	e.storeWatch(t, storedWatch("aardvark"))

	tests := []struct {
		name   string
		shadow bool // a stored watch has the name of a config watch
		want   []string
	}{
		{name: "config first then stored, each by name", want: []string{"config:alpha", "config:news", "store:aardvark", "store:blog"}},
		{name: "config wins over a stored watch of the same name", shadow: true, want: []string{"config:alpha", "config:news", "store:aardvark", "store:blog"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.shadow {
				e.storeWatch(t, storedWatch("news"))
			}
			ws, err := r.List(context.Background())
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			var got []string
			for _, w := range ws {
				got = append(got, string(w.Origin)+":"+w.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("List: got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestRegistryAddRefuses(t *testing.T) {
	e := newEnv(t)
	r := e.newRegistry(t)
	var added []string
	r.OnAdd = func(_ context.Context, name string) { added = append(added, name) }

	tests := []struct {
		name    string
		edit    func(w *alerts.Watch)
		wantErr error
	}{
		{name: "bad name", edit: func(w *alerts.Watch) { w.Name = "Bad Name!" }, wantErr: alerts.ErrInvalid},
		{name: "unknown source", edit: func(w *alerts.Watch) { w.Source = "myspace" }, wantErr: alerts.ErrInvalid},
		{name: "interval too short", edit: func(w *alerts.Watch) { w.Interval = time.Second }, wantErr: alerts.ErrInvalid},
		{name: "no accounts or keywords", edit: func(w *alerts.Watch) { w.Keywords = nil }, wantErr: alerts.ErrInvalid},
		{name: "name of a config watch", edit: func(w *alerts.Watch) { w.Name = "news" }, wantErr: alerts.ErrConflict},
		{name: "name of a stored watch", edit: func(w *alerts.Watch) { w.Name = "blog" }, wantErr: alerts.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWatch("fresh")
			w.Origin = ""
			tt.edit(w)
			err := r.Add(context.Background(), w, "slack:U1")
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Add: got error %v; want %v", err, tt.wantErr)
			}
		})
	}
	if len(added) != 0 {
		t.Errorf("OnAdd calls after refused adds: got %v; want none", added)
	}
	ws, err := r.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(ws) != 3 {
		t.Errorf("watches after refused adds: got %d; want 3", len(ws))
	}
}

func TestRegistryAdd(t *testing.T) {
	e := newEnv(t)
	r := e.newRegistry(t)
	var added []string
	r.OnAdd = func(_ context.Context, name string) { added = append(added, name) }
	ctx := context.Background()

	w := newWatch("fresh")
	w.Origin, w.Enabled = "", false
	if err := r.Add(ctx, w, "slack:U1"); err != nil {
		t.Fatalf("Add: got error %v; want nil", err)
	}
	if !slices.Equal(added, []string{"fresh"}) {
		t.Errorf("OnAdd calls: got %v; want [fresh]", added)
	}
	got, err := r.Get(ctx, "fresh")
	if err != nil {
		t.Fatalf("Get(fresh): %v", err)
	}
	if got.Origin != alerts.OriginStore || got.CreatedBy != "slack:U1" || !got.CreatedAt.Equal(start) || !got.Enabled {
		t.Errorf("stored watch: got origin %s, by %q, at %s, enabled %v; want store, slack:U1, %s, true",
			got.Origin, got.CreatedBy, got.CreatedAt, got.Enabled, start)
	}

	var n int
	var actor, source string
	row := e.st.SQL().QueryRowContext(ctx, `SELECT COUNT(*), MAX(actor), MAX(source) FROM audit_events WHERE action = $1`, string(alerts.ActionWatchAdd))
	if err := row.Scan(&n, &actor, &source); err != nil {
		t.Fatalf("read audit: %v", err)
	}
	if n != 1 || actor != "slack:U1" || source != string(alerts.SourceSlack) {
		t.Errorf("watch_add audit: got %d events, actor %q, source %q; want 1, slack:U1, slack", n, actor, source)
	}
}

func TestRegistryRemove(t *testing.T) {
	tests := []struct {
		name    string
		watch   string
		wantErr error
	}{
		{name: "stored watch", watch: "blog"},
		{name: "config watch", watch: "news", wantErr: alerts.ErrForbidden},
		{name: "unknown watch", watch: "nope", wantErr: alerts.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.newRegistry(t)
			ctx := context.Background()
			err := r.Remove(ctx, tt.watch, "cli:maria")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Remove(%s): got error %v; want %v", tt.watch, err, tt.wantErr)
			}
			var audits int
			row := e.st.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, string(alerts.ActionWatchRemove))
			if err := row.Scan(&audits); err != nil {
				t.Fatalf("read audit: %v", err)
			}
			wantAudits := 0
			if tt.wantErr == nil {
				wantAudits = 1
				if _, err := r.Get(ctx, tt.watch); !errors.Is(err, alerts.ErrNotFound) {
					t.Errorf("Get(%s) after Remove: got error %v; want %v", tt.watch, err, alerts.ErrNotFound)
				}
			}
			if audits != wantAudits {
				t.Errorf("watch_remove audit events: got %d; want %d", audits, wantAudits)
			}
		})
	}
}
