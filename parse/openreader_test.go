package parse

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// blobLike is an input read as a stream and at random, as a blob is (parse/blob.Reader).
type blobLike struct {
	r        *bytes.Reader
	streamed int64 // bytes read as a stream
	atCalls  int
}

func (b *blobLike) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.streamed += int64(n)
	return n, err
}
func (b *blobLike) ReadAt(p []byte, off int64) (int, error) { b.atCalls++; return b.r.ReadAt(p, off) }
func (b *blobLike) Size() int64                             { return b.r.Size() }
func (b *blobLike) Close() error                            { return nil }

// TestOpenReaderParquetAtRandom: Parquet from an input that can be read at random is read
// with ReadAt, as a local file is, not spooled to a temporary file; the events are the
// same as the file's.
func TestOpenReaderParquetAtRandom(t *testing.T) {
	path := filepath.Join("..", "samples", "adx", "AADNonInteractiveUserSignInLogs.parquet")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	b := &blobLike{r: bytes.NewReader(data)}
	var count atomic.Int64
	in, err := OpenReader(b, "az://a/c/x.parquet", OpenOptions{Count: &count})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var got []string
	for ev, err := range in.Events() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.ID)
	}
	if spooled, _ := os.ReadDir(tmp); len(spooled) > 0 {
		t.Errorf("spooled to %v", spooled)
	}
	if b.atCalls == 0 || b.streamed > 64<<10 {
		t.Errorf("%d reads at random, %d bytes streamed: want the first bytes only streamed", b.atCalls, b.streamed)
	}
	if count.Load() == 0 {
		t.Error("no byte counted for progress")
	}
	f, err := OpenWith(path, nil, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	for ev, err := range f.Events() {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, ev.ID)
	}
	if len(got) == 0 || len(got) != len(want) || in.Format() != f.Format() {
		t.Fatalf("%d events (%s), the file gives %d (%s)", len(got), in.Format(), len(want), f.Format())
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("event %d: %s, the file's %s", i, got[i], want[i])
		}
	}
	// Without ReadAt, the stream is spooled, as standard input is.
	s, err := OpenReader(io.NopCloser(bytes.NewReader(data)), "x", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if spooled, _ := os.ReadDir(tmp); len(spooled) != 1 {
		t.Errorf("a stream without ReadAt: spooled %v", spooled)
	}
	s.Close()
}
