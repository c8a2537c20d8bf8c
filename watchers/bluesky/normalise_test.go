package bluesky

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestFromFeedItem(t *testing.T) {
	b, err := os.ReadFile("testdata/author_feed.json")
	if err != nil {
		t.Fatal(err)
	}
	var feed authorFeed
	if err := json.Unmarshal(b, &feed); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		i    int
		want alerts.Post
	}{
		{"repost", 1, alerts.Post{
			ID: "at://did:plc:bob/app.bsky.feed.repost/3krp", AuthorID: "did:plc:bob", Handle: "bob.test", Text: "original by carol", Lang: "en",
			CreatedAt: time.Date(2026, 11, 2, 9, 59, 0, 0, time.UTC), URL: "https://bsky.app/profile/did:plc:carol/post/3korig",
			Kind: alerts.KindRepost, RefIDs: []string{"at://did:plc:carol/app.bsky.feed.post/3korig", "did:plc:carol"}}},
		{"quote with images", 2, alerts.Post{
			ID: "at://did:plc:bob/app.bsky.feed.post/3kquote", AuthorID: "did:plc:bob", Handle: "bob.test", Text: "look at this", Lang: "es",
			CreatedAt: time.Date(2026, 11, 2, 9, 58, 0, 0, time.UTC), URL: "https://bsky.app/profile/did:plc:bob/post/3kquote",
			Media: []alerts.Media{{Type: "image", URL: "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:bob/bafyimg@jpeg", Alt: "a plaza"}},
			Kind:  alerts.KindQuote, RefIDs: []string{"at://did:plc:carol/app.bsky.feed.post/3kq", "did:plc:carol"}}},
		{"reply with video and link facet", 3, alerts.Post{
			ID: "at://did:plc:bob/app.bsky.feed.post/3kreply", AuthorID: "did:plc:bob", Handle: "bob.test", Text: "agreed, see example.com/long…",
			CreatedAt: time.Date(2026, 11, 2, 9, 57, 0, 0, time.UTC), URL: "https://bsky.app/profile/did:plc:bob/post/3kreply",
			Media: []alerts.Media{{Type: "video", URL: "https://video.bsky.app/watch/did%3Aplc%3Abob/bafyvid/playlist.m3u8"}, {Type: "link", URL: "https://example.com/long/path?q=1"}},
			Kind:  alerts.KindReply, RefIDs: []string{"at://did:plc:erin/app.bsky.feed.post/3kparent", "did:plc:erin"}}},
		{"external link card", 4, alerts.Post{
			ID: "at://did:plc:bob/app.bsky.feed.post/3kext", AuthorID: "did:plc:bob", Handle: "bob.test", Text: "news",
			CreatedAt: time.Date(2026, 11, 2, 9, 56, 0, 0, time.UTC), URL: "https://bsky.app/profile/did:plc:bob/post/3kext",
			Media: []alerts.Media{{Type: "link", URL: "https://news.example/a", Alt: "A story"}}, Kind: alerts.KindPost}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := fromFeedItem(&feed.Feed[tt.i], "bob.test")
			if !ok {
				t.Fatal("not normalised")
			}
			if len(got.Raw) == 0 {
				t.Error("raw payload missing")
			}
			got.Raw = nil
			tt.want.Platform, tt.want.Account = Platform, "bob.test"
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v;\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFromRecord(t *testing.T) {
	raw := []byte(`{"$type":"app.bsky.feed.post","text":"plaza tomada","createdAt":"2026-11-02T10:00:00Z","langs":["es"],
		"embed":{"$type":"app.bsky.embed.recordWithMedia","record":{"$type":"app.bsky.embed.record","record":{"uri":"at://did:plc:carol/app.bsky.feed.post/3kq","cid":"c"}},
		"media":{"$type":"app.bsky.embed.images","images":[{"alt":"x","image":{"$type":"blob","ref":{"$link":"bafkimg"},"mimeType":"image/jpeg","size":1}}]}}}`)
	var rec postRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	got := fromRecord("did:plc:bob", "3kabc", &rec, raw)
	want := alerts.Post{Platform: Platform, ID: "at://did:plc:bob/app.bsky.feed.post/3kabc", AuthorID: "did:plc:bob", Text: "plaza tomada", Lang: "es",
		CreatedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), URL: "https://bsky.app/profile/did:plc:bob/post/3kabc",
		Media: []alerts.Media{{Type: "image", URL: "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:bob/bafkimg@jpeg", Alt: "x"}},
		Kind:  alerts.KindQuote, RefIDs: []string{"at://did:plc:carol/app.bsky.feed.post/3kq", "did:plc:carol"}, Raw: raw}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v;\nwant %+v", got, want)
	}
}
