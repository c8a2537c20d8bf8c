package mastodon

import "testing"

func TestLinkMinID(t *testing.T) {
	tests := []struct{ name, header, want string }{
		{"mastodon", `<https://m.example/api/v1/accounts/1/statuses?limit=40&max_id=7>; rel="next", <https://m.example/api/v1/accounts/1/statuses?limit=40&min_id=9>; rel="prev"`, "9"},
		{"prev first, spaces", ` <https://m.example/x?min_id=12> ;rel=prev,<https://m.example/x?max_id=3>; rel="next"`, "12"},
		{"comma in url", `<https://m.example/x?a=1,2&min_id=5>; rel="prev"`, "5"},
		{"several rels", `<https://m.example/x?min_id=6>; rel="prev previous"`, "6"},
		{"next only", `<https://m.example/x?max_id=7>; rel="next"`, ""},
		{"empty", ``, ""},
		{"garbage", `<<<>>>;;;,,rel=prev`, ""},
		{"prev without min_id", `<https://m.example/x?since_id=3>; rel="prev"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := linkMinID(tt.header); got != tt.want {
				t.Errorf("linkMinID(%q) = %q; want %q", tt.header, got, tt.want)
			}
		})
	}
}

func TestCompareID(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"9", "10", -1}, {"10", "9", 1}, {"110", "109", 1}, {"113000000000000001", "113000000000000001", 0},
		{"01JQ0000000000000000000000", "01JQ0000000000000000000001", -1},
	}
	for _, tt := range tests {
		if got := compareID(tt.a, tt.b); got != tt.want {
			t.Errorf("compareID(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
