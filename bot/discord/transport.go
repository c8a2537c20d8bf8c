package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
)

// Rate-limit facts: https://discord.com/developers/docs/topics/rate-limits.
const (
	// defaultRateWait is the wait assumed for a 429 that says nothing
	// usable, such as Cloudflare's HTML page.
	defaultRateWait = 30 * time.Second
	// maxRateWait caps any wait a response asks for.
	maxRateWait = time.Hour
	// maxErrorBody bounds how much of a 429 body is read.
	maxErrorBody = 64 << 10
)

// ErrRateLimited is what a *alerts.RetryAfterError from this package
// wraps: Discord (or Cloudflare in front of it) refused the request for a
// while.
var ErrRateLimited = errors.New("rate limited")

// transport sends discordgo's REST requests to the configured API URL and
// does the rate limiting discordgo would otherwise do with unbounded,
// context-blind sleeps: it waits for an exhausted bucket only up to
// maxWait, hands longer waits back as *alerts.RetryAfterError, turns
// every 429 (JSON or not, per route or global) into one, and strips the
// rate-limit headers so discordgo's own limiter never sleeps.
type transport struct {
	base    http.RoundTripper
	api     string // the configured API URL, ending in "/"
	from    string // discordgo's API URL, ending in "/"
	now     func() time.Time
	maxWait time.Duration

	mu      sync.Mutex
	global  time.Time
	buckets map[string]time.Time
}

func newTransport(base http.RoundTripper, api string, now func() time.Time, maxWait time.Duration) *transport {
	return &transport{
		base: base, api: api, from: discordgo.EndpointAPI, now: now, maxWait: maxWait,
		buckets: make(map[string]time.Time),
	}
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(req.URL.String(), t.from)
	if !ok {
		// The gateway lookup and REST calls all start with the API URL;
		// anything else (a CDN fetch) is not ours to send.
		return nil, fmt.Errorf("discord: refusing a request outside the API (%s)", httpx.Redact(req.URL.Redacted()))
	}
	target, err := url.Parse(t.api + rest)
	if err != nil {
		return nil, fmt.Errorf("discord: rewrite url: %w", err)
	}
	out := req.Clone(req.Context())
	out.URL, out.Host = target, target.Host

	key := req.Method + " " + bucketKey(target.Path)
	// Interaction responses are not bound by the global limit.
	exempt := isInteraction(target.Path)
	if err := t.wait(req, key, exempt); err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return nil, t.limited(resp, key)
	}
	t.observe(resp.Header, key)
	stripRateHeaders(resp.Header)
	return resp, nil
}

// wait blocks until the request's bucket and the global limit allow it,
// or returns a RetryAfterError when that would take longer than maxWait.
func (t *transport) wait(req *http.Request, key string, exempt bool) error {
	t.mu.Lock()
	until := t.buckets[key]
	if !exempt && t.global.After(until) {
		until = t.global
	}
	t.mu.Unlock()
	d := until.Sub(t.now())
	if d <= 0 {
		return nil
	}
	if d > t.maxWait || exempt {
		return &alerts.RetryAfterError{After: d, Err: fmt.Errorf("discord: %w until %s", ErrRateLimited, until.UTC().Format(time.RFC3339))}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-req.Context().Done():
		return req.Context().Err()
	}
}

// rateBody is the JSON body of a 429.
type rateBody struct {
	RetryAfter *float64 `json:"retry_after"`
	Global     bool     `json:"global"`
	Message    string   `json:"message"`
}

// limited records a 429 and returns the error that carries its wait. The
// wait comes from the JSON body's retry_after, else Retry-After, else
// X-RateLimit-Reset-After, else a default for bodies that say nothing
// (Cloudflare's HTML ban page).
func (t *transport) limited(resp *http.Response, key string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	var rb rateBody
	jsonBody := json.Unmarshal(bytes.TrimSpace(body), &rb) == nil
	wait, found := time.Duration(0), false
	if jsonBody && rb.RetryAfter != nil {
		wait, found = seconds(*rb.RetryAfter), true
	}
	if !found {
		wait, found = httpx.RetryAfter(resp.Header, t.now())
	}
	if !found {
		if v, err := strconv.ParseFloat(resp.Header.Get("X-RateLimit-Reset-After"), 64); err == nil {
			wait, found = seconds(v), true
		}
	}
	if !found {
		wait = defaultRateWait
	}
	wait = min(max(wait, 0), maxRateWait)
	global := rb.Global || strings.EqualFold(resp.Header.Get("X-RateLimit-Global"), "true")
	scope := resp.Header.Get("X-RateLimit-Scope")
	until := t.now().Add(wait)
	t.mu.Lock()
	if global {
		t.global = until
	} else {
		t.buckets[key] = until
	}
	t.mu.Unlock()
	what := "route"
	switch {
	case global:
		what = "global"
	case scope == "shared":
		what = "shared"
	case !jsonBody:
		what = "non-JSON"
	}
	return &alerts.RetryAfterError{After: wait, Err: fmt.Errorf("discord: %w (%s 429)", ErrRateLimited, what)}
}

// observe remembers an exhausted bucket so the next request waits for it.
func (t *transport) observe(h http.Header, key string) {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	v, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	if err != nil {
		return
	}
	t.mu.Lock()
	t.buckets[key] = t.now().Add(min(seconds(v), maxRateWait))
	t.mu.Unlock()
}

func stripRateHeaders(h http.Header) {
	for k := range h {
		if strings.HasPrefix(k, "X-Ratelimit-") || k == "Retry-After" {
			delete(h, k)
		}
	}
}

func seconds(v float64) time.Duration {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	if v > maxRateWait.Seconds() {
		return maxRateWait
	}
	return time.Duration(v * float64(time.Second))
}

// bucketKey groups paths the way Discord's buckets do, closely enough: by
// route with its major parameter (channel, guild, webhook or interaction)
// kept and every other id replaced.
func bucketKey(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range parts {
		if i == 0 || !isSnowflake(p) {
			continue
		}
		switch parts[i-1] {
		case "channels", "guilds", "webhooks", "interactions":
			continue
		}
		parts[i] = "{id}"
	}
	return strings.Join(parts, "/")
}

// isInteraction reports interaction callbacks and the webhook calls made
// with an interaction token (edits of @original, follow-ups).
func isInteraction(path string) bool {
	return strings.Contains(path, "/interactions/") || strings.Contains(path, "/webhooks/")
}
