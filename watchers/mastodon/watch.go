package mastodon

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/lookoutbot/lookout/watchers/match"
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

// errPlainKeywords explains why a keyword-only watch needs hashtags.
var errPlainKeywords = errors.New("no Mastodon search is usable for watching words " +
	"(full-text search needs a logged-in user and an instance with search enabled, and misses posts); " +
	"a watch without accounts reads the timelines of #hashtags, so each rule needs a #hashtag that every post it matches carries " +
	"(such as \"#cartel\", \"#cjng AND plaza\" or #\"gente nueva\"), " +
	"or add accounts so the keywords filter their posts")

// CheckWatch reports what keeps a Mastodon watch from working, without
// any network access: accounts that are not handles, and keywords that
// cannot be watched. Keywords of a watch with accounts only filter those
// accounts' posts, so any keyword works; a watch without accounts reads
// hashtag timelines, so each rule needs a #hashtag that every post it
// matches carries (see watchTags).
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
// keyword order without repeats: the search cover of its rules made only
// of hashtags (match.SearchCover), so every post a rule matches carries
// one of them and the timelines miss none. "#cjng AND plaza" reads #cjng;
// "#cjng OR plaza" is refused, since plaza alone may be in a post with no
// tag, which no Mastodon timeline lists.
func watchTags(keywords []string) ([]string, error) {
	if len(keywords) == 0 {
		return nil, nil
	}
	cv, err := match.SearchCover(keywords, match.SearchHashtag)
	var ce *match.CoverError
	switch {
	case errors.As(err, &ce) && len(ce.Entries) > 0:
		var names, why []string
		for _, u := range ce.Entries {
			names = append(names, fmt.Sprintf("%q", u.Keyword))
			why = append(why, u.Reasons...)
		}
		return nil, fmt.Errorf("keywords %s cannot be watched (%s): %w", strings.Join(names, ", "), strings.Join(why, "; "), errPlainKeywords)
	case err != nil:
		return nil, fmt.Errorf("keywords cannot be watched: %w", err)
	}
	found, _ := cv.Hashtags()
	tags := make([]string, 0, len(found))
	for _, t := range found {
		t = strings.ToLower(t)
		if !hashtagRe.MatchString(t) {
			return nil, fmt.Errorf("hashtag #%s cannot be read from a Mastodon tag timeline: %w", t, errPlainKeywords)
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags, nil
}
