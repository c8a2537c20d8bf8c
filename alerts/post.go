package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Kind says what a post is relative to other posts.
type Kind string

// The kinds of post.
const (
	KindPost   Kind = "post"
	KindReply  Kind = "reply"
	KindRepost Kind = "repost"
	KindQuote  Kind = "quote"
)

// Media is one attachment of a post. Media is never shown inline: a card
// offers it only to the person who asks.
type Media struct {
	Type string `json:"type"` // image, video, gif, document, link
	URL  string `json:"url"`
	Alt  string `json:"alt,omitempty"`
}

// Post is one item from a source, normalised. Text is plain text (HTML
// stripped); Raw keeps the payload exactly as fetched, as evidence.
type Post struct {
	Platform string `json:"platform"`
	// ID is the platform's native id of this version of the post.
	ID string `json:"id"`
	// FirstID is the id of the first version when the platform gives edits
	// new ids (X does). Deduplication uses ChainID, so an edit never alerts
	// twice. Empty means the post has no earlier version.
	FirstID string `json:"first_id,omitempty"`
	// AuthorID is the stable author id (X user id, Mastodon account URI,
	// Bluesky DID); Handle is the current, changeable handle.
	AuthorID string `json:"author_id"`
	Handle   string `json:"handle"`
	// Account is the watched account this post was fetched for, when the
	// watcher fetched per account (a feed URL, an X user). Empty for
	// keyword searches and streams, where the matcher checks the author.
	Account   string    `json:"account,omitempty"`
	Title     string    `json:"title,omitempty"`
	Text      string    `json:"text"`
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
	Media     []Media   `json:"media,omitempty"`
	Kind      Kind      `json:"kind"`
	RefIDs    []string  `json:"ref_ids,omitempty"`
	// PreviousHandle is the author's handle before a rename the watcher
	// noticed ("@old is now @new" on the card); empty otherwise.
	PreviousHandle string `json:"previous_handle,omitempty"`
	// DeletedAt is when the platform reported the post deleted or removed;
	// the stored evidence stays. DeletedReason says how ("deleted by
	// author", "removed by moderators").
	DeletedAt     time.Time `json:"deleted_at,omitempty"`
	DeletedReason string    `json:"deleted_reason,omitempty"`
	Raw           []byte    `json:"-"`
}

// ChainID is the id that identifies a post across its edits.
func (p *Post) ChainID() string {
	if p.FirstID != "" {
		return p.FirstID
	}
	return p.ID
}

// MatchText is the text the matcher reads: the title (feeds, Reddit)
// followed by the body.
func (p *Post) MatchText() string {
	if p.Title == "" {
		return p.Text
	}
	if p.Text == "" {
		return p.Title
	}
	return p.Title + "\n" + p.Text
}

// Evidence is what Lookout keeps of a post as first seen, so it survives
// the post's deletion: the raw payload, its SHA-256 and when it was fetched.
type Evidence struct {
	SHA256    string    `json:"sha256"`
	FetchedAt time.Time `json:"fetched_at"`
}

// NewEvidence hashes a raw payload fetched at t.
func NewEvidence(raw []byte, t time.Time) Evidence {
	sum := sha256.Sum256(raw)
	return Evidence{SHA256: hex.EncodeToString(sum[:]), FetchedAt: t.UTC()}
}
