package config

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Redacted returns a deep copy of c with every secret replaced by
// "[redacted]": tokens, passwords, signing secrets, the password in a
// PostgreSQL DSN and credentials embedded in URLs. It is what `lookout check`
// prints and what may be logged.
func (c *Config) Redacted() *Config {
	r := *c
	r.lines = maps.Clone(c.lines)
	r.Discord.GuildIDs = slices.Clone(c.Discord.GuildIDs)
	r.Watches = slices.Clone(c.Watches)
	for i := range r.Watches {
		w := &r.Watches[i]
		w.Keywords = slices.Clone(w.Keywords)
		w.Accounts = slices.Clone(w.Accounts)
		for j, a := range w.Accounts {
			w.Accounts[j] = redactURL(a)
		}
	}
	r.Routes = slices.Clone(c.Routes)
	for i := range r.Routes {
		r.Routes[i].SlackChannels = slices.Clone(r.Routes[i].SlackChannels)
		r.Routes[i].DiscordChannels = slices.Clone(r.Routes[i].DiscordChannels)
	}
	r.Policies = slices.Clone(c.Policies)
	for i := range r.Policies {
		p := &r.Policies[i]
		p.Steps = slices.Clone(p.Steps)
		for j := range p.Steps {
			p.Steps[j].Notify = slices.Clone(p.Steps[j].Notify)
		}
	}
	r.Roles.Responder = slices.Clone(c.Roles.Responder)
	r.Roles.Moderator = slices.Clone(c.Roles.Moderator)
	r.Roles.Admin = slices.Clone(c.Roles.Admin)

	for _, s := range r.secretFields() {
		if s.secret && *s.value != "" {
			*s.value = Redaction
		}
	}
	r.Store.DSN = redactDSN(r.Store.DSN)
	for _, u := range []*string{
		&r.Slack.APIURL, &r.Discord.APIURL,
		&r.Sources.X.BaseURL, &r.Sources.Mastodon.BaseURL, &r.Sources.Bluesky.BaseURL,
		&r.Sources.Bluesky.JetstreamURL, &r.Sources.Reddit.BaseURL, &r.Sources.Telegram.BaseURL,
	} {
		*u = redactURL(*u)
	}
	return &r
}

// redactURL hides the password of a URL with credentials; other strings are
// returned as they are.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); !ok {
		return raw
	}
	// url.URL.Redacted writes "xxxxx"; "[redacted]" would be escaped.
	return strings.Replace(u.Redacted(), ":xxxxx@", ":"+Redaction+"@", 1)
}

// dsnPassword matches the password of a key=value PostgreSQL DSN.
var dsnPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if q := u.Query(); q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = strings.Replace(q.Encode(), "password=xxxxx", "password="+Redaction, 1)
			dsn = u.String()
		}
		return redactURL(dsn)
	}
	return dsnPassword.ReplaceAllString(dsn, "${1}"+Redaction)
}
