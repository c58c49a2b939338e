package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestHelpOnStdout: help that was asked for goes to standard output with exit 0, so that
// "grantsweep sweep --help | less" shows it; an error goes to standard error with exit 2,
// and only a line pointing to the help with it.
func TestHelpOnStdout(t *testing.T) {
	for _, c := range commands() {
		if c.hidden || c.name == "help" {
			continue
		}
		want := "Usage: grantsweep " + c.name
		if c.name == "rules" {
			want = "grantsweep rules list"
		}
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			out, errs, code := runCLI(t, "", args...)
			if code != 0 || errs != "" || !strings.Contains(out, want) {
				t.Errorf("%v: exit %d, stderr %q, stdout %.80q; want exit 0, %q on stdout and nothing on stderr", args, code, errs, out, want)
			}
			if c.flags != nil && c.flags().HasAvailableFlags() && !strings.Contains(out, "\nFlags:\n") {
				t.Errorf("%v: no flags in %q", args, out)
			}
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"help", "help"}} {
		out, errs, code := runCLI(t, "", args...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "grantsweep finds") {
			t.Errorf("%v: exit %d, stderr %q, stdout %.80q; want the general help on stdout", args, code, errs, out)
		}
	}
	// Every command the table lists is in the general help, and "help" finds it.
	general, _, _ := runCLI(t, "", "help")
	for _, name := range commandNames() {
		if !strings.Contains(general, "grantsweep "+name) {
			t.Errorf("general help lacks %s", name)
		}
	}
	for _, args := range [][]string{{"sweep", "--bogus"}, {"sweep"}, {"rules"}, {"version", "extra"}, {"completion"}} {
		out, errs, code := runCLI(t, "", args...)
		if code != 2 || out != "" || !strings.Contains(errs, `Run "grantsweep help `+args[0]+`" for usage.`) || strings.Contains(errs, "Flags:") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2, one error and the pointer on stderr", args, code, out, errs)
		}
	}
	// A command that is none points at the general help.
	if _, errs, _ := runCLI(t, "", "swep"); !strings.Contains(errs, `Run "grantsweep help" for usage.`) {
		t.Errorf("swep: stderr %q, want the pointer at the general help", errs)
	}
	// No command at all: the general help, as the error it is.
	out, errs, code := runCLI(t, "")
	if code != 2 || out != "" || !strings.Contains(errs, "Usage:") || !strings.Contains(errs, "no command given") {
		t.Errorf("no command: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestDidYouMean: unknown commands, help topics, flags, values, verbs, shells, cause and
// family ids are usage errors that name what was probably meant.
func TestDidYouMean(t *testing.T) {
	one := filepath.Join(samplesDir, "powershell", "one-signin.json")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"swep"}, `unknown command "swep"; did you mean "sweep"?`},
		{[]string{"evnets", one}, `did you mean "events"?`},
		{[]string{"help", "swep"}, `help: no command "swep"; did you mean "sweep"?`},
		{[]string{"--verison"}, `unknown command "--verison"; did you mean "--version"?`},
		{[]string{"help", "rule"}, `did you mean "rules"?`},
		{[]string{"sweep", "--fromat", "json", one}, "unknown flag: --fromat; did you mean --format?"},
		{[]string{"sweep", "-format", "json", one}, "did you mean --format?"},
		{[]string{"events", "--no-dedup", one}, "did you mean --no-dedupe?"},
		{[]string{"merge", "--baselin", "x.json", "y.json"}, "did you mean --baseline or --baseline-required?"},
		{[]string{"rules", "--kq", "export"}, "did you mean --kql?"},
		{[]string{"version", "--jsn"}, "did you mean --json?"},
		{[]string{"sweep", "--format", "jsn", one}, `--format must be table, csv, json, markdown or html, not "jsn"; did you mean "json"?`},
		{[]string{"sweep", "--progress=alway", one}, `--progress must be auto, always or never, not "alway"; did you mean "always"?`},
		{[]string{"sweep", "--color", "nevr", one}, `did you mean "never"?`},
		{[]string{"events", "--format", "json", one}, `--format must be csv or jsonl, not "json"; did you mean "jsonl"?`},
		{[]string{"sweep", "--rules-mode", "extnd", one}, `did you mean "extend"?`},
		{[]string{"sweep", "--cause", "revokd", one}, `--cause "revokd": no such cause; did you mean "revoked"?`},
		{[]string{"events", "--cause", "binding_hash", one}, `did you mean "binding_hash_mismatch"?`},
		{[]string{"sweep", "--family", "bindng", one}, `--family "bindng": no such family; did you mean "binding"?`},
		{[]string{"sweep", "--fail-on", "revokd>=5", one}, `did you mean "revoked"?`},
		{[]string{"sweep", "--fail-on", "cause:expird_inactivity>1", one}, `did you mean "expired_inactivity"?`},
		{[]string{"rules", "show", "revokd"}, `rules show: no rule "revokd"; did you mean "revoked"?`},
		{[]string{"rules", "lst"}, `did you mean "list"?`},
		{[]string{"completion", "zssh"}, `did you mean "zsh"?`},
	}
	for _, tt := range tests {
		out, errs, code := runCLI(t, "", tt.args...)
		if code != 2 || out != "" || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, code, out, errs, tt.want)
		}
	}
	// Nothing close: no suggestion, only the error.
	_, errs, code := runCLI(t, "", "frobnicate")
	if code != 2 || strings.Contains(errs, "did you mean") {
		t.Errorf("frobnicate: exit %d, %q; want exit 2 without a suggestion", code, errs)
	}
}

func TestSuggestions(t *testing.T) {
	causes := []string{"revoked", "revoked_password_change", "expired_inactivity", "binding_header_empty", "binding_hash_mismatch"}
	tests := []struct {
		word       string
		candidates []string
		want       []string
	}{
		{"swep", []string{"sweep", "events", "merge"}, []string{"sweep"}},
		{"sweeep", []string{"sweep"}, []string{"sweep"}},
		{"swepe", []string{"sweep"}, []string{"sweep"}},                                // a transposition is one edit
		{"SWEP", []string{"sweep"}, []string{"sweep"}},                                 // case is ignored
		{"revokd", causes, []string{"revoked"}},                                        // the closest only
		{"binding", causes, []string{"binding_header_empty", "binding_hash_mismatch"}}, // prefixes
		{"sweep", []string{"sweep"}, nil},                                              // an exact match needs none
		{"xml", []string{"table", "csv", "json", "markdown", "html"}, nil},             // 2 edits of 3 letters is too many
		{"zssh", []string{"bash", "zsh", "fish"}, []string{"zsh"}},
		{"", []string{"sweep"}, nil},
		{"ab", []string{"cd"}, nil},
		{"frobnicate", []string{"sweep", "events"}, nil},
	}
	for _, tt := range tests {
		if got := suggestions(tt.word, tt.candidates); !slices.Equal(got, tt.want) {
			t.Errorf("suggestions(%q, %q) = %q, want %q", tt.word, tt.candidates, got, tt.want)
		}
	}
}

// TestSpacedValues: a flag whose value is optional takes one of its values after a
// space, as users of other tools expect ("--strict true", "--progress always"), and any
// other word after it stays a PATH.
func TestSpacedValues(t *testing.T) {
	one := filepath.Join(samplesDir, "powershell", "one-signin.json")
	missing := filepath.Join(t.TempDir(), "nope.json")
	report := filepath.Join(t.TempDir(), "report.txt")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // a part of it, or "" for none at all
	}{
		{"--strict true", []string{"sweep", "--strict", "true", one}, 0, ""},
		{"--strict false, an input missing", []string{"sweep", "--strict", "false", missing, one}, 0, "nope.json"},
		{"--strict true, an input missing", []string{"sweep", "--strict", "true", missing, one}, 4, "1 input failed"},
		{"--strict then a PATH", []string{"sweep", "--strict", missing, one}, 4, "1 input failed"},
		{"--progress never", []string{"sweep", "--progress", "never", "-o", report, one}, 0, ""},
		{"--progress auto", []string{"sweep", "--progress", "auto", "-o", report, one}, 0, ""},
		{"--no-dedupe false", []string{"sweep", "-o", report, "--no-dedupe", "false", one}, 0, ""},
		{"after --, true is a PATH", []string{"sweep", "--strict", "--", "true", one}, 4, "1 input failed"},
		{"events --strict true", []string{"events", "--strict", "true", "-o", report, one}, 0, ""},
		{"rules export --kql true", []string{"rules", "export", "--kql", "true"}, 0, ""},
		{"rules export --kql false", []string{"rules", "export", "--kql", "false"}, 2, "give --kql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := runCLI(t, "", tt.args...)
			if code != tt.code || (tt.stderr == "") != (errs == "") || !strings.Contains(errs, tt.stderr) {
				t.Errorf("%v: exit %d, stderr %q; want exit %d, stderr with %q", tt.args, code, errs, tt.code, tt.stderr)
			}
		})
	}
	// --partial false: the JSON summary without its partial.
	out, errs, code := runCLI(t, "", "sweep", "--format", "json", "--partial", "false", one)
	if code != 0 || errs != "" || strings.Contains(out, `"partial"`) {
		t.Errorf("--partial false: exit %d, stderr %q, partial written: %v", code, errs, strings.Contains(out, `"partial"`))
	}
	// --progress always draws the line, which it did not when "always" was taken for a PATH.
	_, errs, _ = runCLI(t, "", "sweep", "--progress", "always", "-o", report, one)
	if strings.Contains(errs, "always") {
		t.Errorf("--progress always: stderr %q names always as an input", errs)
	}
	// A PATH named like a value: ./true.
	dir := t.TempDir()
	data, _ := os.ReadFile(one)
	os.WriteFile(filepath.Join(dir, "true"), data, 0o644)
	t.Chdir(dir)
	out, errs, code = runCLI(t, "", "sweep", "--format", "json", "--strict", "./true")
	if code != 0 || validate(t, out).Totals.Records != 1 {
		t.Errorf("--strict ./true: exit %d, %s; want the file true read", code, errs)
	}
}

func TestJoinSpacedValues(t *testing.T) {
	var o sweepOptions
	fs := newFlagSet("sweep", nil)
	o.addFlags(fs)
	tests := []struct{ in, want string }{
		{"--progress always x", "--progress=always x"},
		{"--progress x", "--progress x"},
		{"--progress", "--progress"},
		{"--strict true --no-dedupe false x", "--strict=true --no-dedupe=false x"},
		{"--strict True x", "--strict True x"}, // only the words true and false
		{"--strict 1 x", "--strict 1 x"},
		{"-o --strict true", "-o --strict true"}, // --strict is -o's value: true is a PATH
		{"--output never --strict never", "--output never --strict never"},
		{"--top 5 --partial false", "--top 5 --partial=false"},
		{"--strict=false true", "--strict=false true"},
		{"x --strict false", "x --strict=false"},
		{"--strict -- true", "--strict -- true"},
		{"-- --strict true", "-- --strict true"},
		{"--bogus true", "--bogus true"},
		{"- --strict false", "- --strict=false"},
	}
	for _, tt := range tests {
		if got := strings.Join(joinSpacedValues(fs, strings.Fields(tt.in)), " "); got != tt.want {
			t.Errorf("joinSpacedValues(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFlagUsage: every flag of every command shows a value name a person can read (FILE,
// FORMAT, N; not *report.Format or string), and every flag that takes one of a list of
// values lists them all in its usage.
func TestFlagUsage(t *testing.T) {
	name := regexp.MustCompile(`^[A-Z]+$`)
	for _, c := range commands() {
		if c.flags == nil {
			continue
		}
		c.flags().VisitAll(func(f *pflag.Flag) {
			word, usage := pflag.UnquoteUsage(f)
			if word != "" && !name.MatchString(word) {
				t.Errorf("%s --%s: value shown as %q, want a word such as FILE or FORMAT", c.name, f.Name, word)
			}
			if ch, ok := f.Value.(*choice); ok {
				for _, v := range ch.values {
					if !strings.Contains(usage, v) {
						t.Errorf("%s --%s: usage %q does not list %q", c.name, f.Name, usage, v)
					}
				}
			}
			if f.NoOptDefVal != "" && len(spacedValues(f)) == 0 {
				t.Errorf("%s --%s: an optional value, but none is taken after a space", c.name, f.Name)
			}
		})
	}
	// The flags that take one of a list are choices: so they are listed, completed, and
	// checked when parsed.
	for cmd, flags := range map[string][]string{
		"sweep": {"format", "color", "rules-mode", "input-format", "progress"}, "events": {"format", "rules-mode", "input-format"},
		"merge": {"format", "color", "rules-mode"}, "rules": {"rules-mode"},
	} {
		fs := findCommand(cmd).flags()
		for _, name := range flags {
			if _, ok := fs.Lookup(name).Value.(*choice); !ok {
				t.Errorf("%s --%s is not a choice", cmd, name)
			}
		}
	}
	out, _, _ := runCLI(t, "", "help", "sweep")
	if strings.Contains(out, "*report") || strings.Contains(out, " string ") {
		t.Errorf("help sweep shows a Go type: %s", out)
	}
}

// TestFormatAliases: --format as a choice still reads what report.Format reads.
func TestFormatAliases(t *testing.T) {
	one := filepath.Join(samplesDir, "powershell", "one-signin.json")
	out, errs, code := runCLI(t, "", "sweep", "--format", "JSON", one)
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
		t.Errorf("--format JSON: exit %d, %s", code, errs)
	}
	if _, errs, code := runCLI(t, "", "sweep", "--format", "md", one); code != 0 {
		t.Errorf("--format md: exit %d, %s", code, errs)
	}
}
