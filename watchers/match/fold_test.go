package match

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		offsets []int
	}{
		{"ascii case", "CarTel", "cartel", []int{0, 1, 2, 3, 4, 5, 6}},
		{"precomposed accent", "Cá", "ca", []int{0, 1, 3}},
		{"combining accent", "Ca\u0301", "ca", []int{0, 1, 4}},
		{"eñe", "Niño", "nino", []int{0, 1, 2, 4, 5}},
		{"fullwidth", "ＡＢ", "ab", []int{0, 3, 6}},
		{"math bold", "𝐜𝐚", "ca", []int{0, 4, 8}},
		{"zero width space", "a\u200bb", "ab", []int{0, 4, 5}},
		{"soft hyphen", "a\u00adb", "ab", []int{0, 3, 4}},
		{"bom and word joiner", "\ufeffa\u2060b", "ab", []int{3, 7, 8}},
		{"ligature expands", "ﬁn", "fin", []int{0, 0, 3, 4}},
		{"invalid byte is a space", "a\xffb", "a b", []int{0, 1, 2, 3}},
		{"truncated rune", "a\xc3", "a ", []int{0, 1, 2}},
		{"dotted capital I", "İ", "i", []int{0, 2}},
		{"kelvin sign", "\u212A", "k", []int{0, 3}},
		{"final sigma", "ς", "σ", []int{0, 0, 2}},
		{"empty", "", "", []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, offs := Fold(tt.in)
			if got != tt.want {
				t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
			}
			if !slices.Equal(offs, tt.offsets) {
				t.Errorf("Fold(%q) offsets = %v; want %v", tt.in, offs, tt.offsets)
			}
		})
	}
}

func TestFoldSameForms(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"accents", "CÁRTEL DEL GOLFO", "cartel del golfo"},
		{"greek sigma", "ΟΔΟΣ", "οδος"},
		{"fullwidth digits", "１２３", "123"},
		{"math italic", "𝑝𝑙𝑎𝑧𝑎", "plaza"},
		{"circled letters", "ⓟⓛⓐⓩⓐ", "plaza"},
		{"umlaut", "Müller", "muller"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := Fold(tt.a)
			b, _ := Fold(tt.b)
			if a != b {
				t.Errorf("Fold(%q) = %q, Fold(%q) = %q; want equal", tt.a, a, tt.b, b)
			}
		})
	}
}

// TestFoldTableMatchesChain checks the table against the golang.org/x/text
// chain it replaces, for every rune the table covers.
func TestFoldTableMatchesChain(t *testing.T) {
	for r := rune(0); r < tableLimit; r++ {
		if 0xD800 <= r && r <= 0xDFFF || 0xAC00 <= r && r <= 0xD7A3 {
			continue
		}
		s := string(r)
		got, _ := Fold(s)
		want := foldChain(s)
		if r < utf8.RuneSelf {
			want = strings.ToLower(s) // ASCII is only lower-cased
		}
		if got != want {
			t.Errorf("Fold(%U %q) = %q; want %q", r, s, got, want)
		}
	}
}

// TestFoldStringsMatchChain checks whole strings, where the chain sees
// context (combining marks in any order, sequences of look-alikes).
func TestFoldStringsMatchChain(t *testing.T) {
	alphabet := []rune("aAzZ09 -_#@.,\náéÉñÑüçßøłıİ\u0301\u0308\u0327\u200b\u00ad\ufeffαΑσςΣκΚоОсСрРаАеЕⅫ½ｃＡ１𝐜𝐀𝑝ⓐ🔫👍🏽\u2066ǅǈﬁ")
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		got, _ := Fold(s)
		if want := foldChain(s); got != want {
			t.Fatalf("Fold(%q) = %q; want %q (x/text chain)", s, got, want)
		}
		var c canonText
		canonicalize(&c, s, 0, false)
		if fast := canonPlain(nil, s); string(fast) != string(c.buf) {
			t.Fatalf("canonPlain(%q) = %q; want %q (canonicalize)", s, fast, c.buf)
		}
		if again, _ := Fold(got); again != got {
			t.Fatalf("Fold(Fold(%q)) = %q; want %q (folding is idempotent)", s, again, got)
		}
	}
}

func TestLookalikes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"СJNG", "cjng"},       // Cyrillic capital Es
		{"сartеl", "cartel"},   // Cyrillic small es and ie
		{"ΚΑΡΤΕΛ", "kapteλ"},   // Greek capitals that imitate Latin ones
		{"ѕicario", "sicario"}, // Cyrillic dze
		{"łeón", "leon"},
	}
	for _, tt := range tests {
		if got, _ := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		in    string
		flags foldFlags
		want  string
	}{
		{"Hola, ¿Gente-Nueva?", 0, " hola gente nueva "},
		{"ataque #CJNG y @sspc_mx", 0, " ataque#cjng y@sspc_mx "},
		{"x#cjng a@b.com", 0, " x cjng a b com "},
		{"##cjng # cjng", 0, "#cjng cjng "},
		{"ya🔫🔫plaza", 0, " ya 🔫 🔫 plaza "},
		{"", 0, " "},
		{"...", 0, " "},
		{"C4RT3L $icario p@z cartel! @user", flagLeet, " cartei sicario paz cartei@user "},
		{"carteeeel  carrera", flagStretch, " cartel carera "},
		{"c a r t e l ya", flagSpaced, " cartel ya "},
		{"c.4.r.t.3.3.l", flagLeet | flagStretch | flagSpaced, " cartei "},
	}
	for _, tt := range tests {
		var c canonText
		canonicalize(&c, tt.in, tt.flags, true)
		if got := string(c.buf); got != tt.want {
			t.Errorf("canonical(%q, %s) = %q; want %q", tt.in, tt.flags, got, tt.want)
		}
		if len(c.offs) != len(c.buf)+1 || c.offs[len(c.offs)-1] != len(tt.in) {
			t.Errorf("canonical(%q): %d offsets for %d bytes; want %d ending in %d", tt.in, len(c.offs), len(c.buf), len(c.buf)+1, len(tt.in))
		}
	}
}
