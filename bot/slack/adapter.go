package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
	"github.com/lookoutbot/lookout/internal/httpx"
)

// Handler runs one command for one person; *bot.Handler is one.
type Handler interface {
	Handle(ctx context.Context, a bot.Actor, actionID, text string) *bot.Reply
}

var _ Handler = (*bot.Handler)(nil)

// Options configure an Adapter.
type Options struct {
	// BotToken (xoxb-…) authenticates every Web API call. Required.
	BotToken string
	// AppToken (xapp-…, connections:write) enables Socket Mode.
	AppToken string
	// SigningSecret verifies HTTP requests from Slack.
	SigningSecret string
	// APIURL is the Web API base URL; it must end in "/". Default
	// https://slack.com/api/.
	APIURL string
	// Command is the slash command, default "/lookout".
	Command string
	// Handler runs commands and clicks. Required for Socket Mode and HTTP.
	Handler Handler
	// UserGroups looks up each actor's user groups (usergroups:read) so
	// that [roles] entries "slack:role:S123" apply to their members.
	UserGroups bool
	// HTTPClient makes the Web API calls. It must not retry: the outbox
	// owns retries. Default: a plain client with a 15 s timeout.
	HTTPClient *http.Client
	// MaxBody bounds inbound request bodies; default 256 KiB.
	MaxBody int64
	// PingInterval is how long Socket Mode waits for Slack's ping before
	// reconnecting; default 30 s.
	PingInterval time.Duration
	// WorkTimeout bounds the work for one command after its ack.
	WorkTimeout time.Duration
	// Now is the clock (signature windows, card times); tests inject one.
	Now    func() time.Time
	Logger *slog.Logger
}

// Adapter is Lookout's Slack connection: an alerts.Notifier for the
// outbox, a Socket Mode client (Run) and HTTP endpoints (Mount).
type Adapter struct {
	opts   Options
	api    *slack.Client
	apiURL string
	log    *slog.Logger
	groups *groupCache
	// work tracks the commands and clicks being answered after their ack.
	work sync.WaitGroup
}

var _ alerts.Notifier = (*Adapter)(nil)

// New returns an adapter. It makes no network call.
func New(opts Options) (*Adapter, error) {
	if opts.BotToken == "" {
		return nil, errors.New("slack: a bot token is required")
	}
	if opts.APIURL == "" {
		opts.APIURL = slack.APIURL
	}
	if !strings.HasSuffix(opts.APIURL, "/") {
		// slack-go joins the base and the method by concatenation.
		opts.APIURL += "/"
	}
	if opts.Command == "" {
		opts.Command = "/lookout"
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: defaultAPITimeout}
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = defaultMaxBody
	}
	if opts.WorkTimeout <= 0 {
		opts.WorkTimeout = defaultWorkTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	hc := *opts.HTTPClient
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = retryAfterTransport{base: base, now: opts.Now}
	clientOpts := []slack.Option{slack.OptionAPIURL(opts.APIURL), slack.OptionHTTPClient(&hc)}
	if opts.AppToken != "" {
		clientOpts = append(clientOpts, slack.OptionAppLevelToken(opts.AppToken))
	}
	a := &Adapter{
		opts:   opts,
		api:    slack.New(opts.BotToken, clientOpts...),
		apiURL: opts.APIURL,
		log:    opts.Logger.With("chat", "slack"),
	}
	a.groups = newGroupCache(a.api, opts.Now)
	return a, nil
}

// Wait blocks until every command and click being answered is done.
func (a *Adapter) Wait() { a.work.Wait() }

// retryAfterTransport rewrites a 429's Retry-After into whole seconds, the
// only form slack-go reads (an HTTP date would become a parse error), and
// drops a value it cannot read, so slack-go reports a plain 429 that gets
// the default wait.
type retryAfterTransport struct {
	base http.RoundTripper
	now  func() time.Time
}

func (t retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return resp, nil
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return resp, nil
	}
	if d, ok := httpx.RetryAfter(resp.Header, t.now()); ok {
		resp.Header.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10))
	} else {
		resp.Header.Del("Retry-After")
	}
	return resp, nil
}

// messageRef is how a posted message is referenced for edits:
// "C123/1700000000.000100".
func messageRef(channel, ts string) string { return channel + "/" + ts }

func parseRef(ref string) (channel, ts string, err error) {
	channel, ts, ok := strings.Cut(ref, "/")
	if !ok || channel == "" || ts == "" {
		return "", "", fmt.Errorf("slack: message reference %q is not CHANNEL/TS: %w", ref, alerts.ErrPermanent)
	}
	return channel, ts, nil
}
