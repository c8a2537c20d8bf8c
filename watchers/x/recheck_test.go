package x

import (
	"context"
	"encoding/json"
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

// fakeLookup serves GET /2/tweets?ids= the way X does: found posts in
// data, every other id as an error entry, x-rate-limit-* headers.
type fakeLookup struct {
	mu        sync.Mutex
	live      map[string]bool
	suspended map[string]bool
	protected map[string]bool
	status    int // when set, every request fails with it
	body      string
	remaining int
	asked     [][]string
}

func (f *fakeLookup) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		http.Error(w, `{"title":"Unauthorized","status":401}`, http.StatusUnauthorized)
		return
	}
	if r.URL.Path != "/2/tweets" {
		http.NotFound(w, r)
		return
	}
	ids := strings.Split(r.URL.Query().Get("ids"), ",")
	f.asked = append(f.asked, ids)
	w.Header().Set("x-rate-limit-limit", "450")
	w.Header().Set("x-rate-limit-remaining", strconv.Itoa(f.remaining))
	w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(15*time.Minute).Unix(), 10))
	if len(ids) > maxLookupIDs {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"errors":[{"message":"ids: too many"}],"title":"Invalid Request"}`)
		return
	}
	if f.status != 0 {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(f.status)
		fmt.Fprint(w, `{"title":"Too Many Requests","detail":"Too Many Requests","status":429}`)
		return
	}
	if f.body != "" {
		fmt.Fprint(w, f.body)
		return
	}
	var pg struct {
		Data   []map[string]any `json:"data,omitempty"`
		Errors []map[string]any `json:"errors,omitempty"`
	}
	for _, id := range ids {
		switch {
		case f.live[id]:
			pg.Data = append(pg.Data, map[string]any{"id": id, "text": "still here", "edit_history_tweet_ids": []string{id}})
		case f.protected[id]:
			pg.Errors = append(pg.Errors, map[string]any{"value": id, "detail": "Sorry, you are not authorized to see the Post with ids: [" + id + "].",
				"title": "Authorization Error", "resource_type": "tweet", "parameter": "ids", "resource_id": id,
				"type": "https://api.twitter.com/2/problems/not-authorized-for-resource"})
		case f.suspended[id]:
			pg.Errors = append(pg.Errors, map[string]any{"value": id, "detail": "User has been suspended: [" + id + "].",
				"title": "Forbidden", "resource_type": "user", "parameter": "ids", "resource_id": id,
				"type": "https://api.twitter.com/2/problems/resource-not-found"})
		default:
			pg.Errors = append(pg.Errors, map[string]any{"value": id, "detail": "Could not find tweet with ids: [" + id + "].",
				"title": "Not Found Error", "resource_type": "tweet", "parameter": "ids", "resource_id": id,
				"type": "https://api.twitter.com/2/problems/resource-not-found"})
		}
	}
	_ = json.NewEncoder(w).Encode(pg)
}

func newRecheckWatcher(t *testing.T, f *fakeLookup, now time.Time) (*Watcher, *ratelimit.Registry) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	reg := ratelimit.NewRegistry()
	w, err := New(httpx.New(httpx.Options{RetryMax: -1}), Options{BaseURL: srv.URL, BearerToken: testToken, Budgets: reg, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return w, reg
}

func xPost(id string) alerts.Post { return alerts.Post{Platform: Platform, ID: id} }

func TestRecheckReportsDeletedAndSuspendedPosts(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	f := &fakeLookup{remaining: 400, live: map[string]bool{"100": true}, suspended: map[string]bool{"300": true}, protected: map[string]bool{"400": true}}
	w, _ := newRecheckWatcher(t, f, now)
	edited := alerts.Post{Platform: Platform, ID: "201", FirstID: "200"}
	got, err := w.Recheck(context.Background(), []alerts.Post{xPost("100"), edited, xPost("300"), xPost("400"), xPost("not-an-id")})
	if err != nil {
		t.Fatal(err)
	}
	want := []watchers.Gone{
		{ChainID: "200", At: now, Reason: watchers.ReasonDeleted},
		{ChainID: "300", At: now, Reason: watchers.ReasonSuspended},
	}
	if fmt.Sprint(got.Gone) != fmt.Sprint(want) {
		t.Errorf("gone: got %v; want %v", got.Gone, want)
	}
	if got.Checked != 5 {
		t.Errorf("checked: got %d; want 5", got.Checked)
	}
	if len(f.asked) != 1 || strings.Join(f.asked[0], ",") != "100,201,300,400" {
		t.Errorf("requests: got %v; want one asking 100,201,300,400", f.asked)
	}
}

func TestRecheckBatchesAHundredIDsPerRequest(t *testing.T) {
	f := &fakeLookup{remaining: 400, live: map[string]bool{}}
	var posts []alerts.Post
	for i := range 250 {
		id := strconv.Itoa(1000 + i)
		f.live[id] = true
		posts = append(posts, xPost(id))
	}
	w, _ := newRecheckWatcher(t, f, time.Now())
	got, err := w.Recheck(context.Background(), posts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Gone) != 0 || got.Checked != 250 {
		t.Errorf("got %d gone, %d checked; want 0 gone, 250 checked", len(got.Gone), got.Checked)
	}
	if len(f.asked) != 3 || len(f.asked[0]) != 100 || len(f.asked[2]) != 50 {
		t.Errorf("requests: got %d; want 3 of 100, 100, 50", len(f.asked))
	}
}

func TestRecheckFailuresMarkNothing(t *testing.T) {
	tests := []struct {
		name   string
		fake   *fakeLookup
		isWait bool
	}{
		{name: "rate limited", fake: &fakeLookup{status: http.StatusTooManyRequests}, isWait: true},
		{name: "server error", fake: &fakeLookup{status: http.StatusServiceUnavailable}},
		{name: "malformed body", fake: &fakeLookup{body: `{"data":[{"id":`}},
		{name: "not json", fake: &fakeLookup{body: `<html>busy</html>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fake
			f.remaining = 400
			w, _ := newRecheckWatcher(t, f, time.Now())
			got, err := w.Recheck(context.Background(), []alerts.Post{xPost("100"), xPost("200")})
			if err == nil {
				t.Fatal("got no error; want one")
			}
			if len(got.Gone) != 0 || got.Checked != 0 {
				t.Errorf("got %d gone, %d checked; want nothing", len(got.Gone), got.Checked)
			}
			if _, ok := alerts.RetryAfter(err); ok != tt.isWait {
				t.Errorf("retry-after: got %v; want %v (err %v)", ok, tt.isWait, err)
			}
		})
	}
}

func TestRecheckKeepsTheBudgetForPolls(t *testing.T) {
	f := &fakeLookup{remaining: 225, live: map[string]bool{}}
	var posts []alerts.Post
	for i := range 300 {
		posts = append(posts, xPost(strconv.Itoa(1000+i)))
	}
	w, reg := newRecheckWatcher(t, f, time.Now())
	// The first response says 225 of 450 remain: less than half after
	// one more request, so the run stops after the first batch.
	got, err := w.Recheck(context.Background(), posts)
	if !errors.Is(err, watchers.ErrBudgetReserved) {
		t.Fatalf("err: got %v; want ErrBudgetReserved", err)
	}
	if got.Checked != 100 || len(got.Gone) != 100 || len(f.asked) != 1 {
		t.Errorf("got %d checked, %d gone, %d requests; want 100, 100, 1", got.Checked, len(got.Gone), len(f.asked))
	}
	// A later run with the budget still low asks nothing.
	f.asked = nil
	got, err = w.Recheck(context.Background(), posts[100:])
	if !errors.Is(err, watchers.ErrBudgetReserved) || got.Checked != 0 || len(f.asked) != 0 {
		t.Errorf("low budget: got err %v, %d checked, %d requests; want ErrBudgetReserved, 0, 0", err, got.Checked, len(f.asked))
	}
	if s := reg.Get(lookupEndpoint.budget, nil).Snapshot(); s.Remaining != 225 {
		t.Errorf("budget remaining: got %d; want 225", s.Remaining)
	}
}

func FuzzGoneFrom(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"1"}],"errors":[{"value":"2","resource_id":"2","type":"https://api.twitter.com/2/problems/resource-not-found","detail":"Could not find tweet with ids: [2]."}]}`))
	f.Add([]byte(`{"errors":[{"value":"1","type":"https://api.x.com/2/problems/resource-not-found","detail":"User has been suspended: [1]."}]}`))
	f.Add([]byte(`{"data":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ids := []string{"1", "2"}
		gone, err := goneFrom(body, ids)
		if err != nil {
			return
		}
		for id, reason := range gone {
			if id != "1" && id != "2" {
				t.Fatalf("gone id %q was not asked for", id)
			}
			if reason != watchers.ReasonDeleted && reason != watchers.ReasonSuspended {
				t.Fatalf("reason %q", reason)
			}
		}
	})
}
