package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
)

// jsonDecoder yields the records of JSON text in any of the shapes jsonScanner knows.
type jsonDecoder struct {
	sc     *jsonScanner
	filter func(code int) bool // see Input.SetCodeFilter; nil: decode everything
}

func newJSONDecoder(r io.Reader) *jsonDecoder { return &jsonDecoder{sc: newJSONScanner(r)} }

func (d *jsonDecoder) shape() string { return "json/" + d.sc.shape() }

// events yields each record as an Event, a *RecordError for a record that was skipped, or
// one final error that ended the input. name is used in errors.
func (d *jsonDecoder) events(name string) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			raw, pos, err := d.sc.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var re *RecordError
				if errors.As(err, &re) {
					re.File = name
					if !yield(Event{}, re) {
						return
					}
					continue
				}
				yield(Event{}, fmt.Errorf("%s: %w", name, err))
				return
			}
			var ev Event
			switch {
			case d.sc.row: // a query result's row
				err = decodeRow(raw, d.sc.columns, &ev)
			case d.filter != nil && lightJSON(raw, d.filter, &ev): // counted from its bytes
			default:
				err = decodeJSONRecord(raw, &ev)
			}
			if err != nil {
				if !yield(Event{}, &RecordError{File: name, Line: pos.Line, Offset: pos.Offset, Err: err}) {
					return
				}
				continue
			}
			ev.Pos = pos
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// lightJSON is the prefilter: from the raw bytes of a record it reads the error code and,
// when the
// filter says no rule can match that code, fills only what an out-of-scope record needs
// (code, time, and for a failure its failure reason and result description, which
// describe the code in failures_by_code) and returns true. Most of a sign-in log is
// counted so, without decoding. A record it cannot read this way is decoded in full.
func lightJSON(raw []byte, filter func(int) bool, ev *Event) bool {
	// status.errorCode first: Graph records have nothing else, and where a record also has
	// resultType (Azure Monitor, Log Analytics) the two agree, resultType being the same
	// code as text. Log Analytics rows whose Status is JSON text fall back to ResultType.
	code, ok := 0, false
	if v, found := memberValue(raw, keyErrorCode); found {
		code, ok = atoi(v)
	}
	if !ok {
		if v, found := memberValue(raw, keyResultType); found {
			code, _ = atoi(v)
		}
	}
	if filter(code) {
		return false
	}
	ev.ErrorCode = code
	for _, key := range timeKeys {
		if v, found := memberValue(raw, key); found {
			if t, ok := ParseTime(string(v)); ok {
				ev.Time = t
				break
			}
		}
	}
	if code != 0 {
		if v, found := memberValue(raw, keyFailureReason); found {
			ev.FailureReason = string(v)
		}
		// The result description is part of the record's wording only where the reason
		// says nothing (Event.Wording): search for it then.
		if !ev.HasReason() {
			if v, found := memberValue(raw, keyResultDescription); found {
				ev.ResultDescription = string(v)
			}
		}
	}
	return true
}

func atoi(v []byte) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(string(v)))
	return n, err == nil
}

// memberValue finds the first member with the given name and returns its scalar value.
// It searches for the name's tail, which starts with a capital letter and so is rarer in
// JSON text than most bytes (bytes.Index skips ahead by its first byte), then checks the
// letters before it: "rror"+"Code\"" for errorCode and ErrorCode.
func memberValue(raw []byte, key memberKey) ([]byte, bool) {
	for rest := raw; ; {
		i := bytes.Index(rest, key.tail)
		if i < 0 {
			return nil, false
		}
		before := rest[:i]
		rest = rest[i+len(key.tail):]
		if !bytes.HasSuffix(before, key.head) {
			continue
		}
		if v, ok := scalarAfterColon(rest); ok {
			return v, true
		}
	}
}

// memberKey is a member name without its first letter (so that camelCase and PascalCase
// both match), split before its last capital, with the closing quote.
type memberKey struct{ head, tail []byte }

func key(head, tail string) memberKey { return memberKey{[]byte(head), []byte(tail)} }

// The member names the prefilter reads.
var (
	keyResultType        = key("esult", `Type"`)
	keyErrorCode         = key("rror", `Code"`)
	keyFailureReason     = key("ailure", `Reason"`)
	keyResultDescription = key("esult", `Description"`)
	timeKeys             = []memberKey{key("reated", `DateTime"`), key("", `"time"`), key("ime", `Generated"`)}
)

// scalarAfterColon reads the scalar value after a member name: blanks, ':', blanks, then a
// string (without escapes) or a bare number. It fails when no ':' follows (the name was
// text inside a string) or the value is not such a scalar.
func scalarAfterColon(b []byte) ([]byte, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i == len(b) || b[i] != ':' {
		return nil, false
	}
	i++
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i < len(b) && b[i] == '"' {
		escaped := false
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				escaped = true
				j++
			case '"':
				if !escaped {
					return b[i+1 : j], true
				}
				var s string // rare: "\/Date(...)\/" and the like
				if json.Unmarshal(b[i:j+1], &s) != nil {
					return nil, false
				}
				return []byte(s), true
			}
		}
		return nil, false
	}
	j := i
	for j < len(b) && (b[j] == '-' || b[j] >= '0' && b[j] <= '9') {
		j++
	}
	if j == i {
		return nil, j < len(b) && b[j] == 'n' // null: no value, but a member
	}
	return b[i:j], true
}

// decodeRow decodes a query-result row: values in the order of the table's columns,
// matched to fields by column name as CSV headers are.
func decodeRow(raw []byte, columns []fieldSetter, ev *Event) error {
	var vals []json.RawMessage
	if err := json.Unmarshal(raw, &vals); err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	var rec jsonRecord
	for i, v := range vals {
		if i >= len(columns) || len(v) == 0 {
			break
		}
		set := columns[i]
		if set == nil {
			continue
		}
		var t jsonText
		if err := t.UnmarshalJSON(v); err != nil {
			return fmt.Errorf("%w: column %d: %v", ErrSyntax, i+1, err)
		}
		if t == "" && len(v) > 0 && (v[0] == '{' || v[0] == '[') {
			t = jsonText(v) // a dynamic column given as an object
		}
		set(&rec, string(t))
	}
	rec.event(ev)
	return nil
}
