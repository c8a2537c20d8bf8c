package reddit

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/clock"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers"
)

func setup(t *testing.T, opts Options) (*Watcher, *fakeReddit, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	fake, srv := newFakeReddit(t, clk)
	if opts.UserAgent == "" {
		opts.UserAgent = testUA
	}
	if opts.ClientID == "" {
		opts.ClientID, opts.ClientSecret = testClientID, testSecret
	}
	opts.BaseURL, opts.APIURL, opts.Now = srv.URL, srv.URL, clk.Now
	client := httpx.New(httpx.Options{UserAgent: opts.UserAgent, RetryMax: -1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	return New(client, opts), fake, clk
}

func subWatch(accounts ...string) *alerts.Watch {
	return &alerts.Watch{Name: "rd", Source: "reddit", Accounts: accounts, Interval: time.Minute, Severity: alerts.SeverityMedium, Enabled: true}
}

func mustPoll(t *testing.T, w *Watcher, watch *alerts.Watch, cur string) *watchers.Result {
	t.Helper()
	res, err := w.Poll(context.Background(), watch, cur)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return res
}

func names(posts []alerts.Post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = p.ID
	}
	return out
}

// fakeNames returns the fullnames of the listing's posts from..to (0-based,
// oldest first).
func fakeNames(f *fakeReddit, path string, from, to int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, p := range f.posts[path][from : to+1] {
		out = append(out, p.name)
	}
	return out
}

func TestFirstPollReadsOnePage(t *testing.T) {
	w, fake, _ := setup(t, Options{PageLimit: 10})
	fake.add("/r/example/new", 25)
	res := mustPoll(t, w, subWatch("r/example"), "")
	if got, want := names(res.Posts), fakeNames(fake, "/r/example/new", 15, 24); !slices.Equal(got, want) {
		t.Errorf("posts = %v; want the newest page oldest first %v", got, want)
	}
	newest := fakeNames(fake, "/r/example/new", 24, 24)[0]
	if !strings.Contains(res.Cursor, `"r/example":{"name":"`+newest+`"`) {
		t.Errorf("cursor = %s; want newest %s", res.Cursor, newest)
	}
	p := res.Posts[len(res.Posts)-1]
	id := strings.TrimPrefix(p.ID, "t3_")
	if p.Platform != Platform || p.AuthorID != "t2_abc" || p.Handle != "u/someone" || p.Account != "r/example" ||
		p.Title != "Title "+id || p.Text != "Body of "+id || p.URL != "https://www.reddit.com/r/example/comments/"+id+"/title/" ||
		p.Kind != alerts.KindPost || p.CreatedAt.IsZero() || len(p.Raw) == 0 || !p.DeletedAt.IsZero() {
		t.Errorf("post = %+v; want a normalised submission", p)
	}
	if reqs := fake.log(); !slices.Equal(reqs, []string{"POST /api/v1/access_token", "GET /r/example/new"}) {
		t.Errorf("requests = %v; want a token then one page", reqs)
	}
}

func TestPagesBackToLastSeen(t *testing.T) {
	w, fake, _ := setup(t, Options{PageLimit: 10})
	fake.add("/r/example/new", 5)
	res := mustPoll(t, w, subWatch("r/example"), "")
	fake.add("/r/example/new", 27)
	res = mustPoll(t, w, subWatch("r/example"), res.Cursor)
	if got, want := names(res.Posts), fakeNames(fake, "/r/example/new", 5, 31); !slices.Equal(got, want) {
		t.Errorf("posts = %v; want the 27 new ones, each once, oldest first: %v", got, want)
	}
	if len(res.Notices) != 0 {
		t.Errorf("notices = %v; want none", res.Notices)
	}
	if n := len(fake.log()); n != 1+1+3 {
		t.Errorf("requests = %v; want token, first poll, then 3 pages", fake.log())
	}
	res = mustPoll(t, w, subWatch("r/example"), res.Cursor)
	if len(res.Posts) != 0 {
		t.Errorf("idle poll = %v; want nothing", names(res.Posts))
	}
}

func TestNewestDeletedStopsByTime(t *testing.T) {
	w, fake, _ := setup(t, Options{PageLimit: 10, MaxPages: 3})
	fake.add("/r/example/new", 30)
	res := mustPoll(t, w, subWatch("r/example"), "")
	fake.drop("/r/example/new", 29) // the cursor's post disappears
	fake.add("/r/example/new", 2)
	res = mustPoll(t, w, subWatch("r/example"), res.Cursor)
	if got, want := names(res.Posts), fakeNames(fake, "/r/example/new", 29, 30); !slices.Equal(got, want) {
		t.Errorf("posts = %v; want %v", got, want)
	}
	if len(res.Notices) != 0 {
		t.Errorf("notices = %v; want no gap when the newest seen post was deleted", res.Notices)
	}
}

func TestPossibleGap(t *testing.T) {
	w, fake, _ := setup(t, Options{PageLimit: 10, MaxPages: 2})
	fake.add("/r/example/new", 3)
	res := mustPoll(t, w, subWatch("r/example"), "")
	fake.add("/r/example/new", 50)
	res = mustPoll(t, w, subWatch("r/example"), res.Cursor)
	if len(res.Posts) != 20 {
		t.Errorf("got %d posts; want 20 (two pages)", len(res.Posts))
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "possible gap on Reddit r/example") {
		t.Errorf("notices = %q; want a possible gap", res.Notices)
	}
	newest := fakeNames(fake, "/r/example/new", 52, 52)[0]
	if !strings.Contains(res.Cursor, newest) {
		t.Errorf("cursor = %s; want it at the newest post %s so the watch moves on", res.Cursor, newest)
	}
}

func TestTokenCachedRefreshedAndRetried(t *testing.T) {
	w, fake, clk := setup(t, Options{})
	fake.add("/r/example/new", 1)
	watch := subWatch("r/example")
	cur := mustPoll(t, w, watch, "").Cursor
	mustPoll(t, w, watch, cur)
	if fake.issued != 1 {
		t.Errorf("tokens issued = %d; want 1 reused", fake.issued)
	}
	// Refreshed before expiry: 24h tokens are replaced 5 minutes early.
	clk.Advance(24*time.Hour - 4*time.Minute)
	mustPoll(t, w, watch, cur)
	if fake.issued != 2 {
		t.Errorf("tokens issued = %d; want a refresh before expiry", fake.issued)
	}
	// Revoked early: the 401 fetches a new token and retries once.
	fake.revokeAll()
	mustPoll(t, w, watch, cur)
	if fake.issued != 3 {
		t.Errorf("tokens issued = %d; want a new token after a 401", fake.issued)
	}
}

func TestTokenErrors(t *testing.T) {
	t.Run("bad credentials", func(t *testing.T) {
		w, _, _ := setup(t, Options{ClientID: testClientID, ClientSecret: "wrong"})
		_, err := w.Poll(context.Background(), subWatch("r/example"), "")
		if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "refused the app credentials") {
			t.Fatalf("Poll error = %v; want a permanent credentials error", err)
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Errorf("error %q shows the secret", err)
		}
	})
	t.Run("401 after a fresh token", func(t *testing.T) {
		w, fake, _ := setup(t, Options{})
		fake.override, fake.overrideBody = http.StatusUnauthorized, `{"message": "Unauthorized", "error": 401}`
		_, err := w.Poll(context.Background(), subWatch("r/example"), "")
		if !errors.Is(err, alerts.ErrPermanent) || fake.issued != 2 {
			t.Fatalf("Poll error = %v after %d tokens; want permanent after one retry", err, fake.issued)
		}
	})
}

func TestRateLimits(t *testing.T) {
	t.Run("429 with Reddit headers", func(t *testing.T) {
		w, fake, _ := setup(t, Options{})
		fake.override, fake.overrideBody = http.StatusTooManyRequests, `{"message": "Too Many Requests", "error": 429}`
		fake.remaining, fake.reset = 0, 120
		res, err := w.Poll(context.Background(), subWatch("r/example"), `{"listings":{"r/example":{"name":"t3_zz","created":1}}}`)
		d, ok := alerts.RetryAfter(err)
		if res != nil || !ok || d != 2*time.Minute {
			t.Fatalf("Poll = %v, %v; want RetryAfterError of 2m and no result", res, err)
		}
		// The budget is blocked: the next poll waits without a request.
		before := len(fake.log())
		_, err = w.Poll(context.Background(), subWatch("r/example"), "")
		if d, ok := alerts.RetryAfter(err); !ok || d != 2*time.Minute || !errors.Is(err, ratelimit.ErrExhausted) {
			t.Fatalf("second Poll error = %v; want the budget's RetryAfterError", err)
		}
		if len(fake.log()) != before {
			t.Errorf("requests %v; want none while blocked", fake.log()[before:])
		}
	})
	t.Run("float remaining spent", func(t *testing.T) {
		w, fake, clk := setup(t, Options{})
		fake.add("/r/example/new", 1)
		fake.remaining, fake.reset = 2.0, 300 // "2.0" left, reserve 2
		mustPoll(t, w, subWatch("r/example"), "")
		before := len(fake.log())
		_, err := w.Poll(context.Background(), subWatch("r/example"), "")
		if d, ok := alerts.RetryAfter(err); !ok || d != 5*time.Minute {
			t.Fatalf("Poll error = %v; want a wait of 5m for the window reset", err)
		}
		if len(fake.log()) != before {
			t.Errorf("a request was sent with the budget spent: %v", fake.log()[before:])
		}
		clk.Advance(5 * time.Minute)
		fake.remaining = 99
		mustPoll(t, w, subWatch("r/example"), "")
	})
}

func TestGenericUserAgentRefused(t *testing.T) {
	if err := (Options{ClientID: "a", ClientSecret: "b", UserAgent: "Go-http-client/1.1"}).Validate(); err == nil {
		t.Fatal("Validate accepted a generic User-Agent")
	}
	// Past validation, Reddit itself refuses it; the error says so clearly.
	w, _, _ := setup(t, Options{UserAgent: "python-requests/2.31"})
	_, err := w.Poll(context.Background(), subWatch("r/example"), "")
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("Poll error = %v; want Reddit's 403", err)
	}
}

func TestCheckUserAgent(t *testing.T) {
	tests := []struct {
		ua   string
		want string // substring of the error; empty means accepted
	}{
		{"linux:org.example.lookout:v1.2 (by /u/trustsafety_bot)", ""},
		{"lookout:com.acme:1.0 (by u/acme_ts)", ""},
		{"", "is required"},
		{"Lookout/1.0", "(by /u/NAME)"},
		{"Mozilla/5.0 (by /u/someone)", "generic"},
		{"python-requests/2.31 (by /u/me)", "generic"},
		{"lookout:org.example.lookout:v1.0 (by /u/yourname)", "example account"},
	}
	for _, tt := range tests {
		t.Run(tt.ua, func(t *testing.T) {
			err := CheckUserAgent(tt.ua)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckUserAgent(%q) = %v; want nil", tt.ua, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckUserAgent(%q) = %v; want an error saying %q", tt.ua, err, tt.want)
			}
		})
	}
}

func TestDeletedPosts(t *testing.T) {
	w, fake, clk := setup(t, Options{})
	fake.add("/r/example/new", 4)
	fake.remove("/r/example/new", 0, map[string]any{"removed_by_category": "moderator", "selftext": "[removed]"})
	fake.remove("/r/example/new", 1, map[string]any{"author": "[deleted]", "selftext": "[deleted]", "author_fullname": nil})
	fake.remove("/r/example/new", 2, map[string]any{"removed_by_category": "reddit"})
	res := mustPoll(t, w, subWatch("r/example"), "")
	want := []string{"removed by moderators", "deleted by author", "removed by Reddit", ""}
	for i, p := range res.Posts {
		if p.DeletedReason != want[i] || (want[i] != "") != p.DeletedAt.Equal(clk.Now()) {
			t.Errorf("post %d deleted %v %q; want %q at fetch time", i, p.DeletedAt, p.DeletedReason, want[i])
		}
	}
	if res.Posts[1].AuthorID != "u/[deleted]" {
		t.Errorf("deleted author id = %q; want u/[deleted]", res.Posts[1].AuthorID)
	}

	got, err := w.Info(context.Background(), []string{res.Posts[0].ID, res.Posts[3].ID})
	if err != nil || len(got) != 2 || got[0].DeletedReason != "removed by moderators" || !got[1].DeletedAt.IsZero() {
		t.Errorf("Info = %+v, %v; want the removal reported and the live post clean", got, err)
	}
}

func TestListingErrors(t *testing.T) {
	tests := []struct {
		name      string
		account   string
		status    int
		body      string
		permanent bool
		want      string
	}{
		{name: "private subreddit", account: "r/secret", status: 403, body: `{"reason": "private", "message": "Forbidden", "error": 403}`, permanent: true, want: `Reddit says "private"`},
		{name: "banned subreddit", account: "r/gone", status: 404, body: `{"reason": "banned", "message": "Not Found", "error": 404}`, permanent: true, want: `"banned"`},
		{name: "unknown subreddit", account: "r/missing", permanent: true, want: "no such subreddit"},
		{name: "malformed json", account: "r/example", status: 200, body: `{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"name":`, want: "decode listing"},
		{name: "not a listing", account: "r/example", status: 200, body: `{"kind":"t2","data":{}}`, want: "not a Reddit listing"},
		{name: "child without fullname", account: "r/example", status: 200, body: `{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"title":"x"}}]}}`, want: "without a fullname"},
		{name: "oversized", account: "r/example", status: 200, body: strings.Repeat(" ", 2<<10), want: "too large"},
		{name: "500", account: "r/example", status: 500, body: `<html>oops</html>`, want: "500"},
		{name: "bad account", account: "example", permanent: true, want: "r/NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
			fake, srv := newFakeReddit(t, clk)
			fake.override, fake.overrideBody = tt.status, tt.body
			client := httpx.New(httpx.Options{UserAgent: testUA, RetryMax: -1, MaxBodyBytes: 1 << 10})
			w := New(client, Options{BaseURL: srv.URL, APIURL: srv.URL, ClientID: testClientID, ClientSecret: testSecret, UserAgent: testUA, Now: clk.Now})
			const cur = `{"listings":{"r/example":{"name":"t3_zz","created":1}}}`
			res, err := w.Poll(context.Background(), subWatch(tt.account), cur)
			if err == nil || res != nil {
				t.Fatalf("Poll = %v, %v; want an error and no result", res, err)
			}
			if got := errors.Is(err, alerts.ErrPermanent); got != tt.permanent {
				t.Errorf("permanent = %v; want %v (%v)", got, tt.permanent, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestListingsOfAWatch(t *testing.T) {
	w, fake, _ := setup(t, Options{})
	fake.add("/user/Someone_1/submitted", 2)
	fake.add("/search", 3)
	res := mustPoll(t, w, subWatch("https://www.reddit.com/user/Someone_1/"), "")
	if len(res.Posts) != 2 || res.Posts[0].Account != "https://www.reddit.com/user/Someone_1/" {
		t.Errorf("user listing = %+v; want 2 posts for the account", res.Posts)
	}
	search := &alerts.Watch{Name: "kw", Source: "reddit", Keywords: []string{"plaza", `"gente nueva"`, "#cartel"}}
	res = mustPoll(t, w, search, "")
	if len(res.Posts) != 3 || res.Posts[0].Account != "" {
		t.Errorf("search = %+v; want 3 posts without an account", res.Posts)
	}
	if !strings.Contains(res.Cursor, `"search"`) {
		t.Errorf("cursor = %s; want a search entry", res.Cursor)
	}
}

func TestTargets(t *testing.T) {
	tests := []struct {
		account, key, path string
	}{
		{"r/Example", "r/example", "/r/Example/new"},
		{"/r/example/", "r/example", "/r/example/new"},
		{"https://old.reddit.com/r/example/new", "r/example", "/r/example/new"},
		{"u/some_one", "u/some_one", "/user/some_one/submitted"},
		{"reddit.com/user/some-one", "u/some-one", "/user/some-one/submitted"},
	}
	for _, tt := range tests {
		got, err := parseAccount(tt.account)
		if err != nil || got.key != tt.key || got.path != tt.path {
			t.Errorf("parseAccount(%q) = %+v, %v; want key %q path %q", tt.account, got, err, tt.key, tt.path)
		}
	}
	for _, bad := range []string{"", "example", "r/", "r/../../api", "u/a", "r/x?y"} {
		if _, err := parseAccount(bad); !errors.Is(err, alerts.ErrInvalid) {
			t.Errorf("parseAccount(%q) error = %v; want ErrInvalid", bad, err)
		}
	}
	q, err := searchQuery([]string{"plaza", `"gente nueva"`, "#cartel", "gente nueva", "cartel"})
	if want := `plaza OR "gente nueva" OR cartel`; err != nil || q != want {
		t.Errorf("searchQuery = %q, %v; want %q", q, err, want)
	}
	for _, kw := range []string{"/c[a4]rtel/", "from:someone", "pla*", `"a" "b"`, "cartel~leet", "plaza OR sicari*"} {
		if _, err := searchQuery([]string{kw}); !errors.Is(err, alerts.ErrInvalid) || !strings.Contains(err.Error(), "watch subreddits") {
			t.Errorf("searchQuery(%q) error = %v; want a refusal that says to watch subreddits", kw, err)
		}
	}
	if _, err := searchQuery([]string{strings.Repeat("x", 600)}); err == nil {
		t.Error("searchQuery accepted a query over 512 characters")
	}
}

func FuzzDecodeListing(f *testing.F) {
	f.Add([]byte(`{"kind":"Listing","data":{"after":"t3_b","children":[{"kind":"t3","data":{"name":"t3_a","created_utc":1700000000.5,"title":"x","preview":{"images":[{"source":{"url":"https://i.redd.it/x.jpg"}}]},"media_metadata":{"k":{"s":{"u":"https://i.redd.it/y.jpg"}}},"removed_by_category":"moderator"}}]}}`))
	f.Add([]byte(`{"kind":"Listing","data":{"children":[{"kind":"t5","data":{}}]}}`))
	f.Add([]byte(`{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"name":"t3_a","created_utc":1e300,"edited":1700000001.0}}]}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, _, _, err := decodeListing(body)
		if err != nil {
			return
		}
		for _, it := range items {
			if !validFullname(it.Name) {
				t.Fatalf("invalid fullname %q accepted", it.Name)
			}
			p := it.post("", time.Unix(0, 0))
			if p.ID != it.Name || p.AuthorID == "" || len(p.Media) > maxMedia {
				t.Fatalf("bad post %+v", p)
			}
			for _, m := range p.Media {
				if !strings.HasPrefix(m.URL, "http://") && !strings.HasPrefix(m.URL, "https://") {
					t.Fatalf("media URL %q is not http(s)", m.URL)
				}
			}
		}
	})
}
