package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestWatchImportAddListRemove(t *testing.T) {
	f := newFeed(t, "nothing")
	cfg := testConfig(t, f.srv.URL)
	csv := filepath.Join(t.TempDir(), "list.csv")
	writeFile(t, csv, "\ufeffAccount,Keyword,notes\nhttps://example.org/feed.xml,cartel,first\n,\"gente nueva\",\n,cartel,dup\n,,\n")

	code, out, errOut := lookout(t, cfg, "watch", "import", csv, "--name", "imported", "--source", "feed", "--as", "maria")
	if code != 0 || !strings.Contains(out, "1 accounts, 2 keywords") {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	code, _, errOut = lookout(t, cfg, "watch", "import", csv, "--name", "imported", "--source", "feed", "--as", "maria")
	if code != 1 || !strings.Contains(errOut, "taken") {
		t.Fatalf("second import with the same name: exit %d, stderr %q; want a conflict", code, errOut)
	}
	code, _, errOut = lookout(t, cfg, "watch", "add", "w", "--source", "feed", "--accounts", f.srv.URL, "--as", "maria")
	if code != 1 || !strings.Contains(errOut, "config file") {
		t.Fatalf("add over a config watch: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = lookout(t, cfg, "watch", "add", "extra", "--source", "feed", "--accounts", f.srv.URL, "--as", "rita")
	if code != 1 || !strings.Contains(errOut, "responder") {
		t.Fatalf("add as a responder: exit %d, stderr %q; want a refusal", code, errOut)
	}
	code, out, _ = lookout(t, cfg, "watch", "list", "--json")
	var ws []struct {
		Name     string   `json:"name"`
		Origin   string   `json:"origin"`
		Keywords []string `json:"keywords"`
	}
	if err := json.Unmarshal([]byte(out), &ws); code != 0 || err != nil {
		t.Fatalf("list: exit %d, %v in %q", code, err, out)
	}
	if len(ws) != 2 || ws[0].Name != "w" || ws[0].Origin != "config" || ws[1].Name != "imported" || ws[1].Origin != "store" ||
		strings.Join(ws[1].Keywords, "|") != "cartel|gente nueva" {
		t.Fatalf("watches: got %+v", ws)
	}
	code, _, errOut = lookout(t, cfg, "watch", "remove", "w", "--as", "maria")
	if code != 1 || !strings.Contains(errOut, "config file") {
		t.Fatalf("remove a config watch: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut = lookout(t, cfg, "watch", "remove", "imported", "--as", "maria"); code != 0 {
		t.Fatalf("remove: exit %d, %q", code, errOut)
	}
}

func TestReadWatchCSVErrors(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"no usable column", "name,url\na,b\n", `"account" or a "keyword" column`},
		{"empty", "", "read header"},
		{"only blanks", "keyword\n\n , \n", "no accounts or keywords"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readWatchCSV(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestWatchAddRefusesInternalFeedURLs(t *testing.T) {
	f := newFeed(t, "nothing")
	cfg := testConfig(t, f.srv.URL)
	for _, u := range []string{"http://127.0.0.1:9/feed", "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://localhost/x", "file:///etc/passwd", "gopher://example.org/"} {
		code, _, errOut := lookout(t, cfg, "watch", "add", "internal", "--source", "feed", "--accounts", u, "--as", "maria")
		if code != 1 || !strings.Contains(errOut, "address not allowed") || !strings.Contains(errOut, "allow_private") {
			t.Errorf("watch add %s: exit %d, stderr %q; want a refusal that explains allow_private", u, code, errOut)
		}
	}
	if hits := f.hits.Load(); hits != 0 {
		t.Fatalf("the feed server was contacted %d times", hits)
	}
}

func TestWatchAddRefusesUnknownRoute(t *testing.T) {
	f := newFeed(t, "nothing")
	cfg := testConfig(t, f.srv.URL)
	code, _, errOut := lookout(t, cfg, "watch", "add", "typo", "--source", "feed", "--accounts", "https://example.org/feed.xml", "--route", "defualt", "--as", "maria")
	if code != 1 || !strings.Contains(errOut, `route "defualt" does not exist (routes: default)`) {
		t.Fatalf("watch add with a mistyped route: exit %d, stderr %q", code, errOut)
	}
}
