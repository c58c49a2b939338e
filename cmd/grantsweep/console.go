package main

import (
	"io"
	"os"
)

// enableVT makes escape sequences written to f work when f is a Windows console: it
// turns on the console's virtual-terminal processing, which older consoles lack and
// conhost leaves off unless asked. It reports whether f is a Windows console at all
// (never, elsewhere: console_other.go) and, if it is, why the mode could not be set.
// A variable so that a test can be a console that refuses.
var enableVT = enableConsoleVT

// consoleEscapes reports whether the colour of the table and the progress line may write
// escape sequences to w. It says no only for a Windows console whose virtual-terminal
// processing cannot be turned on: there they would show as text ("←[1m"), so colour and
// the progress line stay off. A pipe, a file, a terminal elsewhere, or a console that
// takes the mode all say yes.
func consoleEscapes(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return true // a buffer: nothing to turn on
	}
	console, err := enableVT(f)
	return !console || err == nil
}
