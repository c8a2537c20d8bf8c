package discord

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
)

// messageCreate is the body of POST /channels/{id}/messages. The nonce,
// enforced, makes Discord return the message already created instead of
// a second one when a retry follows a post whose answer was lost. See
// https://discord.com/developers/docs/resources/message#create-message.
type messageCreate struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	Components      []discordgo.MessageComponent      `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
}

// messageEdit is the body of PATCH /channels/{id}/messages/{id}.
type messageEdit struct {
	Content         string                            `json:"content"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	Components      []discordgo.MessageComponent      `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
}

// Post sends a card, a grouped card or a notice. A channel destination
// ("discord:123") gets the message; a role or user ("discord:role:42",
// "discord:user:7") is mentioned, and only it, beside the alert's cards
// with links to them (a user without a card to point at gets a direct
// message). The ref is "CHANNEL/MESSAGE".
func (a *Adapter) Post(ctx context.Context, to alerts.Destination, m *alerts.Message) (string, error) {
	target := to.Target()
	if kind, id, ok := mentionTarget(target); ok {
		return a.postMention(ctx, to, kind, id, m)
	}
	if !isSnowflake(target) {
		return "", fmt.Errorf("post to %s: %w: %q is not a Discord channel id", to, alerts.ErrPermanent, target)
	}
	msg, err := a.send(ctx, target, render(m), noMentions(), nonce(to, m))
	if err != nil {
		return "", classify("post to "+string(to), err)
	}
	return target + "/" + msg.ID, nil
}

// Edit re-renders a posted card in place.
func (a *Adapter) Edit(ctx context.Context, to alerts.Destination, ref string, m *alerts.Message) error {
	channel, id, ok := strings.Cut(ref, "/")
	if !ok || !isSnowflake(channel) || !isSnowflake(id) {
		return fmt.Errorf("edit %s on %s: %w: not a Discord message reference", ref, to, alerts.ErrPermanent)
	}
	c := render(m)
	body := messageEdit{Content: c.Text, Embeds: nonNil(c.Embeds), Components: nonNilC(c.Components), AllowedMentions: noMentions()}
	if err := a.request(ctx, "PATCH", discordgo.EndpointChannelMessage(channel, id), body, nil); err != nil {
		return classify("edit "+ref+" on "+string(to), err)
	}
	return nil
}

func (a *Adapter) send(ctx context.Context, channel string, c content, mentions *discordgo.MessageAllowedMentions, nonce string) (*discordgo.Message, error) {
	body := messageCreate{
		Content: c.Text, Embeds: nonNil(c.Embeds), Components: nonNilC(c.Components),
		AllowedMentions: mentions, Nonce: nonce, EnforceNonce: nonce != "",
	}
	var msg discordgo.Message
	if err := a.request(ctx, "POST", discordgo.EndpointChannelMessages(channel), body, &msg); err != nil {
		return nil, err
	}
	if msg.ID == "" {
		return nil, fmt.Errorf("discord: the created message has no id")
	}
	return &msg, nil
}

// postMention posts an escalation (or any notice) to a role or user: in
// the channel of the alert's first Discord card, mentioning exactly that
// role or user and linking every card.
func (a *Adapter) postMention(ctx context.Context, to alerts.Destination, kind, id string, m *alerts.Message) (string, error) {
	op := "post to " + string(to)
	var links []string
	channel := ""
	for _, c := range m.Cards {
		if c.Destination.Platform() != "discord" {
			continue
		}
		if _, _, mention := mentionTarget(c.Destination.Target()); mention {
			continue
		}
		ch, msgID, ok := strings.Cut(c.Ref, "/")
		if !ok || !isSnowflake(ch) || !isSnowflake(msgID) {
			continue
		}
		guild, err := a.guildOf(ctx, ch)
		if err != nil {
			return "", classify(op, err)
		}
		links = append(links, messageLink(guild, ch, msgID))
		if channel == "" {
			channel = ch
		}
	}
	mentions := noMentions()
	var mention string
	if kind == "role" {
		mention, mentions.Roles = "<@&"+id+">", []string{id}
	} else {
		mention, mentions.Users = "<@"+id+">", []string{id}
	}
	if channel == "" {
		if kind == "role" {
			return "", fmt.Errorf("%s: %w: nowhere to mention role %s: the alert has no card on Discord (add a discord_channels entry to its route)", op, alerts.ErrPermanent, id)
		}
		var dm discordgo.Channel
		if err := a.request(ctx, "POST", discordgo.EndpointUserChannels("@me"), map[string]string{"recipient_id": id}, &dm); err != nil {
			return "", classify(op+": open a direct message", err)
		}
		channel = dm.ID
	}
	tail := ""
	if len(links) > 0 {
		tail = "\n" + strings.Join(links, "\n")
	}
	budget := maxContent - runes(mention) - 1 - runes(tail)
	text := mention + " " + truncate(escape(m.Notice), budget) + tail
	msg, err := a.send(ctx, channel, content{Text: text}, mentions, nonce(to, m))
	if err != nil {
		return "", classify(op, err)
	}
	return channel + "/" + msg.ID, nil
}

// guildOf returns the guild a channel belongs to ("@me" for a DM), asked
// once per channel.
func (a *Adapter) guildOf(ctx context.Context, channel string) (string, error) {
	a.mu.Lock()
	g, ok := a.guilds[channel]
	a.mu.Unlock()
	if ok {
		return g, nil
	}
	var ch discordgo.Channel
	if err := a.request(ctx, "GET", discordgo.EndpointChannel(channel), nil, &ch); err != nil {
		return "", err
	}
	g = ch.GuildID
	if g == "" {
		g = "@me"
	}
	a.mu.Lock()
	a.guilds[channel] = g
	a.mu.Unlock()
	return g, nil
}

func messageLink(guild, channel, message string) string {
	return "https://discord.com/channels/" + guild + "/" + channel + "/" + message
}

// mentionTarget reads "role:42" or "user:7".
func mentionTarget(target string) (kind, id string, ok bool) {
	kind, id, ok = strings.Cut(target, ":")
	if !ok || (kind != "role" && kind != "user") || !isSnowflake(id) {
		return "", "", false
	}
	return kind, id, true
}

// nonce identifies one message for Discord's duplicate check: the same
// card, edit or notice to the same place gets the same nonce (at most 25
// characters).
func nonce(to alerts.Destination, m *alerts.Message) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", to, m.Kind, m.Notice)
	if m.Alert != nil {
		h.Write([]byte(strconv.FormatInt(m.Alert.ID, 10)))
	}
	for _, g := range m.Group {
		h.Write([]byte("," + strconv.FormatInt(g.ID, 10)))
	}
	return "lk" + hex.EncodeToString(h.Sum(nil))[:23]
}

func nonNil(e []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if e == nil {
		return []*discordgo.MessageEmbed{}
	}
	return e
}

func nonNilC(c []discordgo.MessageComponent) []discordgo.MessageComponent {
	if c == nil {
		return []discordgo.MessageComponent{}
	}
	return c
}
