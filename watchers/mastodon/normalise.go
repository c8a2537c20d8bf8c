package mastodon

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// platform is the Post.Platform of every post from this package.
const platform = "mastodon"

// normalise turns a status into a post. domain is the domain of the
// instance that served it, which completes local handles ("user" →
// "@user@domain"); watched is the watched account the status was fetched
// for, "" for hashtag timelines.
//
// A boost becomes a KindRepost by the booster (the wrapper's account) with
// the boosted status's text, link and media, and RefIDs holding the boosted
// status's id and its author's URI. A quote (Mastodon 4.4+, shown only once
// the quoted author accepted it) is a KindQuote referring to the quoted
// status the same way; a reply refers to the status it answers.
func normalise(s *status, raw json.RawMessage, domain, watched string) alerts.Post {
	p := alerts.Post{
		Platform: platform,
		ID:       s.ID,
		AuthorID: authorID(s.Account),
		Handle:   handle(s.Account, domain),
		Account:  watched,
		Kind:     alerts.KindPost,
		Raw:      raw,
	}
	body := s
	switch {
	case s.Reblog != nil:
		body = s.Reblog
		p.Kind = alerts.KindRepost
		p.RefIDs = refIDs(s.Reblog)
	case s.Quote != nil && s.Quote.State == "accepted" && s.Quote.QuotedStatus != nil && s.Quote.QuotedStatus.ID != "":
		p.Kind = alerts.KindQuote
		p.RefIDs = refIDs(s.Quote.QuotedStatus)
	case s.InReplyToID != nil && *s.InReplyToID != "":
		p.Kind = alerts.KindReply
		p.RefIDs = []string{*s.InReplyToID}
	}
	p.Text = statusText(body)
	p.CreatedAt = parseTime(s.CreatedAt)
	if body.Language != nil {
		p.Lang = *body.Language
	}
	p.URL = statusURL(body)
	p.Media = media(body.MediaAttachments)
	return p
}

// statusText is a status's plain text, its content warning first.
func statusText(s *status) string {
	text := htmlToText(s.Content)
	if cw := tidy(collapseSpace(s.SpoilerText)); cw != "" {
		text = strings.TrimSpace("CW: " + cw + "\n\n" + text)
	}
	return truncate(text, maxTextBytes)
}

// authorID is the account's stable id: its ActivityPub URI (4.2+), else
// its profile URL on older servers.
func authorID(a *account) string {
	if a == nil {
		return ""
	}
	if a.URI != "" {
		return a.URI
	}
	return a.URL
}

// handle is "@user@domain". acct is relative to the serving instance, so
// a local account's acct has no domain: it is taken from the account's
// URI, which names the instance's web domain, else the serving domain.
func handle(a *account, domain string) string {
	if a == nil {
		return ""
	}
	acct := a.Acct
	if acct == "" {
		acct = a.Username
	}
	if !strings.Contains(acct, "@") {
		if u, err := url.Parse(authorID(a)); err == nil && u.Hostname() != "" {
			domain = u.Hostname()
		}
		if domain != "" {
			acct += "@" + domain
		}
	}
	return "@" + acct
}

func refIDs(s *status) []string {
	ids := []string{s.ID}
	if id := authorID(s.Account); id != "" {
		ids = append(ids, id)
	}
	return ids
}

// statusURL is the status's web page, else its ActivityPub URI.
func statusURL(s *status) string {
	if s.URL != nil && *s.URL != "" {
		return *s.URL
	}
	return s.URI
}

func parseTime(v string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// mediaTypes maps Mastodon attachment types to Post media types.
var mediaTypes = map[string]string{"image": "image", "gifv": "gif", "video": "video", "audio": "audio"}

func media(atts []mediaAttachment) []alerts.Media {
	var out []alerts.Media
	for _, a := range atts {
		u := ""
		switch {
		case a.URL != nil && *a.URL != "":
			u = *a.URL
		case a.RemoteURL != nil && *a.RemoteURL != "":
			u = *a.RemoteURL
		default:
			continue
		}
		typ, ok := mediaTypes[a.Type]
		if !ok {
			typ = "document"
		}
		m := alerts.Media{Type: typ, URL: u}
		if a.Description != nil {
			m.Alt = *a.Description
		}
		out = append(out, m)
	}
	return out
}
