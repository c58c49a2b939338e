//go:build !unix

package parse

import "io/fs"

// fileKeyOf has no device and inode to give here: keyOf falls back to the resolved path.
func fileKeyOf(fs.FileInfo) (fileKey, bool) { return fileKey{}, false }
