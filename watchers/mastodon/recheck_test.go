package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers"
)

// fakeStatuses serves GET /api/v1/statuses/:id as Mastodon does: the
// status, or 404 {"error":"Record not found"}, with X-RateLimit-* headers
// (ISO 8601 reset).
type fakeStatuses struct {
	mu        sync.Mutex
	live      map[string]bool
	status    int
	remaining int
	asked     []string
	srv       *httptest.Server
}

func newFakeStatuses(t *testing.T, live ...string) *fakeStatuses {
	f := &fakeStatuses{live: map[string]bool{}, remaining: 290}
	for _, id := range live {
		f.live[id] = true
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		id, ok := strings.CutPrefix(r.URL.Path, "/api/v1/statuses/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		f.asked = append(f.asked, id)
		w.Header().Set("X-RateLimit-Limit", "300")
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(f.remaining))
		w.Header().Set("X-RateLimit-Reset", time.Now().Add(3*time.Minute).UTC().Format("2006-01-02T15:04:05.000000Z"))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case f.status != 0:
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(f.status)
			fmt.Fprint(w, `{"error":"Too many requests"}`)
		case f.live[id]:
			fmt.Fprintf(w, `{"id":%q,"uri":"https://x.test/users/a/statuses/%s","content":"<p>still here</p>","account":{"id":"1","acct":"a"}}`, id, id)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"Record not found"}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func newRecheckWatcher(t *testing.T, local, home *fakeStatuses, now time.Time) (*Watcher, *ratelimit.Registry) {
	t.Helper()
	reg := ratelimit.NewRegistry()
	client := httpx.New(httpx.Options{RetryMax: -1})
	w, err := New(client, client, Options{
		BaseURL: local.srv.URL,
		InstanceURL: func(string) string {
			if home == nil {
				return "http://127.0.0.1:1"
			}
			return home.srv.URL
		},
		Budget: func(host string) Budget { return reg.Get("mastodon:"+host, nil) },
		Now:    func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, reg
}

func TestRecheckAsksTheInstanceThatServedEachStatus(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	local := newFakeStatuses(t, "101")
	home := newFakeStatuses(t, "201")
	w, _ := newRecheckWatcher(t, local, home, now)
	w.resolved["alice@home.example"] = accountState{ID: "9", URI: "https://home.example/users/alice"}
	posts := []alerts.Post{
		{Platform: platform, ID: "101"},                                // hashtag, still there
		{Platform: platform, ID: "102"},                                // hashtag, deleted
		{Platform: platform, ID: "201", Account: "alice@home.example"}, // home, still there
		{Platform: platform, ID: "202", Account: "@alice@home.example"},
		{Platform: platform, ID: "301", Account: "bob@elsewhere.example"}, // never looked up: passed over
	}
	got, err := w.Recheck(context.Background(), posts)
	if err != nil {
		t.Fatal(err)
	}
	want := []watchers.Gone{{ChainID: "102", At: now, Reason: watchers.ReasonDeleted}, {ChainID: "202", At: now, Reason: watchers.ReasonDeleted}}
	if fmt.Sprint(got.Gone) != fmt.Sprint(want) || got.Checked != 5 {
		t.Errorf("got %v, %d checked; want %v, 5", got.Gone, got.Checked, want)
	}
	if a, b := strings.Join(local.asked, ","), strings.Join(home.asked, ","); a != "101,102" || b != "201,202" {
		t.Errorf("asked: local %s, home %s; want 101,102 and 201,202", a, b)
	}
}

func TestRecheckIsBoundedPerRun(t *testing.T) {
	local := newFakeStatuses(t)
	w, _ := newRecheckWatcher(t, local, nil, time.Now())
	var posts []alerts.Post
	for i := range MaxRecheck + 5 {
		local.live[strconv.Itoa(i)] = true
		posts = append(posts, alerts.Post{Platform: platform, ID: strconv.Itoa(i)})
	}
	got, err := w.Recheck(context.Background(), posts)
	if err != nil {
		t.Fatal(err)
	}
	if got.Checked != MaxRecheck || len(local.asked) != MaxRecheck || len(got.Gone) != 0 {
		t.Errorf("got %d checked, %d requests, %d gone; want %d, %d, 0", got.Checked, len(local.asked), len(got.Gone), MaxRecheck, MaxRecheck)
	}
}

func TestRecheckStopsOnRateLimitAndKeepsTheBudget(t *testing.T) {
	t.Run("rate limited", func(t *testing.T) {
		local := newFakeStatuses(t)
		local.status = http.StatusTooManyRequests
		w, _ := newRecheckWatcher(t, local, nil, time.Now())
		got, err := w.Recheck(context.Background(), []alerts.Post{{Platform: platform, ID: "1"}, {Platform: platform, ID: "2"}})
		if _, ok := alerts.RetryAfter(err); !ok {
			t.Fatalf("err: got %v; want a RetryAfterError", err)
		}
		if got.Checked != 0 || len(got.Gone) != 0 || len(local.asked) != 1 {
			t.Errorf("got %d checked, %d gone, %d requests; want 0, 0, 1", got.Checked, len(got.Gone), len(local.asked))
		}
	})
	t.Run("server error", func(t *testing.T) {
		local := newFakeStatuses(t)
		local.status = http.StatusServiceUnavailable
		w, _ := newRecheckWatcher(t, local, nil, time.Now())
		got, err := w.Recheck(context.Background(), []alerts.Post{{Platform: platform, ID: "1"}})
		if err == nil || got.Checked != 0 || len(got.Gone) != 0 {
			t.Errorf("got err %v, %d checked, %d gone; want an error and nothing", err, got.Checked, len(got.Gone))
		}
	})
	t.Run("budget low", func(t *testing.T) {
		local := newFakeStatuses(t, "1", "2")
		local.remaining = 150 // half of 300: the next request would dip below
		w, _ := newRecheckWatcher(t, local, nil, time.Now())
		got, err := w.Recheck(context.Background(), []alerts.Post{{Platform: platform, ID: "1"}, {Platform: platform, ID: "2"}})
		if !errors.Is(err, watchers.ErrBudgetReserved) {
			t.Fatalf("err: got %v; want ErrBudgetReserved", err)
		}
		// The first request learnt the budget; the second was not sent.
		if got.Checked != 1 || len(local.asked) != 1 {
			t.Errorf("got %d checked, %d requests; want 1, 1", got.Checked, len(local.asked))
		}
	})
}
