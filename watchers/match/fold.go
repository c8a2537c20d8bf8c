package match

import (
	"unicode"
	"unicode/utf8"
)

// Fold returns s in the form rules and post text are compared in:
// compatibility-decomposed (fullwidth and mathematical letters become
// ASCII), case-folded, with diacritics and invisible characters removed
// and look-alike Cyrillic and Greek letters mapped to the Latin letter they
// imitate. Each invalid UTF-8 byte becomes a space, so it separates words.
// Emoji and punctuation are kept as themselves.
//
// offsets[i] is the byte offset in s of the character folded[i] came from,
// and offsets[len(folded)] is len(s), so a span of folded maps back to the
// original text.
func Fold(s string) (folded string, offsets []int) {
	t := tables()
	buf := make([]byte, 0, len(s))
	offs := make([]int, 0, len(s)+1)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf = append(buf, c)
			offs = append(offs, i)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, ' ')
			offs = append(offs, i)
			i++
			continue
		}
		n := len(buf)
		switch e := runeEntry(t, r); {
		case e&entryReplaced != 0:
			buf = append(buf, t.pool[e>>4]...)
		case e&entryDropped == 0:
			buf = append(buf, s[i:i+size]...)
		}
		for range len(buf) - n {
			offs = append(offs, i)
		}
		i += size
	}
	return string(buf), append(offs, len(s))
}

// runeEntry returns the fold table entry of any valid rune.
func runeEntry(t *foldTable, r rune) uint32 {
	if r < tableLimit {
		return t.lookup(r)
	}
	switch {
	case invisible(r) || unicode.Is(unicode.Mn, r):
		return entryDropped | classNonWord
	case isWordRune(r):
		return classWord
	}
	return classNonWord
}
