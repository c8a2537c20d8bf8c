// Package plaintext holds the small text operations every watcher needs
// on untrusted post text, written once: cutting to a byte budget without
// splitting a character, and tidying lines.
package plaintext

import (
	"strings"
	"unicode/utf8"
)

// Truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
// When it cuts, mark (such as "…") is appended within the n bytes, so a
// reader sees that text is missing.
func Truncate(s string, n int, mark string) string {
	if len(s) <= n {
		return s
	}
	n -= len(mark)
	if n < 0 {
		n = 0
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + mark
}

// TidyLines collapses runs of whitespace within each line, keeps at most
// one blank line in a row, trims blank lines at both ends and replaces
// invalid UTF-8.
func TidyLines(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := false
	for _, line := range lines {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
