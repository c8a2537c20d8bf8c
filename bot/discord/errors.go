package discord

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
)

// JSON error codes that retrying cannot fix. See
// https://discord.com/developers/docs/topics/opcodes-and-status-codes#json.
const (
	codeUnknownChannel     = 10003
	codeUnknownMessage     = 10008
	codeUnknownInteraction = 10062
	codeMissingAccess      = 50001
	codeCannotSendToUser   = 50007
	codeMissingPermissions = 50013
	codeInvalidFormBody    = 50035
	codeAlreadyAcked       = 40060
)

var permanentCodes = map[int]string{
	codeUnknownChannel:     "the channel does not exist or the bot cannot see it",
	codeUnknownMessage:     "the message was deleted",
	codeUnknownInteraction: "the interaction expired",
	codeMissingAccess:      "the bot has no access to the channel; invite it with `lookout discord invite` and add it to the channel",
	codeCannotSendToUser:   "the user does not accept direct messages from the bot",
	codeMissingPermissions: "the bot lacks a permission it needs (View Channel, Send Messages, Embed Links)",
	codeInvalidFormBody:    "Discord refused the message as malformed",
	codeAlreadyAcked:       "the interaction was already answered",
}

// apiError is a refusal Discord explained: HTTP status, JSON code and
// message.
type apiError struct {
	Status  int
	Code    int
	Message string
}

func (e *apiError) Error() string {
	msg := fmt.Sprintf("discord: HTTP %d %s", e.Status, http.StatusText(e.Status))
	if e.Code != 0 {
		msg += fmt.Sprintf(": %s (code %d)", e.Message, e.Code)
	}
	if hint, ok := permanentCodes[e.Code]; ok {
		msg += ": " + hint
	}
	return msg
}

// classify turns what discordgo returned into the errors the outbox acts
// on: a *alerts.RetryAfterError for rate limits, ErrPermanent for what
// retrying cannot fix (an unknown channel, missing access or permissions,
// a bad token, a malformed message) and a plain error, retried with
// backoff, for the rest (5xx, network). op says what was being done. No
// URL reaches the message: interaction URLs hold tokens.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var ra *alerts.RetryAfterError
	if errors.As(err, &ra) {
		return &alerts.RetryAfterError{After: ra.After, Err: fmt.Errorf("%s: %w", op, ra.Err)}
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		e := &apiError{Status: rest.Response.StatusCode}
		if rest.Message != nil {
			e.Code, e.Message = rest.Message.Code, httpx.Redact(rest.Message.Message)
		}
		if permanent(e) {
			return fmt.Errorf("%s: %w: %w", op, alerts.ErrPermanent, e)
		}
		return fmt.Errorf("%s: %w", op, e)
	}
	if errors.Is(err, discordgo.ErrUnauthorized) {
		return fmt.Errorf("%s: %w: discord: the bot token was refused (401)", op, alerts.ErrPermanent)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	// discordgo puts whole bodies in some errors (a 502's HTML page).
	return fmt.Errorf("%s: %s", op, truncate(httpx.Redact(err.Error()), 300))
}

func permanent(e *apiError) bool {
	if _, ok := permanentCodes[e.Code]; ok {
		return true
	}
	switch e.Status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge:
		return true
	}
	return false
}
