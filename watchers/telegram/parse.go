package telegram

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/plaintext"
)

// This file reads the t.me/s/<channel> preview page. Its markup is not a
// documented API; the selectors below are those the page has used for years
// (and that RSSHub's lib/routes/telegram/channel.ts relies on):
//
//	div.tgme_widget_message[data-post="channel/123"]   one message
//	a.tgme_widget_message_date > time[datetime]          when it was posted
//	.tgme_widget_message_text                            HTML text, <br> for newlines
//	.tgme_widget_message_from_author                     signature of signed posts
//	.tgme_widget_message_forwarded_from(_name)           forwarded from
//	a.tgme_widget_message_reply[href]                    reply to
//	.tgme_widget_message_photo_wrap (background-image), video.tgme_widget_message_video[src],
//	.tgme_widget_message_document_wrap                   media
//	.tgme_widget_message_meta "edited"                   the post was edited
//	.tgme_channel_history                                present only when the preview is readable

// Limits on what one page may hold, so a hostile or broken page cannot
// make a poll balloon.
const (
	maxMessagesPerPage = 100
	maxTextBytes       = 64 << 10
	maxMediaPerMessage = 20
)

// message is one message read from a preview page.
type message struct {
	channel       string // as in data-post
	id            int64
	time          time.Time
	text          string
	author        string // signature of a signed post
	forwardedFrom string // name of the forwarded-from chat
	forwardedRef  string // "channel/id" when the forward links to a public post
	replyTo       string // "channel/id" of the message replied to
	media         []alerts.Media
	edited        bool
	service       bool   // "channel created", "photo updated": not a post
	raw           []byte // the message's outer HTML, kept as evidence
}

// page is what one preview page holds.
type page struct {
	messages []message // in page order: oldest first
	// readable is false when the page is not a channel preview at all: the
	// preview is disabled, the channel is restricted or does not exist.
	readable bool
	// reason is Telegram's own explanation of a restriction, if it gave one.
	reason string
	// skipped counts message elements that could not be read.
	skipped int
}

// parsePage reads a preview page.
func parsePage(body []byte) (*page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse page: %w", err)
	}
	p := &page{readable: doc.Find(".tgme_channel_history").Length() > 0}
	if !p.readable {
		p.reason = restriction(doc)
	}
	doc.Find("div.tgme_widget_message[data-post]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if len(p.messages) >= maxMessagesPerPage {
			return false
		}
		m, ok := parseMessage(s)
		if !ok {
			p.skipped++
			return true
		}
		p.messages = append(p.messages, m)
		return true
	})
	return p, nil
}

// restriction returns Telegram's explanation shown instead of a preview
// ("This channel can't be displayed because it violated Telegram's Terms of
// Service"), when there is one.
func restriction(doc *goquery.Document) string {
	for _, sel := range []string{".tgme_page_description", ".tgme_channel_info_description"} {
		t := collapseSpace(doc.Find(sel).First().Text())
		l := strings.ToLower(t)
		if strings.Contains(l, "can't be displayed") || strings.Contains(l, "cannot be displayed") || strings.Contains(l, "violat") {
			return truncate(t, 200)
		}
	}
	return ""
}

// dataPost matches data-post="channel/123".
var dataPost = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]{3,31})/([0-9]{1,18})$`)

// parseMessage reads one message; ok is false when it has no usable id or
// time, which means the page layout changed.
func parseMessage(s *goquery.Selection) (message, bool) {
	m := dataPost.FindStringSubmatch(s.AttrOr("data-post", ""))
	if m == nil {
		return message{}, false
	}
	id, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil || id <= 0 {
		return message{}, false
	}
	msg := message{channel: m[1], id: id, service: s.HasClass("service_message")}
	dt, ok := s.Find(".tgme_widget_message_date time[datetime]").First().Attr("datetime")
	if !ok {
		dt, ok = s.Find("time[datetime]").First().Attr("datetime")
	}
	if !ok {
		return message{}, false
	}
	if msg.time, err = time.Parse(time.RFC3339, dt); err != nil {
		return message{}, false
	}
	msg.time = msg.time.UTC()

	s.Find(".tgme_widget_message_text").EachWithBreak(func(_ int, t *goquery.Selection) bool {
		// The quoted text of a replied-to message uses the same class.
		if t.Closest(".tgme_widget_message_reply").Length() > 0 {
			return true
		}
		msg.text = truncate(htmlText(t), maxTextBytes)
		t.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			msg.addMedia("link", a.AttrOr("href", ""), "")
		})
		return false
	})
	msg.author = collapseSpace(s.Find(".tgme_widget_message_from_author").First().Text())
	if fwd := s.Find(".tgme_widget_message_forwarded_from").First(); fwd.Length() > 0 {
		name := fwd.Find(".tgme_widget_message_forwarded_from_name").First()
		msg.forwardedFrom = collapseSpace(name.Text())
		if msg.forwardedFrom == "" {
			msg.forwardedFrom = strings.TrimSpace(strings.TrimPrefix(collapseSpace(fwd.Text()), "Forwarded from"))
		}
		msg.forwardedRef = postRef(name.AttrOr("href", ""))
	}
	msg.replyTo = postRef(s.Find("a.tgme_widget_message_reply").First().AttrOr("href", ""))

	s.Find(".tgme_widget_message_photo_wrap").Each(func(_ int, ph *goquery.Selection) {
		msg.addMedia("image", backgroundURL(ph.AttrOr("style", "")), "")
	})
	s.Find("video.tgme_widget_message_video, .tgme_widget_message_video_player video").Each(func(_ int, v *goquery.Selection) {
		msg.addMedia("video", v.AttrOr("src", ""), "")
	})
	s.Find(".tgme_widget_message_document_wrap, .tgme_widget_message_document").Each(func(_ int, d *goquery.Selection) {
		if d.HasClass("tgme_widget_message_document") && d.Closest(".tgme_widget_message_document_wrap").Length() > 0 {
			return // counted with its wrapper
		}
		title := collapseSpace(d.Find(".tgme_widget_message_document_title").First().Text())
		href := d.AttrOr("href", "")
		if href == "" {
			href = fmt.Sprintf("%s/%s/%d", publicURL, msg.channel, msg.id)
		}
		msg.addMedia("document", href, title)
	})
	msg.edited = isEdited(s)
	if raw, err := goquery.OuterHtml(s); err == nil {
		msg.raw = []byte(raw)
	}
	return msg, true
}

// isEdited reports whether the message's meta line carries the "edited"
// marker, as its own element or as bare text before the date.
func isEdited(s *goquery.Selection) bool {
	if s.Find(".tgme_widget_message_edited").Length() > 0 {
		return true
	}
	meta := s.Find(".tgme_widget_message_meta").First()
	for n := range meta.Nodes {
		for c := meta.Nodes[n].FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode && strings.Contains(strings.ToLower(c.Data), "edited") {
				return true
			}
		}
	}
	return false
}

// addMedia appends an attachment if its URL is an absolute http(s) URL:
// anything else (javascript:, data:, relative junk) is dropped.
func (m *message) addMedia(kind, raw, alt string) {
	if len(m.media) >= maxMediaPerMessage {
		return
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return
	}
	for _, x := range m.media {
		if x.URL == u.String() && x.Type == kind {
			return
		}
	}
	m.media = append(m.media, alerts.Media{Type: kind, URL: u.String(), Alt: alt})
}

// backgroundRe finds the URL in style="background-image:url('…')".
var backgroundRe = regexp.MustCompile(`background-image:\s*url\(\s*['"]?([^'")]+)['"]?\s*\)`)

func backgroundURL(style string) string {
	m := backgroundRe.FindStringSubmatch(style)
	if m == nil {
		return ""
	}
	return m[1]
}

// postLinkRe matches a link to a public post: https://t.me/channel/123.
var postLinkRe = regexp.MustCompile(`^https?://(?:www\.)?(?:t|telegram)\.me/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/([0-9]{1,18})(?:[?#].*)?$`)

// postRef turns a post link into "channel/id"; empty for anything else.
func postRef(href string) string {
	m := postLinkRe.FindStringSubmatch(strings.TrimSpace(href))
	if m == nil {
		return ""
	}
	return m[1] + "/" + m[2]
}

// htmlText turns message HTML into plain text: <br> and block ends become
// newlines, everything else its text.
func htmlText(s *goquery.Selection) string {
	var b strings.Builder
	for _, n := range s.Nodes {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			writeText(&b, c)
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.FieldsFunc(l, isHorizontalSpace), " ")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

func writeText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	switch n.Data {
	case "br":
		b.WriteByte('\n')
		return
	case "script", "style":
		return
	}
	block := n.Data == "p" || n.Data == "div" || n.Data == "blockquote" || n.Data == "pre" || n.Data == "li"
	if block && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteByte('\n')
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeText(b, c)
	}
	if block {
		b.WriteByte('\n')
	}
}

func isHorizontalSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\u00a0' || r == '\f' || r == '\v'
}

// collapseSpace trims s and turns every run of white space into one space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string { return plaintext.Truncate(s, n, "") }
