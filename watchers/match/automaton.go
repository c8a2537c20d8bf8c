package match

// automaton is an Aho-Corasick automaton compiled into a deterministic
// table over byte classes: one load per byte of text, whatever the number
// of patterns. It reports every occurrence, overlapping ones included.
// It is immutable once built, so any number of goroutines may scan with
// it at once.
type automaton struct {
	// class maps a byte to its column; bytes that occur in no pattern
	// share column 0, and the three separators share one column.
	class  [256]uint8
	nclass int32
	// delta[s+class] is the next state, premultiplied by nclass; a value
	// v < 0 means the state -v-1 ends at least one pattern.
	delta []int32
	// own[outStart[s]:outStart[s+1]] are the patterns ending exactly at
	// state s (s counted in rows, not premultiplied); dict[s] is the next
	// state on the failure chain that ends a pattern, or -1.
	outStart []int32
	own      []int32
	dict     []int32
}

// newAutomaton builds the automaton of patterns; pattern i is reported as
// i. Separator bytes are interchangeable: which one a word needs is
// checked after a hit, so one pattern serves words and hashtags alike.
func newAutomaton(patterns [][]byte) *automaton {
	a := &automaton{}
	used := [256]bool{}
	for _, p := range patterns {
		for _, b := range p {
			used[canonByte(b)] = true
		}
	}
	a.nclass = 1
	for b := range 256 {
		if used[b] {
			a.class[b] = uint8(a.nclass)
			a.nclass++
		}
	}
	for _, s := range []byte{sepHashtag, sepMention} {
		a.class[s] = a.class[sepPlain]
	}
	n := int32(a.nclass)
	// Build the trie with child links in the table, -1 for none.
	states := 1
	for _, p := range patterns {
		states += len(p)
	}
	delta := make([]int32, states*int(n))
	for i := range delta {
		delta[i] = -1
	}
	ownOf := make([][]int32, states)
	count := int32(1)
	for id, p := range patterns {
		s := int32(0)
		for _, b := range p {
			c := int32(a.class[b])
			if delta[s*n+c] < 0 {
				delta[s*n+c] = count
				count++
			}
			s = delta[s*n+c]
		}
		ownOf[s] = append(ownOf[s], int32(id))
	}
	delta = delta[:count*n]
	// Breadth-first: failure links, dictionary links and the missing
	// transitions, each borrowed from the state's failure state.
	fail := make([]int32, count)
	a.dict = make([]int32, count)
	a.dict[0] = -1
	queue := make([]int32, 0, count)
	for c := range n {
		if u := delta[c]; u > 0 {
			fail[u] = 0
			a.dict[u] = -1
			queue = append(queue, u)
		} else {
			delta[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := range n {
			u := delta[s*n+c]
			if u < 0 {
				delta[s*n+c] = delta[fail[s]*n+c]
				continue
			}
			f := delta[fail[s]*n+c]
			fail[u] = f
			if len(ownOf[f]) > 0 {
				a.dict[u] = f
			} else {
				a.dict[u] = a.dict[f]
			}
			queue = append(queue, u)
		}
	}
	a.outStart = make([]int32, count+1)
	for s := range count {
		a.outStart[s] = int32(len(a.own))
		a.own = append(a.own, ownOf[s]...)
	}
	a.outStart[count] = int32(len(a.own))
	// Premultiply and flag the states that end a pattern.
	for i, u := range delta {
		v := u * n
		if len(ownOf[u]) > 0 || a.dict[u] >= 0 {
			v = -v - 1
		}
		delta[i] = v
	}
	a.delta = delta
	return a
}

// canonByte maps the separators to one byte.
func canonByte(b byte) byte {
	if b == sepHashtag || b == sepMention {
		return sepPlain
	}
	return b
}

// scan calls hit with the end offset and id of every pattern occurrence
// in text, in order of end offset; it stops when hit returns false.
func (a *automaton) scan(text []byte, hit func(end int, id int32) bool) {
	s := int32(0)
	for i, b := range text {
		v := a.delta[s+int32(a.class[b])]
		if v < 0 {
			v = -v - 1
			if !a.outputs(v/a.nclass, i+1, hit) {
				return
			}
		}
		s = v
	}
}

func (a *automaton) outputs(s int32, end int, hit func(end int, id int32) bool) bool {
	for ; s >= 0; s = a.dict[s] {
		for _, id := range a.own[a.outStart[s]:a.outStart[s+1]] {
			if !hit(end, id) {
				return false
			}
		}
	}
	return true
}

// size is the automaton's memory in bytes.
func (a *automaton) size() int {
	return len(a.class) + 4*(len(a.delta)+len(a.outStart)+len(a.own)+len(a.dict))
}
