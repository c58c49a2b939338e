package parse

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

type closeRecorder struct {
	io.Reader
	closed chan struct{}
}

func (c *closeRecorder) Close() error { close(c.closed); return nil }

// TestReadahead: every byte in order whatever the read sizes, the source's own error after
// its bytes, and the source closed when the reader stops early.
func TestReadahead(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640,000 bytes: several buffers
	got, err := io.ReadAll(iotest.OneByteReader(newReadahead(iotest.HalfReader(bytes.NewReader(data)), 4096, 3)))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, %v; want %d", len(got), err, len(data))
	}

	broken := errors.New("broken")
	ra := newReadahead(io.MultiReader(bytes.NewReader(data[:10000]), iotest.ErrReader(broken)), 4096, 2)
	got, err = io.ReadAll(ra)
	if !errors.Is(err, broken) || !bytes.Equal(got, data[:10000]) {
		t.Errorf("read %d bytes then %v; want 10000 then the source's error", len(got), err)
	}
	ra = newReadahead(io.MultiReader(bytes.NewReader(data[:100]), iotest.ErrReader(io.ErrUnexpectedEOF)), 4096, 2)
	if _, err = io.ReadAll(ra); err != io.ErrUnexpectedEOF {
		t.Errorf("a truncated stream ends with %v, want io.ErrUnexpectedEOF", err)
	}

	src := &closeRecorder{Reader: bytes.NewReader(data), closed: make(chan struct{})}
	ra = newReadahead(src, 4096, 2)
	if _, err := io.ReadFull(ra, make([]byte, 5000)); err != nil {
		t.Fatal(err)
	}
	ra.Close()
	ra.Close()
	<-src.closed // the goroutine stops and closes its source
}
