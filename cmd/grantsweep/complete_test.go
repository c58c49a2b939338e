package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/rules"
)

// completeWords runs "grantsweep __complete WORDS..." and returns its candidates (values
// only) and its directive line.
func completeWords(t *testing.T, words ...string) ([]string, string) {
	t.Helper()
	out, errs, code := runCLI(t, "", append([]string{completeCommand}, words...)...)
	if code != 0 || errs != "" {
		t.Fatalf("__complete %q: exit %d, stderr %q", words, code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, ":") {
		t.Fatalf("__complete %q: last line %q, want :N", words, last)
	}
	var values []string
	for _, l := range lines[:len(lines)-1] {
		v, _, _ := strings.Cut(l, "\t")
		values = append(values, v)
	}
	return values, last
}

func TestComplete(t *testing.T) {
	var causes, revoked, families []string
	for _, r := range rules.Default().Rules {
		causes = append(causes, r.ID)
		if strings.HasPrefix(r.ID, "revoked") {
			revoked = append(revoked, r.ID)
		}
	}
	for _, f := range rules.Default().Families {
		families = append(families, f.ID)
	}
	tests := []struct {
		words     []string
		want      []string // exactly these, in this order
		directive string
	}{
		{[]string{""}, append(commandNames(), "--help", "--version"), ":0"},
		{[]string{"sw"}, []string{"sweep"}, ":0"},
		{[]string{"sweep", "--form"}, []string{"--format"}, ":0"},
		{[]string{"sweep", "--format", ""}, []string{"table", "csv", "json", "markdown", "html"}, ":0"},
		{[]string{"sweep", "--format", "j"}, []string{"json"}, ":0"},
		{[]string{"sweep", "--format=m"}, []string{"--format=markdown"}, ":0"},
		{[]string{"events", "--format", ""}, []string{"csv", "jsonl"}, ":0"},
		{[]string{"sweep", "--progress", "a"}, []string{"auto", "always"}, ":1"}, // its value, or a PATH
		{[]string{"sweep", "--progress", "never", ""}, nil, ":1"},
		{[]string{"sweep", "--cause", ""}, causes, ":0"},
		{[]string{"events", "--cause", "revoked"}, revoked, ":0"},
		{[]string{"sweep", "--cause=revoked"}, prefixAll("--cause=", revoked), ":0"},
		{[]string{"sweep", "--family", ""}, families, ":0"},
		{[]string{"sweep", "--fail-on", "rev"}, []string{"revoked", "revoked_password_change"}, ":0"}, // the family, a cause
		{[]string{"sweep", "--fail-on", "cause:"}, []string{"cause:revoked"}, ":0"},                   // the cause the family shadows
		{[]string{"sweep", "--fail-on", "in_"}, []string{"in_scope"}, ":0"},
		{[]string{"merge", "--tz", "lo"}, []string{"local"}, ":0"},
		{[]string{"sweep", "--tz", "Asia/Tok"}, []string{"Asia/Tokyo"}, ":0"}, // a zone of windowsZones: on every machine
		{[]string{"sweep", "-o", ""}, nil, ":1"},
		{[]string{"sweep", "--output=x"}, nil, ":1"},
		{[]string{"sweep", "--out", ""}, nil, ":2"},
		{[]string{"merge", "--baseline", ""}, nil, ":1"},
		{[]string{"sweep", ""}, nil, ":1"},
		{[]string{"sweep", "--strict", "true", "logs/", ""}, nil, ":1"},
		{[]string{"sweep", "--", "--fo"}, nil, ":1"},
		{[]string{"sweep", "--strict", "--str"}, nil, ":0"},                  // given once is enough
		{[]string{"sweep", "--user", "a", "--us"}, []string{"--user"}, ":0"}, // repeatable
		{[]string{"rules", ""}, []string{"list", "show", "check", "export", "default"}, ":0"},
		{[]string{"rules", "show", "revoked"}, revoked, ":0"},
		{[]string{"rules", "show", "pass"}, []string{"password_change"}, ":0"}, // change kinds too
		{[]string{"rules", "--rules-mode", "replace", "check", ""}, nil, ":1"},
		{[]string{"rules", "export", "--k"}, []string{"--kql"}, ":0"},
		{[]string{"help", "m"}, []string{"merge"}, ":0"},
		{[]string{"completion", ""}, []string{"bash", "zsh", "fish", "powershell"}, ":0"},
		{[]string{"version", "-"}, []string{"--json", "--help"}, ":0"},
		{[]string{"frobnicate", ""}, nil, ":0"},
		{[]string{completeCommand, ""}, nil, ":0"},
	}
	for _, tt := range tests {
		got, dir := completeWords(t, tt.words...)
		if !slices.Equal(got, tt.want) || dir != tt.directive {
			t.Errorf("complete %q = %q %s, want %q %s", tt.words, got, dir, tt.want, tt.directive)
		}
	}
	// A rule file on the command line brings its causes.
	path := filepath.Join(t.TempDir(), "tenant.yaml")
	os.WriteFile(path, []byte("rules:\n  - {id: contoso_proxy, family: client_error, when: [{codes: [12345]}]}\n"), 0o644)
	if got, _ := completeWords(t, "sweep", "--rules", path, "--cause", "contoso"); !slices.Equal(got, []string{"contoso_proxy"}) {
		t.Errorf("--cause with --rules: %q, want the file's cause", got)
	}
	// The words on standard input, as the PowerShell script gives them.
	out, _, code := runCLI(t, "sweep\n--format\n\n", completeCommand, "--stdin")
	if code != 0 || out != "table\ncsv\njson\nmarkdown\nhtml\n:0\n" {
		t.Errorf("__complete --stdin: exit %d, %q", code, out)
	}
}

func prefixAll(p string, l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = p + s
	}
	return out
}

// TestCompleteEveryFlag: completion is made from the commands' own flag sets: every flag
// of every command is offered, and every value of each that takes one of a list.
func TestCompleteEveryFlag(t *testing.T) {
	for _, c := range commands() {
		if c.hidden || c.flags == nil {
			continue
		}
		offered, _ := completeWords(t, c.name, "--")
		fs := c.flags()
		fs.VisitAll(func(f *pflag.Flag) {
			if !slices.Contains(offered, "--"+f.Name) {
				t.Errorf("%s: --%s not offered in %q", c.name, f.Name, offered)
			}
			if ch, ok := f.Value.(*choice); ok {
				if got, _ := completeWords(t, c.name, "--"+f.Name+"="); !slices.Equal(got, prefixAll("--"+f.Name+"=", ch.values)) {
					t.Errorf("%s --%s=: %q, want its values %q", c.name, f.Name, got, ch.values)
				}
				if f.NoOptDefVal == "" {
					if got, _ := completeWords(t, c.name, "--"+f.Name, ""); !slices.Equal(got, ch.values) {
						t.Errorf("%s --%s: %q, want its values %q", c.name, f.Name, got, ch.values)
					}
				}
			}
		})
	}
}

// TestCompletionScripts: each script is what "completion SHELL" prints, and is valid for
// its shell (checked with the shells that are installed).
func TestCompletionScripts(t *testing.T) {
	for _, s := range shells {
		out, errs, code := runCLI(t, "", "completion", s.name)
		if code != 0 || errs != "" || out != s.script || !strings.Contains(out, completeCommand) {
			t.Errorf("completion %s: exit %d, stderr %q, %d bytes", s.name, code, errs, len(out))
		}
		check := map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}}[s.name]
		if check == nil {
			continue // no PowerShell on Debian
		}
		if _, err := exec.LookPath(check[0]); err != nil {
			t.Logf("%s is not installed: its script is not checked", check[0])
			continue
		}
		path := filepath.Join(t.TempDir(), "script")
		os.WriteFile(path, []byte(out), 0o644)
		if msg, err := exec.Command(check[0], append(check[1:], path)...).CombinedOutput(); err != nil {
			t.Errorf("%s %s: %v: %s", strings.Join(check, " "), s.name, err, msg)
		}
	}
	if out, _, _ := runCLI(t, "", "completion", "pwsh"); out != powershellCompletion {
		t.Error("completion pwsh is not the PowerShell script")
	}
}

// programOnPath puts a "grantsweep" that is this test binary running main (see
// TestMainProcess) first on PATH, for the shells' completion functions to run, and
// returns a directory to run them in, holding logs/ and report.json.
func programOnPath(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	script := "#!/bin/sh\nnl='\n'\nargs=\nfirst=1\nfor a in \"$@\"; do\n  if [ $first = 1 ]; then args=$a; first=0; else args=\"$args$nl$a\"; fi\ndone\n" +
		"GRANTSWEEP_TEST_MAIN=$args exec '" + os.Args[0] + "' -test.run='^TestMainProcess$'\n"
	if err := os.WriteFile(filepath.Join(bin, "grantsweep"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	work := t.TempDir()
	os.Mkdir(filepath.Join(work, "logs"), 0o755)
	os.WriteFile(filepath.Join(work, "report.json"), nil, 0o644)
	return work
}

// TestBashCompletion runs the bash script's function as bash runs it at a Tab: with
// COMP_WORDS split at bash's word breaks (so "--format=j" is three words), COMP_LINE and
// COMP_POINT.
func TestBashCompletion(t *testing.T) {
	needShell(t, "bash")
	work := programOnPath(t)
	script := filepath.Join(t.TempDir(), "grantsweep.bash")
	os.WriteFile(script, []byte(bashCompletion), 0o644)
	tests := []struct {
		line  string
		words []string // COMP_WORDS as bash splits the line
		want  string   // COMPREPLY, a line each, sorted
	}{
		{"grantsweep sw", []string{"grantsweep", "sw"}, "sweep"},
		{"grantsweep sweep --form", []string{"grantsweep", "sweep", "--form"}, "--format"},
		{"grantsweep sweep --format ", []string{"grantsweep", "sweep", "--format", ""}, "csv\nhtml\njson\nmarkdown\ntable"},
		{"grantsweep sweep --format=j", []string{"grantsweep", "sweep", "--format", "=", "j"}, "json"},
		{"grantsweep sweep --format=", []string{"grantsweep", "sweep", "--format", "="}, "csv\nhtml\njson\nmarkdown\ntable"},
		{"grantsweep sweep --cause revoked_p", []string{"grantsweep", "sweep", "--cause", "revoked_p"}, "revoked_password_change"},
		{"grantsweep sweep --out ", []string{"grantsweep", "sweep", "--out", ""}, "logs"},
		{"grantsweep sweep ", []string{"grantsweep", "sweep", ""}, "logs\nreport.json"},
		{"grantsweep merge --baseline=re", []string{"grantsweep", "merge", "--baseline", "=", "re"}, "report.json"},
		{"grantsweep rules show revoked_p", []string{"grantsweep", "rules", "show", "revoked_p"}, "revoked_password_change"},
	}
	for _, tt := range tests {
		quoted := make([]string, len(tt.words))
		for i, w := range tt.words {
			quoted[i] = "'" + w + "'"
		}
		prog := "source '" + script + "'\n" +
			"COMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
			"COMP_CWORD=" + strconv.Itoa(len(tt.words)-1) + "\n" +
			"COMP_LINE='" + tt.line + "'\nCOMP_POINT=${#COMP_LINE}\n" +
			"_grantsweep\nprintf '%s\\n' \"${COMPREPLY[@]}\" | sort\n"
		cmd := exec.Command("bash", "--norc", "--noprofile", "-c", prog)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != tt.want {
			t.Errorf("bash %q: %v, COMPREPLY\n%s\nwant\n%s", tt.line, err, got, tt.want)
		}
	}
}

// TestZshCompletion runs the zsh script's function with words and CURRENT set as zsh
// sets them, and _describe, _files and compset standing in for the completion system's.
func TestZshCompletion(t *testing.T) {
	needShell(t, "zsh")
	work := programOnPath(t)
	script := filepath.Join(t.TempDir(), "_grantsweep")
	os.WriteFile(script, []byte(zshCompletion), 0o644)
	stubs := `compdef() { : }
_describe() { local -a s; s=("${(@P)4}"); print -rl -- "${s[@]}" }
_files() { print -r -- "files $*" }
compset() { print -r -- "compset $*" }
`
	tests := []struct {
		words []string
		want  string
	}{
		{[]string{"grantsweep", "sw"}, "sweep:classify and summarize (the main job)"},
		{[]string{"grantsweep", "sweep", "--format", "j"}, "json"},
		{[]string{"grantsweep", "sweep", "--format=m"}, "--format=markdown"},
		{[]string{"grantsweep", "sweep", "--family", "bind"}, "binding:Token binding and device-bound sessions"},
		{[]string{"grantsweep", "sweep", "--out", ""}, "files -/"},
		{[]string{"grantsweep", "sweep", "-o", "x"}, "files"},
		{[]string{"grantsweep", "sweep", "--output=x"}, "compset -P *=\nfiles"},
		{[]string{"grantsweep", "sweep", "--progress", "ne"}, "never\nfiles"},
	}
	for _, tt := range tests {
		quoted := make([]string, len(tt.words))
		for i, w := range tt.words {
			quoted[i] = "'" + w + "'"
		}
		prog := stubs + "source '" + script + "'\nwords=(" + strings.Join(quoted, " ") + ")\nCURRENT=" + strconv.Itoa(len(tt.words)) +
			"\nPREFIX=" + quoted[len(quoted)-1] + "\n_grantsweep\n"
		cmd := exec.Command("zsh", "-f", "-c", prog)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != tt.want {
			t.Errorf("zsh %q: %v, got\n%s\nwant\n%s", tt.words, err, got, tt.want)
		}
	}
}

// TestFishCompletion asks fish itself what it completes, with the script loaded.
func TestFishCompletion(t *testing.T) {
	needShell(t, "fish")
	work := programOnPath(t)
	script := filepath.Join(t.TempDir(), "grantsweep.fish")
	os.WriteFile(script, []byte(fishCompletion), 0o644)
	tests := []struct{ line, want string }{
		{"grantsweep sw", "sweep\tclassify and summarize (the main job)"},
		{"grantsweep sweep --format j", "json"},
		{"grantsweep sweep --format=c", "--format=csv"},
		{"grantsweep sweep --cause revoked_p", "revoked_password_change\tSession invalid after password change"},
		{"grantsweep sweep --out l", "logs/\tDirectory"},
		{"grantsweep sweep --output=rep", "--output=report.json"},
		{"grantsweep completion f", "fish\tfish 3"},
		{"grantsweep sweep --input-format ", "auto\ncsv\njson\nparquet"}, // an empty word is a word
	}
	for _, tt := range tests {
		cmd := exec.Command("fish", "--no-config", "-c", "source '"+script+"'; complete -C '"+tt.line+"'")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != tt.want {
			t.Errorf("fish %q: %v, got\n%s\nwant\n%s", tt.line, err, got, tt.want)
		}
	}
}

// needShell skips a test when shell is not installed, except in CI (CI set), where
// .ci/run installs it: there its absence fails the test rather than hide it.
func needShell(t *testing.T, shell string) {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no %s in CI: .ci/run installs it", shell)
		}
		t.Skipf("no %s", shell)
	}
}
