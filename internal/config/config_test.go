package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden .err files in testdata/invalid")

// env is a fake environment for parse.
type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// minimal is the smallest valid config: one feed watch printed to the console.
const minimal = `
[[watch]]
name = "sample"
source = "feed"
accounts = ["https://example.com/feed.xml"]

[[route]]
name = "default"
console = true
`

func mustParse(t *testing.T, doc string, e env) *Config {
	t.Helper()
	c, err := parse([]byte(doc), "test.toml", e.lookup)
	if err != nil {
		t.Fatalf("parse: got error\n%v\nwant none", err)
	}
	return c
}

func TestInvalidConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("glob testdata/invalid: got %d files, %v; want some", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := parse(data, filepath.Base(file), env{}.lookup)
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("parse: got %v (%T); want *Error", err, err)
			}
			if c != nil {
				t.Errorf("parse: got a config with an error; want nil")
			}
			got := cerr.Error()
			golden := strings.TrimSuffix(file, ".toml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if got != strings.TrimSuffix(string(want), "\n") {
				t.Errorf("error text:\ngot:\n%s\nwant:\n%s", got, want)
			}
			for _, p := range cerr.Problems {
				if p.Line == 0 {
					t.Errorf("problem %q: got line 0; want the line in %s", p.Key+": "+p.Msg, file)
				}
			}
		})
	}
}

func TestMultipleProblemsAllReported(t *testing.T) {
	data, err := os.ReadFile("testdata/invalid/multiple-problems.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = parse(data, "multiple-problems.toml", env{}.lookup)
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("got %v; want *Error", err)
	}
	want := []struct {
		key  string
		line int
	}{
		{"watch[0].accounts", 4},
		{"watch[0].interval", 8},
		{"watch[1].name", 11},
		{"watch[1].source", 12},
		{"watch[1].severity", 14},
		{"watch[1].route", 15},
		{"watch[1].colour", 16},
		{"route[0].slack_channels", 20},
		{"policy[0].step[1].after", 31},
		{"policy[0].step[1].notify[0]", 32},
		{"roles.admin[0]", 35},
	}
	got := map[string]int{}
	for _, p := range cerr.Problems {
		got[p.Key] = p.Line
	}
	for _, w := range want {
		line, ok := got[w.key]
		if !ok {
			t.Errorf("problem for %s: missing; want one at line %d\nall problems:\n%v", w.key, w.line, err)
			continue
		}
		if line != w.line {
			t.Errorf("problem for %s: got line %d; want %d", w.key, line, w.line)
		}
	}
}

func TestDefaultsApplied(t *testing.T) {
	c := mustParse(t, minimal, env{})
	w, ok := c.Watch("sample")
	if !ok {
		t.Fatal(`Watch("sample"): not found`)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"log_level", c.LogLevel, "info"},
		{"store.driver", c.Store.Driver, "sqlite"},
		{"store.dsn", c.Store.DSN, "lookout.db"},
		{"http.listen", c.HTTP.Listen, "127.0.0.1:8080"},
		{"http.max_body_bytes", c.HTTP.MaxBodyBytes, int64(1048576)},
		{"slack.api_url", c.Slack.APIURL, "https://slack.com/api/"},
		{"slack.command", c.Slack.Command, "/lookout"},
		{"discord.api_url", c.Discord.APIURL, "https://discord.com/api/v10/"},
		{"sources.feed.max_body_bytes", c.Sources.Feed.MaxBodyBytes, int64(5 << 20)},
		{"sources.x.base_url", c.Sources.X.BaseURL, "https://api.x.com"},
		{"sources.bluesky.base_url", c.Sources.Bluesky.BaseURL, "https://public.api.bsky.app"},
		{"sources.telegram.base_url", c.Sources.Telegram.BaseURL, "https://t.me"},
		{"watch.interval", w.Interval.Duration, 5 * time.Minute},
		{"watch.severity", w.Severity, "medium"},
		{"watch.route", w.Route, "default"},
		{"watch.backfill", w.Backfill, false},
		{"watch.enabled", w.Enabled, true},
		{"route.group_window", c.Routes[0].GroupWindow.Duration, time.Duration(0)},
		{"escalation.mute_expiry_notice", c.Escalation.MuteExpiryNotice.Duration, time.Hour},
		{"scheduler.jitter", c.Scheduler.Jitter, 0.1},
		{"scheduler.max_concurrent_per_source", c.Scheduler.MaxConcurrentPerSource, 4},
		{"scheduler.unhealthy_after", c.Scheduler.UnhealthyAfter, 3},
		{"scheduler.max_backoff", c.Scheduler.MaxBackoff.Duration, time.Hour},
		{"delivery.max_attempts_notice_after", c.Delivery.MaxAttemptsNoticeAfter, 5},
		{"delivery.pace_per_channel", c.Delivery.PacePerChannel.Duration, time.Second},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s: got %v; want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate(): got\n%v\nwant nil", err)
	}
}

func TestDefaultRoute(t *testing.T) {
	tests := []struct {
		name   string
		routes string
		want   string
	}{
		{"named default wins", "[[route]]\nname = \"first\"\nconsole = true\n[[route]]\nname = \"default\"\nconsole = true\n", "default"},
		{"else the first route", "[[route]]\nname = \"first\"\nconsole = true\n[[route]]\nname = \"second\"\nconsole = true\n", "first"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := "[[watch]]\nname = \"w\"\nsource = \"x\"\naccounts = [\"@a\"]\n[sources.x]\nbearer_token = \"t\"\n" + tc.routes
			c := mustParse(t, doc, env{})
			if got := c.Watches[0].Route; got != tc.want {
				t.Errorf("route: got %q; want %q", got, tc.want)
			}
		})
	}
}

func TestDurations(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{"seconds", "30s", 30 * time.Second},
		{"minutes", "5m", 5 * time.Minute},
		{"hours", "24h", 24 * time.Hour},
		{"days", "7d", 7 * 24 * time.Hour},
		{"days and hours", "1d12h", 36 * time.Hour},
		{"fractional days", "1.5d", 36 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := minimal + "\n[[policy]]\nname = \"p\"\n[[policy.step]]\nafter = \"" + tc.value + "\"\nnotify = [\"console\"]\n"
			c := mustParse(t, doc, env{})
			if got := c.Policies[0].Steps[0].After.Duration; got != tc.want {
				t.Errorf("after = %q: got %v; want %v", tc.value, got, tc.want)
			}
		})
	}
}

func TestEnvExpansion(t *testing.T) {
	doc := `
[slack]
bot_token = "${SLACK_BOT_TOKEN}"
command = "/${CMD}-bot"
api_url = "$NOT_EXPANDED/"  # $NAME is left alone; ${IN_COMMENT} is ignored

[[route]]
name = "default"
slack_channels = ["${CHANNEL}"]
`
	e := env{"SLACK_BOT_TOKEN": "xoxb-1", "CMD": "watch", "CHANNEL": "C42"}
	_, err := parse([]byte(doc), "test.toml", e.lookup)
	var cerr *Error
	if !errors.As(err, &cerr) || len(cerr.Problems) != 1 || cerr.Problems[0].Key != "slack.api_url" {
		t.Fatalf("got %v; want only the api_url problem (\"$NOT_EXPANDED/\" is not a URL)", err)
	}

	doc = strings.Replace(doc, "$NOT_EXPANDED/", "https://$NOT_EXPANDED.example/", 1)
	c := mustParse(t, doc, e)
	checks := []struct{ name, got, want string }{
		{"slack.bot_token", c.Slack.BotToken, "xoxb-1"},
		{"slack.command", c.Slack.Command, "/watch-bot"},
		{"slack.api_url", c.Slack.APIURL, "https://$NOT_EXPANDED.example/"},
		{"route.slack_channels[0]", c.Routes[0].SlackChannels[0], "C42"},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s: got %q; want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	doc := `
[slack]
bot_token_file = "` + write("bot", "xoxb-FILE\n") + `"
signing_secret_file = "` + write("signing", "s3cret\r\n") + `"

[discord]
bot_token_file = "` + write("discord", "discord-token") + `"

[sources.x]
bearer_token_file = "` + write("x", "bearer\n") + `"
` + minimal
	c := mustParse(t, doc, env{})
	checks := []struct{ name, got, want string }{
		{"slack.bot_token", c.Slack.BotToken, "xoxb-FILE"},
		{"slack.signing_secret", c.Slack.SigningSecret, "s3cret"},
		{"discord.bot_token", c.Discord.BotToken, "discord-token"},
		{"sources.x.bearer_token", c.Sources.X.BearerToken, "bearer"},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s: got %q; want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestHelpers(t *testing.T) {
	doc := minimal + `
[[policy]]
name = "oncall"
[[policy.step]]
after = "15m"
notify = ["console"]
`
	c := mustParse(t, doc, env{})
	if w, ok := c.Watch("sample"); !ok || w.Name != "sample" {
		t.Errorf(`Watch("sample"): got %v, %v; want the watch`, w, ok)
	}
	if _, ok := c.Watch("nope"); ok {
		t.Errorf(`Watch("nope"): got found; want not found`)
	}
	if r, ok := c.Route("default"); !ok || !r.Console {
		t.Errorf(`Route("default"): got %v, %v; want the console route`, r, ok)
	}
	if p, ok := c.Policy("oncall"); !ok || p.Steps[0].After.Duration != 15*time.Minute {
		t.Errorf(`Policy("oncall"): got %v, %v; want the policy`, p, ok)
	}
	if _, ok := c.Policy("nope"); ok {
		t.Errorf(`Policy("nope"): got found; want not found`)
	}
}

func TestYouTubeWatch(t *testing.T) {
	doc := `
[[watch]]
name = "yt"
source = "youtube"
accounts = ["UC_x5XG1OV2P6uZZ5FSM9Ttw", "https://www.youtube.com/feeds/videos.xml?playlist_id=PL1"]

[[route]]
name = "default"
console = true
`
	c := mustParse(t, doc, env{})
	w := &c.Watches[0]
	if got := w.Adapter(); got != SourceFeed {
		t.Errorf("Adapter: got %q; want %q", got, SourceFeed)
	}
	want := []string{
		"https://www.youtube.com/feeds/videos.xml?channel_id=UC_x5XG1OV2P6uZZ5FSM9Ttw",
		"https://www.youtube.com/feeds/videos.xml?playlist_id=PL1",
	}
	if got := w.FeedURLs(); !reflect.DeepEqual(got, want) {
		t.Errorf("FeedURLs: got %q; want %q", got, want)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lookout.toml")
	if err := os.WriteFile(path, []byte(minimal+"\n[[watch]]\nname = \"bad\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load: got %v; want *Error", err)
	}
	if !strings.HasPrefix(err.Error(), path+":11: watch[1]") {
		t.Errorf("Load: got %q; want it to start with %q", err, path+":11: watch[1]")
	}

	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing): got %v; want an os.ErrNotExist error", err)
	}
}

func TestValidateOnBuiltConfig(t *testing.T) {
	c := Default()
	c.Watches = []Watch{{Name: "w", Source: "feed", Accounts: []string{"https://example.com/f.xml"}, Interval: Duration{time.Second}, Severity: "low"}}
	err := c.Validate()
	want := "watch[0].interval: must be at least 10s (got \"1s\")\n" +
		"watch[0].route: " + noRouteAdvice
	if err == nil || err.Error() != want {
		t.Errorf("Validate:\ngot:\n%v\nwant:\n%s", err, want)
	}
}

func TestExampleConfigLoads(t *testing.T) {
	const path = "../../config.example.toml"
	if _, err := Load(path); err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	// It must also load with no environment variable set at all.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := parse(data, path, env{}.lookup)
	if err != nil {
		t.Fatalf("parse(%s) with an empty environment: %v", path, err)
	}
	w, ok := c.Watch("sample")
	if !ok {
		t.Fatal(`example: no watch "sample"`)
	}
	if w.Interval.Duration != 30*time.Second || !w.Backfill || w.Route != "default" {
		t.Errorf("example watch: got interval %v, backfill %v, route %q; want 30s, true, \"default\"", w.Interval, w.Backfill, w.Route)
	}
	if len(c.Watches) != 1 {
		t.Errorf("example: got %d active watches; want 1", len(c.Watches))
	}
}
