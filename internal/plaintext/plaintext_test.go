package plaintext

import (
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, s string
		n       int
		mark    string
		want    string
	}{
		{"fits", "cartel", 6, "…", "cartel"},
		{"cut with mark", "gente nueva", 8, "…", "gente…"},
		{"never splits a rune", "cártel", 2, "", "c"},
		{"mark longer than budget", "abcdef", 2, "…", "…"},
		{"no mark", "abcdef", 3, "", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Truncate(tt.s, tt.n, tt.mark); got != tt.want {
				t.Fatalf("Truncate(%q, %d, %q): got %q; want %q", tt.s, tt.n, tt.mark, got, tt.want)
			}
		})
	}
}

func TestTidyLines(t *testing.T) {
	got := TidyLines("\n\n  se  busca\t gente \r\n\n\n\nnueva\xff  \n\n")
	if want := "se busca gente\n\nnueva\uFFFD"; got != want {
		t.Fatalf("TidyLines: got %q; want %q", got, want)
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("cártel 𝐜𝐚𝐫𝐭𝐞𝐥", 5)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1<<20 {
			return
		}
		got := Truncate(s, n, "…")
		if len(got) > max(n, len("…")) && len(s) > n {
			t.Fatalf("Truncate(%q, %d) = %q: %d bytes", s, n, got, len(got))
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Truncate split a rune: %q", got)
		}
		if len(s) <= n && got != s {
			t.Fatalf("Truncate changed text that fits")
		}
	})
}
