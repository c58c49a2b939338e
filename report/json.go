package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"
)

// The JSON summary, schema grantsweep.summary/v1 (docs/DESIGN.md). Field order is fixed by
// these structs; every cause and family appears, in rule order, zeros included.
type jsonSummary struct {
	Schema         string        `json:"schema"`
	GeneratedBy    string        `json:"generated_by"`
	Rules          string        `json:"rules_fingerprint"` // the rule set's Fingerprint
	Filters        *jsonFilters  `json:"filters"`           // null: not known (see Summary.FilterFlags)
	Totals         jsonTotals    `json:"totals"`
	Window         jsonWindow    `json:"window"`
	Inputs         []Input       `json:"inputs"`
	OtherRecords   []OtherCount  `json:"other_records"` // records that are not sign-ins, by category
	Families       []jsonFamily  `json:"families"`
	Causes         []jsonCause   `json:"causes"`
	Tables         jsonTables    `json:"tables"`
	SkippedSamples []Skip        `json:"skipped_samples"`
	Baseline       *jsonBaseline `json:"baseline,omitempty"`
	Partial        *jsonPartial  `json:"partial,omitempty"` // written by writePartial, streamed
}

type jsonTotals struct {
	Records    int64 `json:"records"`
	InScope    int64 `json:"in_scope"`
	Skipped    int64 `json:"skipped"`
	Duplicates int64 `json:"duplicates"`
	Other      int64 `json:"other_records"` // records that are not sign-ins: counted apart
	Audit      int64 `json:"audit_records"` // directory audit records, every activity: counted apart
}

type jsonWindow struct {
	First *string `json:"first"`
	Last  *string `json:"last"`
}

type jsonFamily struct {
	Family string `json:"family"`
	Events int64  `json:"events"`
	Users  int    `json:"users"`
}

type jsonCause struct {
	Family      string  `json:"family"`
	Cause       string  `json:"cause"`
	Label       string  `json:"label"`
	Events      int64   `json:"events"`
	Users       int     `json:"users"`
	Apps        int     `json:"apps"`
	IPs         int     `json:"ips"`
	FirstSeen   *string `json:"first_seen"`
	LastSeen    *string `json:"last_seen"`
	Remediation string  `json:"remediation"`
	Explained   int64   `json:"explained"` // the events a directory change explains
}

type jsonTables struct {
	ByApp             jsonRows      `json:"by_app"`
	ByUser            jsonRows      `json:"by_user"`
	ByIP              jsonRows      `json:"by_ip"`
	ByClient          jsonRows      `json:"by_client"`
	ByOS              jsonRows      `json:"by_os"`
	ByTokenProtection jsonRows      `json:"by_token_protection"`
	ByHour            jsonRows      `json:"by_hour"`
	ByTime            jsonRows      `json:"by_time"` // with bucket, zone and families (see timeline.go)
	FailuresByCode    []jsonCodeRow `json:"failures_by_code"`
	ByChange          jsonChanges   `json:"by_change"`      // the changes that explain failures
	ChangeContext     jsonChanges   `json:"change_context"` // policy changes in the window that explain none
}

type jsonCodeRow struct {
	Code        int    `json:"code"`
	Status      string `json:"status"`
	Records     int64  `json:"records"`
	Description string `json:"description"`
}

// jsonRows is a breakdown table: each row is an object with the table's key columns, then
// events, the distinct count ("users" or "apps") and the non-zero counts per cause. The
// time breakdown's rows say its bucket and zone after the key columns, the same in every
// row (a table is an array of rows, as every reader of v1 takes it), and have the counts
// per family last.
type jsonRows struct {
	rows     []row
	def      *tableDef
	rules    []string
	bucket   *timeBuckets // by_time's; nil for the other tables
	families []string     // the family ids, with bucket
	familyOf []int        // a rule's family's index
}

func (t jsonRows) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range t.rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for c, name := range t.def.cols {
			writeKey(&b, name)
			if c == t.def.numCol {
				n, _ := strconv.Atoi(r.key[c])
				b.WriteString(strconv.Itoa(n))
			} else {
				writeString(&b, r.key[c])
			}
			b.WriteByte(',')
		}
		if t.bucket != nil {
			writeKey(&b, "bucket")
			writeString(&b, t.bucket.size.String())
			b.WriteByte(',')
			writeKey(&b, "zone")
			writeString(&b, t.bucket.loc.String())
			b.WriteByte(',')
		}
		writeKey(&b, "events")
		b.WriteString(strconv.FormatInt(r.events, 10))
		b.WriteByte(',')
		writeKey(&b, t.def.distinct)
		b.WriteString(strconv.Itoa(r.distinct))
		b.WriteByte(',')
		writeKey(&b, "causes")
		writeCounts(&b, t.rules, r.causes)
		if t.bucket != nil {
			b.WriteByte(',')
			writeKey(&b, "families")
			fams := make([]int64, len(t.families))
			for ri, n := range r.causes {
				if f := t.familyOf[ri]; f >= 0 {
					fams[f] += n
				}
			}
			writeCounts(&b, t.families, fams)
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// writeCounts writes an object of the non-zero counts, named by ids.
func writeCounts(b *bytes.Buffer, ids []string, counts []int64) {
	b.WriteByte('{')
	first := true
	for i, n := range counts {
		if n == 0 {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeKey(b, ids[i])
		b.WriteString(strconv.FormatInt(n, 10))
	}
	b.WriteByte('}')
}

func writeKey(b *bytes.Buffer, k string) {
	writeString(b, k)
	b.WriteByte(':')
}

func writeString(b *bytes.Buffer, s string) {
	b.Write(appendString(b.AvailableBuffer(), s))
}

// appendString appends s as encoding/json writes it: plain ASCII as it is, anything that
// needs escaping (quotes, controls, <>&, non-ASCII) through encoding/json itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func (s *Summary) jsonModel(opts Options) jsonSummary {
	v := s.compute(opts.Top)
	out := jsonSummary{
		Schema:         Schema,
		GeneratedBy:    opts.GeneratedBy,
		Rules:          s.Rules.Fingerprint(),
		Filters:        s.jsonFilters(),
		Totals:         jsonTotals{Records: v.records, InScope: v.inScope, Skipped: v.skipped, Duplicates: v.duplicates, Other: s.OtherRecords(), Audit: s.auditRecords},
		Window:         jsonWindow{First: timePtr(v.first), Last: timePtr(v.last)},
		Inputs:         nil, // written by writeInputs, a line each
		OtherRecords:   s.Others(),
		SkippedSamples: append([]Skip{}, s.Samples...),
	}
	if d := s.delta(v, opts.Baseline); d != nil {
		out.Baseline = d.json(v.inScope)
	}
	for _, f := range v.families {
		out.Families = append(out.Families, jsonFamily{Family: f.id, Events: f.events, Users: f.users})
	}
	for i, c := range v.causes {
		out.Causes = append(out.Causes, jsonCause{Family: c.family, Cause: c.id, Label: c.label, Events: c.events,
			Users: c.users, Apps: c.apps, IPs: c.ips, FirstSeen: timePtr(c.first), LastSeen: timePtr(c.last), Remediation: c.remediation,
			Explained: v.explained(i)})
	}
	ids := make([]string, len(s.Rules.Rules))
	for i, r := range s.Rules.Rules {
		ids[i] = r.ID
	}
	rows := func(name string) jsonRows {
		for _, tv := range v.tables {
			if tv.def.name == name {
				return jsonRows{rows: tv.top(opts.Top), def: tv.def, rules: ids}
			}
		}
		panic("report: no table " + name)
	}
	out.Tables = jsonTables{
		ByApp: rows("by_app"), ByUser: rows("by_user"), ByIP: rows("by_ip"), ByClient: rows("by_client"),
		ByOS: rows("by_os"), ByTokenProtection: rows("by_token_protection"), ByHour: rows("by_hour"),
		FailuresByCode: []jsonCodeRow{},
		ByChange:       jsonChanges{s: s, rows: v.chg.rows},
		ChangeContext:  jsonChanges{s: s, rows: v.chg.context},
	}
	bt := v.byTime()
	families := make([]string, len(s.Rules.Families))
	for i, f := range s.Rules.Families {
		families[i] = f.ID
	}
	out.Tables.ByTime = jsonRows{rows: bt.top(opts.Top), def: bt.def, rules: ids, bucket: bt.bucket, families: families, familyOf: s.familyOf()}
	for _, c := range v.codes {
		out.Tables.FailuresByCode = append(out.Tables.FailuresByCode, jsonCodeRow{Code: c.code, Status: c.status, Records: c.records, Description: c.description})
	}
	return out
}

// writeInputs writes the inputs member, an input per line, and the comma after it.
func writeInputs(w *bufio.Writer, inputs []Input) error {
	w.WriteString("\n  \"inputs\": [")
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	for i, in := range inputs {
		line.Reset()
		if err := enc.Encode(in); err != nil {
			return err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n    ")
		w.Write(bytes.TrimSuffix(line.Bytes(), []byte("\n")))
	}
	if len(inputs) > 0 {
		w.WriteString("\n  ")
	}
	_, err := w.WriteString("],\n")
	return err
}

// writeJSON writes the JSON summary. The partial member, which holds every in-scope
// event, is streamed after the rest, one event per line, rather than built in memory.
func (s *Summary) writeJSON(w io.Writer, opts Options) error {
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.jsonModel(opts)); err != nil {
		return err
	}
	// The inputs, one line each (a sweep of a year of hourly blobs has tens of
	// thousands), in place of the null the model holds for them.
	before, after, ok := bytes.Cut(head.Bytes(), []byte("\n  \"inputs\": null,\n"))
	if !ok {
		return errors.New("report: the JSON model has no inputs")
	}
	bw := bufio.NewWriter(w)
	bw.Write(before)
	if err := writeInputs(bw, s.shownInputs()); err != nil {
		return err
	}
	head = *bytes.NewBuffer(after)
	if opts.NoPartial {
		bw.Write(head.Bytes())
		return bw.Flush()
	}
	bw.Write(bytes.TrimSuffix(head.Bytes(), []byte("\n}\n")))
	bw.WriteString(",\n")
	if err := s.writePartial(bw, opts); err != nil {
		return err
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}
