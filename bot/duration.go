package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// durationUnits are the units a typed duration may use.
var durationUnits = map[byte]time.Duration{
	's': time.Second,
	'm': time.Minute,
	'h': time.Hour,
	'd': day,
	'w': week,
}

// ParseDuration reads a duration typed in chat: whole numbers with the
// units s, m, h, d (24h) and w (7d), alone or combined, as in "90m", "7d",
// "2w" or "1d12h". It refuses zero and anything longer than
// alerts.MaxMute, the longest span any command accepts.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%s is not a duration: use forms like 90m, 24h, 7d, 2w or 1d12h", quoteArg(s))
	t := strings.ToLower(s)
	if t == "" {
		return 0, bad
	}
	var total time.Duration
	for t != "" {
		n := 0
		for n < len(t) && t[n] >= '0' && t[n] <= '9' {
			n++
		}
		if n == 0 || n == len(t) {
			return 0, bad
		}
		unit, ok := durationUnits[t[n]]
		if !ok {
			return 0, bad
		}
		// Bounding each part by MaxMute keeps the sum far from overflow.
		v, err := strconv.ParseInt(t[:n], 10, 64)
		if err != nil || v > int64(alerts.MaxMute/unit) {
			return 0, fmt.Errorf("%s is longer than %s", quoteArg(s), FormatDuration(alerts.MaxMute))
		}
		total += time.Duration(v) * unit
		if total > alerts.MaxMute {
			return 0, fmt.Errorf("%s is longer than %s", quoteArg(s), FormatDuration(alerts.MaxMute))
		}
		t = t[n+1:]
	}
	if total <= 0 {
		return 0, fmt.Errorf("%s is zero: a duration must be longer than that", quoteArg(s))
	}
	return total, nil
}

// FormatDuration writes a duration the way ParseDuration reads it, in days,
// hours, minutes and seconds: "7d", "1d12h", "1h30m", "45s".
func FormatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		size time.Duration
		name string
	}{{day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.size; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(u.name)
			d -= n * u.size
		}
	}
	return b.String()
}
