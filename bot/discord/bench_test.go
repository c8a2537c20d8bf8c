package discord

import (
	"encoding/json"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

// BenchmarkRender renders one card as sent: the plain card, then the
// hostile 10,000-character post that needs escaping and truncation, with
// json.Marshal of a plain card alone as the baseline.
func BenchmarkRender(b *testing.B) {
	plainMsg := &alerts.Message{Kind: alerts.DeliveryCard, Alert: testAlert(1), Now: t0}
	hostileMsg := &alerts.Message{Kind: alerts.DeliveryCard, Alert: hostile(), Now: t0}
	pre := render(plainMsg)
	b.Run("baseline-marshal-only", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(messageCreate{Embeds: pre.Embeds, Components: pre.Components, AllowedMentions: noMentions()})
		}
	})
	for _, c := range []struct {
		name string
		m    *alerts.Message
	}{{"card", plainMsg}, {"hostile-10k", hostileMsg}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := render(c.m)
				_, _ = json.Marshal(messageCreate{Embeds: r.Embeds, Components: r.Components, AllowedMentions: noMentions()})
			}
		})
	}
}
