package parse

import (
	"bytes"
	"io"
	"os"
	"sync/atomic"
)

// Section is a part of a file that can be read on its own: a byte range of a JSON Lines
// file that starts at the beginning of a record, a byte range of a file that is one JSON
// array of records that starts at the line of an element (Array), or (Parquet) a range of
// row groups.
type Section struct {
	Start, End int64
	Parquet    bool // Start and End are row-group indexes
	// Array: the file is a JSON array of records, and the section ends between two of its
	// elements (all but the last), and starts at the line of an element (all but the first).
	Array bool
}

// splitProbe is how much of a file Split reads to decide and to find each boundary.
const splitProbe = 1 << 20

// Split divides a plain (not compressed) JSON Lines file into about n sections of similar
// size that each start at a line opening a record, so that they can be read in parallel
// (see OpenOptions.Section). It returns nil when the file is not JSON Lines as far as its first
// line shows, or too small to be worth it.
//
// format is the input's, one of InputFormats ("" is "auto").
func Split(path string, n int, minSize int64, format string) ([]Section, error) {
	// Looked at before it is opened: opening a FIFO would take its writer's bytes.
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() || fi.Size() < minSize || n < 2 {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, err
	}
	head := make([]byte, splitProbe)
	k, _ := io.ReadFull(f, head)
	head = head[:k]
	if layerOf(head) != nil || isUTF16(head) {
		return nil, nil // a layer of encoding (gzip, zstd, bzip2...): read whole
	}
	kind := formatOf(head, format)
	if kind == "parquet" {
		return splitParquet(f, fi.Size(), n)
	}
	if kind != "json" {
		return nil, nil
	}
	if indent, ok := arrayIndent(bytes.TrimPrefix(head, utf8BOM)); ok {
		// One array of records, each element opening its own line at one indentation:
		// cut where a line opens an object at that indentation. A nested object at the
		// same indentation, or anything else that makes a cut fall inside an element, is
		// found by the sections' read (Input.Clean), and the file is then read whole.
		needle := append(append([]byte{'\n'}, indent...), '{')
		return splitAt(f, fi.Size(), n, needle, true)
	}
	if bytes.HasPrefix(head, utf8BOM) {
		return nil, nil
	}
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 || !isRecordLine(head[:nl]) {
		return nil, nil
	}
	// The next line that opens a record: a newline followed by '{'.
	return splitAt(f, fi.Size(), n, []byte("\n{"), false)
}

// splitAt cuts a file of size bytes into about n sections, each after the first starting
// at the line that the first needle (a newline, then what opens the line) after its share
// of the file opens.
func splitAt(f *os.File, size int64, n int, needle []byte, array bool) ([]Section, error) {
	var out []Section
	start := int64(0)
	buf := make([]byte, splitProbe)
	for i := 1; i < n; i++ {
		at := size * int64(i) / int64(n)
		if at <= start {
			continue
		}
		k, err := f.ReadAt(buf, at)
		if err != nil && err != io.EOF {
			return nil, err
		}
		j := bytes.Index(buf[:k], needle)
		if j < 0 {
			break // no boundary within reach: the rest is one section
		}
		cut := at + int64(j) + 1
		out = append(out, Section{Start: start, End: cut, Array: array})
		start = cut
	}
	if len(out) == 0 {
		return nil, nil
	}
	return append(out, Section{Start: start, End: size, Array: array}), nil
}

// arrayIndent reports whether head begins a JSON array (after blanks) whose first element
// is an object that opens its own line, and returns that line's indentation.
func arrayIndent(head []byte) ([]byte, bool) {
	i := 0
	for i < len(head) && isBlank(head[i]) {
		i++
	}
	if i == len(head) || head[i] != '[' {
		return nil, false
	}
	i++
	nl := -1
	for i < len(head) && isBlank(head[i]) {
		if head[i] == '\n' {
			nl = i
		}
		i++
	}
	if nl < 0 || i == len(head) || head[i] != '{' {
		return nil, false
	}
	indent := head[nl+1 : i]
	if bytes.ContainsAny(indent, "\r\n") {
		return nil, false
	}
	return indent, true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isRecordLine reports whether a line is one whole JSON object that is not a wrapper.
func isRecordLine(line []byte) bool {
	line = bytes.TrimSpace(line)
	return len(line) > 0 && line[0] == '{' && wholeLineRecord(line)
}

// splitParquet divides a Parquet file's row groups into about n ranges of similar row counts.
func splitParquet(f *os.File, size int64, n int) ([]Section, error) {
	foot, err := readParquetFooter(f, size)
	if err != nil {
		return nil, nil // not readable: let the decoder report it
	}
	groups := foot.groups
	if len(groups) < 2 {
		return nil, nil
	}
	var total int64
	for _, g := range groups {
		total += g.rows
	}
	var out []Section
	start, rows := 0, int64(0)
	for i, g := range groups {
		rows += g.rows
		if len(out) < n-1 && rows >= total*int64(len(out)+1)/int64(n) && i+1 < len(groups) {
			out = append(out, Section{Start: int64(start), End: int64(i + 1), Parquet: true})
			start = i + 1
		}
	}
	return append(out, Section{Start: int64(start), End: int64(len(groups)), Parquet: true}), nil
}

// openSection opens one section found by Split (OpenOptions.Section). Offsets in its events and errors are
// offsets in the whole file, and Parquet rows are numbered in the whole file; JSON line
// numbers count from the section's start (add the lines of the sections before it: see
// Input.Lines).
func openSection(path string, sec Section, n *atomic.Int64) (*Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if sec.Parquet {
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		var ra io.ReaderAt = f
		if n != nil {
			ra = &countingFile{File: f, n: n}
		}
		d := &parquetDecoder{ra: ra, size: fi.Size(), groupFrom: int(sec.Start), groupTo: int(sec.End)}
		return &Input{Name: path, dec: d, closers: []io.Closer{f}}, nil
	}
	var r io.Reader = io.NewSectionReader(f, sec.Start, sec.End-sec.Start)
	if n != nil {
		r = &countingReader{r: r, n: n}
	}
	d := newJSONDecoder(r)
	d.sc.base = sec.Start
	d.sc.lineStart = sec.Start
	switch {
	case sec.Array:
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		d.sc.inSection = true
		d.sc.openEnd = sec.End < fi.Size() // it ends between two elements
		if sec.Start > 0 {
			// Among the elements of the file's array, where the whole file's read takes
			// them a line at a time, as it does once two have started their lines (see
			// Input.Clean).
			d.sc.bomDone, d.sc.arrays = true, 1
			d.sc.ctx, d.sc.elemLines, d.sc.prevFirst = ctxArray, true, true
		}
	case sec.Start > 0:
		// A later section starts where the whole file's read takes lines whole, as it does
		// past its first records: so does the section's (see Input.Clean).
		d.sc.bomDone, d.sc.lines = true, true
	}
	return &Input{Name: path, dec: d, closers: []io.Closer{f}}, nil
}

// Clean reports whether a section read so far reads exactly as the same bytes do within
// the whole file: a Parquet section always; a JSON Lines section when it held top-level
// objects only (no array, no wrapper), taken a line at a time once two had been, and it
// ended at a record boundary without an error (no record cut by its end, which the whole
// file's read would have resynchronised past). A section of an array (Section.Array) is
// clean when it held elements of that one array only, each framed without an error (a
// resynchronisation depends on what came before), and ended between two elements where
// the next section's read starts as the whole file's would (taking elements a line at a
// time), or, the last, after the array's end. By induction from the first section, each
// cut is then where an element starts. Sections that are not clean are to be read again
// as part of the whole file: only then is the result the same whatever the worker count.
func (in *Input) Clean() bool {
	d, ok := in.dec.(*jsonDecoder)
	if !ok {
		return true
	}
	sc := d.sc
	if sc.readErr() != nil || sc.cutAtEnd || sc.firstWrap != nil {
		return false
	}
	if sc.inSection {
		if sc.arrays != 1 || sc.objects != 0 || sc.wrapper || sc.failures > 0 {
			return false
		}
		if sc.openEnd {
			return sc.endedOpen && sc.ctx == ctxArray && (sc.elemLines || sc.prevFirst)
		}
		return sc.ctx == ctxTop
	}
	return sc.ctx == ctxTop && sc.lines && sc.arrays == 0
}

// Lines returns how many lines a JSON input has consumed so far.
func (in *Input) Lines() int {
	if d, ok := in.dec.(*jsonDecoder); ok {
		return d.sc.line - 1
	}
	return 0
}
