package match

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s in the form keywords and post text are compared in:
// compatibility-decomposed (fullwidth and mathematical letters become
// ASCII), lower-cased, with diacritics and invisible characters removed.
// Each invalid UTF-8 byte becomes a space, so it separates words.
//
// offsets[i] is the byte offset in s of the character folded[i] came from,
// and offsets[len(folded)] is len(s), so a span of folded maps back to the
// original text.
func Fold(s string) (folded string, offsets []int) {
	buf, offs := fold(s, make([]byte, 0, len(s)), make([]int, 0, len(s)+1))
	return string(buf), offs
}

// fold appends the folded form of s to buf and the source offset of each
// appended byte to offs, followed by the sentinel len(s).
func fold(s string, buf []byte, offs []int) ([]byte, []int) {
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
		// Decomposing one rune at a time is NFKD without the canonical
		// reordering of combining marks; the marks are dropped below, so
		// their order never matters.
		d := norm.NFKD.PropertiesString(s[i:]).Decomposition()
		if d == nil {
			buf, offs = appendFolded(buf, offs, r, i)
		} else {
			for len(d) > 0 {
				dr, dsize := utf8.DecodeRune(d)
				buf, offs = appendFolded(buf, offs, dr, i)
				d = d[dsize:]
			}
		}
		i += size
	}
	return buf, append(offs, len(s))
}

// appendFolded appends the case-folded r, unless it is a diacritic or an
// invisible character, recording from as its source offset.
func appendFolded(buf []byte, offs []int, r rune, from int) ([]byte, []int) {
	if invisible(r) || unicode.Is(unicode.Mn, r) {
		return buf, offs
	}
	// Upper then lower puts every case variant of a letter on the same
	// rune: σ, ς and Σ all become σ; k and the Kelvin sign both become k.
	r = unicode.ToLower(unicode.ToUpper(r))
	n := len(buf)
	buf = utf8.AppendRune(buf, r)
	for range len(buf) - n {
		offs = append(offs, from)
	}
	return buf, offs
}

// invisible reports whether r is a zero-width or otherwise invisible
// character that can be slipped inside a word to dodge a filter.
func invisible(r rune) bool {
	switch {
	case r == 0x00AD, // soft hyphen
		0x200B <= r && r <= 0x200F, // zero-width space, joiners, direction marks
		0x2060 <= r && r <= 0x2064, // word joiner, invisible operators
		r == 0xFEFF:                // zero-width no-break space
		return true
	}
	// The remaining format characters (bidi controls, tag characters,
	// the Mongolian vowel separator) are invisible too.
	return unicode.Is(unicode.Cf, r)
}

// isWord reports whether the folded rune r is part of a word. Marks count
// so that spacing vowel signs (Devanagari, Bengali) do not split a word.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
