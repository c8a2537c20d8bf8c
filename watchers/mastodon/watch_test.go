package mastodon

import (
	"strings"
	"testing"
)

func TestParseAccount(t *testing.T) {
	tests := []struct {
		in, key, user, domain string
		bad                   bool
	}{
		{in: "cartel", key: "cartel", user: "cartel"},
		{in: "@Cartel", key: "cartel", user: "Cartel"},
		{in: "@Cartel@M.Example", key: "cartel@m.example", user: "Cartel", domain: "m.example"},
		{in: " fan_1@far.example. ", key: "fan_1@far.example", user: "fan_1", domain: "far.example"},
		{in: "a@127.0.0.1", bad: true},
		{in: "a@m.example:8080", bad: true},
		{in: "a@localhost", bad: true},
		{in: "a@user@m.example", bad: true},
		{in: "https://m.example/@a", bad: true},
		{in: "", bad: true},
		{in: "@", bad: true},
	}
	for _, tt := range tests {
		got, err := parseAccount(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("parseAccount(%q) = %+v; want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.key != tt.key || got.user != tt.user || got.domain != tt.domain {
			t.Errorf("parseAccount(%q) = %+v, %v; want key %q user %q domain %q", tt.in, got, err, tt.key, tt.user, tt.domain)
		}
	}
}

func TestWatchTags(t *testing.T) {
	tests := []struct {
		keywords []string
		want     string // the tags joined by ","; "" for an error
	}{
		{[]string{"#Cartel"}, "cartel"},
		{[]string{" #año_2026 "}, "año_2026"},
		{[]string{"#日本"}, "日本"},
		{[]string{"#Cartel", " #plaza", "#cartel"}, "cartel,plaza"},
		{[]string{"#cartel AND plaza"}, "cartel"},
		{[]string{"#cjng AND plaza -simulacro"}, "cjng"},
		{[]string{"#cjng OR (#cartel plaza)"}, "cjng,cartel"},
		{[]string{`#"gente nueva"`}, "gentenueva,gente_nueva"},
		{[]string{"(#cjng OR #mencho) NEAR/3 plaza"}, ""},
		{[]string{"cartel"}, ""},
		{[]string{"#cartel OR plaza"}, ""},
		{[]string{"#cartel~leet"}, ""},
		{[]string{"#"}, ""},
		{[]string{"##x"}, ""},
		{[]string{"#🔫"}, ""},
	}
	for _, tt := range tests {
		got, err := watchTags(tt.keywords)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("watchTags(%q) = %q; want an error", tt.keywords, got)
		case tt.want != "" && (err != nil || strings.Join(got, ",") != tt.want):
			t.Errorf("watchTags(%q) = %q, %v; want %s", tt.keywords, got, err, tt.want)
		}
	}
}

func TestCheckWatch(t *testing.T) {
	tests := []struct {
		name               string
		accounts, keywords []string
		want               string // substring of the error; "" for none
	}{
		{"hashtags only", nil, []string{"#cartel", "#plaza"}, ""},
		{"accounts with words", []string{"cartel@m.example"}, []string{"plaza", "a OR b"}, ""},
		{"words without accounts", nil, []string{"#cartel", "plaza"}, `keywords "plaza" cannot be watched ("plaza" is a word`},
		{"hashtag rule without accounts", nil, []string{"#cjng AND plaza"}, ""},
		{"prefix without accounts", nil, []string{"#cjng OR sicari*"}, `"sicari*" is a prefix*`},
		{"bad account", []string{"not a handle"}, nil, `account "not a handle" is not a Mastodon handle`},
	}
	for _, tt := range tests {
		err := CheckWatch(tt.accounts, tt.keywords)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: got %v; want no error", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}
