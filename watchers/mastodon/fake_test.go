package mastodon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/httpx"
)

// fakeMastodon is an instance that behaves as docs.joinmastodon.org and
// ../shared/notes/platforms.md §2 describe: accounts/lookup, account
// statuses and hashtag timelines paged with min_id (the statuses right
// after the id) or since_id (the newest above it), limit default 20 and
// capped at 40, newest first, a Link header, X-RateLimit-* headers with an
// ISO 8601 reset, and JSON error bodies.
type fakeMastodon struct {
	t      *testing.T
	srv    *httptest.Server
	domain string // what local accts are relative to

	mu       sync.Mutex
	accounts map[string]*fakeAccount // by lower-case username
	statuses map[string][]fakeStatus // by account id, ascending
	tags     map[string][]fakeStatus // by tag, ascending
	nextID   int64
	// token, when set, is required on every request.
	token string
	// fail, when set, may answer a request instead of the fake.
	fail     func(w http.ResponseWriter, r *http.Request) bool
	requests []*http.Request
}

type fakeAccount struct {
	ID, Username, URI string
	remote            string // domain of a remote account, "" for local
}

type fakeStatus struct {
	ID      string
	Account *fakeAccount
	Content string
	Edited  bool
	Reblog  *fakeStatus
}

func newFake(t *testing.T, domain string) *fakeMastodon {
	f := &fakeMastodon{t: t, domain: domain, accounts: map[string]*fakeAccount{},
		statuses: map[string][]fakeStatus{}, tags: map[string][]fakeStatus{}, nextID: 113000000000000000}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// addAccount creates an account; key is "user" or "user@remote".
func (f *fakeMastodon) addAccount(key string) *fakeAccount {
	f.mu.Lock()
	defer f.mu.Unlock()
	user, remote, _ := strings.Cut(key, "@")
	domain := f.domain
	if remote != "" {
		domain = remote
	}
	a := &fakeAccount{ID: strconv.Itoa(109000 + len(f.accounts)), Username: user, URI: "https://" + domain + "/users/" + user, remote: remote}
	f.accounts[strings.ToLower(key)] = a
	return a
}

// post adds n statuses by a (and to tag, if not empty) and returns their ids.
func (f *fakeMastodon) post(a *fakeAccount, tag string, n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for range n {
		f.nextID++
		s := fakeStatus{ID: strconv.FormatInt(f.nextID, 10), Account: a, Content: "<p>post " + strconv.FormatInt(f.nextID, 10) + "</p>"}
		f.statuses[a.ID] = append(f.statuses[a.ID], s)
		if tag != "" {
			f.tags[tag] = append(f.tags[tag], s)
		}
		ids = append(ids, s.ID)
	}
	return ids
}

// boost adds a status by a boosting target.
func (f *fakeMastodon) boost(a *fakeAccount, target fakeStatus) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	s := fakeStatus{ID: strconv.FormatInt(f.nextID, 10), Account: a, Reblog: &target}
	f.statuses[a.ID] = append(f.statuses[a.ID], s)
	return s.ID
}

// edit changes a status's content in place, as an edit does: same id.
func (f *fakeMastodon) edit(accountID, id, content string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.statuses[accountID] {
		if s.ID == id {
			f.statuses[accountID][i].Content = content
			f.statuses[accountID][i].Edited = true
		}
	}
}

func (f *fakeMastodon) rename(a *fakeAccount, user string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a.Username = user // the URI stays
}

func (f *fakeMastodon) client() *httpx.Client {
	return httpx.New(httpx.Options{RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond, MaxBodyBytes: 1 << 20})
}

// got returns the requests seen so far as "path?query" strings and
// forgets them.
func (f *fakeMastodon) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		out = append(out, r.URL.Path+"?"+r.URL.RawQuery)
	}
	f.requests = nil
	return out
}

func (f *fakeMastodon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Clone(context.Background()))
	fail := f.fail
	f.mu.Unlock()
	if r.Method != http.MethodGet {
		f.t.Errorf("got %s %s; want GET", r.Method, r.URL)
	}
	if fail != nil && fail(w, r) {
		return
	}
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token {
		writeError(w, http.StatusUnauthorized, "The access token is invalid")
		return
	}
	// Mastodon's rate-limit headers, ISO 8601 with microseconds.
	w.Header().Set("X-RateLimit-Limit", "300")
	w.Header().Set("X-RateLimit-Remaining", "299")
	w.Header().Set("X-RateLimit-Reset", time.Now().Add(5*time.Minute).UTC().Format("2006-01-02T15:04:05.000000Z"))

	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.Path
	switch {
	case path == "/api/v1/accounts/lookup":
		acct := strings.ToLower(strings.TrimPrefix(r.URL.Query().Get("acct"), "@"))
		if u, d, ok := strings.Cut(acct, "@"); ok && d == f.domain {
			acct = u
		}
		a, ok := f.accounts[acct]
		if !ok {
			writeError(w, http.StatusNotFound, "Record not found")
			return
		}
		writeJSON(w, f.account(a))
	case strings.HasPrefix(path, "/api/v1/accounts/") && strings.HasSuffix(path, "/statuses"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/accounts/"), "/statuses")
		list, ok := f.statuses[id]
		found := ok
		for _, a := range f.accounts {
			found = found || a.ID == id
		}
		if !found {
			writeError(w, http.StatusNotFound, "Record not found")
			return
		}
		f.page(w, r, list)
	case strings.HasPrefix(path, "/api/v1/timelines/tag/"):
		f.page(w, r, f.tags[strings.ToLower(strings.TrimPrefix(path, "/api/v1/timelines/tag/"))])
	default:
		writeError(w, http.StatusNotFound, "Not found")
	}
}

// page serves a timeline (ascending) the way Mastodon paginates.
func (f *fakeMastodon) page(w http.ResponseWriter, r *http.Request, all []fakeStatus) {
	q := r.URL.Query()
	limit := 20
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = min(v, 40)
	}
	var sel []fakeStatus
	for _, s := range all {
		if (q.Get("min_id") == "" || compareID(s.ID, q.Get("min_id")) > 0) &&
			(q.Get("since_id") == "" || compareID(s.ID, q.Get("since_id")) > 0) &&
			(q.Get("max_id") == "" || compareID(s.ID, q.Get("max_id")) < 0) {
			sel = append(sel, s)
		}
	}
	if q.Get("min_id") != "" {
		// The statuses immediately after min_id.
		sel = sel[:min(limit, len(sel))]
	} else {
		// The newest: since_id leaves a gap when more than limit arrived.
		sel = sel[max(0, len(sel)-limit):]
	}
	out := make([]map[string]any, 0, len(sel))
	for i := len(sel) - 1; i >= 0; i-- {
		out = append(out, f.status(sel[i]))
	}
	if len(sel) > 0 {
		base := f.srv.URL + r.URL.Path + "?limit=" + strconv.Itoa(limit)
		w.Header().Set("Link", fmt.Sprintf(`<%s&max_id=%s>; rel="next", <%s&min_id=%s>; rel="prev"`,
			base, sel[0].ID, base, sel[len(sel)-1].ID))
	}
	writeJSON(w, out)
}

func (f *fakeMastodon) account(a *fakeAccount) map[string]any {
	acct := a.Username
	if a.remote != "" {
		acct += "@" + a.remote
	}
	return map[string]any{"id": a.ID, "username": a.Username, "acct": acct, "display_name": a.Username,
		"url": strings.Replace(a.URI, "/users/", "/@", 1), "uri": a.URI}
}

func (f *fakeMastodon) status(s fakeStatus) map[string]any {
	domain := f.domain
	if s.Account.remote != "" {
		domain = s.Account.remote
	}
	m := map[string]any{
		"id": s.ID, "created_at": "2026-03-03T09:30:00.000Z", "uri": s.Account.URI + "/statuses/" + s.ID,
		"url": "https://" + domain + "/@" + s.Account.Username + "/" + s.ID, "content": s.Content,
		"spoiler_text": "", "visibility": "public", "language": "es", "in_reply_to_id": nil,
		"account": f.account(s.Account), "reblog": nil, "media_attachments": []any{}, "edited_at": nil,
	}
	if s.Edited {
		m["edited_at"] = "2026-03-03T09:45:00.000Z"
	}
	if s.Reblog != nil {
		m["reblog"] = f.status(*s.Reblog)
		m["content"] = ""
		m["url"] = nil
	}
	return m
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// queries returns the query parameters of the recorded requests whose
// path ends in suffix.
func queries(reqs []string, suffix string) []url.Values {
	var out []url.Values
	for _, r := range reqs {
		p, q, _ := strings.Cut(r, "?")
		if strings.HasSuffix(p, suffix) {
			v, _ := url.ParseQuery(q)
			out = append(out, v)
		}
	}
	return out
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
