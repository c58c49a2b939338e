package rules

import (
	"slices"
	"strings"
)

// Suggestions for a word that is not one of a set of names (a command, a flag, a cause
// or family id, a rule file's key): the command line's "did you mean" and rules check's.

// suggestDistance is how many edits away a candidate may be to be suggested for a word
// that is not one (cobra's SuggestionsMinimumDistance is 2 too).
const suggestDistance = 2

// maxSuggestions caps the candidates named, so that a short prefix does not list them
// all.
const maxSuggestions = 4

// Suggestions returns the candidates that word may have been meant as: the closest of
// those at most suggestDistance edits away (an edit inserts, deletes or replaces a
// character, or swaps two adjacent ones), and at most half as many edits as word has
// characters, so that "xml" is not taken for "html"; then those that word is a prefix
// of. Case is ignored,
// ties keep the candidates' order, and an exact match, an empty word or an empty list
// gives none.
func Suggestions(word string, candidates []string) []string {
	w := strings.ToLower(word)
	if w == "" {
		return nil
	}
	limit := min(suggestDistance, len([]rune(w))/2)
	best := limit
	var close, prefixed []string
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == w {
			return nil
		}
		if slices.Contains(close, c) || slices.Contains(prefixed, c) {
			continue
		}
		switch d := editDistance(w, lc); {
		case d <= limit && d < best:
			best, close = d, []string{c}
		case d <= limit && d == best:
			close = append(close, c)
		case strings.HasPrefix(lc, w):
			prefixed = append(prefixed, c)
		}
	}
	out := append(close, prefixed...)
	return out[:min(len(out), maxSuggestions)]
}

// editDistance is the optimal string alignment distance between a and b, in runes:
// insertions, deletions, substitutions and transpositions of adjacent runes.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// Three rows of the table: two before, one before, this one.
	prev2 := make([]int, len(t)+1)
	prev := make([]int, len(t)+1)
	cur := make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(t)]
}
