package report

import (
	"bufio"
	"fmt"
	"math"
	"strings"
	"time"
)

// How the reports for people and the table files show the audit join. A sweep that read
// no audit record shows none of it (its reports are what they were before the join); one
// that read some shows the section "What changed before the failures": the changes that
// explain failures, the policy changes in the window that explain none apart, and per
// cause how many of its events changes explain. The JSON summary always has the members.

// changeSection is the title of the section, the same in every format.
const changeSection = "What changed before the failures"

// contextTitle is the title of the policy changes that explain nothing.
const contextTitle = "Policy changes in the window that explain no failure"

// showChanges reports whether the reports show the audit join: audit records were read.
func (s *Summary) showChanges() bool { return s.auditRecords > 0 }

// changeTables are the tables by_change and change_context of the report's model; none
// when no audit record was read.
func (s *Summary) changeTables(v *view, opts Options) []Table {
	if !s.showChanges() {
		return nil
	}
	spec := []string{"kind", "label", "activity", "actor", "target", "target_type", "time", "audit_ids", "#events", "#users", "main_cause"}
	if opts.ForFiles {
		spec = append(spec, "#main_cause_share")
	}
	rowsOf := func(name, title string, rows []chgRow) Table {
		t := Table{Name: name, Title: title, Columns: cols(spec...)}
		for i := range rows {
			r := &rows[i]
			cells := s.changeCells(r, opts.cellTime)
			cells = append(cells, fmt.Sprint(r.events), fmt.Sprint(r.users))
			t.Rows = append(t.Rows, s.appendMainCause(cells, row{events: r.events, causes: r.causes}, opts))
		}
		return t
	}
	return []Table{rowsOf("by_change", changeSection, v.chg.rows), rowsOf("change_context", contextTitle, v.chg.context)}
}

// explainLine says how many of cause ri's events changes explain, in the words of "What
// to do": "18 after Update StsRefreshTokenValidFrom Timestamp by admin@contoso.com, 3
// changes; 7 unexplained" (the change that explains the most of them, its actor, how
// many changes explain some, how many events none does); "" when none is explained.
func (s *Summary) explainLine(v *view, ri int) string {
	cv := v.chg
	if cv == nil || cv.explained[ri] == 0 {
		return ""
	}
	m := &cv.rows[cv.mainOf[ri]]
	return fmt.Sprintf("%s after %s by %s, %s; %s unexplained", count(cv.explained[ri]), orDash(m.c.Activity), orDash(m.c.Actor),
		plural(int64(cv.changesOf[ri]), "change"), count(v.causes[ri].events-cv.explained[ri]))
}

// noChangeLine is what the section says when no change explains a failure.
func (s *Summary) noChangeLine() string {
	return fmt.Sprintf("%s read; no directory change of a known kind explains a failure.", plural(s.auditRecords, "audit record"))
}

// writeChangesTerm writes the section for the terminal.
func (p *termPrinter) writeChanges(s *Summary, v *view) {
	if !s.showChanges() {
		return
	}
	p.section(changeSection)
	if len(v.chg.rows) == 0 {
		p.line("%s", s.noChangeLine())
	} else {
		// 100 columns: the kind and the causes are in the JSON summary and the files.
		t := p.table("time ("+p.loc.String()+")", "activity", "actor", "target", "events", "users")
		for _, r := range v.chg.rows {
			t.Append([]string{p.stamp(r.c.Time), clip(orDash(r.c.Activity), 26), clip(orDash(r.c.Actor), 18),
				clip(orDash(changeTarget(&r.c.Target)), 18), count(r.events), count(int64(r.users))})
		}
		p.render(t)
	}
	if len(v.chg.context) > 0 {
		p.line("")
		p.line("%s:", contextTitle)
		t := p.table("time ("+p.loc.String()+")", "activity", "actor", "target")
		for _, r := range v.chg.context {
			t.Append([]string{p.stamp(r.c.Time), clip(orDash(r.c.Activity), 26), clip(orDash(r.c.Actor), 18), clip(orDash(changeTarget(&r.c.Target)), 20)})
		}
		p.render(t)
	}
}

// chartMarker is a change drawn on a time chart: a vertical line at its time.
type chartMarker struct {
	Time  time.Time
	Title string // tooltip, shown (escaped)
}

// changeMarkers are the changes that explain failures, for the causes-over-time chart.
func (s *Summary) changeMarkers(v *view, loc *time.Location) []chartMarker {
	if v.chg == nil {
		return nil
	}
	var out []chartMarker
	for _, r := range v.chg.rows {
		out = append(out, chartMarker{Time: r.c.Time, Title: Escape(fmt.Sprintf("%s: %s by %s on %s, %s (%s)", displayTime(r.c.Time, loc),
			orDash(r.c.Activity), orDash(r.c.Actor), orDash(changeTarget(&r.c.Target)), plural(r.events, "failure")+" explained", s.Rules.Changes[r.c.Kind].ID))})
	}
	return out
}

// markerX is where a time falls on a time chart's axis of n buckets from left, step
// apart: within its bucket by the share of the bucket gone; false outside the buckets.
func markerX(ts timeSeries, t time.Time, left, step px) (px, bool) {
	n := len(ts.Points)
	if n == 0 || t.Before(ts.Points[0].Start) {
		return 0, false
	}
	i := n - 1
	for j := 1; j < n; j++ {
		if t.Before(ts.Points[j].Start) {
			i = j - 1
			break
		}
	}
	var length time.Duration
	switch {
	case i+1 < n:
		length = ts.Points[i+1].Start.Sub(ts.Points[i].Start)
	case n > 1:
		length = ts.Points[i].Start.Sub(ts.Points[i-1].Start)
	default:
		length = map[string]time.Duration{"hour": time.Hour, "day": 24 * time.Hour, "week": 7 * 24 * time.Hour,
			"month": 31 * 24 * time.Hour, "year": 366 * 24 * time.Hour}[ts.Bucket]
	}
	frac := 0.5
	if length > 0 {
		frac = float64(t.Sub(ts.Points[i].Start)) / float64(length)
	}
	if frac >= 1 {
		return 0, false // after the last bucket
	}
	return left + (px(i)+px(math.Max(frac, 0)))*step, true
}

// htmlChanges is the section of the HTML report: per cause how many of its events
// changes explain, the changes, and the policy changes that explain none apart. Its
// tables are narrower than the files' (the kind and the target's type as notes, the
// audit ids as the time's tooltip, the causes in the paragraphs above them), so that
// they fit the page.
func (s *Summary) htmlChanges(v *view, loc *time.Location) htmlSection {
	sec := htmlSection{ID: "what-changed", Title: changeSection, Level: 2}
	for _, ri := range s.causesByEvents(v) {
		if line := s.explainLine(v, ri); line != "" {
			sec.Paras = append(sec.Paras, fmt.Sprintf("%s (%s): %s.", v.causes[ri].id, count(v.causes[ri].events), line))
		}
	}
	table := func(name string, rows []chgRow, explains bool) htmlTable {
		h := htmlTable{Name: name, Class: "changes", Empty: s.noChangeLine(), Cols: []htmlCol{{Name: "Time", Class: "time"}, {Name: "Change"}, {Name: "Actor"}, {Name: "Target"}}}
		if explains {
			h.Cols = append(h.Cols, htmlCol{Name: "Events", Class: "num"}, htmlCol{Name: "Users", Class: "num"})
		}
		for _, r := range rows {
			kind := s.Rules.Changes[r.c.Kind]
			cells := []htmlCell{{Text: displayTime(r.c.Time, loc), Class: "time", Title: "audit ids: " + strings.Join(r.c.AuditIDs, " ")},
				{Text: orDash(r.c.Activity), Note: kind.ID}, {Text: orDash(r.c.Actor)}, {Text: orDash(changeTarget(&r.c.Target)), Note: r.c.Target.Type}}
			if explains {
				cells = append(cells, num(r.events), num(int64(r.users)))
			}
			h.Rows = append(h.Rows, htmlRow{Cells: cells})
		}
		return h
	}
	sec.Tables = append(sec.Tables, table("by_change", v.chg.rows, true))
	if len(v.chg.context) > 0 {
		cc := table("change_context", v.chg.context, false)
		cc.Caption = contextTitle
		sec.Tables = append(sec.Tables, cc)
	}
	return sec
}

// writeMarkdownExplained writes, per cause with events a change explains, how many.
func (s *Summary) writeMarkdownExplained(w *bufio.Writer, v *view) {
	n := 0
	for _, ri := range s.causesByEvents(v) {
		if line := s.explainLine(v, ri); line != "" {
			fmt.Fprintf(w, "- %s (%s): %s\n", mdEscape(v.causes[ri].id), count(v.causes[ri].events), mdEscape(line))
			n++
		}
	}
	if n > 0 {
		w.WriteString("\n")
	}
}

// auditLine is the line the reports for people show when audit records were read ("22
// directory audit records read for the audit join: 4 change records (...)"); "" for none.
func (s *Summary) auditLine() string {
	if !s.showChanges() {
		return ""
	}
	return fmt.Sprintf("%s read for the audit join: %s", plural(s.auditRecords, "directory audit record"), plural(int64(len(s.changes)), "change record"))
}
