package match

import (
	"unicode/utf8"
)

// foldFlags are the opt-in folds that undo deliberate misspellings. Each
// combination in use gets its own canonical stream and automaton, so a
// rule without them never matches "c4rt3l".
type foldFlags uint8

const (
	// flagLeet reads digits and symbols as the letters they stand for
	// (c4rt3l, $icario, p!stola) and l as i, since 1 stands for both.
	flagLeet foldFlags = 1 << iota
	// flagStretch collapses repeated letters (carteeeel, carrrtel).
	flagStretch
	// flagSpaced joins three or more single letters (c a r t e l, c.a.r).
	flagSpaced

	flagCombos = 8 // every combination of the flags above
)

// Separator bytes of a canonical stream. Every run of non-word characters
// becomes exactly one separator; which one records whether the next word
// is written as a hashtag or a mention.
const (
	sepPlain   = ' '
	sepHashtag = '#'
	sepMention = '@'
)

// leetLetter maps a character of leetspeak to the letter it stands for.
var leetLetter = func() (t [utf8.RuneSelf]byte) {
	for _, p := range []string{"0o", "1i", "3e", "4a", "5s", "7t", "8b", "9g", "li", "@a", "$s", "!i", "|i"} {
		t[p[0]] = p[1]
	}
	return t
}()

// canonText is a post's or a term's text in canonical form: folded words
// separated by single separator bytes, with one separator at each end,
// " gente #nueva ". Patterns are canonical too, so a whole-word or phrase
// match is a plain substring match.
type canonText struct {
	buf []byte
	// offs[i] is the source offset of buf[i], with len(source) appended;
	// nil unless offsets were asked for. A separator's offset is that of
	// the first character of the run it replaced.
	offs []int
	// marks[i] is the source offset of the '#' or '@' behind the marker
	// separator at buf[markPos[i]].
	markPos, markOff []int
}

// reset empties c for reuse, keeping its memory.
func (c *canonText) reset() {
	c.buf, c.offs, c.markPos, c.markOff = c.buf[:0], c.offs[:0], c.markPos[:0], c.markOff[:0]
}

// canonicalize appends the canonical form of s under flags f to c, which
// must be empty. withOffs records source offsets (the slow path that
// explains a match); the fast path only needs the bytes.
func canonicalize(c *canonText, s string, f foldFlags, withOffs bool) {
	t := tables()
	w := canonWriter{c: c, withOffs: withOffs, leet: f&flagLeet != 0, stretch: f&flagStretch != 0, pending: sepPlain}
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if lb := asciiWord[b]; lb != 0 {
				w.word(lb, i)
			} else if w.leet && leetLetter[b] != 0 && i+1 < len(s) && asciiWord[s[i+1]] != 0 && (b != '@' || w.inWord) {
				w.word(b, i)
			} else {
				w.nonWord(b, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.nonWord(' ', i)
			i++
			continue
		}
		e := runeEntry(t, r)
		switch {
		case e&entryDropped != 0:
		case e&entryReplaced == 0:
			switch e & classMask {
			case classWord:
				w.wordBytes(s[i:i+size], i)
			case classSymbol:
				w.symbolWord(s[i:i+size], i)
			default:
				w.nonWord(0, i)
			}
		default:
			w.folded(t.pool[e>>4], e&classMask, i)
		}
		i += size
	}
	w.end(len(s))
	if f&flagSpaced != 0 {
		joinSpaced(c, f&flagStretch != 0)
	}
}

// canonWriter builds a canonical stream one folded character at a time.
type canonWriter struct {
	c             *canonText
	withOffs      bool
	leet, stretch bool
	inWord        bool
	pending       byte // the separator to write before the next word
	pendingOff    int  // source offset of the run it replaces
	markOff       int  // source offset of the '#' or '@' when pending is a marker
	last          byte // the last word byte written, for stretch
	prevWord      bool // the last character was a word character
}

func (w *canonWriter) startWord() {
	c := w.c
	c.buf = append(c.buf, w.pending)
	if w.withOffs {
		c.offs = append(c.offs, w.pendingOff)
		if w.pending != sepPlain {
			c.markPos = append(c.markPos, len(c.buf)-1)
			c.markOff = append(c.markOff, w.markOff)
		}
	}
	w.inWord, w.last = true, 0
}

func (w *canonWriter) enterWord() {
	if !w.inWord {
		w.startWord()
	}
	w.prevWord = true
}

// word writes one ASCII word byte, already folded.
func (w *canonWriter) word(b byte, off int) {
	w.enterWord()
	if w.leet && leetLetter[b] != 0 {
		b = leetLetter[b]
	}
	if w.stretch && b == w.last {
		return
	}
	w.last = b
	w.c.buf = append(w.c.buf, b)
	if w.withOffs {
		w.c.offs = append(w.c.offs, off)
	}
}

// wordBytes writes the bytes of one multi-byte word character.
func (w *canonWriter) wordBytes(p string, off int) {
	w.enterWord()
	w.last = 0
	w.c.buf = append(w.c.buf, p...)
	if w.withOffs {
		for range len(p) {
			w.c.offs = append(w.c.offs, off)
		}
	}
}

// symbolWord writes an emoji as a word of its own.
func (w *canonWriter) symbolWord(p string, off int) {
	if w.inWord {
		w.pendingOff = off
	}
	w.startWord()
	w.c.buf = append(w.c.buf, p...)
	if w.withOffs {
		for range len(p) {
			w.c.offs = append(w.c.offs, off)
		}
	}
	w.inWord, w.prevWord = false, false
	w.pending, w.pendingOff = sepPlain, off+len(p)
}

// nonWord ends the current word. b is the ASCII character itself, or 0
// for any other; a '#' or '@' that does not follow a word character marks
// the next word as a hashtag or mention ("x#cjng" is no hashtag).
func (w *canonWriter) nonWord(b byte, off int) {
	if w.inWord {
		w.inWord = false
		w.pendingOff = off
	}
	if (b == '#' || b == '@') && !w.prevWord {
		w.pending, w.markOff = b, off
	} else {
		w.pending = sepPlain
	}
	w.prevWord = false
}

// folded writes the folded form of one character.
func (w *canonWriter) folded(out string, class uint32, off int) {
	switch class {
	case classWord:
		if len(out) == 1 {
			w.word(out[0], off)
		} else {
			for _, r := range out {
				w.foldedRune(r, off)
			}
		}
	case classNonWord:
		if len(out) == 1 {
			w.nonWord(out[0], off)
		} else {
			w.nonWord(0, off)
		}
	default:
		for _, r := range out {
			w.foldedRune(r, off)
		}
	}
}

func (w *canonWriter) foldedRune(r rune, off int) {
	switch {
	case r < utf8.RuneSelf && asciiWord[r] != 0:
		w.word(byte(r), off)
	case r < utf8.RuneSelf:
		w.nonWord(byte(r), off)
	case isWordRune(r):
		var b [utf8.UTFMax]byte
		n := utf8.EncodeRune(b[:], r)
		w.wordBytes(string(b[:n]), off)
	default:
		w.nonWord(0, off)
	}
}

// end writes the closing separator and the offsets' sentinel.
func (w *canonWriter) end(n int) {
	c := w.c
	c.buf = append(c.buf, sepPlain)
	if w.withOffs {
		off := n
		if !w.inWord {
			off = w.pendingOff
		}
		c.offs = append(c.offs, off, n)
	}
}

// joinSpaced joins runs of three or more single ASCII letters or digits
// into one word: " c a r t e l " becomes " cartel ".
func joinSpaced(c *canonText, stretch bool) {
	buf := c.buf
	single := func(i int) bool { // a one-byte word starts at buf[i]
		return i+2 < len(buf) && isSep(buf[i]) && buf[i+1] < utf8.RuneSelf && !isSep(buf[i+1]) && isSep(buf[i+2])
	}
	out, offs := buf[:0], c.offs
	if offs != nil {
		offs = offs[:0]
	}
	mark := 0
	keep := func(i int) {
		if c.offs != nil {
			offs = append(offs, c.offs[i])
			if mark < len(c.markPos) && c.markPos[mark] == i {
				c.markPos[mark] = len(out)
				mark++
			}
		}
		out = append(out, buf[i])
	}
	drop := func(i int) {
		if c.offs != nil && mark < len(c.markPos) && c.markPos[mark] == i {
			c.markPos = append(c.markPos[:mark], c.markPos[mark+1:]...)
			c.markOff = append(c.markOff[:mark], c.markOff[mark+1:]...)
		}
	}
	for i := 0; i < len(buf); {
		n := 0
		for single(i + 2*n) {
			n++
		}
		if n < 3 {
			keep(i)
			i++
			continue
		}
		keep(i)
		for k := range n {
			if k > 0 {
				drop(i + 2*k)
			}
			if stretch && k > 0 && buf[i+2*k+1] == out[len(out)-1] {
				drop(i + 2*k + 1)
				continue
			}
			keep(i + 2*k + 1)
		}
		i += 2 * n
	}
	if c.offs != nil {
		offs = append(offs, c.offs[len(c.offs)-1])
		c.offs = offs
	}
	c.buf = out
}

func isSep(b byte) bool { return b == sepPlain || b == sepHashtag || b == sepMention }

// canonPlain appends the canonical form of s with no opt-in folds and no
// offsets: the hot path every post takes, written as one loop. It must
// produce exactly what canonicalize(c, s, 0, false) does; tests and fuzzing
// hold it to that.
func canonPlain(dst []byte, s string) []byte {
	t := tables()
	inWord, pending := false, byte(sepPlain)
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if lb := asciiWord[b]; lb != 0 {
				if !inWord {
					dst = append(dst, pending)
					inWord = true
				}
				dst = append(dst, lb)
			} else {
				pending = sepPlain
				if (b == '#' || b == '@') && !inWord {
					pending = b
				}
				inWord = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			pending, inWord = sepPlain, false
			i++
			continue
		}
		e := runeEntry(t, r)
		switch {
		case e&entryDropped != 0:
		case e&entryReplaced == 0:
			switch e & classMask {
			case classWord:
				if !inWord {
					dst = append(dst, pending)
					inWord = true
				}
				dst = append(dst, s[i:i+size]...)
			case classSymbol:
				dst = append(dst, pending)
				dst = append(dst, s[i:i+size]...)
				pending, inWord = sepPlain, false
			default:
				pending, inWord = sepPlain, false
			}
		default:
			for _, o := range t.pool[e>>4] {
				switch {
				case o < utf8.RuneSelf && asciiWord[o] != 0 || o >= utf8.RuneSelf && isWordRune(o):
					if !inWord {
						dst = append(dst, pending)
						inWord = true
					}
					dst = utf8.AppendRune(dst, o)
				case (o == '#' || o == '@') && !inWord:
					pending = byte(o)
				default:
					pending, inWord = sepPlain, false
				}
			}
		}
		i += size
	}
	return append(dst, sepPlain)
}
