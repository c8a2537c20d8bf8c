package match

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// tableLimit is the first rune the fold table does not cover. Every
// letter-like character that folds to something else (Latin, Greek,
// Cyrillic, fullwidth forms, mathematical alphanumerics, enclosed
// letters) lies below it; runes above it fold by foldRuneSlow.
const tableLimit = 0x30000

// Fold table entries: the low two bits classify the folded output, the
// next two say what becomes of the rune, the rest index the output pool.
const (
	classWord    = 0 // every output rune is a word character
	classNonWord = 1 // no output rune is a word character
	classMixed   = 2 // classify the output rune by rune
	classSymbol  = 3 // an emoji: a word of its own
	classMask    = 3

	entryDropped  = 1 << 2 // the rune folds to nothing
	entryReplaced = 1 << 3 // the rune folds to pool[entry>>4]
)

// foldTable maps each rune below tableLimit to its folded form in two
// stages: blocks of 256 runes that fold identically share storage, so the
// table is small and one lookup costs two loads.
type foldTable struct {
	index  [tableLimit >> 8]uint16
	blocks [][256]uint32
	pool   []string
}

// tables is built once, on first use, from golang.org/x/text: the slow
// chain becomes a lookup. It is immutable afterwards.
var tables = sync.OnceValue(buildFoldTable)

func buildFoldTable() *foldTable {
	t := &foldTable{}
	seen := map[[256]uint32]uint16{}
	poolIdx := map[string]uint32{}
	var block [256]uint32
	for b := range tableLimit >> 8 {
		for i := range 256 {
			block[i] = tableEntry(rune(b<<8|i), t, poolIdx)
		}
		id, ok := seen[block]
		if !ok {
			id = uint16(len(t.blocks))
			t.blocks = append(t.blocks, block)
			seen[block] = id
		}
		t.index[b] = id
	}
	return t
}

func tableEntry(r rune, t *foldTable, poolIdx map[string]uint32) uint32 {
	if 0xD800 <= r && r <= 0xDFFF {
		return classNonWord
	}
	out := foldRuneSlow(r)
	switch out {
	case string(r):
		switch {
		case isWordRune(r):
			return classWord
		case isEmoji(r):
			return classSymbol
		}
		return classNonWord
	case "":
		return entryDropped | classNonWord
	}
	idx, ok := poolIdx[out]
	if !ok {
		idx = uint32(len(t.pool))
		t.pool = append(t.pool, out)
		poolIdx[out] = idx
	}
	words, others := 0, 0
	for _, o := range out {
		if isWordRune(o) {
			words++
		} else {
			others++
		}
	}
	class := uint32(classMixed)
	switch {
	case others == 0:
		class = classWord
	case words == 0:
		class = classNonWord
	}
	return idx<<4 | entryReplaced | class
}

// lookup returns the table entry of r, which must be below tableLimit.
func (t *foldTable) lookup(r rune) uint32 {
	return t.blocks[t.index[r>>8]][r&0xFF]
}

// foldRuneSlow folds one rune with golang.org/x/text: compatibility
// decomposition, diacritics and invisible characters dropped, full case
// folding, then look-alike letters mapped to the Latin letter they
// imitate. Hangul syllables are kept whole: decomposing them into jamo
// would triple their size for no matching benefit.
func foldRuneSlow(r rune) string {
	if 0xAC00 <= r && r <= 0xD7A3 {
		return string(r)
	}
	return foldChain(string(r))
}

// foldChain is the reference fold of a whole string, the slow chain the
// table is built from and tested against.
func foldChain(s string) string {
	s = dropMarks(norm.NFKD.String(s))
	s = cases.Fold().String(s)
	// Folding can expose new decompositions (U+0130 folds to i and a dot).
	s = dropMarks(norm.NFKD.String(s))
	return strings.Map(func(r rune) rune {
		if l, ok := lookalikes[r]; ok {
			return l
		}
		return r
	}, s)
}

func dropMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if invisible(r) || isSkinTone(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			return -1
		}
		return r
	}, s)
}

// lookalikes maps letters of other scripts, after case folding, to the
// Latin letter they are used to imitate (Cyrillic "сartel", Greek
// "ΚΑΡΤΕΛ"). Where the capital and small letter imitate different Latin
// letters (Greek Η looks like H, η like n), the capital wins: evasions are
// mostly written in capitals or mixed case.
var lookalikes = map[rune]rune{
	// Cyrillic.
	'а': 'a', 'в': 'b', 'е': 'e', 'і': 'i', 'ј': 'j', 'к': 'k', 'м': 'm',
	'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's',
	'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ү': 'y', 'ɡ': 'g',
	// Greek.
	'α': 'a', 'β': 'b', 'ε': 'e', 'ζ': 'z', 'η': 'h', 'ι': 'i', 'κ': 'k', 'μ': 'm',
	'ν': 'n', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'y', 'χ': 'x',
	// Latin letters with a stroke or other shape that does not decompose.
	'ı': 'i', 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ŧ': 't', 'ƀ': 'b', 'ɨ': 'i',
	// Armenian.
	'օ': 'o', 'ս': 'u',
}

// invisible reports whether r is a zero-width or otherwise invisible
// character that can be slipped inside a word to dodge a filter.
func invisible(r rune) bool {
	switch {
	case r == 0x00AD, // soft hyphen
		r == 0x034F,                // combining grapheme joiner
		0x200B <= r && r <= 0x200F, // zero-width space, joiners, direction marks
		0x2060 <= r && r <= 0x2064, // word joiner, invisible operators
		r == 0x3164, r == 0xFFA0,   // Hangul fillers render as nothing
		r == 0xFEFF: // zero-width no-break space
		return true
	}
	// The remaining format characters (bidi controls, tag characters,
	// the Mongolian vowel separator) are invisible too.
	return unicode.Is(unicode.Cf, r)
}

// isEmoji reports whether r is a pictographic symbol. Emoji are kept as
// themselves, each a word of its own, so a rule can name one.
func isEmoji(r rune) bool {
	return (0x1F000 <= r && r <= 0x1FAFF || 0x2600 <= r && r <= 0x27BF) && unicode.Is(unicode.So, r)
}

// isSkinTone reports whether r is an emoji skin-tone modifier, dropped so
// that 👍🏽 matches 👍.
func isSkinTone(r rune) bool { return 0x1F3FB <= r && r <= 0x1F3FF }

// isWordRune reports whether the folded rune r is part of a word. Marks
// count so that spacing vowel signs (Devanagari, Bengali) do not split a
// word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r] != 0
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// asciiWord maps a byte to its folded word character, or 0 when it is not
// an ASCII part of a word.
var asciiWord = func() (t [256]byte) {
	for c := range byte(utf8.RuneSelf) {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '_':
			t[c] = c
		case 'A' <= c && c <= 'Z':
			t[c] = c + 'a' - 'A'
		}
	}
	return t
}()
