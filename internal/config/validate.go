package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits and accepted values checked by Validate.
const (
	// MinInterval is the shortest polling interval a watch may have.
	MinInterval = 10 * time.Second
	// MaxJitter is the largest scheduler jitter, as a fraction of the interval.
	MaxJitter = 0.5
	// MinRecheckEvery is the shortest deletion re-check period: more often
	// would spend rate-limit budgets for little.
	MinRecheckEvery = 5 * time.Minute
)

var (
	logLevels  = []string{"debug", "info", "warn", "error"}
	drivers    = []string{"sqlite", "postgres"}
	sources    = []string{SourceFeed, SourceX, SourceMastodon, SourceBluesky, SourceReddit, SourceTelegram, SourceYouTube}
	severities = []string{"low", "medium", "high", "critical"}

	namePattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	snowflake       = regexp.MustCompile(`^[0-9]+$`)
	hexKey          = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	notifyTarget    = regexp.MustCompile(`^(slack:[#@][A-Z0-9]+|discord:(channel|role|user):[0-9]+|console)$`)
	roleIdentity    = regexp.MustCompile(`^(slack:(role:)?[A-Z0-9]+|discord:(role|user):[0-9]+|cli:([A-Za-z0-9._-]+|\*))$`)
	hasSpace        = regexp.MustCompile(`\s`)
	notifyForms     = "use slack:#C123 (channel ID), slack:@U123 (user ID), discord:channel:123, discord:role:123, discord:user:123 or console"
	identityForms   = "use slack:U123, discord:role:456, discord:user:789, cli:name or cli:*"
	nameRules       = `use 1 to 64 lowercase letters, digits, "-" or "_", starting with a letter or digit`
	noRouteAdvice   = `no [[route]] is defined: add one, e.g. name = "default" with console = true`
	noDestination   = "route has no destination: set slack_channels, discord_channels or console = true"
	postgresDSNHint = `set a PostgreSQL connection string (postgres://...) for driver "postgres"`
)

// Validate checks the whole configuration and returns an *Error listing every
// problem, with lines when the config came from Parse or Load, or nil.
func (c *Config) Validate() error {
	ps := c.validate()
	if len(ps) == 0 {
		return nil
	}
	sortProblems(ps)
	return &Error{File: c.file, Problems: ps}
}

// checker collects problems, looking up lines as it goes.
type checker struct {
	lines    map[string]int
	problems []Problem
}

func (k *checker) add(key, format string, args ...any) {
	k.problems = append(k.problems, Problem{Key: key, Line: lineOf(k.lines, key), Msg: fmt.Sprintf(format, args...)})
}

func (k *checker) oneOf(key, got string, allowed []string) {
	if !slices.Contains(allowed, got) {
		k.add(key, "must be one of %s (got %q)", strings.Join(allowed, ", "), got)
	}
}

func (k *checker) atLeast(key string, got, min int64) {
	if got < min {
		k.add(key, "must be at least %d (got %d)", min, got)
	}
}

func (k *checker) durationAtLeast(key string, got Duration, min time.Duration) {
	if got.Duration < min {
		k.add(key, "must be at least %s (got %q)", FormatDuration(min), got.String())
	}
}

func (k *checker) positiveDuration(key string, got Duration) {
	if got.Duration <= 0 {
		k.add(key, "must be greater than 0 (got %q)", got.String())
	}
}

// httpURL checks an optional base URL. The value is not echoed: it may carry
// credentials.
func (k *checker) httpURL(key, raw string, schemes ...string) {
	if raw == "" {
		return
	}
	if len(schemes) == 0 {
		schemes = []string{"http", "https"}
	}
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		k.add(key, "must be an absolute %s URL", strings.Join(schemes, " or "))
	}
}

func (k *checker) apiURL(key, raw string) {
	if raw == "" {
		k.add(key, "is required")
		return
	}
	k.httpURL(key, raw)
	if !strings.HasSuffix(raw, "/") {
		k.add(key, `must end in "/"`)
	}
}

func (k *checker) ids(key string, ids []string, what string) {
	for i, id := range ids {
		if !snowflake.MatchString(id) {
			k.add(indexKey(key, i), "must be a %s (digits) (got %q)", what, id)
		}
	}
}

// validate returns every problem, unsorted.
func (c *Config) validate() []Problem {
	k := &checker{lines: c.lines}

	k.oneOf("log_level", c.LogLevel, logLevels)
	c.validateStore(k)
	c.validateHTTP(k)
	c.validateChat(k)
	c.validateSources(k)
	c.validateWatches(k)
	c.validateRoutes(k)
	c.validatePolicies(k)
	c.validateRoles(k)

	if c.Escalation.MuteExpiryNotice.Duration < 0 {
		k.add("escalation.mute_expiry_notice", "must not be negative (got %q)", c.Escalation.MuteExpiryNotice.String())
	}
	if j := c.Scheduler.Jitter; j < 0 || j > MaxJitter {
		k.add("scheduler.jitter", "must be between 0 and %g (got %g)", MaxJitter, j)
	}
	k.atLeast("scheduler.max_concurrent_per_source", int64(c.Scheduler.MaxConcurrentPerSource), 1)
	k.atLeast("scheduler.unhealthy_after", int64(c.Scheduler.UnhealthyAfter), 1)
	k.positiveDuration("scheduler.max_backoff", c.Scheduler.MaxBackoff)
	if e := c.Scheduler.RecheckEvery; e.Duration != 0 {
		k.durationAtLeast("scheduler.recheck_every", e, MinRecheckEvery)
		k.positiveDuration("scheduler.recheck_window", c.Scheduler.RecheckWindow)
	}
	k.atLeast("delivery.max_attempts_notice_after", int64(c.Delivery.MaxAttemptsNoticeAfter), 1)
	if c.Delivery.PacePerChannel.Duration < 0 {
		k.add("delivery.pace_per_channel", "must not be negative (got %q)", c.Delivery.PacePerChannel.String())
	}
	return k.problems
}

func (c *Config) validateStore(k *checker) {
	k.oneOf("store.driver", c.Store.Driver, drivers)
	switch {
	case c.Store.DSN == "":
		k.add("store.dsn", "is required")
	case c.Store.Driver == "postgres" && c.Store.DSN == defaultDSN:
		k.add("store.dsn", "%s", postgresDSNHint)
	}
	k.durationAtLeast("store.rescue_after", c.Store.RescueAfter, 5*time.Second)
}

func (c *Config) validateHTTP(k *checker) {
	if c.HTTP.Listen != "" {
		_, port, err := net.SplitHostPort(c.HTTP.Listen)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			k.add("http.listen", `must be host:port, like "127.0.0.1:8080", or "" to disable (got %q)`, c.HTTP.Listen)
		}
	}
	k.atLeast("http.max_body_bytes", c.HTTP.MaxBodyBytes, 1)
}

func (c *Config) validateChat(k *checker) {
	k.apiURL("slack.api_url", c.Slack.APIURL)
	if cmd := c.Slack.Command; !strings.HasPrefix(cmd, "/") || len(cmd) < 2 || hasSpace.MatchString(cmd) {
		k.add("slack.command", `must be a slash command like "/lookout" (got %q)`, cmd)
	}
	k.apiURL("discord.api_url", c.Discord.APIURL)
	if id := c.Discord.ApplicationID; id != "" && !snowflake.MatchString(id) {
		k.add("discord.application_id", "must be a Discord application ID (digits) (got %q)", id)
	}
	if pk := c.Discord.PublicKey; pk != "" && !hexKey.MatchString(pk) {
		k.add("discord.public_key", "must be 64 hex characters (the application's Ed25519 public key)")
	}
	k.ids("discord.guild_ids", c.Discord.GuildIDs, "Discord guild ID")
}

func (c *Config) validateSources(k *checker) {
	s := c.Sources
	k.atLeast("sources.feed.max_body_bytes", s.Feed.MaxBodyBytes, 1)
	k.httpURL("sources.x.base_url", s.X.BaseURL)
	k.httpURL("sources.mastodon.base_url", s.Mastodon.BaseURL)
	k.httpURL("sources.bluesky.base_url", s.Bluesky.BaseURL)
	k.httpURL("sources.bluesky.jetstream_url", s.Bluesky.JetstreamURL, "ws", "wss")
	k.httpURL("sources.reddit.base_url", s.Reddit.BaseURL)
	k.httpURL("sources.telegram.base_url", s.Telegram.BaseURL)
	if set(s.Bluesky.AppPassword, s.Bluesky.AppPasswordFile) && s.Bluesky.Identifier == "" {
		k.add("sources.bluesky.identifier", "is required with app_password")
	}
	if s.Bluesky.Identifier != "" && !set(s.Bluesky.AppPassword, s.Bluesky.AppPasswordFile) {
		k.add("sources.bluesky.app_password", "is required with identifier (set app_password or app_password_file)")
	}
	if set(s.Reddit.ClientSecret, s.Reddit.ClientSecretFile) && s.Reddit.ClientID == "" {
		k.add("sources.reddit.client_id", "is required with client_secret")
	}
	if s.Reddit.ClientID != "" && !set(s.Reddit.ClientSecret, s.Reddit.ClientSecretFile) {
		k.add("sources.reddit.client_secret", "is required with client_id (set client_secret or client_secret_file)")
	}
	if s.Reddit.ClientID != "" {
		if msg := redditUserAgent(s.Reddit.UserAgent); msg != "" {
			k.add("sources.reddit.user_agent", "%s", msg)
		}
	}

	// What a source needs once a watch uses it, reported once at the first
	// such watch.
	needs := map[string]func() string{
		SourceFeed: func() string { return "" },
		SourceX: func() string {
			if !set(s.X.BearerToken, s.X.BearerTokenFile) {
				return "needs [sources.x] bearer_token or bearer_token_file"
			}
			return baseURLNeeded("x", s.X.BaseURL)
		},
		SourceMastodon: func() string { return baseURLNeeded("mastodon", s.Mastodon.BaseURL) },
		SourceBluesky:  func() string { return baseURLNeeded("bluesky", s.Bluesky.BaseURL) },
		SourceReddit: func() string {
			if s.Reddit.ClientID == "" {
				return "needs [sources.reddit] client_id and client_secret (an approved Reddit app); without one, watch https://www.reddit.com/r/NAME/new/.rss with source \"feed\" (see docs/reddit.md)"
			}
			return baseURLNeeded("reddit", s.Reddit.BaseURL)
		},
		SourceTelegram: func() string { return baseURLNeeded("telegram", s.Telegram.BaseURL) },
	}
	seen := map[string]bool{}
	for i, w := range c.Watches {
		need, ok := needs[w.Adapter()]
		if !ok || seen[w.Adapter()] {
			continue
		}
		seen[w.Adapter()] = true
		if msg := need(); msg != "" {
			k.add(indexKey("watch", i)+".source", "source %q %s", w.Source, msg)
		}
	}
}

// redditUserAgent checks the User-Agent Reddit requires, naming the app and
// a Reddit account ("<platform>:<app ID>:<version> (by /u/<name>)"); Reddit
// throttles or blocks generic ones. The reddit watcher checks it the same way.
func redditUserAgent(ua string) string {
	const like = `like "lookout:org.example.lookout:v1.0 (by /u/yourname)" with your own account`
	l := strings.ToLower(ua)
	switch {
	case strings.TrimSpace(ua) == "":
		return "is required with client_id: Reddit throttles or blocks requests without a descriptive User-Agent; use one " + like
	case !strings.Contains(l, "by /u/") && !strings.Contains(l, "by u/"), strings.Contains(l, "/u/yourname"),
		strings.HasPrefix(l, "mozilla"), strings.HasPrefix(l, "curl"), strings.HasPrefix(l, "python"), strings.HasPrefix(l, "go-http-client"):
		return fmt.Sprintf("%q is too generic: Reddit throttles or blocks generic User-Agents; use one %s", ua, like)
	}
	return ""
}

func baseURLNeeded(source, baseURL string) string {
	if baseURL == "" {
		return "needs [sources." + source + "] base_url"
	}
	return ""
}

func (c *Config) validateWatches(k *checker) {
	names := map[string]string{}
	routes := make([]string, 0, len(c.Routes))
	for _, r := range c.Routes {
		routes = append(routes, r.Name)
	}
	for i, w := range c.Watches {
		key := indexKey("watch", i)
		switch {
		case w.Name == "":
			k.add(key+".name", "is required")
		case !namePattern.MatchString(w.Name):
			k.add(key+".name", "invalid name %q: %s", w.Name, nameRules)
		case names[w.Name] != "":
			k.add(key+".name", "duplicate watch name %q (also %s)", w.Name, names[w.Name])
		default:
			names[w.Name] = key
		}

		switch {
		case w.Source == "":
			k.add(key+".source", "is required: use one of %s", strings.Join(sources, ", "))
		case !slices.Contains(sources, w.Source):
			k.add(key+".source", "unknown source %q%s: use one of %s", w.Source, suggest(w.Source, sources), strings.Join(sources, ", "))
		default:
			validateAccounts(k, key, &w)
		}
		for j, kw := range w.Keywords {
			if strings.TrimSpace(kw) == "" {
				k.add(indexKey(key+".keywords", j), "must not be empty")
			}
		}

		k.durationAtLeast(key+".interval", w.Interval, MinInterval)
		k.oneOf(key+".severity", w.Severity, severities)
		switch {
		case w.Route == "" && len(c.Routes) == 0:
			k.add(key+".route", "%s", noRouteAdvice)
		case w.Route == "":
			k.add(key+".route", "is required")
		case !slices.Contains(routes, w.Route):
			k.add(key+".route", "unknown route %q%s", w.Route, suggest(w.Route, routes))
		}
	}
}

// validateAccounts checks a watch's accounts against its source.
func validateAccounts(k *checker, key string, w *Watch) {
	switch {
	case len(w.Accounts) == 0 && len(w.Keywords) == 0:
		k.add(key+".accounts", "watch has neither accounts nor keywords: set at least one")
		return
	case len(w.Accounts) == 0 && w.Source == SourceFeed:
		k.add(key+".accounts", "feed watches need accounts (feed URLs)")
		return
	case len(w.Accounts) == 0 && w.Source == SourceYouTube:
		k.add(key+".accounts", "youtube watches need accounts (channel IDs or feed URLs)")
		return
	}
	for j, a := range w.Accounts {
		akey := indexKey(key+".accounts", j)
		switch w.Source {
		case SourceFeed:
			if !isFeedURL(a, "http", "https", "file") {
				k.add(akey, "invalid feed URL %q: use an http, https or file URL", redactURL(a))
			}
		case SourceYouTube:
			if !youTubeChannelID.MatchString(a) && !isFeedURL(a, "http", "https") {
				k.add(akey, "invalid youtube account %q: use a channel ID (UC followed by 22 characters) or a feed URL", redactURL(a))
			}
		default:
			if a == "" || hasSpace.MatchString(a) {
				k.add(akey, "invalid account %q: must not be empty or contain spaces", a)
			}
		}
	}
}

func isFeedURL(raw string, schemes ...string) bool {
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(schemes, u.Scheme) {
		return false
	}
	if u.Scheme == "file" {
		// file://examples/feed.xml is read relative to the working directory.
		return u.Host != "" || u.Path != ""
	}
	return u.Host != ""
}

func (c *Config) validateRoutes(k *checker) {
	names := map[string]string{}
	policies := make([]string, 0, len(c.Policies))
	for _, p := range c.Policies {
		policies = append(policies, p.Name)
	}
	for i, r := range c.Routes {
		key := indexKey("route", i)
		switch {
		case r.Name == "":
			k.add(key+".name", "is required")
		case names[r.Name] != "":
			k.add(key+".name", "duplicate route name %q (also %s)", r.Name, names[r.Name])
		default:
			names[r.Name] = key
		}
		if len(r.SlackChannels) == 0 && len(r.DiscordChannels) == 0 && !r.Console {
			k.add(key, "%s", noDestination)
		}
		if len(r.SlackChannels) > 0 && !set(c.Slack.BotToken, c.Slack.BotTokenFile) {
			k.add(key+".slack_channels", "needs [slack] bot_token or bot_token_file")
		}
		for j, ch := range r.SlackChannels {
			if ch == "" || hasSpace.MatchString(ch) {
				k.add(indexKey(key+".slack_channels", j), "must be a Slack channel ID like C123 (got %q)", ch)
			}
		}
		if len(r.DiscordChannels) > 0 && !set(c.Discord.BotToken, c.Discord.BotTokenFile) {
			k.add(key+".discord_channels", "needs [discord] bot_token or bot_token_file")
		}
		k.ids(key+".discord_channels", r.DiscordChannels, "Discord channel ID")
		if r.Policy != "" && !slices.Contains(policies, r.Policy) {
			k.add(key+".policy", "unknown policy %q%s", r.Policy, suggest(r.Policy, policies))
		}
		if r.GroupWindow.Duration < 0 {
			k.add(key+".group_window", "must not be negative (got %q)", r.GroupWindow.String())
		}
	}
}

func (c *Config) validatePolicies(k *checker) {
	names := map[string]string{}
	for i, p := range c.Policies {
		key := indexKey("policy", i)
		switch {
		case p.Name == "":
			k.add(key+".name", "is required")
		case names[p.Name] != "":
			k.add(key+".name", "duplicate policy name %q (also %s)", p.Name, names[p.Name])
		default:
			names[p.Name] = key
		}
		if p.Repeat < 0 {
			k.add(key+".repeat", "must be at least 0 (got %d)", p.Repeat)
		}
		if len(p.Steps) == 0 {
			k.add(key, "policy has no steps: add a [[policy.step]] with after and notify")
		}
		for j, s := range p.Steps {
			skey := indexKey(key+".step", j)
			switch {
			case s.After.Duration <= 0:
				k.positiveDuration(skey+".after", s.After)
			case j > 0 && s.After.Duration <= p.Steps[j-1].After.Duration:
				k.add(skey+".after", "must be later than the previous step's %q (got %q)", p.Steps[j-1].After.String(), s.After.String())
			}
			if len(s.Notify) == 0 {
				k.add(skey+".notify", "is required: %s", notifyForms)
			}
			for n, t := range s.Notify {
				if !notifyTarget.MatchString(t) {
					k.add(indexKey(skey+".notify", n), "invalid notify target %q: %s", t, notifyForms)
				}
			}
		}
	}
}

func (c *Config) validateRoles(k *checker) {
	for _, role := range []struct {
		key string
		ids []string
	}{
		{"roles.responder", c.Roles.Responder},
		{"roles.moderator", c.Roles.Moderator},
		{"roles.admin", c.Roles.Admin},
	} {
		for i, id := range role.ids {
			if !roleIdentity.MatchString(id) {
				k.add(indexKey(role.key, i), "invalid identity %q: %s", id, identityForms)
			}
		}
	}
}

// set reports whether a secret is configured, directly or through its *_file
// key. A file that could not be read is reported when loading; checking the
// empty value again would only repeat that problem.
func set(value, file string) bool {
	return value != "" || file != ""
}
