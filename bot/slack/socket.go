package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Reconnect backoff of the Socket Mode supervisor, for errors slack-go
// gives up on; slack-go retries ordinary connection failures itself.
const (
	minReconnect = time.Second
	maxReconnect = 5 * time.Minute
)

// fatalAuth lists the apps.connections.open errors that no reconnect can
// fix: the app token is wrong, revoked or its workspace inactive.
var fatalAuth = map[string]bool{
	"invalid_auth":     true,
	"not_authed":       true,
	"token_revoked":    true,
	"account_inactive": true,
}

// Run holds the Socket Mode connection until ctx ends, when an app token
// is configured; otherwise it only waits for ctx. It reconnects after
// every recoverable failure. A fatal authentication error is logged once,
// clearly, and stops Socket Mode without stopping Lookout (cards are
// still posted). Run returns ctx.Err() after the commands in progress
// are answered.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.Wait()
	if a.opts.AppToken == "" {
		<-ctx.Done()
		return ctx.Err()
	}
	wait := minReconnect
	for {
		start := time.Now()
		err := a.runSocket(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if isFatalAuth(err) {
			a.log.Error("slack_socket_mode_stopped", "err", classify("apps.connections.open", err),
				"reason", "Slack refused the app token (slack.app_token): check it has connections:write and Socket Mode is enabled; commands and buttons stay off until Lookout restarts")
			<-ctx.Done()
			return ctx.Err()
		}
		if time.Since(start) > maxReconnect {
			wait = minReconnect
		}
		a.log.Warn("slack_socket_mode_reconnecting", "err", classify("socket mode", err), "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, maxReconnect)
	}
}

func isFatalAuth(err error) bool {
	if err == nil {
		return false
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && fatalAuth[se.Err] {
		return true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && (sc.Code == http.StatusNotFound || sc.Code == http.StatusUnauthorized) {
		return true
	}
	return fatalAuth[err.Error()]
}

// runSocket runs one socketmode client: slack-go's connection loop (which
// reconnects on disconnects and read errors by itself) and our event
// loop, until the client gives up or ctx ends.
func (a *Adapter) runSocket(ctx context.Context) error {
	opts := []socketmode.Option{socketmode.OptionLog(log.New(io.Discard, "", 0))}
	if a.opts.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(a.opts.PingInterval))
	}
	client := socketmode.New(a.api, opts...)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- client.RunContext(ctx)
		cancel()
	}()
	a.events(ctx, client)
	return <-errc
}

// events drains the client's events until ctx ends. It never blocks on
// work: each envelope is acknowledged first, then answered in a
// goroutine, since Slack wants the ack within 3 s and slack-go stops
// reading the socket (and misses pings) while Events is full.
func (a *Adapter) events(ctx context.Context, client *socketmode.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt, ok := <-client.Events:
			if !ok {
				return
			}
			a.event(ctx, client, evt)
		}
	}
}

func (a *Adapter) event(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("slack_socket_mode_connected")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			a.log.Warn("slack_socket_mode_connect_failed", "attempt", e.Attempt, "retry_in", e.Backoff, "err", classify("apps.connections.open", e.ErrorObj))
		}
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack_socket_mode_invalid_auth")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("slack_socket_mode_error", "type", string(evt.Type))
	case socketmode.EventTypeErrorBadMessage:
		a.badMessage(ctx, client, evt)
	case socketmode.EventTypeSlashCommand:
		a.ack(ctx, client, evt.Request)
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		r, err := fromSlash(cmd, evt.Request.Payload)
		if err != nil {
			a.log.Warn("slack_command_refused", "err", err)
			return
		}
		a.spawn(r)
	case socketmode.EventTypeInteractive:
		a.ack(ctx, client, evt.Request)
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil || cb.Type != slack.InteractionTypeBlockActions {
			return
		}
		r, err := fromClick(&cb, evt.Request.Payload)
		if err != nil {
			a.log.Warn("slack_click_refused", "err", err)
			return
		}
		a.spawn(r)
	case socketmode.EventTypeEventsAPI:
		a.ack(ctx, client, evt.Request)
	}
}

// ack acknowledges an envelope, bounded by ackTimeout: slack-go's ack
// only queues the answer, and the queue stalls while reconnecting.
func (a *Adapter) ack(ctx context.Context, client *socketmode.Client, req *socketmode.Request) {
	if req == nil || req.EnvelopeID == "" {
		return
	}
	actx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := client.AckCtx(actx, req.EnvelopeID, nil); err != nil {
		a.log.Warn("slack_ack_failed", "envelope", req.EnvelopeID, "err", err)
	}
}

// badMessage logs an envelope slack-go could not decode and still acks
// it, so Slack does not redeliver it forever.
func (a *Adapter) badMessage(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	e, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	a.log.Warn("slack_socket_mode_bad_message", "err", e.Cause)
	var env struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if json.Unmarshal(e.Message, &env) == nil && env.EnvelopeID != "" {
		a.ack(ctx, client, &socketmode.Request{EnvelopeID: env.EnvelopeID})
	}
}
