package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestRuleTestText(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string // substrings of stdout, in order
	}{
		{
			"match with hits",
			[]string{"balacera NEAR/3 escuela -simulacro", "Balacera cerca de la ESCUELA"},
			0,
			[]string{`folded:  " balacera cerca de la escuela "`, "reads:   ((word[balacera] NEAR/3 word[escuela]) AND NOT word[simulacro])", `balacera at 0-8: "Balacera"`, `escuela at 21-28: "ESCUELA"`, "verdict: MATCH"},
		},
		{
			"no match",
			[]string{"balacera -simulacro", "simulacro de balacera"},
			0,
			[]string{"hits:    none", "verdict: no match"},
		},
		{
			"opt-in stream shown",
			[]string{"chapitos~leet", "Los CH4PIT0S"},
			0,
			[]string{`leet:    " ios chapitos "`, `chapitos~leet at 4-12: "CH4PIT0S"`, "verdict: MATCH"},
		},
		{
			"regex flagged slow",
			[]string{`/\d+ muertos/`, "hay 4 muertos"},
			0,
			[]string{"slow:", "verdict: MATCH"},
		},
		{
			"keyword list phrase and warning",
			[]string{"las para", "para las"},
			0,
			[]string{"reads:   phrase[las para]", "common function words", "verdict: no match"},
		},
		{
			"language",
			[]string{"--lang", "es", "cartel lang:es", "el cártel"},
			0,
			[]string{"verdict: MATCH"},
		},
		{
			"error with caret",
			[]string{"cartel AND (plaza OR", "x"},
			1,
			[]string{"  cartel AND (plaza OR\n                      ^"},
		},
		{"usage", []string{"only-a-rule"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := lookout(t, "../../config.example.toml", append([]string{"rule", "test"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d (stderr %q); want %d", code, errOut, tt.code)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stdout %q lacks %q (in order)", out, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestRuleTestErrorNamesColumn(t *testing.T) {
	_, _, errOut := lookout(t, "../../config.example.toml", "rule", "test", "cartel AND (plaza OR", "x")
	if !strings.Contains(errOut, "column 21: expected a word, phrase, hashtag or '('") {
		t.Errorf("stderr %q; want the column and what was expected", errOut)
	}
}

func TestRuleReplay(t *testing.T) {
	const feed = "https://example.org/feed.xml"
	cfg := testConfig(t, feed)
	ctx := context.Background()
	code, _, errOut := lookout(t, cfg, "migrate")
	if code != 0 {
		t.Fatalf("migrate: exit %d, %q", code, errOut)
	}
	e := &env{config: cfg, stdout: &strings.Builder{}, stderr: &strings.Builder{}, getenv: func(string) string { return "" }}
	a, err := openCLI(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"El CÁRTEL tomó la plaza", "la Gente-Nueva llegó", "nada que ver", "otro día sin novedad", "cartel y más cartel"}
	err = a.store.Update(ctx, func(tx alerts.Tx) error {
		for i, text := range texts {
			p := &alerts.Post{Platform: "feed", ID: fmt.Sprint("p", i), Handle: "noticias", Account: feed, Text: text, URL: fmt.Sprint("https://example.org/p/", i), CreatedAt: time.Now(), Kind: alerts.KindPost}
			if _, err := tx.PutPost(ctx, p, alerts.NewEvidence([]byte(text), time.Now())); err != nil {
				return err
			}
		}
		return nil
	})
	a.Close()
	if err != nil {
		t.Fatalf("seed posts: %v", err)
	}

	code, out, errOut := lookout(t, cfg, "rule", "test", "--watch", "w", "--since", "7d", "--samples", "1")
	if code != 0 {
		t.Fatalf("replay watch: exit %d, %q", code, errOut)
	}
	for _, want := range []string{"watch w: 3 of 5 posts", "(60.0%)", "2  cartel", `1  "gente nueva"`, "»"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay watch output %q lacks %q", out, want)
		}
	}
	if strings.Count(out, "»") > 2 {
		t.Errorf("replay printed more than one sample: %q", out)
	}

	code, out, errOut = lookout(t, cfg, "rule", "test", "--since", "36h", "plaza -cartel", "novedad")
	if code != 0 || !strings.Contains(out, "2 rule(s): 1 of 5 posts") || !strings.Contains(out, "1  novedad") {
		t.Fatalf("replay rules: exit %d, %q %q", code, out, errOut)
	}

	code, _, errOut = lookout(t, cfg, "rule", "test", "--since", "7x", "cartel")
	if code != 2 || !strings.Contains(errOut, `--since "7x"`) {
		t.Errorf("bad window: exit %d, stderr %q; want a usage error", code, errOut)
	}
	code, _, errOut = lookout(t, cfg, "rule", "test", "--since", "7d", "cartel AND")
	if code != 1 || !strings.Contains(errOut, "column 11") {
		t.Errorf("bad rule: exit %d, stderr %q; want the column", code, errOut)
	}
}
