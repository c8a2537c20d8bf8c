package slack

import (
	"context"
	"regexp"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// slackIDPattern matches Slack object ids: users, channels, user groups.
var slackIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,20}$`)

// groupCache keeps which user groups each user belongs to, read with
// usergroups.list (include_users) at most once per groupCacheTTL.
type groupCache struct {
	api *slack.Client
	now func() time.Time

	mu      sync.Mutex
	byUser  map[string][]string
	fetched time.Time
}

func newGroupCache(api *slack.Client, now func() time.Time) *groupCache {
	return &groupCache{api: api, now: now}
}

// of returns the ids of the user groups user belongs to. A failed lookup
// returns the last known memberships (none before the first success) and
// the error, so a Slack outage narrows roles rather than widening them.
func (c *groupCache) of(ctx context.Context, user string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byUser != nil && c.now().Sub(c.fetched) < groupCacheTTL {
		return c.byUser[user], nil
	}
	groups, err := c.api.GetUserGroupsContext(ctx, slack.GetUserGroupsOptionIncludeUsers(true))
	if err != nil {
		return c.byUser[user], classify("usergroups.list", err)
	}
	by := make(map[string][]string)
	for _, g := range groups {
		for _, u := range g.Users {
			by[u] = append(by[u], g.ID)
		}
	}
	c.byUser, c.fetched = by, c.now()
	return by[user], nil
}
