package main

import (
	"errors"
	"strings"

	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/rules"
)

// suggestions returns the candidates that word may have been meant as (see
// [rules.Suggestions]).
func suggestions(word string, candidates []string) []string {
	return rules.Suggestions(word, candidates)
}

// didYouMean is "; did you mean X?" for the suggestions for word, or "" when there are
// none, to end a one-line error message. quote quotes each (ids and words, not flags).
func didYouMean(word string, candidates []string, quote bool) string {
	s := suggestions(word, candidates)
	if len(s) == 0 {
		return ""
	}
	return "; did you mean " + orList(s, quote) + "?"
}

// thresholdHint suggests, for a --fail-on NAME that is none, the names it may have
// meant.
func thresholdHint(err error) string {
	var unknown *report.UnknownNameError
	if !errors.As(err, &unknown) {
		return ""
	}
	name := unknown.Name
	if _, bare, ok := strings.Cut(name, ":"); ok {
		name = bare
	}
	return didYouMean(name, unknown.Names, true)
}
