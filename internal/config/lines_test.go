package config

import "testing"

func TestKeyLines(t *testing.T) {
	doc := `log_level = "info"
sources.x.base_url = "https://api.x.com"
[[watch]]
name = "a"
[[watch]]
name = "b"
accounts = [
  "one",
  "two",
]
[[policy]]
name = "p"
[[policy.step]]
after = "1m"
[[policy.step]]
after = "2m"
[[policy]]
step = [{after = "1m"},
  {after = "2m", notify = ["console"]}]
[slack]
bot_token = "t"
`
	lines := keyLines([]byte(doc))
	tests := []struct {
		key  string
		want int
	}{
		{"log_level", 1},
		{"sources", 2},
		{"sources.x.base_url", 2},
		{"watch[0]", 3},
		{"watch[0].name", 4},
		{"watch[1].name", 6},
		{"watch[1].accounts", 7},
		{"watch[1].accounts[1]", 9},
		{"policy[0].step[0].after", 14},
		{"policy[0].step[1]", 15},
		{"policy[0].step[1].after", 16},
		{"policy[1].step[0].after", 18},
		{"policy[1].step[1].notify[0]", 19},
		{"slack.bot_token", 21},
	}
	for _, tc := range tests {
		if got := lines[tc.key]; got != tc.want {
			t.Errorf("line of %s: got %d; want %d", tc.key, got, tc.want)
		}
	}

	fallbacks := []struct {
		key  string
		want int
	}{
		{"watch[1].route", 5},
		{"watch[1].accounts[5]", 7},
		{"policy[1].step[1].notify[3]", 19},
		{"nowhere", 0},
		{"nowhere.at[2].all", 0},
	}
	for _, tc := range fallbacks {
		if got := lineOf(lines, tc.key); got != tc.want {
			t.Errorf("lineOf(%s): got %d; want %d", tc.key, got, tc.want)
		}
	}
}
