//go:build !windows

package main

import "os"

// enableConsoleVT has nothing to do outside Windows: terminals there read escape
// sequences as they are, and f is never a Windows console.
func enableConsoleVT(*os.File) (console bool, err error) { return false, nil }
