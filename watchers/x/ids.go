package x

import (
	"strconv"
	"time"
)

// X ids are Snowflakes: 64-bit integers sent as decimal strings, whose top
// bits are milliseconds since the Twitter epoch
// (https://docs.x.com/resources/fundamentals/x-ids). Lookout compares them
// as strings (length, then digits) and reads their time to know whether
// recent search still reaches a cursor.

// twepoch is the Snowflake epoch, 2010-11-04T01:42:54.657Z, in Unix ms.
const twepoch = 1288834974657

// timestampShift is how far the milliseconds sit above the worker and
// sequence bits.
const timestampShift = 22

// validID reports whether s is a canonical decimal id that fits in 63 bits.
func validID(s string) bool {
	if s == "" || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// compareID orders two valid ids numerically without parsing them.
func compareID(a, b string) int {
	switch {
	case len(a) != len(b):
		if len(a) < len(b) {
			return -1
		}
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// maxID returns the larger of two ids; an empty id is the smallest.
func maxID(a, b string) string {
	if compareID(a, b) >= 0 {
		return a
	}
	return b
}

// idTime returns when a Snowflake id was minted; false for an id too small
// to be a Snowflake (posts from before November 2010).
func idTime(id string) (time.Time, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n>>timestampShift == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli((n >> timestampShift) + twepoch).UTC(), true
}

// idAt returns the smallest Snowflake id minted at t: as a since_id it
// asks for posts made after t.
func idAt(t time.Time) string {
	ms := max(t.UnixMilli()-twepoch, 0)
	return strconv.FormatInt(ms<<timestampShift, 10)
}
