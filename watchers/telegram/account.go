package telegram

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
)

// channelName is a public username: 5-32 of letters, digits and
// underscores, starting with a letter (https://core.telegram.org/method/account.updateUsername).
// A few old channels have 4-letter names, so 4 is accepted.
var channelName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

// account is one thing a watch reads: a channel's feed, or Telegram's
// search inside one channel.
type account struct {
	raw     string // as written in the watch
	channel string
	query   string // ?q= search term; empty reads the whole channel
}

// key identifies the account in the cursor: the channel in lower case
// (usernames are case-insensitive) plus the search term.
func (a account) key() string {
	k := strings.ToLower(a.channel)
	if a.query != "" {
		k += "?q=" + a.query
	}
	return k
}

// parseAccount reads an account as users write it: "channel", "@channel",
// "t.me/channel", "https://t.me/s/channel", and any of those with
// "?q=term" to use Telegram's search inside the channel.
func parseAccount(raw string) (account, error) {
	s := strings.TrimSpace(raw)
	var query string
	if i := strings.IndexByte(s, '?'); i >= 0 {
		v, err := url.ParseQuery(s[i+1:])
		if err != nil {
			return account{}, fmt.Errorf("%w: telegram account %q: bad query: %v", alerts.ErrInvalid, raw, err)
		}
		query = strings.TrimSpace(v.Get("q"))
		s = s[:i]
	}
	for _, prefix := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, prefix)
	}
	for _, prefix := range []string{"www.t.me/", "t.me/", "telegram.me/"} {
		if strings.HasPrefix(strings.ToLower(s), prefix) {
			s = s[len(prefix):]
			break
		}
	}
	s = strings.TrimPrefix(s, "s/")
	s = strings.TrimPrefix(s, "@")
	s = strings.TrimSuffix(s, "/")
	if !channelName.MatchString(s) {
		return account{}, fmt.Errorf("%w: telegram account %q is not a public channel name (5-32 letters, digits or _, like \"durov\" or \"t.me/durov\")", alerts.ErrInvalid, raw)
	}
	return account{raw: raw, channel: s, query: query}, nil
}
