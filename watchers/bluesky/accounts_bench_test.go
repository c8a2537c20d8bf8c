package bluesky

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

// liveHeap is the live heap after a full collection. Two cycles, because
// sync.Pool contents (JSON and HTTP buffers) survive the first one.
func liveHeap() float64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

// BenchmarkAccounts measures what watching n accounts costs, after a first
// poll that resolved every handle through the fake's resolveHandle and read
// each account's feed (one post each, so the cursor holds a last post as it
// does in steady state): the stored cursor's size, the heap of the
// watcher's handle ↔ DID caches, the heap the Jetstream stream holds for
// the same accounts (its plan: DID → watches and the wantedDids chunks;
// and the watch's cursor, which the stream keeps parsed), and the time to
// decode and re-encode the cursor, which each poll does once. The
// stream's fixed heap, whatever the accounts, is reported too. accounts=1
// is the baseline.
//
//	go test -run '^$' -bench BenchmarkAccounts -benchmem ./watchers/bluesky/
func BenchmarkAccounts(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			f := newFakeXRPC(b)
			accounts := make([]string, n)
			for i := range n {
				// Real lengths: a 24-character handle, a did:plc (32
				// characters) and a 13-character record key (a TID).
				h := fmt.Sprintf("account%05d.bsky.social", i)
				did := fmt.Sprintf("did:plc:bench%019d", i)
				f.account(h, did)
				f.add(fakePost{did: did, handle: h, rkey: fmt.Sprintf("3l%011d", i), text: "hola", at: t0})
				accounts[i] = h
			}
			w := New(testClient(), nil, Options{BaseURL: f.srv.URL})
			watch := accountWatch(accounts...)
			res, err := w.Poll(ctx, watch, "")
			if err != nil {
				b.Fatal(err)
			}
			raw := res.Cursor
			res = nil
			if c := parseCursor(raw); len(c.Accounts) != n || c.Accounts[accounts[0]].Last == "" {
				b.Fatalf("cursor after first poll holds %d accounts (first %+v); want %d with their last post", len(c.Accounts), c.Accounts[accounts[0]], n)
			}
			if got := f.count("com.atproto.identity.resolveHandle"); got != n {
				b.Fatalf("resolveHandle calls = %d; want %d", got, n)
			}

			// The stream, as `lookout run` builds it when a Jetstream URL
			// is configured. makePlan resolves from the cache: no request.
			// Its fixed cost (mostly the ring of recent post URIs) does
			// not depend on the accounts.
			base := liveHeap()
			s := NewStream(w, StreamOptions{URL: "ws://127.0.0.1:1/subscribe"})
			streamBytes := liveHeap() - base
			deps := &Deps{Watches: &staticWatches{ws: []*alerts.Watch{watch}}}
			base = liveHeap()
			p, err := s.makePlan(ctx, deps)
			if err != nil {
				b.Fatal(err)
			}
			planBytes := liveHeap() - base
			if len(p.dids) != n || len(p.chunks) != (n+MaxWantedDids-1)/MaxWantedDids {
				b.Fatalf("plan has %d DIDs in %d chunks; want %d in %d", len(p.dids), len(p.chunks), n, (n+MaxWantedDids-1)/MaxWantedDids)
			}
			base = liveHeap()
			held := parseCursor(raw)
			streamCursorBytes := liveHeap() - base

			// The caches last: drop them and see what the heap gives back.
			base = liveHeap()
			w.dir.mu.Lock()
			w.dir.dids, w.dir.handles = make(map[string]string), make(map[string]string)
			w.dir.mu.Unlock()
			cacheBytes := base - liveHeap()
			// Everything but the caches stays alive across the readings.
			runtime.KeepAlive(p)
			runtime.KeepAlive(held)
			runtime.KeepAlive(s)
			runtime.KeepAlive(w)
			runtime.KeepAlive(f)
			if got := f.count("com.atproto.identity.resolveHandle"); got != n {
				b.Fatalf("resolveHandle calls after makePlan = %d; want %d (cached)", got, n)
			}

			for b.Loop() {
				_ = parseCursor(raw).String()
			}
			b.ReportMetric(float64(len(raw)), "cursor-bytes")
			b.ReportMetric(cacheBytes, "cache-heap-bytes")
			b.ReportMetric(planBytes, "plan-heap-bytes")
			b.ReportMetric(streamCursorBytes, "stream-cursor-heap-bytes")
			b.ReportMetric(streamBytes, "stream-fixed-heap-bytes")
		})
	}
}
