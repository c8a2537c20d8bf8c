// Package httpx is the one outbound HTTP client every watcher uses. It adds
// bounded retries for idempotent requests (go-retryablehttp), rate-limit
// handling that hands long waits back to the caller, response size limits,
// an optional SSRF guard for user-supplied URLs, and secret redaction in
// every error and log line.
package httpx

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultUserAgent    = "lookout (+https://github.com/lookoutbot/lookout)"
	DefaultTimeout      = 20 * time.Second
	DefaultRetryMax     = 3
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
	DefaultMaxBodyBytes = 5 << 20
)

// drainLimit bounds how much of an unwanted body is read to let the
// connection be reused.
const drainLimit = 64 << 10

// Options configures a Client. Zero values select the defaults.
type Options struct {
	// UserAgent is sent on every request that does not set its own;
	// default DefaultUserAgent.
	UserAgent string
	// Timeout bounds each attempt, including reading the body; default 20s.
	Timeout time.Duration
	// RetryMax is how many times an idempotent request is retried; 0 means
	// the default (3) and any negative value disables retries.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the wait between attempts;
	// defaults 500ms and 30s. A server asking for a longer wait than
	// RetryWaitMax gets a *StatusError with RetryAfter instead.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxBodyBytes limits response bodies; default 5 MiB. Larger bodies
	// yield ErrBodyTooLarge.
	MaxBodyBytes int64
	// AllowPrivate lets a guarded client reach loopback, private,
	// link-local, multicast and unspecified addresses. Cloud metadata
	// addresses stay refused.
	AllowPrivate bool
	// Guard enables the SSRF guard, for user-supplied URLs: http and https
	// only, every dialled address and redirect hop checked, no proxy from
	// the environment, no file:// URLs. Config-defined URLs use Guard=false.
	Guard bool
	// Logger receives per-attempt Debug lines with URLs redacted; nil
	// disables logging.
	Logger *slog.Logger
	// Transport replaces the default, a clone of http.DefaultTransport.
	// With Guard, an *http.Transport is cloned and gets the guarded dialer;
	// any other RoundTripper only gets the URL and redirect checks.
	Transport http.RoundTripper
}

// Client performs outbound HTTP requests for watchers. It is safe for
// concurrent use.
type Client struct {
	userAgent string
	maxBody   int64
	waitMax   time.Duration
	guard     *guard // nil when unguarded
	now       func() time.Time
	retrying  *retryablehttp.Client // idempotent methods
	once      *retryablehttp.Client // everything else
}

// Response is a fully read HTTP response.
type Response struct {
	// Status is the HTTP status code: 2xx or 304.
	Status int
	// Header holds the response headers.
	Header http.Header
	// Body is the whole body, at most Options.MaxBodyBytes; empty for 304.
	Body []byte
	// URL is the final URL after redirects. It is not redacted: pass it
	// through Redact before logging.
	URL string
}

// New returns a Client configured by opts.
func New(opts Options) *Client {
	return newClient(opts, nil)
}

// newClient is New with an optional override of the guard's address policy,
// so tests can treat one loopback address as public.
func newClient(opts Options, blocked func(netip.Addr) bool) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	switch {
	case opts.RetryMax == 0:
		opts.RetryMax = DefaultRetryMax
	case opts.RetryMax < 0:
		opts.RetryMax = 0
	}
	if opts.RetryWaitMin <= 0 {
		opts.RetryWaitMin = DefaultRetryWaitMin
	}
	if opts.RetryWaitMax <= 0 {
		opts.RetryWaitMax = DefaultRetryWaitMax
	}
	opts.RetryWaitMin = min(opts.RetryWaitMin, opts.RetryWaitMax)
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}

	c := &Client{
		userAgent: opts.UserAgent,
		maxBody:   opts.MaxBodyBytes,
		waitMax:   opts.RetryWaitMax,
		now:       time.Now,
	}
	if opts.Guard {
		c.guard = &guard{allowPrivate: opts.AllowPrivate, blocked: blocked}
	}

	hc := &http.Client{
		Transport:     c.transport(opts.Transport, opts.Timeout),
		Timeout:       opts.Timeout,
		CheckRedirect: checkRedirect(c.guard),
	}
	var logger any // a nil interface, not a typed nil, disables library logging
	if opts.Logger != nil {
		logger = leveledLogger{l: opts.Logger}
	}
	c.retrying = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       logger,
		RetryWaitMin: opts.RetryWaitMin,
		RetryWaitMax: opts.RetryWaitMax,
		RetryMax:     opts.RetryMax,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	c.once = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       logger,
		RetryWaitMin: opts.RetryWaitMin,
		RetryWaitMax: opts.RetryWaitMax,
		RetryMax:     0,
		CheckRetry:   noRetry,
		Backoff:      c.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c
}

// transport builds the RoundTripper, installing the guarded dialer and
// dropping environment proxies when the guard is on.
func (c *Client) transport(rt http.RoundTripper, timeout time.Duration) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return rt
	}
	t = t.Clone()
	if c.guard != nil {
		// A proxy would do the DNS lookup and connect itself, bypassing
		// the dialer check.
		t.Proxy = nil
		t.DialContext = c.guard.dialContext(timeout)
		t.DialTLSContext = nil
	}
	return t
}

// Do sends req with ctx, retrying GET, HEAD and OPTIONS on network errors,
// 5xx other than 501, and 429/503 whose requested wait fits in RetryWaitMax.
// Other methods are sent once. It returns the fully read response for 2xx
// and 304, a *StatusError for any other status, ErrBodyTooLarge for an
// oversized body and ErrBlockedAddress for a destination the guard refuses.
// Errors are redacted.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	req = req.Clone(ctx)
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if c.guard != nil {
		if err := c.guard.checkURL(req); err != nil {
			return nil, c.wrap(req, err)
		}
	} else if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, c.wrap(req, fmt.Errorf("unsupported scheme %q", req.URL.Scheme))
	}

	rreq, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, c.wrap(req, fmt.Errorf("read request body: %w", err))
	}
	rc := c.once
	if isIdempotent(req.Method) {
		rc = c.retrying
	}
	resp, err := rc.Do(rreq)
	if err != nil {
		if resp != nil {
			drain(resp.Body)
		}
		return nil, c.wrap(req, err)
	}
	defer drain(resp.Body)

	finalURL := req.URL
	if resp.Request != nil && resp.Request.URL != nil {
		finalURL = resp.Request.URL
	}
	if (resp.StatusCode >= 200 && resp.StatusCode <= 299) || resp.StatusCode == http.StatusNotModified {
		body, err := readLimited(resp.Body, c.maxBody)
		if err != nil {
			return nil, &redactedError{fmt.Errorf("%s %s: %w", req.Method, finalURL, err)}
		}
		return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body, URL: finalURL.String()}, nil
	}

	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	se := &StatusError{
		Method: req.Method,
		Status: resp.StatusCode,
		URL:    Redact(finalURL.String()),
		Body:   sanitizeBody(snippet),
	}
	if d, ok := c.serverWait(resp); ok {
		se.RetryAfter = d
	}
	return nil, se
}

// Get fetches rawURL with the given extra headers (nil is fine). Unguarded
// clients also read file:// URLs, with the same size limit, so config-defined
// feeds work offline: "file://examples/x.xml" is the path examples/x.xml
// relative to the working directory and "file:///abs/x.xml" is absolute.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	if path, ok := filePath(rawURL); ok {
		if c.guard != nil {
			return nil, &redactedError{fmt.Errorf("GET %s: scheme \"file\": %w", rawURL, ErrBlockedAddress)}
		}
		return c.readFile(ctx, rawURL, path)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &redactedError{fmt.Errorf("GET %s: %w", rawURL, sanitizeURLError(err))}
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return c.Do(ctx, req)
}

// filePath returns the path named by a file:// URL.
func filePath(rawURL string) (string, bool) {
	const prefix = "file://"
	if len(rawURL) < len(prefix) || !strings.EqualFold(rawURL[:len(prefix)], prefix) {
		return "", false
	}
	p := rawURL[len(prefix):]
	if dec, err := url.PathUnescape(p); err == nil {
		p = dec
	}
	return p, true
}

// readFile serves a file:// URL as a 200 response.
func (c *Client) readFile(ctx context.Context, rawURL, path string) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, &redactedError{fmt.Errorf("GET %s: %w", rawURL, err)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &redactedError{fmt.Errorf("GET %s: %w", rawURL, err)}
	}
	defer f.Close()
	body, err := readLimited(f, c.maxBody)
	if err != nil {
		return nil, &redactedError{fmt.Errorf("GET %s: %w", rawURL, err)}
	}
	return &Response{Status: http.StatusOK, Header: http.Header{}, Body: body, URL: rawURL}, nil
}

// readLimited reads all of r, failing with ErrBodyTooLarge past limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w (limit %d bytes)", ErrBodyTooLarge, limit)
	}
	return body, nil
}

// wrap turns a transport error into a redacted one. A *url.Error already
// names the method and URL, so it is kept (with its URL redacted) for
// errors.As and its Timeout method.
func (c *Client) wrap(req *http.Request, err error) error {
	if _, ok := err.(*url.Error); ok {
		return &redactedError{sanitizeURLError(err)}
	}
	return &redactedError{fmt.Errorf("%s %s: %w", req.Method, req.URL, err)}
}

// sanitizeURLError returns a copy of a top-level *url.Error with its URL
// redacted, so that even callers using errors.As never see the secret.
func sanitizeURLError(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	clean := *ue
	clean.URL = Redact(ue.URL)
	return &clean
}

// drain discards a bounded amount of body so the connection can be reused,
// then closes it.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, drainLimit))
	_ = body.Close()
}
