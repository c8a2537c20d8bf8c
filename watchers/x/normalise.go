package x

import (
	"encoding/json"
	"html"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// Platform is the Post.Platform of X posts.
const Platform = "x"

// normalise turns one post of a decoded page into the core's Post. account
// is the watched account it was fetched for ("" for keyword searches) and
// previous the author's handle before a rename Lookout noticed.
func normalise(t *tweet, d *decoded, account, previous string) alerts.Post {
	author := d.users[t.AuthorID]
	p := alerts.Post{
		Platform:       Platform,
		ID:             t.ID,
		AuthorID:       t.AuthorID,
		Handle:         author.Username,
		Account:        account,
		Text:           plainText(t),
		Lang:           t.Lang,
		URL:            postURL(author.Username, t.ID),
		Kind:           alerts.KindPost,
		PreviousHandle: previous,
	}
	if len(t.EditHistoryTweetIDs) > 0 && t.EditHistoryTweetIDs[0] != t.ID {
		p.FirstID = t.EditHistoryTweetIDs[0]
	}
	if ts, err := time.Parse(time.RFC3339Nano, t.CreatedAt); err == nil {
		p.CreatedAt = ts.UTC()
	} else if ts, ok := idTime(t.ID); ok {
		p.CreatedAt = ts
	}
	p.Kind, p.RefIDs = references(t, d)
	if p.Kind == alerts.KindRepost {
		// A repost's own text is "RT @user: " and a truncated copy; the
		// reposted post carries the whole text.
		for _, r := range t.ReferencedTweets {
			if ref, ok := d.refs[r.ID]; ok && r.Type == "retweeted" {
				if u := d.users[ref.AuthorID].Username; u != "" {
					p.Text = "RT @" + u + ": " + plainText(&ref)
				} else {
					p.Text = plainText(&ref)
				}
			}
		}
	}
	p.Media = mediaOf(t, d)
	p.Raw = evidence(t, d)
	return p
}

// plainText is the post's full text: note_tweet for long posts, with X's
// HTML entities (&amp; &lt; &gt;) decoded and t.co links expanded.
func plainText(t *tweet) string {
	s := t.Text
	if t.NoteTweet != nil && t.NoteTweet.Text != "" {
		s = t.NoteTweet.Text
	}
	for _, u := range t.Entities.URLs {
		if u.URL != "" && u.ExpandedURL != "" {
			s = strings.ReplaceAll(s, u.URL, u.ExpandedURL)
		}
	}
	return html.UnescapeString(s)
}

// postURL links to the post; without a handle, the /i/web/ form works.
func postURL(username, id string) string {
	if username == "" {
		return "https://x.com/i/web/status/" + id
	}
	return "https://x.com/" + username + "/status/" + id
}

// references reads referenced_tweets: the kind of post (a repost wins over
// a quote, which wins over a reply) and each referenced post id followed
// by its author id when known.
func references(t *tweet, d *decoded) (alerts.Kind, []string) {
	kind := alerts.KindPost
	rank := map[string]int{"replied_to": 1, "quoted": 2, "retweeted": 3}
	kinds := map[string]alerts.Kind{"replied_to": alerts.KindReply, "quoted": alerts.KindQuote, "retweeted": alerts.KindRepost}
	best := 0
	var refs []string
	for _, r := range t.ReferencedTweets {
		if !validID(r.ID) {
			continue
		}
		refs = append(refs, r.ID)
		if ref, ok := d.refs[r.ID]; ok && ref.AuthorID != "" {
			refs = append(refs, ref.AuthorID)
		}
		if rank[r.Type] > best {
			best, kind = rank[r.Type], kinds[r.Type]
		}
	}
	return kind, refs
}

// mediaOf lists the post's attachments: a photo's URL, a video's or GIF's
// best MP4 (else its preview image).
func mediaOf(t *tweet, d *decoded) []alerts.Media {
	var out []alerts.Media
	for _, key := range t.Attachments.MediaKeys {
		m, ok := d.media[key]
		if !ok {
			continue
		}
		switch m.Type {
		case "photo":
			if m.URL != "" {
				out = append(out, alerts.Media{Type: "image", URL: m.URL, Alt: m.AltText})
			}
		case "video", "animated_gif":
			typ := "video"
			if m.Type == "animated_gif" {
				typ = "gif"
			}
			u, rate := m.PreviewImageURL, -1
			for _, v := range m.Variants {
				if v.ContentType == "video/mp4" && v.URL != "" && v.BitRate > rate {
					u, rate = v.URL, v.BitRate
				}
			}
			if u != "" {
				out = append(out, alerts.Media{Type: typ, URL: u, Alt: m.AltText})
			}
		}
	}
	return out
}

// evidence is the raw payload kept with the post: the post exactly as
// received, with the included author, media and referenced posts it names.
func evidence(t *tweet, d *decoded) []byte {
	type inc struct {
		Users  []user            `json:"users,omitempty"`
		Media  []media           `json:"media,omitempty"`
		Tweets []json.RawMessage `json:"tweets,omitempty"`
	}
	var e struct {
		Data     json.RawMessage `json:"data"`
		Includes inc             `json:"includes"`
	}
	e.Data = t.raw
	seen := map[string]bool{}
	addUser := func(id string) {
		if u, ok := d.users[id]; ok && !seen[id] {
			seen[id] = true
			e.Includes.Users = append(e.Includes.Users, u)
		}
	}
	addUser(t.AuthorID)
	for _, k := range t.Attachments.MediaKeys {
		if m, ok := d.media[k]; ok {
			e.Includes.Media = append(e.Includes.Media, m)
		}
	}
	for _, r := range t.ReferencedTweets {
		if ref, ok := d.refs[r.ID]; ok {
			e.Includes.Tweets = append(e.Includes.Tweets, ref.raw)
			addUser(ref.AuthorID)
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return t.raw
	}
	return b
}
