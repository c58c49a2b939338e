package report

import (
	"bufio"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The HTML report is one self-contained file for an incident review: a table of contents,
// charts as inline SVG (see htmlsvg.go), the causes by app, each cause in detail, then the
// breakdowns; inline CSS for the screen and for print (a readable PDF from a browser's
// print), no script and no network (its Content-Security-Policy forbids both). Every value
// goes through html/template, so user agents and UPNs, which attackers control, render as
// text, and through [Escape] (see htmlPage.escape).

type htmlPage struct {
	Title, Summary, GeneratedBy string
	Others                      string // records of other logs counted apart; "" for none
	Audit                       string // directory audit records read (auditLine); "" for none
	Contents                    []htmlEntry
	Sections                    []htmlSection
}

// htmlEntry is a line of the table of contents.
type htmlEntry struct {
	ID, Title string
	Subs      []htmlEntry
}

// htmlSection is a chapter (level 2) or a part of one (level 3).
type htmlSection struct {
	ID, Title string
	Level     int
	Break     bool         // in print, starts on a new page
	Collapsed bool         // shown closed on screen (details), left out of print
	Paras     []string     // before the figures and tables
	Notes     []string     // after the tables
	Figures   []htmlFigure // side by side when there is room
	Tables    []htmlTable
	Grid      bool // tables side by side when there is room
	Keep      bool // in print, kept on one page when it fits
	Subs      []htmlSection
}

type htmlFigure struct {
	Caption string
	Legend  []htmlLegend
	Chart   svgChart
}

type htmlLegend struct{ Name, Fill string }

type htmlTable struct {
	Name     string // data-table: the table of the model (or the view) it shows
	Cause    string // data-cause: the cause whose rows these are, if any
	Class    string
	Caption  string
	Cols     []htmlCol
	Rows     []htmlRow
	RowHeads bool   // the first cell of a row heads it
	Empty    string // shown instead of a table without rows
}

type htmlCol struct{ Name, Class, Title string }

type htmlRow struct {
	Class string
	Cells []htmlCell
}

type htmlCell struct {
	Text, Note  string // Note: a second, smaller line
	Class       string
	Title, Href string
}

var familyColours = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

// topCauses is how many causes "causes over time" draws apart; the rest are "other".
const topCauses = 6

// causeColours tell the top causes apart in "causes over time", beside the families'.
var causeColours = [topCauses]string{"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"}

const otherColour = "#bbbbbb"

// matrixApps is how many apps the cause-by-app matrix has columns for, at most.
const matrixApps = 8

func (s *Summary) htmlModel(opts Options) htmlPage {
	v := s.compute(opts.Top)
	loc := locOrUTC(opts.TZ)
	p := htmlPage{
		Title: "grantsweep: invalid-grant failures",
		Summary: fmt.Sprintf("%s from %s (%s skipped), %s. %s in scope (%.1f%%), %s dropped.",
			plural(v.records, "record"), plural(int64(len(s.Inputs)), "input"), count(v.skipped), spanIn(v.first, v.last, opts.TZ),
			plural(v.inScope, "invalid-grant failure"), share(v.inScope, v.records), plural(v.duplicates, "duplicate copy", "duplicate copies")),
		GeneratedBy: opts.GeneratedBy,
		Others:      s.othersLine(),
		Audit:       s.auditLine(),
	}
	tables := map[string]htmlTable{}
	var baseline []htmlSection
	for _, t := range s.tables(v, opts) {
		tables[t.Name] = htmlFromTable(t)
		if strings.HasPrefix(t.Name, "baseline") {
			baseline = append(baseline, htmlSection{ID: t.Name, Title: t.Title, Level: 3, Tables: []htmlTable{tables[t.Name]}})
		}
	}
	ts := newTimeSeries(v.byTime(), len(s.Rules.Rules))
	causes := s.causesByEvents(v)

	p.Sections = append(p.Sections,
		s.htmlOverTime(v, ts, causes, loc),
		htmlSection{ID: "families", Title: "Families", Level: 2,
			Figures: []htmlFigure{{Caption: "Share of the failures in scope, by family", Chart: s.familyShares(v)}},
			Tables:  []htmlTable{tables["families"]}},
		s.htmlCauses(v, causes, loc),
	)
	if s.showChanges() {
		p.Sections = append(p.Sections, s.htmlChanges(v, loc))
	}
	p.Sections = append(p.Sections,
		s.htmlMatrix(v, causes, opts),
		s.htmlDetails(v, causes, loc),
		s.htmlBreakdowns(v, ts, tables, loc),
		htmlSection{ID: "failures_by_code", Title: "Failures by error code", Level: 2,
			Paras:  []string{"Every record read, in scope or not, for context."},
			Tables: []htmlTable{tables["failures_by_code"]}},
	)
	if len(baseline) > 0 {
		p.Sections = append(p.Sections, htmlSection{ID: "changes", Title: "Changes since the baseline", Level: 2, Subs: baseline})
	}
	run := htmlSection{ID: "run", Title: "About this run", Level: 2, Break: true, Subs: []htmlSection{
		{ID: "totals", Title: "Totals", Level: 3, Tables: []htmlTable{tables["totals"]}},
		{ID: "inputs", Title: "Inputs", Level: 3, Tables: []htmlTable{tables["inputs"]}},
		{ID: "skipped", Title: "Skipped records (sample)", Level: 3, Tables: []htmlTable{tables["skipped"]}},
	}}
	if ts.Bucket != "hour" {
		if t, ok := tables["by_hour"]; ok {
			run.Subs = append(run.Subs, htmlSection{ID: "by_hour", Title: fmt.Sprintf("Failures by hour (%s)", plural(int64(len(t.Rows)), "row")),
				Level: 3, Collapsed: true, Tables: []htmlTable{t}})
		}
	}
	p.Sections = append(p.Sections, run)
	for _, sec := range p.Sections {
		e := htmlEntry{ID: sec.ID, Title: sec.Title}
		for _, sub := range sec.Subs {
			e.Subs = append(e.Subs, htmlEntry{ID: sub.ID, Title: sub.Title})
		}
		p.Contents = append(p.Contents, e)
	}
	p.escape()
	return p
}

// causesByEvents returns the indexes of the causes with events, the most first (ties in
// rule order).
func (s *Summary) causesByEvents(v *view) []int {
	var out []int
	for i, c := range v.causes {
		if c.events > 0 {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return cmp.Compare(v.causes[b].events, v.causes[a].events) })
	return out
}

// htmlOverTime draws the failures over time twice: stacked by family, and by the top
// causes with the rest as other.
func (s *Summary) htmlOverTime(v *view, ts timeSeries, causes []int, loc *time.Location) htmlSection {
	sec := htmlSection{ID: "over-time", Title: "Failures over time", Level: 2}
	markers := s.changeMarkers(v, loc)
	var families, top []timeLayer
	for fi, f := range v.families {
		l := timeLayer{Name: f.label, Fill: familyColours[fi%len(familyColours)]}
		for ri, r := range s.Rules.Rules {
			if r.Family == f.id {
				l.Rules = append(l.Rules, ri)
			}
		}
		families = append(families, l)
	}
	other := timeLayer{Name: "other causes", Fill: otherColour}
	for i, ri := range causes {
		if i < topCauses {
			top = append(top, timeLayer{Name: v.causes[ri].id, Fill: causeColours[i]})
			top[i].Rules = []int{ri}
		} else {
			other.Rules = append(other.Rules, ri)
		}
	}
	if len(other.Rules) > 0 {
		top = append(top, other)
	}
	legend := func(ls []timeLayer) []htmlLegend {
		var out []htmlLegend
		for _, l := range ls {
			out = append(out, htmlLegend{Name: l.Name, Fill: l.Fill})
		}
		return out
	}
	if len(ts.Points) == 0 { // nothing to chart: no figures, no legends
		sec.Paras = append(sec.Paras, "No failure in scope has a time.")
		return sec
	}
	first, last := ts.Points[0], ts.Points[len(ts.Points)-1]
	busiest := first
	for _, p := range ts.Points {
		if p.Events > busiest.Events {
			busiest = p
		}
	}
	// "mostly" only for a cause of more than half the bucket's events; else "most often".
	peak := row{events: busiest.Events, causes: busiest.Causes}
	most := "most often"
	if best := mainCauseOf(peak); best >= 0 && 2*peak.causes[best] > peak.events {
		most = "mostly"
	}
	sec.Paras = append(sec.Paras, fmt.Sprintf("A bar per %s (%s), %s to %s. The busiest %s: %s, %s, %s %s.",
		ts.Bucket, zoneName(loc), ts.label(first.Start, loc), ts.label(last.Start, loc), ts.Bucket,
		ts.label(busiest.Start, loc), plural(busiest.Events, "event"), most, s.mainCause(peak)))
	if ts.Untimed > 0 {
		sec.Paras = append(sec.Paras, fmt.Sprintf("%s without a time are not drawn.", plural(ts.Untimed, "event")))
	}
	sec.Figures = []htmlFigure{
		{Caption: "By family", Legend: legend(families), Chart: timeChart("Failures over time by family", ts, families, loc)},
		{Caption: fmt.Sprintf("By cause (the top %d)", min(topCauses, len(causes))), Legend: legend(top),
			Chart: timeChart("Failures over time by cause", ts, top, loc, markers...)},
	}
	if len(markers) > 0 {
		sec.Figures[1].Caption += fmt.Sprintf("; dashed lines: %s that explain failures (%s)", plural(int64(len(markers)), "directory change"), changeSection)
		if drawn := len(sec.Figures[1].Chart.Markers); drawn < len(markers) {
			sec.Figures[1].Caption += fmt.Sprintf(", %d of them before the first bar", len(markers)-drawn)
		}
	}
	return sec
}

func zoneName(loc *time.Location) string {
	if loc == time.UTC || loc.String() == "" {
		return "UTC"
	}
	return loc.String()
}

func (s *Summary) familyShares(v *view) svgChart {
	var items []hbarItem
	for i, f := range v.families {
		items = append(items, hbarItem{Label: f.label, N: f.events, Value: fmt.Sprintf("%s (%s)", count(f.events), pct(f.events, v.inScope)),
			Fill: familyColours[i%len(familyColours)], Title: fmt.Sprintf("%s (%s): %s", f.label, f.id, plural(f.events, "event"))})
	}
	return hbarChart("Family shares", items)
}

// htmlCauses lists the causes with events, each linked to its detail.
func (s *Summary) htmlCauses(v *view, causes []int, loc *time.Location) htmlSection {
	t := htmlTable{Name: "causes", Cols: []htmlCol{{Name: "Cause"}, {Name: "Events", Class: "num"}, {Name: "Share %", Class: "num"},
		{Name: "Users", Class: "num"}, {Name: "Apps", Class: "num"}, {Name: "IPs", Class: "num", Title: "IP addresses"},
		{Name: "First seen", Class: "time"}, {Name: "Last seen", Class: "time"}}, Empty: "(none)"}
	minute := func(t time.Time) string { // the table fits a page; the details have the seconds
		if t.IsZero() {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	for _, ri := range causes {
		c := v.causes[ri]
		t.Rows = append(t.Rows, htmlRow{Cells: []htmlCell{
			{Text: c.id, Note: c.label, Href: "#" + causeAnchor(c.id), Title: "family " + c.family},
			num(c.events), {Text: fmt.Sprintf("%.2f", share(c.events, v.inScope)), Class: "num"},
			num(int64(c.users)), num(int64(c.apps)), num(int64(c.ips)),
			{Text: minute(c.first), Class: "time"}, {Text: minute(c.last), Class: "time"}}})
	}
	sec := htmlSection{ID: "causes", Title: "Causes", Level: 2, Tables: []htmlTable{t},
		Paras: []string{fmt.Sprintf("The causes with events, the most first; times in %s.", zoneName(loc))}}
	var none []string
	for _, c := range v.causes {
		if c.events == 0 {
			none = append(none, c.id)
		}
	}
	if len(none) > 0 {
		sec.Notes = []string{"No events of " + strings.Join(none, ", ") + "."}
	}
	return sec
}

// causeAnchor is the id of a cause's detail: rule ids are user data, so only letters,
// digits, - and _ are kept.
func causeAnchor(id string) string {
	b := []byte("cause-")
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b = append(b, c)
		default:
			b = append(b, '-')
		}
	}
	return string(b)
}

func ipAddresses(n int64) string {
	if n == 1 {
		return "1 IP address"
	}
	return count(n) + " IP addresses"
}

func num(n int64) htmlCell { return htmlCell{Text: count(n), Class: "num"} }

// htmlMatrix is the heat map of causes (rows) by the top apps (columns): a cell's shade
// grows with its events.
func (s *Summary) htmlMatrix(v *view, causes []int, opts Options) htmlSection {
	sec := htmlSection{ID: "cause-by-app", Title: "Causes by app", Level: 2}
	var apps []row
	for _, tv := range v.tables {
		if tv.def.name == "by_app" {
			apps = tv.top(min(matrixApps, cmp.Or(opts.Top, matrixApps)))
		}
	}
	if len(causes) == 0 || len(apps) == 0 {
		sec.Paras = []string{"(none)"}
		return sec
	}
	sec.Paras = []string{fmt.Sprintf("Events of each cause with the %s with the most failures; the darker the cell, the more events.", plural(int64(len(apps)), "app"))}
	t := htmlTable{Name: "cause_by_app", Class: "matrix", RowHeads: true, Cols: []htmlCol{{Name: "Cause"}}}
	names := make([]string, len(apps))
	for i, a := range apps {
		names[i] = orDash(cmp.Or(a.key[0], a.key[1]))
		t.Cols = append(t.Cols, htmlCol{Name: fit(names[i], 32), Class: "app", Title: names[i]})
	}
	t.Cols = append(t.Cols, htmlCol{Name: "Other apps", Class: "app"}, htmlCol{Name: "All apps", Class: "app"})
	var most int64 = 1
	for _, ri := range causes {
		var rest int64 = v.causes[ri].events
		for _, a := range apps {
			most = max(most, a.causes[ri])
			rest -= a.causes[ri]
		}
		most = max(most, rest)
	}
	for _, ri := range causes {
		c := v.causes[ri]
		r := htmlRow{Cells: []htmlCell{{Text: c.id, Title: c.label, Href: "#" + causeAnchor(c.id)}}}
		rest := c.events
		cell := func(n int64, where string) htmlCell {
			return htmlCell{Text: count(n), Class: fmt.Sprintf("heat h%d", shade(n, most)),
				Title: fmt.Sprintf("%s with %s: %s (%s of the cause)", c.id, where, plural(n, "event"), pct(n, c.events))}
		}
		for i, a := range apps {
			r.Cells = append(r.Cells, cell(a.causes[ri], names[i]))
			rest -= a.causes[ri]
		}
		r.Cells = append(r.Cells, cell(rest, "other apps"), htmlCell{Text: count(c.events), Class: "num total"})
		t.Rows = append(t.Rows, r)
	}
	sec.Tables = []htmlTable{t}
	return sec
}

// shade is the heat-map level of n events of at most most: 0 for none, 1 to 5.
func shade(n, most int64) int {
	if n <= 0 {
		return 0
	}
	return 1 + int(4*n/max(most, 1))
}

// htmlDetails has a part per cause with events: its facts, remedy, and top apps, users
// and IP addresses.
func (s *Summary) htmlDetails(v *view, causes []int, loc *time.Location) htmlSection {
	sec := htmlSection{ID: "cause-detail", Title: "Causes in detail", Level: 2, Break: true}
	if len(causes) == 0 {
		sec.Paras = []string{"(none)"}
	}
	perCause := func(name string, ri int) []row {
		for _, tv := range v.tables {
			if tv.def.name == name {
				return tv.perCause[ri]
			}
		}
		return nil
	}
	for _, ri := range causes {
		c := v.causes[ri]
		sub := htmlSection{ID: causeAnchor(c.id), Title: c.label + " (" + c.id + ")", Level: 3, Grid: true, Keep: true}
		sub.Paras = append(sub.Paras, fmt.Sprintf("%s (%s of the failures in scope), %s, %s, %s; family %s; first seen %s, last seen %s.",
			plural(c.events, "event"), pct(c.events, v.inScope), plural(int64(c.users), "user"), plural(int64(c.apps), "app"),
			ipAddresses(int64(c.ips)), c.family, orDash(displayTime(c.first, loc)), orDash(displayTime(c.last, loc))))
		if c.remediation != "" {
			sub.Paras = append(sub.Paras, "What to do: "+c.remediation)
			if line := s.explainLine(v, ri); line != "" {
				sub.Paras = append(sub.Paras, fmt.Sprintf("Directory changes: %s (%s).", line, changeSection))
			}
		}
		for _, part := range []struct{ table, caption, head string }{
			{"by_app", "Top apps", "App"}, {"by_user", "Top users", "User"}, {"by_ip", "Top IP addresses", "IP address"},
		} {
			t := htmlTable{Name: part.table + "_per_cause", Cause: c.id, Caption: part.caption, Class: "small", Empty: "(none)",
				Cols: []htmlCol{{Name: part.head}, {Name: "Events", Class: "num"}, {Name: "Share", Class: "num"}}}
			if part.table == "by_ip" {
				t.Cols = slices.Insert(t.Cols, 1, htmlCol{Name: "Country"})
			}
			for _, r := range perCause(part.table, ri) {
				cells := []htmlCell{{Text: orDash(r.key[0])}}
				switch {
				case part.table == "by_ip":
					cells = append(cells, htmlCell{Text: r.key[1]})
				case r.key[0] == "" && r.key[1] != "": // an app or a user known by id only
					cells[0] = htmlCell{Text: r.key[1], Class: "id"}
				}
				t.Rows = append(t.Rows, htmlRow{Cells: append(cells, num(r.causes[ri]), htmlCell{Text: pct(r.causes[ri], c.events), Class: "num"})})
			}
			sub.Tables = append(sub.Tables, t)
		}
		sec.Subs = append(sec.Subs, sub)
	}
	return sec
}

// htmlBreakdowns shows the breakdown tables, then the time series as a table (the time
// tables themselves: see newTimeSeries, and the hourly table in "About this run").
func (s *Summary) htmlBreakdowns(v *view, ts timeSeries, tables map[string]htmlTable, loc *time.Location) htmlSection {
	sec := htmlSection{ID: "breakdowns", Title: "Breakdowns", Level: 2, Break: true}
	for _, tv := range v.tables {
		name := tv.def.name
		if name == "by_hour" || name == "by_time" {
			continue
		}
		sub := htmlSection{ID: name, Title: tv.def.title, Level: 3, Tables: []htmlTable{tables[name]}}
		if tv.total > len(tables[name].Rows) {
			sub.Paras = []string{fmt.Sprintf("The first %s of %s.", count(int64(len(tables[name].Rows))), count(int64(tv.total)))}
		}
		if name == "by_app" {
			var items []hbarItem
			for _, r := range tv.top(10) {
				items = append(items, hbarItem{Label: orDash(r.key[0]), N: r.events, Value: fmt.Sprintf("%s (%s)", count(r.events), pct(r.events, v.inScope)),
					Fill: familyColours[0], Title: fmt.Sprintf("%s: %s", orDash(r.key[0]), plural(r.events, "event"))})
			}
			if len(items) > 0 {
				sub.Figures = []htmlFigure{{Caption: "The apps with the most failures", Chart: hbarChart("Top apps", items)}}
			}
		}
		sec.Subs = append(sec.Subs, sub)
	}
	sec.Subs = append(sec.Subs, s.htmlTimeTable(ts, loc))
	return sec
}

// htmlTimeTable is the time series as a table: a row per bucket.
func (s *Summary) htmlTimeTable(ts timeSeries, loc *time.Location) htmlSection {
	head := strings.ToUpper(ts.Bucket[:1]) + ts.Bucket[1:]
	t := htmlTable{Name: "by_time", Empty: "(none)", Cols: []htmlCol{{Name: head, Class: "time"}, {Name: "Events", Class: "num"}}}
	users := true
	for _, p := range ts.Points {
		users = users && p.Users >= 0
	}
	if users {
		t.Cols = append(t.Cols, htmlCol{Name: "Users", Class: "num"})
	}
	t.Cols = append(t.Cols, htmlCol{Name: "Main cause"})
	for _, p := range ts.Points {
		r := htmlRow{Cells: []htmlCell{{Text: ts.label(p.Start, loc), Class: "time"}, num(p.Events)}}
		if users {
			r.Cells = append(r.Cells, num(int64(p.Users)))
		}
		r.Cells = append(r.Cells, htmlCell{Text: s.mainCause(row{events: p.Events, causes: p.Causes})})
		if p.Events == 0 {
			r.Class = "zero"
		}
		t.Rows = append(t.Rows, r)
	}
	sec := htmlSection{ID: "by_time", Title: "Failures by " + ts.Bucket, Level: 3, Tables: []htmlTable{t}}
	if ts.Untimed > 0 {
		sec.Paras = []string{fmt.Sprintf("And %s without a time.", plural(ts.Untimed, "event"))}
	}
	return sec
}

// htmlColumns names the columns of the model's tables for people.
var htmlColumns = map[string]string{
	"metric": "Metric", "value": "Value", "family": "Family", "label": "Description", "cause": "Cause",
	"events": "Events", "share_pct": "Share %", "users": "Users", "apps": "Apps", "ips": "IP addresses",
	"first_seen": "First seen", "last_seen": "Last seen", "remediation": "What to do",
	"app": "App", "app_id": "App ID", "user": "User", "user_id": "User ID", "ip": "IP address", "country": "Country",
	"client_app": "Client app", "sign_in_type": "Sign-in type", "os": "Operating system", "browser": "Browser",
	"status": "Status", "code": "Code", "meaning": "Meaning", "hour": "Hour", "main_cause": "Main cause",
	"records": "Records", "description": "Description", "path": "Path", "format": "Format", "skipped": "Skipped",
	"other_records": "Other records", "error": "Error", "line": "Line", "offset": "Offset", "reason": "Reason",
	"kind": "Kind", "id": "ID", "before": "Before", "now": "Now", "change": "Change",
	"share_before_pct": "Share before %", "share_now_pct": "Share now %", "new": "New", "name": "Name",
}

// htmlMetrics names the rows of the totals table for people.
var htmlMetrics = map[string]string{
	"records": "Records read", "in_scope": "Invalid-grant failures in scope", "in_scope_pct": "In scope, % of records",
	"skipped": "Records skipped (not decoded)", "duplicates": "Duplicate copies dropped", "other_records": "Records of other logs",
	"inputs": "Inputs", "first": "First record", "last": "Last record",
}

// htmlFromTable shows a table of the model: columns named for people, counts with
// thousands separators, times and ids kept on one line.
func htmlFromTable(t Table) htmlTable {
	h := htmlTable{Name: t.Name, Empty: "(none)"}
	for _, c := range t.Columns {
		col := htmlCol{Name: htmlColumns[c.Name]}
		if col.Name == "" {
			col.Name = strings.ReplaceAll(strings.TrimSuffix(c.Name, "_pct"), "_", " ")
			if strings.HasSuffix(c.Name, "_pct") {
				col.Name += " %"
			}
			col.Name = strings.ToUpper(col.Name[:1]) + col.Name[1:]
		}
		switch {
		case c.Numeric:
			col.Class = "num"
		case c.Name == "first_seen" || c.Name == "last_seen" || c.Name == "hour":
			col.Class = "time"
		case strings.HasSuffix(c.Name, "_id"):
			col.Class = "id"
		case c.Name == "path":
			col.Class = "path"
		}
		h.Cols = append(h.Cols, col)
	}
	for _, r := range t.Rows {
		cells := make([]htmlCell, len(r))
		for i, v := range r {
			cells[i] = htmlCell{Text: v, Class: h.Cols[i].Class}
			switch name := t.Columns[i].Name; {
			case t.Name == "totals" && name == "metric":
				cells[i].Text = cmp.Or(htmlMetrics[v], v)
			case h.Cols[i].Class == "num" && name != "code" && name != "line" && name != "offset":
				cells[i].Text = grouped(v)
			}
		}
		h.Rows = append(h.Rows, htmlRow{Cells: cells})
	}
	return h
}

// grouped writes an integer with thousands separators, keeping a leading +; other text
// stays as it is.
func grouped(v string) string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return v
	}
	if strings.HasPrefix(v, "+") {
		return "+" + count(n)
	}
	return count(n)
}

// escape passes every text of the page through [Escape]: html/template makes values
// inert as markup, not as terminal control (a saved report is also read with cat or less)
// or bidirectional overrides that reorder what a reader sees. It walks the page's
// strings by reflection, so that a field added later is escaped too; Escape leaves safe
// text (colours, classes, ids) as it is, and escaped text too.
func (p *htmlPage) escape() { escapeStrings(reflect.ValueOf(p).Elem()) }

func escapeStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(Escape(v.String()))
	case reflect.Struct:
		for i := range v.NumField() {
			escapeStrings(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			escapeStrings(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			escapeStrings(v.Elem())
		}
	}
}

func locOrUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

var htmlTemplate = template.Must(template.New("report").Parse(`{{define "section" -}}
{{if .Collapsed}}<details class="screen" id="{{.ID}}"><summary>{{.Title}}</summary>
{{else}}<section id="{{.ID}}"{{if .Break}} class="break"{{else if .Keep}} class="keep"{{end}}>
{{if eq .Level 2}}<h2>{{.Title}}</h2>{{else}}<h3>{{.Title}}</h3>{{end}}
{{end -}}
{{range .Paras}}<p>{{.}}</p>
{{end -}}
{{if .Figures}}<div class="figures">
{{range .Figures}}<figure>
<figcaption>{{.Caption}}</figcaption>
{{with .Legend}}<div class="legend">{{range .}}<span><i style="background: {{.Fill}}"></i>{{.Name}}</span>{{end}}</div>
{{end -}}
{{template "chart" .Chart}}
</figure>
{{end}}</div>
{{end -}}
{{if .Grid}}<div class="tops">
{{range .Tables}}{{template "table" .}}{{end}}</div>
{{else}}{{range .Tables}}{{template "table" .}}{{end}}{{end -}}
{{range .Notes}}<p>{{.}}</p>
{{end -}}
{{range .Subs}}{{template "section" .}}{{end -}}
{{if .Collapsed}}</details>{{else}}</section>{{end}}
{{end -}}
{{define "table" -}}
{{if .Rows}}<div class="wide"><table class="report{{with .Class}} {{.}}{{end}}" data-table="{{.Name}}"{{with .Cause}} data-cause="{{.}}"{{end}}>
{{with .Caption}}<caption>{{.}}</caption>
{{end -}}
<thead><tr>{{range .Cols}}<th scope="col"{{with .Class}} class="{{.}}"{{end}}{{with .Title}} title="{{.}}"{{end}}>{{.Name}}</th>{{end}}</tr></thead>
<tbody>
{{$heads := .RowHeads}}{{range .Rows -}}
<tr{{with .Class}} class="{{.}}"{{end}}>{{range $i, $c := .Cells}}{{if and $heads (eq $i 0)}}<th scope="row">{{template "cell" $c}}</th>{{else}}<td{{with .Class}} class="{{.}}"{{end}}{{with .Title}} title="{{.}}"{{end}}>{{template "cell" $c}}</td>{{end}}{{end}}</tr>
{{end -}}
</tbody>
</table></div>
{{else}}{{with .Caption}}<p><strong>{{.}}</strong></p>
{{end}}<p>{{.Empty}}</p>
{{end}}
{{- end -}}
{{define "cell"}}{{if .Href}}<a href="{{.Href}}"{{with .Title}} title="{{.}}"{{end}}>{{.Text}}</a>{{else}}{{.Text}}{{end}}{{with .Note}}<span class="note">{{.}}</span>{{end}}{{end -}}
{{define "chart"}}<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {{.W}} {{.H}}" width="100%" style="max-width: {{.W}}px" role="img" aria-label="{{.Title}}">
{{- range .Lines}}
<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}" class="{{.Class}}"/>
{{- end}}
{{- range .Bars}}
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}"><title>{{.Title}}</title></rect>
{{- end}}
{{- range .Texts}}
<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}">{{.Text}}</text>
{{- end}}
{{- range .Markers}}
<line x1="{{.X}}" y1="{{.Y1}}" x2="{{.X}}" y2="{{.Y2}}" class="change"><title>{{.Title}}</title></line>
{{- end}}
</svg>{{end -}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .3em; }
h2 { font-size: 1.25em; margin-top: 2.2em; padding-bottom: .2em; border-bottom: 2px solid #ddd; }
h3 { font-size: 1.05em; margin-top: 1.6em; }
a { color: #1a5a96; }
nav ol { padding-left: 1.6em; margin: .3em 0; } nav ol ol { columns: 2 16em; column-gap: 3em; font-size: .95em; } nav li { break-inside: avoid; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; margin: .5em 0 1.5em; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 0 0 .3em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f4f4f4; white-space: nowrap; } thead th { vertical-align: bottom; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.time { white-space: nowrap; }
.id { font: 12px ui-monospace, monospace; overflow-wrap: anywhere; } .path { overflow-wrap: anywhere; }
.note { display: block; color: #666; font-size: .9em; }
tr.zero td { color: #999; }
table.small { font-size: .95em; margin: .3em 0 .8em; } td:first-child { overflow-wrap: anywhere; }
.tops { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 0 1.5em; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1em 2em; }
figure { margin: 0 0 1em; min-width: 0; } figcaption { font-weight: 600; margin-bottom: .3em; }
svg.chart { display: block; width: 100%; height: auto; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
svg .rule { stroke: #e4e4e4; } svg .axis { stroke: #888; }
svg .change { stroke: #b00020; stroke-width: 2; stroke-dasharray: 4 3; }
table.changes td { overflow-wrap: anywhere; }
.legend { font-size: .9em; margin: 0 0 .4em; } .legend span { display: inline-block; margin-right: 1.2em; white-space: nowrap; }
.legend i { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; }
table.matrix th.app { writing-mode: vertical-rl; writing-mode: sideways-lr; white-space: nowrap; vertical-align: bottom; text-align: start; padding: 6px 4px; }
table.matrix td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.total { font-weight: 600; }
.h0 { color: #aaa; } .h1 { background: #eaf2fa; } .h2 { background: #c6dbef; } .h3 { background: #9ecae1; }
.h4 { background: #4f92c7; color: #fff; } .h5 { background: #1f5f9e; color: #fff; }
details { margin: 1em 0; } summary { cursor: pointer; font-weight: 600; }
footer { color: #777; margin-top: 3em; }
@media (max-width: 900px) { table { font-size: 13px; } th, td { padding: 4px 5px; } }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 9.5pt; max-width: none; margin: 0; padding: 0; color: #000; }
  table { font-size: 8.5pt; } th, td { padding: 3px 5px; } td { overflow-wrap: anywhere; } .id { font-size: 8pt; }
  a { color: inherit; text-decoration: none; }
  nav { break-after: page; }
  section.break { break-before: page; }
  h2, h3, caption, figcaption { break-after: avoid; }
  figure, tr, section.keep, .legend { break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: none; } thead th { border-bottom: 1.5px solid #666; }
  .wide { overflow: visible; }
  .figures { display: block; }
  .legend i, table.matrix td { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .h4 { background: #8fbbe0; color: #000; } .h5 { background: #6ba3d6; color: #000; }
  .screen { display: none; }
}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p id="summary">{{.Summary}}</p>
{{- if .Others}}
<p id="other_records">{{.Others}}.</p>
{{- end}}
{{- if .Audit}}
<p id="audit_records">{{.Audit}}.</p>
{{- end}}
<nav id="contents" aria-labelledby="contents-title">
<h2 id="contents-title">Contents</h2>
<ol>
{{- range .Contents}}
<li><a href="#{{.ID}}">{{.Title}}</a>{{if .Subs}}<ol>{{range .Subs}}<li><a href="#{{.ID}}">{{.Title}}</a></li>{{end}}</ol>{{end}}</li>
{{- end}}
</ol>
</nav>
{{range .Sections}}{{template "section" .}}{{end -}}
<footer>{{.GeneratedBy}}</footer>
</body>
</html>
`))

func (s *Summary) writeHTML(w io.Writer, opts Options) error {
	bw := bufio.NewWriter(w)
	if err := htmlTemplate.Execute(bw, s.htmlModel(opts)); err != nil {
		return err
	}
	return bw.Flush()
}
