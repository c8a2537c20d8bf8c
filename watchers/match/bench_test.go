package match

import (
	"regexp"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

// benchKeywords is a watch of 100 keywords, Spanish and English: 98 words
// (some joined by '_'), a phrase and a hashtag.
var benchKeywords = append(strings.Fields(`
balacera enfrentamiento cártel sicarios halcones plaza narcobloqueo
levantón secuestro extorsión cobro_de_piso desaparecidos fosa
ejecutado emboscada convoy huachicol narcomanta granada fusiles
militares marina guardia_nacional policías retén cjng sinaloa golfo
zetas noreste michoacana templarios unión tepito jalisco tamaulipas
guerrero zacatecas sonora chihuahua reynosa culiacán uruapan celaya
irapuato fresnillo matamoros nuevo_laredo tijuana ensenada acapulco
chilpancingo morelia apatzingán shooting gunfire gunmen cartel
kidnapping kidnapped abducted hostage ambush convoy_attack roadblock
checkpoint explosion explosive grenade rifle drone_attack military
soldiers police officers killed wounded injured dead bodies grave
massacre murder homicide violence clash clashes firefight troops
border smuggling trafficking fentanyl meth cocaine laboratory
extortion threat threatened warning curfew evacuate evacuation
lockdown`)[:98], `"gente nueva"`, "#cjng")

const benchPost = "Reportan balacera en Culiacán cerca de la plaza principal; " +
	"vecinos piden no salir. Gunfire reported near the border checkpoint, " +
	"police say two wounded. #CJNG #Sinaloa #AlertaCuliacán gente nueva"

func BenchmarkMatch(b *testing.B) {
	m := New()
	w := &alerts.Watch{Name: "bench", Keywords: benchKeywords}
	p := &alerts.Post{Text: benchPost}
	if _, ok := m.Match(w, p); !ok {
		b.Fatal("benchmark post does not match")
	}
	b.SetBytes(int64(len(benchPost)))
	b.ReportAllocs()
	for b.Loop() {
		m.Match(w, p)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkRegexpAlternation is the baseline: one case-insensitive regexp
// of all keywords. It finds fewer hits (no accent, look-alike or hashtag
// handling, ASCII-only \b), so it is a lower bound on work, not a rival.
func BenchmarkRegexpAlternation(b *testing.B) {
	alts := make([]string, len(benchKeywords))
	for i, kw := range benchKeywords {
		alts[i] = regexp.QuoteMeta(strings.Trim(kw, `"#`))
	}
	re := regexp.MustCompile(`(?i)\b(` + strings.Join(alts, "|") + `)\b`)
	if re.FindAllStringIndex(benchPost, -1) == nil {
		b.Fatal("benchmark post does not match")
	}
	b.SetBytes(int64(len(benchPost)))
	b.ReportAllocs()
	for b.Loop() {
		re.FindAllStringIndex(benchPost, -1)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

func TestBenchKeywords(t *testing.T) {
	if len(benchKeywords) != 100 {
		t.Errorf("got %d benchmark keywords; want 100", len(benchKeywords))
	}
	if _, err := Compile(benchKeywords); err != nil {
		t.Errorf("benchmark keywords do not compile: %v", err)
	}
}
