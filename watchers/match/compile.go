package match

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// Rules is a compiled set of keyword lists, one per watch: every literal
// of every rule in one automaton per fold combination, and the boolean
// structure evaluated only for rules whose literals hit. A Rules is
// immutable and safe for concurrent use.
type Rules struct {
	groups []group
	rules  []*rule
	terms  []*term
	lits   []literal
	// streams[f] finds the literals folded with flags f; streamLits[f][i]
	// is the literal of its pattern i.
	streams    [flagCombos]*automaton
	streamLits [flagCombos][]int32
	warnings   []string
}

// group is one watch's keyword list inside a Rules.
type group struct {
	rules    []int       // indices in Rules.rules, in keyword order
	tlo, thi int32       // its terms are Rules.terms[tlo:thi]
	masks    []foldFlags // the fold combinations its terms use
	always   []int       // rules that can match with no literal hit
}

// rule is one keyword entry.
type rule struct {
	src    string
	root   *node
	group  int
	compat bool // bare words read as a phrase
	terms  []int
	near   bool // has a NEAR, so hits need word positions
}

// literal is one canonical pattern and the terms it stands for.
type literal struct {
	pat    []byte // canonical, with the separators the words need
	flags  foldFlags
	prefix bool // no closing separator: any word starting with it
	terms  []int32
}

// Compile checks a watch's keywords and compiles them. The error lists
// every keyword that cannot be used, each with the column and what was
// expected, and wraps alerts.ErrInvalid.
func Compile(keywords []string) (*Rules, error) {
	r, err := compile(keywords)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Warnings lists what is legal but probably unintended: terms made only
// of common function words, bare words read as a phrase.
func (r *Rules) Warnings() []string { return r.warnings }

// compile returns the rules for the usable keywords even when some are not,
// so that one bad keyword does not silence the rest of a watch.
func compile(keywords []string) (*Rules, error) {
	r, errs := compileGroups([][]string{keywords})
	return r, errs[0]
}

// compileGroups compiles several watches' keyword lists into one Rules;
// errs[i] reports the unusable keywords of list i.
func compileGroups(lists [][]string) (*Rules, []error) {
	r := &Rules{}
	b := litBuilder{index: map[string]int32{}}
	errs := make([]error, len(lists))
	for gi, keywords := range lists {
		g := group{tlo: int32(len(r.terms))}
		var bad []error
		defaults, entries := watchDefaults(keywords)
		seen := make(map[string]bool, len(entries))
		var masks uint8
		for _, kw := range entries {
			if seen[kw] {
				continue
			}
			seen[kw] = true
			ru, warns, err := r.compileRule(kw, gi, defaults, &b)
			if err != nil {
				bad = append(bad, fmt.Errorf("%w: keyword %q: %w", alerts.ErrInvalid, kw, err))
				continue
			}
			for _, w := range warns {
				r.warnings = append(r.warnings, fmt.Sprintf("keyword %q: %s", kw, w))
			}
			idx := len(r.rules)
			r.rules = append(r.rules, ru)
			g.rules = append(g.rules, idx)
			if canMatchWithoutLiterals(ru.root) {
				g.always = append(g.always, idx)
			}
			for _, ti := range ru.terms {
				if t := r.terms[ti]; t.kind == termText {
					masks |= 1 << t.flags
				}
			}
		}
		for f := range foldFlags(flagCombos) {
			if masks&(1<<f) != 0 {
				g.masks = append(g.masks, f)
			}
		}
		g.thi = int32(len(r.terms))
		r.groups = append(r.groups, g)
		errs[gi] = errors.Join(bad...)
	}
	r.lits = b.lits
	var pats [flagCombos][][]byte
	for i, l := range r.lits {
		pats[l.flags] = append(pats[l.flags], l.pat)
		r.streamLits[l.flags] = append(r.streamLits[l.flags], int32(i))
	}
	for f := range pats {
		if len(pats[f]) > 0 {
			r.streams[f] = newAutomaton(pats[f])
		}
	}
	return r, errs
}

// watchDefaults splits off the entries made only of modifiers ("~leet"),
// which apply to every other entry of the watch.
func watchDefaults(keywords []string) (token, []string) {
	var def token
	var rest []string
	for _, kw := range keywords {
		s := strings.TrimSpace(kw)
		if strings.HasPrefix(s, "~") {
			if toks, err := lex(s); err == nil && len(toks) == 2 && toks[0].kind == tokMods {
				if def.text != "" {
					def.text += "~"
				}
				def.text += toks[0].text
				def.kind = tokMods
				continue
			}
		}
		rest = append(rest, kw)
	}
	return def, rest
}

// compileRule parses and checks one keyword entry and adds its terms and
// literals to r.
func (r *Rules) compileRule(src string, gi int, defaults token, b *litBuilder) (*rule, []string, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil, &RuleError{Column: 1, Msg: "the rule is empty: expected a word, phrase or hashtag"}
	}
	root, compat, err := parseRule(src)
	if err != nil {
		return nil, nil, err
	}
	if defaults.kind == tokMods {
		p := &parser{src: src}
		if err := p.applyMods(root, defaults); err != nil {
			return nil, nil, fmt.Errorf("watch modifiers ~%s: %w", defaults.text, err)
		}
	}
	var warns []string
	if compat {
		warns = append(warns, fmt.Sprintf("read as the phrase %q (a keyword list entry); write them with AND to require each word anywhere in the post", root.term.body))
	}
	if unanchored(root) {
		return nil, nil, &RuleError{Column: 1, Msg: "the rule would match every post: it needs a word, phrase, hashtag or regular expression that must be present (a rule of only NOT or lang: terms matches everything else)"}
	}
	ru := &rule{src: src, root: root, group: gi, compat: compat}
	var terr error
	var pending []*term
	walkTerms(root, func(t *term) {
		if terr != nil {
			return
		}
		if t.kind == termText {
			words, err := textWords(t)
			if err != nil {
				terr = &RuleError{Column: t.col, Msg: err.Error()}
				return
			}
			if allFunctionWords(words) {
				warns = append(warns, fmt.Sprintf("column %d: %q is made only of common function words and will match a great many posts", t.col, t.src))
			}
		}
		pending = append(pending, t)
	})
	if terr != nil {
		return nil, nil, terr
	}
	// Only a rule that compiled adds its terms and literals.
	for _, t := range pending {
		t.id = len(r.terms)
		r.terms = append(r.terms, t)
		ru.terms = append(ru.terms, t.id)
		if t.kind == termText {
			b.add(t)
		}
	}
	ru.near = hasNear(root)
	return ru, warns, nil
}

// textWords returns the canonical words of a text term after checking it
// could not match nearly everything.
func textWords(t *term) ([]string, error) {
	var c canonText
	canonicalize(&c, t.body, t.flags, false)
	words := strings.FieldsFunc(string(c.buf), func(r rune) bool { return r < utf8.RuneSelf && isSep(byte(r)) })
	switch {
	case strings.TrimSpace(t.body) == "":
		return nil, fmt.Errorf("%q is empty", t.src)
	case len(words) == 0:
		return nil, fmt.Errorf("%q has no letters or digits", t.src)
	case t.prefix && len(words) > 1:
		return nil, fmt.Errorf("%q: a prefix* must be a single word", t.src)
	case t.prefix && utf8.RuneCountInString(strings.TrimLeft(words[0], "#@")) < 3:
		return nil, fmt.Errorf("%q: a prefix needs at least 3 letters before the *, or it would match too many posts", t.src)
	case !t.prefix && len(words) == 1 && utf8.RuneCountInString(strings.TrimLeft(words[0], "#@")) == 1 && !isEmoji([]rune(words[0])[0]):
		return nil, fmt.Errorf("%q is a single character, which would match too many posts", t.src)
	}
	return words, nil
}

// litBuilder collects the distinct literals of every term.
type litBuilder struct {
	lits  []literal
	index map[string]int32 // by flags and pattern
}

// add records the literals term t needs: its canonical text, and the
// hashtags a phrase spells when the term asks for them.
func (b *litBuilder) add(t *term) {
	var c canonText
	canonicalize(&c, t.body, t.flags, false)
	words := strings.FieldsFunc(string(c.buf), func(r rune) bool { return r < utf8.RuneSelf && isSep(byte(r)) })
	var pats []string
	if !t.joined {
		p := string(c.buf)
		if t.prefix {
			p = p[:len(p)-1]
		}
		pats = append(pats, p)
	}
	if t.joined || t.tagToo && len(words) > 1 {
		pats = append(pats, "#"+strings.Join(words, "")+" ", "#"+strings.Join(words, "_")+" ")
	}
	for _, p := range slices.Compact(pats) {
		key := string(rune('0'+t.flags)) + p
		i, ok := b.index[key]
		if !ok {
			i = int32(len(b.lits))
			b.lits = append(b.lits, literal{pat: []byte(p), flags: t.flags, prefix: t.prefix})
			b.index[key] = i
		}
		b.lits[i].terms = append(b.lits[i].terms, int32(t.id))
	}
}

// constEval evaluates n with every text term set to text, every regex to
// re, every from: to from and every lang: to true.
func constEval(n *node, text, re, from bool) bool {
	switch n.kind {
	case nodeTerm:
		switch n.term.kind {
		case termText:
			return text
		case termRegex:
			return re
		case termFrom:
			return from
		}
		return true
	case nodeNot:
		return !constEval(n.kids[0], text, re, from)
	case nodeOr:
		for _, k := range n.kids {
			if constEval(k, text, re, from) {
				return true
			}
		}
		return false
	}
	for _, k := range n.kids { // AND, NEAR
		if !constEval(k, text, re, from) {
			return false
		}
	}
	return true
}

// unanchored reports whether the rule can match a post in which none of
// its words, phrases or regexes occur and whatever its author: it would
// match nearly every post.
func unanchored(n *node) bool {
	return constEval(n, false, false, true) && constEval(n, false, false, false)
}

// canMatchWithoutLiterals reports whether the rule must be evaluated on
// every post, not only on those where the automaton found one of its
// literals (a regex, or from: with NOT).
func canMatchWithoutLiterals(n *node) bool { return constEval(n, false, true, true) }

func hasNear(n *node) bool {
	if n.kind == nodeNear {
		return true
	}
	return slices.ContainsFunc(n.kids, hasNear)
}
