package bluesky

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/httpx"
)

// t0 is the fake platform's first post time.
var t0 = time.Date(2026, time.November, 2, 10, 0, 0, 0, time.UTC)

// fakePost is one post on the fake AppView.
type fakePost struct {
	did, handle, rkey, text string
	at                      time.Time
	extra                   map[string]any // merged into the feed item (reason, embed…)
}

func (p fakePost) uri() string { return postURI(p.did, p.rkey) }

// reply is a canned response that overrides the next call of a route.
type reply struct {
	status int
	header http.Header
	body   string
}

// fakeXRPC is an AppView speaking the XRPC wire format: /xrpc/<nsid>
// routes, newest-first author feeds with an opaque cursor, RateLimit-*
// headers on every answer, 403 for anonymous searchPosts, XRPC error
// bodies.
type fakeXRPC struct {
	t       testing.TB
	mu      sync.Mutex
	handles map[string]string     // handle → DID
	posts   map[string][]fakePost // DID → posts, oldest first
	queued  map[string][]reply    // nsid → canned replies
	calls   map[string]int
	srv     *httptest.Server
}

func newFakeXRPC(t testing.TB) *fakeXRPC {
	f := &fakeXRPC{t: t, handles: map[string]string{}, posts: map[string][]fakePost{}, queued: map[string][]reply{}, calls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeXRPC) account(handle, did string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handles[handle] = did
}

// post publishes n posts by did, one minute apart after the last.
func (f *fakeXRPC) post(did string, n int, text string) []fakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakePost
	for range n {
		ps := f.posts[did]
		at := t0
		if len(ps) > 0 {
			at = ps[len(ps)-1].at.Add(time.Minute)
		}
		p := fakePost{did: did, handle: f.handleOf(did), rkey: fmt.Sprintf("3k%04d", len(ps)), text: fmt.Sprintf("%s %d", text, len(ps)), at: at}
		f.posts[did] = append(ps, p)
		out = append(out, p)
	}
	return out
}

func (f *fakeXRPC) add(p fakePost) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts[p.did] = append(f.posts[p.did], p)
}

func (f *fakeXRPC) handleOf(did string) string {
	for h, d := range f.handles {
		if d == did {
			return h
		}
	}
	return ""
}

func (f *fakeXRPC) rename(did, handle string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.handles, f.handleOf(did))
	f.handles[handle] = did
}

func (f *fakeXRPC) queue(nsid string, r reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queued[nsid] = append(f.queued[nsid], r)
}

func (f *fakeXRPC) count(nsid string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[nsid]
}

func xrpcErr(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}

func (f *fakeXRPC) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	f.calls[nsid]++
	h := w.Header()
	h.Set("RateLimit-Limit", "3000")
	h.Set("RateLimit-Remaining", strconv.Itoa(3000-f.calls[nsid]))
	h.Set("RateLimit-Reset", strconv.FormatInt(t0.Add(5*time.Minute).Unix(), 10))
	h.Set("RateLimit-Policy", "3000;w=300")
	if q := f.queued[nsid]; len(q) > 0 {
		f.queued[nsid] = q[1:]
		for k, vs := range q[0].header {
			h[k] = vs
		}
		w.WriteHeader(q[0].status)
		_, _ = w.Write([]byte(q[0].body))
		return
	}
	q := r.URL.Query()
	switch nsid {
	case "com.atproto.identity.resolveHandle":
		did, ok := f.handles[q.Get("handle")]
		if !ok {
			xrpcErr(w, 400, "InvalidRequest", "Unable to resolve handle")
			return
		}
		writeJSON(w, map[string]string{"did": did})
	case "app.bsky.actor.getProfile":
		hd := f.handleOf(q.Get("actor"))
		if hd == "" {
			xrpcErr(w, 400, "InvalidRequest", "Profile not found")
			return
		}
		writeJSON(w, map[string]string{"did": q.Get("actor"), "handle": hd})
	case "app.bsky.feed.searchPosts":
		if r.Header.Get("Authorization") == "" {
			xrpcErr(w, 403, "Forbidden", "Forbidden")
			return
		}
		writeJSON(w, map[string]any{"posts": []any{}})
	case "app.bsky.feed.getAuthorFeed":
		f.authorFeed(w, q)
	default:
		xrpcErr(w, 501, "MethodNotImplemented", "Method Not Implemented")
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// authorFeed pages newest first; the cursor is opaque (base64 offset).
func (f *fakeXRPC) authorFeed(w http.ResponseWriter, q map[string][]string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if get("filter") != "posts_with_replies" {
		f.t.Errorf("getAuthorFeed filter = %q; want posts_with_replies", get("filter"))
	}
	actor := get("actor")
	if !strings.HasPrefix(actor, "did:") {
		f.t.Errorf("getAuthorFeed actor = %q; want a DID", actor)
	}
	limit, _ := strconv.Atoi(get("limit"))
	if limit < 1 || limit > 100 {
		xrpcErr(w, 400, "InvalidRequest", "limit out of range")
		return
	}
	off := 0
	if c := get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			xrpcErr(w, 400, "InvalidRequest", "bad cursor")
			return
		}
		off, _ = strconv.Atoi(string(b))
	}
	ps := f.posts[actor]
	var items []any
	for i := len(ps) - 1 - off; i >= 0 && len(items) < limit; i-- {
		items = append(items, f.item(ps[i]))
	}
	out := map[string]any{"feed": items}
	if next := off + len(items); next < len(ps) && len(items) > 0 {
		out["cursor"] = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(next)))
	}
	writeJSON(w, out)
}

func (f *fakeXRPC) item(p fakePost) map[string]any {
	ts := p.at.Format("2006-01-02T15:04:05.000Z")
	post := map[string]any{
		"uri": p.uri(), "cid": "bafy" + p.rkey,
		"author":    map[string]any{"did": p.did, "handle": f.handleOf(p.did), "displayName": "D"},
		"record":    map[string]any{"$type": "app.bsky.feed.post", "text": p.text, "createdAt": ts, "langs": []string{"es"}},
		"indexedAt": ts, "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
	}
	item := map[string]any{"post": post}
	for k, v := range p.extra {
		switch k {
		case "reason":
			item["reason"] = v
		case "embed":
			post["embed"] = v
		default:
			post["record"].(map[string]any)[k] = v
		}
	}
	return item
}

// testClient is an httpx client with no retries, so each fault is seen.
func testClient() *httpx.Client {
	return httpx.New(httpx.Options{RetryMax: -1, MaxBodyBytes: 1 << 20})
}

// recordingBudget records what the watcher tells its budget.
type recordingBudget struct {
	mu      sync.Mutex
	waits   int
	updates []http.Header
}

func (b *recordingBudget) Wait(_ context.Context, reserve int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.waits++
	return nil
}

func (b *recordingBudget) Update(h http.Header) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.updates = append(b.updates, h.Clone())
}
