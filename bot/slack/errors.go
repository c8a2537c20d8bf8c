package slack

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
)

// permanentErrors are Web API error codes that retrying cannot fix: the
// channel is gone or closed to the bot, the token is dead, or Slack
// refuses the message itself. The outbox marks such deliveries failed
// and says so on the alert's other channels.
var permanentErrors = map[string]bool{
	"channel_not_found":       true,
	"not_in_channel":          true,
	"is_archived":             true,
	"invalid_auth":            true,
	"not_authed":              true,
	"token_revoked":           true,
	"token_expired":           true,
	"account_inactive":        true,
	"no_permission":           true,
	"missing_scope":           true,
	"msg_too_long":            true,
	"msg_blocks_too_long":     true,
	"invalid_blocks":          true,
	"invalid_blocks_format":   true,
	"too_many_attachments":    true,
	"restricted_action":       true,
	"cant_update_message":     true,
	"message_not_found":       true,
	"edit_window_closed":      true,
	"user_not_found":          true,
	"user_disabled":           true,
	"cannot_dm_bot":           true,
	"team_access_not_granted": true,
	"ekm_access_denied":       true,
	"invalid_arguments":       true,
	"no_text":                 true,
}

// classify turns a slack-go error into what the outbox understands: a
// *alerts.RetryAfterError for rate limits, an error wrapping
// alerts.ErrPermanent for failures retrying cannot fix, and a plain
// error (retried with backoff) otherwise. Messages are redacted.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		wait := rl.RetryAfter
		if wait <= 0 {
			wait = time.Second
		}
		return &alerts.RetryAfterError{After: wait, Err: fmt.Errorf("slack %s: rate limited", op)}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		if sc.Code == http.StatusTooManyRequests {
			return &alerts.RetryAfterError{After: defaultRetryAfter, Err: fmt.Errorf("slack %s: rate limited (HTTP 429 without Retry-After)", op)}
		}
		if sc.Code == http.StatusNotFound || sc.Code == http.StatusGone {
			return fmt.Errorf("slack %s: HTTP %d: %w", op, sc.Code, alerts.ErrPermanent)
		}
		return fmt.Errorf("slack %s: HTTP %d", op, sc.Code)
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch {
		case se.Err == "ratelimited" || se.Err == "rate_limited" || se.Err == "message_limit_exceeded":
			return &alerts.RetryAfterError{After: defaultRetryAfter, Err: fmt.Errorf("slack %s: %s", op, se.Err)}
		case permanentErrors[se.Err]:
			return fmt.Errorf("slack %s: %s: %w", op, se.Err, alerts.ErrPermanent)
		}
		return fmt.Errorf("slack %s: %s", op, se.Err)
	}
	return fmt.Errorf("slack %s: %s", op, httpx.Redact(err.Error()))
}
