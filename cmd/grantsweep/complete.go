package main

import (
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/rules"
)

// Shell completion: "grantsweep completion SHELL" prints a small script, and at each Tab
// the script runs the hidden command "grantsweep __complete WORD...", which completes
// from the commands' own flag sets (the table in commands.go), so that completion
// cannot drift from what the program takes.
//
// The protocol between the scripts and __complete (internal, but kept stable so that a
// script loaded once keeps working with a newer grantsweep): the arguments are the words
// after the program name, the last one the word being completed (empty after a space);
// with the one argument --stdin they are read from standard input instead, one a line
// (PowerShell drops empty arguments). The output is a candidate a line, "VALUE" or
// "VALUE<tab>DESCRIPTION", then a last line ":N" where N says what the shell completes
// besides: 0 nothing, 1 file names, 2 directory names.
const completeCommand = "__complete"

// directive is what a shell completes besides the candidates.
type directive int

const (
	completeNothing directive = iota
	completeFiles
	completeDirs
)

type candidate struct{ value, about string }

//go:embed completion/grantsweep.bash
var bashCompletion string

//go:embed completion/grantsweep.zsh
var zshCompletion string

//go:embed completion/grantsweep.fish
var fishCompletion string

//go:embed completion/grantsweep.ps1
var powershellCompletion string

// shells are the shells "grantsweep completion" writes a script for.
var shells = []struct{ name, about, script string }{
	{"bash", "Bash 4.1 or later", bashCompletion},
	{"zsh", "Z shell", zshCompletion},
	{"fish", "fish 3", fishCompletion},
	{"powershell", "PowerShell 5.1 or 7", powershellCompletion},
}

const completionUsage = `Usage: grantsweep completion bash|zsh|fish|powershell

Print the completion script of a shell. It completes the commands, their flags, the
values of the flags that take one of a list (--format, --color, --progress ...), cause
and family ids (--cause, --family, rules show), the names of --fail-on, time zones
(--tz), and file names where a path goes. At
each Tab it asks grantsweep itself, so that it always matches the grantsweep it runs.

  bash        source <(grantsweep completion bash)      (in ~/.bashrc), or write it to
              ~/.local/share/bash-completion/completions/grantsweep
  zsh         grantsweep completion zsh > "${fpath[1]}/_grantsweep"   (a new shell loads it),
              or source <(grantsweep completion zsh) after compinit in ~/.zshrc
  fish        grantsweep completion fish > ~/.config/fish/completions/grantsweep.fish
  powershell  grantsweep completion powershell | Out-String | Invoke-Expression
              (in $PROFILE)
`

func runCompletion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("completion", stderr)
	helpOn(fs, "completion", stdout)
	if err := parseFlags(fs, "completion", args); err != nil {
		return err
	}
	var names []string
	for _, s := range shells {
		names = append(names, s.name)
	}
	if fs.NArg() != 1 {
		return usageError("completion: give one shell: %s", orList(names, false))
	}
	shell := fs.Arg(0)
	if shell == "pwsh" {
		shell = "powershell"
	}
	for _, s := range shells {
		if s.name == shell {
			_, err := io.WriteString(stdout, s.script)
			return err
		}
	}
	return usageError("completion: no shell %q: give %s%s", shell, orList(names, false), didYouMean(shell, names, true))
}

// runComplete is the hidden command __complete.
func runComplete(args []string, stdin io.Reader, stdout io.Writer) error {
	words := args
	if len(args) == 1 && args[0] == "--stdin" {
		data, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(data), "\r\n", "\n")
		words = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	}
	if len(words) == 0 {
		words = []string{""}
	}
	cands, dir := complete(words)
	var b strings.Builder
	for _, c := range cands {
		b.WriteString(c.value)
		if c.about != "" {
			b.WriteString("\t" + c.about)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, ":%d\n", dir)
	_, err := io.WriteString(stdout, b.String())
	return err
}

// complete returns what the last of words (the words after the program name) can be,
// from the flag set of the command that the first word names.
func complete(words []string) ([]candidate, directive) {
	cur, done := words[len(words)-1], words[:len(words)-1]
	if len(done) == 0 {
		var out []candidate
		for _, c := range commands() {
			if !c.hidden {
				out = append(out, candidate{c.name, c.summary})
			}
		}
		return matching(append(out, candidate{"--help", "show help"}, candidate{"--version", "print the version"}), cur), completeNothing
	}
	name := done[0]
	c := findCommand(name)
	if c == nil || c.hidden {
		return nil, completeNothing
	}
	fs := newFlagSet(name, io.Discard)
	if c.flags != nil {
		fs = c.flags()
	}
	st := walkWords(fs, done[1:])
	set := completionRules(st.values["rules"], st.values["rules-mode"])
	switch {
	case st.pending != nil: // the value of the flag before
		return flagValues(st.pending, cur, set)
	case !st.dashDash && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		flag, value, _ := strings.Cut(cur, "=")
		f := fs.Lookup(flag[2:])
		if f == nil {
			return nil, completeNothing
		}
		cands, dir := flagValues(f, value, set)
		for i := range cands {
			cands[i].value = flag + "=" + cands[i].value
		}
		return cands, dir
	case !st.dashDash && strings.HasPrefix(cur, "-"):
		var out []candidate
		fs.VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && (!st.given[f.Name] || repeatable(f)) {
				out = append(out, candidate{"--" + f.Name, flagAbout(f)})
			}
		})
		return matching(append(out, candidate{"--help", "show help"}), cur), completeNothing
	}
	cands, dir := positional(c.name, st.args, cur, set)
	if st.optional != nil { // --progress a<Tab>: its value, or what comes next
		vals, _ := flagValues(st.optional, cur, set)
		cands = append(vals, cands...)
	}
	return cands, dir
}

// wordState is what the words before the one being completed leave.
type wordState struct {
	args     []string          // the positional arguments
	given    map[string]bool   // the flags given
	values   map[string]string // the last value given to each flag that takes one
	pending  *pflag.Flag       // the last word is a flag that needs a value: the current word is it
	optional *pflag.Flag       // the last word is a flag with an optional value, given none
	dashDash bool              // "--" was given: only positional arguments follow
}

// walkWords reads words as parseFlags would (joinSpacedValues included), without
// failing on what it does not know.
func walkWords(fs *pflag.FlagSet, words []string) wordState {
	st := wordState{given: map[string]bool{}, values: map[string]string{}}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case st.dashDash || w == "-" || !strings.HasPrefix(w, "-"):
			st.args = append(st.args, w)
			continue
		case w == "--":
			st.dashDash = true
			continue
		}
		if name, value, ok := strings.Cut(strings.TrimPrefix(w, "--"), "="); ok && strings.HasPrefix(w, "--") {
			if f := fs.Lookup(name); f != nil {
				st.given[f.Name], st.values[f.Name] = true, value
			}
			continue
		}
		f := lastFlag(fs, w)
		if f == nil {
			continue
		}
		st.given[f.Name] = true
		switch {
		case f.NoOptDefVal == "" && i+1 < len(words):
			i++
			st.values[f.Name] = words[i]
		case f.NoOptDefVal == "":
			st.pending = f
		case i+1 < len(words) && slices.Contains(spacedValues(f), words[i+1]):
			i++
		case i+1 == len(words):
			if _, ok := f.Value.(*choice); ok {
				st.optional = f
			}
		}
	}
	return st
}

// flagValues completes the value of flag f.
func flagValues(f *pflag.Flag, cur string, set *rules.Set) ([]candidate, directive) {
	if c, ok := f.Value.(*choice); ok {
		var out []candidate
		for _, v := range c.values {
			out = append(out, candidate{value: v})
		}
		return matching(out, cur), completeNothing
	}
	switch f.Name {
	case "cause":
		return matching(causeCandidates(set), cur), completeNothing
	case "family":
		var out []candidate
		for _, fam := range set.Families {
			out = append(out, candidate{fam.ID, fam.Label})
		}
		return matching(out, cur), completeNothing
	case "fail-on": // the NAME of NAME OP NUMBER; a cause named as a family is cause:ID
		var out []candidate
		for _, name := range report.ThresholdNames(set) {
			if slices.ContainsFunc(out, func(c candidate) bool { return c.value == name }) {
				name = "cause:" + name
			}
			out = append(out, candidate{value: name})
		}
		return matching(out, cur), completeNothing
	case "tz": // IANA names and local: the Windows names have spaces, which shells split
		out := []candidate{{"local", "this machine's zone"}}
		for _, z := range zoneNames() {
			out = append(out, candidate{value: z})
		}
		return matching(out, cur), completeNothing
	}
	switch word, _ := pflag.UnquoteUsage(f); word {
	case "FILE":
		return nil, completeFiles
	case "DIR":
		return nil, completeDirs
	}
	return nil, completeNothing
}

// positional completes the positional argument after args of command name.
func positional(name string, args []string, cur string, set *rules.Set) ([]candidate, directive) {
	switch name {
	case "sweep", "events", "merge":
		return nil, completeFiles
	case "rules":
		switch {
		case len(args) == 0:
			var out []candidate
			for _, v := range rulesVerbs {
				out = append(out, candidate{v.name, v.about})
			}
			return matching(out, cur), completeNothing
		case len(args) == 1 && args[0] == "show":
			out := causeCandidates(set)
			for _, k := range set.Changes {
				out = append(out, candidate{k.ID, k.Label})
			}
			return matching(out, cur), completeNothing
		case len(args) == 1 && args[0] == "check":
			return nil, completeFiles
		}
	case "help":
		if len(args) == 0 {
			var out []candidate
			for _, c := range commands() {
				if !c.hidden {
					out = append(out, candidate{c.name, c.summary})
				}
			}
			return matching(out, cur), completeNothing
		}
	case "completion":
		if len(args) == 0 {
			var out []candidate
			for _, s := range shells {
				out = append(out, candidate{s.name, s.about})
			}
			return matching(out, cur), completeNothing
		}
	}
	return nil, completeNothing
}

func causeCandidates(set *rules.Set) []candidate {
	out := make([]candidate, len(set.Rules))
	for i, r := range set.Rules {
		out[i] = candidate{r.ID, r.Label}
	}
	return out
}

// completionRules is the rule set the command line names with --rules and
// --rules-mode, or the default one when it names none or one that does not load.
func completionRules(path, mode string) *rules.Set {
	if path != "" {
		if mode == "" {
			mode = rules.ModeExtend
		}
		if set, err := loadRules(path, mode); err == nil {
			return set
		}
	}
	return rules.Default()
}

// matching keeps the candidates that start with prefix.
func matching(cands []candidate, prefix string) []candidate {
	return slices.DeleteFunc(cands, func(c candidate) bool { return !strings.HasPrefix(c.value, prefix) })
}

// repeatable reports whether a flag may be given more than once to some purpose.
func repeatable(f *pflag.Flag) bool {
	return strings.HasSuffix(f.Value.Type(), "Array") || strings.HasSuffix(f.Value.Type(), "Slice")
}

// flagAbout is a flag's usage, shortened to a line for a completion menu.
func flagAbout(f *pflag.Flag) string {
	_, about := pflag.UnquoteUsage(f)
	for _, sep := range []string{"; ", " ("} {
		if i := strings.Index(about, sep); i > 0 {
			about = about[:i]
		}
	}
	about = strings.Join(strings.Fields(about), " ")
	if r := []rune(about); len(r) > 72 {
		about = string(r[:71]) + "…"
	}
	return about
}
