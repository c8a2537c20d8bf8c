package slack

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/lookoutbot/lookout/alerts"
)

// Post sends a card, a grouped card or a notice to a channel ("C123") or
// a user ("@U123", through a direct message) and returns "CHANNEL/TS".
// It makes exactly one chat.postMessage call: a failure is returned to
// the outbox, which decides when to try again.
func (a *Adapter) Post(ctx context.Context, to alerts.Destination, m *alerts.Message) (string, error) {
	channel, err := a.channelFor(ctx, to)
	if err != nil {
		return "", err
	}
	r := a.render(ctx, to, m)
	opts := append(sendOptions(r), slack.MsgOptionPost())
	gotChannel, ts, _, err := a.api.SendMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", classify("chat.postMessage", err)
	}
	if gotChannel == "" {
		gotChannel = channel
	}
	return messageRef(gotChannel, ts), nil
}

// Edit re-renders a posted card in place with chat.update.
func (a *Adapter) Edit(ctx context.Context, _ alerts.Destination, ref string, m *alerts.Message) error {
	channel, ts, err := parseRef(ref)
	if err != nil {
		return err
	}
	if m.Alert == nil && len(m.Group) == 0 {
		return nil // notices are not edited
	}
	r := a.render(ctx, "", m)
	if _, _, _, err := a.api.SendMessageContext(ctx, channel, append(sendOptions(r), slack.MsgOptionUpdate(ts))...); err != nil {
		return classify("chat.update", err)
	}
	return nil
}

// sendOptions are the options of every message Lookout sends: escaped
// fallback text, the blocks, and no unfurling, so graphic media never
// appears unasked. link_names and parse=full are never set.
func sendOptions(r rendered) []slack.MsgOption {
	return []slack.MsgOption{
		slack.MsgOptionText(r.text, false),
		slack.MsgOptionBlocks(r.blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}

// render picks the message's form.
func (a *Adapter) render(ctx context.Context, to alerts.Destination, m *alerts.Message) rendered {
	switch {
	case len(m.Group) > 0:
		return renderGroup(m.Group)
	case m.Kind != alerts.DeliveryNotice && m.Alert != nil:
		return renderCard(m.Alert, m.Mute, m.Now)
	}
	return renderNotice(m.Notice, noticeMention(to, m), a.cardLinks(ctx, m.Cards))
}

// channelFor resolves a destination to a channel id, opening a direct
// message for a user.
func (a *Adapter) channelFor(ctx context.Context, to alerts.Destination) (string, error) {
	target := to.Target()
	user, isUser := strings.CutPrefix(target, "@")
	switch {
	case target == "":
		return "", fmt.Errorf("slack: destination %q names no channel: %w", to, alerts.ErrPermanent)
	case !isUser:
		return target, nil
	}
	ch, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
	if err != nil {
		return "", classify("conversations.open", err)
	}
	return ch.ID, nil
}

// noticeMention is the one mention a notice may carry: the on-call
// person an escalation is for. A notice to "slack:@U123" mentions U123;
// an escalation notice in a channel mentions the Slack user it was
// escalated to. Nothing else in a notice can ping anyone.
func noticeMention(to alerts.Destination, m *alerts.Message) string {
	if m.Alert == nil {
		return ""
	}
	if to.Platform() == "slack" {
		if u, ok := strings.CutPrefix(to.Target(), "@"); ok {
			if sm := slackIdentity.FindStringSubmatch("slack:" + u); sm != nil {
				return sm[1]
			}
		}
	}
	if m.Alert.State == alerts.StateEscalated {
		if sm := slackIdentity.FindStringSubmatch(m.Alert.EscalatedTo); sm != nil {
			return sm[1]
		}
	}
	return ""
}

// cardLink is a link back to a posted card.
type cardLink struct {
	channel string
	url     string
}

// maxCardLinks bounds the links a notice carries.
const maxCardLinks = 3

// cardLinks finds permalinks of the alert's Slack cards. A card whose
// permalink cannot be fetched is still named by its channel.
func (a *Adapter) cardLinks(ctx context.Context, cards []alerts.CardRef) []cardLink {
	var out []cardLink
	for _, c := range cards {
		if len(out) == maxCardLinks {
			break
		}
		if c.Destination.Platform() != "slack" {
			continue
		}
		channel, ts, err := parseRef(c.Ref)
		if err != nil {
			continue
		}
		link := cardLink{channel: channel}
		u, err := a.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
		if err != nil {
			a.log.Warn("slack_permalink_failed", "channel", channel, "err", classify("chat.getPermalink", err))
		} else {
			link.url = u
		}
		out = append(out, link)
	}
	return out
}

// renderNotice renders a notice: its text, the one intended mention and
// links back to the alert's cards.
func renderNotice(text, mention string, links []cardLink) rendered {
	prefix := ""
	if mention != "" {
		prefix = "<@" + mention + "> "
	}
	body, _ := safeBudget(text, maxSectionText-utf8.RuneCountInString(":bell: "+prefix))
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":bell: "+prefix+body), nil, nil)}
	if len(links) > 0 {
		var parts []string
		for _, l := range links {
			if u, ok := linkURL(l.url); ok {
				parts = append(parts, "<"+u+"|view the card>")
			} else if slackIDPattern.MatchString(l.channel) {
				parts = append(parts, "card in <#"+l.channel+">")
			}
		}
		if len(parts) > 0 {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(strings.Join(parts, " · "))))
		}
	}
	return rendered{blocks: blocks, text: prefix + fallback(text)}
}
