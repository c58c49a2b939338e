package report

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

// The "partial" member of the JSON summary holds what merge needs to combine summaries of
// parts of the logs exactly: the rule set's fingerprint, every error code's counts and
// wordings, and the in-scope events themselves (a few percent of the logs), one array
// per event in the order of event_columns.
type jsonPartial struct {
	Rules string `json:"rules"`
	// Shard identifies the summary by its inputs (see [Summary.Shard]), so that merge
	// can refuse the same shard twice.
	Shard  string `json:"shard"`
	Dedupe bool   `json:"dedupe"`
	// DuplicatesDropped is how many of totals.duplicates the events do not carry: every
	// in-scope event is carried once, its copies only counted. Absent (a summary older
	// than that, whose events held their copies) is 0.
	DuplicatesDropped int64             `json:"duplicates_dropped"`
	Codes             []jsonPartialCode `json:"codes"`
	EventColumns      []string          `json:"event_columns"`
	// ChangeKinds is the rule set's change kinds' fingerprint (rules.Set.ChangesFingerprint):
	// merge refuses a partial whose change records are of other kinds. ChangeColumns are
	// the columns of its "changes", every change record kept, written after the events.
	ChangeKinds   string   `json:"change_kinds"`
	ChangeColumns []string `json:"change_columns"`
}

type jsonPartialCode struct {
	Code    int              `json:"code"`
	Records int64            `json:"records"`
	InScope bool             `json:"in_scope"`
	Texts   map[string]int64 `json:"texts,omitempty"`
}

var eventColumns = []string{"time", "id", "cause", "input", "offset", "user", "user_id", "app", "app_id", "ip",
	"country", "client_app", "sign_in_type", "os", "browser", "token_protection", "token_protection_code",
	"device_id", "device_name", "ca_policies"}

// oldEventColumns are the event columns of a partial written before the audit join: its
// events read with "" for the device and policy columns that follow them.
var oldEventColumns = eventColumns[:tpColumn+1]

// tpColumn is the column of token_protection_code: the dimensions before it are those
// up to dimTokenProtection, the ones after it those after.
const tpColumn = 5 + dimTokenProtection + 1

// writePartial writes the "partial" member, indented as the rest of the summary, with
// one in-scope event per line.
func (s *Summary) writePartial(w *bufio.Writer, opts Options) error {
	p := s.partial()
	meta, err := json.MarshalIndent(p, "  ", "  ")
	if err != nil {
		return err
	}
	w.WriteString(`  "partial": `)
	w.Write(bytes.TrimSuffix(meta, []byte("\n  }")))
	w.WriteString(",\n    \"events\": [")
	var b []byte
	i := 0
	v := s.compute(opts.Top)
	err = s.eachKept(v, func(x *xevent) error {
		b = b[:0]
		if i++; i > 1 {
			b = append(b, ',')
		}
		b = append(b, "\n      ["...)
		b = append(b, '"')
		if x.nsec >= 0 {
			b = x.Time.AppendFormat(b, time.RFC3339Nano)
		}
		b = append(b, "\","...)
		b = appendString(b, x.idString())
		b = append(b, ',')
		b = appendString(b, s.Rules.Rules[x.rule].ID)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(x.input), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, x.offset, 10)
		dims := x.dims()
		for _, d := range dims[:dimTokenProtection+1] {
			b = append(b, ',')
			b = appendString(b, d)
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(x.TokenProtectionCode), 10)
		for _, d := range dims[dimTokenProtection+1:] {
			b = append(b, ',')
			b = appendString(b, d)
		}
		b = append(b, ']')
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if i > 0 {
		w.WriteString("\n    ")
	}
	w.WriteString("],\n    \"changes\": [")
	for j, r := range s.sortedChanges() {
		b = b[:0]
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n      "...)
		b = s.appendChangeRecord(b, &r)
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if len(s.changes) > 0 {
		w.WriteString("\n    ")
	}
	_, err = w.WriteString("]\n  }")
	return err
}

func (s *Summary) partial() *jsonPartial {
	p := &jsonPartial{Rules: s.Rules.Fingerprint(), Shard: s.Shard(), Dedupe: s.Dedupe, DuplicatesDropped: s.anyView().duplicates, EventColumns: eventColumns,
		ChangeKinds: s.Rules.ChangesFingerprint(), ChangeColumns: changeColumns}
	for code, cs := range s.codes {
		p.Codes = append(p.Codes, jsonPartialCode{Code: code, Records: cs.records, InScope: cs.inScope, Texts: cs.texts})
	}
	slices.SortFunc(p.Codes, func(a, b jsonPartialCode) int { return cmp.Compare(a.Code, b.Code) })
	if p.Codes == nil {
		p.Codes = []jsonPartialCode{}
	}
	return p
}

// Shard identifies the summary by its inputs, as the JSON summary shows them (path,
// format, counts, error; see [Input.Key]): summaries of the same inputs are the same
// shard, and merging them twice would count their records twice. A merge's inputs are
// those of its parts in order, so a merge of shards has the shard of one sweep of all of
// their inputs.
func (s *Summary) Shard() string {
	h := sha256.New()
	for i := range s.Inputs {
		h.Write([]byte(s.Inputs[i].Key()))
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)[:12])
}

// Key identifies an input as the JSON summary shows it: its path, format, counts and
// error. Two summaries that hold an input of the same key read the same file (or one
// exactly like it) and counted it twice.
func (in *Input) Key() string {
	k := fmt.Sprintf("%q %q %d %d %d %d %q", in.Path, in.Format, in.Records, in.Skipped, in.Other, in.Filtered, in.shownError())
	if in.Audit != 0 { // the key of an input without audit records is what it was before them
		k += fmt.Sprintf(" audit %d", in.Audit)
	}
	return k
}

// ErrRuleSet reports a summary made with another rule set than the active one.
var ErrRuleSet = errors.New("made with another rule set")

// InvalidError reports a JSON summary that sweep or merge cannot have written: a member of
// the wrong type, a negative count, counts that do not add up, an index out of range, a
// time that does not parse. Member is its path, such as partial.codes[2].records (indexes
// from 0); "" for the document as a whole.
type InvalidError struct {
	File   string
	Member string
	Err    error
}

func (e *InvalidError) Error() string {
	if e.Member == "" {
		return e.File + ": " + e.Err.Error()
	}
	return e.File + ": " + e.Member + ": " + e.Err.Error()
}

func (e *InvalidError) Unwrap() error { return e.Err }

// stored is a JSON summary as read back, its members checked by readStored.
type stored struct {
	GeneratedBy    string
	Rules          string      // rules_fingerprint; "" in summaries written before it
	Filters        *filterSpec // nil: not recorded (a summary written before it, or a merge with one)
	Removed        Removed     // what the filters removed
	Totals         jsonTotals
	Window         jsonWindow // as written, for the baseline to show
	first, last    time.Time  // Window parsed; zero for null
	Inputs         []Input
	Others         []OtherCount // other_records: absent (a summary older than record kinds) is none
	Families       []jsonFamily
	Causes         []jsonCause
	ByApp, ByUser  []storedRow // tables.by_app and by_user: the rows the run kept
	SkippedSamples []Skip
	Partial        *storedPartial // nil: the summary has none
}

// storedRow is a row of a stored breakdown table: its first key column and its events.
type storedRow struct {
	key    string
	events int64
}

// storedPartial is the partial member as decoded; fromStored checks what readStored does
// not (a baseline of another rule set reads only Rules).
type storedPartial struct {
	Rules        string            `json:"rules"`
	Shard        *string           `json:"shard"`
	Dedupe       *bool             `json:"dedupe"`
	Dropped      *int64            `json:"duplicates_dropped"`
	Codes        []json.RawMessage `json:"codes"`
	EventColumns []string          `json:"event_columns"`
	Events       *storedEvents     `json:"-"` // read by decodeSummary, one at a time

	ChangeKinds   *string           `json:"change_kinds"` // absent before the audit join: no changes
	ChangeColumns []string          `json:"change_columns"`
	Changes       []json.RawMessage `json:"changes"`
}

// errSpill marks an error of the disk a summary's events spill to, not of the summary.
var errSpill = errors.New("holding the events read")

// storedEvents are a partial's events as read, each its JSON text, kept in a sorter of the
// reader's budget (so on disk beyond it) until they are checked and added.
type storedEvents struct {
	sorter *spill.Sorter
	n      int64
}

func (e *storedEvents) add(raw []byte) error {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(e.n))
	e.n++
	return e.sorter.Add(k[:], raw)
}

// each calls fn with every event in order.
// close lets go of the events (also when they were never read).
func (e *storedEvents) close() {
	if e != nil {
		e.sorter.Close()
	}
}

// each calls fn with every event in order, then lets them go.
func (e *storedEvents) each(fn func(i int64, raw []byte) error) error {
	if e == nil {
		return nil
	}
	defer e.sorter.Close()
	var i int64
	return e.sorter.Each(func(_, raw []byte) error {
		i++
		return fn(i-1, raw)
	})
}

// rawSummary is the first decoding of a summary: arrays are decoded element by element
// afterwards, so that an error can say which element.
type rawSummary struct {
	Schema      string            `json:"schema"`
	GeneratedBy string            `json:"generated_by"`
	Rules       *string           `json:"rules_fingerprint"`
	Filters     *jsonFilters      `json:"filters"`
	Totals      *rawTotals        `json:"totals"`
	Window      *jsonWindow       `json:"window"`
	Inputs      []json.RawMessage `json:"inputs"`
	Others      []json.RawMessage `json:"other_records"`
	Families    []json.RawMessage `json:"families"`
	Causes      []json.RawMessage `json:"causes"`
	Tables      struct {
		ByApp  []json.RawMessage `json:"by_app"`
		ByUser []json.RawMessage `json:"by_user"`
	} `json:"tables"`
	SkippedSamples []json.RawMessage `json:"skipped_samples"`
	Partial        *storedPartial    `json:"partial"`
}

type rawTotals struct {
	Records    *int64 `json:"records"`
	InScope    *int64 `json:"in_scope"`
	Skipped    *int64 `json:"skipped"`
	Duplicates *int64 `json:"duplicates"`
	Other      *int64 `json:"other_records"` // absent in summaries older than record kinds: 0
	Audit      *int64 `json:"audit_records"` // absent in summaries older than the audit join: 0
}

// decodeSummary decodes one JSON summary from dec into raw as encoding/json would (members
// matched by name, case-insensitively; unknown ones ignored), except that the partial's
// events are read one at a time into a sorter of budget rather than held together. A
// member that appears twice is refused: the events of one could not be told from the
// other's.
func decodeSummary(dec *json.Decoder, raw *rawSummary, budget *spill.Budget) error {
	if null, err := openObject(dec, ""); err != nil || null {
		return cmp.Or(err, error(&json.UnmarshalTypeError{Value: "null", Type: reflect.TypeFor[rawSummary]()}))
	}
	top := map[string]any{"schema": &raw.Schema, "generated_by": &raw.GeneratedBy, "rules_fingerprint": &raw.Rules, "filters": &raw.Filters,
		"totals": &raw.Totals, "window": &raw.Window}
	seen := map[string]bool{}
	for dec.More() {
		key, err := memberName(dec, "", seen, topNames...)
		if err != nil {
			return err
		}
		if arr, ok := topArrays[key]; ok {
			if err := readArray(dec, key, arr.limit, arr.of(raw)); err != nil {
				return err
			}
			continue
		}
		if key == "tables" {
			if err := readTables(dec, raw); err != nil {
				return err
			}
			continue
		}
		if key != "partial" {
			if err := decodeMember(dec, key, top[key]); err != nil {
				return err
			}
			continue
		}
		p := &storedPartial{}
		null, err := openObject(dec, "partial")
		if err != nil {
			return err
		}
		if null {
			raw.Partial = nil
			continue
		}
		raw.Partial = p
		fields := map[string]any{"rules": &p.Rules, "shard": &p.Shard, "dedupe": &p.Dedupe, "duplicates_dropped": &p.Dropped, "event_columns": &p.EventColumns,
			"change_kinds": &p.ChangeKinds, "change_columns": &p.ChangeColumns}
		pseen := map[string]bool{}
		for dec.More() {
			key, err := memberName(dec, "partial.", pseen, "rules", "shard", "dedupe", "duplicates_dropped", "codes", "event_columns", "events",
				"change_kinds", "change_columns", "changes")
			if err != nil {
				return err
			}
			if key == "changes" {
				if err := readArray(dec, "partial.changes", MaxChanges, &p.Changes); err != nil {
					return err
				}
				continue
			}
			if key == "codes" {
				if err := readArray(dec, "partial.codes", MaxCodes, &p.Codes); err != nil {
					return err
				}
				continue
			}
			if key != "events" {
				if err := decodeMember(dec, "partial."+key, fields[key]); err != nil {
					return err
				}
				continue
			}
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			if tok == nil { // null: no events
				continue
			}
			if tok != json.Delim('[') {
				return &json.UnmarshalTypeError{Value: tokenKind(tok), Type: reflect.TypeFor[[]json.RawMessage](), Field: "partial.events"}
			}
			evs := &storedEvents{sorter: eventsSorter(budget)}
			p.Events = evs
			var m json.RawMessage
			for dec.More() {
				m = m[:0]
				if err := dec.Decode(&m); err != nil {
					evs.sorter.Close()
					return err
				}
				if len(m) > MaxEventBytes {
					evs.sorter.Close()
					return &InvalidError{Member: fmt.Sprintf("partial.events[%d]", evs.n), Err: fmt.Errorf("%d bytes, more than an event may take (%d)", len(m), MaxEventBytes)}
				}
				if err := evs.add(m); err != nil {
					evs.sorter.Close()
					return fmt.Errorf("%w: %w", errSpill, err)
				}
			}
			if _, err := dec.Token(); err != nil { // ]
				evs.sorter.Close()
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // }
			return err
		}
	}
	_, err := dec.Token() // }
	return err
}

// topNames are the members of a summary that are read back.
var topNames = []string{"schema", "generated_by", "rules_fingerprint", "filters", "totals", "window", "inputs", "other_records", "families", "causes",
	"tables", "skipped_samples", "partial"}

// What one summary read back (by merge or --baseline) may hold: each array is read an
// element at a time and refused, naming it, past its limit, so that a summary sweep cannot
// have written cannot take the memory of the run. A sweep of 8,760 hourly blobs a year for
// 1,000 years of one category stays within MaxInputs.
const (
	MaxInputs      = 10_000_000
	MaxCodes       = 100_000
	MaxOtherKinds  = 100_000 // other_records categories
	MaxCauses      = 10_000  // causes and families
	MaxSkipSamples = maxSkipSamples
	MaxStoredRows  = 1_000_000  // rows of tables.by_app and tables.by_user each
	MaxEventBytes  = 1 << 20    // one event of the partial, as JSON
	MaxChanges     = 50_000_000 // change records of the partial
)

// topArrays are the top-level arrays of a summary, with their limits.
var topArrays = map[string]struct {
	limit int
	of    func(*rawSummary) *[]json.RawMessage
}{
	"inputs":          {MaxInputs, func(r *rawSummary) *[]json.RawMessage { return &r.Inputs }},
	"other_records":   {MaxOtherKinds, func(r *rawSummary) *[]json.RawMessage { return &r.Others }},
	"families":        {MaxCauses, func(r *rawSummary) *[]json.RawMessage { return &r.Families }},
	"causes":          {MaxCauses, func(r *rawSummary) *[]json.RawMessage { return &r.Causes }},
	"skipped_samples": {MaxSkipSamples, func(r *rawSummary) *[]json.RawMessage { return &r.SkippedSamples }},
}

// readArray reads the array (or null) at path an element at a time into keep (nil: the
// elements are skipped), refusing more than limit elements.
func readArray(dec *json.Decoder, path string, limit int, keep *[]json.RawMessage) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		if keep != nil {
			*keep = nil
		}
		return err
	}
	if tok != json.Delim('[') {
		return &json.UnmarshalTypeError{Value: tokenKind(tok), Type: reflect.TypeFor[[]json.RawMessage](), Field: path}
	}
	var out []json.RawMessage
	var skip json.RawMessage
	for dec.More() {
		if keep == nil {
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			skip = skip[:0]
			continue
		}
		if len(out) == limit {
			return &InvalidError{Member: path, Err: fmt.Errorf("more than %d elements, more than a summary may hold", limit)}
		}
		var m json.RawMessage
		if err := dec.Decode(&m); err != nil {
			return err
		}
		out = append(out, m)
	}
	if keep != nil {
		*keep = out
	}
	_, err = dec.Token() // ]
	return err
}

// readTables reads the tables member: the rows of by_app and by_user, which a baseline
// without a partial compares, and skips the other tables a row at a time.
func readTables(dec *json.Decoder, raw *rawSummary) error {
	null, err := openObject(dec, "tables")
	if err != nil || null {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		key, err := memberName(dec, "tables.", seen, "by_app", "by_user")
		if err != nil {
			return err
		}
		var keep *[]json.RawMessage
		switch key {
		case "by_app":
			keep = &raw.Tables.ByApp
		case "by_user":
			keep = &raw.Tables.ByUser
		default: // the other tables are rebuilt from the partial, never read
			if err := skipValue(dec); err != nil {
				return err
			}
			continue
		}
		if err := readArray(dec, "tables."+key, MaxStoredRows, keep); err != nil {
			return err
		}
	}
	_, err = dec.Token() // }
	return err
}

// eventsSorter holds a partial's events as read: within budget, or in memory without one.
func eventsSorter(budget *spill.Budget) *spill.Sorter {
	if budget == nil {
		return spill.NewSorter(spill.NewBudget(1<<62, ""), 1<<62, false)
	}
	return spill.NewSorter(budget, max(budget.Limit()/8, 256<<10), false)
}

// openObject reads the '{' that opens the object at path, or a null.
func openObject(dec *json.Decoder, path string) (null bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	if tok == nil {
		return true, nil
	}
	if tok != json.Delim('{') {
		return false, &json.UnmarshalTypeError{Value: tokenKind(tok), Type: reflect.TypeFor[rawSummary](), Field: path}
	}
	return false, nil
}

// memberName reads a member's name and returns the one of known it matches as
// encoding/json matches names (case-insensitively, by Unicode folding), or the name
// lower-cased when it matches none; a member seen before in the object is refused.
func memberName(dec *json.Decoder, prefix string, seen map[string]bool, known ...string) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	name, _ := tok.(string)
	key := strings.ToLower(name)
	for _, k := range known {
		if k == name || strings.EqualFold(k, name) {
			key = k
			break
		}
	}
	if seen[key] {
		return "", &InvalidError{Member: prefix + name, Err: errors.New("appears twice")}
	}
	seen[key] = true
	return key, nil
}

// skipValue reads past one value a token at a time, holding none of it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// decodeMember decodes the member at path into v; nil v skips it.
func decodeMember(dec *json.Decoder, path string, v any) error {
	if v == nil {
		return skipValue(dec)
	}
	err := dec.Decode(v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		te.Field = strings.TrimSuffix(path+"."+te.Field, ".")
	}
	return err
}

// tokenKind names a JSON token's kind, as UnmarshalTypeError.Value does.
func tokenKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		if tok == json.Delim('[') {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// checker reads one summary's members and says what is wrong with them, naming the file.
type checker struct{ file string }

func (c checker) errorf(member, format string, args ...any) error {
	return &InvalidError{File: c.file, Member: member, Err: fmt.Errorf(format, args...)}
}

// decode decodes raw, the member at path, into v; a type error names the member inside it.
func (c checker) decode(raw []byte, path string, v any) error {
	err := json.Unmarshal(raw, v)
	if err == nil {
		return nil
	}
	return c.decodeError(path, err)
}

func (c checker) decodeError(path string, err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return &InvalidError{File: c.file, Member: path, Err: err}
	}
	member := path
	if te.Field != "" {
		member = strings.TrimPrefix(path+"."+te.Field, ".")
	}
	return c.errorf(member, "want %s, got %s", kindName(te.Type), te.Value)
}

// kindName names the JSON type that t is decoded from.
func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// count checks that n, the member at path, is not negative.
func (c checker) count(path string, n int64) error {
	if n < 0 {
		return c.errorf(path, "%d is negative", n)
	}
	return nil
}

// add adds n, the member at path, to *sum, refusing a negative n and a sum past MaxInt64.
func (c checker) add(sum *int64, path string, n int64) error {
	if err := c.count(path, n); err != nil {
		return err
	}
	if n > math.MaxInt64-*sum {
		return c.errorf(path, "%d makes the sum more than %d", n, int64(math.MaxInt64))
	}
	*sum += n
	return nil
}

// time parses v, the member at path: RFC 3339; nil is no time.
func (c checker) time(path string, v *string) (time.Time, error) {
	if v == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *v)
	if err != nil {
		return t, c.errorf(path, "%q is not an RFC 3339 time", *v)
	}
	return t, nil
}

func readStored(r io.Reader, name string, budget *spill.Budget) (st *stored, err error) {
	c := checker{file: name}
	var raw rawSummary
	defer func() {
		if err != nil && raw.Partial != nil {
			raw.Partial.Events.close() // refused: the events held go
		}
	}()
	dec := json.NewDecoder(r)
	err = decodeSummary(dec, &raw, budget)
	if err == nil && raw.Schema != Schema {
		err = &InvalidError{File: name, Err: fmt.Errorf("schema %q, want %q", raw.Schema, Schema)}
	}
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = &InvalidError{File: name, Err: errors.New("more than one JSON value: want one summary")}
		}
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		var ie *InvalidError
		switch {
		case errors.Is(err, errSpill):
			return nil, fmt.Errorf("%s: %w", name, err)
		case errors.As(err, &ie):
			ie.File = name
			return nil, err
		case errors.As(err, &te):
			return nil, c.decodeError("", err)
		}
		return nil, &InvalidError{File: name, Err: fmt.Errorf("not a JSON summary: %w", err)}
	}
	st = &stored{GeneratedBy: raw.GeneratedBy, Partial: raw.Partial}

	// Totals: every count present and not negative.
	if raw.Totals == nil {
		return nil, c.errorf("totals", "missing")
	}
	for _, m := range []struct {
		name string
		v    *int64
		to   *int64
	}{{"records", raw.Totals.Records, &st.Totals.Records}, {"in_scope", raw.Totals.InScope, &st.Totals.InScope},
		{"skipped", raw.Totals.Skipped, &st.Totals.Skipped}, {"duplicates", raw.Totals.Duplicates, &st.Totals.Duplicates}} {
		if m.v == nil {
			return nil, c.errorf("totals."+m.name, "missing")
		}
		if err := c.count("totals."+m.name, *m.v); err != nil {
			return nil, err
		}
		*m.to = *m.v
	}
	if read := st.Totals.Records; st.Totals.Skipped > math.MaxInt64-read {
		return nil, c.errorf("totals.skipped", "%d and the %d records make more than %d read", st.Totals.Skipped, read, int64(math.MaxInt64))
	}
	if raw.Totals.Other != nil {
		if err := c.count("totals.other_records", *raw.Totals.Other); err != nil {
			return nil, err
		}
		st.Totals.Other = *raw.Totals.Other
		if read := st.Totals.Records + st.Totals.Skipped; st.Totals.Other > math.MaxInt64-read {
			return nil, c.errorf("totals.other_records", "%d and the %d records and skipped records make more than %d read", st.Totals.Other, read, int64(math.MaxInt64))
		}
	}

	if raw.Totals.Audit != nil {
		if err := c.count("totals.audit_records", *raw.Totals.Audit); err != nil {
			return nil, err
		}
		st.Totals.Audit = *raw.Totals.Audit
	}

	// The window spans the records' times: none without records.
	if raw.Window != nil {
		st.Window = *raw.Window
	}
	if st.first, err = c.time("window.first", st.Window.First); err != nil {
		return nil, err
	}
	if st.last, err = c.time("window.last", st.Window.Last); err != nil {
		return nil, err
	}
	switch {
	case st.first.IsZero() != st.last.IsZero():
		return nil, c.errorf("window", "first %s and last %s: want both times or neither", orNull(st.Window.First), orNull(st.Window.Last))
	case st.last.Before(st.first):
		return nil, c.errorf("window", "last %s is before first %s", *st.Window.Last, *st.Window.First)
	case !st.first.IsZero() && st.Totals.Records == 0:
		return nil, c.errorf("window", "a window without records (totals.records is 0)")
	}

	// Inputs: their records, skipped records and other records are the totals'.
	var records, skipped, other, filtered, audit int64
	for i, b := range raw.Inputs {
		path := fmt.Sprintf("inputs[%d]", i)
		var in Input
		if err := c.decode(b, path, &in); err != nil {
			return nil, err
		}
		if err := c.add(&records, path+".records", in.Records); err != nil {
			return nil, err
		}
		if err := c.add(&skipped, path+".skipped", in.Skipped); err != nil {
			return nil, err
		}
		if err := c.add(&other, path+".other_records", in.Other); err != nil {
			return nil, err
		}
		if err := c.add(&filtered, path+".filtered", in.Filtered); err != nil {
			return nil, err
		}
		if err := c.add(&audit, path+".audit_records", in.Audit); err != nil {
			return nil, err
		}
		// An input of other records only is named so, and only such an input is.
		_, notSignIn := in.NotSignIn()
		switch claims := strings.HasPrefix(in.Error, notSignInPrefix); {
		case claims && !notSignIn:
			return nil, c.errorf(path+".error", "%q, but the input has %s, %d filtered and %s", in.Error, plural(in.Records, "record"), in.Filtered, plural(in.Other, "other record"))
		case !notSignIn && in.Error == "" && in.Records == 0 && in.Filtered == 0 && in.Other > 0:
			return nil, c.errorf(path+".error", "missing: an input of %d other records and no sign-in is not a sign-in export", in.Other)
		}
		st.Inputs = append(st.Inputs, in)
	}
	if records != st.Totals.Records {
		return nil, c.errorf("inputs", "records add up to %d, totals.records is %d", records, st.Totals.Records)
	}
	if skipped != st.Totals.Skipped {
		return nil, c.errorf("inputs", "skipped records add up to %d, totals.skipped is %d", skipped, st.Totals.Skipped)
	}
	if other != st.Totals.Other {
		return nil, c.errorf("inputs", "other records add up to %d, totals.other_records is %d", other, st.Totals.Other)
	}
	if audit != st.Totals.Audit {
		return nil, c.errorf("inputs", "audit records add up to %d, totals.audit_records is %d", audit, st.Totals.Audit)
	}

	// The rule set and the filters it was made with (absent before summaries recorded
	// them): the filters removed the inputs' filtered records.
	if raw.Rules != nil {
		if !strings.HasPrefix(*raw.Rules, "sha256:") {
			return nil, c.errorf("rules_fingerprint", "%q is not a fingerprint (sha256:...)", *raw.Rules)
		}
		st.Rules = *raw.Rules
	}
	if raw.Filters != nil {
		if st.Filters, st.Removed, err = c.readFilters(raw.Filters); err != nil {
			return nil, err
		}
		if n := st.Removed.Total(); n != filtered {
			return nil, c.errorf("filters.removed", "records add up to %d, the inputs' filtered records to %d", n, filtered)
		}
	}

	// Other records by category: each category once, their records the total.
	other = 0
	seen := map[string]struct{}{}
	for i, b := range raw.Others {
		path := fmt.Sprintf("other_records[%d]", i)
		var oc struct {
			Category *string `json:"category"`
			Records  *int64  `json:"records"`
		}
		if err := c.decode(b, path, &oc); err != nil {
			return nil, err
		}
		switch {
		case oc.Category == nil:
			return nil, c.errorf(path+".category", "missing")
		case *oc.Category == "":
			return nil, c.errorf(path+".category", "empty")
		case oc.Records == nil:
			return nil, c.errorf(path+".records", "missing")
		case *oc.Records == 0:
			return nil, c.errorf(path+".records", "0: a category is listed only with records")
		}
		if err := c.add(&other, path+".records", *oc.Records); err != nil {
			return nil, err
		}
		if _, dup := seen[*oc.Category]; dup {
			return nil, c.errorf(path+".category", "%q appears twice", *oc.Category)
		}
		seen[*oc.Category] = struct{}{}
		st.Others = append(st.Others, OtherCount{Category: *oc.Category, Records: *oc.Records})
	}
	if other != st.Totals.Other {
		return nil, c.errorf("other_records", "records add up to %d, totals.other_records is %d", other, st.Totals.Other)
	}

	// Causes: their events are the in-scope events; families hold no more than those.
	var events int64
	for i, b := range raw.Causes {
		path := fmt.Sprintf("causes[%d]", i)
		var cs jsonCause
		if err := c.decode(b, path, &cs); err != nil {
			return nil, err
		}
		if err := c.add(&events, path+".events", cs.Events); err != nil {
			return nil, err
		}
		for _, n := range []struct {
			name string
			v    int
		}{{"users", cs.Users}, {"apps", cs.Apps}, {"ips", cs.IPs}} {
			if err := c.count(path+"."+n.name, int64(n.v)); err != nil {
				return nil, err
			}
		}
		if _, err := c.time(path+".first_seen", cs.FirstSeen); err != nil {
			return nil, err
		}
		if _, err := c.time(path+".last_seen", cs.LastSeen); err != nil {
			return nil, err
		}
		st.Causes = append(st.Causes, cs)
	}
	if events != st.Totals.InScope {
		return nil, c.errorf("causes", "events add up to %d, totals.in_scope is %d", events, st.Totals.InScope)
	}
	events = 0
	for i, b := range raw.Families {
		path := fmt.Sprintf("families[%d]", i)
		var f jsonFamily
		if err := c.decode(b, path, &f); err != nil {
			return nil, err
		}
		if err := c.add(&events, path+".events", f.Events); err != nil {
			return nil, err
		}
		if err := c.count(path+".users", int64(f.Users)); err != nil {
			return nil, err
		}
		st.Families = append(st.Families, f)
	}
	if events > st.Totals.InScope {
		return nil, c.errorf("families", "events add up to %d, more than totals.in_scope, %d", events, st.Totals.InScope)
	}

	// The two tables a baseline compares when it cannot rebuild them from its partial.
	for _, t := range []struct {
		name, key string
		raw       []json.RawMessage
		to        *[]storedRow
	}{{"by_app", "app", raw.Tables.ByApp, &st.ByApp}, {"by_user", "user", raw.Tables.ByUser, &st.ByUser}} {
		var events int64
		for i, b := range t.raw {
			path := fmt.Sprintf("tables.%s[%d]", t.name, i)
			var r struct {
				App    string `json:"app"`
				User   string `json:"user"`
				Events int64  `json:"events"`
			}
			if err := c.decode(b, path, &r); err != nil {
				return nil, err
			}
			if err := c.add(&events, path+".events", r.Events); err != nil {
				return nil, err
			}
			key := r.App
			if t.key == "user" {
				key = r.User
			}
			*t.to = append(*t.to, storedRow{key: key, events: r.Events})
		}
		if events > st.Totals.InScope {
			return nil, c.errorf("tables."+t.name, "events add up to %d, more than totals.in_scope, %d", events, st.Totals.InScope)
		}
	}

	for i, b := range raw.SkippedSamples {
		path := fmt.Sprintf("skipped_samples[%d]", i)
		var sk Skip
		if err := c.decode(b, path, &sk); err != nil {
			return nil, err
		}
		if err := c.count(path+".line", int64(sk.Line)); err != nil {
			return nil, err
		}
		if err := c.count(path+".offset", sk.Offset); err != nil {
			return nil, err
		}
		st.SkippedSamples = append(st.SkippedSamples, sk)
	}
	if n := int64(len(st.SkippedSamples)); n > st.Totals.Skipped {
		return nil, c.errorf("skipped_samples", "%s of %s", plural(n, "sample"), plural(st.Totals.Skipped, "skipped record"))
	}
	return st, nil
}

func orNull(v *string) string {
	if v == nil {
		return "null"
	}
	return strconv.Quote(*v)
}

// ReadSummary reads a JSON summary written by sweep or merge back into a Summary over set,
// so that it can be merged with others. It must have been made with the same rule set.
// A summary that sweep or merge cannot have written is refused with an [*InvalidError]
// naming the member.
func ReadSummary(r io.Reader, name string, set *rules.Set) (*Summary, error) {
	return ReadSummaryIn(r, name, set, nil)
}

// ReadSummaryIn is ReadSummary with the summary's events held within budget (see
// [Summary.SetBudget]); nil: in memory.
func ReadSummaryIn(r io.Reader, name string, set *rules.Set, budget *spill.Budget) (*Summary, error) {
	st, err := readStored(r, name, budget)
	if err != nil {
		return nil, err
	}
	return fromStored(st, name, set, budget)
}

// fromStored rebuilds the Summary from its partial and checks that it gives the numbers
// the summary shows: a partial whose totals, causes or families differ from what its
// own events and codes make is refused.
func fromStored(st *stored, name string, set *rules.Set, budget *spill.Budget) (*Summary, error) {
	c := checker{file: name}
	p := st.Partial
	if p != nil {
		defer p.Events.close() // read below, or refused before
	}
	if p == nil {
		return nil, &InvalidError{File: name, Member: "partial", Err: errors.New("missing: write it with grantsweep sweep --format json")}
	}
	if st.Rules != "" && st.Rules != p.Rules {
		return nil, c.errorf("rules_fingerprint", "%s, but partial.rules is %s", st.Rules, p.Rules)
	}
	if p.Rules != set.Fingerprint() {
		return nil, fmt.Errorf("%s: %w (%s; the active rules are %s): use the same --rules", name, ErrRuleSet, p.Rules, set.Fingerprint())
	}
	columns := eventColumns
	if slices.Equal(p.EventColumns, oldEventColumns) {
		columns = oldEventColumns
	} else if !slices.Equal(p.EventColumns, eventColumns) {
		return nil, c.errorf("partial.event_columns", "%v, want %v", p.EventColumns, eventColumns)
	}
	if p.Dedupe == nil {
		return nil, c.errorf("partial.dedupe", "missing")
	}
	s := New(set)
	s.SetBudget(budget)
	s.Dedupe = *p.Dedupe
	if p.Dropped != nil {
		if err := c.count("partial.duplicates_dropped", *p.Dropped); err != nil {
			return nil, err
		}
		if *p.Dropped > st.Totals.Duplicates {
			return nil, c.errorf("partial.duplicates_dropped", "%d, more than totals.duplicates, %d", *p.Dropped, st.Totals.Duplicates)
		}
		s.dropped = *p.Dropped
	}
	claimedDropped := s.dropped // the copies that adding the events drops are counted on top
	s.Records, s.Skipped = st.Totals.Records, st.Totals.Skipped
	s.Inputs = st.Inputs
	s.readFilters, s.removed, s.filtersUnknown = st.Filters, st.Removed, st.Filters == nil
	for _, o := range st.Others {
		if s.others == nil {
			s.others = map[string]int64{}
		}
		s.others[o.Category] = o.Records
	}
	s.Samples = st.SkippedSamples
	s.First, s.Last = st.first, st.last
	if err := s.readChanges(c, p, st.Totals.Audit); err != nil {
		return nil, err
	}

	// Codes: distinct, their records the totals'.
	var records, inScopeRecords int64
	for i, b := range p.Codes {
		path := fmt.Sprintf("partial.codes[%d]", i)
		var pc struct {
			Code    *int             `json:"code"`
			Records *int64           `json:"records"`
			InScope *bool            `json:"in_scope"`
			Texts   map[string]int64 `json:"texts"`
		}
		if err := c.decode(b, path, &pc); err != nil {
			return nil, err
		}
		switch {
		case pc.Code == nil:
			return nil, c.errorf(path+".code", "missing")
		case pc.Records == nil:
			return nil, c.errorf(path+".records", "missing")
		case pc.InScope == nil:
			return nil, c.errorf(path+".in_scope", "missing")
		case s.codes[*pc.Code] != nil:
			return nil, c.errorf(path+".code", "%d appears twice", *pc.Code)
		}
		if err := c.add(&records, path+".records", *pc.Records); err != nil {
			return nil, err
		}
		if *pc.InScope {
			inScopeRecords += *pc.Records // no more than records
		}
		var texts int64
		for _, t := range slices.Sorted(maps.Keys(pc.Texts)) {
			if err := c.add(&texts, fmt.Sprintf("%s.texts[%q]", path, t), pc.Texts[t]); err != nil {
				return nil, err
			}
		}
		if texts > *pc.Records {
			return nil, c.errorf(path+".texts", "counts add up to %d, more than the code's %d records", texts, *pc.Records)
		}
		s.codes[*pc.Code] = &codeStat{records: *pc.Records, inScope: *pc.InScope, texts: pc.Texts}
	}
	if records != s.Records {
		return nil, c.errorf("partial.codes", "records add up to %d, totals.records is %d", records, s.Records)
	}

	// Events: each from an input that read it, of an in-scope code, in the window.
	ruleIndex := make(map[string]int, len(set.Rules))
	for i, r := range set.Rules {
		ruleIndex[r.ID] = i
	}
	perInput := make([]int64, len(s.Inputs))
	var row []json.RawMessage
	var nEvents int64
	if p.Events != nil {
		nEvents = p.Events.n
	}
	if nEvents+claimedDropped > inScopeRecords { // before reading them
		return nil, tooManyEvents(c, nEvents, claimedDropped, inScopeRecords)
	}
	err := p.Events.each(func(i int64, raw []byte) error {
		row = row[:0]
		if err := json.Unmarshal(raw, &row); err != nil || len(row) != len(columns) {
			return c.errorf(fmt.Sprintf("partial.events[%d]", i), "want an array of %d values (event_columns), got %s", len(columns), valueKind(raw, err == nil, len(row)))
		}
		at := func(j int) string { return fmt.Sprintf("partial.events[%d][%d] (%s)", i, j, columns[j]) }
		var strs [6 + nDims]string // time, id, cause, input, offset, the dimensions, the token protection code among them
		for j := range strs {
			if j == 3 || j == 4 || j == tpColumn || j >= len(columns) {
				continue
			}
			v, err := jsonString(row[j])
			if err != nil {
				return c.errorf(at(j), "%v", err)
			}
			strs[j] = v
		}
		var t time.Time
		if v := strs[0]; v != "" {
			var err error
			if t, err = c.time(at(0), &v); err != nil {
				return err
			}
			if !t.IsZero() && (t.Before(s.First) || t.After(s.Last)) {
				return c.errorf(at(0), "%s is outside the window %s to %s", v, orNull(st.Window.First), orNull(st.Window.Last))
			}
		}
		rule, ok := ruleIndex[strs[2]]
		if !ok {
			return c.errorf(at(2), "unknown cause %q", strs[2])
		}
		input, err := jsonInt(row[3], 0, int64(len(s.Inputs)-1))
		if err != nil {
			return c.errorf(at(3), "%v (the summary has %d inputs)", err, len(s.Inputs))
		}
		offset, err := jsonInt(row[4], 0, math.MaxInt64)
		if err != nil {
			return c.errorf(at(4), "%v", err)
		}
		tpCode, err := jsonInt(row[tpColumn], math.MinInt32, math.MaxInt32)
		if err != nil {
			return c.errorf(at(tpColumn), "%v", err)
		}
		if perInput[input]++; perInput[input] > s.Inputs[input].Records {
			return c.errorf(at(3), "input %d read %s, fewer than its in-scope events", input, plural(s.Inputs[input].Records, "record"))
		}
		var dims [nDims]string
		copy(dims[:], strs[5:tpColumn])
		copy(dims[dimTokenProtection+1:], strs[tpColumn+1:])
		s.addEvent(s.pack(t, strs[1], &dims, int(tpCode), rule, int(input), offset, i))
		return nil
	})
	if err != nil {
		return nil, err
	}

	// What the events give: the totals, causes and families the summary shows.
	v := s.anyView()
	if err := s.Err(); err != nil { // the disk, not the summary
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if v.inScope != st.Totals.InScope {
		return nil, c.errorf("totals.in_scope", "%d, but the partial's events give %d", st.Totals.InScope, v.inScope)
	}
	if v.duplicates != st.Totals.Duplicates {
		return nil, c.errorf("totals.duplicates", "%d, but the partial's events give %d", st.Totals.Duplicates, v.duplicates)
	}
	if len(st.Causes) != len(v.causes) {
		return nil, c.errorf("causes", "%s, want the rule set's %d", plural(int64(len(st.Causes)), "cause"), len(v.causes))
	}
	for i, cv := range v.causes {
		if err := c.sameCause(fmt.Sprintf("causes[%d]", i), st.Causes[i], cv); err != nil {
			return nil, err
		}
		if got, want := st.Causes[i].Explained, v.explained(i); got != want {
			return nil, c.errorf(fmt.Sprintf("causes[%d].explained", i), "%d, but the partial's events and changes give %d", got, want)
		}
	}
	if len(st.Families) != len(v.families) {
		return nil, c.errorf("families", "%s, want the rule set's %d", plural(int64(len(st.Families)), "family", "families"), len(v.families))
	}
	for i, fv := range v.families {
		f, path := st.Families[i], fmt.Sprintf("families[%d]", i)
		switch {
		case f.Family != fv.id:
			return nil, c.errorf(path+".family", "%q, want %q", f.Family, fv.id)
		case f.Events != fv.events:
			return nil, c.errorf(path+".events", "%d, but the partial's events give %d", f.Events, fv.events)
		case f.Users != fv.users:
			return nil, c.errorf(path+".users", "%d, but the partial's events give %d", f.Users, fv.users)
		}
	}
	if p.Shard != nil {
		if shard := s.Shard(); *p.Shard != shard {
			return nil, c.errorf("partial.shard", "%s, but its inputs give %s", *p.Shard, shard)
		}
	}
	return s, nil
}

func tooManyEvents(c checker, n, dropped, inScopeRecords int64) error {
	if dropped == 0 {
		return c.errorf("partial.events", "%s, but the in-scope codes have %s", plural(n, "event"), plural(inScopeRecords, "record"))
	}
	return c.errorf("partial.events", "%s and %s dropped (duplicates_dropped), but the in-scope codes have %s", plural(n, "event"), plural(dropped, "copy", "copies"), plural(inScopeRecords, "record"))
}

// sameCause checks a stored cause against the one its events give.
func (c checker) sameCause(path string, cs jsonCause, cv causeView) error {
	for _, n := range []struct {
		name      string
		got, want int64
	}{{"events", cs.Events, cv.events}, {"users", int64(cs.Users), int64(cv.users)},
		{"apps", int64(cs.Apps), int64(cv.apps)}, {"ips", int64(cs.IPs), int64(cv.ips)}} {
		if n.got != n.want {
			return c.errorf(path+"."+n.name, "%d, but the partial's events give %d", n.got, n.want)
		}
	}
	if cs.Cause != cv.id {
		return c.errorf(path+".cause", "%q, want %q", cs.Cause, cv.id)
	}
	for _, tm := range []struct {
		name string
		got  *string
		want time.Time
	}{{"first_seen", cs.FirstSeen, cv.first}, {"last_seen", cs.LastSeen, cv.last}} {
		got, _ := c.time("", tm.got) // readStored parsed it
		if !got.Equal(tm.want) {
			return c.errorf(path+"."+tm.name, "%s, but the partial's events give %s", orNull(tm.got), orNull(timePtr(tm.want)))
		}
	}
	return nil
}

// valueKind describes a JSON value for an error message: its type, or how many values an
// array has.
func valueKind(raw json.RawMessage, isArray bool, n int) string {
	if isArray {
		return fmt.Sprintf("%d values", n)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "the number " + string(raw)
}

// jsonString decodes a JSON string, and refuses any other value.
func jsonString(raw json.RawMessage) (string, error) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", fmt.Errorf("want a string, got %s", valueKind(raw, false, 0))
	}
	plain := true // printable ASCII without escapes: the bytes are the string
	for _, c := range raw[1 : len(raw)-1] {
		if c < 0x20 || c >= 0x7f || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return string(raw[1 : len(raw)-1]), nil
	}
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err
}

// jsonInt decodes a JSON integer in [lo, hi], and refuses any other value: a string, a
// fraction, an exponent.
func jsonInt(raw json.RawMessage, lo, hi int64) (int64, error) {
	if len(raw) == 0 || raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, fmt.Errorf("want an integer, got %s", valueKind(raw, false, 0))
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	var ne *strconv.NumError
	switch {
	case errors.As(err, &ne) && ne.Err == strconv.ErrRange:
		return 0, fmt.Errorf("%s is out of range", raw)
	case err != nil:
		return 0, fmt.Errorf("want an integer, got %s", raw)
	case n < lo:
		if lo == 0 {
			return 0, fmt.Errorf("%d is negative", n)
		}
		return 0, fmt.Errorf("%d is out of range [%d, %d]", n, lo, hi)
	case n > hi:
		return 0, fmt.Errorf("%d is out of range [%d, %d]", n, lo, hi)
	}
	return n, nil
}
