package reddit

import (
	"bytes"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// maxMedia bounds the attachments kept per post (galleries hold up to 20).
const maxMedia = 20

// post normalises a submission fetched for account (empty for searches).
// now stamps a removal seen on first fetch.
func (it item) post(account string, now time.Time) alerts.Post {
	p := alerts.Post{
		Platform:  Platform,
		ID:        it.Name,
		AuthorID:  it.AuthorFullname,
		Handle:    "u/" + it.Author,
		Account:   account,
		Title:     it.Title,
		Text:      it.Selftext,
		CreatedAt: epoch(it.CreatedUTC),
		URL:       publicURL + it.Permalink,
		Kind:      alerts.KindPost,
		Raw:       bytes.Clone(it.raw),
	}
	if p.AuthorID == "" {
		// Deleted accounts have no fullname; the name is all there is.
		p.AuthorID = "u/" + it.Author
	}
	if !strings.HasPrefix(it.Permalink, "/") {
		p.URL = publicURL + "/comments/" + strings.TrimPrefix(it.Name, "t3_")
	}
	if it.CrosspostParent != "" {
		p.Kind = alerts.KindRepost
		p.RefIDs = []string{it.CrosspostParent}
	}
	p.Media = it.media()
	if reason := it.removal(); reason != "" {
		p.DeletedAt = now.UTC()
		p.DeletedReason = reason
	}
	return p
}

// removal says how a submission was removed, or "" if it was not. Reddit
// blanks removed text to "[removed]" and deleted text or authors to
// "[deleted]", and says who removed it in removed_by_category.
func (it item) removal() string {
	if c := it.RemovedByCategory; c != nil && *c != "" {
		switch *c {
		case "deleted", "author":
			return "deleted by author"
		case "moderator":
			return "removed by moderators"
		case "automod_filtered":
			return "filtered by AutoModerator"
		case "reddit", "anti_evil_ops", "community_ops", "legal_operations", "copyright_takedown", "content_takedown":
			return "removed by Reddit"
		default:
			return "removed (" + truncate(*c, 40) + ")"
		}
	}
	switch {
	case it.Selftext == "[removed]":
		return "removed by moderators"
	case it.Selftext == "[deleted]", it.Author == "[deleted]":
		return "deleted by author"
	}
	return ""
}

// media lists the link target, preview images and gallery items, http(s)
// only.
func (it item) media() []alerts.Media {
	var out []alerts.Media
	seen := map[string]bool{}
	add := func(kind, raw string) {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || seen[raw] || len(out) >= maxMedia {
			return
		}
		seen[raw] = true
		out = append(out, alerts.Media{Type: kind, URL: raw})
	}
	if !it.IsSelf && it.URL != "" && !strings.HasSuffix(it.URL, it.Permalink) {
		add("link", it.URL)
	}
	if it.Preview != nil {
		for _, img := range it.Preview.Images {
			add("image", img.Source.URL)
		}
	}
	keys := make([]string, 0, len(it.MediaMetadata))
	for k := range it.MediaMetadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m := it.MediaMetadata[k]
		switch {
		case m.S.MP4 != "":
			add("gif", m.S.MP4)
		case m.S.U != "":
			add("image", m.S.U)
		}
	}
	return out
}

// epoch turns Reddit's float seconds into a UTC time.
func epoch(secs float64) time.Time {
	if secs <= 0 || math.IsNaN(secs) || math.IsInf(secs, 0) || secs > 1e11 {
		return time.Time{}
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}
