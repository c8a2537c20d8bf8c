package slack

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/slack-go/slack"
)

// unescapeEntities undoes Slack's escaping of command text: Slack sends
// & < > typed by the user as &amp; &lt; &gt;, and mentions, channels and
// links as <@U123|name>, <#C123|name>, <https://…|…>.
var unescapeEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// cardLinkPattern matches a Slack message permalink, as Slack sends it in
// escaped command text (<https://team.slack.com/archives/C123/p1700000000000100|label>)
// or bare: the channel and the message timestamp without its dot.
var cardLinkPattern = regexp.MustCompile(`<?https?://[^\s<>|]+/archives/([A-Z0-9]{2,30})/p(\d{10})(\d{6})[^\s<>|]*(?:\|[^<>]*)?>?`)

// commandText turns slash-command text into what the bot grammar reads:
// pasted card links become the alert's id, entities are decoded, and the
// zero-width characters cards insert are removed. Mentions keep their
// escaped wire form, which the grammar understands.
func (a *Adapter) commandText(ctx context.Context, raw string) (string, error) {
	text := stripInvisible(raw)
	var failed error
	text = cardLinkPattern.ReplaceAllStringFunc(text, func(link string) string {
		m := cardLinkPattern.FindStringSubmatch(link)
		ref, err := a.alertOfMessage(ctx, m[1], m[2]+"."+m[3])
		if err != nil {
			if failed == nil {
				failed = err
			}
			return link
		}
		return ref
	})
	if failed != nil {
		return "", failed
	}
	return unescapeEntities.Replace(text), nil
}

// alertOfMessage reads the alert a posted card is about from the card's
// block ids (conversations.history; channels:history).
func (a *Adapter) alertOfMessage(ctx context.Context, channel, ts string) (string, error) {
	h, err := a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channel, Latest: ts, Oldest: ts, Inclusive: true, Limit: 1,
	})
	if err != nil {
		return "", fmt.Errorf("that link could not be read (%v); type the alert id, like A-42", classify("conversations.history", err))
	}
	refs := map[string]bool{}
	for _, m := range h.Messages {
		if m.Timestamp != ts {
			continue
		}
		for _, b := range m.Blocks.BlockSet {
			if ref, ok := strings.CutPrefix(b.ID(), "alert:"); ok {
				if r, ok := cardRef(ref); ok {
					refs[r] = true
				}
			}
		}
	}
	switch len(refs) {
	case 0:
		return "", fmt.Errorf("that link is not a Lookout alert card; type the alert id, like A-42")
	case 1:
		for r := range refs {
			return r, nil
		}
	}
	list := make([]string, 0, len(refs))
	for r := range refs {
		list = append(list, r)
	}
	sort.Strings(list)
	return "", fmt.Errorf("that link is a grouped card of %s; type one alert id", strings.Join(list, ", "))
}
