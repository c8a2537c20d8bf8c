package mastodon

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// accountRef is a watched account as written in a watch: "user",
// "@user", "user@domain" or "@user@domain".
type accountRef struct {
	key    string // "user" or "user@domain", lower case: the cursor key
	user   string
	domain string // "" for the configured instance
}

var (
	// usernameRe is Mastodon's username syntax (Account::USERNAME_RE),
	// widened a little for other ActivityPub servers.
	usernameRe = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$`)
	// domainRe accepts DNS names only: no ports, no IP literals, no
	// userinfo, so an account cannot point requests at arbitrary places.
	domainRe = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// hashtagRe is a hashtag's name: letters, digits, marks and _ (and the
	// middle dot Mastodon allows inside tags).
	hashtagRe = regexp.MustCompile(`^[\p{L}\p{N}\p{M}_·]+$`)
)

// parseAccount parses one of a watch's accounts.
func parseAccount(s string) (accountRef, error) {
	a := strings.TrimPrefix(strings.TrimSpace(s), "@")
	user, domain, _ := strings.Cut(a, "@")
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	switch {
	case !usernameRe.MatchString(user):
		return accountRef{}, fmt.Errorf("account %q is not a Mastodon handle (user or user@domain)", s)
	case strings.Contains(a, "@") && !domainRe.MatchString(domain):
		return accountRef{}, fmt.Errorf("account %q has an invalid domain %q", s, domain)
	}
	key := strings.ToLower(user)
	if domain != "" {
		key += "@" + domain
	}
	return accountRef{key: key, user: user, domain: domain}, nil
}

// keywordTag returns the hashtag (without '#', lower case) of a keyword
// that is exactly one hashtag, such as "#Cartel". Only those can be read
// from a hashtag timeline with the certainty that nothing the keyword
// matches is elsewhere: a rule such as "#cartel OR plaza" also matches
// posts without the tag, which no Mastodon timeline lists.
func keywordTag(kw string) (string, bool) {
	name, ok := strings.CutPrefix(strings.TrimSpace(kw), "#")
	if !ok || !hashtagRe.MatchString(name) {
		return "", false
	}
	return strings.ToLower(name), true
}

// errPlainKeywords explains why a keyword-only watch needs hashtags.
var errPlainKeywords = errors.New("no Mastodon search is usable for watching words " +
	"(full-text search needs a logged-in user and an instance with search enabled, and misses posts); " +
	"a watch without accounts reads hashtag timelines: use #hashtags, one per keyword (such as \"#cartel\"), " +
	"or add accounts so the keywords filter their posts")

// CheckWatch reports what keeps a Mastodon watch from working, without
// any network access: accounts that are not handles, and keywords that
// cannot be watched. Keywords of a watch with accounts only filter those
// accounts' posts, so any keyword works; a watch without accounts reads
// hashtag timelines, so each keyword must be a single #hashtag.
func CheckWatch(accounts, keywords []string) error {
	var errs []error
	for _, a := range accounts {
		if _, err := parseAccount(a); err != nil {
			errs = append(errs, err)
		}
	}
	if len(accounts) == 0 {
		if _, err := watchTags(keywords); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// watchTags returns the hashtag timelines a keyword-only watch reads, in
// keyword order without repeats.
func watchTags(keywords []string) ([]string, error) {
	var tags, plain []string
	seen := map[string]bool{}
	for _, kw := range keywords {
		t, ok := keywordTag(kw)
		if !ok {
			plain = append(plain, fmt.Sprintf("%q", kw))
			continue
		}
		if !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	if len(plain) > 0 {
		return nil, fmt.Errorf("keywords %s cannot be watched: %w", strings.Join(plain, ", "), errPlainKeywords)
	}
	return tags, nil
}
