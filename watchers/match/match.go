// Package match decides whether a post satisfies a watch: whole-word
// keyword and phrase matching over folded text (case, accents, fullwidth
// and look-alike letters, invisible characters), plus the watch's account
// filter for posts found by search.
package match

import (
	"slices"
	"strings"
	"sync"

	"github.com/lookoutbot/lookout/alerts"
)

// Matcher implements alerts.Matcher. It compiles each watch's keywords once
// and recompiles them when the list changes. The zero value is not usable;
// call New.
type Matcher struct {
	mu    sync.RWMutex
	cache map[string]compiled // by watch name
}

type compiled struct {
	keywords []string
	rules    *Rules
}

var _ alerts.Matcher = (*Matcher)(nil)

// New returns a Matcher with an empty cache.
func New() *Matcher {
	return &Matcher{cache: make(map[string]compiled)}
}

// Match reports whether p satisfies w, and which keywords hit where in
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
	hits := m.rules(w).Find(p.MatchText())
	if len(hits) == 0 {
		return alerts.Match{}, false
	}
	return alerts.Match{Hits: hits}, true
}

// rules returns the compiled keywords of w, compiling them on first use and
// whenever they differ from the cached list.
func (m *Matcher) rules(w *alerts.Watch) *Rules {
	m.mu.RLock()
	c, ok := m.cache[w.Name]
	m.mu.RUnlock()
	if ok && slices.Equal(c.keywords, w.Keywords) {
		return c.rules
	}
	r, _ := compile(w.Keywords)
	m.mu.Lock()
	// The watch's slice may be edited later; keep a copy to compare with.
	m.cache[w.Name] = compiled{keywords: slices.Clone(w.Keywords), rules: r}
	m.mu.Unlock()
	return r
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
