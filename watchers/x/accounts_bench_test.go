package x

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
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

// BenchmarkAccounts measures what watching n accounts costs between and
// during polls, after a first poll that resolved every username through
// the fake's /2/users/by (100 per request) and read each search batch: the
// stored cursor's size, the heap of the watcher's username cache, and the
// time to decode and re-encode the cursor, which each poll does once.
// accounts=1 is the baseline.
//
//	go test -run '^$' -bench BenchmarkAccounts -benchmem ./watchers/x/
func BenchmarkAccounts(b *testing.B) {
	for _, n := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			f := newFakeX(b)
			f.limit = 1 << 30 // measure memory, not rate limits
			accounts := make([]string, n)
			for i := range n {
				// 19-digit ids (accounts made since 2022, the longest) and
				// 13-character usernames (X allows 15).
				accounts[i] = fmt.Sprintf("account_%05d", i)
				f.addUser(strconv.Itoa(1500000000000000000+i*7919), accounts[i])
			}
			w := f.watcher(Options{})
			res, err := w.Poll(context.Background(), accountsWatch(accounts...), "")
			if err != nil {
				b.Fatal(err)
			}
			raw := res.Cursor
			res = nil
			if c, err := decodeCursor(raw); err != nil || len(c.Users) != n || len(c.Names) != n {
				b.Fatalf("cursor after first poll: %v; want %d users and names", err, n)
			}
			if got := f.count("/2/users/by"); got != (n+maxUsernames-1)/maxUsernames {
				b.Fatalf("user lookups = %d; want %d (%d per request)", got, (n+maxUsernames-1)/maxUsernames, maxUsernames)
			}
			if len(w.users) != n {
				b.Fatalf("cached users = %d; want %d", len(w.users), n)
			}
			// Drop the cache and see what the heap gives back; the fake,
			// the watcher and the cursor stay alive across both readings.
			base := liveHeap()
			w.mu.Lock()
			w.users = make(map[string]user)
			w.mu.Unlock()
			cacheBytes := base - liveHeap()
			runtime.KeepAlive(w)
			runtime.KeepAlive(f)

			for b.Loop() {
				c, err := decodeCursor(raw)
				if err != nil {
					b.Fatal(err)
				}
				_ = c.encode()
			}
			b.ReportMetric(float64(len(raw)), "cursor-bytes")
			b.ReportMetric(cacheBytes, "cache-heap-bytes")
		})
	}
}
