package match

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// TestMatchDoesNotWaitForRebuild holds the rebuild lock, as a rebuild in
// progress would, and matches a watch already compiled.
func TestMatchDoesNotWaitForRebuild(t *testing.T) {
	m := New()
	w := &alerts.Watch{Name: "a", Keywords: []string{"cartel"}}
	p := &alerts.Post{Text: "el cártel"}
	if _, ok := m.Match(w, p); !ok {
		t.Fatal("got no match; want one")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.Match(w, p); !ok {
		t.Error("got no match while a rebuild holds the lock; want one")
	}
}

// TestMatchStableWhileOtherWatchesChange matches one watch from several
// goroutines while another goroutine keeps changing other watches; run
// with -race.
func TestMatchStableWhileOtherWatchesChange(t *testing.T) {
	m := New()
	a := &alerts.Watch{Name: "a", Keywords: []string{`"gente nueva"`, "cartel~leet"}}
	hit := &alerts.Post{Text: "la Gente Nueva y el c4rt3l"}
	miss := &alerts.Post{Text: "nada que ver"}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for i := range 200 {
			b := &alerts.Watch{Name: fmt.Sprint("b", i%5), Keywords: []string{fmt.Sprint("plaza", i), "#cjng"}}
			m.Match(b, miss)
		}
	})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				got, ok := m.Match(a, hit)
				if !ok || len(got.Hits) != 2 {
					t.Errorf("got %v, %v; want 2 hits", got.Hits, ok)
					return
				}
				if _, ok := m.Match(a, miss); ok {
					t.Error("got a match on an unrelated post")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestForget(t *testing.T) {
	m := New()
	m.Match(&alerts.Watch{Name: "a", Keywords: []string{"cartel"}}, &alerts.Post{})
	m.Match(&alerts.Watch{Name: "b", Keywords: []string{"plaza"}}, &alerts.Post{})
	m.Forget("a")
	s := m.snap.Load()
	if _, ok := s.watches["a"]; ok || len(s.watches) != 1 || len(s.rules.lits) != 1 {
		t.Errorf("got watches %v and %d literals; want only b with 1", s.watches, len(s.rules.lits))
	}
	if _, ok := m.Match(&alerts.Watch{Name: "b", Keywords: []string{"plaza"}}, &alerts.Post{Text: "la plaza"}); !ok {
		t.Error("got no match for b after forgetting a")
	}
}

// TestHostileInputs are inputs built to be slow or to break offsets; each
// must finish quickly with sane hits.
func TestHostileInputs(t *testing.T) {
	rules := []string{"cartel~leet~stretch~spaced", `"gente nueva"~tag`, "sicari*", "balacera NEAR/5 escuela", "/c[a4]rt[e3]l/"}
	tests := []struct {
		name string
		text string
	}{
		{"1 MB text", strings.Repeat("la gente nueva y el c4rt3l balacera en la escuela ", 1<<20/50)},
		{"1 MB one word", strings.Repeat("a", 1<<20)},
		{"10000 combining marks", "carte" + strings.Repeat("\u0301", 10000) + "l"},
		{"10000 zero width", strings.Repeat("c\u200b", 10000)},
		{"invalid utf-8", strings.Repeat("\xff\xc3cartel\xe2\x80", 10000)},
		{"spaced letters", strings.Repeat("c a ", 100000)},
		{"hashtags", strings.Repeat("#", 100000) + "cjng"},
	}
	m := New()
	w := &alerts.Watch{Name: "w", Keywords: rules}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got, _ := m.Match(w, &alerts.Post{Text: tt.text})
			for _, h := range got.Hits {
				if h.Start < 0 || h.End > len(tt.text) || h.Start >= h.End {
					t.Fatalf("hit %+v out of bounds", h)
				}
			}
			// Generous: the point is linear time, not a benchmark.
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v; want well under 10s", d)
			}
		})
	}
}

func FuzzRule(f *testing.F) {
	for _, s := range []string{
		"cartel", `"gente nueva" -york`, "(a1 OR b2) NEAR/3 c3", `#"gente nueva"~tag`, "sicari*~leet",
		"from:x -y", "lang:es cartel", "/c[a4]rt/~case", "((((x1))))", `"unterminated`, "~leet~case",
		strings.Repeat("(", 100) + "x1" + strings.Repeat(")", 100), strings.Repeat("NOT ", 200) + "x1",
		"a\xffb", "cartel~", "NEAR/3", "-", "*", "#", "@",
	} {
		f.Add(s, "el cartel de la gente nueva #GenteNueva c4rt3l")
	}
	f.Fuzz(func(t *testing.T, rule, text string) {
		var c canonText
		canonicalize(&c, text, 0, true)
		if fast := canonPlain(nil, text); string(fast) != string(c.buf) {
			t.Fatalf("canonPlain(%q) = %q; want %q", text, fast, c.buf)
		}
		if len(c.offs) != len(c.buf)+1 || c.offs[len(c.buf)] != len(text) {
			t.Fatalf("canonical(%q): %d offsets for %d bytes", text, len(c.offs), len(c.buf))
		}
		r, err := Compile([]string{rule})
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Column < 1 || re.Column > utf8.RuneCountInString(rule)+1 {
				t.Fatalf("Compile(%q) error %q has no column within the rule", rule, err)
			}
			return
		}
		ex := r.Explain(&alerts.Post{Text: text, Lang: "es"})
		for _, h := range ex.Hits {
			if h.Start < 0 || h.End > len(text) || h.Start > h.End {
				t.Fatalf("rule %q on %q: hit %+v out of bounds", rule, text, h)
			}
		}
		got, ok := New().Match(&alerts.Watch{Name: "f", Keywords: []string{rule}}, &alerts.Post{Text: text, Lang: "es"})
		if ok != ex.Matched || len(got.Hits) != len(ex.Hits) {
			t.Fatalf("rule %q on %q: Match %v %v; Explain %v %v", rule, text, ok, got.Hits, ex.Matched, ex.Hits)
		}
	})
}
