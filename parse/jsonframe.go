package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// The framing: where a record begins and ends among the top-level values and in an array,
// the line fast path (lineRecord) beside its slow twin (record), and where to go on after a
// broken record (resync, resyncElement).

// nextTop reads on between top-level values. Like every per-context step of next, it
// returns done when it has a record, an error, or the end of input to report; otherwise
// next loops (the context changed).
func (s *jsonScanner) nextTop() (raw []byte, pos Position, err error, done bool) {
	if !s.bomDone {
		s.bomDone = true
		for s.end < 3 && s.fill() {
		}
		if bytes.HasPrefix(s.buf[s.pos:s.end], utf8BOM) {
			s.pos += len(utf8BOM)
		}
	}
	c, ok := s.skipSpace(true)
	if !ok {
		if err := s.readErr(); err != nil {
			return nil, Position{}, err, true
		}
		return nil, Position{}, io.EOF, true
	}
	switch c {
	case '{':
		// Two records in a row, each first on its line: JSON Lines, most likely.
		// Take lines whole from here on (lineRecord). Decided from what was read,
		// not from what happens to be buffered, so the result never depends on
		// how the input arrives.
		if s.firstOnLine && s.prevFirst && s.firstWrap == nil && s.arrays == 0 {
			s.lines = true
		}
		if s.lines && s.firstOnLine {
			if raw, pos, ok := s.lineRecord(); ok {
				s.objects++
				return raw, pos, nil, true
			}
		}
		first := s.firstOnLine
		raw, pos, wrap, err := s.record(true)
		if wrap != nil {
			s.prevFirst = false
			s.enterArray(true)
			s.ctx = wrap.ctx
			return nil, Position{}, nil, false
		}
		s.objects++
		s.prevFirst = first && err == nil
		return raw, pos, err, true
	case '[':
		s.arrays++
		s.enterArray(false)
		return nil, Position{}, nil, false
	default:
		return nil, Position{}, s.garbage(), true
	}
}

// nextInArray reads on between the elements of an array of records.
func (s *jsonScanner) nextInArray() (raw []byte, pos Position, err error, done bool) {
	c, ok := s.skipSpace(true)
	if !ok {
		if err := s.readErr(); err != nil {
			return nil, Position{}, err, true
		}
		if s.openEnd && !s.wrapper {
			s.endedOpen = true // a section's end between two elements (Section.Array)
			return nil, Position{}, io.EOF, true
		}
		return nil, Position{}, fmt.Errorf("%w: array opened at line %d (offset %d) is not closed", ErrTruncated, s.arrayPos.Line, s.arrayPos.Offset), true
	}
	switch c {
	case ']':
		s.pos++
		if s.wrapper {
			s.ctx = ctxWrapperRest
		} else {
			s.ctx = ctxTop
		}
		return nil, Position{}, nil, false
	case '{':
		// Arrays written one element per line: the same fast path as JSON Lines,
		// with the separating comma left for skipSpace.
		if s.firstOnLine && s.prevFirst {
			s.elemLines = true
		}
		if s.elemLines && s.firstOnLine {
			if raw, pos, ok := s.lineRecord(); ok {
				s.learn(raw)
				return raw, pos, nil, true
			}
		}
		first := s.firstOnLine
		raw, pos, _, err := s.record(false)
		s.prevFirst = first && err == nil
		if err == nil {
			s.learn(raw)
		}
		return raw, pos, err, true
	default:
		// Not an object: skip the value, report it, and go on.
		pos := s.position(s.pos)
		indent := s.indentOf(s.pos)
		s.start = s.pos
		if err := s.skipValue(); err != nil {
			return nil, pos, s.recordFailure(pos, indent, err), true
		}
		return nil, pos, &RecordError{Line: pos.Line, Offset: pos.Offset, Err: fmt.Errorf("%w: array element starts with %q", ErrNotObject, c)}, true
	}
}

func (s *jsonScanner) enterArray(wrapper bool) {
	s.elemLines, s.prevFirst = false, false
	// The signature is kept from array to array: the batches or pages of one input hold
	// records of one shape, and a batch whose first element is broken needs it too.
	s.arrayPos = s.position(s.pos)
	s.pos++ // '['
	s.start = s.pos
	s.ctx = ctxArray
	s.wrapper = wrapper
}

// lineRecord is the JSON Lines fast path: the record at pos is taken to be the rest of its
// line when the line ends with '}' and its braces balance, as is the case for every
// well-formed line; anything else goes back to the structural scan (ok false). A
// line that looks like a Graph or Event Hub wrapper goes back too.
func (s *jsonScanner) lineRecord() ([]byte, Position, bool) {
	s.start = s.pos
	from := 0 // bytes of the line already searched, from start
	end := -1 // the line's end, relative to start
	for {
		if i := bytes.IndexByte(s.buf[s.start+from:s.end], '\n'); i >= 0 {
			end = from + i
			break
		}
		from = s.end - s.start
		if from > s.maxRecord {
			s.pos = s.start
			return nil, Position{}, false
		}
		if !s.fill() {
			end = s.end - s.start // the last line, without a newline
			break
		}
	}
	s.pos = s.start
	line := s.buf[s.start : s.start+end]
	trimmed := bytes.TrimRight(line, " \t\r")
	if s.ctx == ctxArray {
		trimmed = bytes.TrimRight(bytes.TrimSuffix(trimmed, []byte{','}), " \t")
		if opensWrapper(trimmed) { // closes the array and opens another: not one element
			return nil, Position{}, false
		}
	}
	if !wholeLineRecord(trimmed) {
		return nil, Position{}, false
	}
	pos := s.position(s.pos)
	s.pos += len(trimmed)
	return trimmed, pos, true
}

// record scans the object at pos. On a structural error it skips to the next record and
// returns a *RecordError; an I/O error is returned as is. With detectWrapper it stops at
// the '[' of a wrapper's array instead and returns that wrapper (scanComposite).
func (s *jsonScanner) record(detectWrapper bool) ([]byte, Position, *jsonWrapper, error) {
	s.recFirst = s.firstOnLine
	s.start = s.pos
	pos := s.position(s.pos)
	indent := s.indentOf(s.pos)
	res, wrap, err := s.scanComposite(detectWrapper)
	if err != nil {
		return nil, pos, nil, s.recordFailure(pos, indent, err)
	}
	if res == scanWrapper {
		if s.firstWrap == nil {
			s.firstWrap = wrap
		}
		return nil, pos, wrap, nil
	}
	return s.buf[s.start:s.pos], pos, nil, nil
}

// recordFailure turns a scan error of the record at pos into a *RecordError after moving
// to the next record. Read errors pass through.
func (s *jsonScanner) recordFailure(pos Position, indent int, err error) error {
	se, ok := err.(*scanError)
	if ok && errors.Is(se.err, ErrTruncated) {
		s.cutAtEnd = true // a record the end of input cut (see Input.Clean)
	}
	if !ok {
		if s.rerr == nil || s.rerr == io.EOF {
			return err
		}
		// The stream broke within the record (a truncated gzip member): the record is
		// skipped, as one cut short by the end of a plain file is, and the next call
		// reports the break.
		s.pos, s.start = s.end, s.end
		return &RecordError{Line: pos.Line, Offset: pos.Offset, Err: fmt.Errorf("%w: cut short where the stream broke", ErrTruncated)}
	}
	// An array whose elements do not each start a line (a Graph page or an Event Hub
	// batch on one line, a query result's rows) resynchronises at the next element that
	// begins as the others do; anything else at the next line that starts a record.
	compact := !s.recFirst && (s.ctx == ctxArray && s.sigKnown || s.ctx == ctxRows && len(s.columns) > 0)
	framed := s.framed - s.start // where the broken record's brackets closed, if they did
	s.framed = 0
	switch {
	case compact && s.resyncElement(int(pos.Offset-s.base), pos.Line):
	case framed > 0 && (compact || bytes.IndexByte(s.buf[s.start:s.start+framed], '\n') < 0):
		// No element further on begins as the others do, or the broken one's brackets
		// closed on its own line (so it swallowed no line after it): go on after it (the
		// last row of a query result, say).
		s.recount(s.start, pos.Line, s.start+framed)
		s.pos = s.start + framed
		s.start = s.pos
	case !s.resync(int(pos.Offset-s.base), pos.Line, indent):
		s.pos, s.start = s.end, s.end
	case !s.recFirst && (s.ctx == ctxArray || s.ctx == ctxRows):
		// An element of an array written on one line, resynchronised at the next line
		// that opens a value at its start: that line is a value of its own (the next
		// Event Hub batch, page or query result), not an element of this array.
		s.ctx = ctxTop
	}
	return &RecordError{Line: pos.Line, Offset: pos.Offset, Err: fmt.Errorf("%w (%s at offset %d)", se.err, se.msg, se.off)}
}

// skipLine moves pos past the next newline, forgetting the bytes before it; false when
// the input ends first.
func (s *jsonScanner) skipLine() bool {
	for {
		if i := bytes.IndexByte(s.buf[s.pos:s.end], '\n'); i >= 0 {
			s.pos += i + 1
			s.line++
			s.lineStart, s.blankSoFar = s.base+int64(s.pos), true
			return true
		}
		s.pos = s.end
		s.start = s.pos
		if !s.fill() {
			return false
		}
	}
}

// garbage skips bytes that cannot start a record up to the next line that opens an object
// at column 0, and reports them as one skipped record.
func (s *jsonScanner) garbage() error {
	pos := s.position(s.pos)
	c := s.buf[s.pos]
	recStart := s.pos
	s.start = s.pos
	if !s.resync(recStart, pos.Line, 0) {
		s.pos, s.start = s.end, s.end
	}
	return &RecordError{Line: pos.Line, Offset: pos.Offset, Err: fmt.Errorf("%w: unexpected %q", ErrNotObject, c)}
}

// resync moves pos to the next line, after the record that started at recStart on line
// recLine, whose first non-blank byte is '{' at column indent (or, for indent 0, any line
// that starts at column 0 and does not close a value). It returns false when the
// input ends first. Lines are recounted from the record's start.
func (s *jsonScanner) resync(recStart int, recLine int, indent int) bool {
	s.pos = recStart
	s.line = recLine
	s.start = recStart
	// Move past the rest of the record's first line.
	if !s.skipLine() {
		return false
	}
	for {
		// pos is at the start of a line: look at its indentation.
		col := 0
		for {
			for s.pos < s.end && (s.buf[s.pos] == ' ' || s.buf[s.pos] == '\t') {
				s.pos++
				col++
			}
			if s.pos < s.end {
				break
			}
			s.start = s.pos
			if !s.fill() {
				return false
			}
		}
		// The next record: an object at the broken one's indentation. At column 0 any
		// other line that does not close something is a record of its own too (JSON
		// Lines: every line is a record, even a garbled one).
		c := s.buf[s.pos]
		open := byte('{')
		if s.ctx == ctxRows {
			open = '[' // the next row of a query result
		}
		if c == open && col == indent || indent == 0 && col == 0 && c != '}' && c != ']' && c != ',' && c != '\r' && c != '\n' {
			s.start = s.pos
			return true
		}
		if !s.skipLine() {
			return false
		}
		s.start = s.pos
	}
}

// learn keeps the signature of the current array's elements from its first whole one.
func (s *jsonScanner) learn(raw []byte) {
	if s.sigKnown {
		return
	}
	if k1, k2, ok := firstTwoNames(raw); ok {
		s.sig[0], s.sig[1] = append(s.sig[0][:0], k1...), append(s.sig[1][:0], k2...)
		s.sigKnown = true
	}
}

// firstTwoNames returns the raw names of an object's first two members (the second nil
// for an object of one member).
func firstTwoNames(obj []byte) (k1, k2 []byte, ok bool) {
	w := walker{b: obj, i: 1}
	var names [2][]byte
	for n := range 2 {
		w.space()
		start := w.i
		if w.i >= len(w.b) || w.b[w.i] != '"' {
			return nil, nil, false
		}
		if _, err := w.str(); err != nil {
			return nil, nil, false
		}
		names[n] = obj[start+1 : w.i-1]
		w.space()
		if w.i >= len(w.b) || w.b[w.i] != ':' {
			return nil, nil, false
		}
		w.i++
		w.space()
		if n == 1 {
			break
		}
		if err := w.value(); err != nil {
			return nil, nil, false
		}
		w.space()
		if w.i < len(w.b) && w.b[w.i] == '}' {
			return names[0], nil, true // an object of one member: its name alone
		}
		if w.i >= len(w.b) || w.b[w.i] != ',' {
			return nil, nil, false
		}
		w.i++
	}
	return names[0], names[1], true
}

// resyncElement moves pos to the next element after the broken one at recStart (an index
// in buf, on line recLine) that begins as the array's elements do: an object whose first
// two members have the signature's names, or a row of as many values as the table has
// columns, after a ',' (or, for an object, a '[' opening the next wrapper's array). It
// looks no further than a record's maximum size, and returns false when it finds none;
// pos is then unchanged.
func (s *jsonScanner) resyncElement(recStart, recLine int) bool {
	s.start = recStart
	from := recStart + 1 // relative to s.start from here on (fill moves the buffer)
	from -= s.start
	for {
		abs := s.start + from
		at := -1
		if s.ctx == ctxRows {
			if i := bytes.IndexByte(s.buf[abs:s.end], '['); i >= 0 {
				at = abs + i
			}
		} else if i := bytes.Index(s.buf[abs:s.end], s.needle()); i >= 0 {
			at = abs + i
		}
		if at < 0 {
			from = max(from, s.end-s.start-len(s.needle()))
			if s.end-s.start > s.maxRecord || !s.fill() {
				return false
			}
			continue
		}
		// Enough of what follows to judge the candidate: a row whole, an object's head.
		for s.end-at < 64<<10 && s.rerr == nil {
			off := at - s.start
			more := s.fill() // which may move the buffer, more or not
			at = s.start + off
			if !more {
				break
			}
		}
		c, ok := s.elementAt(at)
		if ok && c > s.start {
			s.recount(s.start, recLine, c)
			s.pos, s.start = c, c
			return true
		}
		from = at - s.start + 1
	}
}

// needle is what resyncElement searches for in an array of objects: the first name, quoted.
func (s *jsonScanner) needle() []byte {
	n := make([]byte, 0, len(s.sig[0])+2)
	return append(append(append(n, '"'), s.sig[0]...), '"')
}

// elementAt reports whether an element that begins as the array's do starts at or just
// before at (a row's '[' at at; for objects, the '{' before the first name at at), and
// returns where it starts.
func (s *jsonScanner) elementAt(at int) (int, bool) {
	b := s.buf[:s.end]
	start := at
	if s.ctx != ctxRows {
		start = lastNonBlank(b, at)
		if start < 0 || b[start] != '{' {
			return 0, false
		}
	}
	if p := lastNonBlank(b, start); p < 0 || b[p] != ',' && !(s.ctx != ctxRows && b[p] == '[') {
		return 0, false
	}
	if s.ctx == ctxRows {
		w := walker{b: b, i: start}
		if w.array() != nil || arity(b[start:w.i]) != len(s.columns) {
			return 0, false
		}
		return start, true
	}
	k1, k2, ok := firstTwoNames(b[start:])
	return start, ok && bytes.Equal(k1, s.sig[0]) && bytes.Equal(k2, s.sig[1])
}

// lastNonBlank is the index of the last byte before i that is not JSON whitespace, -1 if none.
func lastNonBlank(b []byte, i int) int {
	for i--; i >= 0; i-- {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return i
	}
	return -1
}

// arity counts the values of a JSON array known to be valid.
func arity(arr []byte) int {
	w := walker{b: arr, i: 1}
	w.space()
	if w.i < len(w.b) && w.b[w.i] == ']' {
		return 0
	}
	n := 0
	for {
		if w.value() != nil {
			return -1
		}
		n++
		w.space()
		if w.i >= len(w.b) || w.b[w.i] != ',' {
			return n
		}
		w.i++
		w.space()
	}
}
