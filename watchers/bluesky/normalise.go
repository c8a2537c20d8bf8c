package bluesky

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// Platform is the source name posts carry.
const Platform = "bluesky"

// postCollection is the NSID of post records.
const postCollection = "app.bsky.feed.post"

// postURL is the canonical web URL of a post. The DID form keeps working
// after the author changes handle.
func postURL(did, rkey string) string {
	return "https://bsky.app/profile/" + did + "/post/" + rkey
}

// splitURI splits at://DID/COLLECTION/RKEY; ok is false for anything else.
func splitURI(uri string) (did, collection, rkey string, ok bool) {
	rest, found := strings.CutPrefix(uri, "at://")
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// postURI builds a post's at-URI.
func postURI(did, rkey string) string { return "at://" + did + "/" + postCollection + "/" + rkey }

// parseTime reads an AT Protocol datetime; the zero time when it is not one.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// cleanText makes a record's text safe to store and show: valid UTF-8, and
// no longer than the lexicon allows.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxTextBytes {
		return s
	}
	cut := maxTextBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// feedItemKey identifies one item of an author feed: the post's URI, or
// for a repost the repost record's URI (the same post may be reposted
// again later).
func feedItemKey(it *feedViewPost) string {
	if it.Reason != nil && it.Reason.Type == typeReasonRepost {
		if it.Reason.URI != "" {
			return it.Reason.URI
		}
		by := ""
		if it.Reason.By != nil {
			by = it.Reason.By.DID
		}
		return it.Post.URI + "#repost:" + by + ":" + it.Reason.IndexedAt
	}
	return it.Post.URI
}

// feedItemTime is the time an author feed is sorted by: the repost time
// for reposts, else the earlier of createdAt and indexedAt (the AppView's
// sortAt), so a backdated post does not look newer than it is sorted.
func feedItemTime(it *feedViewPost) time.Time {
	if it.Reason != nil && it.Reason.Type == typeReasonRepost {
		if t := parseTime(it.Reason.IndexedAt); !t.IsZero() {
			return t
		}
	}
	c, i := parseTime(it.Post.Record.CreatedAt), parseTime(it.Post.IndexedAt)
	switch {
	case c.IsZero():
		return i
	case i.IsZero() || c.Before(i):
		return c
	}
	return i
}

// fromFeedItem normalises one getAuthorFeed item. account is the watched
// account it was fetched for.
func fromFeedItem(it *feedViewPost, account string) (alerts.Post, bool) {
	pv := &it.Post
	did, coll, rkey, ok := splitURI(pv.URI)
	if !ok || coll != postCollection || pv.Author.DID == "" {
		return alerts.Post{}, false
	}
	p := alerts.Post{
		Platform:  Platform,
		ID:        pv.URI,
		AuthorID:  pv.Author.DID,
		Handle:    pv.Author.Handle,
		Account:   account,
		Text:      cleanText(pv.Record.Text),
		CreatedAt: parseTime(pv.Record.CreatedAt),
		URL:       postURL(did, rkey),
		Kind:      alerts.KindPost,
		Raw:       it.Raw,
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = parseTime(pv.IndexedAt)
	}
	if len(pv.Record.Langs) > 0 {
		p.Lang = pv.Record.Langs[0]
	}
	p.Media = append(p.Media, viewMedia(pv.Embed)...)
	p.Media = appendLinks(p.Media, pv.Record.Facets)
	quoted, quotedAuthor := viewQuote(pv.Embed)
	p.Kind, p.RefIDs = kindOf(pv.Record.Reply, quoted, quotedAuthor)
	if it.Reason != nil && it.Reason.Type == typeReasonRepost && it.Reason.By != nil {
		// The watched account reposted someone's post: the repost is the
		// account's post, the original is what it refers to.
		p.Kind = alerts.KindRepost
		p.RefIDs = []string{pv.URI, pv.Author.DID}
		p.ID = feedItemKey(it)
		p.AuthorID, p.Handle = it.Reason.By.DID, it.Reason.By.Handle
		if t := parseTime(it.Reason.IndexedAt); !t.IsZero() {
			p.CreatedAt = t
		}
	}
	return p, true
}

// kindOf classifies a post from its reply reference and quoted post. A
// reply that also quotes is a reply; both references are kept.
func kindOf(reply *replyRef, quoted, quotedAuthor string) (alerts.Kind, []string) {
	var refs []string
	kind := alerts.KindPost
	if reply != nil && reply.Parent.URI != "" {
		kind = alerts.KindReply
		refs = append(refs, reply.Parent.URI)
		if did, _, _, ok := splitURI(reply.Parent.URI); ok {
			refs = append(refs, did)
		}
	}
	if quoted != "" {
		if kind == alerts.KindPost {
			kind = alerts.KindQuote
		}
		refs = append(refs, quoted)
		if quotedAuthor != "" && !slices.Contains(refs, quotedAuthor) {
			refs = append(refs, quotedAuthor)
		}
	}
	return kind, refs
}

// viewMedia lists the media of a hydrated embed.
func viewMedia(e *embedView) []alerts.Media {
	if e == nil {
		return nil
	}
	var out []alerts.Media
	switch strings.TrimSuffix(e.Type, "#view") {
	case embedImages:
		for _, im := range e.Images {
			out = append(out, alerts.Media{Type: "image", URL: im.Fullsize, Alt: im.Alt})
		}
	case embedVideo:
		out = append(out, alerts.Media{Type: "video", URL: e.Playlist})
	case embedExternal:
		if e.External != nil && e.External.URI != "" {
			out = append(out, alerts.Media{Type: "link", URL: e.External.URI, Alt: e.External.Title})
		}
	case embedRecordWithMedia:
		out = append(out, viewMedia(e.Media)...)
	}
	return out
}

// viewQuote returns the quoted post's URI and author in a hydrated embed.
func viewQuote(e *embedView) (uri, author string) {
	if e == nil || e.Record == nil {
		return "", ""
	}
	switch strings.TrimSuffix(e.Type, "#view") {
	case embedRecordType:
		if e.Record.Author != nil {
			author = e.Record.Author.DID
		}
		return e.Record.URI, author
	case embedRecordWithMedia:
		// recordWithMedia#view wraps a record#view.
		if r := e.Record.Record; r != nil {
			if r.Author != nil {
				author = r.Author.DID
			}
			return r.URI, author
		}
	}
	return "", ""
}

// appendLinks adds the real URL of every link facet; the visible text may
// be shortened ("example.com/long…").
func appendLinks(media []alerts.Media, facets []facet) []alerts.Media {
	for _, f := range facets {
		for _, ft := range f.Features {
			if ft.Type != typeFacetLink || ft.URI == "" {
				continue
			}
			dup := slices.ContainsFunc(media, func(m alerts.Media) bool { return m.URL == ft.URI })
			if !dup {
				media = append(media, alerts.Media{Type: "link", URL: ft.URI})
			}
		}
	}
	return media
}

// fromRecord normalises a post record from Jetstream. Records carry blob
// CIDs, not URLs: image and video URLs are built on the public CDN
// (cdn.bsky.app, video.bsky.app), which serves any DID's blobs.
func fromRecord(did, rkey string, rec *postRecord, raw []byte) alerts.Post {
	p := alerts.Post{
		Platform:  Platform,
		ID:        postURI(did, rkey),
		AuthorID:  did,
		Text:      cleanText(rec.Text),
		CreatedAt: parseTime(rec.CreatedAt),
		URL:       postURL(did, rkey),
		Kind:      alerts.KindPost,
		Raw:       raw,
	}
	if len(rec.Langs) > 0 {
		p.Lang = rec.Langs[0]
	}
	p.Media = recordMedia(did, rec.Embed)
	p.Media = appendLinks(p.Media, rec.Facets)
	quoted := recordQuote(rec.Embed)
	quotedAuthor := ""
	if d, _, _, ok := splitURI(quoted); ok {
		quotedAuthor = d
	}
	p.Kind, p.RefIDs = kindOf(rec.Reply, quoted, quotedAuthor)
	return p
}

func recordMedia(did string, e *embedRecord) []alerts.Media {
	if e == nil {
		return nil
	}
	var out []alerts.Media
	switch e.Type {
	case embedImages:
		for _, im := range e.Images {
			if im.Image.Ref.Link != "" {
				out = append(out, alerts.Media{Type: "image", URL: "https://cdn.bsky.app/img/feed_fullsize/plain/" + did + "/" + im.Image.Ref.Link + "@jpeg", Alt: im.Alt})
			}
		}
	case embedVideo:
		if e.Video != nil && e.Video.Ref.Link != "" {
			out = append(out, alerts.Media{Type: "video", URL: "https://video.bsky.app/watch/" + did + "/" + e.Video.Ref.Link + "/playlist.m3u8"})
		}
	case embedExternal:
		if e.External != nil && e.External.URI != "" {
			out = append(out, alerts.Media{Type: "link", URL: e.External.URI, Alt: e.External.Title})
		}
	case embedRecordWithMedia:
		out = append(out, recordMedia(did, e.Media)...)
	}
	return out
}

// recordQuote returns the URI of a record embed's quoted post.
func recordQuote(e *embedRecord) string {
	if e == nil || len(e.Record) == 0 {
		return ""
	}
	var ref struct {
		URI    string     `json:"uri"`
		Record *strongRef `json:"record"`
	}
	if json.Unmarshal(e.Record, &ref) != nil {
		return ""
	}
	switch e.Type {
	case embedRecordType:
		return ref.URI
	case embedRecordWithMedia:
		if ref.Record != nil {
			return ref.Record.URI
		}
	}
	return ""
}
