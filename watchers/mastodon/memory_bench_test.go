package mastodon

import (
	"fmt"
	"runtime"
	"testing"
)

// fillCursor returns a cursor for n watched accounts on remote instances,
// with values as long as real ones.
func fillCursor(n int) *cursor {
	c := &cursor{Accounts: make(map[string]*accountState, n), Tags: map[string]*tagState{}}
	for i := range n {
		acct := fmt.Sprintf("username%05d@instance%03d.example", i, i%500)
		c.Accounts[acct] = &accountState{
			ID:    fmt.Sprintf("1093485712345%05d", i),
			URI:   fmt.Sprintf("https://instance%03d.example/users/username%05d", i%500, i),
			Acct:  acct,
			MinID: fmt.Sprintf("1134567890123%05d", i),
		}
	}
	return c
}

// BenchmarkAccounts measures what watching n accounts costs between and
// during polls: the stored cursor's size, the heap the watcher's lookup
// cache holds, and the time to decode and re-encode the cursor, which each
// poll does once. accounts=1 is the baseline.
//
//	go test -run '^$' -bench BenchmarkAccounts -benchmem ./watchers/mastodon/
func BenchmarkAccounts(b *testing.B) {
	for _, n := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			raw := fillCursor(n).String()

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			w := &Watcher{resolved: make(map[string]accountState)}
			for k, v := range parseCursor(raw).Accounts {
				st := *v
				st.MinID = ""
				w.resolved[k] = st
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			cacheBytes := float64(after.HeapAlloc) - float64(before.HeapAlloc)
			runtime.KeepAlive(w)

			b.ResetTimer()
			for b.Loop() {
				_ = parseCursor(raw).String()
			}
			b.ReportMetric(float64(len(raw)), "cursor-bytes")
			b.ReportMetric(cacheBytes, "cache-heap-bytes")
		})
	}
}
