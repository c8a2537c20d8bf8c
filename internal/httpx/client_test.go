package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fastOptions returns Options with waits short enough for tests.
func fastOptions() Options {
	return Options{RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond}
}

// statusSequence serves the given statuses in order, repeating the last,
// and counts requests.
type statusSequence struct {
	statuses []int
	header   http.Header
	hits     atomic.Int32
}

func (s *statusSequence) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	n := int(s.hits.Add(1)) - 1
	status := s.statuses[min(n, len(s.statuses)-1)]
	for k, vs := range s.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "body "+strconv.Itoa(status))
}

func TestDoRetries(t *testing.T) {
	tests := []struct {
		name           string
		method         string
		opts           func(*Options)
		statuses       []int
		header         http.Header
		wantHits       int32
		wantStatus     int // of the StatusError; 0 means success
		wantRetryAfter time.Duration
	}{
		{name: "500 then 200", method: http.MethodGet, statuses: []int{500, 200}, wantHits: 2},
		{name: "502 503 504 then 200", method: http.MethodGet, statuses: []int{502, 503, 504, 200}, wantHits: 4},
		{name: "500 until retries run out", method: http.MethodGet, statuses: []int{500}, wantHits: DefaultRetryMax + 1, wantStatus: 500},
		{name: "RetryMax -1 disables retries", method: http.MethodGet, opts: func(o *Options) { o.RetryMax = -1 }, statuses: []int{500, 200}, wantHits: 1, wantStatus: 500},
		{name: "501 not retried", method: http.MethodGet, statuses: []int{501, 200}, wantHits: 1, wantStatus: 501},
		{name: "404 not retried", method: http.MethodGet, statuses: []int{404, 200}, wantHits: 1, wantStatus: 404},
		{name: "HEAD retried", method: http.MethodHead, statuses: []int{500, 200}, wantHits: 2},
		{name: "POST not retried", method: http.MethodPost, statuses: []int{500, 200}, wantHits: 1, wantStatus: 500},
		{name: "POST 429 not retried", method: http.MethodPost, statuses: []int{429, 200}, header: http.Header{"Retry-After": {"0"}}, wantHits: 1, wantStatus: 429},
		{
			name: "429 with long Retry-After returned at once", method: http.MethodGet,
			statuses: []int{429, 200}, header: http.Header{"Retry-After": {"120"}},
			wantHits: 1, wantStatus: 429, wantRetryAfter: 2 * time.Minute,
		},
		{
			name: "503 with Retry-After above max returned at once", method: http.MethodGet,
			statuses: []int{503, 200}, header: http.Header{"Retry-After": {"1"}},
			wantHits: 1, wantStatus: 503, wantRetryAfter: time.Second,
		},
		{name: "429 with Retry-After 0 retried", method: http.MethodGet, statuses: []int{429, 200}, header: http.Header{"Retry-After": {"0"}}, wantHits: 2},
		{name: "429 without Retry-After retried", method: http.MethodGet, statuses: []int{429, 429, 200}, wantHits: 3},
		{
			name: "429 retried within a large max", method: http.MethodGet,
			opts:     func(o *Options) { o.RetryWaitMax = time.Minute },
			statuses: []int{429, 200}, header: http.Header{"Retry-After": {"0"}}, wantHits: 2,
		},
		{name: "429 until retries run out", method: http.MethodGet, statuses: []int{429}, header: http.Header{"Retry-After": {"0"}}, wantHits: DefaultRetryMax + 1, wantStatus: 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq := &statusSequence{statuses: tt.statuses, header: tt.header}
			srv := httptest.NewServer(seq)
			defer srv.Close()
			opts := fastOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			c := New(opts)
			req, err := http.NewRequest(tt.method, srv.URL+"/x", strings.NewReader("payload"))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			resp, err := c.Do(context.Background(), req)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("Do took %v; want no long waits", elapsed)
			}
			if got := seq.hits.Load(); got != tt.wantHits {
				t.Errorf("server got %d requests; want %d", got, tt.wantHits)
			}
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if resp.Status != http.StatusOK {
					t.Errorf("status = %d; want 200", resp.Status)
				}
				return
			}
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("Do error = %v (%T); want *StatusError", err, err)
			}
			if resp != nil {
				t.Errorf("Do returned a response with a StatusError")
			}
			if se.Status != tt.wantStatus || se.RetryAfter != tt.wantRetryAfter {
				t.Errorf("StatusError = %d retry after %v; want %d retry after %v", se.Status, se.RetryAfter, tt.wantStatus, tt.wantRetryAfter)
			}
		})
	}
}

func TestRateLimitResetHeader(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	seq := &statusSequence{
		statuses: []int{429},
		header:   http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now.Add(15*time.Minute).Unix(), 10)}},
	}
	srv := httptest.NewServer(seq)
	defer srv.Close()
	c := New(fastOptions())
	c.now = func() time.Time { return now }
	_, err := c.Get(context.Background(), srv.URL, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.RetryAfter != 15*time.Minute {
		t.Fatalf("Get error = %#v; want StatusError retrying after 15m", err)
	}
	if n := seq.hits.Load(); n != 1 {
		t.Errorf("server got %d requests; want 1", n)
	}
}

func TestStatusError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "no such user\x00\n{\"access_token\":\"SEKRET\"}"+strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	c := New(fastOptions())
	_, err := c.Get(context.Background(), srv.URL+"/users/1?api_key=SEKRET", nil)
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("Get error = %v; want *StatusError", err)
	}
	want := "GET " + srv.URL + "/users/1?api_key=REDACTED: 404 Not Found"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	if se.Temporary() {
		t.Error("404 reported as temporary")
	}
	if len(se.Body) > maxErrorBody || !strings.HasPrefix(se.Body, "no such user") || strings.Contains(se.Body, "SEKRET") || strings.ContainsRune(se.Body, 0) {
		t.Errorf("Body = %q; want sanitized prefix of at most %d bytes", se.Body, maxErrorBody)
	}
}

func TestStatusErrorTemporary(t *testing.T) {
	for status, want := range map[int]bool{
		400: false, 401: false, 403: false, 404: false, 410: false,
		408: true, 425: true, 429: true, 500: true, 501: true, 502: true, 503: true, 599: true,
	} {
		if got := (&StatusError{Status: status}).Temporary(); got != want {
			t.Errorf("StatusError{%d}.Temporary() = %v; want %v", status, got, want)
		}
	}
}

func TestNotModified(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		_, _ = io.WriteString(w, "<rss/>")
	}))
	defer srv.Close()
	c := New(fastOptions())

	resp, err := c.Get(context.Background(), srv.URL, nil)
	if err != nil || resp.Status != http.StatusOK || string(resp.Body) != "<rss/>" {
		t.Fatalf("first Get = %+v, %v; want 200 <rss/>", resp, err)
	}
	resp, err = c.Get(context.Background(), srv.URL, http.Header{"If-None-Match": {resp.Header.Get("ETag")}})
	if err != nil {
		t.Fatalf("conditional Get: %v", err)
	}
	if resp.Status != http.StatusNotModified || len(resp.Body) != 0 {
		t.Errorf("conditional Get = %d with %d bytes; want 304 with empty body", resp.Status, len(resp.Body))
	}
}

func TestBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		_, _ = w.Write(bytes.Repeat([]byte("a"), n))
	}))
	defer srv.Close()
	c := New(Options{MaxBodyBytes: 10})

	resp, err := c.Get(context.Background(), srv.URL+"?n=10", nil)
	if err != nil || len(resp.Body) != 10 {
		t.Fatalf("Get 10 bytes = %v, %v; want 10 bytes", resp, err)
	}
	_, err = c.Get(context.Background(), srv.URL+"?n=11&token=SEKRET", nil)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("Get 11 bytes error = %v; want ErrBodyTooLarge", err)
	}
	if !strings.Contains(err.Error(), srv.URL) || strings.Contains(err.Error(), "SEKRET") {
		t.Errorf("error %q should name the URL without its secret", err)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	t.Run("context deadline", func(t *testing.T) {
		c := New(fastOptions())
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := c.Get(ctx, srv.URL, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Get error = %v; want context.DeadlineExceeded", err)
		}
	})
	t.Run("per-attempt timeout", func(t *testing.T) {
		opts := fastOptions()
		opts.Timeout = 20 * time.Millisecond
		opts.RetryMax = -1
		c := New(opts)
		_, err := c.Get(context.Background(), srv.URL, nil)
		var te interface{ Timeout() bool }
		if !errors.As(err, &te) || !te.Timeout() {
			t.Fatalf("Get error = %v; want a timeout", err)
		}
	})
}

func TestUserAgentAndHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("User-Agent")+"|"+r.Header.Get("Accept"))
	}))
	defer srv.Close()
	tests := []struct {
		name   string
		ua     string
		header http.Header
		want   string
	}{
		{"default", "", nil, DefaultUserAgent + "|"},
		{"configured", "lookout/1.0 (by /u/lookout)", http.Header{"Accept": {"application/json"}}, "lookout/1.0 (by /u/lookout)|application/json"},
		{"per request", "lookout/1.0", http.Header{"User-Agent": {"custom/2"}}, "custom/2|"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{UserAgent: tt.ua})
			resp, err := c.Get(context.Background(), srv.URL, tt.header)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(resp.Body); got != tt.want {
				t.Errorf("server saw %q; want %q", got, tt.want)
			}
		})
	}
}

func TestDoDoesNotMutateRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{}).Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if ua := req.Header.Get("User-Agent"); ua != "" {
		t.Errorf("caller's request got User-Agent %q", ua)
	}
}

func TestPostBodySent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := New(Options{}).Do(context.Background(), req)
	if err != nil || string(resp.Body) != "hello" {
		t.Fatalf("Do = %v, %v; want echo of hello", resp, err)
	}
}

// closedPortURL returns a URL on 127.0.0.1 where nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

func TestErrorsAndLogsHaveNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	opts := fastOptions()
	opts.RetryMax = 1
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := New(opts)

	u := closedPortURL(t) + "/x?access_token=SEKRET"
	_, err := c.Get(context.Background(), u, http.Header{"Authorization": {"Bearer SEKRET"}})
	if err == nil {
		t.Fatal("Get to a closed port succeeded")
	}
	if strings.Contains(err.Error(), "SEKRET") {
		t.Errorf("error leaks the secret: %v", err)
	}
	if !strings.Contains(err.Error(), "access_token=REDACTED") {
		t.Errorf("error %q should show the redacted URL", err)
	}
	if logs.Len() == 0 || !strings.Contains(logs.String(), "retrying request") {
		t.Errorf("expected debug log lines, got %q", logs.String())
	}
	if strings.Contains(logs.String(), "SEKRET") {
		t.Errorf("log leaks the secret:\n%s", logs.String())
	}
	// Callers unwrapping with errors.As must not find the secret either.
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "SEKRET") {
			t.Errorf("wrapped error %T leaks the secret: %v", e, e)
		}
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("error %v does not wrap *url.Error", err)
	}
}

func TestLoggerAtInfoLogsNothing(t *testing.T) {
	var logs bytes.Buffer
	opts := fastOptions()
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	c := New(opts)
	srv := httptest.NewServer(&statusSequence{statuses: []int{500, 200}})
	defer srv.Close()
	if _, err := c.Get(context.Background(), srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	if logs.Len() != 0 {
		t.Errorf("Info-level logger got %q; want nothing", logs.String())
	}
}

func TestFileURLs(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "examples"), 0o755); err != nil {
		t.Fatal(err)
	}
	feed := []byte("<rss><channel/></rss>")
	if err := os.WriteFile(filepath.Join(dir, "examples", "x.xml"), feed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.xml"), bytes.Repeat([]byte("a"), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	c := New(Options{MaxBodyBytes: 50})
	tests := []struct {
		name    string
		url     string
		want    []byte
		wantErr error
	}{
		{"relative", "file://examples/x.xml", feed, nil},
		{"absolute", "file://" + filepath.Join(dir, "examples", "x.xml"), feed, nil},
		{"over limit", "file://big.xml", nil, ErrBodyTooLarge},
		{"missing", "file://examples/none.xml", nil, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Get(context.Background(), tt.url, nil)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Get(%s) error = %v; want %v", tt.url, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(%s): %v", tt.url, err)
			}
			if resp.Status != http.StatusOK || !bytes.Equal(resp.Body, tt.want) {
				t.Errorf("Get(%s) = %d %q; want 200 %q", tt.url, resp.Status, resp.Body, tt.want)
			}
		})
	}

	guarded := New(Options{Guard: true, AllowPrivate: true})
	if _, err := guarded.Get(context.Background(), "file://examples/x.xml", nil); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("guarded Get(file://) error = %v; want ErrBlockedAddress", err)
	}
}

func TestDoRefusesNonHTTPSchemes(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "file:///etc/passwd", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{}).Do(context.Background(), req); err == nil {
		t.Error("Do(file://) succeeded; want an error")
	}
}
