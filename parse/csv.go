package parse

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"strings"
)

// csvDecoder reads the Entra portal's CSV downloads (InteractiveSignIns_*.csv and its
// siblings) and Log Analytics / Sentinel CSV exports. Headers are matched trimmed,
// space-collapsed and case-insensitively, with " [UTC]" suffixes dropped; duplicate headers
// are tolerated (the last non-empty value wins); dynamic columns hold JSON text.
type csvDecoder struct {
	r         io.Reader
	signIn    string // category implied by the file name, "" if none
	bomOffset int64
	kind      string
}

func newCSVDecoder(r io.Reader, name string, bom bool) *csvDecoder {
	d := &csvDecoder{r: r, signIn: categoryFromName(name), kind: "csv"}
	if bom {
		d.bomOffset = int64(len(utf8BOM))
	}
	return d
}

func (d *csvDecoder) shape() string { return d.kind }

// categoryFromName reads the log a portal download holds from its file name.
func categoryFromName(name string) string {
	base := strings.ToLower(filepath.Base(name))
	for prefix, cat := range map[string]string{
		"interactivesignins":    "SignInLogs",
		"noninteractivesignins": "NonInteractiveUserSignInLogs",
		"applicationsignins":    "ServicePrincipalSignInLogs",
		"msisignins":            "ManagedIdentitySignInLogs",
	} {
		if strings.HasPrefix(base, prefix) {
			return cat
		}
	}
	return ""
}

// csvHeader maps each column of a header row to its setter (nil: a column not read), and
// counts the columns that are known.
func csvHeader(fields []string) ([]fieldSetter, int) {
	setters := make([]fieldSetter, len(fields))
	known := 0
	for i, f := range fields {
		if i == 0 {
			f = strings.TrimPrefix(f, "\uFEFF")
		}
		if setters[i] = setterFor(f); setters[i] != nil {
			known++
		}
	}
	return setters, known
}

// looksLikeCSV reports whether head starts with a header row naming at least two sign-in
// columns.
func looksLikeCSV(head []byte) bool {
	line, _, _ := bytes.Cut(bytes.TrimPrefix(head, utf8BOM), []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(line))
	cr.LazyQuotes = true
	fields, err := cr.Read()
	if err != nil || len(fields) < 2 {
		return false
	}
	_, known := csvHeader(fields)
	return known >= 2
}

func (d *csvDecoder) events(name string) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		cr := csv.NewReader(d.r)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			yield(Event{}, fmt.Errorf("%s: reading the CSV header: %w", name, err))
			return
		}
		setters, _ := csvHeader(header)
		width := len(setters)
		if strings.Contains(strings.ToLower(strings.Join(header, ",")), "sign-in error code") {
			d.kind = "csv/portal"
		} else {
			d.kind = "csv/log-analytics"
		}
		for {
			start := d.bomOffset + cr.InputOffset()
			row, err := cr.Read()
			if err == io.EOF {
				return
			}
			line, _ := cr.FieldPos(0)
			if err != nil {
				var pe *csv.ParseError
				if !errors.As(err, &pe) {
					yield(Event{}, fmt.Errorf("%s: %w", name, err))
					return
				}
				if !yield(Event{}, &RecordError{File: name, Line: pe.StartLine, Offset: start, Err: fmt.Errorf("invalid CSV: %w", pe.Err)}) {
					return
				}
				continue
			}
			if len(row) != width {
				if len(row) == 1 && row[0] == "" {
					continue // a blank line
				}
				if !yield(Event{}, &RecordError{File: name, Line: line, Offset: start, Err: fmt.Errorf("%w: row has %d fields, the header %d", ErrTruncated, len(row), width)}) {
					return
				}
				continue
			}
			var rec jsonRecord
			for i, v := range row {
				if setters[i] != nil {
					setters[i](&rec, v)
				}
			}
			if rec.Category == "" && rec.Type == "" {
				rec.Category = jsonText(d.signIn)
			}
			var ev Event
			rec.event(&ev)
			ev.Pos = Position{Line: line, Offset: start}
			if !yield(ev, nil) {
				return
			}
		}
	}
}
