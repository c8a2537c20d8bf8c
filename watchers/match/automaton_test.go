package match

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

type occurrence struct {
	end int
	id  int32
}

// naiveScan finds every occurrence of every pattern, separators being
// interchangeable, by trying each pattern at each offset.
func naiveScan(pats [][]byte, text []byte) []occurrence {
	var out []occurrence
	for end := 1; end <= len(text); end++ {
		for id, p := range pats {
			if len(p) <= end && bytes.Equal(canonBytes(text[end-len(p):end]), canonBytes(p)) {
				out = append(out, occurrence{end, int32(id)})
			}
		}
	}
	return out
}

func canonBytes(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = canonByte(c)
	}
	return out
}

func sortOcc(o []occurrence) {
	slices.SortFunc(o, func(a, b occurrence) int {
		if a.end != b.end {
			return a.end - b.end
		}
		return int(a.id - b.id)
	})
}

func TestAutomatonMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("ab #@\xc3\xa9")
	for range 500 {
		pats := make([][]byte, 1+rng.IntN(12))
		for i := range pats {
			pats[i] = make([]byte, 1+rng.IntN(5))
			for j := range pats[i] {
				pats[i][j] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		text := make([]byte, rng.IntN(60))
		for i := range text {
			text[i] = alphabet[rng.IntN(len(alphabet))] ^ byte(rng.IntN(2)*0x40*(rng.IntN(8)/7))
		}
		a := newAutomaton(pats)
		var got []occurrence
		a.scan(text, func(end int, id int32) bool {
			got = append(got, occurrence{end, id})
			return true
		})
		want := naiveScan(pats, text)
		sortOcc(got)
		sortOcc(want)
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q on %q:\n got %v\nwant %v", pats, text, got, want)
		}
	}
}

func TestAutomatonOverlapsAndDuplicates(t *testing.T) {
	pats := [][]byte{[]byte(" gente nueva "), []byte(" nueva "), []byte(" ja ja "), []byte(" ja ja ")}
	a := newAutomaton(pats)
	var got []occurrence
	a.scan([]byte(" la gente nueva ja ja ja "), func(end int, id int32) bool {
		got = append(got, occurrence{end, id})
		return true
	})
	want := []occurrence{{16, 0}, {16, 1}, {22, 2}, {22, 3}, {25, 2}, {25, 3}}
	sortOcc(got)
	if !slices.Equal(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}

// TestAutomatonConcurrent scans with one automaton from many goroutines;
// run with -race.
func TestAutomatonConcurrent(t *testing.T) {
	pats := [][]byte{[]byte(" cartel "), []byte(" plaza "), []byte("#cjng ")}
	a := newAutomaton(pats)
	text := []byte(" el cartel toma la plaza#cjng ")
	want := naiveScan(pats, text)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 500 {
				var got []occurrence
				a.scan(text, func(end int, id int32) bool {
					got = append(got, occurrence{end, id})
					return true
				})
				if !slices.Equal(got, want) {
					t.Errorf("got %v; want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
