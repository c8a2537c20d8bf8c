package match

// functionWords are the commonest Spanish and English words that carry no
// meaning alone, folded. A term made only of them ("las para", "of the")
// matches a great many posts, so it draws a warning.
var functionWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{
		// Spanish.
		"a", "al", "ante", "bajo", "como", "con", "contra", "cual", "cuando", "de", "del",
		"desde", "donde", "e", "el", "ella", "ellas", "ellos", "en", "entre", "era", "es",
		"esa", "ese", "eso", "esta", "este", "esto", "fue", "ha", "hay", "hacia", "hasta",
		"la", "las", "le", "les", "lo", "los", "mas", "me", "mi", "muy", "ni", "no", "nos",
		"o", "para", "pero", "por", "porque", "que", "se", "sea", "si", "sin", "sobre",
		"son", "su", "sus", "tambien", "te", "tu", "u", "un", "una", "uno", "unos", "unas",
		"y", "ya", "yo",
		// English.
		"about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do",
		"for", "from", "had", "has", "have", "he", "her", "his", "i", "if", "in", "into",
		"is", "it", "its", "me", "my", "not", "of", "on", "or", "our", "she", "so", "that",
		"the", "their", "them", "then", "there", "they", "this", "to", "up", "was", "we",
		"were", "what", "when", "which", "who", "will", "with", "you", "your",
	} {
		m[w] = true
	}
	return m
}()

// allFunctionWords reports whether every word is a function word.
func allFunctionWords(words []string) bool {
	for _, w := range words {
		if !functionWords[w] {
			return false
		}
	}
	return len(words) > 0
}
