package parse

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Input is one source of records, a file or standard input, whose format is detected from
// its first bytes (never from its name).
type Input struct {
	Name    string
	wrap    string // "gzip+", "utf16+": layers peeled off before the format
	dec     decoder
	closers []io.Closer
	ctx     context.Context // see setContext; nil for none
	ended   *atomic.Bool    // set once ctx ends
}

type decoder interface {
	events(name string) iter.Seq2[Event, error]
	shape() string
}

// CodeMissing reports whether the input is a table of sign-ins (CSV, Parquet) in which
// no column gives the error code (ResultType, Status, status.errorCode): its records
// all read as records without one. Known once its events have been read.
func (in *Input) CodeMissing() bool {
	c, ok := in.dec.(interface{ codeMissing() bool })
	return ok && c.codeMissing()
}

// Stdin is the path that names standard input.
const Stdin = "-"

// InputFormats are the formats an input can be taken to be (--input-format); "auto"
// detects each input's from its first bytes. Layers of encoding (gzip, zstd, bzip2,
// UTF-16) are recognised by their bytes whatever the format.
var InputFormats = []string{"auto", "json", "csv", "parquet"}

// ErrNotFormat reports an input that is plainly not in the format it was taken to be
// (--input-format), found from its first bytes before any decoding.
var ErrNotFormat = errors.New("not in the format given")

// notFormat is an ErrNotFormat that says which format and why: "not Parquet: no PAR1
// magic".
type notFormat struct{ format, why string }

func (e *notFormat) Error() string        { return "not " + e.format + ": " + e.why }
func (e *notFormat) Is(target error) bool { return target == ErrNotFormat }

// OpenOptions say how OpenWith reads an input.
type OpenOptions struct {
	Format string        // one of InputFormats; "" is "auto"
	Count  *atomic.Int64 // when set, every byte read from the file (or stdin) is added to it, for progress
	// Context, when set, bounds the input's life: once it ends, opening a FIFO stops
	// waiting for its writer, a read under way on a FIFO or pipe returns, every later
	// read fails with the context's error (so any decoder stops within a buffer), and
	// Events ends with that error (see setContext).
	Context context.Context
	// Section, when set, is the part of the file to read, as Split found it: its
	// offsets are the file's, Parquet rows are numbered in the file, JSON lines from the
	// section's start (see Input.Lines).
	Section *Section
}

// OpenWith opens the file at path (or standard input for "-", read through stdin) once,
// and detects its format. A file that is not a regular file (a FIFO, a pipe, a device)
// is read as a stream, like standard input: Parquet from it is spooled to a temporary
// file.
func OpenWith(path string, stdin io.Reader, opt OpenOptions) (*Input, error) {
	ctx := opt.Context
	if opt.Section != nil {
		in, err := openSection(path, *opt.Section, opt.Count)
		if err == nil && ctx != nil {
			in.setContext(ctx)
		}
		return in, err
	}
	if path == Stdin {
		in := &Input{Name: "(stdin)"}
		r := stdin
		if opt.Count != nil {
			r = &countingReader{r: r, n: opt.Count}
		}
		if ctx != nil {
			in.setContext(ctx)
			in.interruptOnEnd(stdin)
			r = &ctxReader{r: r, ctx: ctx}
		}
		return in.open(io.NopCloser(r), opt.Format)
	}
	f, err := openFile(ctx, path)
	if err != nil {
		return nil, err
	}
	in := &Input{Name: path}
	if ctx != nil {
		in.setContext(ctx)
		in.interruptOnEnd(f)
	}
	return in.open(&file{f: f, n: opt.Count, ctx: ctx}, opt.Format)
}

// OpenReader reads r, an input that is no local file (a blob in a storage account), named
// name, as OpenWith reads a file: its format detected (opt.Format), every byte counted
// (opt.Count) and every read failing once opt.Context ends. When r is also a
// RandomAccess, Parquet is read from it at random, with ranged reads, instead of being
// spooled to a temporary file. opt.Section is not taken. Closing the Input closes r.
func OpenReader(r io.ReadCloser, name string, opt OpenOptions) (*Input, error) {
	in := &Input{Name: name}
	if opt.Context != nil {
		in.setContext(opt.Context)
	}
	src := &remote{r: r, n: opt.Count, ctx: opt.Context}
	if ra, ok := r.(RandomAccess); ok {
		return in.open(&remoteAt{remote: src, ra: ra}, opt.Format)
	}
	return in.open(src, opt.Format)
}

// RandomAccess is an input that can be read at random, such as a blob read with ranged
// requests: Parquet is read so (see OpenReader).
type RandomAccess interface {
	io.ReaderAt
	Size() int64
}

// remote is an input given to OpenReader, as it is read: counted, and failing once ctx
// ends.
type remote struct {
	r   io.ReadCloser
	n   *atomic.Int64
	ctx context.Context
}

func (f *remote) Read(p []byte) (int, error) {
	if err := ctxErr(f.ctx); err != nil {
		return 0, err
	}
	n, err := f.r.Read(p)
	if f.n != nil {
		f.n.Add(int64(n))
	}
	if err != nil && err != io.EOF {
		if cerr := ctxErr(f.ctx); cerr != nil {
			err = cerr
		}
	}
	return n, err
}

func (f *remote) Close() error { return f.r.Close() }

// remoteAt is a remote that can be read at random.
type remoteAt struct {
	*remote
	ra RandomAccess
}

func (f *remoteAt) ReadAt(p []byte, off int64) (int, error) {
	if err := ctxErr(f.ctx); err != nil {
		return 0, err
	}
	n, err := f.ra.ReadAt(p, off)
	if f.n != nil {
		f.n.Add(int64(n))
	}
	return n, err
}

func (f *remoteAt) Size() int64 { return f.ra.Size() }

func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return context.Cause(ctx)
}

// openFile opens path for reading. Opening a FIFO waits for a writer; with a context, it
// waits no longer than the context lasts (the abandoned open closes what it opens).
func openFile(ctx context.Context, path string) (*os.File, error) {
	if ctx == nil {
		return os.Open(path)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().IsRegular() || fi.IsDir() {
		return os.Open(path)
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, fmt.Errorf("opening %s: %w", path, context.Cause(ctx))
	}
}

// interruptOnEnd makes a read under way on r (a FIFO, a pipe: whatever supports read
// deadlines) return once the input's context ends; a regular file's reads end by
// themselves.
func (in *Input) interruptOnEnd(r io.Reader) {
	d, ok := r.(interface{ SetReadDeadline(time.Time) error })
	if !ok {
		return
	}
	stop := context.AfterFunc(in.ctx, func() { d.SetReadDeadline(time.Now()) })
	in.closers = append(in.closers, closerFunc(func() error { stop(); return nil }))
}

// setContext makes Events end, with ctx's error, at the first record after ctx ends. Set
// it before reading. OpenWith with a Context does this and more (its reads fail too); this
// serves inputs opened otherwise, such as sections (OpenOptions.Section), whose files are regular
// and whose reads end by themselves.
func (in *Input) setContext(ctx context.Context) {
	in.ctx, in.ended = ctx, new(atomic.Bool)
	ended := in.ended
	stop := context.AfterFunc(ctx, func() { ended.Store(true) })
	in.closers = append(in.closers, closerFunc(func() error { stop(); return nil }))
}

// NewInput detects the format of r from its first bytes. Closing the Input closes r.
func NewInput(r io.ReadCloser, name string) (*Input, error) { return NewInputAs(r, name, "") }

// NewInputAs is NewInput that takes r to be in format, one of InputFormats ("" is "auto").
// An input plainly not in a format given is an ErrNotFormat.
func NewInputAs(r io.ReadCloser, name, format string) (*Input, error) {
	return (&Input{Name: name}).open(r, format)
}

// layer is an encoding that is peeled off an input before its format, known by its first
// bytes, in the manner of net/http's sniff signatures.
type layer struct {
	name  string // as errors and Format say it
	magic []byte
	open  func(io.Reader) (io.Reader, error) // nil: known, not supported
}

var layers = []layer{
	{"gzip", []byte{0x1f, 0x8b}, func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
	{"zstd", []byte{0x28, 0xB5, 0x2F, 0xFD}, openZstd},
	{"bzip2", []byte("BZh"), func(r io.Reader) (io.Reader, error) { return bzip2.NewReader(r), nil }},
	{"xz", []byte{0xFD, '7', 'z', 'X', 'Z', 0}, nil},
	{"zip", []byte("PK\x03\x04"), nil},
}

// zstdMaxWindow bounds the history a zstd stream may ask for (zstd --ultra -22 uses 128
// MiB): a larger one is an error, not an allocation.
const zstdMaxWindow = 128 << 20

func openZstd(r io.Reader) (io.Reader, error) {
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(zstdMaxWindow))
	if err != nil {
		return nil, err
	}
	return zr.IOReadCloser(), nil // closed by the readahead
}

func layerOf(head []byte) *layer {
	for i := range layers {
		if bytes.HasPrefix(head, layers[i].magic) {
			return &layers[i]
		}
	}
	return nil
}

// open detects the layers and the format of r, which the Input then owns.
func (in *Input) open(r io.ReadCloser, format string) (*Input, error) {
	in.closers = append(in.closers, r)
	name := in.Name
	fail := func(err error) (*Input, error) {
		in.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var src io.Reader = r
	for range 3 { // at most: a compression, then UTF-16, then the format itself
		br := bufio.NewReaderSize(src, 64<<10)
		head, err := br.Peek(sniffLen)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return fail(err)
		}
		if l := layerOf(head); l != nil {
			if l.open == nil {
				return fail(fmt.Errorf("unsupported compression: %s (decompress it first)", l.name))
			}
			zr, err := l.open(br)
			if err != nil {
				return fail(fmt.Errorf("%s: %w", l.name, err))
			}
			// Inflated a step ahead of decoding, on another core; the readahead closes zr.
			ra := newReadahead(zr, 256<<10, 4)
			in.closers = append(in.closers, ra)
			in.wrap += l.name + "+"
			src = &layerReader{r: ra, layer: l.name}
			continue
		}
		if isUTF16(head) {
			// Windows PowerShell's Out-File and > write UTF-16.
			src = &layerReader{r: transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()), layer: "UTF-16"}
			in.wrap += "utf16+"
			continue
		}
		kind, err := checkedFormat(head, format)
		if err != nil {
			return fail(err)
		}
		switch kind {
		case "json":
			in.dec = newJSONDecoder(br)
			return in, nil
		case "csv":
			bom := bytes.HasPrefix(head, utf8BOM)
			if bom {
				br.Discard(len(utf8BOM))
			}
			in.dec = newCSVDecoder(br, name, bom)
			return in, nil
		case "parquet":
			// Parquet is read at random: from the file itself, or from a spooled copy of
			// standard input, of a FIFO or of a decompressed stream.
			ra, size, err := in.readerAt(r, br)
			if err != nil {
				return fail(err)
			}
			in.dec = &parquetDecoder{ra: ra, size: size}
			return in, nil
		case "empty":
			in.dec = newJSONDecoder(br) // yields nothing; an empty file is fine
			return in, nil
		default:
			return fail(fmt.Errorf("%w: %s", ErrUnknownFormat, describe(head)))
		}
	}
	return fail(fmt.Errorf("%w: too many layers of encoding", ErrUnknownFormat))
}

// isUTF16 reports a UTF-16 byte-order mark, as Windows PowerShell's Out-File writes.
func isUTF16(head []byte) bool {
	return bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})
}

// formatOf is the format given, or when it is "auto" or "", the one sniff detects.
func formatOf(head []byte, format string) string {
	if format == "" || format == "auto" {
		return sniff(head)
	}
	return format
}

// checkedFormat is formatOf, except that a format given that the first bytes plainly
// contradict is an ErrNotFormat, so that the input fails before any decoding says
// something less clear; an empty input is "empty" in any format.
func checkedFormat(head []byte, format string) (string, error) {
	detected := sniff(head)
	if format == "" || format == "auto" || detected == "empty" {
		return detected, nil
	}
	var err *notFormat
	switch format {
	case "parquet":
		if !bytes.HasPrefix(head, []byte("PAR1")) {
			err = &notFormat{"Parquet", "no PAR1 magic"}
		}
	case "json":
		rest := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
		if len(rest) > 0 && rest[0] != '{' && rest[0] != '[' {
			err = &notFormat{"JSON", "first byte " + quoteByte(rest[0])}
		}
	case "csv":
		if !namesSignInColumn(head) {
			err = &notFormat{"CSV", "no header row naming a sign-in column"}
		}
	}
	if err == nil {
		return format, nil
	}
	if looks := formatNames[detected]; looks != "" && detected != format {
		err.why += " (it looks like " + looks + ")"
	}
	return "", err
}

var formatNames = map[string]string{"json": "JSON", "csv": "CSV", "parquet": "Parquet"}

// quoteByte shows one byte: 'D' when it is printable ASCII, else 0x1B.
func quoteByte(b byte) string {
	if b > ' ' && b < 0x7f {
		return fmt.Sprintf("%q", rune(b))
	}
	return fmt.Sprintf("0x%02X", b)
}

// namesSignInColumn reports whether the first line of head is a CSV row with at least one
// column name a sign-in has: the least a forced CSV needs (detection asks for two).
func namesSignInColumn(head []byte) bool {
	line, _, _ := bytes.Cut(bytes.TrimPrefix(head, utf8BOM), []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(line))
	cr.LazyQuotes = true
	fields, err := cr.Read()
	if err != nil {
		return false
	}
	_, known := csvHeader(fields)
	return known >= 1
}

// sniffLen is how much of an input format detection looks at: enough for the portal's
// CSV header (about 1,000 bytes).
const sniffLen = 8 << 10

// sniff names the format of a stream from its first bytes, in the manner of net/http's
// DetectContentType: ordered signatures, then a fallback.
func sniff(head []byte) string {
	if bytes.HasPrefix(head, []byte("PAR1")) {
		return "parquet"
	}
	rest := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(rest) == 0 {
		if len(head) < sniffLen {
			return "empty"
		}
		return "json" // all blanks so far: let the decoder look further
	}
	switch rest[0] {
	case '{', '[':
		return "json"
	}
	if looksLikeCSV(head) {
		return "csv"
	}
	return ""
}

// describe says briefly what unknown bytes look like, never quoting them: they may be
// personal data (which --redact promised to hide) or terminal escapes.
func describe(head []byte) string {
	if looksBinary(head) {
		return "binary data"
	}
	line, _, found := bytes.Cut(bytes.TrimPrefix(head, utf8BOM), []byte("\n"))
	if bytes.Count(line, []byte(",")) >= 3 {
		return "CSV without a sign-in header row (export with column names: Kusto CSV has none by default)"
	}
	line = bytes.TrimRight(line, "\r")
	if !found && len(head) >= sniffLen {
		return fmt.Sprintf("text whose first line (more than %d bytes) is neither JSON nor a CSV header", len(line))
	}
	return fmt.Sprintf("text whose first line (%d bytes) is neither JSON nor a CSV header", len(line))
}

// looksBinary reports bytes that are not text: a NUL, or invalid UTF-8 (a character cut
// off at the end of head aside).
func looksBinary(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	for i := len(head) - 1; i >= 0 && i >= len(head)-utf8.UTFMax; i-- {
		if utf8.RuneStart(head[i]) {
			if !utf8.FullRune(head[i:]) {
				head = head[:i]
			}
			break
		}
	}
	return !utf8.Valid(head)
}

// readerAt returns random access to the whole input: the file itself when it is a regular
// file and nothing was peeled off it, or else a temporary copy (removed on Close) of what
// br yields.
func (in *Input) readerAt(r io.Reader, br *bufio.Reader) (io.ReaderAt, int64, error) {
	if f, ok := r.(statReaderAt); ok && in.wrap == "" {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return f, fi.Size(), nil
		}
	}
	if f, ok := r.(RandomAccess); ok && in.wrap == "" {
		return f, f.Size(), nil
	}
	tmp, err := os.CreateTemp("", "grantsweep-*.parquet")
	if err != nil {
		return nil, 0, fmt.Errorf("spooling Parquet to a temporary file: %w", err)
	}
	in.closers = append(in.closers, closerFunc(func() error {
		tmp.Close()
		return os.Remove(tmp.Name())
	}))
	n, err := io.Copy(tmp, br)
	if err != nil {
		return nil, 0, fmt.Errorf("spooling Parquet to a temporary file: %w", err)
	}
	return &file{f: tmp, ctx: in.ctx}, n, nil
}

type statReaderAt interface {
	io.ReaderAt
	Stat() (os.FileInfo, error)
}

// file is an input file as it is read: each byte counted (n, when set, for progress), and
// every read failing with ctx's error once ctx (when set) ends. It does not embed
// *os.File, whose WriteTo would let io.Copy bypass both.
type file struct {
	f   *os.File
	n   *atomic.Int64
	ctx context.Context
}

func (f *file) Read(p []byte) (int, error) {
	if err := f.ended(); err != nil {
		return 0, err
	}
	n, err := f.f.Read(p)
	f.count(n)
	if err != nil && err != io.EOF {
		if cerr := f.ended(); cerr != nil {
			err = cerr // a read interrupted by the deadline that the context's end set
		}
	}
	return n, err
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if err := f.ended(); err != nil {
		return 0, err
	}
	n, err := f.f.ReadAt(p, off)
	f.count(n)
	return n, err
}

func (f *file) Stat() (os.FileInfo, error) { return f.f.Stat() }
func (f *file) Close() error               { return f.f.Close() }

func (f *file) ended() error {
	if f.ctx == nil {
		return nil
	}
	return context.Cause(f.ctx)
}

func (f *file) count(n int) {
	if f.n != nil {
		f.n.Add(int64(n))
	}
}

// ctxReader fails every read once ctx ends, for standard input.
type ctxReader struct {
	r   io.Reader
	ctx context.Context
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := context.Cause(c.ctx); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		if cerr := context.Cause(c.ctx); cerr != nil {
			err = cerr
		}
	}
	return n, err
}

// countingFile counts the bytes read from a file, sequentially or at random.
type countingFile struct {
	*os.File
	n *atomic.Int64
}

func (c *countingFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.File.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// SetCodeFilter tells decoders that can skip work which error codes may be in scope:
// Parquet then reads every column only for the rows it selects, and JSON counts records
// from their bytes without decoding them (see lightJSON). Records whose code fails the
// filter still come out, with their code, time and, for a failure, its Wording, which
// describes the code: the summary is the same either way.
func (in *Input) SetCodeFilter(f func(code int) bool) {
	switch d := in.dec.(type) {
	case *parquetDecoder:
		d.filter = f
	case *jsonDecoder:
		d.filter = f
	}
}

// SetHold has the decoder report the memory it holds that grows with the input's layout
// rather than with its records, as that changes: hold(n) when it takes n bytes more,
// hold(-n) when it lets them go, and all of it let go by the end of Events. Only Parquet
// holds such memory: the pages parquet-go reads of a row group's columns, about
// (chunkPages.held), from what the page headers say, for as long as the row group is read.
// A memory budget counts it, so that what it holds for events makes room.
func (in *Input) SetHold(hold func(n int64)) {
	if d, ok := in.dec.(*parquetDecoder); ok {
		d.hold = hold
	}
}

// SetSummaryFields tells decoders that can skip work that the reader needs no detail
// fields: CorrelationID, Resource, ResourceID, UserAgent, IncomingTokenType and
// UniqueTokenID may come out empty. Parquet then leaves their columns unread.
func (in *Input) SetSummaryFields() {
	if d, ok := in.dec.(*parquetDecoder); ok {
		d.summaryOnly = true
	}
}

// detailColumns are the columns (normalized names, "properties." dropped) of the detail
// fields only; see SetSummaryFields.
var detailColumns = map[string]bool{"correlationid": true, "resourcedisplayname": true, "resource": true, "resourceid": true,
	"resourceidentity": true, "useragent": true, "incomingtokentype": true, "uniquetokenidentifier": true}

// Format names the detected format, such as "json/graph" or "gzip+json/lines". The JSON
// shape is known once the events have been read.
func (in *Input) Format() string { return in.wrap + in.dec.shape() }

// Events yields every record of the input in order: an Event, a *RecordError for a record
// that was skipped (decoding goes on), or a final error that ended the input early.
//
// After setContext (OpenWith with a Context), Events ends with the context's error,
// wrapped with the input's name, at the first record after the context ends.
func (in *Input) Events() iter.Seq2[Event, error] {
	seq := in.dec.events(in.Name)
	if in.ctx == nil {
		return seq
	}
	return func(yield func(Event, error) bool) {
		for ev, err := range seq {
			// The flag is cheap per record; a decoder's error may be the context's end
			// before the flag says so.
			if in.ended.Load() || (err != nil && in.ctx.Err() != nil) {
				yield(Event{}, fmt.Errorf("%s: %w", in.Name, context.Cause(in.ctx)))
				return
			}
			if !yield(ev, err) {
				return
			}
		}
	}
}

// Close releases the input.
func (in *Input) Close() error {
	var errs []error
	for _, c := range slices.Backward(in.closers) {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// layerReader names the layer (gzip, zstd, bzip2, UTF-16) and the position where a stream broke, so that
// a truncated .gz file reports "gzip stream broken after 1234 bytes of content".
type layerReader struct {
	r     io.Reader
	layer string
	n     int64
}

func (l *layerReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s stream broken after %d bytes of content: %w", l.layer, l.n, err)
	}
	return n, err
}
