package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This is the SSRF suite for URLs users add at run time (`lookout watch add
// feed URL`, and the same from chat): cmd/lookout gives those watches a
// guarded client (Options.Guard), and the feed watcher fetches with its Get.
// Every case must be refused with a clear message and nothing fetched.
//
// No case can send a packet anywhere, even if the guard is broken: the
// client's resolver and dialer are replaced by a netRecorder that answers
// from a fake zone, records every lookup and dial, and connects only to the
// test's own loopback listener (reached through a public-looking address
// the zone gives "feed.example"). A broken guard shows up as a recorded dial
// to a forbidden address, and the dial is refused.

// publicAddr stands for a public server; the recorder maps it to the
// test's listener.
var publicAddr = netip.MustParseAddr("93.184.215.14")

type netRecorder struct {
	zone  map[string][]netip.Addr
	allow map[string]string // dialled address → listener address

	mu      sync.Mutex
	lookups []string
	dials   []string
}

func (r *netRecorder) lookup(_ context.Context, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	r.lookups = append(r.lookups, host)
	r.mu.Unlock()
	if addrs, ok := r.zone[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (r *netRecorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	r.dials = append(r.dials, addr)
	r.mu.Unlock()
	if target, ok := r.allow[addr]; ok {
		var d net.Dialer
		return d.DialContext(ctx, network, target)
	}
	return nil, fmt.Errorf("test dialer refused %s", addr)
}

func (r *netRecorder) record() (lookups, dials []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lookups), slices.Clone(r.dials)
}

// ssrfServer is the test's own listener: /ok serves a feed, /redirect
// sends the client wherever ?to= says, and anything else counts as a
// forbidden fetch.
type ssrfServer struct {
	*httptest.Server
	forbidden atomic.Int32
}

func newSSRFServer(t *testing.T) *ssrfServer {
	s := &ssrfServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = io.WriteString(w, "<rss/>")
		case "/redirect":
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		default:
			s.forbidden.Add(1)
			_, _ = io.WriteString(w, "secret")
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// guardedClient returns a guarded client whose network is the recorder's.
func guardedClient(t *testing.T, srv *ssrfServer, allowPrivate bool) (*Client, *netRecorder) {
	t.Helper()
	rec := &netRecorder{
		zone: map[string][]netip.Addr{
			"feed.example":     {publicAddr},
			"loopback.example": {netip.MustParseAddr("127.0.0.1")},
			"mixed.example":    {netip.MustParseAddr("10.0.0.7"), netip.MustParseAddr("::1")},
			"internal.example": {netip.MustParseAddr("10.1.2.3")},
			"metadata.example": {netip.MustParseAddr("169.254.169.254")},
		},
		allow: map[string]string{netip.AddrPortFrom(publicAddr, 80).String(): srv.Listener.Addr().String()},
	}
	if allowPrivate {
		rec.allow["127.0.0.1:80"] = srv.Listener.Addr().String()
	}
	c := New(Options{Guard: true, AllowPrivate: allowPrivate, RetryMax: -1, Timeout: 5 * time.Second})
	c.guard.lookup, c.guard.dial = rec.lookup, rec.dial
	return c, rec
}

func TestSSRFRefused(t *testing.T) {
	const redirect = "http://feed.example/redirect?to="
	tests := []struct {
		name string
		url  string
		// want are substrings of the error: what was refused, and why.
		want []string
		// lookups is what the client may resolve; dials is how many
		// connections to the listener (through publicAddr) are expected.
		lookups []string
		dials   int
	}{
		{name: "loopback v4", url: "http://127.0.0.1/latest", want: []string{"host 127.0.0.1", "address not allowed"}},
		{name: "loopback v6", url: "http://[::1]/", want: []string{"host ::1", "address not allowed"}},
		{name: "cloud metadata", url: "http://169.254.169.254/latest/meta-data", want: []string{"host 169.254.169.254", "address not allowed"}},
		{name: "private", url: "http://10.0.0.1/", want: []string{"host 10.0.0.1", "address not allowed"}},
		{name: "name resolving to loopback", url: "http://loopback.example/feed", want: []string{"loopback.example resolves to [127.0.0.1]", "address not allowed"}, lookups: []string{"loopback.example"}},
		{name: "name resolving to private and loopback", url: "http://mixed.example/", want: []string{"mixed.example", "address not allowed"}, lookups: []string{"mixed.example"}},
		{name: "name resolving to metadata", url: "http://metadata.example/latest/meta-data", want: []string{"metadata.example", "address not allowed"}, lookups: []string{"metadata.example"}},
		{name: "redirect to private literal", url: redirect + "http://10.0.0.1/secret", want: []string{"redirect", "host 10.0.0.1", "address not allowed"}, lookups: []string{"feed.example"}, dials: 1},
		{name: "redirect to metadata", url: redirect + "http://169.254.169.254/latest/meta-data/", want: []string{"redirect", "169.254.169.254", "address not allowed"}, lookups: []string{"feed.example"}, dials: 1},
		{name: "redirect to name resolving to private", url: redirect + "http://internal.example/secret", want: []string{"internal.example resolves to [10.1.2.3]", "address not allowed"}, lookups: []string{"feed.example", "internal.example"}, dials: 1},
		{name: "redirect to file", url: redirect + "file:///etc/passwd", want: []string{`scheme "file"`, "address not allowed"}, lookups: []string{"feed.example"}, dials: 1},
		{name: "file scheme", url: "file:///etc/passwd", want: []string{`scheme "file"`, "address not allowed"}},
		{name: "relative file scheme", url: "file://examples/sample-feed.xml", want: []string{`scheme "file"`, "address not allowed"}},
		{name: "gopher scheme", url: "gopher://127.0.0.1:70/_GET", want: []string{`scheme "gopher"`, "address not allowed"}},
		{name: "gopher to a name", url: "gopher://feed.example/1", want: []string{`scheme "gopher"`, "address not allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newSSRFServer(t)
			c, rec := guardedClient(t, srv, false)
			resp, err := c.Get(context.Background(), tt.url, nil)
			if err == nil {
				t.Fatalf("Get(%s) = %d %q; want it refused", tt.url, resp.Status, resp.Body)
			}
			if !errors.Is(err, ErrBlockedAddress) {
				t.Errorf("Get(%s) error = %v; want ErrBlockedAddress", tt.url, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			lookups, dials := rec.record()
			if !slices.Equal(lookups, tt.lookups) {
				t.Errorf("lookups = %v; want %v", lookups, tt.lookups)
			}
			for _, d := range dials {
				if _, ok := rec.allow[d]; !ok {
					t.Errorf("the client dialled %s: the guard let a forbidden address through", d)
				}
			}
			if len(dials) != tt.dials {
				t.Errorf("dials = %v; want %d to the test listener", dials, tt.dials)
			}
			if n := srv.forbidden.Load(); n != 0 {
				t.Errorf("the listener served %d forbidden requests", n)
			}
		})
	}
}

func TestSSRFAllowed(t *testing.T) {
	t.Run("public name", func(t *testing.T) {
		srv := newSSRFServer(t)
		c, rec := guardedClient(t, srv, false)
		resp, err := c.Get(context.Background(), "http://feed.example/ok", nil)
		if err != nil || string(resp.Body) != "<rss/>" {
			t.Fatalf("Get = %v, %v; want the feed (the recorder must not break allowed fetches)", resp, err)
		}
		if _, dials := rec.record(); !slices.Equal(dials, []string{"93.184.215.14:80"}) {
			t.Errorf("dials = %v; want the pinned public address only", dials)
		}
	})
	t.Run("redirect to public", func(t *testing.T) {
		srv := newSSRFServer(t)
		c, _ := guardedClient(t, srv, false)
		resp, err := c.Get(context.Background(), "http://feed.example/redirect?to=/ok", nil)
		if err != nil || string(resp.Body) != "<rss/>" {
			t.Fatalf("Get = %v, %v; want the feed after the redirect", resp, err)
		}
	})
	t.Run("allow_private reaches loopback by name, not metadata", func(t *testing.T) {
		srv := newSSRFServer(t)
		c, rec := guardedClient(t, srv, true)
		resp, err := c.Get(context.Background(), "http://loopback.example/ok", nil)
		if err != nil || string(resp.Body) != "<rss/>" {
			t.Fatalf("Get with AllowPrivate = %v, %v; want the feed", resp, err)
		}
		_, err = c.Get(context.Background(), "http://metadata.example/latest/meta-data", nil)
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("metadata with AllowPrivate: error = %v; want ErrBlockedAddress", err)
		}
		_, dials := rec.record()
		for _, d := range dials {
			if _, ok := rec.allow[d]; !ok {
				t.Errorf("the client dialled %s", d)
			}
		}
	})
}

// TestSSRFBrokenGuardSendsNothing proves the suite's safety net: with the
// address policy switched off entirely, the forbidden destinations reach
// only the recorder, which refuses them, and the test sees the attempt.
func TestSSRFBrokenGuardSendsNothing(t *testing.T) {
	srv := newSSRFServer(t)
	c, rec := guardedClient(t, srv, false)
	c.guard.blocked = func(netip.Addr) bool { return false } // a broken guard
	for _, u := range []string{"http://10.0.0.1/", "http://169.254.169.254/latest/meta-data", "http://loopback.example/"} {
		if _, err := c.Get(context.Background(), u, nil); err == nil {
			t.Errorf("Get(%s) succeeded through a broken guard", u)
		}
	}
	_, dials := rec.record()
	want := []string{"10.0.0.1:80", "169.254.169.254:80", "127.0.0.1:80"}
	if !slices.Equal(dials, want) {
		t.Errorf("recorded dials = %v; want %v (caught by the recorder, never sent)", dials, want)
	}
	if n := srv.forbidden.Load(); n != 0 {
		t.Errorf("the listener served %d requests", n)
	}
}
