package report

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Table is one table of a report, the model every file renderer (CSV, Markdown, HTML,
// --out) writes. Cells are plain text; renderers escape them for their format.
type Table struct {
	Name    string // file name stem: causes, by_app, cause_apps, ...
	Title   string
	Columns []Column
	Rows    [][]string
	Total   int // rows the table has in all, more than len(Rows) when cut at Options.Top; 0: len(Rows)
}

// Column is a table column; numeric columns align right.
type Column struct {
	Name    string
	Numeric bool
}

func cols(spec ...string) []Column {
	out := make([]Column, len(spec))
	for i, s := range spec {
		name, numeric := s, false
		if s[0] == '#' {
			name, numeric = s[1:], true
		}
		out[i] = Column{Name: name, Numeric: numeric}
	}
	return out
}

// displayTime formats t for people, in loc; "" for no time.
func displayTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// Tables returns every table of the report, in reading order. opts.Top cuts breakdowns.
func (s *Summary) Tables(opts Options) []Table {
	s.zone = opts.TZ
	return s.tables(s.compute(opts.Top), opts)
}

func (s *Summary) tables(v *view, opts Options) []Table {
	ids := make([]string, len(s.Rules.Rules))
	for i, r := range s.Rules.Rules {
		ids[i] = r.ID
	}
	var out []Table

	totals := Table{Name: "totals", Title: "Totals", Columns: cols("metric", "#value"), Rows: [][]string{
		{"records", fmt.Sprint(v.records)},
		{"in_scope", fmt.Sprint(v.inScope)},
		{"in_scope_pct", fmt.Sprintf("%.2f", share(v.inScope, v.records))},
		{"skipped", fmt.Sprint(v.skipped)},
		{"duplicates", fmt.Sprint(v.duplicates)},
		{"other_records", fmt.Sprint(s.OtherRecords())},
		{"inputs", fmt.Sprint(len(s.Inputs))},
		{"first", opts.cellTime(v.first)},
		{"last", opts.cellTime(v.last)},
	}}
	if s.showChanges() {
		totals.Rows = slices.Insert(totals.Rows, 6, []string{"audit_records", fmt.Sprint(s.auditRecords)}, []string{"change_records", fmt.Sprint(len(s.changes))})
	}
	out = append(out, totals)

	fam := Table{Name: "families", Title: "Families", Columns: cols("family", "label", "#events", "#share_pct", "#users")}
	for _, f := range v.families {
		fam.Rows = append(fam.Rows, []string{f.id, f.label, fmt.Sprint(f.events), fmt.Sprintf("%.2f", share(f.events, v.inScope)), fmt.Sprint(f.users)})
	}
	out = append(out, fam)

	causes := Table{Name: "causes", Title: "Causes", Columns: cols("family", "cause", "label", "#events", "#share_pct", "#users", "#apps", "#ips", "first_seen", "last_seen", "remediation")}
	for _, c := range v.causes {
		causes.Rows = append(causes.Rows, []string{c.family, c.id, c.label, fmt.Sprint(c.events), fmt.Sprintf("%.2f", share(c.events, v.inScope)),
			fmt.Sprint(c.users), fmt.Sprint(c.apps), fmt.Sprint(c.ips), opts.cellTime(c.first), opts.cellTime(c.last), c.remediation})
	}
	out = append(out, causes)
	out = append(out, s.changeTables(v, opts)...)

	for _, tv := range v.tables {
		def := tv.def
		spec := slices.Clone(def.cols)
		if def.numCol >= 0 {
			spec[def.numCol] = "#" + spec[def.numCol]
		}
		title := def.title
		if tv.bucket != nil {
			spec = spec[:1] // the start, in the zone: the title names the bucket
			title = tv.bucket.title()
		}
		keys := len(spec)
		spec = append(spec, "#events", "#"+def.distinct, "main_cause")
		if opts.ForFiles {
			spec = append(spec, "#main_cause_share")
		}
		t := Table{Name: def.name, Title: title, Columns: cols(spec...), Total: tv.total}
		for _, r := range tv.top(opts.Top) {
			cells := slices.Clone(r.key[:keys])
			if (def.name == "by_hour" || tv.bucket != nil) && cells[0] != "" {
				if h, err := time.Parse(time.RFC3339, cells[0]); err == nil {
					cells[0] = opts.cellTime(h)
				}
			}
			cells = append(cells, fmt.Sprint(r.events), fmt.Sprint(r.distinct))
			t.Rows = append(t.Rows, s.appendMainCause(cells, r, opts))
		}
		out = append(out, t)

		// The same breakdown per cause: its top rows for each cause.
		if def.byKey {
			continue
		}
		keyName := def.cols[0]
		pc := Table{Name: def.name + "_per_cause", Title: def.title + " per cause", Columns: cols("cause", keyName, "#events"), Total: tv.pairs}
		for ri, id := range ids {
			for _, r := range tv.perCause[ri] {
				pc.Rows = append(pc.Rows, []string{id, r.key[0], fmt.Sprint(r.causes[ri])})
			}
		}
		out = append(out, pc)
	}

	codes := Table{Name: "failures_by_code", Title: "Failures by error code (all records, for context)", Columns: cols("#code", "status", "#records", "#share_pct", "description")}
	for _, c := range v.codes {
		codes.Rows = append(codes.Rows, []string{strconv.Itoa(c.code), c.status, fmt.Sprint(c.records), fmt.Sprintf("%.2f", share(c.records, v.records)), c.description})
	}
	out = append(out, codes)

	inputs := Table{Name: "inputs", Title: "Inputs", Columns: cols("path", "format", "#records", "#skipped", "#other_records", "error")}
	if s.showChanges() { // the audit records' column, when some were read
		inputs.Columns = cols("path", "format", "#records", "#skipped", "#other_records", "error", "#audit_records")
	}
	for _, in := range s.Inputs {
		cells := []string{in.Path, in.Format, fmt.Sprint(in.Records), fmt.Sprint(in.Skipped), fmt.Sprint(in.Other), in.shownError()}
		if s.showChanges() {
			cells = append(cells, fmt.Sprint(in.Audit))
		}
		inputs.Rows = append(inputs.Rows, cells)
	}
	out = append(out, inputs)

	skipped := Table{Name: "skipped", Title: "Skipped records (sample)", Columns: cols("path", "#line", "#offset", "reason")}
	for _, sk := range s.Samples {
		skipped.Rows = append(skipped.Rows, []string{sk.Path, fmt.Sprint(sk.Line), fmt.Sprint(sk.Offset), sk.Reason})
	}
	out = append(out, skipped)

	if d := s.delta(v, opts.Baseline); d != nil {
		ch := Table{Name: "baseline", Title: "Changes since the baseline " + d.name, Columns: cols("kind", "id", "#before", "#now", "#change", "#share_before_pct", "#share_now_pct", "new")}
		for _, set := range []struct {
			kind string
			rows []deltaRow
		}{{"family", d.families}, {"cause", d.causes}} {
			for _, r := range set.rows {
				if !r.compared {
					ch.Rows = append(ch.Rows, []string{set.kind, r.id, "", fmt.Sprint(r.after), "", "", fmt.Sprintf("%.2f", r.shareAft), "not in the baseline"})
					continue
				}
				isNew := ""
				if set.kind == "cause" && slices.Contains(d.newCauses, r.id) {
					isNew = "new"
				}
				ch.Rows = append(ch.Rows, []string{set.kind, r.id, fmt.Sprint(r.before), fmt.Sprint(r.after), signed(r.after - r.before),
					fmt.Sprintf("%.2f", r.shareBefore), fmt.Sprintf("%.2f", r.shareAft), isNew})
			}
		}
		out = append(out, ch)
		mv := Table{Name: "baseline_movers", Title: "Top movers since the baseline", Columns: cols("kind", "name", "#before", "#now", "#change")}
		for _, m := range d.appMovers {
			mv.Rows = append(mv.Rows, []string{"app", m.key, fmt.Sprint(m.before), fmt.Sprint(m.after), signed(m.after - m.before)})
		}
		for _, m := range d.userMovers {
			mv.Rows = append(mv.Rows, []string{"user", m.key, fmt.Sprint(m.before), fmt.Sprint(m.after), signed(m.after - m.before)})
		}
		out = append(out, mv)
	}
	return out
}
