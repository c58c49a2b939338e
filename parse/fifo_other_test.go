//go:build !unix

package parse

import "errors"

// makeFIFO fails where there are no named FIFOs (Windows): the FIFO tests skip, and the
// package's tests still build there, so GOOS=windows go vet ./... checks them.
func makeFIFO(string) error { return errors.ErrUnsupported }
