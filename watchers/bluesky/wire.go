package bluesky

import "encoding/json"

// Wire types of the XRPC responses and records Lookout reads. Field names
// follow the lexicons under
// https://github.com/bluesky-social/atproto/tree/main/lexicons/app/bsky.

// authorFeed is app.bsky.feed.getAuthorFeed's output.
type authorFeed struct {
	Cursor string         `json:"cursor"`
	Feed   []feedViewPost `json:"feed"`
}

// feedViewPost is app.bsky.feed.defs#feedViewPost.
type feedViewPost struct {
	Post   postView        `json:"post"`
	Reason *reason         `json:"reason,omitempty"`
	Raw    json.RawMessage `json:"-"`
}

// reason is #reasonRepost or #reasonPin.
type reason struct {
	Type      string      `json:"$type"`
	By        *authorView `json:"by,omitempty"`
	URI       string      `json:"uri,omitempty"`
	IndexedAt string      `json:"indexedAt,omitempty"`
}

const (
	typeReasonRepost = "app.bsky.feed.defs#reasonRepost"
	typeReasonPin    = "app.bsky.feed.defs#reasonPin"
)

// postView is app.bsky.feed.defs#postView.
type postView struct {
	URI       string     `json:"uri"`
	CID       string     `json:"cid"`
	Author    authorView `json:"author"`
	Record    postRecord `json:"record"`
	Embed     *embedView `json:"embed,omitempty"`
	IndexedAt string     `json:"indexedAt"`
}

// authorView is app.bsky.actor.defs#profileViewBasic.
type authorView struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName,omitempty"`
}

// postRecord is an app.bsky.feed.post record, as hydrated by the AppView
// and as sent by Jetstream.
type postRecord struct {
	Type      string       `json:"$type"`
	Text      string       `json:"text"`
	CreatedAt string       `json:"createdAt"`
	Langs     []string     `json:"langs,omitempty"`
	Reply     *replyRef    `json:"reply,omitempty"`
	Facets    []facet      `json:"facets,omitempty"`
	Embed     *embedRecord `json:"embed,omitempty"`
}

type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid,omitempty"`
}

// facet is app.bsky.richtext.facet; index offsets are UTF-8 bytes.
type facet struct {
	Features []struct {
		Type string `json:"$type"`
		URI  string `json:"uri,omitempty"`
		DID  string `json:"did,omitempty"`
		Tag  string `json:"tag,omitempty"`
	} `json:"features"`
}

const typeFacetLink = "app.bsky.richtext.facet#link"

// embedView is a hydrated embed (app.bsky.embed.*#view). Only the fields
// Lookout keeps are decoded; $type says which are set.
type embedView struct {
	Type   string `json:"$type"`
	Images []struct {
		Fullsize string `json:"fullsize"`
		Alt      string `json:"alt"`
	} `json:"images,omitempty"`
	Playlist  string `json:"playlist,omitempty"`
	Thumbnail string `json:"thumbnail,omitempty"`
	External  *struct {
		URI   string `json:"uri"`
		Title string `json:"title"`
	} `json:"external,omitempty"`
	// Record is the quoted post (record#view) or, for recordWithMedia,
	// a record#view wrapper.
	Record *struct {
		Type   string      `json:"$type"`
		URI    string      `json:"uri"`
		Author *authorView `json:"author,omitempty"`
		Record *struct {
			URI    string      `json:"uri"`
			Author *authorView `json:"author,omitempty"`
		} `json:"record,omitempty"`
	} `json:"record,omitempty"`
	Media *embedView `json:"media,omitempty"`
}

// embedRecord is an embed as stored in a record (Jetstream): blobs, not
// URLs, so media URLs are built from the author's DID and the blob CID.
type embedRecord struct {
	Type   string `json:"$type"`
	Images []struct {
		Alt   string `json:"alt"`
		Image blob   `json:"image"`
	} `json:"images,omitempty"`
	Video    *blob `json:"video,omitempty"`
	External *struct {
		URI   string `json:"uri"`
		Title string `json:"title"`
	} `json:"external,omitempty"`
	// Record is a strongRef for record embeds, and a record embed
	// ({record: strongRef}) for recordWithMedia.
	Record json.RawMessage `json:"record,omitempty"`
	Media  *embedRecord    `json:"media,omitempty"`
}

type blob struct {
	Ref struct {
		Link string `json:"$link"`
	} `json:"ref"`
	MimeType string `json:"mimeType"`
}

// The embed types, with and without the #view suffix.
const (
	embedImages          = "app.bsky.embed.images"
	embedVideo           = "app.bsky.embed.video"
	embedExternal        = "app.bsky.embed.external"
	embedRecordType      = "app.bsky.embed.record"
	embedRecordWithMedia = "app.bsky.embed.recordWithMedia"
)

// xrpcError is the body of an XRPC error response.
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// UnmarshalJSON keeps the item's bytes as the post's raw evidence.
func (f *feedViewPost) UnmarshalJSON(b []byte) error {
	type plain feedViewPost
	if err := json.Unmarshal(b, (*plain)(f)); err != nil {
		return err
	}
	f.Raw = append(json.RawMessage(nil), b...)
	return nil
}
