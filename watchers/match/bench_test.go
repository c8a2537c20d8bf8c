package match

// The benchmarks measure one match step (fold, automaton, boolean
// evaluation) per post over a corpus of generated Spanish and English
// posts, 80-280 bytes, about 1% of which contain a watched term, against
// 100, 1,000 and 10,000 rules, beside two baselines in the same run: one
// case-insensitive regexp alternation and a strings.Contains loop.
//
//	go test -run '^$' -bench . -benchtime 1s ./watchers/match/
//
// Each iteration matches one post; posts/s and MB/s are per core (the
// benchmarks run on one goroutine).

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

const benchPosts = 100_000

var benchSizes = []int{100, 1_000, 10_000}

var benchVocab = strings.Fields(`
el la los las de del en y que a por para con un una se no es su al lo como más
pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta
hay donde quien desde todo nos durante todos uno les ni contra otros ese eso ante
ellos e esto mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho
quienes nada muchos cual poco ella estar estas algunas algo nosotros hoy mañana
calle ciudad gobierno vecinos escuela mercado colonia alcalde lluvia tráfico fútbol
partido música fiesta iglesia hospital noticia reporte según dicen videos fotos
the of and to in is was for on that with as by at from his her they this have are
not but had which one you were there been their has would what will all when who
more if out so can said about people city road school police weather traffic game
music video photo news report today tomorrow market downtown traffic storm season
`)

// benchRules returns n distinct rules: mostly invented gang names and
// nicknames, some phrases and hashtags, a few boolean rules. The first
// 100 are the same for every n, so every corpus hits every rule set.
func benchRules(n int) []string {
	rng := rand.New(rand.NewPCG(7, 8))
	syl := strings.Fields("ka lo ren chi pa to mar go zu be ti ra no sa que fe ja ni do ve lu cho ñe gu")
	seen := map[string]bool{}
	word := func() string {
		for {
			var b strings.Builder
			for range 3 + rng.IntN(3) {
				b.WriteString(syl[rng.IntN(len(syl))])
			}
			if w := b.String(); !seen[w] {
				seen[w] = true
				return w
			}
		}
	}
	rules := make([]string, n)
	for i := range rules {
		switch i % 20 {
		case 0:
			rules[i] = `"` + word() + " " + word() + `"`
		case 1:
			rules[i] = "#" + word()
		case 2:
			rules[i] = word() + " AND NOT " + word()
		default:
			rules[i] = word()
		}
	}
	return rules
}

var benchCorpus = sync.OnceValues(func() ([]*alerts.Post, int) {
	rng := rand.New(rand.NewPCG(9, 10))
	watched := benchRules(100)
	posts := make([]*alerts.Post, benchPosts)
	total := 0
	for i := range posts {
		size := 80 + rng.IntN(201)
		var b strings.Builder
		hit := rng.IntN(100) == 0
		for b.Len() < size-12 {
			if b.Len() > 0 {
				b.WriteString([]string{" ", " ", " ", ", ", ". ", "\n"}[rng.IntN(6)])
			}
			w := benchVocab[rng.IntN(len(benchVocab))]
			if rng.IntN(10) == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			if hit && b.Len() > size/2 {
				r := watched[3+rng.IntN(17)] // a plain word
				b.WriteString(" " + strings.ToUpper(r))
				hit = false
			}
		}
		posts[i] = &alerts.Post{Text: b.String(), Lang: "es"}
		total += len(posts[i].Text)
	}
	return posts, total / len(posts)
})

func reportPosts(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

func BenchmarkMatch(b *testing.B) {
	posts, avg := benchCorpus()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			m := New()
			w := &alerts.Watch{Name: "bench", Keywords: benchRules(n)}
			matched := 0
			for _, p := range posts {
				if _, ok := m.Match(w, p); ok {
					matched++
				}
			}
			if matched < benchPosts/200 || matched > benchPosts/50 {
				b.Fatalf("%d of %d posts match; want about 1%%", matched, benchPosts)
			}
			b.SetBytes(int64(avg))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m.Match(w, posts[i%benchPosts])
				i++
			}
			reportPosts(b)
		})
	}
}

// BenchmarkRegexpAlternation is the first baseline: one case-insensitive
// regexp of every rule's words. It is wrong as well as slow: leftmost-first
// alternation drops overlapping terms, \b is ASCII-only, and nothing is
// folded, so "Cártel" and "c4rtel" slip through.
func BenchmarkRegexpAlternation(b *testing.B) {
	posts, avg := benchCorpus()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			var alts []string
			for _, r := range benchRules(n) {
				r = strings.Fields(strings.Trim(r, `"#`))[0]
				alts = append(alts, regexp.QuoteMeta(r))
			}
			re := regexp.MustCompile(`(?i)\b(` + strings.Join(alts, "|") + `)\b`)
			b.SetBytes(int64(avg))
			i := 0
			for b.Loop() {
				re.FindAllStringIndex(posts[i%benchPosts].Text, -1)
				i++
			}
			reportPosts(b)
		})
	}
}

// BenchmarkContainsLoop is the second baseline: lower-case the post and
// look for each term with strings.Contains. No word boundaries, no
// folding: a lower bound on the work of the naive approach.
func BenchmarkContainsLoop(b *testing.B) {
	posts, avg := benchCorpus()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			var terms []string
			for _, r := range benchRules(n) {
				terms = append(terms, strings.Fields(strings.Trim(r, `"#`))[0])
			}
			b.SetBytes(int64(avg))
			i := 0
			for b.Loop() {
				text := strings.ToLower(posts[i%benchPosts].Text)
				for _, t := range terms {
					if strings.Contains(text, t) {
						break
					}
				}
				i++
			}
			reportPosts(b)
		})
	}
}

// BenchmarkFold is the folding step alone: the canonical stream the
// automaton reads.
func BenchmarkFold(b *testing.B) {
	posts, avg := benchCorpus()
	var buf []byte
	b.SetBytes(int64(avg))
	i := 0
	for b.Loop() {
		buf = canonPlain(buf[:0], posts[i%benchPosts].Text)
		i++
	}
	reportPosts(b)
}

// BenchmarkRebuild compiles 10,000 rules into a new Rules, as a watch
// change does, and reports the automaton's memory.
func BenchmarkRebuild(b *testing.B) {
	rules := benchRules(10_000)
	var r *Rules
	for b.Loop() {
		r, _ = compileGroups([][]string{rules})
	}
	size := 0
	for _, a := range r.streams {
		if a != nil {
			size += a.size()
		}
	}
	b.ReportMetric(float64(size)/(1<<20), "automaton-MB")
	b.ReportMetric(float64(len(r.lits)), "literals")
}

func TestBenchCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100,000-post corpus")
	}
	for _, n := range benchSizes {
		if _, err := Compile(benchRules(n)); err != nil {
			t.Fatalf("benchmark rules (%d) do not compile: %v", n, err)
		}
	}
	posts, avg := benchCorpus()
	if len(posts) != benchPosts || avg < 80 || avg > 280 {
		t.Errorf("got %d posts of %d bytes on average; want %d of 80-280", len(posts), avg, benchPosts)
	}
}
