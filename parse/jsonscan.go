package parse

import "io"

// jsonScanner splits a stream of JSON text into the raw bytes of its records without
// decoding them. It understands every wrapper a sign-in export uses: JSON Lines, several
// top-level values one after another (PowerShell appends), a bare object, a bare array,
// Graph pages {"value":[...]} and Event Hub batches {"records":[...]}; wrappers are streamed,
// never loaded whole, so memory is bounded by the largest single record.
//
// The scanner checks structure (strings, escapes, matching brackets) so that a broken
// record is found where it breaks. It then resynchronises at the next line that opens an
// object at the broken record's indentation, which is where the next record of JSON
// Lines, of a PowerShell dump or of a pretty-printed array starts.
//
// It is three parts, each in its file: the byte lexer (jsonLexer, jsonlex.go), the framing
// of records among top-level values and in arrays, with the resyncs (jsonframe.go), and the
// walk of wrappers and query tables (wrapWalk, jsonwrap.go). next hands each context to
// the part that reads it.
type jsonScanner struct {
	jsonLexer // the bytes: window, lines, structure
	wrapWalk  // the wrappers and query tables

	// The framing (jsonframe.go).
	ctx      int
	bomDone  bool
	arrays   int      // top-level arrays seen
	objects  int      // top-level objects that were records
	wrapper  bool     // the current array is the member of a wrapper object
	arrayPos Position // where the current array opened

	lines     bool // top-level records so far were whole lines: take lines whole (lineRecord)
	elemLines bool // the same for the elements of the current array
	prevFirst bool // the previous record was read whole and started its line
	cutAtEnd  bool // a record was cut by the end of input
	framed    int  // where the broken record's brackets closed (an index in buf), 0 when they did not
	recFirst  bool // the record being scanned is the first thing on its line

	// A section of a file that is one array (Section.Array; see Input.Clean).
	inSection bool
	openEnd   bool // the section ends between two elements: its end is not the array's
	endedOpen bool // it did
	failures  int  // records the framing skipped

	// How the elements of the current array begin, learnt from its first whole element:
	// the names of an object's first two members (a row's is its table's column count).
	// A broken element of an array on one line is resynchronised at the next that begins
	// so (resyncElement).
	sig      [2][]byte
	sigKnown bool
}

const (
	ctxTop         = iota // between top-level values
	ctxArray              // between the elements of an array of records
	ctxWrapperRest        // inside a wrapper object, after its array
	ctxTables             // between the table objects of a query result
	ctxTable              // between the members of one table object
	ctxRows               // between the rows of a table
)

func newJSONScanner(r io.Reader) *jsonScanner {
	return &jsonScanner{jsonLexer: newJSONLexer(r)}
}

// next returns the raw bytes of the next record (valid until the following call) and its
// position. At the end of input it returns io.EOF. A *RecordError (with File unset) reports
// a record that was skipped; scanning can go on. Any other error ends the input.
func (s *jsonScanner) next() ([]byte, Position, error) {
	for {
		var raw []byte
		var pos Position
		var err error
		var done bool
		switch s.ctx {
		case ctxTop:
			raw, pos, err, done = s.nextTop()
		case ctxArray:
			raw, pos, err, done = s.nextInArray()
		case ctxTables, ctxTable, ctxRows:
			raw, pos, err, done = s.nextInTables()
		case ctxWrapperRest:
			raw, pos, err, done = s.nextAfterArray()
		}
		if done {
			if _, ok := err.(*RecordError); ok {
				s.failures++
			}
			return raw, pos, err
		}
	}
}
