package feed

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/watchers"
)

// feedServer serves testdata fixtures like a well-behaved feed host: ETag
// and Last-Modified on every 200, 304 when the client's validators match.
// Tests swap fixtures between polls to simulate a feed changing.
type feedServer struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	fixtures map[string]string // path → testdata file
	status   map[string]int    // path → forced status
	header   map[string]http.Header
	requests []http.Header // request headers, in arrival order
}

const (
	testETag         = `"v1"`
	testLastModified = "Tue, 03 Mar 2026 09:30:00 GMT"
)

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	s := &feedServer{t: t, fixtures: map[string]string{}, status: map[string]int{}, header: map[string]http.Header{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// set makes path serve the fixture file with validators derived from it.
func (s *feedServer) set(path, fixture string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fixtures[path] = fixture
	delete(s.status, path)
	return s.srv.URL + path
}

// fail makes path answer status with extra headers.
func (s *feedServer) fail(path string, status int, h http.Header) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[path] = status
	s.header[path] = h
	return s.srv.URL + path
}

func (s *feedServer) lastRequest() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		s.t.Fatal("server got no request")
	}
	return s.requests[len(s.requests)-1]
}

func (s *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Header.Clone())
	fixture, status, extra := s.fixtures[r.URL.Path], s.status[r.URL.Path], s.header[r.URL.Path]
	s.mu.Unlock()

	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if status != 0 {
		for k, vs := range extra {
			w.Header()[k] = vs
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	if fixture == "" {
		http.NotFound(w, r)
		return
	}
	body, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		s.t.Errorf("read fixture: %v", err)
		http.Error(w, "no fixture", http.StatusInternalServerError)
		return
	}
	// Each fixture file has its own ETag, so swapping fixtures changes it.
	etag := `"` + fixture + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", testLastModified)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(body)
}

// testClient is a real httpx client with retries off, so error cases
// answer at once.
func testClient(opts httpx.Options) *httpx.Client {
	opts.RetryMax = -1
	return httpx.New(opts)
}

func poll(t *testing.T, w *Watcher, cur string, feeds ...string) *watchers.Result {
	t.Helper()
	res, err := w.Poll(context.Background(), &alerts.Watch{Name: "w", Source: "feed", Accounts: feeds}, cur)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return res
}

func ids(posts []alerts.Post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = p.ID
	}
	return out
}

func TestPollRSSFirstFetch(t *testing.T) {
	s := newFeedServer(t)
	u := s.set("/rss.xml", "rss.xml")
	res := poll(t, New(testClient(httpx.Options{}), Options{}), "", u)

	want := []struct {
		id, url, title, text, handle string
		created                      time.Time
		media                        []alerts.Media
	}{
		{
			id: u + "#urn:news:1", url: "https://news.example.org/2026/01/gruas",
			title: "Año nuevo, nuevas grúas", text: "Llegan tres grúas nuevas al muelle pesquero.",
			handle: "Noticias del Puerto", created: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
		},
		{
			id: u + "#urn:news:2", url: "https://news.example.org/2026/03/meeting",
			title: "Port authority & unions meet", text: "Talks resumed on Monday.\nNo agreement yet.",
			handle: "Noticias del Puerto", created: time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC),
			media: []alerts.Media{{Type: "audio", URL: "https://news.example.org/audio/meeting.mp3"}},
		},
		{
			id: u + "#urn:news:3", url: "https://news.example.org/2026/03/huelga-cadiz",
			title:  "Huelga en el puerto de Cádiz",
			text:   "Los estibadores de Cádiz anuncian huelga indefinida.\nMás información pronto & en directo.",
			handle: "María Núñez", created: time.Date(2026, 3, 3, 8, 30, 0, 0, time.UTC),
			media: []alerts.Media{{Type: "image", URL: "https://news.example.org/img/cadiz.jpg"}},
		},
	}
	if len(res.Posts) != len(want) {
		t.Fatalf("got %d posts %v; want %d", len(res.Posts), ids(res.Posts), len(want))
	}
	for i, w := range want {
		p := res.Posts[i]
		if p.ID != w.id || p.URL != w.url || p.Title != w.title || p.Text != w.text || p.Handle != w.handle {
			t.Errorf("post %d:\ngot  id=%q url=%q title=%q text=%q handle=%q\nwant id=%q url=%q title=%q text=%q handle=%q",
				i, p.ID, p.URL, p.Title, p.Text, p.Handle, w.id, w.url, w.title, w.text, w.handle)
		}
		if !p.CreatedAt.Equal(w.created) || p.CreatedAt.Location() != time.UTC {
			t.Errorf("post %d CreatedAt = %v; want %v UTC", i, p.CreatedAt, w.created)
		}
		if !slices.Equal(p.Media, w.media) {
			t.Errorf("post %d Media = %v; want %v", i, p.Media, w.media)
		}
		if p.Platform != "feed" || p.Account != u || p.AuthorID != u || p.Kind != alerts.KindPost || p.Lang != "es" {
			t.Errorf("post %d: platform=%q account=%q author_id=%q kind=%q lang=%q; want feed, %s, %s, post, es",
				i, p.Platform, p.Account, p.AuthorID, p.Kind, p.Lang, u, u)
		}
		if !strings.Contains(string(p.Raw), `"guid":"urn:news:`) {
			t.Errorf("post %d Raw = %s; want the item as JSON", i, p.Raw)
		}
	}
	if want := `{"feeds":{"` + u + `":{"etag":"\"rss.xml\"","last_modified":"` + testLastModified + `"}}}`; res.Cursor != want {
		t.Errorf("cursor = %s; want %s", res.Cursor, want)
	}
}

func TestPollNotModified(t *testing.T) {
	s := newFeedServer(t)
	u := s.set("/rss.xml", "rss.xml")
	w := New(testClient(httpx.Options{}), Options{})
	first := poll(t, w, "", u)

	second := poll(t, w, first.Cursor, u)
	h := s.lastRequest()
	if got := h.Get("If-None-Match"); got != `"rss.xml"` {
		t.Errorf("If-None-Match = %q; want %q", got, `"rss.xml"`)
	}
	if got := h.Get("If-Modified-Since"); got != testLastModified {
		t.Errorf("If-Modified-Since = %q; want %q", got, testLastModified)
	}
	if len(second.Posts) != 0 {
		t.Errorf("got %d posts on 304; want 0", len(second.Posts))
	}
	if second.Cursor != first.Cursor {
		t.Errorf("cursor after 304 = %s; want %s", second.Cursor, first.Cursor)
	}
}

func TestPollCursorTolerance(t *testing.T) {
	s := newFeedServer(t)
	u := s.set("/rss.xml", "rss.xml")
	w := New(testClient(httpx.Options{}), Options{})
	tests := []struct {
		name       string
		cursor     string
		wantPosts  int
		wantHeader string // If-None-Match sent
	}{
		{"empty", "", 3, ""},
		{"garbage", "not json{", 3, ""},
		{"wrong shape", `{"feeds":[1,2]}`, 3, ""},
		{"other feed only", `{"feeds":{"https://elsewhere.example/x":{"etag":"\"x\""}}}`, 3, ""},
		{"unknown keys", `{"version":9,"feeds":{"` + u + `":{"etag":"\"rss.xml\"","extra":true}}}`, 0, `"rss.xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := poll(t, w, tt.cursor, u)
			if got := s.lastRequest().Get("If-None-Match"); got != tt.wantHeader {
				t.Errorf("If-None-Match = %q; want %q", got, tt.wantHeader)
			}
			if len(res.Posts) != tt.wantPosts {
				t.Errorf("got %d posts; want %d", len(res.Posts), tt.wantPosts)
			}
			if strings.Contains(res.Cursor, "elsewhere") {
				t.Errorf("cursor %s keeps a feed the watch no longer has", res.Cursor)
			}
		})
	}
}

func TestPollMalformed(t *testing.T) {
	s := newFeedServer(t)
	good := s.set("/rss.xml", "rss.xml")
	bad := s.set("/broken.xml", "malformed.xml") + "?token=s3cret"
	w := New(testClient(httpx.Options{}), Options{})

	res, err := w.Poll(context.Background(), &alerts.Watch{Accounts: []string{good, bad}}, "")
	if err == nil {
		t.Fatalf("Poll = %d posts, nil error; want a parse error", len(res.Posts))
	}
	if res != nil {
		t.Errorf("Result = %+v; want nil so no feed's cursor moves", res)
	}
	msg := err.Error()
	if !strings.Contains(msg, s.srv.URL+"/broken.xml") || !strings.Contains(msg, "parse") {
		t.Errorf("error %q; want it to name the feed and say parse", msg)
	}
	if strings.Contains(msg, "s3cret") {
		t.Errorf("error %q shows the query string", msg)
	}
	if errors.Is(err, alerts.ErrPermanent) {
		t.Errorf("parse error %v is permanent; want retryable", err)
	}
}

func TestPollHTTPErrors(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		header        http.Header
		wantPermanent bool
		wantAfter     time.Duration
	}{
		{"server error", http.StatusInternalServerError, nil, false, 0},
		{"rate limited", http.StatusTooManyRequests, http.Header{"Retry-After": {"120"}}, false, 2 * time.Minute},
		{"unavailable with wait", http.StatusServiceUnavailable, http.Header{"Retry-After": {"60"}}, false, time.Minute},
		{"not found", http.StatusNotFound, nil, true, 0},
		{"gone", http.StatusGone, nil, true, 0},
		{"unauthorized", http.StatusUnauthorized, nil, true, 0},
		{"forbidden", http.StatusForbidden, nil, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFeedServer(t)
			u := s.fail("/feed.xml", tt.status, tt.header)
			w := New(testClient(httpx.Options{RetryWaitMax: time.Second}), Options{})
			res, err := w.Poll(context.Background(), &alerts.Watch{Accounts: []string{u}}, `{"feeds":{}}`)
			if err == nil || res != nil {
				t.Fatalf("Poll = %v, %v; want nil result and an error", res, err)
			}
			if got := errors.Is(err, alerts.ErrPermanent); got != tt.wantPermanent {
				t.Errorf("errors.Is(%v, ErrPermanent) = %v; want %v", err, got, tt.wantPermanent)
			}
			after, ok := alerts.RetryAfter(err)
			if ok != (tt.wantAfter > 0) || after != tt.wantAfter {
				t.Errorf("RetryAfter(%v) = %v, %v; want %v", err, after, ok, tt.wantAfter)
			}
			var se *httpx.StatusError
			if !errors.As(err, &se) || se.Status != tt.status {
				t.Errorf("error %v does not carry *httpx.StatusError %d", err, tt.status)
			}
			if !strings.Contains(err.Error(), "feed "+u) {
				t.Errorf("error %q does not name the feed", err)
			}
		})
	}
}

func TestPollBodyTooLarge(t *testing.T) {
	s := newFeedServer(t)
	u := s.set("/rss.xml", "rss.xml")
	w := New(testClient(httpx.Options{MaxBodyBytes: 100}), Options{})
	_, err := w.Poll(context.Background(), &alerts.Watch{Accounts: []string{u}}, "")
	if !errors.Is(err, httpx.ErrBodyTooLarge) {
		t.Fatalf("err = %v; want ErrBodyTooLarge", err)
	}
	if !strings.Contains(err.Error(), "100 bytes") || !strings.Contains(err.Error(), "feed "+u) {
		t.Errorf("error %q; want the feed and the 100-byte limit named", err)
	}
}

func TestPollStableIDsWithoutGUID(t *testing.T) {
	s := newFeedServer(t)
	u := s.set("/log.xml", "rss_noguid.xml")
	w := New(testClient(httpx.Options{}), Options{})

	first := ids(poll(t, w, "", u).Posts)
	second := ids(poll(t, w, "", u).Posts)
	if !slices.Equal(first, second) {
		t.Fatalf("IDs changed between polls: %v then %v", first, second)
	}
	if len(first) != 2 {
		t.Fatalf("got IDs %v; want 2", first)
	}
	// Oldest first: the item without a link, keyed by hash, then the link.
	if !strings.HasPrefix(first[0], u+"#h:") || len(first[0]) != len(u+"#h:")+16 {
		t.Errorf("ID %q; want %s#h: and 16 hex digits", first[0], u)
	}
	if want := u + "#https://log.example.net/ferry-fog"; first[1] != want {
		t.Errorf("ID %q; want %q", first[1], want)
	}
}

func TestPollRedatedAndRemovedItems(t *testing.T) {
	tests := []struct {
		name    string
		next    string
		wantIDs []string // suffixes after "#", oldest first
	}{
		{"re-dated items keep their IDs", "rss_redated.xml", []string{"urn:news:1", "urn:news:2", "urn:news:3"}},
		{"removed items are just missing", "rss_fewer.xml", []string{"urn:news:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFeedServer(t)
			u := s.set("/rss.xml", "rss.xml")
			w := New(testClient(httpx.Options{}), Options{})
			first := poll(t, w, "", u)

			s.set("/rss.xml", tt.next)
			second := poll(t, w, first.Cursor, u)
			var want []string
			for _, id := range tt.wantIDs {
				want = append(want, u+"#"+id)
			}
			if got := ids(second.Posts); !slices.Equal(got, want) {
				t.Errorf("IDs = %v; want %v", got, want)
			}
			if !strings.Contains(second.Cursor, tt.next) {
				t.Errorf("cursor %s; want the new ETag %q", second.Cursor, tt.next)
			}
		})
	}
}

func TestPollScopesIDsPerFeed(t *testing.T) {
	s := newFeedServer(t)
	a := s.set("/a.json", "jsonfeed.json")
	b := s.set("/b.json", "jsonfeed.json")
	res := poll(t, New(testClient(httpx.Options{}), Options{}), "", a, b)
	want := []string{a + "#0", a + "#1", b + "#0", b + "#1"}
	if got := ids(res.Posts); !slices.Equal(got, want) {
		t.Errorf("IDs = %v; want %v", got, want)
	}
}

func TestPollMaxItems(t *testing.T) {
	s := newFeedServer(t)
	u := s.set("/rss.xml", "rss.xml")
	res := poll(t, New(testClient(httpx.Options{}), Options{MaxItems: 2}), "", u)
	want := []string{u + "#urn:news:2", u + "#urn:news:3"}
	if got := ids(res.Posts); !slices.Equal(got, want) {
		t.Errorf("IDs = %v; want the 2 newest %v", got, want)
	}
}

func TestPollFileURL(t *testing.T) {
	// Relative to the package directory, where go test runs.
	const u = "file://testdata/atom.xml"
	res := poll(t, New(testClient(httpx.Options{}), Options{}), "", u)
	want := []string{u + "#tag:blog.example.com,2026:q1", u + "#tag:blog.example.com,2026:phishing"}
	if got := ids(res.Posts); !slices.Equal(got, want) {
		t.Errorf("IDs = %v; want %v", got, want)
	}
	if res.Cursor != "{}" {
		t.Errorf("cursor = %s; want {} (files have no validators)", res.Cursor)
	}
}

// fakeFetcher returns a fixed answer, for failures a real server cannot
// easily produce.
type fakeFetcher struct {
	resp *httpx.Response
	err  error
}

func (f fakeFetcher) Get(context.Context, string, http.Header) (*httpx.Response, error) {
	return f.resp, f.err
}

func TestPollFetchErrors(t *testing.T) {
	statusErr := &httpx.StatusError{Status: http.StatusBadGateway}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"canceled", context.Canceled, context.Canceled},
		{"status", statusErr, statusErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(fakeFetcher{err: tt.err}, Options{})
			_, err := w.Poll(context.Background(), &alerts.Watch{Accounts: []string{"https://x.example/f?k=v"}}, "")
			if !errors.Is(err, tt.want) || errors.Is(err, alerts.ErrPermanent) {
				t.Errorf("err = %v; want it to wrap %v and not be permanent", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "feed https://x.example/f: ") {
				t.Errorf("err = %q; want it to start with the feed URL without query", err)
			}
		})
	}
}

func TestPollNoFeeds(t *testing.T) {
	res := poll(t, New(fakeFetcher{err: errors.New("must not fetch")}, Options{}), "garbage")
	if len(res.Posts) != 0 || res.Cursor != "{}" {
		t.Errorf("got %d posts, cursor %s; want none and {}", len(res.Posts), res.Cursor)
	}
}

func TestOptionsValidate(t *testing.T) {
	if err := (Options{MaxItems: -1}).Validate(); err == nil {
		t.Error("Validate(MaxItems: -1) = nil; want an error")
	}
	if err := (Options{}).Validate(); err != nil {
		t.Errorf("Validate(zero) = %v; want nil", err)
	}
}
