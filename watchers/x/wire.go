package x

import (
	"encoding/json"
	"fmt"
)

// The wire types mirror the X API v2 response shape
// ({data, includes, meta, errors}) as documented at
// https://docs.x.com/x-api/fundamentals/data-dictionary. Only the fields
// Lookout reads are declared.

// Field and expansion lists asked for on every post request.
const (
	tweetFields = "created_at,lang,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,attachments,entities,note_tweet,edit_history_tweet_ids"
	expansions  = "author_id,attachments.media_keys,referenced_tweets.id,referenced_tweets.id.author_id"
	userFields  = "username,name"
	mediaFields = "url,preview_image_url,type,variants,alt_text"
)

type page struct {
	Data     []json.RawMessage `json:"data"`
	Includes includes          `json:"includes"`
	Meta     meta              `json:"meta"`
	Errors   []apiError        `json:"errors"`
}

type includes struct {
	Users  []user            `json:"users"`
	Media  []media           `json:"media"`
	Tweets []json.RawMessage `json:"tweets"`
}

type meta struct {
	NewestID    string `json:"newest_id"`
	OldestID    string `json:"oldest_id"`
	ResultCount int    `json:"result_count"`
	NextToken   string `json:"next_token"`
}

type apiError struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Type   string `json:"type"`
	Value  string `json:"value"`
}

type user struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

type tweet struct {
	ID                  string   `json:"id"`
	Text                string   `json:"text"`
	AuthorID            string   `json:"author_id"`
	CreatedAt           string   `json:"created_at"`
	Lang                string   `json:"lang"`
	EditHistoryTweetIDs []string `json:"edit_history_tweet_ids"`
	NoteTweet           *struct {
		Text string `json:"text"`
	} `json:"note_tweet"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	Attachments struct {
		MediaKeys []string `json:"media_keys"`
	} `json:"attachments"`
	Entities struct {
		URLs []struct {
			URL         string `json:"url"`
			ExpandedURL string `json:"expanded_url"`
		} `json:"urls"`
	} `json:"entities"`
	raw json.RawMessage
}

type media struct {
	MediaKey        string `json:"media_key"`
	Type            string `json:"type"`
	URL             string `json:"url"`
	PreviewImageURL string `json:"preview_image_url"`
	AltText         string `json:"alt_text"`
	Variants        []struct {
		BitRate     int    `json:"bit_rate"`
		ContentType string `json:"content_type"`
		URL         string `json:"url"`
	} `json:"variants"`
}

// usersPage is the /2/users/by response.
type usersPage struct {
	Data   []user     `json:"data"`
	Errors []apiError `json:"errors"`
}

// decoded is a page with its posts parsed.
type decoded struct {
	tweets []tweet
	users  map[string]user
	media  map[string]media
	refs   map[string]tweet
	meta   meta
	errors []apiError
}

// decodePage parses a search or timeline response. Any malformed part
// fails the whole page, so a cursor is never advanced past posts that
// could not be read.
func decodePage(body []byte) (*decoded, error) {
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	d := &decoded{
		users:  make(map[string]user, len(p.Includes.Users)),
		media:  make(map[string]media, len(p.Includes.Media)),
		refs:   make(map[string]tweet, len(p.Includes.Tweets)),
		meta:   p.Meta,
		errors: p.Errors,
	}
	for _, raw := range p.Data {
		t, err := decodeTweet(raw)
		if err != nil {
			return nil, fmt.Errorf("decode page: %w", err)
		}
		d.tweets = append(d.tweets, t)
	}
	if len(d.tweets) > 0 && !validID(p.Meta.NewestID) {
		return nil, fmt.Errorf("decode page: %d posts but meta.newest_id %q", len(d.tweets), p.Meta.NewestID)
	}
	for _, raw := range p.Includes.Tweets {
		t, err := decodeTweet(raw)
		if err != nil {
			return nil, fmt.Errorf("decode page: included %w", err)
		}
		d.refs[t.ID] = t
	}
	for _, u := range p.Includes.Users {
		d.users[u.ID] = u
	}
	for _, m := range p.Includes.Media {
		d.media[m.MediaKey] = m
	}
	return d, nil
}

func decodeTweet(raw json.RawMessage) (tweet, error) {
	var t tweet
	if err := json.Unmarshal(raw, &t); err != nil {
		return tweet{}, fmt.Errorf("post: %w", err)
	}
	if !validID(t.ID) {
		return tweet{}, fmt.Errorf("post id %q is not a post id", t.ID)
	}
	if t.AuthorID != "" && !validID(t.AuthorID) {
		return tweet{}, fmt.Errorf("post %s: author id %q is not a user id", t.ID, t.AuthorID)
	}
	for _, id := range t.EditHistoryTweetIDs {
		if !validID(id) {
			return tweet{}, fmt.Errorf("post %s: edit history id %q is not a post id", t.ID, id)
		}
	}
	t.raw = raw
	return t, nil
}
