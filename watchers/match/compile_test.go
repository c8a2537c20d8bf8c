package match

import (
	"errors"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		keyword string
		want    string
	}{
		{"empty", "", `keyword "" is empty`},
		{"blank", "   ", `keyword "   " is empty`},
		{"empty quotes", `""`, `keyword "\"\"" is empty`},
		{"one letter", "a", `keyword "a" is a single character`},
		{"one accented letter", "É", `keyword "É" is a single character`},
		{"one quoted letter", `"x"`, `keyword "\"x\"" is a single character`},
		{"one letter hashtag", "#a", `keyword "#a" is a single character`},
		{"bare star", "*", `keyword "*" would match every post`},
		{"wildcard", "cart*", `keyword "cart*" has a *, and wildcards are not supported`},
		{"punctuation only", "#", `keyword "#" has no letters or digits`},
		{"invisible only", "\u200b\u200b", `keyword "\u200b\u200b" has no letters or digits`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile([]string{"cartel", tt.keyword})
			if err == nil {
				t.Fatalf("Compile(%q) = nil error; want %q", tt.keyword, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile(%q) error = %q; want it to contain %q", tt.keyword, err, tt.want)
			}
			if !errors.Is(err, alerts.ErrInvalid) {
				t.Errorf("Compile(%q) error = %v; want it to wrap alerts.ErrInvalid", tt.keyword, err)
			}
			if r != nil {
				t.Errorf("Compile(%q) rules = %v; want nil", tt.keyword, r)
			}
		})
	}
}

func TestCompileReportsEveryBadKeyword(t *testing.T) {
	_, err := Compile([]string{"a", "cartel", "*", ""})
	if err == nil {
		t.Fatal("got nil error; want errors for a, * and the empty keyword")
	}
	for _, want := range []string{`"a"`, `"*"`, `""`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got error %q; want it to name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "cartel") {
		t.Errorf("got error %q; want no mention of the valid keyword cartel", err)
	}
}

func TestCompileValid(t *testing.T) {
	for _, kw := range []string{"ab", "cártel", `"gente nueva"`, "gente nueva", "#cjng", "CJNG", "12", "al-qaeda", "ｃａｒｔｅｌ"} {
		if _, err := Compile([]string{kw}); err != nil {
			t.Errorf("Compile(%q) = %v; want nil", kw, err)
		}
	}
}

func TestFindSkipsBadKeywords(t *testing.T) {
	r, err := compile([]string{"*", "cartel"})
	if err == nil {
		t.Fatal("got nil error; want the * reported")
	}
	got := r.Find("el cartel y todo lo demás")
	if len(got) != 1 || got[0].Term != "cartel" {
		t.Errorf("got hits %v; want one hit for cartel only", got)
	}
}
