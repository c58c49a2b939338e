package parse

import (
	"bytes"
	"fmt"
	"io"
)

// jsonLexer is the byte level of [jsonScanner]: a window onto the input that slides and
// grows as records need, the line and offset of every byte in it, and the structural scan
// of strings, escapes and brackets. It knows nothing of records or wrappers beyond
// recognising a wrapper's member name (scanComposite); the framing above it decides what a
// value means.
type jsonLexer struct {
	rd    io.Reader
	buf   []byte
	start int   // first byte the caller may still need (start of the current record)
	pos   int   // next byte to examine
	end   int   // end of the valid bytes in buf
	base  int64 // stream offset of buf[0]
	rerr  error // sticky read error; io.EOF at the end

	line        int   // line number of buf[pos]
	lineStart   int64 // stream offset of the first byte of that line
	blankSoFar  bool  // only blanks consumed since lineStart
	firstOnLine bool  // the byte skipSpace last stopped at is the first non-blank of its line

	maxRecord int
	stack     []byte
}

const (
	scanWindow       = 256 << 10
	defaultMaxRecord = 8 << 20
)

func newJSONLexer(r io.Reader) jsonLexer {
	return jsonLexer{rd: r, buf: make([]byte, scanWindow), line: 1, blankSoFar: true, maxRecord: defaultMaxRecord}
}

// fill reads more input, keeping buf[start:end]. It reports whether bytes were added.
func (s *jsonLexer) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.base += int64(s.start)
		s.pos -= s.start
		s.end = n
		s.start = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxRecord+scanWindow {
			return false // caller sees a record larger than maxRecord
		}
		nb := make([]byte, min(2*len(s.buf), s.maxRecord+scanWindow))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.rd.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// readErr is the error that stopped reading, nil at a clean end of input.
func (s *jsonLexer) readErr() error {
	if s.rerr == io.EOF {
		return nil
	}
	return s.rerr
}

func (s *jsonLexer) position(i int) Position {
	return Position{Line: s.line, Offset: s.base + int64(i)}
}

// skipSpace advances past whitespace (and, where allowComma, commas), counting lines.
// It returns the next byte, or false at the end of input.
func (s *jsonLexer) skipSpace(allowComma bool) (byte, bool) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			switch {
			case c == '\n':
				s.line++
				s.pos++
				s.lineStart = s.base + int64(s.pos)
				s.blankSoFar = true
			case c == ' ' || c == '\t' || c == '\r':
				s.pos++
			case allowComma && c == ',':
				s.pos++
				s.blankSoFar = false
			default:
				// The caller consumes c: whatever follows on this line is not first.
				s.firstOnLine = s.blankSoFar
				s.blankSoFar = false
				return c, true
			}
		}
		s.start = s.pos
		if !s.fill() {
			return 0, false
		}
	}
}

// scanResult says how a composite value ended.
type scanResult int

const (
	scanDone    scanResult = iota // the value is complete: buf[start:pos]
	scanWrapper                   // a wrapper's array begins at pos
)

// scanError is a structural problem found at stream offset off.
type scanError struct {
	err error
	msg string
	off int64
}

func (e *scanError) Error() string { return fmt.Sprintf("%s: %s at offset %d", e.err, e.msg, e.off) }
func (e *scanError) Unwrap() error { return e.err }

// scanComposite scans the object or array that starts at pos, leaving pos after it.
// With detectWrapper it stops instead at the '[' of a top-level member named "value" or
// "records" (case-insensitively), the Graph and Event Hub wrappers, or any other name in
// wrappers, and returns scanWrapper with that wrapper.
func (s *jsonLexer) scanComposite(detectWrapper bool) (res scanResult, wrap *jsonWrapper, err error) {
	stack := s.stack[:0]
	defer func() { s.stack = stack[:0] }()
	inStr := false
	expectKey := false // the next string at depth 1 is a member name
	keyStart := -1     // start of the depth-1 member name being read, relative to s.start (fill moves the buffer)
	wrapKey := false   // the last depth-1 member name was "value" or "records" (any of wrappers)
	var wrapped *jsonWrapper
	for {
		if s.pos >= s.end {
			if s.end-s.start > s.maxRecord {
				return 0, nil, &scanError{ErrTooLarge, fmt.Sprintf("larger than %d bytes", s.maxRecord), s.base + int64(s.pos)}
			}
			if !s.fill() {
				if s.end-s.start >= s.maxRecord {
					return 0, nil, &scanError{ErrTooLarge, fmt.Sprintf("larger than %d bytes", s.maxRecord), s.base + int64(s.pos)}
				}
				if err := s.readErr(); err != nil {
					return 0, nil, err
				}
				return 0, nil, &scanError{ErrTruncated, "unexpected end of input", s.base + int64(s.pos)}
			}
			continue
		}
		if inStr {
			j, buf, end := s.pos, s.buf, s.end
			for j < end {
				b := buf[j]
				if b == '"' || b == '\\' || b < 0x20 {
					break
				}
				j++
			}
			s.pos = j
			if j == end {
				continue
			}
			switch b := buf[j]; {
			case b == '\\':
				if j+1 >= end {
					if !s.fill() {
						return 0, nil, &scanError{ErrTruncated, "unexpected end of input", s.base + int64(s.pos)}
					}
					continue
				}
				if buf[j+1] < 0x20 {
					return 0, nil, &scanError{ErrSyntax, "control character in string", s.base + int64(j+1)}
				}
				s.pos = j + 2
			case b < 0x20:
				return 0, nil, &scanError{ErrSyntax, "control character in string", s.base + int64(j)}
			default: // closing quote
				s.pos = j + 1
				inStr = false
				if keyStart >= 0 {
					name := s.buf[s.start+keyStart+1 : j]
					if w := wrapperNamed(name); w != nil {
						wrapKey, wrapped = true, w
					} else {
						wrapKey = false
					}
					keyStart = -1
				}
			}
			continue
		}
		c := s.buf[s.pos]
		if wrapKey && c != ':' && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			wrapKey = false
			if c == '[' && len(stack) == 1 {
				return scanWrapper, wrapped, nil
			}
		}
		switch c {
		case '"':
			inStr = true
			if detectWrapper && expectKey && len(stack) == 1 {
				keyStart = s.pos - s.start
			}
			expectKey = false
		case '{':
			stack = append(stack, '}')
			expectKey = len(stack) == 1
		case '[':
			stack = append(stack, ']')
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return 0, nil, &scanError{ErrSyntax, fmt.Sprintf("unexpected %q", c), s.base + int64(s.pos)}
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				s.pos++
				return scanDone, nil, nil
			}
		case ',':
			expectKey = len(stack) == 1 && stack[0] == '}'
		case '\n':
			s.line++
			s.lineStart = s.base + int64(s.pos) + 1
		}
		s.pos++
	}
}

// indentOf returns the indentation of the value starting at buf[i], which skipSpace has
// just found, when only blanks precede it on its line, and 0 otherwise (then a resync looks
// for an object at column 0). It does not look back into the buffer, whose earlier bytes
// may be gone.
func (s *jsonLexer) indentOf(i int) int {
	if !s.firstOnLine {
		return 0
	}
	return int(s.base + int64(i) - s.lineStart)
}

// recount sets the line state for pos moving from from (on line line) to to.
func (s *jsonLexer) recount(from, line, to int) {
	seg := s.buf[from:to]
	s.line = line + bytes.Count(seg, []byte{'\n'})
	if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
		s.lineStart = s.base + int64(from+nl+1)
		s.blankSoFar = len(bytes.Trim(seg[nl+1:], " \t\r")) == 0
	} else {
		s.blankSoFar = false
	}
}

// skipValue skips one JSON value (a name, a scalar, an object or an array) at pos.
func (s *jsonLexer) skipValue() error {
	c := s.buf[s.pos]
	switch c {
	case '{', '[':
		_, _, err := s.scanComposite(false)
		return err
	case '"':
		s.pos++
		for {
			for s.pos < s.end {
				b := s.buf[s.pos]
				if b == '\\' && s.pos+1 >= s.end {
					break // need the escaped byte too
				}
				if b == '\\' {
					if s.buf[s.pos+1] < 0x20 {
						return &scanError{ErrSyntax, "control character in string", s.base + int64(s.pos+1)}
					}
					s.pos += 2
					continue
				}
				s.pos++
				if b == '"' {
					return nil
				}
				if b < 0x20 {
					return &scanError{ErrSyntax, "control character in string", s.base + int64(s.pos-1)}
				}
			}
			if !s.fill() {
				return &scanError{ErrTruncated, "unexpected end of input", s.base + int64(s.pos)}
			}
		}
	default:
		// A scalar, or a stray byte such as ':' or ']': consume at least one byte.
		s.pos++
		for {
			for s.pos < s.end {
				switch s.buf[s.pos] {
				case ',', ']', '}', ':', '"', ' ', '\t', '\r', '\n':
					return nil
				}
				s.pos++
			}
			if !s.fill() {
				return nil
			}
		}
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}
