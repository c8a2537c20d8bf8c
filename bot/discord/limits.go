package discord

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// Discord's message limits, counted in characters. See
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
// and https://discord.com/developers/docs/interactions/message-components.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxAuthor      = 256
	maxEmbedsTotal = 6000
	maxContent     = 2000
	maxCustomID    = 100
	maxButtonLabel = 80
	maxOptionLabel = 100
	maxOptionDesc  = 100
	maxSelectOpts  = 25
	maxChoices     = 25
	maxChoiceName  = 100
	maxChoiceValue = 100
)

// cut is the mark that shows text was cut to fit.
const cut = "… (truncated)"

// runes counts characters as Discord does for its limits.
func runes(s string) int { return utf8.RuneCountInString(s) }

// truncate cuts already safe text to n characters with the visible mark.
// It never splits an escape sequence: a trailing lone backslash is
// dropped.
func truncate(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	keep := max(n-runes(cut), 0)
	t := strings.TrimRight(string([]rune(s)[:keep]), " ")
	if trailingBackslashes(t)%2 == 1 {
		t = t[:len(t)-1]
	}
	return t + cut
}

func trailingBackslashes(s string) int {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n
}

// postMarkdown renders post text for a description: escaped, with the hit
// ranges in bold, within limit characters. When the text does not fit it
// ends with the truncation mark, and a bold run is never left open.
func postMarkdown(text string, hits []alerts.Hit, limit int) string {
	segs := bot.Segments(text, hits)
	var units [][]string // escaped runes, per segment
	total := 0
	var esc escaper
	for _, s := range segs {
		var us []string
		for _, r := range s.Text {
			u := esc.unit(r)
			us = append(us, u)
			total += runes(u)
		}
		units = append(units, us)
		if s.Matched {
			total += 4
		}
	}
	if total <= limit {
		return joinSegments(segs, units, total)
	}
	budget := limit - runes(cut)
	var b strings.Builder
	used := 0
	for i, s := range segs {
		extra := 0
		if s.Matched {
			extra = 4
		}
		// At least one character must fit for a bold run to be worth it.
		if used+extra >= budget {
			break
		}
		if s.Matched {
			b.WriteString("**")
		}
		for _, u := range units[i] {
			n := runes(u)
			if used+n+extra > budget {
				used = budget
				break
			}
			b.WriteString(u)
			used += n
		}
		if s.Matched {
			b.WriteString("**")
			used += extra
		}
	}
	return b.String() + cut
}

func joinSegments(segs []bot.Segment, units [][]string, size int) string {
	var b strings.Builder
	b.Grow(size * 2)
	for i, s := range segs {
		if s.Matched {
			b.WriteString("**")
		}
		for _, u := range units[i] {
			b.WriteString(u)
		}
		if s.Matched {
			b.WriteString("**")
		}
	}
	return b.String()
}

// fitEmbed enforces the per-part limits on one embed, then the 6,000
// character total, which it meets by shortening the description first
// and then dropping fields from the end, each visibly.
func fitEmbed(e *discordgo.MessageEmbed) {
	e.Title = truncate(e.Title, maxTitle)
	e.Description = truncate(e.Description, maxDescription)
	if len(e.Fields) > maxFields {
		more := len(e.Fields) - (maxFields - 1)
		e.Fields = append(e.Fields[:maxFields-1], &discordgo.MessageEmbedField{Name: "…", Value: strconv.Itoa(more) + " more not shown"})
	}
	for _, f := range e.Fields {
		f.Name = truncate(f.Name, maxFieldName)
		f.Value = truncate(f.Value, maxFieldValue)
	}
	if e.Footer != nil {
		e.Footer.Text = truncate(e.Footer.Text, maxFooter)
	}
	if e.Author != nil {
		e.Author.Name = truncate(e.Author.Name, maxAuthor)
	}
	over := embedLen(e) - maxEmbedsTotal
	if over <= 0 {
		return
	}
	if d := runes(e.Description); d > 0 {
		e.Description = truncate(e.Description, max(runes(cut), d-over))
	}
	for embedLen(e) > maxEmbedsTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
}

// embedLen counts the characters Discord counts towards the total.
func embedLen(e *discordgo.MessageEmbed) int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	if e.Author != nil {
		n += runes(e.Author.Name)
	}
	return n
}
