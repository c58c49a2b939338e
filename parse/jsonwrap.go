package parse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The walk of wrappers and query tables: which members of a top-level object hold an
// export's records, and how a query result's tables, columns and rows are read.

// jsonWrapper is a member of a top-level object whose array holds an export's records.
type jsonWrapper struct {
	name  string // the member's name, matched case-insensitively
	shape string // what shape calls an input in this wrapper
	ctx   int    // the context the wrapper's array is read in
}

// wrappers are the members of a top-level object whose array holds an export's records
// (names matched case-insensitively), with the shape each names: the one list every
// place that recognises a wrapper consults (the structural scan, the line fast path,
// Split).
var wrappers = []jsonWrapper{
	{"value", "graph", ctxArray},      // Graph API pages
	{"records", "eventhub", ctxArray}, // Azure Monitor: Event Hub batches, storage blobs of the old format
	{"tables", "tables", ctxTables},   // query results: Log Analytics' tables, Kusto's Tables
}

// wrapperNamed returns the wrapper a member name names, nil for none.
func wrapperNamed(name []byte) *jsonWrapper {
	for i := range wrappers {
		if bytes.EqualFold(name, []byte(wrappers[i].name)) {
			return &wrappers[i]
		}
	}
	return nil
}

// wrapWalk is the scanner's state in the wrappers: the first one seen, which names the
// shape, and the table of a query result being read.
type wrapWalk struct {
	firstWrap *jsonWrapper // the first wrapper seen: Graph's "value", Event Hub's "records" ...

	// Query-result tables ({"tables":[{"columns":[...],"rows":[[...]]}]}, the Log Analytics
	// and Kusto query APIs): the current table's column setters, and whether next returned
	// a row (an array of values in column order) rather than an object.
	columns []fieldSetter
	table   bool // the columns include a sign-in field (evidenceColumn)
	row     bool
}

// shape names the wrapper the input turned out to use.
func (s *jsonScanner) shape() string {
	if s.firstWrap != nil {
		return s.firstWrap.shape
	}
	switch {
	case s.arrays == 1 && s.objects == 0:
		return "array"
	case s.objects == 1 && s.arrays == 0:
		return "object"
	case s.objects > 1 && s.arrays == 0:
		return "lines" // JSON Lines, or objects one after another
	case s.objects+s.arrays > 0:
		return "values" // several top-level values (PowerShell appends)
	}
	return "empty"
}

// nextAfterArray reads on in a wrapper object after its array, up to the object's end.
func (s *jsonScanner) nextAfterArray() (raw []byte, pos Position, err error, done bool) {
	c, ok := s.skipSpace(true)
	if !ok {
		if err := s.readErr(); err != nil {
			return nil, Position{}, err, true
		}
		return nil, Position{}, fmt.Errorf("%w: object around the array opened at line %d is not closed", ErrTruncated, s.arrayPos.Line), true
	}
	if c == '}' {
		s.pos++
		s.ctx = ctxTop
		return nil, Position{}, nil, false
	}
	// A member after the array, such as "@odata.nextLink": skip its name, the colon
	// and its value in turn.
	s.start = s.pos
	if err := s.skipValue(); err != nil {
		return nil, Position{}, fmt.Errorf("after the array opened at line %d: %w", s.arrayPos.Line, err), true
	}
	return nil, Position{}, nil, false
}

// nextInTables reads on through a query result's tables. It returns done when it has a
// row, an error, or the end of input to report; otherwise the caller loops (a context
// changed).
func (s *jsonScanner) nextInTables() (raw []byte, pos Position, err error, done bool) {
	s.row = false
	c, ok := s.skipSpace(true)
	if !ok {
		if err := s.readErr(); err != nil {
			return nil, Position{}, err, true
		}
		return nil, Position{}, fmt.Errorf("%w: the tables opened at line %d are not closed", ErrTruncated, s.arrayPos.Line), true
	}
	switch s.ctx {
	case ctxTables:
		switch c {
		case ']':
			s.pos++
			s.ctx = ctxWrapperRest
		case '{':
			s.pos++
			s.ctx, s.columns = ctxTable, nil
		default:
			return nil, Position{}, fmt.Errorf("%w: unexpected %q among the tables at line %d", ErrSyntax, c, s.line), true
		}
	case ctxTable:
		if c == '}' {
			s.pos++
			s.ctx = ctxTables
			return nil, Position{}, nil, false
		}
		if c != '"' {
			return nil, Position{}, fmt.Errorf("%w: unexpected %q in a table at line %d", ErrSyntax, c, s.line), true
		}
		s.start = s.pos
		if err := s.skipValue(); err != nil {
			return nil, Position{}, fmt.Errorf("a table's member at line %d: %w", s.line, err), true
		}
		name := strings.ToLower(string(s.buf[s.start+1 : s.pos-1]))
		if c, ok = s.skipSpace(false); !ok || c != ':' {
			return nil, Position{}, fmt.Errorf("%w: no ':' after %q at line %d", ErrSyntax, name, s.line), true
		}
		s.pos++
		if c, ok = s.skipSpace(false); !ok {
			return nil, Position{}, fmt.Errorf("%w: the table at line %d is not closed", ErrTruncated, s.line), true
		}
		switch {
		case name == "rows" && c == '[':
			if s.columns == nil {
				return nil, Position{}, fmt.Errorf("%w: a table's rows come before its columns (line %d)", ErrSyntax, s.line), true
			}
			s.pos++
			s.ctx = ctxRows
		case name == "columns" && c == '[':
			s.start = s.pos
			if _, _, err := s.scanComposite(false); err != nil {
				return nil, Position{}, fmt.Errorf("a table's columns at line %d: %w", s.line, err), true
			}
			var cols []struct {
				Name       string `json:"name"`
				ColumnName string `json:"ColumnName"`
			}
			if err := json.Unmarshal(s.buf[s.start:s.pos], &cols); err != nil {
				return nil, Position{}, fmt.Errorf("%w: a table's columns at line %d: %v", ErrSyntax, s.line, err), true
			}
			s.columns = make([]fieldSetter, len(cols))
			s.table = false
			for i, c := range cols {
				s.columns[i] = setterFor(c.Name + c.ColumnName)
				s.table = s.table || evidenceColumn(c.Name+c.ColumnName)
			}
		default:
			s.start = s.pos
			if err := s.skipValue(); err != nil {
				return nil, Position{}, fmt.Errorf("a table's %q at line %d: %w", name, s.line, err), true
			}
		}
	case ctxRows:
		switch c {
		case ']':
			s.pos++
			s.ctx = ctxTable
		case '[':
			indent := s.indentOf(s.pos)
			s.recFirst = s.firstOnLine
			s.start = s.pos
			pos := s.position(s.pos)
			if _, _, err := s.scanComposite(false); err != nil {
				return nil, pos, s.recordFailure(pos, indent, err), true
			}
			// A row whose brackets balance can still be broken, and then swallow the rows
			// after it: one that is not JSON, or not as many values as the columns, is
			// resynchronised as a broken one is.
			raw := s.buf[s.start:s.pos]
			if w := (walker{b: raw}); w.array() != nil || w.i != len(raw) {
				s.framed = s.pos
				return nil, pos, s.recordFailure(pos, indent, &scanError{ErrSyntax, "not a JSON array", pos.Offset}), true
			} else if n := arity(raw); n != len(s.columns) {
				s.framed = s.pos
				return nil, pos, s.recordFailure(pos, indent, &scanError{ErrSyntax, fmt.Sprintf("%d values for %d columns", n, len(s.columns)), pos.Offset}), true
			}
			s.row = true
			return raw, pos, nil, true
		default:
			pos := s.position(s.pos)
			s.start = s.pos
			if err := s.skipValue(); err != nil {
				return nil, pos, s.recordFailure(pos, 0, err), true
			}
			return nil, pos, &RecordError{Line: pos.Line, Offset: pos.Offset, Err: fmt.Errorf("%w: a row that is not an array", ErrNotObject)}, true
		}
	}
	return nil, Position{}, nil, false
}

// opensWrapper reports whether a line may hold the start of a wrapper's array: a member
// name of wrappers, a colon and '[' (blanks between), anywhere on the line. Such a line is
// left to the structural scan, which knows whether the member is at the top level; a
// record that merely holds such a member costs only that.
func opensWrapper(line []byte) bool {
	for rest := line; ; {
		i := bytes.IndexByte(rest, '[')
		if i < 0 {
			return false
		}
		head := bytes.TrimRight(rest[:i], " \t")
		rest = rest[i+1:]
		if !bytes.HasSuffix(head, []byte{':'}) {
			continue
		}
		head = bytes.TrimRight(head[:len(head)-1], " \t")
		if !bytes.HasSuffix(head, []byte{'"'}) {
			continue
		}
		head = head[:len(head)-1]
		if q := bytes.LastIndexByte(head, '"'); q >= 0 && wrapperNamed(head[q+1:]) != nil {
			return true
		}
	}
}

// wholeLineRecord reports whether a line that starts with '{' may be taken as one whole
// record: it ends with '}', its braces balance, and it does not look like a wrapper
// (opensWrapper). Whether it is JSON is walkRecord's to judge.
func wholeLineRecord(line []byte) bool {
	if len(line) < 2 || line[len(line)-1] != '}' ||
		bytes.Count(line, []byte{'{'}) != bytes.Count(line, []byte{'}'}) {
		return false
	}
	return !opensWrapper(line)
}
