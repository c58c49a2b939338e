package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
)

// Reader is one blob as it is read: streamed from its start (Read), or at random with
// ranged requests (ReadAt, for Parquet), through a cache of blocks. Every request has the
// SDK's retries, a stream broken mid-body is taken up again where it broke (pinned to
// the blob's ETag, so that a blob rewritten meanwhile fails rather than mixes), and
// nothing goes on past the blob's deadline (Options.BlobTimeout).
type Reader struct {
	name    string
	size    int64
	bc      *blob.Client
	c       *client
	ctx     context.Context
	cancel  context.CancelFunc
	retries int32

	stream io.ReadCloser // nil until the first Read
	etag   *azcore.ETag

	mu     sync.Mutex
	blocks map[int64][]byte // by block index, for ReadAt
	order  []int64          // blocks in the order fetched: the oldest goes first
}

// blockSize and maxBlocks bound what ReadAt fetches and keeps: a Parquet footer and page
// headers are read with small reads, each of which would be a request of its own.
const (
	blockSize = 1 << 20
	maxBlocks = 16
)

// Open opens a blob Expand listed. Its deadline starts now; Close releases it.
func (s *Store) Open(ctx context.Context, b Blob) (*Reader, error) {
	if b.c == nil {
		return nil, fmt.Errorf("%s: not listed", b.Name)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, s.opt.BlobTimeout,
		fmt.Errorf("deadline of %v per blob passed (--blob-timeout)", s.opt.BlobTimeout))
	return &Reader{name: b.Name, size: b.Size, bc: b.c.c.NewBlobClient(b.path), c: b.c, ctx: ctx, cancel: cancel,
		retries: int32(s.opt.MaxRetries), blocks: map[int64][]byte{}}, nil
}

// Size is the blob's size, as listed.
func (r *Reader) Size() int64 { return r.size }

// Read streams the blob from its start.
func (r *Reader) Read(p []byte) (int, error) {
	if r.stream == nil {
		resp, err := r.bc.DownloadStream(r.ctx, nil)
		if err != nil {
			return 0, r.fail(err)
		}
		r.etag = resp.ETag
		r.stream = resp.NewRetryReader(r.ctx, &blob.RetryReaderOptions{MaxRetries: r.retries})
	}
	n, err := r.stream.Read(p)
	if err != nil && err != io.EOF {
		err = r.fail(err)
	}
	return n, err
}

// ReadAt reads len(p) bytes at off, from the cache of blocks or with ranged requests.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stream != nil { // the format was detected: Parquet needs no stream
		r.stream.Close()
		r.stream = nil
	}
	n := 0
	for n < len(p) {
		at := off + int64(n)
		if at >= r.size {
			return n, io.EOF
		}
		b, err := r.block(at / blockSize)
		if err != nil {
			return n, err
		}
		k := copy(p[n:], b[min(at%blockSize, int64(len(b))):])
		if k == 0 {
			return n, io.ErrUnexpectedEOF // a block shorter than the listing said
		}
		n += k
	}
	return n, nil
}

// block is block i of the blob, fetched when it is not in the cache.
func (r *Reader) block(i int64) ([]byte, error) {
	if b, ok := r.blocks[i]; ok {
		return b, nil
	}
	off := i * blockSize
	count := min(int64(blockSize), r.size-off)
	opts := &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: off, Count: count}}
	if r.etag != nil {
		opts.AccessConditions = &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: r.etag}}
	}
	resp, err := r.bc.DownloadStream(r.ctx, opts)
	if err != nil {
		return nil, r.fail(err)
	}
	if r.etag == nil {
		r.etag = resp.ETag
	}
	body := resp.NewRetryReader(r.ctx, &blob.RetryReaderOptions{MaxRetries: r.retries})
	b := make([]byte, count)
	_, err = io.ReadFull(body, b)
	body.Close()
	if err != nil {
		return nil, r.fail(err)
	}
	if len(r.order) >= maxBlocks {
		delete(r.blocks, r.order[0])
		r.order = r.order[1:]
	}
	r.blocks[i], r.order = b, append(r.order, i)
	return b, nil
}

// fail says why reading broke, in one line: the deadline, a refusal (an *AuthError), or
// the last try's error after the retries.
func (r *Reader) fail(err error) error {
	if cause := context.Cause(r.ctx); cause != nil && r.ctx.Err() == context.DeadlineExceeded {
		return cause
	}
	if aerr := r.c.authError(err); aerr != err {
		return aerr
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("connection dropped mid-blob after %d retries: %w", r.retries, err)
	}
	return short(err)
}

// Close ends the reading and the blob's deadline.
func (r *Reader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stream != nil {
		r.stream.Close()
		r.stream = nil
	}
	r.cancel()
	return nil
}
