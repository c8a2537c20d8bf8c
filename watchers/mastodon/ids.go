package mastodon

import "strings"

// compareID orders Mastodon ids. They are opaque strings, never to be
// parsed as integers (forks use other schemes), but vanilla ids are
// decimal snowflakes, which sort by length and then lexically; that order
// is also right for any fixed-width scheme.
// https://docs.joinmastodon.org/api/guidelines/#id
func compareID(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
