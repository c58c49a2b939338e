package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/report"
)

// Exit codes, a public contract (README, doc.go).
const (
	exitOK        = 0 // success
	exitError     = 1 // nothing usable could be read, or an output could not be written
	exitUsage     = 2 // bad command line
	exitThreshold = 3 // a --fail-on threshold was crossed
	exitStrict    = 4 // --strict and records were skipped or inputs failed
)

var (
	errUsage     = errors.New("usage")
	errStrict    = errors.New("strict")
	errThreshold = errors.New("threshold crossed")
)

// usageError is a command-line mistake: exit 2.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// exitCode maps an error from a subcommand to the process exit code, in one place.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, pflag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.Is(err, errStrict):
		return exitStrict
	case errors.Is(err, errThreshold):
		return exitThreshold
	}
	return exitError
}

// run is the whole program: it parses args, runs a subcommand and returns the exit code.
// Nothing below it prints or exits.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stderr = &messageWriter{w: stderr}
	err := dispatch(ctx, args, stdin, stdout, stderr)
	if err != nil && !errors.Is(err, pflag.ErrHelp) && !errors.Is(err, errReported) {
		fmt.Fprintf(stderr, "grantsweep: %s\n", strings.TrimPrefix(err.Error(), "usage: "))
		if errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "Run %q for usage.\n", helpFor(args))
		}
	}
	return exitCode(err)
}

// helpFor is the help command that explains args' command: "grantsweep help sweep" for
// a sweep, "grantsweep help" when there is no command, or none listed.
func helpFor(args []string) string {
	if len(args) > 0 {
		if c := findCommand(args[0]); c != nil && !c.hidden && c.name != "help" {
			return "grantsweep help " + c.name
		}
	}
	return "grantsweep help"
}

// messageWriter is standard error as every subcommand gets it: each line written is
// shown through report.Escape (its line ends kept), so that a file name or any other
// value a message quotes cannot drive the terminal (an OSC 52 clipboard write, a
// right-to-left override). The progress line, which draws with escape sequences of its
// own, writes to what Unwrap returns.
type messageWriter struct{ w io.Writer }

func (m *messageWriter) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p))
	for rest := p; ; {
		line, after, more := bytes.Cut(rest, []byte{'\n'})
		out = append(out, report.Escape(string(line))...)
		if !more {
			break
		}
		out = append(out, '\n')
		rest = after
	}
	if _, err := m.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap returns the standard error underneath, for the progress line.
func (m *messageWriter) Unwrap() io.Writer { return m.w }

// errReported wraps an error whose message has already been printed.
var errReported = errors.New("reported")

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return usageError("no command given")
	}
	name, rest := args[0], args[1:]
	c := findCommand(name)
	if c == nil {
		return usageError("unknown command %q%s", name, didYouMean(name, append(commandNames(), "--help", "--version"), true))
	}
	return c.run(ctx, rest, stdin, stdout, stderr)
}
