package x

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// usernamePattern is what X allows in a username
// (https://help.x.com/en/managing-your-account/x-username-rules).
var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)

// accountName normalises a watched account as written ("@Name ") to the
// key used for lookups ("name").
func accountName(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
}

// followed is one watched account resolved to its user id.
type followed struct {
	entry string // as written in the watch, for Post.Account
	id    string
}

// resolve maps the watch's accounts to user ids: from the cursor first,
// then the watcher's cache, then /2/users/by in batches of 100. Accounts
// X does not know are reported once each, in the returned notices.
func (w *Watcher) resolve(ctx context.Context, c *cursor, accounts []string, fresh func() stream) ([]followed, []string, error) {
	var out []followed
	var notices []string
	var lookup []string
	entries := map[string]string{}
	for _, a := range accounts {
		name := accountName(a)
		if name == "" || entries[name] != "" {
			continue
		}
		entries[name] = a
		if !usernamePattern.MatchString(name) {
			notices = append(notices, c.missing(name, fmt.Sprintf("%q is not a valid X username; the watch skips it", a))...)
			continue
		}
		if _, ok := c.Names[name]; ok {
			continue
		}
		if u, ok := w.cached(name); ok {
			c.follow(name, u, fresh)
			continue
		}
		lookup = append(lookup, name)
	}
	for len(lookup) > 0 {
		n := min(len(lookup), maxUsernames)
		found, err := w.lookupUsers(ctx, lookup[:n])
		if err != nil {
			return nil, nil, err
		}
		for _, name := range lookup[:n] {
			u, ok := found[name]
			if !ok {
				notices = append(notices, c.missing(name, fmt.Sprintf("X account @%s was not found (suspended, deactivated or misspelled); the watch continues with its other accounts", name))...)
				continue
			}
			c.follow(name, u, fresh)
		}
		lookup = lookup[n:]
	}
	// Keep only what the watch still follows, in the watch's order.
	names := make(map[string]string, len(entries))
	users := make(map[string]*account, len(entries))
	missing := c.Missing[:0]
	for _, m := range c.Missing {
		if entries[m] != "" {
			missing = append(missing, m)
		}
	}
	for _, a := range accounts {
		name := accountName(a)
		id, ok := c.Names[name]
		if !ok || names[name] != "" {
			continue
		}
		names[name] = id
		if users[id] == nil {
			users[id] = c.Users[id]
			out = append(out, followed{entry: entries[name], id: id})
		}
	}
	c.Names, c.Users, c.Missing = names, users, missing
	return out, notices, nil
}

// follow records a resolved account in the cursor. A user id already
// followed (the watch now names it by its new username) keeps its stream.
func (c *cursor) follow(name string, u user, fresh func() stream) {
	c.Names[name] = u.ID
	if _, ok := c.Users[u.ID]; !ok {
		c.Users[u.ID] = &account{Handle: u.Username, stream: fresh()}
	}
	c.Missing = removeString(c.Missing, name)
}

// missing records an account that cannot be followed and returns the
// notice the first time only.
func (c *cursor) missing(name, notice string) []string {
	for _, m := range c.Missing {
		if m == name {
			return nil
		}
	}
	c.Missing = append(c.Missing, name)
	return []string{notice}
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// cached returns a user resolved earlier by any watch.
func (w *Watcher) cached(name string) (user, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, ok := w.users[name]
	return u, ok
}

// lookupUsers resolves up to 100 usernames in one request. Unknown and
// suspended accounts come back in "errors" and are simply absent here.
func (w *Watcher) lookupUsers(ctx context.Context, names []string) (map[string]user, error) {
	q := url.Values{"usernames": {strings.Join(names, ",")}, "user.fields": {userFields}}
	body, err := w.get(ctx, usersEndpoint, "/2/users/by", q)
	if err != nil {
		return nil, fmt.Errorf("look up users: %w", err)
	}
	var p usersPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("look up users: decode: %w", err)
	}
	found := make(map[string]user, len(p.Data))
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, u := range p.Data {
		if !validID(u.ID) || !usernamePattern.MatchString(u.Username) {
			return nil, fmt.Errorf("look up users: bad user %q (%q)", u.ID, u.Username)
		}
		name := strings.ToLower(u.Username)
		found[name] = u
		w.users[name] = u
	}
	return found, nil
}
