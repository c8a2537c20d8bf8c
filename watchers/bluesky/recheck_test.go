package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers"
)

// fakeAppView serves getPosts and getProfiles as the public AppView does:
// missing posts and inactive accounts are left out of the answer, and
// every response carries RateLimit-* headers.
type fakeAppView struct {
	mu        sync.Mutex
	live      map[string]bool // post uris
	inactive  map[string]bool // dids
	remaining int
	status    int
	body      string
	calls     map[string]int
}

func (f *fakeAppView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	nsid := r.URL.Path[len("/xrpc/"):]
	f.calls[nsid]++
	w.Header().Set("RateLimit-Limit", "3000")
	w.Header().Set("RateLimit-Remaining", strconv.Itoa(f.remaining))
	w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(5*time.Minute).Unix(), 10))
	w.Header().Set("RateLimit-Policy", "3000;w=300")
	if f.status != 0 {
		w.Header().Set("Retry-After", "30")
		xrpcErr(w, f.status, "RateLimitExceeded", "Rate Limit Exceeded")
		return
	}
	if f.body != "" {
		fmt.Fprint(w, f.body)
		return
	}
	q := r.URL.Query()
	switch nsid {
	case "app.bsky.feed.getPosts":
		if len(q["uris"]) > maxGetPosts {
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "uris must not have more than 25 elements")
			return
		}
		var posts []map[string]any
		for _, u := range q["uris"] {
			if f.live[u] {
				did, _, _, _ := splitURI(u)
				posts = append(posts, map[string]any{"uri": u, "cid": "bafy", "author": map[string]any{"did": did, "handle": "a.test"},
					"record": map[string]any{"$type": "app.bsky.feed.post", "text": "still here", "createdAt": "2026-11-28T10:00:00Z"}, "indexedAt": "2026-11-28T10:00:00Z"})
			}
		}
		writeJSON(w, map[string]any{"posts": posts})
	case "app.bsky.actor.getProfiles":
		var profiles []map[string]any
		for _, d := range q["actors"] {
			if !f.inactive[d] {
				profiles = append(profiles, map[string]any{"did": d, "handle": "a.test"})
			}
		}
		writeJSON(w, map[string]any{"profiles": profiles})
	default:
		xrpcErr(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
	}
}

const carolDID = "did:plc:carol0000000000000000000"

func newRecheckWatcher(t *testing.T, f *fakeAppView, now time.Time) (*Watcher, *ratelimit.Budget) {
	t.Helper()
	f.calls = map[string]int{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	b := ratelimit.New("bluesky:appview", nil)
	return New(testClient(), b, Options{BaseURL: srv.URL, Now: func() time.Time { return now }}), b
}

func bskyPost(did, rkey string) alerts.Post {
	return alerts.Post{Platform: Platform, ID: postURI(did, rkey)}
}

func TestRecheckTellsDeletedFromSuspended(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	live := bskyPost(aliceDID, "3kaaa")
	deleted := bskyPost(aliceDID, "3kbbb")
	suspended := bskyPost(carolDID, "3kccc")
	repost := alerts.Post{Platform: Platform, ID: "at://" + aliceDID + "/app.bsky.feed.repost/3kddd"}
	f := &fakeAppView{remaining: 2900, live: map[string]bool{live.ID: true}, inactive: map[string]bool{carolDID: true}}
	w, _ := newRecheckWatcher(t, f, now)
	got, err := w.Recheck(context.Background(), []alerts.Post{live, deleted, repost, suspended})
	if err != nil {
		t.Fatal(err)
	}
	want := []watchers.Gone{
		{ChainID: deleted.ID, At: now, Reason: watchers.ReasonDeleted},
		{ChainID: suspended.ID, At: now, Reason: "unavailable: account deactivated or suspended"},
	}
	if fmt.Sprint(got.Gone) != fmt.Sprint(want) || got.Checked != 4 {
		t.Errorf("got %v, %d checked; want %v, 4 checked", got.Gone, got.Checked, want)
	}
	if f.calls["app.bsky.feed.getPosts"] != 1 || f.calls["app.bsky.actor.getProfiles"] != 1 {
		t.Errorf("calls: got %v; want one getPosts, one getProfiles", f.calls)
	}
}

func TestRecheckAllThereAsksOnce(t *testing.T) {
	f := &fakeAppView{remaining: 2900, live: map[string]bool{}}
	var posts []alerts.Post
	for i := range 60 {
		p := bskyPost(aliceDID, fmt.Sprintf("3k%03d", i))
		f.live[p.ID] = true
		posts = append(posts, p)
	}
	w, _ := newRecheckWatcher(t, f, time.Now())
	got, err := w.Recheck(context.Background(), posts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Gone) != 0 || got.Checked != 60 || f.calls["app.bsky.feed.getPosts"] != 3 || f.calls["app.bsky.actor.getProfiles"] != 0 {
		t.Errorf("got %d gone, %d checked, calls %v; want 0, 60, 3 getPosts", len(got.Gone), got.Checked, f.calls)
	}
}

func TestRecheckFailuresMarkNothing(t *testing.T) {
	tests := []struct {
		name string
		fake *fakeAppView
	}{
		{name: "rate limited", fake: &fakeAppView{status: http.StatusTooManyRequests}},
		{name: "server error", fake: &fakeAppView{status: http.StatusBadGateway}},
		{name: "malformed body", fake: &fakeAppView{body: `{"posts":[`}},
		{name: "wrong shape", fake: &fakeAppView{body: `{"posts":{"uri":1}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fake
			f.remaining = 2900
			w, _ := newRecheckWatcher(t, f, time.Now())
			got, err := w.Recheck(context.Background(), []alerts.Post{bskyPost(aliceDID, "3kaaa")})
			if err == nil {
				t.Fatal("got no error; want one")
			}
			if len(got.Gone) != 0 || got.Checked != 0 {
				t.Errorf("got %d gone, %d checked; want nothing", len(got.Gone), got.Checked)
			}
		})
	}
}

func TestRecheckKeepsTheBudgetForPolls(t *testing.T) {
	f := &fakeAppView{remaining: 1400, live: map[string]bool{}}
	w, b := newRecheckWatcher(t, f, time.Now())
	b.Update(http.Header{"Ratelimit-Limit": {"3000"}, "Ratelimit-Remaining": {"1400"}, "Ratelimit-Reset": {strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)}})
	got, err := w.Recheck(context.Background(), []alerts.Post{bskyPost(aliceDID, "3kaaa")})
	if !errors.Is(err, watchers.ErrBudgetReserved) || got.Checked != 0 || len(got.Gone) != 0 {
		t.Errorf("got err %v, %d checked, %d gone; want ErrBudgetReserved and nothing", err, got.Checked, len(got.Gone))
	}
	if n := f.calls["app.bsky.feed.getPosts"]; n != 0 {
		t.Errorf("requests: got %d; want 0", n)
	}
}
