package config

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps every key path in a TOML document to the line where it first
// appears: "log_level", "slack.bot_token", "watch[1].interval",
// "policy[0].step[1].after", "watch[0].accounts[2]". Array tables and arrays
// are indexed from 0 in document order. Parsing stops silently at a syntax
// error; the caller reports those from the decoder.
func keyLines(data []byte) map[string]int {
	w := lineWalker{lines: map[string]int{}, counts: map[string]int{}}
	for i, c := range data {
		if c == '\n' {
			w.newlines = append(w.newlines, i)
		}
	}
	w.p.Reset(data)
	prefix := ""
	for w.p.NextExpression() {
		e := w.p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			prefix = w.header(e)
		case unstable.KeyValue:
			w.keyValue(prefix, e)
		}
	}
	return w.lines
}

type lineWalker struct {
	p        unstable.Parser
	newlines []int          // offsets of '\n' in the document
	lines    map[string]int // key path → line
	counts   map[string]int // array table path → elements seen so far
}

// header records a [table] or [[array.table]] header and returns the key
// path that the following key/values live under.
func (w *lineWalker) header(e *unstable.Node) string {
	path := ""
	it := e.Key()
	for it.Next() {
		k := it.Node()
		path = joinKey(path, string(k.Data))
		if it.IsLast() && e.Kind == unstable.ArrayTable {
			n := w.counts[path]
			w.counts[path] = n + 1
			path = indexKey(path, n)
		} else if n, ok := w.counts[path]; ok {
			// A sub-table of an array table belongs to its last element.
			path = indexKey(path, n-1)
		}
		w.set(path, k.Raw)
	}
	return path
}

// keyValue records a (possibly dotted) key and, through its value, the keys
// of inline tables and the elements of arrays.
func (w *lineWalker) keyValue(prefix string, e *unstable.Node) {
	path := prefix
	var raw unstable.Range
	it := e.Key()
	for it.Next() {
		k := it.Node()
		path = joinKey(path, string(k.Data))
		raw = k.Raw
		w.set(path, raw)
	}
	w.value(path, e.Value())
}

func (w *lineWalker) value(path string, v *unstable.Node) {
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				w.keyValue(path, kv)
			}
		}
	case unstable.Array:
		i := 0
		it := v.Children()
		for it.Next() {
			el := it.Node()
			if el.Kind == unstable.Comment {
				continue
			}
			elPath := indexKey(path, i)
			w.set(elPath, el.Raw)
			w.value(elPath, el)
			i++
		}
	}
}

// set records the line of raw for path unless path already has one. Nodes
// without a position (nested arrays) are skipped; lookups fall back to the
// parent key.
func (w *lineWalker) set(path string, raw unstable.Range) {
	if _, ok := w.lines[path]; ok || raw.Length == 0 {
		return
	}
	off := int(raw.Offset)
	w.lines[path] = sort.SearchInts(w.newlines, off) + 1
}

// lineOf returns the line of key, or of its closest ancestor with a known
// line ("watch[0]" for a defaulted "watch[0].route"), or 0.
func lineOf(lines map[string]int, key string) int {
	for key != "" {
		if l, ok := lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i <= 0 {
			return 0
		}
		key = key[:i]
	}
	return 0
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func indexKey(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
