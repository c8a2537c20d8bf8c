package reddit

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lookoutbot/lookout/internal/plaintext"
)

// Wire types of Reddit's listings (https://www.reddit.com/dev/api#listings):
//
//	{"kind":"Listing","data":{"after":"t3_b","before":null,"children":[{"kind":"t3","data":{…}}]}}
//
// Children are newest first for /new, /submitted and sort=new searches.

type listing struct {
	Kind string `json:"kind"`
	Data struct {
		After    string  `json:"after"`
		Children []child `json:"children"`
	} `json:"data"`
}

type child struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// link is a submission ("t3"). Only the fields Lookout uses are decoded;
// the raw JSON is kept as evidence.
type link struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	Author            string          `json:"author"`
	AuthorFullname    string          `json:"author_fullname"`
	Title             string          `json:"title"`
	Selftext          string          `json:"selftext"`
	Permalink         string          `json:"permalink"`
	URL               string          `json:"url"`
	Subreddit         string          `json:"subreddit"`
	CreatedUTC        float64         `json:"created_utc"`
	IsSelf            bool            `json:"is_self"`
	Over18            bool            `json:"over_18"`
	Edited            json.RawMessage `json:"edited"` // false or epoch seconds
	CrosspostParent   string          `json:"crosspost_parent"`
	RemovedByCategory *string         `json:"removed_by_category"`
	Preview           *struct {
		Images []struct {
			Source struct {
				URL string `json:"url"`
			} `json:"source"`
		} `json:"images"`
	} `json:"preview"`
	IsGallery     bool `json:"is_gallery"`
	MediaMetadata map[string]struct {
		E string `json:"e"`
		S struct {
			U   string `json:"u"`
			MP4 string `json:"mp4"`
		} `json:"s"`
	} `json:"media_metadata"`
}

// item is one decoded submission with its raw JSON.
type item struct {
	link
	raw []byte
}

// errNotListing is returned for a body that is JSON but not a listing.
var errNotListing = errors.New("response is not a Reddit listing")

// decodeListing reads a listing body and returns its submissions in the
// order given and the after cursor. Children of other kinds (subreddits on
// a redirected search, comments) are skipped; a submission without a
// fullname or time is an error, since it cannot be deduplicated.
func decodeListing(body []byte) ([]item, string, int, error) {
	var l listing
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, "", 0, fmt.Errorf("decode listing: %w", err)
	}
	if l.Kind != "Listing" {
		return nil, "", 0, fmt.Errorf("decode listing: %w (kind %q)", errNotListing, truncate(l.Kind, 20))
	}
	items := make([]item, 0, len(l.Data.Children))
	others := 0
	for i, c := range l.Data.Children {
		if c.Kind != "t3" {
			others++
			continue
		}
		var it item
		if err := json.Unmarshal(c.Data, &it.link); err != nil {
			return nil, "", 0, fmt.Errorf("decode listing child %d: %w", i, err)
		}
		if !validFullname(it.Name) || it.CreatedUTC <= 0 {
			return nil, "", 0, fmt.Errorf("decode listing child %d: submission without a fullname or created_utc", i)
		}
		it.raw = c.Data
		items = append(items, it)
	}
	return items, l.Data.After, others, nil
}

// validFullname reports whether s is a submission fullname, "t3_" and a
// base-36 id.
func validFullname(s string) bool {
	if len(s) < 4 || len(s) > 20 || s[:3] != "t3_" {
		return false
	}
	for _, r := range s[3:] {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z') {
			return false
		}
	}
	return true
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string { return plaintext.Truncate(s, n, "") }
