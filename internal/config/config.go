// Package config turns Lookout's TOML file into a typed Config.
//
// Loading happens in three steps: Default values first, then the file decoded
// over them, then Validate. Every problem (unknown keys, wrong types, bad
// values) is reported at once in an *Error, each with its TOML key and line.
// Secrets come from ${VAR} references or *_file keys and never appear in
// errors or in Redacted output.
package config

import (
	"fmt"
	"net/url"
	"regexp"
	"time"
)

// Source names accepted in a watch's source key.
const (
	SourceFeed     = "feed"
	SourceX        = "x"
	SourceMastodon = "mastodon"
	SourceBluesky  = "bluesky"
	SourceReddit   = "reddit"
	SourceTelegram = "telegram"
	// SourceYouTube is an alias served by the feed adapter: its accounts are
	// channel IDs or feed URLs.
	SourceYouTube = "youtube"
)

// Redaction replaces every secret in Redacted output.
const Redaction = "[redacted]"

// Config is the whole of lookout.toml. TOML names are in the field tags.
type Config struct {
	LogLevel   string     `toml:"log_level"`
	Store      Store      `toml:"store"`
	HTTP       HTTP       `toml:"http"`
	Slack      Slack      `toml:"slack"`
	Discord    Discord    `toml:"discord"`
	Sources    Sources    `toml:"sources"`
	Watches    []Watch    `toml:"watch"`
	Routes     []Route    `toml:"route"`
	Policies   []Policy   `toml:"policy"`
	Roles      Roles      `toml:"roles"`
	Escalation Escalation `toml:"escalation"`
	Scheduler  Scheduler  `toml:"scheduler"`
	Delivery   Delivery   `toml:"delivery"`

	file  string         // file name used in problems
	lines map[string]int // key path ("watch[1].interval") → line, from the decode step
}

// Store selects the database.
type Store struct {
	Driver string `toml:"driver"` // "sqlite" or "postgres"
	DSN    string `toml:"dsn"`    // file path for sqlite, connection string for postgres
	// RescueAfter is how long a job may stay running before another
	// replica takes it over: the bound on a dead replica's polls and
	// deliveries on postgres. Jobs time out a little before it.
	RescueAfter Duration `toml:"rescue_after"`
}

// HTTP configures the inbound HTTP server (Slack and Discord webhooks,
// metrics). An empty Listen disables it.
type HTTP struct {
	Listen       string `toml:"listen"`
	MaxBodyBytes int64  `toml:"max_body_bytes"`
}

// Slack configures the Slack chat adapter. It is enabled by a bot token.
type Slack struct {
	BotToken          string `toml:"bot_token"`
	BotTokenFile      string `toml:"bot_token_file"`
	AppToken          string `toml:"app_token"` // Socket Mode
	AppTokenFile      string `toml:"app_token_file"`
	SigningSecret     string `toml:"signing_secret"` // HTTP ingress
	SigningSecretFile string `toml:"signing_secret_file"`
	APIURL            string `toml:"api_url"` // ends in "/"
	Command           string `toml:"command"` // slash command, e.g. "/lookout"
}

// Discord configures the Discord chat adapter. It is enabled by a bot token.
type Discord struct {
	BotToken      string   `toml:"bot_token"`
	BotTokenFile  string   `toml:"bot_token_file"`
	ApplicationID string   `toml:"application_id"`
	PublicKey     string   `toml:"public_key"` // hex Ed25519 key verifying interactions
	PublicKeyFile string   `toml:"public_key_file"`
	GuildIDs      []string `toml:"guild_ids"`
	APIURL        string   `toml:"api_url"` // ends in "/"
}

// Sources holds the per-platform settings shared by all watches of a source.
type Sources struct {
	Feed     FeedSource     `toml:"feed"`
	X        XSource        `toml:"x"`
	Mastodon MastodonSource `toml:"mastodon"`
	Bluesky  BlueskySource  `toml:"bluesky"`
	Reddit   RedditSource   `toml:"reddit"`
	Telegram TelegramSource `toml:"telegram"`
}

// FeedSource configures the RSS/Atom/JSON feed adapter (also used by youtube
// watches).
type FeedSource struct {
	// AllowPrivate lets feed URLs reach loopback, private and link-local
	// addresses.
	AllowPrivate bool  `toml:"allow_private"`
	MaxBodyBytes int64 `toml:"max_body_bytes"`
	// UserAgent is sent with every request; empty means "Lookout/<version>",
	// filled in by the binary that knows its version.
	UserAgent string `toml:"user_agent"`
}

// XSource configures the X (Twitter) API adapter.
type XSource struct {
	BaseURL         string `toml:"base_url"`
	BearerToken     string `toml:"bearer_token"`
	BearerTokenFile string `toml:"bearer_token_file"`
}

// MastodonSource configures the Mastodon adapter; BaseURL names the instance.
type MastodonSource struct {
	BaseURL         string `toml:"base_url"`
	AccessToken     string `toml:"access_token"`
	AccessTokenFile string `toml:"access_token_file"`
}

// BlueskySource configures the Bluesky adapter.
type BlueskySource struct {
	BaseURL         string `toml:"base_url"`
	JetstreamURL    string `toml:"jetstream_url"` // optional wss:// Jetstream endpoint
	Identifier      string `toml:"identifier"`    // handle or DID for authenticated calls
	AppPassword     string `toml:"app_password"`
	AppPasswordFile string `toml:"app_password_file"`
}

// RedditSource configures the Reddit adapter.
type RedditSource struct {
	BaseURL          string `toml:"base_url"`
	ClientID         string `toml:"client_id"`
	ClientSecret     string `toml:"client_secret"`
	ClientSecretFile string `toml:"client_secret_file"`
	UserAgent        string `toml:"user_agent"`
}

// TelegramSource configures the Telegram public channel adapter.
type TelegramSource struct {
	BaseURL string `toml:"base_url"`
}

// Watch is one [[watch]]: what to watch on one source and where alerts go.
type Watch struct {
	Name     string   `toml:"name"`
	Source   string   `toml:"source"`
	Accounts []string `toml:"accounts"` // feed URLs for feed watches
	Keywords []string `toml:"keywords"` // rule expressions
	Interval Duration `toml:"interval"`
	Severity string   `toml:"severity"` // low, medium, high or critical
	Route    string   `toml:"route"`
	Backfill bool     `toml:"backfill"` // alert on posts already there at the first poll
	Enabled  bool     `toml:"enabled"`
}

// Adapter returns the name of the source adapter that polls the watch:
// youtube watches are served by the feed adapter.
func (w *Watch) Adapter() string {
	if w.Source == SourceYouTube {
		return SourceFeed
	}
	return w.Source
}

// FeedURLs returns the feed URLs a feed or youtube watch polls, turning
// YouTube channel IDs into their feed URLs. It returns nil for other sources.
func (w *Watch) FeedURLs() []string {
	if w.Adapter() != SourceFeed {
		return nil
	}
	urls := make([]string, 0, len(w.Accounts))
	for _, a := range w.Accounts {
		if w.Source == SourceYouTube && youTubeChannelID.MatchString(a) {
			a = youTubeFeedURL + url.QueryEscape(a)
		}
		urls = append(urls, a)
	}
	return urls
}

const youTubeFeedURL = "https://www.youtube.com/feeds/videos.xml?channel_id="

var youTubeChannelID = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)

func (w *Watch) setDefaults() {
	w.Interval = Duration{5 * time.Minute}
	w.Severity = "medium"
	w.Enabled = true
}

// Route is one [[route]]: where a watch's alerts go.
type Route struct {
	Name            string   `toml:"name"`
	SlackChannels   []string `toml:"slack_channels"`
	DiscordChannels []string `toml:"discord_channels"`
	Console         bool     `toml:"console"`
	Policy          string   `toml:"policy"`       // optional escalation policy
	GroupWindow     Duration `toml:"group_window"` // 0: no grouping
}

// Policy is one [[policy]]: escalation steps for unacknowledged alerts.
type Policy struct {
	Name string `toml:"name"`
	// Repeat is how many more times the whole list of steps runs after the
	// last one.
	Repeat int    `toml:"repeat"`
	Steps  []Step `toml:"step"`
}

// Step is one [[policy.step]]: after this long unacknowledged, notify these
// targets ("slack:#C123", "slack:@U123", "discord:channel:123",
// "discord:role:123", "discord:user:123", "console").
type Step struct {
	After  Duration `toml:"after"`
	Notify []string `toml:"notify"`
}

// Roles lists the identities holding each role ("slack:U123",
// "discord:role:456", "discord:user:789", "cli:name", "cli:*").
type Roles struct {
	Responder []string `toml:"responder"`
	Moderator []string `toml:"moderator"`
	Admin     []string `toml:"admin"`
}

// Escalation holds timer settings shared by all policies.
type Escalation struct {
	// MuteExpiryNotice is how long before a mute expires a notice is posted;
	// 0 disables the notice.
	MuteExpiryNotice Duration `toml:"mute_expiry_notice"`
}

// Scheduler tunes polling.
type Scheduler struct {
	Jitter                 float64  `toml:"jitter"` // fraction of the interval, 0..0.5
	MaxConcurrentPerSource int      `toml:"max_concurrent_per_source"`
	UnhealthyAfter         int      `toml:"unhealthy_after"` // consecutive failures before a notice
	MaxBackoff             Duration `toml:"max_backoff"`
	// RecheckEvery is how often alerted posts are looked up again for
	// deletion ("0s" disables); RecheckWindow is how old an alert may be
	// for its post to be re-checked.
	RecheckEvery  Duration `toml:"recheck_every"`
	RecheckWindow Duration `toml:"recheck_window"`
}

// Delivery tunes posting to chat.
type Delivery struct {
	MaxAttemptsNoticeAfter int      `toml:"max_attempts_notice_after"`
	PacePerChannel         Duration `toml:"pace_per_channel"`
}

// Default returns the configuration used when a key is not in the file.
func Default() *Config {
	return &Config{
		LogLevel: "info",
		Store:    Store{Driver: "sqlite", DSN: defaultDSN, RescueAfter: Duration{5 * time.Minute}},
		HTTP:     HTTP{Listen: "127.0.0.1:8080", MaxBodyBytes: 1 << 20},
		Slack:    Slack{APIURL: "https://slack.com/api/", Command: "/lookout"},
		Discord:  Discord{APIURL: "https://discord.com/api/v10/"},
		Sources: Sources{
			Feed:     FeedSource{MaxBodyBytes: 5 << 20},
			X:        XSource{BaseURL: "https://api.x.com"},
			Bluesky:  BlueskySource{BaseURL: "https://public.api.bsky.app"},
			Reddit:   RedditSource{BaseURL: "https://www.reddit.com"},
			Telegram: TelegramSource{BaseURL: "https://t.me"},
		},
		Escalation: Escalation{MuteExpiryNotice: Duration{time.Hour}},
		Scheduler: Scheduler{
			Jitter:                 0.1,
			MaxConcurrentPerSource: 4,
			UnhealthyAfter:         3,
			MaxBackoff:             Duration{time.Hour},
			RecheckEvery:           Duration{time.Hour},
			RecheckWindow:          Duration{7 * 24 * time.Hour},
		},
		Delivery: Delivery{
			MaxAttemptsNoticeAfter: 5,
			PacePerChannel:         Duration{time.Second},
		},
	}
}

const defaultDSN = "lookout.db"

// Watch returns the watch with the given name.
func (c *Config) Watch(name string) (*Watch, bool) {
	for i := range c.Watches {
		if c.Watches[i].Name == name {
			return &c.Watches[i], true
		}
	}
	return nil, false
}

// Route returns the route with the given name.
func (c *Config) Route(name string) (*Route, bool) {
	for i := range c.Routes {
		if c.Routes[i].Name == name {
			return &c.Routes[i], true
		}
	}
	return nil, false
}

// Policy returns the escalation policy with the given name.
func (c *Config) Policy(name string) (*Policy, bool) {
	for i := range c.Policies {
		if c.Policies[i].Name == name {
			return &c.Policies[i], true
		}
	}
	return nil, false
}

// defaultRoute is the route a watch uses when it names none: the route named
// "default" if there is one, else the first route.
func (c *Config) defaultRoute() string {
	if _, ok := c.Route("default"); ok {
		return "default"
	}
	if len(c.Routes) > 0 {
		return c.Routes[0].Name
	}
	return ""
}

// secretField is a value that may come from a *_file key.
type secretField struct {
	key    string // TOML key of the value, e.g. "slack.bot_token"
	value  *string
	file   *string
	secret bool // false for public values that may still live in a file
}

func (c *Config) secretFields() []secretField {
	return []secretField{
		{"slack.bot_token", &c.Slack.BotToken, &c.Slack.BotTokenFile, true},
		{"slack.app_token", &c.Slack.AppToken, &c.Slack.AppTokenFile, true},
		{"slack.signing_secret", &c.Slack.SigningSecret, &c.Slack.SigningSecretFile, true},
		{"discord.bot_token", &c.Discord.BotToken, &c.Discord.BotTokenFile, true},
		{"discord.public_key", &c.Discord.PublicKey, &c.Discord.PublicKeyFile, false},
		{"sources.x.bearer_token", &c.Sources.X.BearerToken, &c.Sources.X.BearerTokenFile, true},
		{"sources.mastodon.access_token", &c.Sources.Mastodon.AccessToken, &c.Sources.Mastodon.AccessTokenFile, true},
		{"sources.bluesky.app_password", &c.Sources.Bluesky.AppPassword, &c.Sources.Bluesky.AppPasswordFile, true},
		{"sources.reddit.client_secret", &c.Sources.Reddit.ClientSecret, &c.Sources.Reddit.ClientSecretFile, true},
	}
}

// String keeps fmt's %v from printing secrets: it describes the config
// without any value.
func (c *Config) String() string {
	name := c.file
	if name == "" {
		name = "defaults"
	}
	return fmt.Sprintf("config(%s: %d watches, %d routes, %d policies)", name, len(c.Watches), len(c.Routes), len(c.Policies))
}
