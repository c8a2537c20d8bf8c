package discord

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// autocompleteTimeout bounds the lookups behind an autocomplete answer,
// which cannot be deferred.
const autocompleteTimeout = 2 * time.Second

// answer sends an interaction's first response (a
// *discordgo.InteractionResponse or an autocompleteResponse): the HTTP
// response body, or the callback the gateway path posts.
type answer func(ctx context.Context, r any) error

// autocompleteResponse is an autocomplete answer. discordgo's type omits
// an empty choices list, which Discord requires.
type autocompleteResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	} `json:"data"`
}

// interact handles one interaction. It calls first exactly once, within
// DeferAfter of starting (a deferral when the command is slow), then
// finishes any edit of the original response or follow-up itself. ctx
// must outlive the first response (up to the token's 15 minutes).
func (a *Adapter) interact(ctx context.Context, i *discordgo.Interaction, first answer) {
	log := a.opts.Logger.With("interaction", i.ID, "type", int(i.Type))
	respond := func(r any) {
		if err := first(ctx, r); err != nil {
			log.Error("discord_interaction_response_failed", "err", classify("respond", err))
		}
	}
	if i.Type == discordgo.InteractionPing {
		respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	act, ok := actorOf(i)
	if !ok {
		respond(notice("Lookout could not tell who you are; nothing was done."))
		return
	}
	log = log.With("actor", act.ID)
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		actx, cancel := context.WithTimeout(ctx, autocompleteTimeout)
		choices := a.autocomplete(actx, i, act)
		cancel()
		r := &autocompleteResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult}
		r.Data.Choices = choices
		respond(r)
	case discordgo.InteractionApplicationCommand:
		a.command(ctx, i, act, respond)
	case discordgo.InteractionMessageComponent:
		a.component(ctx, i, act, respond)
	default:
		respond(notice("Lookout does not handle this kind of interaction; nothing was done."))
	}
}

// notice is an ephemeral text answer.
func notice(text string) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content: escape(text), Flags: discordgo.MessageFlagsEphemeral,
			AllowedMentions: noMentions(), Components: []discordgo.MessageComponent{}, Embeds: []*discordgo.MessageEmbed{},
		},
	}
}

// actorOf identifies who acted: the guild member (with role ids), or in a
// DM, where Member is nil, the user.
func actorOf(i *discordgo.Interaction) (bot.Actor, bool) {
	var u *discordgo.User
	var roles []string
	nick := ""
	if i.Member != nil {
		u, roles, nick = i.Member.User, i.Member.Roles, i.Member.Nick
	}
	if u == nil {
		u = i.User
	}
	if u == nil || !isSnowflake(u.ID) {
		return bot.Actor{}, false
	}
	name := nick
	if name == "" {
		name = u.GlobalName
	}
	if name == "" {
		name = u.Username
	}
	act := bot.Actor{ID: "discord:user:" + u.ID, Name: plain(name), Roles: roles, Source: alerts.SourceDiscord}
	if isSnowflake(i.ChannelID) {
		act.Channel = alerts.Destination("discord:" + i.ChannelID)
	}
	return act, true
}

// command answers /lookout.
func (a *Adapter) command(ctx context.Context, i *discordgo.Interaction, act bot.Actor, respond func(any)) {
	data := i.ApplicationCommandData()
	if data.Name != commandName {
		respond(notice(fmt.Sprintf("/%s is not a Lookout command; nothing was done.", data.Name)))
		return
	}
	path, _ := subcommand(data)
	hidden := len(path) > 0 && ephemeralCommands[path[0]] || strings.Join(path, " ") == "watch list"
	deferral := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions()}}
	if hidden {
		deferral.Data.Flags = discordgo.MessageFlagsEphemeral
	}
	a.run(ctx, i, act, commandText(data), respond,
		func(r *bot.Reply) *discordgo.InteractionResponse {
			return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: replyData(r, a.opts.Now())}
		},
		deferral,
		func(ctx context.Context, r *bot.Reply) error {
			return a.finishMessage(ctx, i, r, hidden)
		})
}

// component answers a click on a card's button or menu.
func (a *Adapter) component(ctx context.Context, i *discordgo.Interaction, act bot.Actor, respond func(any)) {
	data := i.MessageComponentData()
	verb, text, ok := componentCommand(data.CustomID, data.Values)
	if !ok {
		a.opts.Logger.Warn("discord_unknown_component", "custom_id", plain(truncate(data.CustomID, maxCustomID)))
		respond(notice("This control is not one Lookout knows; nothing was done."))
		return
	}
	cardAction := alerts.ValidAction(alerts.Action(verb))
	deferral := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions()}}
	switch {
	case cardAction:
		deferral = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	case verb == verbMedia:
		deferral.Data.Flags = discordgo.MessageFlagsEphemeral
	}
	immediate := func(r *bot.Reply) *discordgo.InteractionResponse {
		switch {
		case verb == verbMedia && r.Kind == bot.ReplyOK && r.Alert != nil:
			return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: mediaData(r.Alert)}
		case cardAction && updatesCard(r):
			c := alertCard(r.Alert, nil, a.opts.Now())
			return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: &discordgo.InteractionResponseData{
				Content: "", Embeds: c.Embeds, Components: c.Components, AllowedMentions: noMentions(),
			}}
		}
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: replyData(r, a.opts.Now())}
	}
	later := func(ctx context.Context, r *bot.Reply) error {
		switch {
		case verb == verbMedia && r.Kind == bot.ReplyOK && r.Alert != nil:
			d := mediaData(r.Alert)
			return a.editOriginal(ctx, i, d.Content, d.Embeds)
		case cardAction && updatesCard(r):
			// After a deferred update, @original is the card clicked.
			c := alertCard(r.Alert, nil, a.opts.Now())
			return a.editOriginalWith(ctx, i, "", c.Embeds, c.Components)
		case cardAction:
			return a.followup(ctx, i, replyData(r, a.opts.Now()))
		}
		return a.finishMessage(ctx, i, r, verb == verbMedia)
	}
	a.run(ctx, i, act, text, respond, immediate, deferral, later)
}

// updatesCard reports a reply whose alert the clicked card should show.
func updatesCard(r *bot.Reply) bool {
	return r.Kind == bot.ReplyOK && !r.Duplicate && r.Alert != nil
}

// run runs a command and answers within DeferAfter: with the reply when
// it is ready in time, else with the deferral, then later once the reply
// is known.
func (a *Adapter) run(ctx context.Context, i *discordgo.Interaction, act bot.Actor, text string,
	respond func(any),
	immediate func(*bot.Reply) *discordgo.InteractionResponse,
	deferral *discordgo.InteractionResponse,
	later func(context.Context, *bot.Reply) error,
) {
	done := make(chan *bot.Reply, 1)
	go func() { done <- a.opts.Handler.Handle(ctx, act, "discord:"+i.ID, text) }()
	if a.opts.DeferAfter > 0 {
		timer := time.NewTimer(a.opts.DeferAfter)
		select {
		case r := <-done:
			timer.Stop()
			a.logReply(i, r)
			respond(immediate(r))
			return
		case <-timer.C:
		}
	}
	respond(deferral)
	r := <-done
	a.logReply(i, r)
	if err := later(ctx, r); err != nil {
		a.opts.Logger.Error("discord_interaction_followup_failed", "interaction", i.ID, "err", classify("follow up", err))
	}
}

func (a *Adapter) logReply(i *discordgo.Interaction, r *bot.Reply) {
	if r.Err != nil {
		a.opts.Logger.Error("discord_command_failed", "interaction", i.ID, "kind", r.Kind.String(), "err", r.Err)
	}
}

// finishMessage completes a deferred message answer. Its visibility was
// fixed when it was deferred: a reply meant for the asker alone that was
// deferred in public replaces the public "thinking…" with an ephemeral
// follow-up.
func (a *Adapter) finishMessage(ctx context.Context, i *discordgo.Interaction, r *bot.Reply, deferredHidden bool) error {
	d := replyData(r, a.opts.Now())
	if ephemeral(r) && !deferredHidden {
		if err := a.request(ctx, "DELETE", discordgo.EndpointInteractionResponseActions(i.AppID, i.Token), nil, nil); err != nil {
			return err
		}
		return a.followup(ctx, i, d)
	}
	return a.editOriginal(ctx, i, d.Content, d.Embeds)
}

func (a *Adapter) editOriginal(ctx context.Context, i *discordgo.Interaction, text string, embeds []*discordgo.MessageEmbed) error {
	return a.editOriginalWith(ctx, i, text, embeds, []discordgo.MessageComponent{})
}

// editOriginalWith edits the interaction's original response.
func (a *Adapter) editOriginalWith(ctx context.Context, i *discordgo.Interaction, text string, embeds []*discordgo.MessageEmbed, comps []discordgo.MessageComponent) error {
	body := messageEdit{Content: text, Embeds: nonNil(embeds), Components: nonNilC(comps), AllowedMentions: noMentions()}
	return a.request(ctx, "PATCH", discordgo.EndpointInteractionResponseActions(i.AppID, i.Token), body, nil)
}

// followup sends a follow-up message (ephemeral when d says so).
func (a *Adapter) followup(ctx context.Context, i *discordgo.Interaction, d *discordgo.InteractionResponseData) error {
	body := discordgo.WebhookParams{
		Content: d.Content, Embeds: d.Embeds, Components: nonNilC(d.Components),
		AllowedMentions: noMentions(), Flags: d.Flags,
	}
	return a.request(ctx, "POST", discordgo.EndpointFollowupMessage(i.AppID, i.Token)+"?wait=true", body, nil)
}

// mediaData is the answer to Show media: for the clicker alone, behind a
// content warning, each link in a spoiler so nothing shows until asked.
func mediaData(a *alerts.Alert) *discordgo.InteractionResponseData {
	var b strings.Builder
	b.WriteString("⚠️ **Content warning**: media from a watched post can be graphic or violent. Each link is hidden; open it only if you need to.\n")
	for i, m := range a.Post.Media {
		var line strings.Builder
		fmt.Fprintf(&line, "• %s: ", escape(m.Type))
		if u := spoilerURL(m.URL); u != "" {
			line.WriteString("||" + u + "||")
		} else {
			line.WriteString(escape(m.URL))
		}
		if m.Alt != "" {
			line.WriteString(" · " + escape(truncate(m.Alt, 200)))
		}
		line.WriteString("\n")
		// Whole lines only: a cut inside a spoiler would show the link.
		if more := fmt.Sprintf("… and %d more", len(a.Post.Media)-i); utf8.RuneCountInString(b.String()+line.String()+more) > maxContent {
			b.WriteString(more)
			break
		}
		b.WriteString(line.String())
	}
	if len(a.Post.Media) == 0 {
		b.WriteString(escape(a.Ref() + " has no media."))
	}
	return &discordgo.InteractionResponseData{
		Content: truncate(strings.TrimRight(b.String(), "\n"), maxContent), Flags: discordgo.MessageFlagsEphemeral,
		AllowedMentions: noMentions(), Embeds: []*discordgo.MessageEmbed{}, Components: []discordgo.MessageComponent{},
	}
}

// spoilerURL returns an http(s) URL safe inside a spoiler: characters
// that markdown or the spoiler itself would read are percent-encoded.
func spoilerURL(raw string) string {
	if webURL(raw) == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", "*", "%2A", "_", "%5F", "~", "%7E", "`", "%60", "@", "%40", " ", "%20").Replace(u.String())
}
