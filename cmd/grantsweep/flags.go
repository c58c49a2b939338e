package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/report"
)

// newFlagSet returns the flag set of a command: errors are returned, never printed, and
// the flags are listed in the order they are defined. Its Usage (--help) is the
// command's help on standard output (see writeHelp); out is where pflag's own default
// usage would go, which no command uses.
func newFlagSet(name string, out io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(out)
	fs.SortFlags = false
	return fs
}

// parseFlags parses args, turning flag errors into usage errors: an unknown flag with
// the flags it may have meant, a value that is not one of a flag's values with them.
// A flag whose value is optional (--progress, --strict and the other true/false flags)
// takes its value after a space too, when the next word is one of its values (see
// joinSpacedValues).
func parseFlags(fs *pflag.FlagSet, name string, args []string) error {
	err := fs.Parse(joinSpacedValues(fs, args))
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return err
	}
	var unknown *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	var bad *choiceError
	switch {
	case errors.As(err, &unknown):
		return usageError("%s: %v%s", name, err, flagHint(fs, unknown))
	case errors.As(err, &invalid) && errors.As(err, &bad):
		return usageError("%s: --%s %v", name, invalid.GetFlag().Name, bad)
	}
	return usageError("%s: %v", name, err)
}

// flagHint suggests the flags an unknown one may have meant: a long name given with one
// dash (-format), or a long name close to the one typed.
func flagHint(fs *pflag.FlagSet, e *pflag.NotExistError) string {
	if group := e.GetSpecifiedShortnames(); group != "" {
		if f := fs.Lookup(group); f != nil && len(group) > 1 {
			return "; did you mean --" + f.Name + "?"
		}
		return ""
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, "--"+f.Name)
		}
	})
	return didYouMean("--"+e.GetSpecifiedName(), append(names, "--help"), false)
}

// joinSpacedValues rewrites "--flag value" as "--flag=value" for a flag whose value is
// optional (pflag reads "--progress always" as --progress, then a PATH named always),
// when value is one of the flag's values: auto, always or never for --progress, true or
// false for a true/false flag. Any other next word stays a word of its own, so that
// "--strict logs/" is --strict and a PATH. A PATH that is literally named true, false,
// always, auto or never right after such a flag is written ./true, or after --. It
// walks args as pflag does: the value of a flag that needs one is skipped, and nothing
// after "--" is looked at.
func joinSpacedValues(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		if a == "--" {
			return append(out, args[i+1:]...)
		}
		f := lastFlag(fs, a)
		switch {
		case f == nil:
		case f.NoOptDefVal == "": // its value is the next word, whatever it is
			if i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
		case i+1 < len(args) && slices.Contains(spacedValues(f), args[i+1]):
			out[len(out)-1] = a + "=" + args[i+1]
			i++
		}
	}
	return out
}

// lastFlag returns the flag that word ends with, if the word is a flag without its value
// after "=": --name, or the last of a group of shorthands (-o). It returns nil for
// anything else, such as a PATH, "-", --name=value, or an unknown flag.
func lastFlag(fs *pflag.FlagSet, word string) *pflag.Flag {
	switch {
	case len(word) < 2 || word[0] != '-' || strings.Contains(word, "="):
		return nil
	case word[1] == '-':
		return fs.Lookup(word[2:])
	}
	// A group of shorthands: each takes no value, up to one that takes the rest of the
	// group, or the next word when it is the last.
	group := word[1:]
	for j := 0; j < len(group); j++ {
		f := fs.ShorthandLookup(group[j : j+1])
		if f == nil {
			return nil
		}
		if j == len(group)-1 {
			return f
		}
		if f.NoOptDefVal == "" {
			return nil // the rest of the group is its value
		}
	}
	return nil
}

// spacedValues are the values a flag with an optional value takes after a space.
func spacedValues(f *pflag.Flag) []string {
	if c, ok := f.Value.(*choice); ok {
		return c.values
	}
	if f.Value.Type() == "bool" {
		return []string{"true", "false"}
	}
	return nil
}

// choice is the value of a flag that is one word of a fixed list (--format, --color,
// --progress ...): the list is written in the flag's usage, completion offers it, an
// optional value is taken from it after a space, and a word not in it is a usage error
// that names the list.
type choice struct {
	word   string // the value's name in the usage: FORMAT, WHEN, MODE
	values []string
	get    func() string
	set    func(string) error
}

func (c *choice) String() string {
	if c == nil || c.get == nil {
		return ""
	}
	return c.get()
}

// Type is the value's name in the usage ("--format FORMAT"), not a Go type.
func (c *choice) Type() string { return c.word }

func (c *choice) Set(s string) error {
	if err := c.set(s); err != nil {
		return &choiceError{value: s, values: c.values}
	}
	return nil
}

// choiceError is a value that is not one of a flag's values.
type choiceError struct {
	value  string
	values []string
}

func (e *choiceError) Error() string {
	return fmt.Sprintf("must be %s, not %q%s", orList(e.values, false), e.value, didYouMean(e.value, e.values, true))
}

// choiceVar defines a string flag whose value is one of values; its usage is about,
// then the values.
func choiceVar(fs *pflag.FlagSet, p *string, name, word, value string, values []string, about string) *pflag.Flag {
	*p = value
	c := &choice{word: word, values: values, get: func() string { return *p }, set: func(s string) error {
		if !slices.Contains(values, s) {
			return errors.New("not a value")
		}
		*p = s
		return nil
	}}
	fs.Var(c, name, about+": "+orList(values, false))
	return fs.Lookup(name)
}

// formatVar defines --format for a summary (sweep, merge): report.Format reads it, so
// "md" and upper case are taken as well.
func formatVar(fs *pflag.FlagSet, p *report.Format) {
	*p = report.FormatTable
	values := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		values[i] = string(f)
	}
	c := &choice{word: "FORMAT", values: values, get: p.String, set: func(s string) error { return p.UnmarshalText([]byte(s)) }}
	fs.Var(c, "format", "output format: "+orList(values, false))
}

// orList writes words as "a, b or c", each quoted if quote is set.
func orList(words []string, quote bool) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = w
		if quote {
			q[i] = fmt.Sprintf("%q", w)
		}
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
