package discord

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
)

// Custom ids of the cards' components: "lookout:<verb>:<alert id>". The
// verbs are the state actions, "media" (Show media), "mute" (the mute
// menu, whose value says the scope) and "pick" (a grouped card's menu,
// whose value is the alert to acknowledge).
const idPrefix = "lookout:"

const (
	verbMedia = "media"
	verbMute  = "mute"
	verbPick  = "pick"
)

// muteChoice is one entry of a card's mute menu: its value, label and the
// command it runs for alert ref.
type muteChoice struct {
	value, label string
	text         func(ref string) string
}

var muteChoices = []muteChoice{
	{"account:1h", "This account for 1 hour", func(ref string) string { return "mute " + ref + " account for 1h" }},
	{"account:24h", "This account for 24 hours", func(ref string) string { return "mute " + ref + " account for 24h" }},
	{"account:7d", "This account for 7 days", func(ref string) string { return "mute " + ref + " account for 7d" }},
	{"keyword:24h", "This keyword for 24 hours", func(ref string) string { return "mute " + ref + " keyword for 24h" }},
	{"alert", "This alert (24 hours)", func(ref string) string { return "mute " + ref }},
}

// customID builds a component's id, at most maxCustomID characters.
func customID(verb string, alertID int64) string {
	return idPrefix + verb + ":" + strconv.FormatInt(alertID, 10)
}

// componentCommand turns a click into the command it stands for. It
// reports false for an id or value no card of this version carries.
func componentCommand(id string, values []string) (verb, text string, ok bool) {
	rest, ok := strings.CutPrefix(id, idPrefix)
	if !ok || len(id) > maxCustomID {
		return "", "", false
	}
	verb, num, ok := strings.Cut(rest, ":")
	if !ok || !isSnowflake(num) {
		return "", "", false
	}
	ref := "A-" + num
	switch verb {
	case string(alerts.ActionAck), string(alerts.ActionUnack), string(alerts.ActionEscalate),
		string(alerts.ActionResolve), string(alerts.ActionReopen):
		return verb, verb + " " + ref, true
	case verbMedia:
		return verb, "show " + ref, true
	case verbMute:
		if len(values) != 1 {
			return "", "", false
		}
		for _, c := range muteChoices {
			if c.value == values[0] {
				return verb, c.text(ref), true
			}
		}
	case verbPick:
		if len(values) != 1 || !isSnowflake(values[0]) {
			return "", "", false
		}
		return verb, "ack A-" + values[0], true
	}
	return "", "", false
}

// buttonStyles gives each action's button its colour.
var buttonStyles = map[alerts.Action]discordgo.ButtonStyle{
	alerts.ActionAck:      discordgo.PrimaryButton,
	alerts.ActionUnack:    discordgo.SecondaryButton,
	alerts.ActionEscalate: discordgo.DangerButton,
	alerts.ActionResolve:  discordgo.SuccessButton,
	alerts.ActionReopen:   discordgo.SecondaryButton,
}

var buttonLabels = map[alerts.Action]string{
	alerts.ActionAck:      "Ack",
	alerts.ActionUnack:    "Unack",
	alerts.ActionEscalate: "Escalate",
	alerts.ActionResolve:  "Resolve",
	alerts.ActionReopen:   "Reopen",
}

// cardComponents are the buttons that fit the alert's state, Show media
// when it has media, and the mute menu.
func cardComponents(a *alerts.Alert) []discordgo.MessageComponent {
	var buttons []discordgo.MessageComponent
	for _, act := range alerts.Actions(a.State) {
		buttons = append(buttons, discordgo.Button{
			Label: buttonLabels[act], Style: buttonStyles[act], CustomID: customID(string(act), a.ID),
		})
	}
	if len(a.Post.Media) > 0 {
		buttons = append(buttons, discordgo.Button{
			Label: "Show media", Style: discordgo.SecondaryButton, CustomID: customID(verbMedia, a.ID),
		})
	}
	var opts []discordgo.SelectMenuOption
	for _, c := range muteChoices {
		if strings.HasPrefix(c.value, "keyword") && len(a.Hits) == 0 {
			continue
		}
		opts = append(opts, discordgo.SelectMenuOption{Label: c.label, Value: c.value})
	}
	rows := []discordgo.MessageComponent{}
	if len(buttons) > 0 {
		rows = append(rows, discordgo.ActionsRow{Components: buttons})
	}
	rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.SelectMenu{MenuType: discordgo.StringSelectMenu, CustomID: customID(verbMute, a.ID), Placeholder: "Mute…", Options: opts},
	}})
	return rows
}

// groupComponents offer a grouped card's alerts that can still be
// acknowledged in one menu (at most 25).
func groupComponents(group []*alerts.Alert) []discordgo.MessageComponent {
	var opts []discordgo.SelectMenuOption
	for _, a := range group {
		if _, ok := alerts.Next(a.State, alerts.ActionAck); !ok || len(opts) == maxSelectOpts {
			continue
		}
		opts = append(opts, discordgo.SelectMenuOption{
			Label:       truncate(fmt.Sprintf("Acknowledge %s", a.Ref()), maxOptionLabel),
			Value:       strconv.FormatInt(a.ID, 10),
			Description: truncate(plain(snippet(a, maxOptionDesc)), maxOptionDesc),
		})
	}
	if len(opts) == 0 {
		return []discordgo.MessageComponent{}
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.SelectMenu{MenuType: discordgo.StringSelectMenu, CustomID: customID(verbPick, group[0].ID), Placeholder: "Acknowledge one…", Options: opts},
	}}}
}
