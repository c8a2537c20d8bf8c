package x

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// cycle counts the requests of one steady-state poll of a watch of n
// accounts, each with one new post, after a first poll that resolved the
// usernames and set the baseline.
func cycle(tb testing.TB, n int, perAccount bool) (first, steady int) {
	tb.Helper()
	f := newFakeX(tb)
	f.limit = 1 << 30 // measure requests, not rate limits
	var accounts []string
	for i := range n {
		// 19-digit ids, as for accounts made since 2022: the longest.
		id := strconv.Itoa(1500000000000000000 + i*7919)
		name := fmt.Sprintf("acct_%d", i)
		f.addUser(id, name)
		accounts = append(accounts, name)
	}
	w := f.watcher(Options{PerAccount: perAccount})
	watch := accountsWatch(accounts...)
	res, err := w.Poll(context.Background(), watch, "")
	if err != nil {
		tb.Fatal(err)
	}
	first = f.total()
	for i := range n {
		f.post(strconv.Itoa(1500000000000000000+i*7919), "new", time.Duration(i)*time.Millisecond)
	}
	f.resetCounts()
	res, err = w.Poll(context.Background(), watch, res.Cursor)
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Posts) != n {
		tb.Fatalf("steady poll got %d posts; want %d", len(res.Posts), n)
	}
	return first, f.total()
}

// TestRequestsPerCycle is the figure for docs/performance.md:
//
//	go test ./watchers/x -run TestRequestsPerCycle -v
func TestRequestsPerCycle(t *testing.T) {
	const n = 1000
	bFirst, batched := cycle(t, n, false)
	pFirst, perAccount := cycle(t, n, true)
	t.Logf("%d accounts: batched search %d requests per poll (first poll %d incl. %d user lookups); one timeline per account %d requests per poll (first poll %d)",
		n, batched, bFirst, n/maxUsernames, perAccount, pFirst)
	if perAccount != n {
		t.Errorf("per-account poll = %d requests; want %d", perAccount, n)
	}
	if batched > n/17 {
		t.Errorf("batched poll = %d requests; want at most %d (≥17 accounts per 512-character query)", batched, n/17)
	}
}

// BenchmarkPollBatched and BenchmarkPollPerAccount report requests per
// steady-state poll of 1,000 accounts:
//
//	go test ./watchers/x -run '^$' -bench Poll -benchtime 3x
func BenchmarkPollBatched(b *testing.B)    { benchPoll(b, false) }
func BenchmarkPollPerAccount(b *testing.B) { benchPoll(b, true) }

func benchPoll(b *testing.B, perAccount bool) {
	var reqs int
	for b.Loop() {
		_, reqs = cycle(b, 1000, perAccount)
	}
	b.ReportMetric(float64(reqs), "requests/poll")
}
