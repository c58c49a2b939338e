//go:build unix

package parse

import (
	"io/fs"
	"syscall"
)

// fileKeyOf is the device and inode of a file, from os.Stat's Sys.
func fileKeyOf(fi fs.FileInfo) (fileKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
}
