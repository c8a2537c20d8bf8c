// Package match decides whether a post satisfies a watch. Keywords are
// rules in a small boolean language (docs/rules.md): words, phrases,
// hashtags, mentions, prefixes, NEAR, from:, lang: and regexes, matched as
// whole words over text folded for case, accents, fullwidth, mathematical
// and look-alike letters and invisible characters, with opt-in leetspeak,
// elongation and spaced-letter folds. Every literal of every watch lives
// in one automaton per fold combination; boolean logic runs only for the
// rules whose literals occur.
package match

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lookoutbot/lookout/alerts"
)

// Matcher implements alerts.Matcher. It compiles the keywords of every
// watch it has seen into one Rules and swaps in a rebuilt one atomically
// when a watch's keywords change, so matching never waits for a rebuild.
// The zero value is not usable; call New.
type Matcher struct {
	mu   sync.Mutex // serialises rebuilds
	snap atomic.Pointer[snapshot]
}

// snapshot is one immutable generation of compiled watches.
type snapshot struct {
	rules   *Rules
	watches map[string]*compiled
}

// compiled is one watch's keyword list and its group in the Rules.
type compiled struct {
	keywords []string
	group    int
	// seen is the first element of the last caller slice found equal to
	// keywords, so the posts of one poll compare a long list only once.
	seen atomic.Pointer[string]
}

// shortList is the longest keyword list compared in full on every match;
// a longer one is compared in full only when the caller passes a slice it
// has not seen, so editing a long list in place, instead of assigning a
// new slice, goes unnoticed.
const shortList = 32

// same reports whether keywords are the list c was compiled from.
func (c *compiled) same(keywords []string) bool {
	if len(keywords) != len(c.keywords) {
		return false
	}
	if len(keywords) > shortList && c.seen.Load() == &keywords[0] {
		return true
	}
	if !slices.Equal(c.keywords, keywords) {
		return false
	}
	if len(keywords) > shortList {
		c.seen.Store(&keywords[0])
	}
	return true
}

var _ alerts.Matcher = (*Matcher)(nil)

// New returns a Matcher that knows no watch yet.
func New() *Matcher {
	m := &Matcher{}
	r, _ := compileGroups(nil)
	m.snap.Store(&snapshot{rules: r, watches: map[string]*compiled{}})
	return m
}

// Match reports whether p satisfies w, and which terms hit where in
// p.MatchText. A watch without keywords matches every post from its
// accounts, with no hits. Keywords that do not compile are ignored here;
// config checks report them through Compile.
func (m *Matcher) Match(w *alerts.Watch, p *alerts.Post) (alerts.Match, bool) {
	if !fromAccounts(w.Accounts, p) {
		return alerts.Match{}, false
	}
	if len(w.Keywords) == 0 {
		return alerts.Match{}, true
	}
	s := m.snap.Load()
	c, ok := s.watches[w.Name]
	if !ok || !c.same(w.Keywords) {
		s, c = m.rebuild(w.Name, w.Keywords)
	}
	return s.rules.match(c.group, p)
}

// rebuild compiles a new generation in which watch name has keywords,
// stores it, and returns it. Concurrent matches keep using the generation
// they loaded.
func (m *Matcher) rebuild(name string, keywords []string) (*snapshot, *compiled) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.snap.Load()
	if c, ok := old.watches[name]; ok && c.same(keywords) {
		return old, c
	}
	names := make([]string, 0, len(old.watches)+1)
	for n := range old.watches {
		if n != name {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	names = append(names, name)
	lists := make([][]string, len(names))
	s := &snapshot{watches: make(map[string]*compiled, len(names))}
	for i, n := range names {
		kws := keywords
		if n != name {
			kws = old.watches[n].keywords
		}
		// The watch's slice may be edited later; keep a copy to compare with.
		kws = slices.Clone(kws)
		lists[i] = kws
		s.watches[n] = &compiled{keywords: kws, group: i}
	}
	s.rules, _ = compileGroups(lists)
	m.snap.Store(s)
	return s, s.watches[name]
}

// Forget drops watches that no longer exist from the next generation, so
// their literals stop costing anything. Matching never needs it for
// correctness.
func (m *Matcher) Forget(names ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.snap.Load()
	s := &snapshot{watches: map[string]*compiled{}}
	var keep []string
	for n := range old.watches {
		if !slices.Contains(names, n) {
			keep = append(keep, n)
		}
	}
	slices.Sort(keep)
	lists := make([][]string, len(keep))
	for i, n := range keep {
		lists[i] = old.watches[n].keywords
		s.watches[n] = &compiled{keywords: lists[i], group: i}
	}
	s.rules, _ = compileGroups(lists)
	m.snap.Store(s)
}

// Find returns the hits of the first keyword list of r in text, as Match
// would for a post with that text and no author or language.
func (r *Rules) Find(text string) []alerts.Hit {
	if len(r.groups) == 0 {
		return nil
	}
	got, _ := r.match(0, &alerts.Post{Text: text})
	return got.Hits
}

// fromAccounts reports whether p passes a watch's account filter. A post
// fetched for a watched account (p.Account set) passes; a post found by
// search or stream passes only if its author is one of the accounts.
func fromAccounts(accounts []string, p *alerts.Post) bool {
	if len(accounts) == 0 || p.Account != "" {
		return true
	}
	id := strings.TrimPrefix(p.AuthorID, "@")
	handle := strings.TrimPrefix(p.Handle, "@")
	for _, a := range accounts {
		a = strings.TrimPrefix(strings.TrimSpace(a), "@")
		if a == "" {
			continue
		}
		if strings.EqualFold(a, id) || strings.EqualFold(a, handle) {
			return true
		}
	}
	return false
}
