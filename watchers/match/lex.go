package match

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RuleError is a rule that cannot be used: where it goes wrong (Column
// counts characters from 1) and what was expected instead.
type RuleError struct {
	Column int
	Msg    string
}

func (e *RuleError) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

type tokKind uint8

const (
	tokEOF      tokKind = iota
	tokWord             // a bare word, #hashtag, @mention, prefix*, from:x, lang:xx
	tokQuote            // "a phrase"
	tokTagQuote         // #"the hashtag a phrase spells"
	tokRegex            // /regex/
	tokLParen
	tokRParen
	tokMods // ~leet~case
	tokAnd
	tokOr
	tokNot // NOT or a leading -
	tokNear
)

// token is one lexeme of a rule: text is its body (inside quotes or
// slashes), src the characters as written, pos and end byte offsets.
type token struct {
	kind      tokKind
	text, src string
	pos, end  int
	near      int // NEAR/n distance
}

// defaultNear is the distance of a bare NEAR.
const defaultNear = 5

// maxNear bounds NEAR/n, so a rule cannot ask for a whole post.
const maxNear = 50

// lexer splits a rule into tokens.
type lexer struct {
	src string
	pos int
}

// column converts a byte offset of the rule to a 1-based character column.
func column(src string, pos int) int {
	return utf8.RuneCountInString(src[:min(pos, len(src))]) + 1
}

func (l *lexer) errorf(pos int, format string, args ...any) error {
	return &RuleError{Column: column(l.src, pos), Msg: fmt.Sprintf(format, args...)}
}

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		l.pos += size
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start, end: start}, nil
	}
	tok := func(k tokKind, end int, text string) (token, error) {
		l.pos = end
		return token{kind: k, text: text, src: l.src[start:end], pos: start, end: end}, nil
	}
	rest := l.src[start:]
	switch {
	case rest[0] == '(':
		return tok(tokLParen, start+1, "")
	case rest[0] == ')':
		return tok(tokRParen, start+1, "")
	case rest[0] == '"':
		i := strings.IndexByte(rest[1:], '"')
		if i < 0 {
			return token{}, l.errorf(start, `expected " to close the phrase opened here`)
		}
		return tok(tokQuote, start+i+2, rest[1:i+1])
	case strings.HasPrefix(rest, `#"`):
		i := strings.IndexByte(rest[2:], '"')
		if i < 0 {
			return token{}, l.errorf(start, `expected " to close the hashtag phrase opened here`)
		}
		return tok(tokTagQuote, start+i+3, rest[2:i+2])
	case rest[0] == '/':
		var b strings.Builder
		for i := 1; i < len(rest); i++ {
			switch {
			case rest[i] == '\\' && i+1 < len(rest) && rest[i+1] == '/':
				b.WriteByte('/')
				i++
			case rest[i] == '/':
				return tok(tokRegex, start+i+1, b.String())
			default:
				b.WriteByte(rest[i])
			}
		}
		return token{}, l.errorf(start, "expected / to close the regular expression opened here")
	case rest[0] == '~':
		end := 1
		for end < len(rest) && (rest[end] == '~' || 'a' <= rest[end] && rest[end] <= 'z') {
			end++
		}
		return tok(tokMods, start+end, rest[1:end])
	case rest[0] == '-' && len(rest) > 1 && !unicode.IsSpace(rune(rest[1])) && rest[1] != ')':
		return tok(tokNot, start+1, "")
	}
	end := start
	for end < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[end:])
		if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' || r == '~' {
			break
		}
		end += size
	}
	word := l.src[start:end]
	switch {
	case word == "AND":
		return tok(tokAnd, end, word)
	case word == "OR":
		return tok(tokOr, end, word)
	case word == "NOT":
		return tok(tokNot, end, word)
	case word == "NEAR":
		t, _ := tok(tokNear, end, word)
		t.near = defaultNear
		return t, nil
	case strings.HasPrefix(word, "NEAR/"):
		n, err := strconv.Atoi(word[len("NEAR/"):])
		if err != nil || n < 0 || n > maxNear {
			return token{}, l.errorf(start, "expected NEAR/n with n a number of words from 0 to %d", maxNear)
		}
		t, _ := tok(tokNear, end, word)
		t.near = n
		return t, nil
	}
	return tok(tokWord, end, word)
}

// lex returns every token of src, ending with tokEOF.
func lex(src string) ([]token, error) {
	l := &lexer{src: src}
	var toks []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tokEOF {
			return toks, nil
		}
	}
}

// describe names a token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the rule"
	case tokRParen:
		return "')'"
	}
	return strconv.Quote(t.src)
}
