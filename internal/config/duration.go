package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that reads and writes TOML strings like "30s",
// "5m", "2h" and "7d". A "d" is 24 hours and combines with the other units,
// as in "1d12h".
type Duration struct {
	time.Duration
}

const day = 24 * time.Hour

// ParseDuration parses the forms time.ParseDuration accepts plus a "d" (24h)
// unit, as in "7d" or "1d12h".
func ParseDuration(s string) (time.Duration, error) {
	invalid := fmt.Errorf("invalid duration %q: use forms like 30s, 5m, 2h, 7d", s)
	rest := s
	neg := false
	if rest != "" && (rest[0] == '-' || rest[0] == '+') {
		neg = rest[0] == '-'
		rest = rest[1:]
	}
	if rest == "0" {
		return 0, nil
	}
	if rest == "" {
		return 0, invalid
	}
	var total time.Duration
	for rest != "" {
		n := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if n <= 0 {
			// No number, or a number without a unit.
			return 0, invalid
		}
		number := rest[:n]
		rest = rest[n:]
		u := strings.IndexFunc(rest, func(r rune) bool { return (r >= '0' && r <= '9') || r == '.' })
		if u < 0 {
			u = len(rest)
		}
		unit := rest[:u]
		rest = rest[u:]

		var part time.Duration
		if unit == "d" {
			days, err := strconv.ParseFloat(number, 64)
			if err != nil || days*float64(day) >= math.MaxInt64 {
				return 0, invalid
			}
			part = time.Duration(days * float64(day))
		} else {
			var err error
			if part, err = time.ParseDuration(number + unit); err != nil {
				return 0, invalid
			}
		}
		if part > math.MaxInt64-total {
			return 0, invalid
		}
		total += part
	}
	if neg {
		total = -total
	}
	return total, nil
}

// FormatDuration writes d in the shortest form ParseDuration reads back,
// using days for whole multiples of 24h: "7d", "1d12h", "1h30m", "1.5s".
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d == math.MinInt64:
		return d.String()
	case d < 0:
		return "-" + FormatDuration(-d)
	}
	var b strings.Builder
	for _, u := range []struct {
		size time.Duration
		name string
	}{{day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if n := d / u.size; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(u.name)
			d -= n * u.size
		}
	}
	if d > 0 {
		// Less than a minute left: seconds, or ms/µs/ns for small values.
		b.WriteString(d.String())
	}
	return b.String()
}

// String returns the duration in the form FormatDuration writes.
func (d Duration) String() string {
	return FormatDuration(d.Duration)
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}
