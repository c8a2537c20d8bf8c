package bot

import (
	"errors"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
)

// ReplyKind says what a reply is, so front ends can colour and route it.
type ReplyKind int

// The kinds of reply.
const (
	// ReplyOK reports a command that did what it was asked.
	ReplyOK ReplyKind = iota
	// ReplyError reports a command that could not be carried out: an alert
	// that does not exist, an invalid request, an internal failure.
	ReplyError
	// ReplyUsage explains how to type a command the parser could not read.
	ReplyUsage
	// ReplyRefused reports a command the actor's role does not allow.
	ReplyRefused
	// ReplyStale reports an action that no longer applies, such as acking
	// a resolved alert.
	ReplyStale
)

// String returns the kind's name.
func (k ReplyKind) String() string {
	switch k {
	case ReplyOK:
		return "ok"
	case ReplyError:
		return "error"
	case ReplyUsage:
		return "usage"
	case ReplyRefused:
		return "refused"
	case ReplyStale:
		return "stale"
	}
	return "unknown"
}

// Reply is the answer to one command, as data each front end renders.
// Only the fields the command produced are set.
type Reply struct {
	Kind ReplyKind
	// Text is a plain-text summary, safe to show once the front end has
	// escaped it. It is one line, except for help and usage replies.
	Text    string
	Alert   *alerts.Alert
	Alerts  []*alerts.Alert
	History []*alerts.AuditEvent
	Mute    *alerts.Mute
	Mutes   []*alerts.Mute
	Watches []*alerts.Watch
	Status  *Status
	// Ephemeral replies are shown only to the asker: errors, usage,
	// refusals, listings and repeats of an action already applied.
	Ephemeral bool
	// Duplicate is set when the action id had already been applied, so
	// nothing changed this time.
	Duplicate bool
	// Err is an error the front end should log: the internal failure
	// behind "internal error; the details are in the log", or a refusal
	// that could not be audited. It is never shown to the user.
	Err error
}

const internalError = "internal error; the details are in the log"

func okReply(text string) *Reply { return &Reply{Kind: ReplyOK, Text: text} }

func listing(text string) *Reply { return &Reply{Kind: ReplyOK, Text: text, Ephemeral: true} }

func errorReply(text string) *Reply { return &Reply{Kind: ReplyError, Text: text, Ephemeral: true} }

func usageReply(err error) *Reply {
	return &Reply{Kind: ReplyUsage, Text: err.Error(), Ephemeral: true}
}

func refusedReply(text string) *Reply { return &Reply{Kind: ReplyRefused, Text: text, Ephemeral: true} }

// failure turns an error from the service or the watch store into a reply
// that explains it without leaking internals. subject names what the
// command was about ("A-42", "M-7", "watch cartel") for "does not exist".
func failure(subject string, err error) *Reply {
	var stale *alerts.StaleError
	switch {
	case errors.As(err, &stale):
		return &Reply{Kind: ReplyStale, Text: stale.Error(), Ephemeral: true}
	case errors.Is(err, alerts.ErrStale):
		return &Reply{Kind: ReplyStale, Text: explain(err, alerts.ErrStale, "that no longer applies"), Ephemeral: true}
	case errors.Is(err, alerts.ErrNotFound) && subject != "":
		return errorReply(subject + " does not exist")
	case errors.Is(err, alerts.ErrNotFound):
		return errorReply("that does not exist")
	case errors.Is(err, alerts.ErrInvalid):
		return errorReply(explain(err, alerts.ErrInvalid, "that request is not valid"))
	case errors.Is(err, alerts.ErrForbidden):
		return refusedReply(explain(err, alerts.ErrForbidden, "that is not allowed"))
	case errors.Is(err, alerts.ErrConflict):
		return errorReply(explain(err, alerts.ErrConflict, "someone changed this at the same moment; try again"))
	}
	r := errorReply(internalError)
	r.Err = err
	return r
}

// explain returns what follows the sentinel in a wrapped error's message,
// "invalid request: a note needs text" giving "a note needs text": the
// words the domain wrote for the user, without the operation prefixes the
// layers added on the way up.
func explain(err, sentinel error, fallback string) string {
	msg := err.Error()
	marker := sentinel.Error() + ": "
	if i := strings.LastIndex(msg, marker); i >= 0 {
		if s := strings.TrimSpace(msg[i+len(marker):]); s != "" {
			return s
		}
	}
	return fallback
}
