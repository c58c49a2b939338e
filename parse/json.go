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
			if d.filter != nil && lightJSON(raw, d.filter, &ev) {
				ev.Pos = pos
				if !yield(ev, nil) {
					return
				}
				continue
			}
			if err := decodeJSONRecord(raw, &ev); err != nil {
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

// lightJSON is the prefilter: from the raw bytes of a record it decides whether the record
// is a success (every error code in it is 0, or it has none) that the filter rules out.
// Then it fills only the code and the time, exactly as a full decode would, and returns
// true; out-of-scope successes, most of any sign-in log, are counted without decoding.
// Failures are always decoded: their text describes the code in failures_by_code.
func lightJSON(raw []byte, filter func(int) bool, ev *Event) bool {
	if filter(0) {
		return false
	}
	for _, key := range codeKeys {
		for rest := raw; ; {
			i := bytes.Index(rest, key)
			if i < 0 {
				break
			}
			rest = rest[i+len(key):]
			v, ok := scalarAfterColon(rest)
			if !ok {
				continue // the phrase was inside a string, not a member name
			}
			if n, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil && n != 0 {
				return false
			}
		}
	}
	ev.ErrorCode = 0
	for _, key := range timeKeys {
		for rest := raw; ; {
			i := bytes.Index(rest, key)
			if i < 0 {
				break
			}
			rest = rest[i+len(key):]
			v, ok := scalarAfterColon(rest)
			if !ok {
				continue
			}
			if t, ok := ParseTime(string(v)); ok {
				ev.Time = t
				return true
			}
			break // unparseable: a full decode would fall back to the next key
		}
	}
	return true
}

// The member names the prefilter reads, without their first letter so that camelCase and
// PascalCase both match, and with the closing quote so that longer names do not.
var (
	codeKeys = [][]byte{[]byte(`esultType"`), []byte(`rrorCode"`)}
	timeKeys = [][]byte{[]byte(`reatedDateTime"`), []byte(`"time"`), []byte(`imeGenerated"`)}
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
