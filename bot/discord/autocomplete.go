package discord

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// How many alerts autocomplete reads: the newest unresolved ones, then,
// if room is left, the newest resolved ones.
const (
	autocompleteOpen     = 200
	autocompleteResolved = 50
)

// autocomplete answers the focused option of /lookout: alert ids (open
// ones first, newest first, with a snippet) or watch names. People
// without a Lookout role get no choices: snippets are alert content.
func (a *Adapter) autocomplete(ctx context.Context, i *discordgo.Interaction, act bot.Actor) []*discordgo.ApplicationCommandOptionChoice {
	out := []*discordgo.ApplicationCommandOptionChoice{}
	if a.opts.Roles.Of(act) == bot.RoleNone {
		return out
	}
	data := i.ApplicationCommandData()
	path, opts := subcommand(data)
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range opts {
		if o.Focused {
			focused = o
		}
	}
	if focused == nil {
		return out
	}
	typed := strings.ToLower(strings.TrimSpace(opts.str(focused.Name)))
	var err error
	switch {
	case focused.Name == "alert":
		out, err = a.alertChoices(ctx, typed)
	case focused.Name == "watch", focused.Name == "name" && strings.Join(path, " ") == "watch remove":
		out, err = a.watchChoices(ctx, typed)
	}
	if err != nil {
		a.opts.Logger.Warn("discord_autocomplete_failed", "option", focused.Name, "err", err)
	}
	return out
}

func (a *Adapter) alertChoices(ctx context.Context, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	out := []*discordgo.ApplicationCommandOptionChoice{}
	if a.opts.Alerts == nil {
		return out, nil
	}
	for _, f := range []alerts.AlertFilter{
		{States: []alerts.State{alerts.StateOpen, alerts.StateEscalated, alerts.StateAcked}, Limit: autocompleteOpen, IncludeMuted: true},
		{States: []alerts.State{alerts.StateResolved}, Limit: autocompleteResolved, IncludeMuted: true},
	} {
		as, err := a.opts.Alerts.Alerts(ctx, f)
		if err != nil {
			return out, fmt.Errorf("list alerts: %w", err)
		}
		for _, al := range as {
			if len(out) == maxChoices {
				return out, nil
			}
			if !alertMatches(al, typed) {
				continue
			}
			name := fmt.Sprintf("%s · %s · %s", al.Ref(), al.State, snippet(al, maxChoiceName))
			out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: truncateChoice(plain(name)), Value: al.Ref()})
		}
	}
	return out, nil
}

// alertMatches reports whether what was typed names the alert: a prefix
// of its id ("A-4", "4"), or words of its post or watch.
func alertMatches(a *alerts.Alert, typed string) bool {
	if typed == "" {
		return true
	}
	ref := strings.ToLower(a.Ref())
	if strings.HasPrefix(ref, typed) || strings.HasPrefix(ref, "a-"+typed) {
		return true
	}
	return strings.Contains(strings.ToLower(a.Post.MatchText()), typed) ||
		strings.Contains(strings.ToLower(a.Watch), typed) ||
		strings.Contains(strings.ToLower(a.Post.Handle), typed)
}

func (a *Adapter) watchChoices(ctx context.Context, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	out := []*discordgo.ApplicationCommandOptionChoice{}
	if a.opts.Watches == nil {
		return out, nil
	}
	ws, err := a.opts.Watches.List(ctx)
	if err != nil {
		return out, fmt.Errorf("list watches: %w", err)
	}
	for _, w := range ws {
		if len(out) == maxChoices {
			break
		}
		if typed != "" && !strings.Contains(strings.ToLower(w.Name), typed) {
			continue
		}
		if runes(w.Name) > maxChoiceValue {
			continue
		}
		name := fmt.Sprintf("%s · %s · %s", w.Name, w.Source, w.Origin)
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: truncateChoice(plain(name)), Value: w.Name})
	}
	return out, nil
}

// truncateChoice cuts a choice's name to Discord's 100 characters.
func truncateChoice(s string) string { return bot.Truncate(s, maxChoiceName, "…") }
