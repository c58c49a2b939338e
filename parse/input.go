package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/klauspost/compress/gzip"
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
}

type decoder interface {
	events(name string) iter.Seq2[Event, error]
	shape() string
}

// Stdin is the path that names standard input.
const Stdin = "-"

// InputFormats are the formats an input can be taken to be (--input-format); "auto"
// detects each input's from its first bytes. Layers of encoding (gzip, UTF-16) are
// recognised by their bytes whatever the format.
var InputFormats = []string{"auto", "json", "csv", "parquet"}

// Open opens the file at path (or standard input for "-", read through stdin) and detects
// its format.
func Open(path string, stdin io.Reader) (*Input, error) { return OpenCounting(path, stdin, nil, "") }

// OpenCounting is Open that adds every byte read from the file (or stdin) to n, for
// progress reports (n may be nil), and takes the input to be in format, one of
// InputFormats ("" is "auto").
func OpenCounting(path string, stdin io.Reader, n *atomic.Int64, format string) (*Input, error) {
	if path == Stdin {
		if n != nil {
			stdin = &countingReader{r: stdin, n: n}
		}
		return NewInputAs(io.NopCloser(stdin), "(stdin)", format)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var rc io.ReadCloser = f
	if n != nil {
		rc = &countingFile{File: f, n: n}
	}
	in, err := NewInputAs(rc, path, format)
	if err != nil {
		f.Close()
		return nil, err
	}
	return in, nil
}

// NewInput detects the format of r from its first bytes. Closing the Input closes r.
func NewInput(r io.ReadCloser, name string) (*Input, error) { return NewInputAs(r, name, "") }

// NewInputAs is NewInput that takes r to be in format, one of InputFormats ("" is "auto").
func NewInputAs(r io.ReadCloser, name, format string) (*Input, error) {
	in := &Input{Name: name, closers: []io.Closer{r}}
	var src io.Reader = r
	for range 3 { // at most: gzip, then UTF-16, then the format itself
		br := bufio.NewReaderSize(src, 64<<10)
		head, err := br.Peek(sniffLen)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			in.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		switch {
		case isGzip(head):
			zr, err := gzip.NewReader(br)
			if err != nil {
				in.Close()
				return nil, fmt.Errorf("%s: gzip: %w", name, err)
			}
			// Inflated a step ahead of decoding, on another core; the readahead closes zr.
			ra := newReadahead(zr, 256<<10, 4)
			in.closers = append(in.closers, ra)
			in.wrap += "gzip+"
			src = &layerReader{r: ra, layer: "gzip"}
			continue
		case isUTF16(head):
			// Windows PowerShell's Out-File and > write UTF-16.
			src = &layerReader{r: transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()), layer: "UTF-16"}
			in.wrap += "utf16+"
			continue
		}
		switch formatOf(head, format) {
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
			// standard input or of a decompressed stream.
			ra, size, err := in.readerAt(r, br)
			if err != nil {
				in.Close()
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			in.dec = &parquetDecoder{ra: ra, size: size}
			return in, nil
		case "empty":
			in.dec = newJSONDecoder(br) // yields nothing; an empty file is fine
			return in, nil
		default:
			in.Close()
			return nil, fmt.Errorf("%s: %w: %s", name, ErrUnknownFormat, describe(head))
		}
	}
	in.Close()
	return nil, fmt.Errorf("%s: %w: too many layers of encoding", name, ErrUnknownFormat)
}

func isGzip(head []byte) bool { return bytes.HasPrefix(head, []byte{0x1f, 0x8b}) }

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

// describe says briefly what unknown bytes look like.
func describe(head []byte) string {
	if bytes.IndexByte(head, 0) >= 0 {
		return "binary data"
	}
	line, _, _ := bytes.Cut(bytes.TrimPrefix(head, utf8BOM), []byte("\n"))
	line = bytes.TrimSpace(line)
	if bytes.Count(line, []byte(",")) >= 3 {
		return "CSV without a sign-in header row (export with column names: Kusto CSV has none by default)"
	}
	if len(line) > 40 {
		line = append(line[:40:40], "..."...)
	}
	return fmt.Sprintf("text starting %q", line)
}

// readerAt returns random access to the whole input: the file itself when nothing was
// peeled off it, or else a temporary copy (removed on Close) of what br yields.
func (in *Input) readerAt(r io.Reader, br *bufio.Reader) (io.ReaderAt, int64, error) {
	if f, ok := r.(statReaderAt); ok && in.wrap == "" {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return f, fi.Size(), nil
		}
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
	return tmp, n, nil
}

type statReaderAt interface {
	io.ReaderAt
	Stat() (os.FileInfo, error)
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
var detailColumns = map[string]bool{"correlationid": true, "resourcedisplayname": true, "resourceid": true,
	"resourceidentity": true, "useragent": true, "incomingtokentype": true, "uniquetokenidentifier": true}

// Format names the detected format, such as "json/graph" or "gzip+json/lines". The JSON
// shape is known once the events have been read.
func (in *Input) Format() string { return in.wrap + in.dec.shape() }

// Events yields every record of the input in order: an Event, a *RecordError for a record
// that was skipped (decoding goes on), or a final error that ended the input early.
func (in *Input) Events() iter.Seq2[Event, error] { return in.dec.events(in.Name) }

// Close releases the input.
func (in *Input) Close() error {
	var errs []error
	for _, c := range slices.Backward(in.closers) {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// Expand turns command-line arguments into input paths: a file stands for itself, a
// directory for every file below it (recursively, in lexical order, skipping hidden names),
// a glob for its matches, and "-" for standard input. Arguments that name nothing are
// returned as errors; the others are still expanded.
func Expand(args []string) ([]string, []error) {
	var paths []string
	var errs []error
	for _, arg := range args {
		if arg == Stdin {
			paths = append(paths, arg)
			continue
		}
		fi, err := os.Stat(arg)
		switch {
		case err == nil && fi.IsDir():
			werr := filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					errs = append(errs, err)
					return nil
				}
				if p != arg && strings.HasPrefix(d.Name(), ".") {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if d.Type().IsRegular() {
					paths = append(paths, p)
				}
				return nil
			})
			if werr != nil {
				errs = append(errs, werr)
			}
		case err == nil:
			paths = append(paths, arg)
		case strings.ContainsAny(arg, "*?[{"):
			// ** matches any number of directories: 'logs/**/PT1H.json'.
			matches, gerr := doublestar.FilepathGlob(arg, doublestar.WithFilesOnly())
			if gerr != nil {
				errs = append(errs, fmt.Errorf("%s: %w", arg, gerr))
			} else if len(matches) == 0 {
				errs = append(errs, fmt.Errorf("%s: no files match", arg))
			}
			sub, serr := Expand(matches)
			paths = append(paths, sub...)
			errs = append(errs, serr...)
		default:
			errs = append(errs, err)
		}
	}
	return paths, errs
}

// layerReader names the layer (gzip, UTF-16) and the position where a stream broke, so that
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
