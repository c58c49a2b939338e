package parse

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"slices"
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
	noCode    bool // a table of sign-ins with no column giving the error code (see codeColumn)
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
	setter := setterFor
	if isPortalAudit(fields) {
		setter = portalAuditSetter
	}
	for i, f := range fields {
		if i == 0 {
			f = strings.TrimPrefix(f, "\uFEFF")
		}
		if setters[i] = setter(f); setters[i] != nil {
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

func (d *csvDecoder) codeMissing() bool { return d.noCode }

func (d *csvDecoder) events(name string) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		lines := &lineIndex{r: d.r, base: d.bomOffset, starts: []int64{d.bomOffset}, first: 1}
		cr := csv.NewReader(lines)
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
		portalAudit := isPortalAudit(header)
		// A table of audit rows (the portal's download, or Log Analytics' AuditLogs with
		// their ResultType) is no sign-in table in which a code is missing.
		table := !portalAudit && slices.ContainsFunc(header, evidenceColumn)
		d.noCode = table && !slices.ContainsFunc(header, codeColumn) && !slices.ContainsFunc(header, auditColumn)
		width := len(setters)
		d.kind = "csv/log-analytics"
		for _, h := range header {
			switch normalizeName(h) {
			case "sign-in error code", "request id", "date (utc)":
				d.kind = "csv/portal"
			}
		}
		if portalAudit {
			d.kind = "csv/portal-audit"
		}
		for {
			row, err := cr.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *csv.ParseError
				if !errors.As(err, &pe) {
					yield(Event{}, fmt.Errorf("%s: %w", name, err))
					return
				}
				start := lines.offset(pe.StartLine)
				if !yield(Event{}, &RecordError{File: name, Line: pe.StartLine, Offset: start, Err: fmt.Errorf("invalid CSV: %w", pe.Err)}) {
					return
				}
				continue
			}
			line, _ := cr.FieldPos(0)
			start := lines.offset(line)
			if len(row) != width {
				if len(row) == 1 && row[0] == "" {
					continue // a blank line
				}
				if !yield(Event{}, &RecordError{File: name, Line: line, Offset: start, Err: fmt.Errorf("%w: row has %d fields, the header %d", ErrTruncated, len(row), width)}) {
					return
				}
				continue
			}
			rec := jsonRecord{table: table}
			for i, v := range row {
				if setters[i] != nil {
					setters[i](&rec, v)
				}
			}
			if portalAudit {
				portalActor(&rec)
				rec.Type = auditCategory // every row is one, whatever its Activity says
			} else if rec.Category == "" && rec.Type == "" {
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

// lineIndex passes a stream through and remembers where its lines start, so that a record
// that encoding/csv reports by line number (blank lines skipped, quoted fields spanning
// lines) gets its exact byte offset. Lines before the last one asked for are forgotten.
type lineIndex struct {
	r      io.Reader
	base   int64   // stream offset of the first byte read
	n      int64   // bytes read
	starts []int64 // offsets of lines first, first+1, ...
	first  int
}

func (l *lineIndex) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := 0, p[:n]; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		l.starts = append(l.starts, l.base+l.n+int64(i))
	}
	l.n += int64(n)
	return n, err
}

// offset returns where line starts (1-based), and forgets the lines before it.
func (l *lineIndex) offset(line int) int64 {
	i := line - l.first
	if i < 0 || i >= len(l.starts) {
		return -1 // not reachable: csv reports only lines it has read
	}
	off := l.starts[i]
	l.starts = l.starts[i:]
	l.first = line
	return off
}
