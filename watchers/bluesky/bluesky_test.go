package bluesky

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/watchers"
)

const aliceDID = "did:plc:alice000000000000000000"

func accountWatch(accounts ...string) *alerts.Watch {
	return &alerts.Watch{Name: "bsky", Source: Platform, Accounts: accounts, Interval: time.Minute, Severity: alerts.SeverityHigh, Enabled: true}
}

func newTestWatcher(f *fakeXRPC, opts Options) (*Watcher, *recordingBudget) {
	b := &recordingBudget{}
	opts.BaseURL = f.srv.URL
	return New(testClient(), b, opts), b
}

// poll polls and fails the test on error.
func poll(t *testing.T, w *Watcher, watch *alerts.Watch, cur string) *watchers.Result {
	t.Helper()
	res, err := w.Poll(context.Background(), watch, cur)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return res
}

func texts(ps []alerts.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

func TestPollFirstThenNew(t *testing.T) {
	f := newFakeXRPC(t)
	f.account("alice.bsky.social", aliceDID)
	f.post(aliceDID, 3, "hola")
	w, budget := newTestWatcher(f, Options{})
	watch := accountWatch("@Alice.bsky.social")

	first := poll(t, w, watch, "")
	if got, want := strings.Join(texts(first.Posts), ","), "hola 0,hola 1,hola 2"; got != want {
		t.Fatalf("first poll posts = %s; want %s (oldest first)", got, want)
	}
	p := first.Posts[2]
	if p.ID != postURI(aliceDID, "3k0002") || p.AuthorID != aliceDID || p.Handle != "alice.bsky.social" ||
		p.URL != "https://bsky.app/profile/"+aliceDID+"/post/3k0002" || p.Lang != "es" || p.Kind != alerts.KindPost ||
		!p.CreatedAt.Equal(t0.Add(2*time.Minute)) || p.Account != "@Alice.bsky.social" || len(p.Raw) == 0 {
		t.Errorf("normalised post = %+v", p)
	}

	f.post(aliceDID, 2, "nuevo")
	second := poll(t, w, watch, first.Cursor)
	if got, want := strings.Join(texts(second.Posts), ","), "nuevo 3,nuevo 4"; got != want {
		t.Errorf("second poll posts = %s; want %s", got, want)
	}
	third := poll(t, w, watch, second.Cursor)
	if len(third.Posts) != 0 || len(third.Notices) != 0 {
		t.Errorf("third poll = %d posts, notices %v; want none", len(third.Posts), third.Notices)
	}
	if got := f.count("com.atproto.identity.resolveHandle"); got != 1 {
		t.Errorf("resolveHandle calls = %d; want 1 (cached)", got)
	}
	if len(budget.updates) != budget.waits || budget.updates[0].Get("RateLimit-Remaining") == "" {
		t.Errorf("budget saw %d waits and %d updates (first %v); want one of each per request with RateLimit-* headers", budget.waits, len(budget.updates), budget.updates[0])
	}
}

func TestPollPagesUntilLastSeen(t *testing.T) {
	f := newFakeXRPC(t)
	f.account("alice.bsky.social", aliceDID)
	f.post(aliceDID, 1, "old")
	w, _ := newTestWatcher(f, Options{PageSize: 2, MaxPages: 5})
	watch := accountWatch("alice.bsky.social")
	cur := poll(t, w, watch, "").Cursor

	f.post(aliceDID, 7, "burst")
	res := poll(t, w, watch, cur)
	if len(res.Posts) != 7 || res.Posts[0].Text != "burst 1" || res.Posts[6].Text != "burst 7" {
		t.Errorf("posts = %v; want burst 1..7 oldest first", texts(res.Posts))
	}
	if len(res.Notices) != 0 {
		t.Errorf("notices = %v; want none", res.Notices)
	}
	if got := f.count("app.bsky.feed.getAuthorFeed"); got != 1+4 {
		t.Errorf("getAuthorFeed calls = %d; want 5 (1 first poll + 4 pages of 2 to reach the last seen)", got)
	}
}

func TestPollGapNotice(t *testing.T) {
	f := newFakeXRPC(t)
	f.account("alice.bsky.social", aliceDID)
	f.post(aliceDID, 1, "old")
	w, _ := newTestWatcher(f, Options{PageSize: 2, MaxPages: 2})
	watch := accountWatch("alice.bsky.social")
	cur := poll(t, w, watch, "").Cursor

	f.post(aliceDID, 9, "flood")
	res := poll(t, w, watch, cur)
	if len(res.Posts) != 4 {
		t.Errorf("posts = %v; want the 4 newest", texts(res.Posts))
	}
	want := "possible gap: @alice.bsky.social posted more than 2 pages since the last poll; posts between 2026-11-02T10:00:00Z and 2026-11-02T10:06:00Z may be missing"
	if len(res.Notices) != 1 || res.Notices[0] != want {
		t.Errorf("notices = %q; want %q", res.Notices, want)
	}
	// The next poll starts from the newest post: no second notice.
	if again := poll(t, w, watch, res.Cursor); len(again.Posts)+len(again.Notices) != 0 {
		t.Errorf("poll after gap = %v %v; want nothing", texts(again.Posts), again.Notices)
	}
}

func TestPollRestartBetweenPolls(t *testing.T) {
	f := newFakeXRPC(t)
	f.account("alice.bsky.social", aliceDID)
	f.post(aliceDID, 2, "a")
	w1, _ := newTestWatcher(f, Options{})
	watch := accountWatch("alice.bsky.social")
	cur := poll(t, w1, watch, "").Cursor

	f.post(aliceDID, 1, "b")
	w2, _ := newTestWatcher(f, Options{}) // a new process: empty caches
	res := poll(t, w2, watch, cur)
	if got := texts(res.Posts); len(got) != 1 || got[0] != "b 2" {
		t.Errorf("posts after restart = %v; want [b 2]", got)
	}
	if got := f.count("com.atproto.identity.resolveHandle"); got != 1 {
		t.Errorf("resolveHandle calls = %d; want 1 (the DID is kept in the cursor)", got)
	}
}

func TestPollHandleChange(t *testing.T) {
	f := newFakeXRPC(t)
	f.account("alice.bsky.social", aliceDID)
	f.post(aliceDID, 1, "a")
	w, _ := newTestWatcher(f, Options{})
	watch := accountWatch("alice.bsky.social")
	cur := poll(t, w, watch, "").Cursor

	f.rename(aliceDID, "alice.example.com")
	f.post(aliceDID, 1, "renamed")
	res := poll(t, w, watch, cur)
	if len(res.Posts) != 1 || res.Posts[0].Handle != "alice.example.com" || res.Posts[0].PreviousHandle != "alice.bsky.social" {
		t.Fatalf("posts = %+v; want one by @alice.example.com, previously @alice.bsky.social", res.Posts)
	}
	f.post(aliceDID, 1, "again")
	if res = poll(t, w, watch, res.Cursor); len(res.Posts) != 1 || res.Posts[0].PreviousHandle != "" {
		t.Errorf("next post = %+v; want no previous handle any more", res.Posts)
	}
}

func TestPollEmptyPage(t *testing.T) {
	f := newFakeXRPC(t)
	f.account("alice.bsky.social", aliceDID)
	w, _ := newTestWatcher(f, Options{})
	watch := accountWatch("alice.bsky.social")
	res := poll(t, w, watch, "")
	if len(res.Posts) != 0 {
		t.Fatalf("posts = %v; want none", texts(res.Posts))
	}
	f.post(aliceDID, 1, "first ever")
	if res = poll(t, w, watch, res.Cursor); len(res.Posts) != 1 {
		t.Errorf("posts = %v; want [first ever 0]", texts(res.Posts))
	}
}

func TestPollFailures(t *testing.T) {
	tests := []struct {
		name      string
		reply     reply
		permanent bool
		retry     time.Duration
		contains  string
	}{
		{"429 with Retry-After", reply{status: 429, header: http.Header{"Retry-After": {"42"}}, body: `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`}, false, 42 * time.Second, "rate limited (RateLimitExceeded: Rate Limit Exceeded)"},
		{"401", reply{status: 401, body: `{"error":"AuthMissing","message":"Authentication Required"}`}, true, 0, "credentials rejected (AuthMissing"},
		{"403", reply{status: 403, body: `{"error":"Forbidden"}`}, true, 0, "credentials rejected (Forbidden)"},
		{"400 account gone", reply{status: 400, body: `{"error":"AccountTakedown","message":"Account has been suspended"}`}, true, 0, "AccountTakedown"},
		{"500", reply{status: 500, body: `{"error":"InternalServerError"}`}, false, 0, "500 Internal Server Error"},
		{"malformed body", reply{status: 200, body: `{"feed":[{"post":`}, false, 0, "malformed response"},
		{"wrong shape", reply{status: 200, body: `{"feed":"nope"}`}, false, 0, "malformed response"},
		{"oversized body", reply{status: 200, body: `{"feed":[],"x":"` + strings.Repeat("a", 2<<20) + `"}`}, false, 0, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeXRPC(t)
			f.account("alice.bsky.social", aliceDID)
			f.post(aliceDID, 1, "a")
			w, _ := newTestWatcher(f, Options{})
			watch := accountWatch("alice.bsky.social")
			cur := poll(t, w, watch, "").Cursor
			f.post(aliceDID, 1, "unseen")

			f.queue("app.bsky.feed.getAuthorFeed", tt.reply)
			res, err := w.Poll(context.Background(), watch, cur)
			if err == nil || res != nil {
				t.Fatalf("Poll = %v, %v; want an error and no result (cursor unchanged)", res, err)
			}
			if got := errors.Is(err, alerts.ErrPermanent); got != tt.permanent {
				t.Errorf("permanent = %v; want %v (%v)", got, tt.permanent, err)
			}
			if ra, _ := alerts.RetryAfter(err); ra != tt.retry {
				t.Errorf("retry after = %v; want %v", ra, tt.retry)
			}
			if !strings.Contains(err.Error(), tt.contains) || !strings.HasPrefix(err.Error(), "poll bsky: feed of @alice.bsky.social: ") ||
				!strings.Contains(err.Error(), "app.bsky.feed.getAuthorFeed") {
				t.Errorf("error = %q; want it to name the watch, account and endpoint and contain %q", err, tt.contains)
			}
			// Retrying from the same cursor finds the unseen post.
			res = poll(t, w, watch, cur)
			if got := texts(res.Posts); len(got) != 1 || got[0] != "unseen 1" {
				t.Errorf("retry posts = %v; want [unseen 1]", got)
			}
		})
	}
}

// TestPoll429RateLimitReset checks a 429 without Retry-After waits until
// RateLimit-Reset (Unix seconds), and that the shared budget is blocked.
func TestPoll429RateLimitReset(t *testing.T) {
	f := newFakeXRPC(t)
	f.account("alice.bsky.social", aliceDID)
	budget := &blockingBudget{}
	w := New(testClient(), budget, Options{BaseURL: f.srv.URL})
	reset := time.Now().Add(2 * time.Minute).Unix()
	f.queue("com.atproto.identity.resolveHandle", reply{status: 429, header: http.Header{
		"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {strconv.FormatInt(reset, 10)}}, body: `{"error":"RateLimitExceeded"}`})
	_, err := w.Poll(context.Background(), accountWatch("alice.bsky.social"), "")
	ra, ok := alerts.RetryAfter(err)
	if !ok || ra < 100*time.Second || ra > 2*time.Minute {
		t.Errorf("retry after = %v (%v); want about 2m from RateLimit-Reset", ra, err)
	}
	if budget.until.IsZero() {
		t.Error("budget not blocked after a 429")
	}
}

type blockingBudget struct {
	recordingBudget
	until time.Time
}

func (b *blockingBudget) Block(until time.Time) { b.until = until }

func TestPollUnknownHandle(t *testing.T) {
	f := newFakeXRPC(t)
	w, _ := newTestWatcher(f, Options{})
	_, err := w.Poll(context.Background(), accountWatch("nobody.bsky.social"), "")
	if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "resolve @nobody.bsky.social") {
		t.Errorf("err = %v; want a permanent resolve error", err)
	}
}

func TestSearchPostsNeedsLogin(t *testing.T) {
	f := newFakeXRPC(t)
	c := &client{http: testClient(), base: f.srv.URL}
	var out struct{}
	err := c.get(context.Background(), "app.bsky.feed.searchPosts", map[string][]string{"q": {"plaza"}}, &out)
	if !errors.Is(err, alerts.ErrPermanent) {
		t.Errorf("anonymous searchPosts = %v; want a permanent 403 (keyword watches use Jetstream instead)", err)
	}
	var se *httpx.StatusError
	if !errors.As(err, &se) || se.Status != 403 {
		t.Errorf("err = %v; want the 403 status error wrapped", err)
	}
}

func TestKeywordWatchWithoutStream(t *testing.T) {
	f := newFakeXRPC(t)
	w, _ := newTestWatcher(f, Options{})
	watch := &alerts.Watch{Name: "kw", Source: Platform, Keywords: []string{"plaza"}, Enabled: true}
	_, err := w.Poll(context.Background(), watch, "")
	if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "Jetstream") {
		t.Errorf("err = %v; want a permanent error naming Jetstream", err)
	}
}

func TestPollHugeText(t *testing.T) {
	f := newFakeXRPC(t)
	f.account("alice.bsky.social", aliceDID)
	f.add(fakePost{did: aliceDID, rkey: "3kbig", text: strings.Repeat("é", 5000), at: t0})
	w, _ := newTestWatcher(f, Options{})
	res := poll(t, w, accountWatch("alice.bsky.social"), "")
	got := res.Posts[0].Text
	if len(got) > maxTextBytes+len("…") || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "éé") {
		t.Errorf("text of %d bytes ending %q; want at most %d bytes, cut on a rune, ending …", len(got), got[len(got)-6:], maxTextBytes)
	}
}
