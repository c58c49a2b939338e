// Package report aggregates classified sign-in events into a mergeable Summary and renders
// it: a terminal table, CSV and the JSON summary (schema grantsweep.summary/v1).
package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

// Schema is the id of the JSON summary format, a public contract.
const Schema = "grantsweep.summary/v1"

// maxSkipSamples bounds the skipped records kept as examples.
const maxSkipSamples = 50

// Summary is the aggregate of a sweep: totals, per-input counts, the failures by code, and
// the in-scope events themselves (a few percent of the logs), from which the per-cause
// statistics and tables are computed when rendering. Keeping the events makes merging
// exact: summaries of parts of the logs merge into the summary of the whole, de-duplication
// and distinct counts included.
type Summary struct {
	Rules    *rules.Set
	Dedupe   bool      // drop in-scope events whose id was seen before
	Filter   *Filter   // the records the summary covers; nil: all
	Redactor *Redactor // pseudonymizes users and IPs as records are read; nil: none
	Decode   bool      // decode every record: no prefilter (a check that it changes nothing)

	Records, Skipped int64

	First, Last time.Time // the span of every record's time
	Inputs      []Input
	Samples     []Skip

	removed        Removed     // what the filter removed (see [Summary.EmptyHint])
	readFilters    *filterSpec // the filters a summary read back was made with
	filtersUnknown bool        // read back from (or merged with) a summary that did not record them

	codes     map[int]*codeStat
	others    map[string]int64 // records that are not sign-ins, by category (parse.Event.Other)
	events    eventList
	strs      []string          // the string table of events' dimensions; strs[0] is ""
	strIndex  map[string]uint32 // a string's index in strs
	described map[string]string // failure reason -> its description (describeCode), a cache

	lastCode      *codeStat // the codes entry of the previous record
	lastCodeValue int

	// How the in-scope events are held within the memory budget (store.go).
	budget   *spill.Budget
	held     int64              // bytes of events, strings and ids counted in the budget
	seen     map[eventID]*entry // ids of the events in memory, to drop copies as they come
	dropped  int64              // in-scope copies dropped as they came: duplicates
	ext      *spill.Sorter      // events spilled, sorted by de-duplication key; nil: none
	spillErr error              // a spill that failed: the summary cannot be shown
	cached   *view              // the view last computed, until the summary changes
	zone     *time.Location     // the zone the view's time buckets follow: the last Write's Options.TZ

	lastInput           int // the position of the last event added (packEvent)
	lastOffset, lastSeq int64

	// The audit join (audit.go): the audit records read, and those of a change kind kept.
	auditRecords int64
	changes      []rules.ChangeRecord
	cstrs        map[string]string // the change records' strings, interned
	changeHeld   int64             // their bytes counted in the budget
}

// Input is what one input contributed.
type Input struct {
	Path     string `json:"path"`
	Format   string `json:"format"`
	Records  int64  `json:"records"`
	Skipped  int64  `json:"skipped"`
	Other    int64  `json:"other_records"`      // records that are not sign-ins nor audit records (see [Summary.Others])
	Filtered int64  `json:"filtered,omitempty"` // decoded but outside the filters
	Audit    int64  `json:"audit_records"`      // directory audit records, every activity (see [Summary.AuditRecords])
	// Error says why the input was not read, or where it broke; or, for an input that
	// gave no sign-in but records of other logs, that it is not a sign-in export (see
	// [Input.NotSignIn]), which is no failure.
	Error string `json:"error,omitempty"`
	// Pruned counts the time partitions (folders) below the path that --since/--until
	// pruned: neither listed nor opened. Such an entry, of format "pruned", holds no record.
	Pruned int64 `json:"pruned,omitempty"`

	others map[string]int64 // Other by category, while the input is read; nil when read back
	noCode bool             // a table of sign-ins without an error-code column (CodeMissing)
}

// Skip is one record that could not be decoded.
type Skip struct {
	Path   string `json:"path"`
	Line   int    `json:"line"`
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
}

type codeStat struct {
	records int64
	texts   map[string]int64 // wordings seen for the code, at most maxTexts of them
	inScope bool
}

// maxTexts bounds the distinct wordings kept per error code. Log texts are catalog messages
// (a few per code), so the bound is rarely met; past it, merged descriptions may differ.
const maxTexts = 64

// description is the code's most frequent wording (ties: the smaller text).
func (cs *codeStat) description() string {
	best, n := "", int64(0)
	for t, c := range cs.texts {
		if c > n || (c == n && t < best) {
			best, n = t, c
		}
	}
	return best
}

// New returns an empty Summary for the rule set, de-duplicating by event id.
func New(set *rules.Set) *Summary {
	return &Summary{Rules: set, Dedupe: true, codes: map[int]*codeStat{}, strs: []string{""}, strIndex: map[string]uint32{"": 0}, described: map[string]string{}, lastInput: -1}
}

// Add counts one decoded record of the input being read; m and inScope are its
// classification.
func (s *Summary) Add(ev *parse.Event, m rules.Match, inScope bool) {
	s.dropView()
	s.Records++
	if !ev.Time.IsZero() {
		if s.First.IsZero() || ev.Time.Before(s.First) {
			s.First = ev.Time
		}
		if ev.Time.After(s.Last) {
			s.Last = ev.Time
		}
	}
	cs := s.lastCode
	if cs == nil || s.lastCodeValue != ev.ErrorCode {
		cs = s.codes[ev.ErrorCode]
		if cs == nil {
			cs = &codeStat{inScope: inScope}
			s.codes[ev.ErrorCode] = cs
		}
		s.lastCode, s.lastCodeValue = cs, ev.ErrorCode // runs of one code are the rule
	}
	cs.records++
	cs.inScope = cs.inScope || inScope
	if ev.ErrorCode != 0 {
		d, ok := s.described[ev.FailureReason]
		if !ok || !ev.HasReason() {
			d = describeCode(ev)
			if ev.HasReason() && len(s.described) < 4096 {
				s.described[strings.Clone(ev.FailureReason)] = d
			}
		}
		if _, ok := cs.texts[d]; ok || len(cs.texts) < maxTexts {
			if cs.texts == nil {
				cs.texts = map[string]int64{}
			}
			cs.texts[d]++
		}
	}
	if !inScope {
		return
	}
	s.addEvent(s.packEvent(ev, m.Rule))
}

// describeCode is the text a code's row shows: the record's own wording, shortened.
func describeCode(ev *parse.Event) string {
	d := strings.Join(strings.Fields(ev.Wording()), " ")
	if r := []rune(d); len(r) > 160 {
		d = string(r[:159]) + "…"
	}
	return d
}

// Skip counts one record that could not be decoded and keeps it as a sample.
func (s *Summary) Skip(e *parse.RecordError) {
	s.dropView()
	s.Skipped++
	if len(s.Samples) < maxSkipSamples {
		s.Samples = append(s.Samples, NewSkip(e))
	}
}

// Read classifies and counts every record of in, and records what it contributed: the
// records are those [Select] hands on, with the summary's rules, filter, redactor and
// prefilter choice. A record error is counted and the rest goes on; an error that ends
// the input early is kept on its Input and returned, after whatever was read before it
// was counted.
func (s *Summary) Read(in *parse.Input) error {
	in.SetSummaryFields() // the summary keeps none of the detail fields
	if s.budget != nil {
		in.SetHold(s.budget.Grow) // the reader's pages count as held: events spill sooner
	}
	sel := Selection{Rules: s.Rules, Filter: s.Filter, Redactor: s.Redactor, Decode: s.Decode}
	var others map[string]int64
	other := func(category string) {
		if others == nil {
			others = map[string]int64{}
		}
		category = s.addOther(category)
		others[category]++
	}
	n, err := Select(in, &sel, Sink{Record: s.record, Skip: s.Skip, Other: other, Audit: s.audit})
	s.removed.Add(n.Removed)
	input := Input{Path: in.Name, Format: in.Format(), Records: n.Records, Skipped: n.Skipped, Other: n.Other, Filtered: n.Filtered, Audit: n.Audit, others: others,
		noCode: in.CodeMissing() && n.Records+n.Filtered > 0}
	if err != nil {
		input.Error = err.Error()
	}
	s.Inputs = append(s.Inputs, input)
	return err
}

// record is Add as a [Sink] Record.
func (s *Summary) record(ev *parse.Event, m rules.Match, inScope bool) error {
	s.Add(ev, m, inScope)
	return nil
}

// addOther counts one record of the input being read that is not a sign-in, and returns
// the category as the summary keeps it (a copy, not the decoder's buffer).
func (s *Summary) addOther(category string) string {
	if s.others == nil {
		s.others = map[string]int64{}
	}
	if _, ok := s.others[category]; !ok {
		category = strings.Clone(category)
	}
	s.others[category]++
	return category
}

// OtherCount is how many records of one category that is not a sign-in log were read.
type OtherCount struct {
	Category string `json:"category"`
	Records  int64  `json:"records"`
}

// Others returns the records read that are not sign-ins (parse.Event.Other), by category,
// the most first (ties: by category); they count neither in Records nor in Skipped.
func (s *Summary) Others() []OtherCount { return sortedOthers(s.others) }

// OtherRecords is the number of records read that are not sign-ins: the sum of Others.
func (s *Summary) OtherRecords() int64 {
	var n int64
	for _, c := range s.others {
		n += c
	}
	return n
}

func sortedOthers(m map[string]int64) []OtherCount {
	out := make([]OtherCount, 0, len(m))
	for c, n := range m {
		out = append(out, OtherCount{Category: c, Records: n})
	}
	slices.SortFunc(out, func(a, b OtherCount) int {
		return cmp.Or(cmp.Compare(b.Records, a.Records), cmp.Compare(a.Category, b.Category))
	})
	return out
}

// notSignInPrefix starts the Error of an input that is not a sign-in export.
const notSignInPrefix = "not a sign-in export: "

// NotSignIn reports whether the input is not a sign-in export: it was read to its end and
// gave no sign-in record (none counted, none filtered out), but records of other logs.
// kinds says which, such as "22 AuditLogs records". Such an input is accounted for, in
// Other, and is no failure.
// CodeMissing reports whether the input, as it was read (not read back), is a table of
// sign-ins in which no column gives the error code: every record of it was read as one
// without a code, none as a failure (see [parse.Input.CodeMissing]).
func (in *Input) CodeMissing() bool { return in.noCode }

func (in *Input) NotSignIn() (kinds string, ok bool) {
	if in.Records != 0 || in.Filtered != 0 || in.Other == 0 {
		return "", false
	}
	if k, ok := strings.CutPrefix(in.Error, notSignInPrefix); ok {
		return k, true // read back from a summary
	}
	if in.Error != "" || in.others == nil {
		return "", false // it broke, or was read back without the categories
	}
	return describeOthers(sortedOthers(in.others)), true
}

// shownError is the input's Error as the reports show it: a not-sign-in export says so.
func (in *Input) shownError() string {
	if kinds, ok := in.NotSignIn(); ok {
		return notSignInPrefix + kinds
	}
	return in.Error
}

// shownInputs is a copy of the inputs as the reports show them (see [Input.shownError]).
func (s *Summary) shownInputs() []Input {
	out := make([]Input, len(s.Inputs))
	for i, in := range s.Inputs {
		in.Error = in.shownError()
		out[i] = in
	}
	return out
}

// othersLine is the line the reports for people show when records of other logs were
// read ("22 records of other logs counted apart: AuditLogs 22"); "" when none were. The
// categories come from the logs: each renderer escapes the line for its format.
func (s *Summary) othersLine() string {
	n := s.OtherRecords()
	if n == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s of other logs counted apart: ", plural(n, "record"))
	for i, o := range s.Others() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", o.Category, count(o.Records))
	}
	return b.String()
}

// describeOthers says how many records of which categories: "22 AuditLogs records",
// "20 AuditLogs and 2 unknown records", "1 AuditLogs, 1 RiskyUsers and 1 unknown records".
func describeOthers(others []OtherCount) string {
	var b strings.Builder
	var total int64
	for i, o := range others {
		switch {
		case i == 0:
		case i == len(others)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", o.Records, o.Category)
		total += o.Records
	}
	if total == 1 {
		b.WriteString(" record")
	} else {
		b.WriteString(" records")
	}
	return b.String()
}

// Failed records an input that could not be read at all.
func (s *Summary) Failed(path string, err error) {
	s.dropView()
	s.Inputs = append(s.Inputs, Input{Path: path, Format: "unknown", Error: err.Error()})
}

// AddPruned records that n time partitions (folders) below path were pruned by the
// window (--since, --until): an input of format "pruned" without records.
func (s *Summary) AddPruned(path string, n int64) {
	s.dropView()
	s.Inputs = append(s.Inputs, Input{Path: path, Format: "pruned", Pruned: n})
}

// Write renders the summary in format f to w.
// An error spilling events or reading them back is returned, after whatever was written.
func (s *Summary) Write(w io.Writer, f Format, opts Options) error {
	s.zone = opts.TZ
	var err error
	switch f {
	case FormatTable:
		err = s.writeTable(w, opts)
	case FormatCSV:
		err = s.writeCSV(w, opts)
	case FormatJSON:
		err = s.writeJSON(w, opts)
	case FormatMarkdown:
		err = s.writeMarkdown(w, opts)
	case FormatHTML:
		err = s.writeHTML(w, opts)
	default:
		return fmt.Errorf("report: format %q not supported", f)
	}
	if err == nil && s.spillErr != nil {
		err = fmt.Errorf("in-scope events spilled to disk: %w", s.spillErr)
	}
	if b := opts.Baseline; err == nil && b != nil && b.sum != nil && b.sum.spillErr != nil {
		err = fmt.Errorf("the baseline's events spilled to disk: %w", b.sum.spillErr)
	}
	return err
}

// Options shape the rendering.
type Options struct {
	Top         int    // rows per breakdown table; 0 for all
	GeneratedBy string // "grantsweep <version>"
	Color       bool   // terminal colour (only on a TTY, never with NO_COLOR)
	Baseline    *Baseline
	TZ          *time.Location // time zone for display (tables, Markdown, HTML) and of by_time's days; JSON stays UTC
	NoPartial   bool           // the JSON summary without its partial: it cannot be merged
	// ForFiles makes the cells of [Summary.Tables] as the CSV format writes them, for the
	// files of --out, which spreadsheets and programs read, rather than for people: times
	// as RFC 3339 with TZ's offset (2026-11-24T01:04:19+01:00), and the main cause and
	// its share in two columns, main_cause and main_cause_share, rather than one
	// ("revoked (14.7%)").
	ForFiles bool
}

// Format is an output format.
type Format string

// Output formats.
const (
	FormatTable    Format = "table"
	FormatCSV      Format = "csv"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
)

// Formats lists the formats Write supports.
var Formats = []Format{FormatTable, FormatCSV, FormatJSON, FormatMarkdown, FormatHTML}

// UnmarshalText accepts a format name, for flags.
func (f *Format) UnmarshalText(b []byte) error {
	v := Format(strings.ToLower(string(b)))
	if v == "md" {
		v = FormatMarkdown
	}
	if !slices.Contains(Formats, v) {
		names := make([]string, len(Formats))
		for i, f := range Formats {
			names[i] = string(f)
		}
		return fmt.Errorf("unknown format %q (want %s)", b, strings.Join(names, ", "))
	}
	*f = v
	return nil
}

// MarshalText returns the format name.
func (f Format) MarshalText() ([]byte, error) { return []byte(f), nil }

func (f Format) String() string { return string(f) }

// SchemaJSON is the JSON Schema of the JSON summary (grantsweep.summary/v1).
//
//go:embed summary.schema.json
var SchemaJSON []byte

// Merge adds o, the summary of other inputs read with the same rule set, into s. The
// result is what reading all of the inputs into s would have given: events keep their
// inputs' order (s's first), so de-duplication keeps the same first copy.
func (s *Summary) Merge(o *Summary) {
	base := len(s.Inputs)
	s.Inputs = append(s.Inputs, o.Inputs...)
	s.mergeCounts(o)
	s.mergeEvents(o, base)
	s.mergeChanges(o)
}

// MergeSection adds o, the summary of a later section of the input s read last (see
// parse.Split), into s: its counts join that input's, and its skipped records' line
// numbers, which count from the section's start, are moved by lineBase, the lines of the
// sections before it.
func (s *Summary) MergeSection(o *Summary, lineBase int) {
	last := len(s.Inputs) - 1
	if last < 0 || len(o.Inputs) != 1 {
		s.Merge(o)
		return
	}
	in, oin := &s.Inputs[last], o.Inputs[0]
	in.Records += oin.Records
	in.Skipped += oin.Skipped
	in.Other += oin.Other
	in.Filtered += oin.Filtered
	in.Audit += oin.Audit
	in.noCode = in.noCode || oin.noCode
	if len(oin.others) > 0 {
		others := maps.Clone(in.others) // the map may be another summary's too (Merge copies inputs)
		if others == nil {
			others = map[string]int64{}
		}
		for c, n := range oin.others {
			others[c] += n
		}
		in.others = others
	}
	if in.Error == "" {
		in.Error = oin.Error
	}
	for i := range o.Samples {
		o.Samples[i].Line += lineBase
	}
	s.mergeCounts(o)
	s.mergeEvents(o, last)
	s.mergeChanges(o)
}

func (s *Summary) mergeCounts(o *Summary) {
	s.dropView()
	s.Records += o.Records
	s.Skipped += o.Skipped
	s.removed.Add(o.removed)
	s.filtersUnknown = s.filtersUnknown || o.filtersUnknown
	if !o.First.IsZero() && (s.First.IsZero() || o.First.Before(s.First)) {
		s.First = o.First
	}
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
	for _, sk := range o.Samples {
		if len(s.Samples) < maxSkipSamples {
			s.Samples = append(s.Samples, sk)
		}
	}
	for c, n := range o.others {
		if s.others == nil {
			s.others = map[string]int64{}
		}
		s.others[c] += n
	}
	for code, oc := range o.codes {
		cs := s.codes[code]
		if cs == nil {
			cs = &codeStat{}
			s.codes[code] = cs
		}
		cs.records += oc.records
		cs.inScope = cs.inScope || oc.inScope
		for t, n := range oc.texts {
			if _, ok := cs.texts[t]; ok || len(cs.texts) < maxTexts {
				if cs.texts == nil {
					cs.texts = map[string]int64{}
				}
				cs.texts[t] += n
			}
		}
	}
}
