package parse

import (
	"io"
	"sync"
)

// readahead reads r in a goroutine of its own, a few buffers ahead of its reader, so that
// inflating a gzip stream and decoding its records run on two cores. The goroutine closes
// r (when it is an io.Closer) when it stops: at the end of r, at an error, or after Close.
type readahead struct {
	full    chan []byte // filled buffers, in order; closed at the end
	free    chan []byte
	done    chan struct{}
	stop    sync.Once
	err     error  // why r ended, set before full is closed
	cur     []byte // what is left of the buffer being read
	holding []byte // that buffer, to give back
}

func newReadahead(r io.Reader, size, buffers int) *readahead {
	ra := &readahead{full: make(chan []byte, buffers), free: make(chan []byte, buffers), done: make(chan struct{})}
	for range buffers {
		ra.free <- make([]byte, size)
	}
	go ra.run(r)
	return ra
}

func (ra *readahead) run(r io.Reader) {
	defer close(ra.full)
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := fill(r, b[:cap(b)])
		if n > 0 {
			select {
			case ra.full <- b[:n]:
			case <-ra.done:
				return
			}
		}
		if err != nil {
			ra.err = err
			return
		}
	}
}

// fill reads into b until it is full or r fails; unlike io.ReadFull it gives r's own error
// (a truncated gzip stream's io.ErrUnexpectedEOF stays one).
func fill(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (ra *readahead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.holding != nil {
			ra.free <- ra.holding[:cap(ra.holding)]
			ra.holding = nil
		}
		b, ok := <-ra.full
		if !ok {
			return 0, ra.err
		}
		ra.cur, ra.holding = b, b
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the goroutine without waiting for it (it may be blocked reading a pipe).
func (ra *readahead) Close() error {
	ra.stop.Do(func() { close(ra.done) })
	return nil
}
