package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// maxRedirects is how many redirects any client follows before giving up.
const maxRedirects = 5

// Ranges refused by the SSRF guard besides those the netip predicates
// already cover (loopback, RFC 1918/4193 private, link-local, multicast,
// unspecified). See https://www.iana.org/assignments/iana-ipv4-special-registry
// and https://www.iana.org/assignments/iana-ipv6-special-registry.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, shared address space
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, including broadcast
	netip.MustParsePrefix("::/96"),           // deprecated IPv4-compatible
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// metadataPrefixes are cloud instance-metadata endpoints. They are refused by
// every guarded client, even with AllowPrivate: no user-supplied feed has a
// reason to read instance credentials.
var metadataPrefixes = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),     // AWS, GCP, Azure, ECS (169.254.169.254, 169.254.170.2)
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud
	netip.MustParsePrefix("fd00:ec2::/32"),      // AWS IPv6 (fd00:ec2::254)
}

// IPv6 prefixes that embed an IPv4 address, which is checked in turn.
var (
	nat64Prefix      = netip.MustParsePrefix("64:ff9b::/96")
	nat64LocalPrefix = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFourPrefix  = netip.MustParsePrefix("2002::/16")
)

// guard decides which destination addresses a guarded client may connect to.
type guard struct {
	allowPrivate bool
	// blocked overrides blockedAddr in tests; nil means blockedAddr.
	blocked func(netip.Addr) bool
	// lookup and dial replace name resolution and dialling in tests, so an
	// SSRF test can record every address asked for and refuse all but its
	// own listener: a broken guard then fails the test instead of sending
	// traffic. nil means the system resolver and a net.Dialer.
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
}

// allowed reports whether the client may connect to a.
func (g *guard) allowed(a netip.Addr) bool {
	if g.blocked != nil {
		return !g.blocked(a)
	}
	if isMetadataAddr(a) {
		return false
	}
	return g.allowPrivate || !blockedAddr(a)
}

// isMetadataAddr reports whether a is a cloud metadata address.
func isMetadataAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range metadataPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// blockedAddr reports whether a is loopback, private, link-local, multicast,
// unspecified, reserved, a cloud metadata address, or an IPv6 address that
// embeds one of those.
func blockedAddr(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return true
	}
	if isMetadataAddr(a) {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64Prefix.Contains(a), nat64LocalPrefix.Contains(a):
			return blockedAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFourPrefix.Contains(a):
			return blockedAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	return false
}

// control runs after DNS resolution and before connect, on the exact
// address being dialled, so a host that resolves to a public address for a
// check and a private one for the connection (DNS rebinding) cannot slip
// through.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrBlockedAddress)
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !g.allowed(a) {
		return fmt.Errorf("dial %s: %w", address, ErrBlockedAddress)
	}
	return nil
}

// dialContext returns a DialContext that resolves the host once, keeps only
// allowed addresses and connects to one of those addresses itself, so the
// connection is pinned to a checked address (no second lookup that DNS
// rebinding could answer differently). The dialer's Control re-checks the
// address at connect time as a second line. Errors name the requested host.
func (g *guard) dialContext(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{
		Timeout:   timeout,
		KeepAlive: 30 * time.Second,
		Control:   g.control,
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		dial, lookup := g.dial, g.lookup
		if dial == nil {
			dial = d.DialContext
		}
		if lookup == nil {
			lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
				return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			}
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", addr, err)
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else if ips, err = lookup(ctx, host); err != nil {
			return nil, fmt.Errorf("connect to %s: %w", addr, err)
		}
		var lastErr error
		for _, ip := range ips {
			if !g.allowed(ip) {
				continue
			}
			conn, err := dial(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
			if err == nil {
				return conn, nil
			}
			lastErr = err
		}
		if lastErr != nil {
			return nil, fmt.Errorf("connect to %s: %w", addr, lastErr)
		}
		return nil, fmt.Errorf("connect to %s: %s resolves to %v: %w", addr, host, ips, ErrBlockedAddress)
	}
}

// checkURL applies the checks that need no DNS: the scheme, and the address
// when the host is an IP literal. The dialer re-checks every connection.
func (g *guard) checkURL(req *http.Request) error {
	u := req.URL
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q: %w", u.Scheme, ErrBlockedAddress)
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil && !g.allowed(a) {
		return fmt.Errorf("host %s: %w", u.Hostname(), ErrBlockedAddress)
	}
	return nil
}

// checkRedirect limits redirects and, for guarded clients, vets every hop.
func checkRedirect(g *guard) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			// The wording matches net/http's, which retryablehttp treats
			// as permanent.
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to scheme %q: %w", req.URL.Scheme, ErrBlockedAddress)
		}
		if g != nil {
			if err := g.checkURL(req); err != nil {
				return fmt.Errorf("redirect: %w", err)
			}
			return nil
		}
		// Even a trusted URL from the config file must not bounce a
		// request to the cloud metadata service.
		if a, err := netip.ParseAddr(req.URL.Hostname()); err == nil && isMetadataAddr(a.Unmap()) {
			return fmt.Errorf("redirect to host %s: %w", req.URL.Hostname(), ErrBlockedAddress)
		}
		return nil
	}
}

// CheckURL reports, without sending anything, whether the client would
// refuse rawURL: a malformed URL, a scheme other than http and https
// (file:// too, on an unguarded client), and with the guard on an IP
// literal in a blocked range or the name "localhost". It lets a watch
// added from chat be refused when it is added; a name that resolves to a
// blocked address is still refused when dialled.
func (c *Client) CheckURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", Redact(rawURL), err)
	}
	if c.guard == nil {
		if u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file" {
			return fmt.Errorf("scheme %q: %w", u.Scheme, ErrBlockedAddress)
		}
		return nil
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host: %w", Redact(rawURL), ErrBlockedAddress)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if !c.guard.allowPrivate && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
		return fmt.Errorf("host %s: %w", host, ErrBlockedAddress)
	}
	return c.guard.checkURL(&http.Request{URL: u})
}
