package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/lookoutbot/lookout/alerts"
)

// Platform names set on posts.
const (
	platformFeed    = "feed"
	platformYouTube = "youtube"
)

// hashKeyHexLen is how many hex digits of SHA-256 make the fallback key of
// an item with neither GUID nor link: 64 bits, plenty within one feed.
const hashKeyHexLen = 16

// parseItems parses a feed body (RSS, Atom or JSON Feed, detected by
// gofeed) and normalises its items to posts, oldest first, keeping at most
// the newest maxItems.
func parseItems(feedURL string, body []byte, maxItems int) ([]alerts.Post, error) {
	f, err := parse(body)
	if err != nil {
		return nil, fmt.Errorf("feed %s: parse: %w", displayURL(feedURL), err)
	}
	base := feedBase(feedURL, f.Link)
	lang := feedLang(f.Language)
	posts := make([]alerts.Post, 0, len(f.Items))
	allDated := true
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		p := normalise(feedURL, base, f, it)
		p.Lang = lang
		if p.CreatedAt.IsZero() {
			allDated = false
		}
		posts = append(posts, p)
	}
	// Feeds list newest first by convention, so reversing document order
	// is the best guess at publication order; dates, when every item has
	// one, are better. The sort is stable so equal dates keep that guess.
	slices.Reverse(posts)
	if allDated {
		slices.SortStableFunc(posts, func(a, b alerts.Post) int { return a.CreatedAt.Compare(b.CreatedAt) })
	}
	if maxItems > 0 && len(posts) > maxItems {
		posts = posts[len(posts)-maxItems:]
	}
	return posts, nil
}

// parse runs gofeed on a body from the network. gofeed v1.4.2 panics on
// some malformed input (a JSON Feed whose first item is null dereferences
// it in DefaultJSONTranslator.Translate), and one hostile feed must not
// take down the poller, so a panic becomes an error.
func parse(body []byte) (f *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("parser panicked: %v", r)
		}
	}()
	return gofeed.NewParser().Parse(bytes.NewReader(body))
}

// normalise turns one feed item into a post. base resolves relative links.
func normalise(feedURL string, base *url.URL, f *gofeed.Feed, it *gofeed.Item) alerts.Post {
	p := alerts.Post{
		Platform:  platformFeed,
		ID:        feedURL + "#" + itemKey(it),
		AuthorID:  feedURL,
		Handle:    handle(f, it),
		Account:   feedURL,
		Title:     truncate(oneLine(htmlToText(it.Title)), maxTextBytes),
		Text:      truncate(htmlToText(firstNonEmpty(it.Content, it.Description)), maxTextBytes),
		CreatedAt: createdAt(it),
		URL:       itemURL(base, it),
		Media:     media(base, it),
		Kind:      alerts.KindPost,
	}
	if raw, err := json.Marshal(it); err == nil {
		p.Raw = raw
	}
	if videoID := ext(it, "yt", "videoId"); videoID != "" {
		youtube(&p, it, videoID)
	}
	return p
}

// itemKey is the item's dedup key within its feed: GUID, else link, else a
// hash of title and raw date (see the package comment).
func itemKey(it *gofeed.Item) string {
	if g := strings.TrimSpace(it.GUID); g != "" {
		return g
	}
	if l := strings.TrimSpace(it.Link); l != "" {
		return l
	}
	sum := sha256.Sum256([]byte(it.Title + "|" + it.Published))
	return "h:" + hex.EncodeToString(sum[:])[:hashKeyHexLen]
}

// youtube rewrites a post for a YouTube feed entry
// (https://developers.google.com/youtube/v3/guides/push_notifications
// shows the entry format).
func youtube(p *alerts.Post, it *gofeed.Item, videoID string) {
	p.Platform = platformYouTube
	p.ID = videoID
	p.URL = "https://www.youtube.com/watch?v=" + url.QueryEscape(videoID)
	// Shorts have their own page; the alternate link says which it is.
	if u, err := url.Parse(it.Link); err == nil && strings.HasPrefix(u.Path, "/shorts/") && u.IsAbs() {
		p.URL = it.Link
	}
	if ch := ext(it, "yt", "channelId"); ch != "" {
		p.AuthorID = ch
	}
	if len(it.Authors) > 0 && it.Authors[0] != nil && it.Authors[0].Name != "" {
		p.Handle = it.Authors[0].Name
	}
	if desc := mediaGroup(it, "description"); desc.Value != "" {
		p.Text = truncate(htmlToText(desc.Value), maxTextBytes)
	}
	p.Media = nil
	if thumb := mediaGroup(it, "thumbnail"); thumb.Attrs["url"] != "" {
		p.Media = []alerts.Media{{Type: "image", URL: thumb.Attrs["url"]}}
	}
}

// ext returns the trimmed value of the first prefix:name extension element.
func ext(it *gofeed.Item, prefix, name string) string {
	if es := it.Extensions[prefix][name]; len(es) > 0 {
		return strings.TrimSpace(es[0].Value)
	}
	return ""
}

// mediaGroup returns the first media:group/media:<name> element, or a
// top-level media:<name> when there is no group.
func mediaGroup(it *gofeed.Item, name string) extElem {
	media := it.Extensions["media"]
	for _, g := range media["group"] {
		if es := g.Children[name]; len(es) > 0 {
			return extElem{Value: es[0].Value, Attrs: es[0].Attrs}
		}
	}
	if es := media[name]; len(es) > 0 {
		return extElem{Value: es[0].Value, Attrs: es[0].Attrs}
	}
	return extElem{}
}

// extElem is the part of an extension element we read.
type extElem struct {
	Value string
	Attrs map[string]string
}

// handle is the item's first author, else the feed's, else the feed title.
func handle(f *gofeed.Feed, it *gofeed.Item) string {
	for _, people := range [][]*gofeed.Person{it.Authors, f.Authors} {
		for _, a := range people {
			if a != nil && strings.TrimSpace(a.Name) != "" {
				return strings.TrimSpace(a.Name)
			}
		}
	}
	return strings.TrimSpace(f.Title)
}

// createdAt is the item's publication date, else its update date, else
// the zero time, in UTC.
func createdAt(it *gofeed.Item) time.Time {
	switch {
	case it.PublishedParsed != nil:
		return it.PublishedParsed.UTC()
	case it.UpdatedParsed != nil:
		return it.UpdatedParsed.UTC()
	}
	return time.Time{}
}

// feedBase is the URL relative item links resolve against: the feed's own
// site link when it is usable, else the feed URL.
func feedBase(feedURL, siteLink string) *url.URL {
	base, err := url.Parse(feedURL)
	if err != nil {
		base = nil
	}
	if site, err := url.Parse(strings.TrimSpace(siteLink)); err == nil && siteLink != "" {
		if base != nil {
			site = base.ResolveReference(site)
		}
		if site.IsAbs() {
			return site
		}
	}
	return base
}

// resolve makes ref absolute against base; an unparsable ref comes back
// unchanged.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || base == nil {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

// itemURL is the item's link, absolute. Items without a link fall back to
// their other links, then to a GUID that is itself a URL (RSS permalinks).
func itemURL(base *url.URL, it *gofeed.Item) string {
	if it.Link != "" {
		return resolve(base, it.Link)
	}
	for _, l := range it.Links {
		if l != "" {
			return resolve(base, l)
		}
	}
	if u, err := url.Parse(strings.TrimSpace(it.GUID)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return u.String()
	}
	return ""
}

// media lists the item's enclosures and image, without repeats.
func media(base *url.URL, it *gofeed.Item) []alerts.Media {
	var out []alerts.Media
	add := func(typ, ref string) {
		u := resolve(base, ref)
		if u == "" || slices.ContainsFunc(out, func(m alerts.Media) bool { return m.URL == u }) {
			return
		}
		out = append(out, alerts.Media{Type: typ, URL: u})
	}
	for _, e := range it.Enclosures {
		if e != nil {
			add(mediaType(e.Type), e.URL)
		}
	}
	if it.Image != nil {
		add("image", it.Image.URL)
	}
	return out
}

// mediaType maps a MIME type to an alerts.Media type.
func mediaType(mime string) string {
	mime = strings.ToLower(strings.TrimSpace(mime))
	switch {
	case mime == "image/gif":
		return "gif"
	case strings.HasPrefix(mime, "image/"):
		return "image"
	case strings.HasPrefix(mime, "video/"):
		return "video"
	case strings.HasPrefix(mime, "audio/"):
		return "audio"
	}
	return "document"
}

// feedLang is the two-letter language of a feed ("es-ES" → "es"), or "".
func feedLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if len(lang) < 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z' {
		return ""
	}
	if len(lang) > 2 && lang[2] != '-' && lang[2] != '_' {
		return "" // a three-letter code or junk; better none than a wrong one
	}
	return lang[:2]
}

// oneLine joins the lines of s with spaces, for titles.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
