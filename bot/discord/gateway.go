package discord

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/lookoutbot/lookout/alerts"
)

// Gateway close codes that reconnecting cannot fix. See
// https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes.
var fatalCloses = map[int]string{
	4004: "the gateway refused the bot token (close 4004 Authentication failed): check [discord] bot_token (Developer Portal → Bot → Reset Token)",
	4010: "the gateway refused the shard (close 4010)",
	4011: "the gateway requires sharding (close 4011)",
	4012: "the gateway refused the API version (close 4012)",
	4013: "the gateway refused the intents (close 4013 Invalid intents)",
	4014: "the gateway refused the intents (close 4014 Disallowed intents): enable them under Developer Portal → Bot → Privileged Gateway Intents, or remove them",
}

// Run registers /lookout (one bulk overwrite per configured guild, or
// globally without guilds) and, unless interactions come over HTTP
// (PublicKey set), holds the gateway: it connects, handles
// INTERACTION_CREATE, and reconnects (resuming the session) until ctx
// ends. It returns ctx.Err(), or an error explaining a refusal that
// reconnecting cannot fix: a bad token, refused intents.
func (a *Adapter) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	// Registration retries until it succeeds or Run ends; cancel it first.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	appID, err := a.application(ctx)
	if err != nil {
		return err
	}
	wg.Go(func() { a.register(ctx, appID) })
	if a.opts.PublicKey != nil {
		a.opts.Logger.Info("discord_http_interactions", "endpoint", "/discord/interactions")
		<-ctx.Done()
		return ctx.Err()
	}
	return a.gateway(ctx)
}

// application returns the application id, asking Discord when the config
// does not give it. A refused token ends Run; other failures are retried.
func (a *Adapter) application(ctx context.Context) (string, error) {
	a.mu.Lock()
	id := a.appID
	a.mu.Unlock()
	if id != "" {
		return id, nil
	}
	wait := a.opts.ReconnectMin
	for {
		var app discordgo.Application
		err := classify("get the application", a.request(ctx, "GET", discordgo.EndpointOAuth2Application("@me"), nil, &app))
		if err == nil && isSnowflake(app.ID) {
			a.mu.Lock()
			a.appID = app.ID
			a.mu.Unlock()
			return app.ID, nil
		}
		if errors.Is(err, alerts.ErrPermanent) {
			return "", fmt.Errorf("discord: %w (check [discord] bot_token)", err)
		}
		a.opts.Logger.Warn("discord_application_lookup_failed", "err", err, "retry_in", wait)
		if err := sleep(ctx, wait); err != nil {
			return "", err
		}
		wait = min(2*wait, a.opts.ReconnectMax)
	}
}

// register overwrites the application's commands with /lookout, once per
// guild: an idempotent PUT, retried until it succeeds or fails for good.
func (a *Adapter) register(ctx context.Context, appID string) {
	guilds := a.opts.GuildIDs
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	cmds := []*discordgo.ApplicationCommand{Command()}
	for _, g := range guilds {
		url := discordgo.EndpointApplicationGuildCommands(appID, g)
		where := "guild " + g
		if g == "" {
			url, where = discordgo.EndpointApplicationGlobalCommands(appID), "every guild (global)"
		}
		wait := a.opts.ReconnectMin
		for {
			err := classify("register /lookout in "+where, a.request(ctx, "PUT", url, cmds, nil))
			if err == nil {
				a.opts.Logger.Info("discord_commands_registered", "where", where)
				break
			}
			if errors.Is(err, alerts.ErrPermanent) {
				a.opts.Logger.Error("discord_commands_not_registered", "where", where, "err", err,
					"hint", "invite the bot with the applications.commands scope: lookout discord invite")
				break
			}
			if ra, ok := alerts.RetryAfter(err); ok {
				wait = max(wait, ra)
			}
			a.opts.Logger.Warn("discord_commands_register_retry", "where", where, "err", err, "retry_in", wait)
			if sleep(ctx, wait) != nil {
				return
			}
			wait = min(2*wait, a.opts.ReconnectMax)
		}
	}
}

// gateway holds the websocket session until ctx ends.
func (a *Adapter) gateway(ctx context.Context) error {
	s := a.session
	disconnected := make(chan struct{}, 1)
	defer s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		// discordgo runs each handler in its own goroutine.
		a.followups.Add(1)
		defer a.followups.Done()
		i := ic.Interaction
		a.interact(ctx, i, func(ctx context.Context, r any) error {
			return a.request(ctx, "POST", discordgo.EndpointInteractionResponse(i.ID, i.Token), r, nil)
		})
	})()
	defer s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		user := ""
		if r.User != nil {
			user = r.User.Username
		}
		a.opts.Logger.Info("discord_gateway_ready", "bot", user, "guilds", len(r.Guilds))
	})()
	defer s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		a.opts.Logger.Info("discord_gateway_resumed")
	})()
	defer s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		select {
		case disconnected <- struct{}{}:
		default:
		}
	})()

	wait := a.opts.ReconnectMin
	for {
		err := open(ctx, s)
		switch {
		case ctx.Err() != nil:
			if err == nil {
				_ = s.Close()
			}
			return ctx.Err()
		case err == nil:
			wait = a.opts.ReconnectMin
			a.opts.Logger.Info("discord_gateway_connected")
			select {
			case <-ctx.Done():
				_ = s.Close()
				return ctx.Err()
			case <-disconnected:
				a.opts.Logger.Warn("discord_gateway_disconnected", "action", "resuming")
				continue
			}
		}
		if fatal := fatalGatewayError(err); fatal != nil {
			return fatal
		}
		a.opts.Logger.Warn("discord_gateway_connect_failed", "err", classify("connect", err), "retry_in", wait)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, a.opts.ReconnectMax)
	}
}

// open connects the session. discordgo's Open cannot be cancelled, so it
// runs aside and is abandoned (to fail on its own) when ctx ends first.
func open(ctx context.Context, s *discordgo.Session) error {
	errc := make(chan error, 1)
	go func() { errc <- s.Open() }()
	select {
	case err := <-errc:
		if errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fatalGatewayError explains a refusal reconnecting cannot fix, or
// returns nil.
func fatalGatewayError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if why, ok := fatalCloses[ce.Code]; ok {
			return fmt.Errorf("discord: %s", why)
		}
	}
	if c := classify("gateway", err); errors.Is(c, alerts.ErrPermanent) {
		return fmt.Errorf("discord: %w (check [discord] bot_token)", c)
	}
	return nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
