package report

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// termWidth is the width the terminal report fits in.
const termWidth = 100

// writeTable renders the summary for a person at a terminal.
func (s *Summary) writeTable(w io.Writer, opts Options) error {
	v := s.compute(opts.Top)
	bw := bufio.NewWriter(w)
	p := &termPrinter{w: bw, color: opts.Color, loc: locOrUTC(opts.TZ)}

	p.line("%s from %s (%s skipped), %s",
		plural(v.records, "record"), plural(int64(len(s.Inputs)), "input"), count(v.skipped), p.span(v.first, v.last))
	p.line("%s in scope (%.1f%% of records), %s dropped",
		p.bold(plural(v.inScope, "invalid-grant failure")), share(v.inScope, v.records), plural(v.duplicates, "duplicate copy", "duplicate copies"))
	if line := s.othersLine(); line != "" {
		p.line("%s", line)
	}
	if line := s.auditLine(); line != "" {
		p.line("%s", line)
	}
	if hint := s.EmptyHint(p.loc); hint != "" {
		p.line("%s", hint)
	}

	p.section("Families")
	fam := p.table("family", "label", "events", "share", "users")
	for _, f := range v.families {
		fam.Append([]string{f.id, f.label, count(f.events), pct(f.events, v.inScope), count(int64(f.users))})
	}
	p.render(fam)

	p.section("Causes")
	ct := p.table("cause", "events", "share", "users", "apps", "ips", "last seen ("+p.loc.String()+")")
	for _, c := range v.causes {
		ct.Append([]string{c.id, count(c.events), pct(c.events, v.inScope), count(int64(c.users)),
			count(int64(c.apps)), count(int64(c.ips)), p.stamp(c.last)})
	}
	p.render(ct)

	if d := s.delta(v, opts.Baseline); d != nil {
		p.writeDelta(d, v)
	}

	p.writeChanges(s, v)

	if v.inScope > 0 {
		p.section("What to do")
		for ri, c := range v.causes {
			if c.events == 0 {
				continue
			}
			text := c.remediation
			if line := s.explainLine(v, ri); line != "" {
				text = line + ". " + text
			}
			p.wrapped(fmt.Sprintf("%s (%s): ", c.id, count(c.events)), text)
		}
	}

	for _, tv := range v.tables {
		rows := tv.top(opts.Top)
		if len(rows) == 0 || tv.def.name == "by_hour" { // by_time shows the time, in fewer lines
			continue
		}
		if tv.bucket != nil {
			p.section(tv.bucket.title())
			p.timeChart(s, tv, opts.Top)
			continue
		}
		title := tv.def.title
		if tv.total > len(rows) {
			title += fmt.Sprintf(" (%s of %s)", count(int64(len(rows))), count(int64(tv.total)))
		}
		p.section(title)
		keys := tv.def.cols
		if tv.def.termCols > 0 {
			keys = keys[:tv.def.termCols]
		}
		head := append(append([]string{}, keys...), "events", tv.def.distinct, "main cause")
		t := p.table(head...)
		for _, r := range rows {
			cells := make([]string, 0, len(head))
			width := 32
			if len(keys) == 1 {
				width = 44
			}
			for _, k := range r.key[:len(keys)] {
				cells = append(cells, clip(orDash(k), width))
			}
			cells = append(cells, count(r.events), count(int64(r.distinct)), s.mainCause(r))
			t.Append(cells)
		}
		p.render(t)
	}

	p.section("Failures by error code (all records, for context)")
	codes := v.codes
	if opts.Top > 0 && len(codes) > opts.Top {
		codes = codes[:opts.Top]
	}
	ft := p.table("code", "status", "records", "description")
	for _, c := range codes {
		ft.Append([]string{fmt.Sprint(c.code), c.status, count(c.records), clip(orDash(c.description), 60)})
	}
	p.render(ft)

	if v.skipped > 0 {
		p.section("Skipped records")
		p.line("%s could not be decoded; first of them:", plural(v.skipped, "record"))
		for i, sk := range s.Samples {
			if i == 5 {
				break
			}
			p.line("  %s:%d (offset %d): %s", sk.Path, sk.Line, sk.Offset, sk.Reason)
		}
	}
	for _, in := range s.Inputs {
		if kinds, ok := in.NotSignIn(); ok {
			p.line("")
			p.line("Not a sign-in export, counted apart: %s (%s)", in.Path, kinds)
		} else if in.Error != "" {
			p.line("")
			p.line("Input not fully read: %s", in.Error)
		}
	}
	if p.err != nil {
		return p.err
	}
	return bw.Flush()
}

// mainCause names the cause with the most events in a row (rule order breaks ties), and
// its share when it is not all of them: "revoked (14.7%)".
func (s *Summary) mainCause(r row) string {
	best := mainCauseOf(r)
	if best < 0 {
		return "-"
	}
	id := s.Rules.Rules[best].ID
	if r.causes[best] < r.events {
		id += fmt.Sprintf(" (%s)", pct(r.causes[best], r.events))
	}
	return id
}

type termPrinter struct {
	w     *bufio.Writer
	loc   *time.Location
	buf   bytes.Buffer
	color bool
	err   error
}

// line prints one line. Every string argument goes through [Escape], so that no value
// (a file name, a user agent, a baseline's generator) writes control bytes to the
// terminal; the printer's own styling comes as a [styled] argument, which is not escaped.
func (p *termPrinter) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = Escape(s)
		}
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

// styled is text with the printer's own escape sequences (bold), printed as it is.
type styled string

func (p *termPrinter) section(title string) {
	p.line("")
	p.line("%s", p.bold(title))
}

func (p *termPrinter) bold(s string) styled {
	if !p.color {
		return styled(Escape(s))
	}
	return styled("\x1b[1m" + Escape(s) + "\x1b[0m")
}

// numericCols are right-aligned.
var numericCols = map[string]bool{"events": true, "share": true, "users": true, "apps": true, "ips": true, "records": true, "code": true,
	"before": true, "now": true, "change": true, "share then": true, "share now": true}

// table starts a borderless table with the given header; numeric columns align right.
// It renders into a buffer so that render can trim the padding at line ends.
func (p *termPrinter) table(header ...string) termTable {
	align := make([]tw.Align, len(header))
	h := make([]string, len(header))
	for i, s := range header {
		h[i] = strings.ToUpper(s)
		align[i] = tw.AlignLeft
		if numericCols[s] {
			align[i] = tw.AlignRight
		}
	}
	p.buf.Reset()
	t := tablewriter.NewTable(&p.buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
	)
	t.Header(h)
	return termTable{t}
}

// termTable is a table whose cells are escaped as they are appended (see [Escape]), so
// that the columns are measured as they will show.
type termTable struct{ t *tablewriter.Table }

func (t termTable) Append(cells []string) {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = Escape(c)
	}
	t.t.Append(esc)
}

func (p *termPrinter) render(t termTable) {
	if p.err != nil {
		return
	}
	if p.err = t.t.Render(); p.err != nil {
		return
	}
	for line := range strings.Lines(p.buf.String()) {
		p.line("%s", strings.TrimRight(line, " \n"))
	}
}

// wrapped prints prefix then text, wrapped to termWidth with a hanging indent.
func (p *termPrinter) wrapped(prefix, text string) {
	const indent = "    "
	line := "  " + prefix
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > termWidth && strings.TrimSpace(line) != "" {
			p.line("%s", strings.TrimRight(line, " "))
			line = indent
		}
		if !strings.HasSuffix(line, " ") {
			line += " "
		}
		line += word
	}
	p.line("%s", strings.TrimRight(line, " "))
}

// listMin is how many buckets the time breakdown lists, a bar each, whatever --top.
const listMin = 24

// chartWidth is the most buckets a line of the time chart shows, a column each.
const chartWidth = 72

// chartHeight is the lines of the time chart's columns, eight steps each.
const chartHeight = 4

// timeChart shows the time breakdown, every bucket from the first to the last: a bar each
// in time order when there are at most max(top, listMin) (every one with top 0); else a
// column each, chartWidth a line, and then the top buckets with the most events. The
// buckets are at most about maxBars (see timeline.go): either fits a screen.
func (p *termPrinter) timeChart(s *Summary, tv tableView, top int) {
	b := tv.bucket
	rows := b.fill(tv.rows, len(s.Rules.Rules))
	if top == 0 || len(rows) <= max(top, listMin) {
		p.timeList(b, rows)
		return
	}
	var timed []row
	var untimed int64
	for _, r := range rows {
		if _, ok := rowStart(r); ok {
			timed = append(timed, r)
		} else {
			untimed += r.events
		}
	}
	p.timeColumns(b, timed)
	if untimed > 0 {
		p.line("  and %s without a time", plural(untimed, "failure"))
	}

	busiest := slices.DeleteFunc(slices.Clone(timed), func(r row) bool { return r.events == 0 })
	slices.SortStableFunc(busiest, func(x, y row) int { return cmp.Compare(y.events, x.events) }) // ties: in time order
	p.line("")
	p.line("Busiest %ss (%s of %s)", b.size, count(int64(min(top, len(busiest)))), count(int64(len(busiest))))
	t := p.table(b.size.String(), "events", "users", "main cause")
	for _, r := range busiest[:min(top, len(busiest))] {
		start, _ := rowStart(r)
		t.Append([]string{b.label(start), count(r.events), count(int64(r.distinct)), s.mainCause(r)})
	}
	p.render(t)
}

// timeList draws a bar per bucket, scaled to the busiest.
func (p *termPrinter) timeList(b *timeBuckets, rows []row) {
	var most int64 = 1
	labels := make([]string, len(rows))
	width := 0
	for i, r := range rows {
		most = max(most, r.events)
		labels[i] = "(no time)"
		if t, ok := rowStart(r); ok {
			labels[i] = b.label(t)
		}
		width = max(width, len(labels[i]))
	}
	const bar = 60
	for i, r := range rows {
		w := int((r.events*bar + most - 1) / most)
		p.line("  %-*s %s %s", width, labels[i], strings.Repeat("█", w), count(r.events))
	}
}

// timeColumns draws a column per bucket, scaled to the busiest, in lines of at most
// chartWidth buckets, each over an axis marked at the buckets b.tick names.
func (p *termPrinter) timeColumns(b *timeBuckets, rows []row) {
	var most int64 = 1
	peak := 0
	for i, r := range rows {
		if r.events > most {
			most, peak = r.events, i
		}
	}
	first, _ := rowStart(rows[0])
	last, _ := rowStart(rows[len(rows)-1])
	at, _ := rowStart(rows[peak])
	p.line("  A column per %s from %s to %s; the most, %s, on %s", b.size, b.label(first), b.label(last), count(most), b.label(at))
	lines := (len(rows) + chartWidth - 1) / chartWidth
	per := (len(rows) + lines - 1) / lines
	gutter := len(count(most))
	for from := 0; from < len(rows); from += per {
		part := rows[from:min(from+per, len(rows))]
		p.line("")
		for h := chartHeight - 1; h >= 0; h-- {
			var cols strings.Builder
			for _, r := range part {
				steps := int((r.events*chartHeight*8 + most - 1) / most)
				cols.WriteRune(block(steps - h*8))
			}
			label, axis := "", "│"
			if h == chartHeight-1 {
				label, axis = count(most), "┤"
			}
			p.line("  %*s %s%s", gutter, label, axis, strings.TrimRight(cols.String(), " "))
		}
		var axis, marks strings.Builder
		free := 0 // the first column a mark's label may start at
		for i, r := range part {
			t, _ := rowStart(r)
			label, ok := b.tick(t)
			if !ok && i == 0 {
				// The line's first bucket is named too, unless a mark follows too soon.
				ok = !slices.ContainsFunc(part[1:min(len(label)+1, len(part))], func(r row) bool {
					t, _ := rowStart(r)
					_, mark := b.tick(t)
					return mark
				})
			}
			if !ok || i < free {
				axis.WriteRune('─')
				continue
			}
			axis.WriteRune('┬')
			marks.WriteString(strings.Repeat(" ", i-marks.Len()))
			marks.WriteString(label)
			free = i + len(label) + 1
		}
		p.line("  %*s └%s", gutter, "", axis.String())
		p.line("  %*s  %s", gutter, "", marks.String())
	}
}

// block is the character of a column's line that holds steps eighths of it.
func block(steps int) rune {
	switch {
	case steps <= 0:
		return ' '
	case steps >= 8:
		return '█'
	}
	return []rune("▁▂▃▄▅▆▇")[steps-1]
}

func count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// plural is n and its noun, "1 record", "2 records"; many is the plural when it is not
// noun+"s" ("duplicate copy", "duplicate copies").
func plural(n int64, noun string, many ...string) string {
	if n == 1 {
		return "1 " + noun
	}
	if len(many) > 0 {
		return count(n) + " " + many[0]
	}
	return count(n) + " " + noun + "s"
}

func pct(part, whole int64) string { return fmt.Sprintf("%.1f%%", share(part, whole)) }

func (p *termPrinter) stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(p.loc).Format("2006-01-02 15:04")
}

func (p *termPrinter) span(first, last time.Time) string {
	if first.IsZero() {
		return "no record times"
	}
	return fmt.Sprintf("%s to %s %s", p.stamp(first), p.stamp(last), p.loc)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip escapes s (see [Escape]: control characters could move the cursor or recolour the
// terminal) and shortens it to at most n runes, so that tables stay within the terminal.
func clip(s string, n int) string {
	s = Escape(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// writeDelta shows what changed since the baseline.
func (p *termPrinter) writeDelta(d *delta, v *view) {
	when := "no record times"
	if d.first != nil && d.last != nil {
		when = *d.first + " to " + *d.last
	}
	p.section("Changes since the baseline")
	p.line("%s (%s, %s): %s in scope then, %s now (%s)", d.name, d.generatedBy, when,
		count(d.inScopeBefore), count(v.inScope), signed(v.inScope-d.inScopeBefore))
	if n := d.note(); n != "" {
		p.wrapped("", "Note: "+n)
	}
	t := p.table("family or cause", "before", "now", "change", "share then", "share now")
	for _, rows := range [][]deltaRow{d.families, d.causes} {
		for _, r := range rows {
			if !r.compared || r.before == 0 && r.after == 0 {
				continue
			}
			t.Append([]string{r.id, count(r.before), count(r.after), signed(r.after - r.before),
				fmt.Sprintf("%.1f%%", r.shareBefore), fmt.Sprintf("%.1f%%", r.shareAft)})
		}
	}
	p.render(t)
	if len(d.newCauses) > 0 {
		p.line("New since the baseline: %s", strings.Join(d.newCauses, ", "))
	}
	for _, m := range []struct {
		title string
		rows  []mover
	}{{"Top movers among apps", d.appMovers}, {"Top movers among users", d.userMovers}} {
		if len(m.rows) == 0 {
			continue
		}
		p.line("")
		p.line("%s", m.title)
		mt := p.table("name", "before", "now", "change")
		for _, r := range m.rows {
			mt.Append([]string{clip(orDash(r.key), 44), count(r.before), count(r.after), signed(r.after - r.before)})
		}
		p.render(mt)
	}
}
