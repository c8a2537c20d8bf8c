package discord

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// Handler runs one command typed or clicked by a person; *bot.Handler is
// one.
type Handler interface {
	Handle(ctx context.Context, a bot.Actor, actionID, text string) *bot.Reply
}

// AlertLister lists alerts for autocomplete; *alerts.Service is one.
type AlertLister interface {
	Alerts(ctx context.Context, f alerts.AlertFilter) ([]*alerts.Alert, error)
}

// WatchLister lists watches for autocomplete; *watchers.Registry is one.
type WatchLister interface {
	List(ctx context.Context) ([]*alerts.Watch, error)
}

// DefaultAPIURL is Discord's REST API.
const DefaultAPIURL = "https://discord.com/api/v10/"

// Defaults of the options.
const (
	// DefaultDeferAfter is how long an interaction waits for its answer
	// before deferring: Discord drops a first response after 3 s.
	DefaultDeferAfter = 2 * time.Second
	// DefaultWindow is how far an HTTP interaction's signed timestamp may
	// be from now.
	DefaultWindow = 5 * time.Minute
	// DefaultMaxBody bounds an HTTP interaction's body.
	DefaultMaxBody = 256 << 10
	// DefaultMaxWait is the longest a REST call waits for a rate-limit
	// bucket before handing the wait back as a RetryAfterError.
	DefaultMaxWait = 2 * time.Second
	// DefaultTimeout bounds each REST call.
	DefaultTimeout = 15 * time.Second
)

// Options configure an Adapter. Token, and Handler for commands, are
// required; zero values of the rest take the defaults.
type Options struct {
	// Token is the bot token, without the "Bot " prefix.
	Token string
	// AppID is the application id; empty means ask Discord at start.
	AppID string
	// PublicKey verifies HTTP interactions; nil means interactions come
	// over the gateway.
	PublicKey ed25519.PublicKey
	// GuildIDs are the guilds the /lookout command is registered in; none
	// registers it globally.
	GuildIDs []string
	// APIURL is where every REST call goes, ending in "/".
	APIURL string

	Handler Handler
	// Alerts and Watches feed autocomplete; nil answers no choices.
	Alerts  AlertLister
	Watches WatchLister
	// Roles decide who may see autocomplete choices (alert snippets).
	Roles bot.Roles

	// Transport carries the HTTP requests; default a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Now is the clock.
	Now    func() time.Time
	Logger *slog.Logger

	// DeferAfter is how long a command may take before its interaction
	// is deferred; negative defers at once.
	DeferAfter time.Duration
	Window     time.Duration
	MaxBody    int64
	MaxWait    time.Duration
	Timeout    time.Duration
	// ReconnectMin and ReconnectMax bound the wait between gateway
	// connection attempts.
	ReconnectMin, ReconnectMax time.Duration
}

func (o *Options) defaults() {
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DeferAfter == 0 {
		o.DeferAfter = DefaultDeferAfter
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = time.Second
	}
	if o.ReconnectMax <= 0 {
		o.ReconnectMax = 5 * time.Minute
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
}

// Validate reports every problem with the options at once.
func (o *Options) Validate() error {
	var errs []error
	if strings.TrimSpace(o.Token) == "" {
		errs = append(errs, errors.New("discord: a bot token is required"))
	}
	if strings.HasPrefix(o.Token, "Bot ") {
		errs = append(errs, errors.New(`discord: give the bot token without the "Bot " prefix`))
	}
	if o.AppID != "" && !isSnowflake(o.AppID) {
		errs = append(errs, fmt.Errorf("discord: application id %q is not a Discord id", o.AppID))
	}
	if o.PublicKey != nil && len(o.PublicKey) != ed25519.PublicKeySize {
		errs = append(errs, fmt.Errorf("discord: public key has %d bytes; want %d", len(o.PublicKey), ed25519.PublicKeySize))
	}
	for _, g := range o.GuildIDs {
		if !isSnowflake(g) {
			errs = append(errs, fmt.Errorf("discord: guild id %q is not a Discord id", g))
		}
	}
	if o.APIURL != "" {
		u, err := url.Parse(o.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasSuffix(u.Path, "/") {
			errs = append(errs, fmt.Errorf("discord: api url %q must be an http(s) URL ending in /", o.APIURL))
		}
	}
	if o.Handler == nil {
		errs = append(errs, errors.New("discord: a command handler is required"))
	}
	return errors.Join(errs...)
}

// isSnowflake reports whether s is a Discord id: digits only.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
