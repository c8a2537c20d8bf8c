package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const waitTimeout = 30 * time.Second

// syncBuffer is a bytes.Buffer safe for a running command and a test
// reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lookout runs one command in-process and returns its exit code and output.
func lookout(t *testing.T, config string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	e := &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code := run(context.Background(), append([]string{"-config", config}, args...), e)
	return code, out.String(), errOut.String()
}

func TestExampleConfigPassesCheck(t *testing.T) {
	code, out, errOut := lookout(t, "../../config.example.toml", "check")
	if code != 0 || !strings.Contains(out, "ok (1 watches") {
		t.Fatalf("check: exit %d, stdout %q, stderr %q; want exit 0 and ok", code, out, errOut)
	}
}

func TestCheckListsEveryProblemWithLines(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "bad.toml")
	writeFile(t, cfg, `
[[watch]]
name = "w"
source = "feed"
accounts = ["file://x.xml"]
intervall = "5m"
severity = "urgent"

[[route]]
name = "default"
console = true
`)
	code, _, errOut := lookout(t, cfg, "check")
	if code != 1 {
		t.Fatalf("exit: got %d; want 1", code)
	}
	for _, want := range []string{`:6: watch[0].intervall: unknown key "intervall" (did you mean "interval"?)`, ":7: watch[0].severity"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
}

func TestCheckRefusesRuleThatMatchesEverything(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "rule.toml")
	writeFile(t, cfg, `
[[watch]]
name = "w"
source = "feed"
accounts = ["file://x.xml"]
keywords = ["a", "cartel"]

[[route]]
name = "default"
console = true
`)
	code, _, errOut := lookout(t, cfg, "check")
	if code != 1 || !strings.Contains(errOut, `watch[0].keywords (w)`) || !strings.Contains(errOut, `"a"`) {
		t.Fatalf("check: exit %d, stderr %q; want exit 1 naming the keyword", code, errOut)
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	code, _, errOut := lookout(t, "../../config.example.toml", "runn")
	if code != 2 || !strings.Contains(errOut, `unknown command "runn"`) {
		t.Fatalf("exit %d, stderr %q; want 2 and the unknown command named", code, errOut)
	}
}

// feedSrv serves an RSS feed and counts the requests.
type feedSrv struct {
	items []string
	hits  atomic.Int64
	srv   *httptest.Server
}

func newFeed(t *testing.T, items ...string) *feedSrv {
	f := &feedSrv{items: items}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.hits.Add(1)
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>`)
		for i, it := range f.items {
			fmt.Fprintf(w, `<item><guid>g%d</guid><title>%s</title><link>https://example.org/p/%d</link><pubDate>%s</pubDate></item>`,
				i, it, i, time.Date(2026, 11, 1, 10, i, 0, 0, time.UTC).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// testConfig writes a config watching url every 10 s, printing to the
// console, with an HTTP listener on a free port.
func testConfig(t *testing.T, url string) string {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "lookout.toml")
	writeFile(t, cfg, fmt.Sprintf(`
[store]
dsn = %q
[http]
listen = ""
[[watch]]
name = "w"
source = "feed"
accounts = [%q]
keywords = ["cartel", "\"gente nueva\""]
interval = "10s"
backfill = true
[[route]]
name = "default"
console = true
[roles]
responder = ["cli:rita"]
admin = ["cli:maria"]
`, filepath.Join(dir, "lookout.db"), url))
	return cfg
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// freeAddr returns a loopback address whose port was free a moment ago,
// for a [http] listen key: the command under test binds it itself.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// waitFor polls cond until it holds; the commands under test run in the
// background and signal only through their output and the database.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", waitTimeout, what)
		}
		<-time.After(20 * time.Millisecond)
	}
}

type listed struct {
	ID    int64  `json:"-"`
	State string `json:"state"`
	Post  struct {
		Title string `json:"title"`
	} `json:"post"`
}

func listAlerts(t *testing.T, cfg string) []listed {
	t.Helper()
	code, out, errOut := lookout(t, cfg, "alerts", "list", "all", "--json", "--as", "maria")
	if code != 0 {
		t.Fatalf("alerts list: exit %d: %s", code, errOut)
	}
	var as []listed
	if err := json.Unmarshal([]byte(out), &as); err != nil {
		t.Fatalf("alerts list --json: %v in %q", err, out)
	}
	return as
}

// TestUserFlow follows the README: run, see alerts, ack one from the CLI,
// restart without duplicates, read the history.
func TestUserFlow(t *testing.T) {
	f := newFeed(t, "the cartel is hiring", "weather", "se busca gente nueva")
	cfg := testConfig(t, f.srv.URL)

	first := startRun(t, cfg)
	waitFor(t, "two alert cards", func() bool { return strings.Contains(first.out.String(), "A-2") })
	first.stop(t)
	if t.Failed() {
		t.FailNow()
	}
	out := first.out.String()
	if !strings.Contains(out, "»cartel«") || !strings.Contains(out, "»gente nueva«") {
		t.Errorf("cards do not mark the matched words:\n%s", out)
	}

	code, stdout, stderr := lookout(t, cfg, "alerts", "ack", "A-1", "on it", "--as", "rita")
	if code != 0 || !strings.Contains(stdout, "A-1 acknowledged by rita") {
		t.Fatalf("ack: exit %d, %q %q", code, stdout, stderr)
	}
	code, _, stderr = lookout(t, cfg, "alerts", "escalate", "A-2", "--as", "rita")
	if code != 1 || !strings.Contains(stderr, "responder") {
		t.Fatalf("escalate as a responder: exit %d, stderr %q; want a refusal naming the role", code, stderr)
	}
	code, _, stderr = lookout(t, cfg, "alerts", "ack", "A-1", "--as", "nobody")
	if code != 1 || !strings.Contains(stderr, "no Lookout role") {
		t.Fatalf("ack without a role: exit %d, stderr %q", code, stderr)
	}

	// Restart: the feed still holds the same posts; nothing alerts twice.
	hits := f.hits.Load()
	second := startRun(t, cfg)
	waitFor(t, "a poll after the restart", func() bool { return f.hits.Load() > hits })
	as := listAlerts(t, cfg)
	second.stop(t)
	out2 := &second.out
	if len(as) != 2 {
		t.Fatalf("alerts after restart: got %d; want 2", len(as))
	}
	if strings.Contains(out2.String(), "── A-") {
		t.Fatalf("restart printed cards again:\n%s", out2.String())
	}

	code, stdout, _ = lookout(t, cfg, "alerts", "history", "A-1", "--json", "--as", "rita")
	if code != 0 || !strings.Contains(stdout, `"action": "ack"`) || !strings.Contains(stdout, `"actor": "cli:rita"`) {
		t.Fatalf("history: exit %d, %s", code, stdout)
	}
	code, stdout, _ = lookout(t, cfg, "alerts", "export", "--format", "csv", "--as", "rita")
	if code != 0 || strings.Count(stdout, "\nA-") != 2 || !strings.Contains(stdout, "cli:rita ack on it") {
		t.Fatalf("export: exit %d:\n%s", code, stdout)
	}
}

// TestKillAndRestart kills a real `lookout run` process with SIGKILL right
// after it printed its first card, restarts it, and checks that every post
// alerted exactly once and every card was delivered.
func TestKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "lookout")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	items := []string{"cartel 1", "cartel 2", "cartel 3", "cartel 4", "cartel 5", "cartel 6"}
	f := newFeed(t, items...)
	cfg := testConfig(t, f.srv.URL)

	start := func() (*exec.Cmd, *syncBuffer) {
		var out syncBuffer
		cmd := exec.Command(bin, "-config", cfg, "run")
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	first, out1 := start()
	waitFor(t, "the first card", func() bool { return strings.Contains(out1.String(), "── A-1") })
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()

	second, out2 := start()
	defer func() { _ = second.Process.Signal(syscall.SIGTERM); _ = second.Wait() }()
	printed := func() string { return out1.String() + out2.String() }
	defer func() {
		if t.Failed() {
			t.Logf("first run:\n%s\nsecond run:\n%s", out1.String(), out2.String())
		}
	}()
	waitFor(t, "every card after the restart", func() bool {
		for i := 1; i <= len(items); i++ {
			if !strings.Contains(printed(), fmt.Sprintf("── A-%d ", i)) {
				return false
			}
		}
		return true
	})
	as := listAlerts(t, cfg)
	if len(as) != len(items) {
		t.Fatalf("alerts: got %d; want %d (one per post)", len(as), len(items))
	}
	seen := map[string]bool{}
	for _, a := range as {
		if seen[a.Post.Title] {
			t.Fatalf("post %q alerted twice", a.Post.Title)
		}
		seen[a.Post.Title] = true
	}
	if strings.Contains(printed(), fmt.Sprintf("── A-%d ", len(items)+1)) {
		t.Fatalf("an extra alert was printed:\n%s", printed())
	}
}

func TestCheckRefusesUnsearchableKeywordOnlyWatch(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "x.toml")
	writeFile(t, cfg, `
[sources.x]
bearer_token = "t"
[[watch]]
name = "w"
source = "x"
keywords = ["sicari*~leet", "balacera NEAR/3 escuela -simulacro"]
[[route]]
name = "default"
console = true
`)
	code, _, errOut := lookout(t, cfg, "check")
	if code != 1 || !strings.Contains(errOut, `keyword "sicari*~leet" cannot be searched for`) || strings.Contains(errOut, "balacera") {
		t.Fatalf("check: exit %d, stderr %q; want only the unsearchable rule refused", code, errOut)
	}
}

func TestConfigFlagAfterTheCommand(t *testing.T) {
	for _, args := range [][]string{
		{"check", "-config", "../../config.example.toml"},
		{"check", "--config=../../config.example.toml"},
		{"-config", "missing.toml", "check", "-config", "../../config.example.toml"},
	} {
		var out, errOut syncBuffer
		code := run(context.Background(), args, &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }})
		if code != 0 || !strings.Contains(out.String(), "ok (1 watches") {
			t.Errorf("lookout %v: exit %d, stdout %q, stderr %q; want the example config checked", args, code, out.String(), errOut.String())
		}
	}
	var errOut syncBuffer
	if code := run(context.Background(), []string{"check", "-config"}, &env{stdout: &syncBuffer{}, stderr: &errOut, getenv: func(string) string { return "" }}); code != 2 || !strings.Contains(errOut.String(), "-config needs a file name") {
		t.Errorf("-config without a file: exit %d, stderr %q; want a usage error", code, errOut.String())
	}
}

// running is `lookout run` working in-process until stop.
type running struct {
	out, errOut syncBuffer
	cancel      context.CancelFunc
	done        chan int
}

// startRun starts `lookout -config cfg run` in-process.
func startRun(t *testing.T, cfg string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan int, 1)}
	go func() {
		r.done <- run(ctx, []string{"-config", cfg, "run"}, &env{stdout: &r.out, stderr: &r.errOut, getenv: func(string) string { return "" }})
	}()
	return r
}

// stop stops the run like a SIGTERM and fails the test unless it exited
// cleanly; on a failed test it also logs what the run wrote to stderr.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if code := <-r.done; code != 0 {
		t.Errorf("run: exit %d: %s", code, r.errOut.String())
	} else if t.Failed() {
		t.Logf("lookout log:\n%s", r.errOut.String())
	}
}
