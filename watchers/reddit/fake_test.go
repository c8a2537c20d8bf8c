package reddit

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/clock"
)

const (
	testClientID = "app-id"
	testSecret   = "app-secret"
	testUA       = "test:org.example.lookout:v1 (by /u/lookout_test)"
)

// fakeReddit behaves like www.reddit.com's token endpoint and
// oauth.reddit.com's listings: Basic-auth client credentials, bearer
// tokens that expire, Listing wrappers with after, X-Ratelimit-* headers
// with a float Remaining, 429s, and a refusal of generic User-Agents.
type fakeReddit struct {
	mu  sync.Mutex
	clk *clock.Fake

	posts   map[string][]fakePost // by listing path, newest last
	tokens  map[string]time.Time  // valid tokens and their expiry
	issued  int
	expires int // expires_in of new tokens, seconds
	// remaining and reset are sent on every API response.
	remaining float64
	reset     int
	// override answers API requests with this status and body.
	override     int
	overrideHead http.Header
	overrideBody string
	requests     []string
	nextID       int
}

type fakePost struct {
	name    string
	created float64
	extra   map[string]any
}

func newFakeReddit(t *testing.T, clk *clock.Fake) (*fakeReddit, *httptest.Server) {
	f := &fakeReddit{clk: clk, posts: map[string][]fakePost{}, tokens: map[string]time.Time{}, expires: 86400, remaining: 99, reset: 300}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// add appends n posts to the listing at path, one minute apart.
func (f *fakeReddit) add(path string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.nextID++
		id := f.nextID
		f.posts[path] = append(f.posts[path], fakePost{
			name:    "t3_" + strconv.FormatInt(int64(1000+id), 36),
			created: float64(fakeEpoch.Unix() + int64(id)*60),
		})
	}
}

func (f *fakeReddit) remove(path string, i int, extra map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts[path][i].extra = extra
}

func (f *fakeReddit) drop(path string, i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := f.posts[path]
	f.posts[path] = append(ps[:i:i], ps[i+1:]...)
}

func (f *fakeReddit) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

var fakeEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func genericUA(ua string) bool {
	return !strings.Contains(ua, "(by /u/")
}

func (f *fakeReddit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if genericUA(r.UserAgent()) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<html><body>whoa there, pardner! Your request has been blocked due to a network policy.</body></html>`)
		return
	}
	if r.URL.Path == "/api/v1/access_token" {
		f.token(w, r)
		return
	}
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "bearer ")
	exp, valid := f.tokens[auth]
	if !ok || !valid || !f.clk.Now().Before(exp) {
		w.Header().Set("Www-Authenticate", `Bearer realm="reddit", error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message": "Unauthorized", "error": 401}`)
		return
	}
	w.Header().Set("X-Ratelimit-Used", strconv.Itoa(100-int(f.remaining)))
	w.Header().Set("X-Ratelimit-Remaining", strconv.FormatFloat(f.remaining, 'f', 1, 64))
	w.Header().Set("X-Ratelimit-Reset", strconv.Itoa(f.reset))
	if f.override != 0 {
		for k, v := range f.overrideHead {
			w.Header()[k] = v
		}
		w.WriteHeader(f.override)
		fmt.Fprint(w, f.overrideBody)
		return
	}
	if f.remaining > 0 {
		f.remaining--
	}
	if strings.HasPrefix(r.URL.Path, "/r/missing") {
		http.Redirect(w, r, "/subreddits/search.json?q=missing", http.StatusFound)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/subreddits/search") {
		fmt.Fprint(w, `{"kind":"Listing","data":{"after":null,"children":[{"kind":"t5","data":{"display_name":"missingno"}}]}}`)
		return
	}
	var posts []fakePost
	if r.URL.Path == "/api/info" {
		for _, id := range strings.Split(r.URL.Query().Get("id"), ",") {
			for _, ps := range f.posts {
				for _, p := range ps {
					if p.name == id {
						posts = append(posts, p)
					}
				}
			}
		}
	} else {
		ps := f.posts[r.URL.Path]
		for i := len(ps) - 1; i >= 0; i-- { // newest first
			posts = append(posts, ps[i])
		}
	}
	if after := r.URL.Query().Get("after"); after != "" {
		for i, p := range posts {
			if p.name == after {
				posts = posts[i+1:]
				break
			}
		}
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 {
		limit = 25
	}
	next := any(nil)
	if len(posts) > limit {
		posts = posts[:limit]
		next = posts[len(posts)-1].name
	}
	children := make([]any, len(posts))
	for i, p := range posts {
		children[i] = map[string]any{"kind": "t3", "data": p.json(r.URL.Path)}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Listing", "data": map[string]any{"after": next, "before": nil, "dist": len(posts), "children": children}})
}

func (p fakePost) json(path string) map[string]any {
	id := strings.TrimPrefix(p.name, "t3_")
	d := map[string]any{
		"id": id, "name": p.name, "author": "someone", "author_fullname": "t2_abc",
		"title": "Title " + id, "selftext": "Body of " + id, "subreddit": "example",
		"permalink": "/r/example/comments/" + id + "/title/", "url": "https://www.reddit.com/r/example/comments/" + id + "/title/",
		"created_utc": p.created, "is_self": true, "over_18": false, "edited": false, "removed_by_category": nil,
	}
	for k, v := range p.extra {
		d[k] = v
	}
	return d
}

func (f *fakeReddit) token(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if r.Method != http.MethodPost || !ok || user != testClientID || pass != testSecret {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message": "Unauthorized", "error": 401}`)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		fmt.Fprint(w, `{"error": "unsupported_grant_type"}`)
		return
	}
	f.issued++
	tok := "tok-" + strconv.Itoa(f.issued) + "-" + base64.RawURLEncoding.EncodeToString([]byte(user))
	f.tokens[tok] = f.clk.Now().Add(time.Duration(f.expires) * time.Second)
	fmt.Fprintf(w, `{"access_token": %q, "token_type": "bearer", "expires_in": %d, "scope": "*"}`, tok, f.expires)
}

// revokeAll makes every token invalid, as when Reddit revokes them early.
func (f *fakeReddit) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]time.Time{}
}
