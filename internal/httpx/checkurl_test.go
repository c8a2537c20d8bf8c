package httpx

import (
	"errors"
	"net/http"
	"testing"
)

func TestCheckURL(t *testing.T) {
	guarded := New(Options{Guard: true})
	private := New(Options{Guard: true, AllowPrivate: true})
	open := New(Options{})
	tests := []struct {
		name    string
		c       *Client
		url     string
		refused bool
	}{
		{"public name", guarded, "https://example.org/feed.xml", false},
		{"public literal", guarded, "http://93.184.215.14/rss", false},
		{"loopback literal", guarded, "http://127.0.0.1:8080/feed", true},
		{"ipv6 loopback", guarded, "http://[::1]/feed", true},
		{"private", guarded, "http://10.0.0.1/feed", true},
		{"metadata", guarded, "http://169.254.169.254/latest/meta-data", true},
		{"localhost name", guarded, "http://localhost:9/feed", true},
		{"localhost subdomain", guarded, "http://evil.localhost/feed", true},
		{"file", guarded, "file:///etc/passwd", true},
		{"gopher", guarded, "gopher://example.org/", true},
		{"no host", guarded, "https:///feed", true},
		{"loopback allowed by allow_private", private, "http://127.0.0.1/feed", false},
		{"metadata even with allow_private", private, "http://169.254.169.254/", true},
		{"file on a trusted client", open, "file://examples/sample-feed.xml", false},
		{"gopher on a trusted client", open, "gopher://x/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.CheckURL(tt.url)
			if got := errors.Is(err, ErrBlockedAddress); got != tt.refused {
				t.Fatalf("CheckURL(%q): got %v; want refused=%v", tt.url, err, tt.refused)
			}
		})
	}
	if err := guarded.CheckURL("http://a b/"); err == nil {
		t.Fatal("a malformed URL passed")
	}
}

func TestTrustedClientRefusesRedirectToMetadata(t *testing.T) {
	check := checkRedirect(nil)
	for _, target := range []string{"http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/"} {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		if err := check(req, nil); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("redirect to %s: got %v; want it refused", target, err)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "http://10.0.0.5/feed", nil)
	if err := check(req, nil); err != nil {
		t.Errorf("redirect within a trusted private network: got %v; want allowed", err)
	}
}
