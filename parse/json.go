package parse

import (
	"errors"
	"fmt"
	"io"
	"iter"
)

// jsonDecoder yields the records of JSON text in any of the shapes jsonScanner knows.
type jsonDecoder struct {
	sc *jsonScanner
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
