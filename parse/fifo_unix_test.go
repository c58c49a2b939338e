//go:build unix

package parse

import "syscall"

// makeFIFO makes a named FIFO at p, for the tests that read one as a stream.
func makeFIFO(p string) error { return syscall.Mkfifo(p, 0o600) }
