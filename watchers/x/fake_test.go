package x

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/httpx"
)

const testToken = "test-bearer-token"

// fakePost is one post held by the fake X API.
type fakePost struct {
	ID        string
	AuthorID  string
	Text      string
	Note      string // note_tweet text of a long post
	Created   time.Time
	Lang      string
	EditOf    []string // earlier versions, oldest first
	Refs      [][2]string
	MediaKeys []string
}

// fakeResponse is a canned reply served instead of the real one.
type fakeResponse struct {
	status int
	header http.Header
	body   string
}

// fakeX is an httptest server speaking the X API v2 wire format for
// /2/users/by, /2/tweets/search/recent and /2/users/:id/tweets: bearer
// auth, since_id/until_id, next_token/pagination_token, meta.newest_id,
// includes, x-rate-limit-* headers, the 512-character query limit, the
// 7-day search window and the 3,200-post timeline reach.
type fakeX struct {
	t   testing.TB
	now time.Time
	srv *httptest.Server

	mu       sync.Mutex
	users    map[string]string // id → username
	posts    []fakePost        // any order
	media    map[string]map[string]any
	canned   []fakeResponse // served first, one per request
	requests map[string]int // by endpoint
	queries  []string
	limit    int // x-rate-limit-remaining counts down from this
	used     map[string]int
	nextSeq  int64
	delayed  *delayedFailure
}

func newFakeX(t testing.TB) *fakeX {
	f := &fakeX{
		t: t, now: time.Now(),
		users: map[string]string{}, media: map[string]map[string]any{},
		requests: map[string]int{}, used: map[string]int{}, limit: 450,
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// watcher returns a Watcher pointed at the fake, with fast retries.
func (f *fakeX) watcher(opts Options) *Watcher {
	f.t.Helper()
	client := httpx.New(httpx.Options{RetryMax: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	opts.BaseURL = f.srv.URL
	if opts.BearerToken == "" {
		opts.BearerToken = testToken
	}
	w, err := New(client, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}

func (f *fakeX) addUser(id, username string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[id] = username
}

func (f *fakeX) rename(id, username string) { f.addUser(id, username) }

// post adds a post by author made ago before now and returns its id.
func (f *fakeX) post(author, text string, ago time.Duration) string {
	return f.add(fakePost{AuthorID: author, Text: text, Created: f.now.Add(-ago)})
}

func (f *fakeX) add(p fakePost) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.Created.IsZero() {
		p.Created = f.now
	}
	if p.ID == "" {
		f.nextSeq++
		base, _ := strconv.ParseInt(idAt(p.Created), 10, 64)
		p.ID = strconv.FormatInt(base+f.nextSeq%4096, 10)
	}
	f.posts = append(f.posts, p)
	return p.ID
}

// postMany adds n posts by author, one a second, the newest ago before now.
func (f *fakeX) postMany(author string, n int, ago time.Duration) []string {
	ids := make([]string, n)
	for i := range n {
		ids[i] = f.post(author, fmt.Sprintf("post %d of %s", i, author), ago+time.Duration(n-i)*time.Second)
	}
	return ids
}

func (f *fakeX) fail(r ...fakeResponse) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canned = append(f.canned, r...)
}

func (f *fakeX) count(endpoint string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[endpoint]
}

func (f *fakeX) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.requests {
		n += v
	}
	return n
}

func (f *fakeX) resetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = map[string]int{}
	f.queries = nil
}

var timelinePath = regexp.MustCompile(`^/2/users/([0-9]+)/tweets$`)

func (f *fakeX) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	endpoint := r.URL.Path
	if timelinePath.MatchString(endpoint) {
		endpoint = "timeline"
	}
	f.requests[endpoint]++
	if r.Method != http.MethodGet {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`))
		return
	}
	if f.delayed != nil {
		if f.delayed.after == 0 {
			f.canned = append(f.canned, f.delayed.resp)
			f.delayed = nil
		} else {
			f.delayed.after--
		}
	}
	if len(f.canned) > 0 {
		c := f.canned[0]
		f.canned = f.canned[1:]
		for k, v := range c.header {
			w.Header()[k] = v
		}
		w.WriteHeader(c.status)
		_, _ = w.Write([]byte(c.body))
		return
	}
	f.used[endpoint]++
	w.Header().Set("x-rate-limit-limit", strconv.Itoa(f.limit))
	w.Header().Set("x-rate-limit-remaining", strconv.Itoa(max(f.limit-f.used[endpoint], 0)))
	w.Header().Set("x-rate-limit-reset", strconv.FormatInt(f.now.Add(15*time.Minute).Unix(), 10))
	w.Header().Set("Content-Type", "application/json")
	q := r.URL.Query()
	switch {
	case r.URL.Path == "/2/users/by":
		f.serveUsers(w, q)
	case r.URL.Path == "/2/tweets/search/recent":
		f.serveSearch(w, q)
	case endpoint == "timeline":
		f.serveTimeline(w, q, timelinePath.FindStringSubmatch(r.URL.Path)[1])
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeX) serveUsers(w http.ResponseWriter, q map[string][]string) {
	names := strings.Split(first(q, "usernames"), ",")
	if len(names) > maxUsernames {
		f.badRequest(w, "too many usernames")
		return
	}
	var data []map[string]string
	var errs []map[string]string
	for _, n := range names {
		found := false
		for id, u := range f.users {
			if strings.EqualFold(u, n) {
				data = append(data, map[string]string{"id": id, "username": u, "name": strings.ToUpper(u)})
				found = true
			}
		}
		if !found {
			errs = append(errs, map[string]string{"value": n, "detail": "Could not find user with usernames: [" + n + "].",
				"title": "Not Found Error", "resource_type": "user", "parameter": "usernames", "type": "https://api.twitter.com/2/problems/resource-not-found"})
		}
	}
	out := map[string]any{}
	if data != nil {
		out["data"] = data
	}
	if errs != nil {
		out["errors"] = errs
	}
	_ = json.NewEncoder(w).Encode(out)
}

var (
	fromPattern = regexp.MustCompile(`from:([0-9A-Za-z_]+)`)
	langPattern = regexp.MustCompile(` lang:([a-z]+)`)
)

func (f *fakeX) serveSearch(w http.ResponseWriter, q map[string][]string) {
	query := first(q, "query")
	f.queries = append(f.queries, query)
	if len(query) > maxQueryLen {
		f.badRequest(w, fmt.Sprintf("query length %d exceeds %d", len(query), maxQueryLen))
		return
	}
	size, err := strconv.Atoi(first(q, "max_results"))
	if err != nil || size < minSearchResults || size > maxResults {
		f.badRequest(w, "max_results must be between 10 and 100")
		return
	}
	windowStart := f.now.Add(-searchWindow)
	for _, k := range []string{"since_id", "until_id"} {
		if v := first(q, k); v != "" {
			if t, ok := idTime(v); !ok || t.Before(windowStart) {
				f.badRequest(w, fmt.Sprintf("Invalid '%s':'%s'. '%s' must be a tweet id created after %s", k, v, k, windowStart.Format(time.RFC3339)))
				return
			}
		}
	}
	froms := map[string]bool{}
	for _, m := range fromPattern.FindAllStringSubmatch(query, -1) {
		froms[m[1]] = true
	}
	rest := fromPattern.ReplaceAllString(query, "")
	lang := ""
	if m := langPattern.FindStringSubmatch(rest); m != nil {
		lang = m[1]
		rest = langPattern.ReplaceAllString(rest, "")
	}
	rest = strings.NewReplacer("(", " ", ")", " ").Replace(rest)
	var terms []string
	for _, t := range strings.Split(rest, " OR ") {
		t = strings.Trim(strings.TrimSpace(t), `"`)
		if t != "" {
			terms = append(terms, strings.ToLower(t))
		}
	}
	var match []fakePost
	for _, p := range f.posts {
		if p.Created.Before(windowStart) {
			continue
		}
		if len(froms) > 0 && !froms[p.AuthorID] || lang != "" && p.Lang != lang {
			continue
		}
		text := strings.ToLower(p.Text + " " + p.Note)
		if len(terms) > 0 && !slices.ContainsFunc(terms, func(t string) bool { return strings.Contains(text, t) }) {
			continue
		}
		match = append(match, p)
	}
	f.page(w, match, q, size, "next_token")
}

func (f *fakeX) serveTimeline(w http.ResponseWriter, q map[string][]string, id string) {
	size, err := strconv.Atoi(first(q, "max_results"))
	if err != nil || size < minTimelineResults || size > maxResults {
		f.badRequest(w, "max_results must be between 5 and 100")
		return
	}
	var match []fakePost
	for _, p := range f.posts {
		if p.AuthorID == id {
			match = append(match, p)
		}
	}
	slices.SortFunc(match, func(a, b fakePost) int { return compareID(b.ID, a.ID) })
	if len(match) > timelineReach {
		match = match[:timelineReach]
	}
	f.page(w, match, q, size, "pagination_token")
}

// page serves one newest-first page of posts between since_id and until_id.
// The page token is the id the next page starts below.
func (f *fakeX) page(w http.ResponseWriter, posts []fakePost, q map[string][]string, size int, tokenKey string) {
	since, until, token := first(q, "since_id"), first(q, "until_id"), first(q, tokenKey)
	if token != "" {
		if !strings.HasPrefix(token, "tok") || !validID(token[3:]) {
			f.badRequest(w, "bad token")
			return
		}
		token = token[3:]
	}
	var sel []fakePost
	for _, p := range posts {
		if since != "" && compareID(p.ID, since) <= 0 {
			continue
		}
		if until != "" && compareID(p.ID, until) >= 0 {
			continue
		}
		sel = append(sel, p)
	}
	slices.SortFunc(sel, func(a, b fakePost) int { return compareID(b.ID, a.ID) })
	newest := ""
	if len(sel) > 0 {
		newest = sel[0].ID
	}
	if token != "" {
		i := slices.IndexFunc(sel, func(p fakePost) bool { return compareID(p.ID, token) < 0 })
		if i < 0 {
			i = len(sel)
		}
		sel = sel[i:]
	}
	next := ""
	if len(sel) > size {
		sel = sel[:size]
		next = "tok" + sel[len(sel)-1].ID
	}
	m := map[string]any{"result_count": len(sel)}
	if len(sel) > 0 {
		m["newest_id"] = sel[0].ID
		m["oldest_id"] = sel[len(sel)-1].ID
		_ = newest // X reports the page's own newest id
	}
	if next != "" {
		m["next_token"] = next
	}
	out := map[string]any{"meta": m}
	if len(sel) > 0 {
		out["data"] = f.render(sel)
		out["includes"] = f.includes(sel)
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fakeX) render(posts []fakePost) []map[string]any {
	out := make([]map[string]any, len(posts))
	for i, p := range posts {
		m := map[string]any{
			"id": p.ID, "text": p.Text, "author_id": p.AuthorID,
			"created_at":             p.Created.UTC().Format("2006-01-02T15:04:05.000Z"),
			"edit_history_tweet_ids": append(slices.Clone(p.EditOf), p.ID),
			"conversation_id":        p.ID,
		}
		if p.Lang != "" {
			m["lang"] = p.Lang
		}
		if p.Note != "" {
			m["note_tweet"] = map[string]any{"text": p.Note}
		}
		if len(p.Refs) > 0 {
			var refs []map[string]string
			for _, r := range p.Refs {
				refs = append(refs, map[string]string{"type": r[0], "id": r[1]})
			}
			m["referenced_tweets"] = refs
		}
		if len(p.MediaKeys) > 0 {
			m["attachments"] = map[string]any{"media_keys": p.MediaKeys}
		}
		out[i] = m
	}
	return out
}

func (f *fakeX) includes(posts []fakePost) map[string]any {
	users := map[string]bool{}
	var refs []fakePost
	var media []map[string]any
	for _, p := range posts {
		users[p.AuthorID] = true
		for _, r := range p.Refs {
			for _, q := range f.posts {
				if q.ID == r[1] {
					refs = append(refs, q)
					users[q.AuthorID] = true
				}
			}
		}
		for _, k := range p.MediaKeys {
			if m, ok := f.media[k]; ok {
				media = append(media, m)
			}
		}
	}
	var us []map[string]string
	for id := range users {
		if u, ok := f.users[id]; ok {
			us = append(us, map[string]string{"id": id, "username": u, "name": strings.ToUpper(u)})
		}
	}
	out := map[string]any{"users": us}
	if len(refs) > 0 {
		out["tweets"] = f.render(refs)
	}
	if len(media) > 0 {
		out["media"] = media
	}
	return out
}

func (f *fakeX) badRequest(w http.ResponseWriter, detail string) {
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]string{{"message": detail}},
		"title":  "Invalid Request", "detail": "One or more parameters to your request was invalid.",
		"type": "https://api.twitter.com/2/problems/invalid-request",
	})
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// failAfter serves n normal responses, then r.
func (f *fakeX) failAfter(n int, r fakeResponse) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delayed = &delayedFailure{after: n, resp: r}
}

type delayedFailure struct {
	after int
	resp  fakeResponse
}
