package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// spawn answers a request after its ack, in a goroutine the adapter
// tracks (Wait). It runs under its own deadline, detached from the
// inbound request, which has already been answered.
func (a *Adapter) spawn(r request) {
	a.work.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), a.opts.WorkTimeout)
		defer cancel()
		a.process(ctx, r)
	})
}

// process runs one command or click and answers the person who asked.
func (a *Adapter) process(ctx context.Context, r request) {
	log := a.log.With("user", r.userID, "action_id", r.actionID)
	if a.opts.Handler == nil {
		a.answer(ctx, r, problemReply("this Lookout does not take commands from Slack"), false)
		return
	}
	if r.problem != "" {
		a.answer(ctx, r, problemReply(r.problem), false)
		return
	}
	text := r.text
	if !r.click {
		var err error
		if text, err = a.commandText(ctx, r.text); err != nil {
			a.answer(ctx, r, problemReply(err.Error()), false)
			return
		}
	}
	reply := a.opts.Handler.Handle(ctx, a.actor(ctx, r), r.actionID, text)
	if reply.Err != nil {
		log.Error("slack_command_failed", "err", reply.Err)
	}
	if r.media && reply.Kind == bot.ReplyOK && reply.Alert != nil {
		a.respond(ctx, r, renderMedia(reply.Alert), false)
		return
	}
	// Clicks are answered to the clicker alone: the card shows the change.
	a.answer(ctx, r, reply, !r.click && !reply.Ephemeral)
}

// actor identifies the person behind a request, with their user groups
// as roles when [roles] names any.
func (a *Adapter) actor(ctx context.Context, r request) bot.Actor {
	act := bot.Actor{ID: "slack:" + r.userID, Name: r.userName, Source: alerts.SourceSlack}
	if slackIDPattern.MatchString(r.channelID) {
		act.Channel = alerts.Destination("slack:" + r.channelID)
	}
	if a.opts.UserGroups {
		groups, err := a.groups.of(ctx, r.userID)
		if err != nil {
			a.log.Warn("slack_usergroups_failed", "user", r.userID, "err", err)
		}
		act.Roles = groups
	}
	return act
}

func problemReply(text string) *bot.Reply {
	return &bot.Reply{Kind: bot.ReplyError, Text: text, Ephemeral: true}
}

// answer renders a reply and sends it to the asker.
func (a *Adapter) answer(ctx context.Context, r request, reply *bot.Reply, inChannel bool) {
	a.respond(ctx, r, renderReply(reply, a.opts.Now()), inChannel)
}

// respond sends a message through the request's response_url, or as an
// ephemeral message when there is none.
func (a *Adapter) respond(ctx context.Context, r request, msg rendered, inChannel bool) {
	var err error
	switch {
	case r.responseURL != "" && a.allowedResponseURL(r.responseURL):
		kind := slack.ResponseTypeEphemeral
		if inChannel {
			kind = slack.ResponseTypeInChannel
		}
		opts := append(sendOptions(msg), slack.MsgOptionResponseURL(r.responseURL, kind))
		_, _, err = a.api.PostMessageContext(ctx, "", opts...)
	case r.channelID != "":
		_, err = a.api.PostEphemeralContext(ctx, r.channelID, r.userID, sendOptions(msg)...)
	default:
		err = fmt.Errorf("no response_url and no channel")
	}
	if err != nil {
		a.log.Warn("slack_reply_failed", "user", r.userID, "err", classify("reply", err))
	}
}

// allowedResponseURL accepts response URLs on Slack's hooks host, or on
// the configured API host (a proxy, or a test fake), so a forged payload
// cannot make Lookout post elsewhere.
func (a *Adapter) allowedResponseURL(raw string) bool {
	host := hostOf(raw)
	if host == "" {
		return false
	}
	if host == "hooks.slack.com" && strings.HasPrefix(raw, "https://") {
		return true
	}
	return host == hostOf(a.apiURL)
}

func hostOf(raw string) string {
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(raw, "http://"); !ok {
			return ""
		}
	}
	host, _, _ := strings.Cut(rest, "/")
	if strings.ContainsAny(host, "@\\") {
		return ""
	}
	return strings.ToLower(host)
}

// renderMedia shows a post's media to the person who asked, behind a
// content warning. Links are not unfurled.
func renderMedia(al *alerts.Alert) rendered {
	var b replyBuilder
	b.section(fmt.Sprintf(":warning: *Content warning:* the media of %s may be graphic or disturbing. Only you can see this message; links open outside Slack.", al.Ref()))
	for i, m := range al.Post.Media {
		kind := m.Type
		if kind == "" {
			kind = "media"
		}
		label := fmt.Sprintf("%s %d", kind, i+1)
		line := safeCut(label, 40)
		if u, ok := linkURL(m.URL); ok {
			line = "<" + u + "|" + safe(label) + ">"
		}
		if m.Alt != "" {
			line += " · alt: " + safeCut(m.Alt, 300)
		}
		b.line(line)
	}
	return rendered{blocks: b.done(), text: fallback("Content warning: media of " + al.Ref())}
}
