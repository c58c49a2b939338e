package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// enableConsoleVT turns on ENABLE_VIRTUAL_TERMINAL_PROCESSING for f's console. A handle
// whose console mode cannot be read is no console (a pipe, a file, NUL, or the pty of a
// terminal emulator such as mintty, which reads escape sequences itself). The mode is left
// on at exit, as PowerShell and Windows Terminal leave it: it changes nothing for plain text.
func enableConsoleVT(f *os.File) (console bool, err error) {
	h := windows.Handle(f.Fd())
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return false, nil
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return true, nil
	}
	return true, windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING)
}
