package match

import (
	"slices"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

// TestRules is the rule language on posts from moderation practice. want
// lists what a card would bold, "term=original text"; nil means no match.
func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		rules []string
		post  alerts.Post
		want  []string
	}{
		// Boolean logic.
		{"implicit and", []string{"balacera culiacan -simulacro"}, alerts.Post{Text: "Balacera hoy en Culiacán"}, []string{"balacera=Balacera", "culiacan=Culiacán"}},
		{"implicit and needs both", []string{"balacera culiacan -simulacro"}, alerts.Post{Text: "Balacera hoy en Mazatlán"}, nil},
		{"negation", []string{"balacera -simulacro"}, alerts.Post{Text: "Simulacro de balacera en la escuela"}, nil},
		{"NOT keyword", []string{"balacera AND NOT simulacro"}, alerts.Post{Text: "balacera"}, []string{"balacera=balacera"}},
		{"or", []string{"(halcones OR punteros) plaza"}, alerts.Post{Text: "los PUNTEROS cuidan la plaza"}, []string{"punteros=PUNTEROS", "plaza=plaza"}},
		{"or reports only what fired", []string{"halcones OR punteros"}, alerts.Post{Text: "halcones"}, []string{"halcones=halcones"}},
		{"false branch reports nothing", []string{"(sicario AND cjng) OR plaza"}, alerts.Post{Text: "sicario en la plaza"}, []string{"plaza=plaza"}},
		{"and binds tighter than or", []string{"a1 b2 OR c3"}, alerts.Post{Text: "c3"}, []string{"c3=c3"}},
		{"lowercase or is a word", []string{"halcones or punteros"}, alerts.Post{Text: "halcones punteros"}, nil},

		// Phrases.
		{"phrase across line break", []string{`"gente nueva" -"gente nueva york"`}, alerts.Post{Text: "la GENTE\nNUEVA llegó"}, []string{`"gente nueva"=GENTE` + "\nNUEVA"}},
		{"phrase across punctuation", []string{`"cobro de piso"`}, alerts.Post{Text: "cobro... de piso!"}, []string{`"cobro de piso"=cobro... de piso`}},
		{"negated phrase", []string{`"gente nueva" -"gente nueva york"`}, alerts.Post{Text: "Gente Nueva York"}, nil},

		// Hashtags, mentions and the hashtag a phrase spells.
		{"hashtag only", []string{"#cjng"}, alerts.Post{Text: "cjng"}, nil},
		{"word or hashtag", []string{"cjng"}, alerts.Post{Text: "#CJNG"}, []string{"cjng=CJNG"}},
		{"camelcase hashtag", []string{`#"gente nueva"`}, alerts.Post{Text: "#GenteNueva"}, []string{`#"gente nueva"=#GenteNueva`}},
		{"run together hashtag", []string{`#"gente nueva"`}, alerts.Post{Text: "#gentenueva"}, []string{`#"gente nueva"=#gentenueva`}},
		{"snake hashtag", []string{`#"gente nueva"`}, alerts.Post{Text: "#gente_nueva"}, []string{`#"gente nueva"=#gente_nueva`}},
		{"joined hashtag is not the phrase", []string{`#"gente nueva"`}, alerts.Post{Text: "gente nueva"}, nil},
		{"phrase or its hashtag", []string{`"gente nueva"~tag`}, alerts.Post{Text: "gente nueva y #GenteNueva"}, []string{`"gente nueva"~tag=gente nueva`, `"gente nueva"~tag=#GenteNueva`}},
		{"mention", []string{"@sspc_mx"}, alerts.Post{Text: "cc @SSPC_mx"}, []string{"@sspc_mx=@SSPC_mx"}},
		{"mention is not a word", []string{"@sspc_mx"}, alerts.Post{Text: "sspc_mx"}, nil},
		{"email is not a mention", []string{"@example"}, alerts.Post{Text: "a@example.com"}, nil},

		// Prefixes.
		{"prefix", []string{"sicari*"}, alerts.Post{Text: "Sicarios y sicariato"}, []string{"sicari*=Sicarios", "sicari*=sicariato"}},
		{"prefix whole word start", []string{"sicari*"}, alerts.Post{Text: "exsicario"}, nil},
		{"hashtag prefix", []string{"#narco*"}, alerts.Post{Text: "#NarcoBloqueo narcos"}, []string{"#narco*=#NarcoBloqueo"}},

		// Proximity.
		{"near", []string{"balacera NEAR/3 escuela"}, alerts.Post{Text: "Balacera cerca de la escuela"}, []string{"balacera=Balacera", "escuela=escuela"}},
		{"near either order", []string{"balacera NEAR/3 escuela"}, alerts.Post{Text: "escuela: hubo una balacera"}, []string{"escuela=escuela", "balacera=balacera"}},
		{"near too far", []string{"balacera NEAR/2 escuela"}, alerts.Post{Text: "balacera ayer cerca de la escuela"}, nil},
		{"near zero is adjacent", []string{"gente NEAR/0 nueva"}, alerts.Post{Text: "nueva gente"}, []string{"nueva=nueva", "gente=gente"}},
		{"near with phrase", []string{`"cártel del golfo" NEAR/1 reynosa`}, alerts.Post{Text: "Reynosa: Cártel del Golfo"}, []string{"reynosa=Reynosa", `"cártel del golfo"=Cártel del Golfo`}},

		// Language and author.
		{"lang", []string{"cartel lang:es"}, alerts.Post{Text: "cartel", Lang: "es-MX"}, []string{"cartel=cartel"}},
		{"lang mismatch", []string{"cartel lang:es"}, alerts.Post{Text: "cartel", Lang: "en"}, nil},
		{"lang or", []string{"cartel (lang:es OR lang:pt)"}, alerts.Post{Text: "cartel", Lang: "pt"}, []string{"cartel=cartel"}},
		{"from", []string{"from:sspc_mx (balacera OR enfrentamiento)"}, alerts.Post{Text: "enfrentamiento", Handle: "SSPC_MX"}, []string{"enfrentamiento=enfrentamiento"}},
		{"from other", []string{"from:sspc_mx balacera"}, alerts.Post{Text: "balacera", Handle: "troll"}, nil},
		{"from alone", []string{"from:did:plc:abc"}, alerts.Post{Text: "hola", AuthorID: "did:plc:abc"}, []string{}},
		{"from with not", []string{"from:sspc_mx -simulacro"}, alerts.Post{Text: "aviso", Handle: "sspc_mx"}, []string{}},

		// Regex.
		{"regex on folded text", []string{`/c[a4]rt[e3]l\s+\w+/`}, alerts.Post{Text: "El CÁRTEL Jalisco"}, []string{`/c[a4]rt[e3]l\s+\w+/=CÁRTEL Jalisco`}},
		{"regex with words", []string{`plaza /\d{2,}\s*muertos/`}, alerts.Post{Text: "plaza: 12 muertos"}, []string{"plaza=plaza", `/\d{2,}\s*muertos/=12 muertos`}},
		{"regex case", []string{`/CJNG/~case`}, alerts.Post{Text: "cjng CJNG"}, []string{"/CJNG/~case=CJNG"}},

		// Case-sensitive opt-in.
		{"case sensitive", []string{"CJNG~case"}, alerts.Post{Text: "cjng Cjng CJNG"}, []string{"CJNG~case=CJNG"}},
		{"case sensitive folds look-alikes", []string{"CJNG~case"}, alerts.Post{Text: "𝐂𝐉𝐍𝐆"}, []string{"CJNG~case=𝐂𝐉𝐍𝐆"}},

		// Look-alikes, accents, invisible characters, emoji.
		{"cyrillic look-alikes", []string{"cartel"}, alerts.Post{Text: "el сartеl"}, []string{"cartel=сartеl"}},
		{"greek capitals", []string{"mata"}, alerts.Post{Text: "ΜΑΤΑ"}, []string{"mata=ΜΑΤΑ"}},
		{"math and zero width", []string{`"gente nueva"`}, alerts.Post{Text: "𝐠𝐞𝐧𝐭𝐞 𝐧𝐮\u200b𝐞𝐯𝐚"}, []string{`"gente nueva"=𝐠𝐞𝐧𝐭𝐞 𝐧𝐮` + "\u200b" + `𝐞𝐯𝐚`}},
		{"emoji is a word", []string{"🔫 plaza"}, alerts.Post{Text: "ya🔫plaza"}, []string{"🔫 plaza=🔫plaza"}},
		{"emoji skin tone", []string{"👍 cartel"}, alerts.Post{Text: "👍🏽 cartel"}, []string{"👍 cartel=👍🏽 cartel"}},
		{"emoji and", []string{"🔫 AND plaza"}, alerts.Post{Text: "ya🔫🔫 en la plaza"}, []string{"🔫=🔫", "🔫=🔫", "plaza=plaza"}},
		{"emoji separates words", []string{"plaza"}, alerts.Post{Text: "la🔫plaza"}, []string{"plaza=plaza"}},
		{"accent in rule", []string{"culiacán"}, alerts.Post{Text: "CULIACAN"}, []string{"culiacán=CULIACAN"}},

		// Opt-in folds, per term and per watch.
		{"leet needs opt in", []string{"chapitos"}, alerts.Post{Text: "CH4PIT0S"}, nil},
		{"leet", []string{"chapitos~leet"}, alerts.Post{Text: "los CH4PIT0S"}, []string{"chapitos~leet=CH4PIT0S"}},
		{"leet symbols", []string{"sicario~leet"}, alerts.Post{Text: "$1c4r10"}, []string{"sicario~leet=$1c4r10"}},
		{"leet l and 1", []string{"cartel~leet"}, alerts.Post{Text: "c4rt3l C4RT31"}, []string{"cartel~leet=c4rt3l", "cartel~leet=C4RT31"}},
		{"leet keeps trailing punctuation", []string{"cartel~leet"}, alerts.Post{Text: "cartel!"}, []string{"cartel~leet=cartel"}},
		{"stretch needs opt in", []string{"cartel"}, alerts.Post{Text: "carteeeel"}, nil},
		{"stretch", []string{"cartel~stretch"}, alerts.Post{Text: "CARTEEEELLL"}, []string{"cartel~stretch=CARTEEEELLL"}},
		{"stretch keeps double letters", []string{"carrera~stretch"}, alerts.Post{Text: "carrrrera"}, []string{"carrera~stretch=carrrrera"}},
		{"spaced", []string{"cartel~spaced"}, alerts.Post{Text: "el c a r t e l ya"}, []string{"cartel~spaced=c a r t e l"}},
		{"spaced with dots", []string{"cjng~spaced"}, alerts.Post{Text: "C.J.N.G."}, []string{"cjng~spaced=C.J.N.G"}},
		{"spaced needs three letters", []string{"ya~spaced"}, alerts.Post{Text: "y a"}, nil},
		{"all folds", []string{"cartel~leet~stretch~spaced"}, alerts.Post{Text: "c 4 r t 3 3 3 l"}, []string{"cartel~leet~stretch~spaced=c 4 r t 3 3 3 l"}},
		{"group modifier", []string{"(cartel OR sicario)~leet"}, alerts.Post{Text: "s1c4r10"}, []string{"sicario=s1c4r10"}},
		{"watch modifier", []string{"~leet~stretch", "cartel", "plaza"}, alerts.Post{Text: "c4rteeel pl4z4"}, []string{"cartel=c4rteeel", "plaza=pl4z4"}},
		{"plain and leet rules together", []string{"cartel", "plaza~leet"}, alerts.Post{Text: "cartel y pl4z4"}, []string{"cartel=cartel", "plaza~leet=pl4z4"}},

		// Several rules: hits from every matching rule, in text order.
		{"rules are or-ed", []string{"cartel -simulacro", "plaza"}, alerts.Post{Text: "simulacro en la plaza del cartel"}, []string{"plaza=plaza"}},
		{"bare words are a phrase", []string{"cartel plaza"}, alerts.Post{Text: "plaza del cartel"}, nil},
		{"same term in two rules", []string{"cartel", "cartel AND plaza"}, alerts.Post{Text: "cartel plaza"}, []string{"cartel=cartel", "plaza=plaza"}},
	}
	m := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Compile(tt.rules); err != nil {
				t.Fatalf("Compile(%q): %v", tt.rules, err)
			}
			w := &alerts.Watch{Name: "w", Keywords: tt.rules}
			got, ok := m.Match(w, &tt.post)
			if ok != (tt.want != nil) {
				t.Fatalf("Match(%q, %q) ok = %v; want %v (hits %q)", tt.rules, tt.post.Text, ok, tt.want != nil, hitTexts(tt.post.Text, got.Hits))
			}
			if texts := hitTexts(tt.post.Text, got.Hits); tt.want != nil && !slices.Equal(texts, tt.want) {
				t.Errorf("Match(%q, %q) hits = %q; want %q", tt.rules, tt.post.Text, texts, tt.want)
			}
		})
	}
}
