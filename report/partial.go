package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/grantsweep/grantsweep/rules"
)

// The "partial" member of the JSON summary holds what merge needs to combine summaries of
// parts of the logs exactly: the rule set's fingerprint, every error code's counts and
// wordings, and the in-scope events themselves (a few percent of the logs), one array
// per event in the order of event_columns.
type jsonPartial struct {
	Rules        string            `json:"rules"`
	Dedupe       bool              `json:"dedupe"`
	Codes        []jsonPartialCode `json:"codes"`
	EventColumns []string          `json:"event_columns"`
}

type jsonPartialCode struct {
	Code    int              `json:"code"`
	Records int64            `json:"records"`
	InScope bool             `json:"in_scope"`
	Texts   map[string]int64 `json:"texts,omitempty"`
}

var eventColumns = []string{"time", "id", "cause", "input", "offset", "user", "user_id", "app", "app_id", "ip",
	"country", "client_app", "sign_in_type", "os", "browser", "token_protection", "token_protection_code"}

// writePartial writes the "partial" member, indented as the rest of the summary, with
// one in-scope event per line.
func (s *Summary) writePartial(w *bufio.Writer) error {
	p := s.partial()
	meta, err := json.MarshalIndent(struct {
		Rules        string            `json:"rules"`
		Dedupe       bool              `json:"dedupe"`
		Codes        []jsonPartialCode `json:"codes"`
		EventColumns []string          `json:"event_columns"`
	}{p.Rules, p.Dedupe, p.Codes, p.EventColumns}, "  ", "  ")
	if err != nil {
		return err
	}
	w.WriteString(`  "partial": `)
	w.Write(bytes.TrimSuffix(meta, []byte("\n  }")))
	w.WriteString(",\n    \"events\": [")
	var b []byte
	i := 0
	for e := range s.events.all() {
		b = b[:0]
		if i++; i > 1 {
			b = append(b, ',')
		}
		b = append(b, "\n      ["...)
		b = append(b, '"')
		if e.nsec >= 0 {
			b = time.Unix(e.sec, int64(e.nsec)).UTC().AppendFormat(b, time.RFC3339Nano)
		}
		b = append(b, "\","...)
		b = appendString(b, s.idString(e))
		b = append(b, ',')
		b = appendString(b, s.Rules.Rules[e.rule].ID)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(e.input), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, e.offset, 10)
		for _, d := range e.dims {
			b = append(b, ',')
			b = appendString(b, s.strs[d])
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(e.tpCode), 10)
		b = append(b, ']')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if s.events.n > 0 {
		w.WriteString("\n    ")
	}
	_, err = w.WriteString("]\n  }")
	return err
}

func (s *Summary) partial() *jsonPartial {
	p := &jsonPartial{Rules: s.Rules.Fingerprint(), Dedupe: s.Dedupe, EventColumns: eventColumns}
	for code, cs := range s.codes {
		p.Codes = append(p.Codes, jsonPartialCode{Code: code, Records: cs.records, InScope: cs.inScope, Texts: cs.texts})
	}
	slices.SortFunc(p.Codes, func(a, b jsonPartialCode) int { return cmp.Compare(a.Code, b.Code) })
	if p.Codes == nil {
		p.Codes = []jsonPartialCode{}
	}
	return p
}

// ErrRuleSet reports a summary made with another rule set than the active one.
var ErrRuleSet = errors.New("made with another rule set")

// stored is a JSON summary as read back.
type stored struct {
	Schema      string     `json:"schema"`
	GeneratedBy string     `json:"generated_by"`
	Totals      jsonTotals `json:"totals"`
	Window      jsonWindow `json:"window"`
	Inputs      []Input    `json:"inputs"`
	Families    []jsonFamily
	Causes      []jsonCause
	Tables      struct {
		ByApp  []map[string]any `json:"by_app"`
		ByUser []map[string]any `json:"by_user"`
	} `json:"tables"`
	SkippedSamples []Skip `json:"skipped_samples"`
	Partial        *struct {
		Rules        string            `json:"rules"`
		Dedupe       bool              `json:"dedupe"`
		Codes        []jsonPartialCode `json:"codes"`
		EventColumns []string          `json:"event_columns"`
		Events       []json.RawMessage `json:"events"`
	} `json:"partial"`
}

func readStored(r io.Reader, name string) (*stored, error) {
	var st stored
	dec := json.NewDecoder(r)
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("%s: not a JSON summary: %w", name, err)
	}
	if st.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", name, st.Schema, Schema)
	}
	return &st, nil
}

// ReadSummary reads a JSON summary written by sweep or merge back into a Summary over set,
// so that it can be merged with others. It must have been made with the same rule set.
func ReadSummary(r io.Reader, name string, set *rules.Set) (*Summary, error) {
	st, err := readStored(r, name)
	if err != nil {
		return nil, err
	}
	return fromStored(st, name, set)
}

func fromStored(st *stored, name string, set *rules.Set) (*Summary, error) {
	var err error
	p := st.Partial
	if p == nil {
		return nil, fmt.Errorf("%s: no partial member: write it with grantsweep sweep --format json", name)
	}
	if p.Rules != set.Fingerprint() {
		return nil, fmt.Errorf("%s: %w (%s; the active rules are %s): use the same --rules", name, ErrRuleSet, p.Rules, set.Fingerprint())
	}
	if !slices.Equal(p.EventColumns, eventColumns) {
		return nil, fmt.Errorf("%s: event columns %v, want %v", name, p.EventColumns, eventColumns)
	}
	s := New(set)
	s.Dedupe = p.Dedupe
	s.Records, s.Skipped = st.Totals.Records, st.Totals.Skipped
	s.Inputs = st.Inputs
	s.Samples = st.SkippedSamples
	if st.Window.First != nil {
		s.First, _ = time.Parse(time.RFC3339Nano, *st.Window.First)
	}
	if st.Window.Last != nil {
		s.Last, _ = time.Parse(time.RFC3339Nano, *st.Window.Last)
	}
	for _, c := range p.Codes {
		s.codes[c.Code] = &codeStat{records: c.Records, inScope: c.InScope, texts: c.Texts}
	}
	for i, raw := range p.Events {
		var row []any
		if err := json.Unmarshal(raw, &row); err != nil || len(row) != len(eventColumns) {
			return nil, fmt.Errorf("%s: partial event %d: want an array of %d values", name, i+1, len(eventColumns))
		}
		str := func(j int) string { v, _ := row[j].(string); return v }
		num := func(j int) int64 { v, _ := row[j].(float64); return int64(v) }
		rule := set.RuleIndex(str(2))
		if rule < 0 {
			return nil, fmt.Errorf("%s: partial event %d: unknown cause %q", name, i+1, str(2))
		}
		var t time.Time
		if v := str(0); v != "" {
			if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return nil, fmt.Errorf("%s: partial event %d: %w", name, i+1, err)
			}
		}
		var dims [nDims]string
		for d := range dims {
			dims[d] = str(5 + d)
		}
		s.events.add(s.pack(t, str(1), &dims, int(num(16)), rule, int(num(3)), num(4)))
	}
	return s, nil
}
