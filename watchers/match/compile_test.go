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
		{"empty", "", `keyword "": column 1: the rule is empty`},
		{"blank", "   ", `keyword "   ": column 1: the rule is empty`},
		{"empty quotes", `""`, `keyword "\"\"": column 1: "\"\"" is empty`},
		{"one letter", "a", `keyword "a": column 1: "a" is a single character`},
		{"one accented letter", "É", `keyword "É": column 1: "É" is a single character`},
		{"one quoted letter", `"x"`, `keyword "\"x\"": column 1: "\"x\"" is a single character`},
		{"one letter hashtag", "#a", `keyword "#a": column 1: "#a" is a single character`},
		{"bare star", "*", `keyword "*": column 1: a bare * would match every post`},
		{"short prefix", "ca*", `column 1: "ca*": a prefix needs at least 3 letters`},
		{"star inside a word", "ca*rtel", `column 3: * may only end a word`},
		{"punctuation only", "#", `keyword "#": column 1: "#" has no letters or digits`},
		{"invisible only", "\u200b\u200b", `keyword "\u200b\u200b": column 1: "\u200b\u200b" has no letters or digits`},

		// Rule syntax, each error naming the column and what was expected.
		{"unclosed paren", "(cartel OR plaza", `column 17: expected ')' to close the '(' at column 1 but found the end of the rule`},
		{"stray paren", "cartel)", `column 7: found ')' with no '(' to close`},
		{"dangling AND", "cartel AND", `column 11: expected a word, phrase, hashtag or '(' but found the end of the rule`},
		{"OR first", "OR cartel", `column 1: expected a word, phrase, hashtag or '(' but found "OR"`},
		{"unclosed phrase", `cartel "gente nueva`, `column 8: expected " to close the phrase opened here`},
		{"unclosed regex", `/cart(el`, `column 1: expected / to close the regular expression`},
		{"bad regex", `plaza /cart(el/`, `column 7: regular expression: error parsing regexp`},
		{"empty regex match", `/a*/`, `column 1: regular expression /a*/ matches an empty text`},
		{"unknown modifier", `cartel~lete`, `column 7: unknown modifier ~lete: use ~leet`},
		{"loose modifier", `cartel ~leet`, `column 8: modifier ~leet must follow a term`},
		{"case and leet", `CJNG~case~leet`, `~case cannot be combined with ~leet`},
		{"near needs terms", `(a1 OR b1) NEAR/3 c1`, `column 12: NEAR joins two words, phrases or hashtags`},
		{"near distance", `cartel NEAR/x plaza`, `column 8: expected NEAR/n with n a number of words from 0 to 50`},
		{"from without account", `cartel from:`, `column 8: expected an account after from:`},
		{"bad lang", `cartel lang:español`, `column 8: expected a language code after lang:`},
		{"only negative", `-cartel`, `column 1: the rule would match every post`},
		{"only lang", `lang:es`, `the rule would match every post`},
		{"always true", `cartel OR NOT cartel`, `the rule would match every post`},
		{"column counts characters", `"cártel" AND`, `column 13: expected a word`},
		{"deep nesting", strings.Repeat("(", 60) + "cartel" + strings.Repeat(")", 60), `column 51: the rule nests deeper than 50 levels`},
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
	for _, kw := range []string{
		"ab", "cártel", `"gente nueva"`, "gente nueva", "#cjng", "CJNG", "12", "al-qaeda", "ｃａｒｔｅｌ",
		"cart*", "sicari* AND NOT gobierno", `#"gente nueva"`, `"gente nueva"~tag`, "@sspc_mx",
		"from:sspc_mx", "from:sspc_mx -cartel", "/c[a4]rt[e3]l/", "cartel~leet~stretch", "(cartel OR plaza) lang:es",
		"balacera NEAR/3 culiacan", "CJNG~case", "~leet",
	} {
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
