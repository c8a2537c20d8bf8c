package slack

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafe(t *testing.T) {
	z := zwsp
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"<!channel>", "&lt;!channel&gt;"},
		{"<@U123>", "&lt;@" + z + "U123&gt;"},
		{"<https://evil|click>", "&lt;https://evil|click&gt;"},
		{"<!subteam^S1|@team>", "&lt;!subteam^S1|@" + z + "team&gt;"},
		{"a & b", "a &amp; b"},
		{"&lt;", "&amp;lt;"},
		{"*bold*", z + "*" + z + "bold" + z + "*" + z},
		{"~s~ _i_ `c`", z + "~" + z + "s" + z + "~" + z + " " + z + "_" + z + "i" + z + "_" + z + " " + z + "`" + z + "c" + z + "`" + z},
		{"@here @channel", "@" + z + "here @" + z + "channel"},
		{"bidi\u202eevil\x1b[31m", "bidievil[31m"},
		{"line\nbreak\ttab", "line\nbreak\ttab"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	} {
		if got := safe(tc.in); got != tc.want {
			t.Errorf("safe(%q): got %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestSafeBudget(t *testing.T) {
	for _, tc := range []struct {
		in     string
		budget int
		cut    bool
	}{
		{"short", 100, false},
		{strings.Repeat("&", 1000), 100, true},
		{strings.Repeat("*", 1000), 50, true},
		{strings.Repeat("é", 3001), 3000, true},
		{strings.Repeat("é", 3000), 3000, false},
	} {
		got, cut := safeBudget(tc.in, tc.budget)
		if n := utf8.RuneCountInString(got); n > tc.budget {
			t.Errorf("safeBudget(%d runes, %d): %d runes", len(tc.in), tc.budget, n)
		}
		if cut != tc.cut || cut != strings.HasSuffix(got, truncMark) {
			t.Errorf("safeBudget(%q…, %d): cut %v, ends with mark %v; want %v", tc.in[:min(10, len(tc.in))], tc.budget, cut, strings.HasSuffix(got, truncMark), tc.cut)
		}
		if strings.Contains(strings.TrimSuffix(got, truncMark), "&am") && !strings.HasSuffix(strings.TrimSuffix(got, truncMark), ";") {
			t.Errorf("safeBudget split an entity: %q", got[max(0, len(got)-30):])
		}
	}
}

// FuzzSafe checks, for any input, that safe leaves no live control
// character or formatting marker: every < > is escaped, every & starts an
// entity, and every * _ ~ ` sits between zero-width spaces.
func FuzzSafe(f *testing.F) {
	for _, s := range []string{hostile, "&amp;", "**", "<@U1|x>", "\xff", "@everyone"} {
		f.Add(s, 100)
	}
	f.Fuzz(func(t *testing.T, s string, budget int) {
		checkSafe(t, safe(s))
		budget = 20 + abs(budget)%4000
		out, _ := safeBudget(s, budget)
		if utf8.RuneCountInString(out) > budget {
			t.Fatalf("safeBudget: %d runes over budget %d", utf8.RuneCountInString(out), budget)
		}
		checkSafe(t, strings.TrimSuffix(out, truncMark))
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}

func checkSafe(t *testing.T, out string) {
	t.Helper()
	if strings.ContainsAny(out, "<>") {
		t.Fatalf("unescaped < or > in %q", out)
	}
	for i := 0; i < len(out); i++ {
		switch out[i] {
		case '&':
			rest := out[i:]
			if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
				t.Fatalf("bare & at %d in %q", i, out)
			}
		case '*', '_', '~', '`':
			if !strings.HasSuffix(out[:i], zwsp) || !strings.HasPrefix(out[i+1:], zwsp) {
				t.Fatalf("marker %q at %d not neutralised in %q", out[i], i, out)
			}
		}
	}
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 in %q", out)
	}
}
