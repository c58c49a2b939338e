package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// fakeConsole stands in for enableVT for the length of a test: every file is a console
// of this kind. It returns the files it was asked about.
func fakeConsole(t *testing.T, console bool, err error) *[]*os.File {
	t.Helper()
	var asked []*os.File
	saved := enableVT
	enableVT = func(f *os.File) (bool, error) {
		asked = append(asked, f)
		return console, err
	}
	t.Cleanup(func() { enableVT = saved })
	return &asked
}

// devNull is a character device on every system, so "auto" takes it for a terminal.
func devNull(t *testing.T) *os.File {
	t.Helper()
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if !isTerminal(f) {
		t.Skipf("%s is no character device here", os.DevNull)
	}
	return f
}

var errOldConsole = errors.New("the handle is invalid") // what SetConsoleMode says on an old console

func TestConsoleEscapes(t *testing.T) {
	tests := []struct {
		name    string
		console bool
		err     error
		want    bool
	}{
		{"no console (a pipe, a file, a terminal elsewhere)", false, nil, true},
		{"a console that takes virtual-terminal processing", true, nil, true},
		{"an old console that refuses it", true, errOldConsole, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := devNull(t)
			asked := fakeConsole(t, tt.console, tt.err)
			if got := consoleEscapes(f); got != tt.want {
				t.Errorf("consoleEscapes(%s) = %v, want %v", os.DevNull, got, tt.want)
			}
			if len(*asked) != 1 || (*asked)[0] != f {
				t.Errorf("enableVT was asked about %v, want the file written to", *asked)
			}
		})
	}
	t.Run("a buffer", func(t *testing.T) {
		asked := fakeConsole(t, true, errOldConsole)
		if !consoleEscapes(&bytes.Buffer{}) || len(*asked) != 0 {
			t.Errorf("consoleEscapes(buffer) asked %d consoles, want true without asking", len(*asked))
		}
	})
}

// TestOldConsoleFallsBack checks the calls in wantColor and startProgress: on a Windows
// console that refuses virtual-terminal processing, colour and the progress line are off,
// whatever --color and --progress say; a console that takes it, or none, changes nothing.
func TestOldConsoleFallsBack(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	os.Unsetenv("NO_COLOR") // restored by Setenv's cleanup
	tests := []struct {
		name    string
		console bool
		err     error
		on      bool // colour and progress on a terminal, auto or always
	}{
		{"no console", false, nil, true},
		{"a console that takes virtual-terminal processing", true, nil, true},
		{"an old console", true, errOldConsole, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tty := devNull(t)
			fakeConsole(t, tt.console, tt.err)
			for _, mode := range []string{"auto", "always"} {
				if got, err := wantColor(mode, true, tty); got != tt.on || err != nil {
					t.Errorf("wantColor(%q, to stdout) = %v, %v, want %v", mode, got, err, tt.on)
				}
				// The standard error as run hands it on, under the message writer.
				for _, stderr := range []io.Writer{tty, &messageWriter{w: tty}} {
					p, err := startProgress(mode, stderr, nil)
					if err != nil {
						t.Fatal(err)
					}
					if (p != nil) != tt.on {
						t.Errorf("startProgress(%q, %T) drew = %v, want %v", mode, stderr, p != nil, tt.on)
					}
					p.finish()
				}
			}
			// With -o FILE the colour goes to the file, not to the console.
			if got, _ := wantColor("always", false, tty); !got {
				t.Errorf("wantColor(always, to a file) = false, want true")
			}
			if got, _ := wantColor("never", true, tty); got {
				t.Errorf("wantColor(never) = true")
			}
		})
	}
}
