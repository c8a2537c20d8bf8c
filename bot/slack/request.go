package slack

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/lookoutbot/lookout/alerts"
)

// request is one command or click, whichever way it arrived.
type request struct {
	// actionID makes the request idempotent in the alerts service.
	actionID  string
	userID    string
	userName  string
	channelID string
	// text is the command for the bot grammar ("ack A-42").
	text string
	// responseURL answers the person who asked.
	responseURL string
	// click is set for card controls: replies go to the clicker alone,
	// since the card itself shows what changed.
	click bool
	// media asks for the post's media, shown to the clicker alone.
	media bool
	// problem, when set, is explained to the user instead of running
	// anything (an unknown control).
	problem string
}

// errMalformed reports a payload that cannot be a Slack request.
var errMalformed = errors.New("malformed request")

// payloadID hashes a raw payload into an action id, for requests without
// a trigger id or action timestamp: a retry of the same payload maps to
// the same id.
func payloadID(kind string, raw []byte) string {
	sum := sha256.Sum256(raw)
	return "slack:" + kind + ":" + hex.EncodeToString(sum[:16])
}

// fromSlash reads a slash command. Its action id is the trigger id, which
// Slack makes unique per invocation and keeps on redelivery.
func fromSlash(c slack.SlashCommand, raw []byte) (request, error) {
	if !slackIDPattern.MatchString(c.UserID) || c.ResponseURL == "" {
		return request{}, fmt.Errorf("%w: slash command without user_id or response_url", errMalformed)
	}
	r := request{
		userID: c.UserID, userName: c.UserName, channelID: c.ChannelID,
		text: c.Text, responseURL: c.ResponseURL,
	}
	if c.TriggerID != "" {
		r.actionID = "slack:cmd:" + c.TriggerID
	} else {
		r.actionID = payloadID("cmd", raw)
	}
	return r, nil
}

// fromClick reads a block_actions interaction. Its action id is the
// action timestamp with the clicker's id: Slack's retries of one click
// share it, a second click is a new action (and then usually stale).
func fromClick(cb *slack.InteractionCallback, raw []byte) (request, error) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return request{}, fmt.Errorf("%w: interaction type %q is not block_actions", errMalformed, cb.Type)
	}
	if !slackIDPattern.MatchString(cb.User.ID) || len(cb.ActionCallback.BlockActions) == 0 {
		return request{}, fmt.Errorf("%w: block_actions without user or action", errMalformed)
	}
	act := cb.ActionCallback.BlockActions[0]
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	name := cb.User.Name
	if name == "" {
		name = cb.User.Username
	}
	r := request{userID: cb.User.ID, userName: name, channelID: channel, responseURL: cb.ResponseURL, click: true}
	switch ts := firstNonEmpty(cb.ActionTs, act.ActionTs); {
	case ts != "":
		r.actionID = "slack:act:" + ts + ":" + cb.User.ID
	default:
		r.actionID = payloadID("act", raw)
	}
	r.text, r.media, r.problem = clickCommand(act)
	return r, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// clickCommand maps a card control to the text command it stands for.
// Values are checked strictly: only the forms Lookout renders are
// accepted.
func clickCommand(act *slack.BlockAction) (text string, media bool, problem string) {
	unknown := "that control is not one Lookout knows; use `/lookout help`"
	switch act.ActionID {
	case actionAck, actionUnack, actionEsc, actionRes, actionReopen:
		ref, ok := cardRef(act.Value)
		if !ok {
			return "", false, unknown
		}
		return strings.TrimPrefix(act.ActionID, actionPrefix) + " " + ref, false, ""
	case actionMedia:
		ref, ok := cardRef(act.Value)
		if !ok {
			return "", false, unknown
		}
		return "show " + ref, true, ""
	case actionMute:
		if t, ok := muteCommand(act.SelectedOption.Value); ok {
			return t, false, ""
		}
	case actionGroup:
		verb, ref, _ := strings.Cut(act.SelectedOption.Value, " ")
		if r, ok := cardRef(ref); ok {
			switch verb {
			case "ack", "unack", "escalate", "resolve", "reopen", "mute":
				return verb + " " + r, false, ""
			}
		}
	}
	return "", false, unknown
}

// muteCommand reads a Mute menu value: "A-42 account 1h", "A-42 keyword
// 24h" or "A-42 alert".
func muteCommand(v string) (string, bool) {
	f := strings.Fields(v)
	if len(f) < 2 {
		return "", false
	}
	ref, ok := cardRef(f[0])
	if !ok {
		return "", false
	}
	switch {
	case len(f) == 2 && f[1] == "alert":
		return "mute " + ref, true
	case len(f) == 3 && f[1] == "account" && (f[2] == "1h" || f[2] == "24h" || f[2] == "7d"):
		return "mute " + ref + " account for " + f[2], true
	case len(f) == 3 && f[1] == "keyword" && f[2] == "24h":
		return "mute " + ref + " keyword for 24h", true
	}
	return "", false
}

// cardRef checks an alert reference from a control's value.
func cardRef(v string) (string, bool) {
	if !strings.HasPrefix(v, "A-") {
		return "", false
	}
	id, err := alerts.ParseRef(v)
	if err != nil {
		return "", false
	}
	return alerts.FormatRef(id), true
}
