package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
)

// Adapter is Lookout on Discord: the notifier the outbox posts through,
// the gateway session (Run) and the HTTP interactions endpoint
// (ServeHTTP). It is safe for concurrent use.
type Adapter struct {
	opts    Options
	session *discordgo.Session
	replays *replays

	mu     sync.Mutex
	appID  string
	guilds map[string]string // channel id → guild id, for message links

	// followups are the interaction edits still running after the first
	// response went out.
	followups sync.WaitGroup
}

var _ alerts.Notifier = (*Adapter)(nil)

// New returns an adapter. It does not connect: Run holds the gateway.
func New(opts Options) (*Adapter, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts.defaults()
	s, err := discordgo.New("Bot " + opts.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	s.Client = &http.Client{
		Transport: newTransport(opts.Transport, opts.APIURL, opts.Now, opts.MaxWait),
		Timeout:   opts.Timeout,
	}
	// discordgo would sleep on 429s without a cap and retry a POST after
	// a 502 (a double post); the transport and the outbox do both jobs.
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	// Run supervises the connection itself, so it can stop and report.
	s.ShouldReconnectOnError = false
	s.StateEnabled = false
	// Interactions need no intents at all, privileged or not.
	s.Identify.Intents = discordgo.IntentsNone
	// discordgo logs through the standard logger; Run logs what matters.
	s.LogLevel = discordgo.LogError - 1
	return &Adapter{
		opts: opts, session: s, appID: opts.AppID, guilds: make(map[string]string),
		replays: newReplays(opts.Window),
	}, nil
}

// Wait blocks until every interaction follow-up has finished.
func (a *Adapter) Wait() { a.followups.Wait() }

// request makes one REST call through discordgo (and so through the
// transport) and decodes the answer into out when out is not nil.
func (a *Adapter) request(ctx context.Context, method, url string, body, out any) error {
	b, err := a.session.RequestWithBucketID(method, url, body, bucketKey(strings.TrimPrefix(url, discordgo.EndpointAPI)), discordgo.WithContext(ctx))
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("discord: decode %s answer: %w", method, err)
	}
	return nil
}

// noMentions allows no mention at all: post text, names and reasons are
// untrusted. It marshals to "parse":[] (an explicit empty list).
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}
