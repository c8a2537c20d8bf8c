package match

import (
	"slices"
	"testing"
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
