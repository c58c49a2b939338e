package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// command is one subcommand. The table of them (commands) drives dispatch, the general
// help, "help COMMAND", the suggestions for a mistyped command and shell completion.
type command struct {
	name     string
	synopsis string // its line in the general help, after "grantsweep "
	summary  string
	help     string // what its --help prints before the flags
	hidden   bool   // dispatched, but neither listed nor completed
	// flags returns a new flag set of the command, as the command itself defines it,
	// for completion and the tests; nil for a command without flags.
	flags func() *pflag.FlagSet
	run   func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// flagsOf makes a command's flag set, as the command's own parsing adds them (add).
func flagsOf(name string, add func(*pflag.FlagSet)) func() *pflag.FlagSet {
	return func() *pflag.FlagSet {
		fs := newFlagSet(name, io.Discard)
		add(fs)
		return fs
	}
}

// commands is the table of subcommands, in the order the general help lists them.
func commands() []command {
	return []command{
		{
			name: "sweep", synopsis: "sweep [flags] PATH...", summary: "classify and summarize (the main job)",
			help:  "Usage: grantsweep sweep [flags] PATH...\n\nClassify the invalid-grant failures in sign-in exports and summarize them.\nPATH is a file, a directory (walked recursively), a glob, or - for standard input.\n",
			flags: flagsOf("sweep", new(sweepOptions).addFlags),
			run:   runSweep,
		},
		{
			name: "events", synopsis: "events [flags] PATH...", summary: "list the in-scope events with cause and evidence (csv, jsonl)",
			help:  "Usage: grantsweep events [flags] PATH...\n\nList the in-scope events with their cause and the evidence that decided it.\n",
			flags: flagsOf("events", new(eventsOptions).addFlags),
			run:   runEvents,
		},
		{
			name: "merge", synopsis: "merge [flags] SUMMARY.json...", summary: "merge partial summaries into the summary of the whole",
			help:  "Usage: grantsweep merge [flags] SUMMARY.json...\n\nMerge the JSON summaries of parts of the logs into the summary of the whole.\nThe summaries are taken in the order given.\n",
			flags: flagsOf("merge", new(outputOptions).addFlags),
			run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return runMerge(ctx, args, stdout, stderr)
			},
		},
		{
			name: "rules", synopsis: "rules list|show ID|check FILE|export --kql|default", summary: "inspect, validate and export rule sets",
			help:  rulesUsage,
			flags: flagsOf("rules", new(rulesOptions).addFlags),
			run: func(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return runRules(args, stdout, stderr)
			},
		},
		{
			name: "completion", synopsis: "completion bash|zsh|fish|powershell", summary: "print a shell completion script",
			help:  completionUsage,
			flags: flagsOf("completion", func(*pflag.FlagSet) {}),
			run: func(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return runCompletion(args, stdout, stderr)
			},
		},
		{
			name: "version", synopsis: "version [--json]", summary: "print the version, revision, Go version and platform",
			help:  "Usage: grantsweep version [--json]\n\nPrint the version, the revision it was built from, the Go version and the platform.\n",
			flags: flagsOf("version", new(versionOptions).addFlags),
			run: func(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return runVersion(args, stdout, stderr)
			},
		},
		{
			name: "help", synopsis: "help [COMMAND]", summary: "show help",
			run: runHelp,
		},
		{
			name: completeCommand, hidden: true,
			run: func(_ context.Context, args []string, stdin io.Reader, stdout, _ io.Writer) error {
				return runComplete(args, stdin, stdout)
			},
		},
	}
}

// findCommand returns the command called name, or nil.
func findCommand(name string) *command {
	switch name { // the flags that stand for commands: grantsweep --help, grantsweep --version
	case "-h", "--help":
		name = "help"
	case "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return &c
		}
	}
	return nil
}

// commandNames are the names of the commands that are listed.
func commandNames() []string {
	var names []string
	for _, c := range commands() {
		if !c.hidden {
			names = append(names, c.name)
		}
	}
	return names
}

// usageText is the general help.
func usageText() string {
	var b strings.Builder
	b.WriteString("grantsweep finds and explains invalid-grant sign-in failures in Entra ID sign-in logs.\n\nUsage:\n")
	const col = 37 // where the summaries start
	for _, c := range commands() {
		if c.hidden {
			continue
		}
		line := "  grantsweep " + c.synopsis
		if len(line) >= col-1 {
			fmt.Fprintf(&b, "%s\n%*s%s\n", line, col, "", c.summary)
		} else {
			fmt.Fprintf(&b, "%-*s%s\n", col, line, c.summary)
		}
	}
	b.WriteString(`
PATH is a file, a directory (walked recursively), a glob, or - for standard input.
A true/false flag (--strict) and --progress take their value after "=" or, when it is
one of theirs, after a space: --strict false, --progress always (a PATH named so goes
as ./always, or after --).
Run "grantsweep help COMMAND" for the flags of a command, and "grantsweep completion
bash" (zsh, fish, powershell) for shell completion.
`)
	return b.String()
}

// writeHelp writes a command's help, its flags included, for --help.
func writeHelp(w io.Writer, name string, fs *pflag.FlagSet) {
	c := findCommand(name)
	if c == nil {
		return
	}
	fmt.Fprint(w, c.help)
	if fs != nil && fs.HasAvailableFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}

// helpOn makes --help (and -h) of a command's flag set write its help to stdout: help
// that was asked for is output, not an error.
func helpOn(fs *pflag.FlagSet, name string, stdout io.Writer) {
	fs.Usage = func() { writeHelp(stdout, name, fs) }
}

// runHelp is "grantsweep help [COMMAND]": the general help, or what the command's
// --help says, on standard output. An unknown COMMAND is a usage error.
func runHelp(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || strings.HasPrefix(args[0], "-") {
		_, err := fmt.Fprint(stdout, usageText())
		return err
	}
	c := findCommand(args[0])
	if c == nil || c.hidden {
		return usageError("help: no command %q%s", args[0], didYouMean(args[0], commandNames(), true))
	}
	return c.run(ctx, []string{"--help"}, stdin, stdout, stderr)
}
