package match

import (
	"regexp"
	"strings"
)

type nodeKind uint8

const (
	nodeTerm nodeKind = iota
	nodeAnd
	nodeOr
	nodeNot
	nodeNear
)

// node is one node of a parsed rule.
type node struct {
	kind nodeKind
	kids []*node
	near int   // nodeNear: the most words allowed between the two terms
	term *term // nodeTerm
}

type termKind uint8

const (
	termText  termKind = iota // word, phrase, #hashtag, @mention, prefix*
	termFrom                  // from:account
	termLang                  // lang:es
	termRegex                 // /regex/
)

// term is one leaf of a rule.
type term struct {
	kind termKind
	src  string // as written, reported in hits
	col  int    // 1-based column in the rule
	body string // the text to fold, the account, the language or the regex
	// Text terms only.
	prefix   bool // cart*: any word starting with the body
	joined   bool // #"gente nueva": only the hashtag the phrase spells
	tagToo   bool // ~tag: the phrase, or the hashtag it spells
	caseSens bool // ~case: the letters' case must be as written
	flags    foldFlags
	re       *regexp.Regexp
	id       int // index in Rules.terms
}

// maxDepth bounds the nesting of parentheses and operators.
const maxDepth = 50

// parser reads one rule.
type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

// parseRule parses one rule. A rule made only of bare words ("gente
// nueva") is the phrase of those words, as keyword lists always meant;
// compat reports that reading so `rule test` can say so.
func parseRule(src string) (root *node, compat bool, err error) {
	toks, err := lex(src)
	if err != nil {
		return nil, false, err
	}
	if len(toks) > 2 && allBareWords(toks) {
		t := &term{kind: termText, src: src, col: column(src, toks[0].pos), body: strings.TrimSpace(src)}
		return &node{kind: nodeTerm, term: t}, true, nil
	}
	p := &parser{src: src, toks: toks}
	if p.peek().kind == tokEOF {
		return nil, false, p.errorf(p.peek(), "the rule is empty: expected a word, phrase or hashtag")
	}
	root, err = p.or()
	if err != nil {
		return nil, false, err
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.kind == tokRParen {
			return nil, false, p.errorf(t, "found ')' with no '(' to close")
		}
		return nil, false, p.errorf(t, "expected AND, OR or the end of the rule but found %s", t.describe())
	}
	if root.kind == nodeTerm {
		// A rule of one term reports hits under the keyword exactly as
		// written, which is what keyword mutes compare with.
		root.term.src = src
	}
	return root, false, nil
}

// allBareWords reports whether toks are plain words with no rule syntax.
func allBareWords(toks []token) bool {
	for _, t := range toks[:len(toks)-1] {
		if t.kind != tokWord || strings.ContainsAny(t.text, "*:") {
			return false
		}
	}
	return true
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) errorf(t token, format string, args ...any) error {
	l := lexer{src: p.src}
	return l.errorf(t.pos, format, args...)
}

func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf(t, "the rule nests deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *parser) or() (*node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tokOr {
		p.advance()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = join(nodeOr, left, right)
	}
	return left, nil
}

func (p *parser) and() (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		switch p.peek().kind {
		case tokAnd:
			p.advance()
		case tokWord, tokQuote, tokTagQuote, tokRegex, tokLParen, tokNot, tokMods:
			// Juxtaposition is AND.
		default:
			return left, nil
		}
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = join(nodeAnd, left, right)
	}
}

// join appends right to left when left is already a node of that kind,
// keeping "a b c" one flat AND.
func join(kind nodeKind, left, right *node) *node {
	if left.kind == kind {
		left.kids = append(left.kids, right)
		return left
	}
	return &node{kind: kind, kids: []*node{left, right}}
}

func (p *parser) unary() (*node, error) {
	t := p.peek()
	if t.kind != tokNot {
		return p.near()
	}
	p.advance()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	return &node{kind: nodeNot, kids: []*node{x}}, nil
}

func (p *parser) near() (*node, error) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tokNear {
		op := p.advance()
		right, err := p.primary()
		if err != nil {
			return nil, err
		}
		for _, x := range []*node{left, right} {
			if x.kind != nodeTerm || x.term.kind != termText {
				return nil, p.errorf(op, "NEAR joins two words, phrases or hashtags; to combine proximity groups, use AND between them")
			}
		}
		left = &node{kind: nodeNear, near: op.near, kids: []*node{left, right}}
	}
	return left, nil
}

func (p *parser) primary() (*node, error) {
	t := p.advance()
	var n *node
	switch t.kind {
	case tokLParen:
		if err := p.enter(t); err != nil {
			return nil, err
		}
		x, err := p.or()
		p.depth--
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tokRParen {
			return nil, p.errorf(c, "expected ')' to close the '(' at column %d but found %s", column(p.src, t.pos), c.describe())
		}
		p.advance()
		n = x
	case tokWord, tokQuote, tokTagQuote, tokRegex:
		tm, err := p.term(t)
		if err != nil {
			return nil, err
		}
		n = &node{kind: nodeTerm, term: tm}
	case tokMods:
		return nil, p.errorf(t, "modifier ~%s must follow a term or ')' with no space before it", t.text)
	default:
		return nil, p.errorf(t, "expected a word, phrase, hashtag or '(' but found %s", t.describe())
	}
	if m := p.peek(); m.kind == tokMods && m.pos == p.toks[p.i-1].end {
		p.advance()
		if err := p.applyMods(n, m); err != nil {
			return nil, err
		}
		if n.kind == nodeTerm {
			n.term.src += m.src
		}
	}
	return n, nil
}

// term builds the leaf for a word, phrase, hashtag phrase or regex token.
func (p *parser) term(t token) (*term, error) {
	tm := &term{kind: termText, src: t.src, col: column(p.src, t.pos), body: t.text}
	switch t.kind {
	case tokQuote:
		return tm, nil
	case tokTagQuote:
		tm.joined = true
		return tm, nil
	case tokRegex:
		re, err := regexp.Compile(t.text)
		if err != nil {
			return nil, p.errorf(t, "regular expression: %v", err)
		}
		if re.MatchString("") {
			return nil, p.errorf(t, "regular expression %s matches an empty text, so it would match every post", t.src)
		}
		tm.kind, tm.re = termRegex, re
		return tm, nil
	}
	w := t.text
	switch {
	case strings.HasPrefix(w, "from:"):
		tm.kind, tm.body = termFrom, strings.TrimPrefix(w[len("from:"):], "@")
		if tm.body == "" {
			return nil, p.errorf(t, "expected an account after from:")
		}
		return tm, nil
	case strings.HasPrefix(w, "lang:"):
		tm.kind, tm.body = termLang, strings.ToLower(w[len("lang:"):])
		if !validLang(tm.body) {
			return nil, p.errorf(t, "expected a language code after lang: (es, en, pt-br)")
		}
		return tm, nil
	case w == "*":
		return nil, p.errorf(t, "a bare * would match every post")
	case strings.HasSuffix(w, "*"):
		tm.prefix, tm.body = true, w[:len(w)-1]
	}
	if i := strings.IndexByte(tm.body, '*'); i >= 0 {
		return nil, p.errorf(token{pos: t.pos + i}, "* may only end a word, as a prefix (cart*)")
	}
	return tm, nil
}

// validLang accepts ISO 639 codes with an optional region: es, en, pt-br.
func validLang(s string) bool {
	lang, region, _ := strings.Cut(s, "-")
	if len(lang) < 2 || len(lang) > 3 || len(region) > 8 {
		return false
	}
	for _, c := range lang + region {
		if c < 'a' || c > 'z' {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// applyMods applies ~modifiers to every text term under n.
func (p *parser) applyMods(n *node, m token) error {
	var flags foldFlags
	var caseSens, tag bool
	for _, name := range strings.Split(m.text, "~") {
		switch name {
		case "leet":
			flags |= flagLeet
		case "stretch":
			flags |= flagStretch
		case "spaced":
			flags |= flagSpaced
		case "case":
			caseSens = true
		case "tag":
			tag = true
		default:
			return p.errorf(m, "unknown modifier ~%s: use ~leet, ~stretch, ~spaced, ~case or ~tag", name)
		}
	}
	var err error
	walkTerms(n, func(t *term) {
		if t.kind == termFrom || t.kind == termLang {
			return
		}
		if t.kind == termRegex && (flags != 0 || tag) {
			err = p.errorf(m, "a regular expression takes only ~case")
		}
		t.flags |= flags
		t.caseSens = t.caseSens || caseSens
		t.tagToo = t.tagToo || tag
		if t.caseSens && t.flags != 0 {
			err = p.errorf(m, "~case cannot be combined with ~leet, ~stretch or ~spaced")
		}
	})
	return err
}

// walkTerms calls fn for every term under n, left to right.
func walkTerms(n *node, fn func(*term)) {
	if n.kind == nodeTerm {
		fn(n.term)
		return
	}
	for _, k := range n.kids {
		walkTerms(k, fn)
	}
}
