package parse

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
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
				err = decodeRow(raw, d.sc.columns, d.sc.table, &ev)
			case d.filter != nil:
				// Counted from its bytes, or, once the walk has judged it JSON, decoded
				// without being walked again.
				var counted bool
				if counted, err = lightJSON(raw, d.filter, &ev); !counted && err == nil {
					err = decodeValidJSON(raw, &ev)
				}
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

// lightJSON is the prefilter: it walks the raw bytes of a record (walkRecord, which also
// checks that they are JSON) for the members that decide its code, time, wording and
// kind, and when walkRecord is sure of them and the filter says no rule can match the
// code (or the record is not a sign-in), fills what an out-of-scope record needs and
// counts it (true). Most of a sign-in log is counted so, without decoding. A record that
// is not JSON gets the walk's error, the one decodeJSONRecord gives it; anything else is
// left to the decoder (false, nil), which is then the one to decide: the prefilter never
// decides differently from it.
func lightJSON(raw []byte, filter func(int) bool, ev *Event) (counted bool, err error) {
	var rec jsonRecord
	sure, err := walkRecord(raw, &rec)
	if err != nil || !sure {
		return false, err
	}
	var full Event
	rec.event(&full) // from the members read: the decoder's own priorities
	if full.Other == "" && filter(full.ErrorCode) || full.Audit != nil {
		return false, nil // in scope, or a directory audit record: the decoder reads it whole
	}
	ev.ErrorCode, ev.Time, ev.Other = full.ErrorCode, full.Time, full.Other
	ev.FailureReason, ev.ResultDescription, ev.AdditionalDetails = full.FailureReason, full.ResultDescription, full.AdditionalDetails
	return true, nil
}

// decodeRow decodes a query-result row: values in the order of the table's columns,
// matched to fields by column name as CSV headers are.
func decodeRow(raw []byte, columns []fieldSetter, table bool, ev *Event) error {
	var vals []json.RawMessage
	if err := json.Unmarshal(raw, &vals); err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	rec := jsonRecord{table: table}
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
