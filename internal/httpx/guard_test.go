package httpx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBlockedAddr(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"10.0.0.1", true},
		{"172.16.5.4", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"169.254.1.1", true},
		{"100.64.0.1", true},
		{"100.100.100.200", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"198.18.0.1", true},
		{"::", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::127.0.0.1", true},
		{"fe80::1", true},
		{"fc00::1", true},
		{"fd00:ec2::254", true},
		{"ff02::1", true},
		{"64:ff9b::10.0.0.1", true},
		{"2002:7f00:1::", true},
		{"2001:db8::1", true},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::8.8.8.8", false},
		{"2002:808:808::", false},
		{"2606:4700:4700::1111", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := blockedAddr(netip.MustParseAddr(tt.addr)); got != tt.blocked {
				t.Errorf("blockedAddr(%s) = %v; want %v", tt.addr, got, tt.blocked)
			}
		})
	}
}

func TestGuardAllowPrivateStillBlocksMetadata(t *testing.T) {
	g := &guard{allowPrivate: true}
	tests := []struct {
		addr    string
		allowed bool
	}{
		{"127.0.0.1", true},
		{"10.0.0.1", true},
		{"::1", true},
		{"169.254.169.254", false},
		{"::ffff:169.254.169.254", false},
		{"fd00:ec2::254", false},
		{"100.100.100.200", false},
	}
	for _, tt := range tests {
		if got := g.allowed(netip.MustParseAddr(tt.addr)); got != tt.allowed {
			t.Errorf("allowed(%s) with AllowPrivate = %v; want %v", tt.addr, got, tt.allowed)
		}
	}
}

// failTransport fails the test if a request reaches the network.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("request to %s reached the transport", r.URL)
	return nil, errors.New("unexpected round trip")
}

func TestGuardRefusesLiteralAddresses(t *testing.T) {
	c := New(Options{Guard: true, RetryMax: -1, Transport: failTransport{t}})
	for _, u := range []string{
		"http://127.0.0.1/x",
		"http://10.0.0.1/x",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]:8080/x",
		"http://[fd00:ec2::254]/x",
		"ftp://example.com/x",
		"file:///etc/passwd",
		"file://examples/x.xml",
	} {
		t.Run(u, func(t *testing.T) {
			_, err := c.Get(context.Background(), u, nil)
			if !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("Get(%s) error = %v; want ErrBlockedAddress", u, err)
			}
		})
	}
}

// localhostURL returns srv's URL with its host replaced by "localhost", so
// that the client must resolve a name and the dialer check is exercised.
func localhostURL(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return "http://localhost:" + port + "/x"
}

func TestGuardDialerRefusesLoopback(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()
	u := localhostURL(t, srv)

	guarded := New(Options{Guard: true, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	_, err := guarded.Get(context.Background(), u, nil)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("guarded Get(%s) error = %v; want ErrBlockedAddress", u, err)
	}
	if !strings.Contains(err.Error(), "localhost") {
		t.Errorf("error %q does not name the host", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests; want 0", n)
	}

	private := New(Options{Guard: true, AllowPrivate: true})
	resp, err := private.Get(context.Background(), u, nil)
	if err != nil {
		t.Fatalf("Get(%s) with AllowPrivate: %v", u, err)
	}
	if resp.Status != http.StatusOK {
		t.Errorf("status = %d; want 200", resp.Status)
	}
}

func TestGuardIgnoresProxyEnvironment(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://proxy.invalid:3128")
	c := New(Options{Guard: true})
	tr, ok := c.retrying.HTTPClient.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T; want *http.Transport", c.retrying.HTTPClient.Transport)
	}
	if tr.Proxy != nil {
		t.Error("guarded transport honours proxy environment")
	}
}

// onlyLoopback1 treats 127.0.0.1 as public and everything else as blocked,
// standing in for "an allowed server" in redirect tests.
func onlyLoopback1(a netip.Addr) bool {
	return a != netip.MustParseAddr("127.0.0.1")
}

func TestGuardChecksRedirectHops(t *testing.T) {
	tests := []struct {
		name     string
		location string
		wantErr  error
	}{
		{"to blocked literal", "http://127.0.0.2:1/secret", ErrBlockedAddress},
		{"to metadata", "http://169.254.169.254/latest/meta-data/", ErrBlockedAddress},
		{"to file scheme", "file:///etc/passwd", ErrBlockedAddress},
		{"to allowed", "/ok", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/ok" {
					_, _ = w.Write([]byte("ok"))
					return
				}
				http.Redirect(w, r, tt.location, http.StatusFound)
			}))
			defer srv.Close()
			c := newClient(Options{Guard: true, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond}, onlyLoopback1)
			resp, err := c.Get(context.Background(), srv.URL+"/start", nil)
			if tt.wantErr == nil {
				if err != nil || string(resp.Body) != "ok" {
					t.Fatalf("Get = %v, %v; want body ok", resp, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Get error = %v; want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRedirectLimit(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	}))
	defer srv.Close()
	c := New(Options{RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	_, err := c.Get(context.Background(), srv.URL, nil)
	if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Fatalf("Get error = %v; want stopped after 5 redirects", err)
	}
	if n := hits.Load(); n != maxRedirects+1 {
		t.Errorf("server got %d requests; want %d (no retries)", n, maxRedirects+1)
	}
}
