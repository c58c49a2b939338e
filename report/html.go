package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"slices"
	"time"
)

// The HTML report is one self-contained file: inline CSS, charts as inline SVG, no script
// and no network (its Content-Security-Policy forbids both). Every value goes through
// html/template, so user agents and UPNs, which attackers control, render as text.

type htmlPage struct {
	Title, Summary, GeneratedBy string
	Others                      string // records of other logs counted apart; "" for none
	Tables                      []Table
	Timeline                    htmlChart
	Families                    htmlChart
	Apps                        htmlChart
	Legend                      []htmlLegend
}

type htmlChart struct {
	Width, Height int
	Bars          []htmlBar
	Labels        []htmlText
}

type htmlBar struct {
	X, Y, W, H int
	Fill       string
	Title      string // tooltip
}

type htmlText struct {
	X, Y   int
	Anchor string
	Text   string
}

type htmlLegend struct{ Name, Fill string }

var familyColours = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

func (s *Summary) htmlModel(opts Options) htmlPage {
	v := s.compute(opts.Top)
	p := htmlPage{
		Title: "grantsweep: invalid-grant failures",
		Summary: fmt.Sprintf("%s from %s (%s skipped), %s. %s in scope (%.1f%%), %s dropped.",
			plural(v.records, "record"), plural(int64(len(s.Inputs)), "input"), count(v.skipped), spanIn(v.first, v.last, opts.TZ),
			plural(v.inScope, "invalid-grant failure"), share(v.inScope, v.records), plural(v.duplicates, "duplicate copy", "duplicate copies")),
		GeneratedBy: opts.GeneratedBy,
		Others:      s.othersLine(),
		Tables:      s.tables(v, opts),
	}
	fill := func(fam int) string { return familyColours[fam%len(familyColours)] }
	for i, f := range v.families {
		p.Legend = append(p.Legend, htmlLegend{Name: f.id, Fill: fill(i)})
	}

	// Causes over time: a bar per hour, stacked by family.
	var hours tableView
	for _, tv := range v.tables {
		if tv.def.name == "by_hour" {
			hours = tv
		}
	}
	hours.rows = fillHours(hours.rows, len(s.Rules.Rules), 14*24*time.Hour)
	const tw, th, left, bottom = 900, 220, 40, 30
	p.Timeline = htmlChart{Width: tw, Height: th}
	var most int64 = 1
	for _, r := range hours.rows {
		most = max(most, r.events)
	}
	if n := len(hours.rows); n > 0 {
		step := (tw - left) / n
		bw := max(step-2, 1)
		for i, r := range hours.rows {
			x := left + i*step
			y := th - bottom
			for fi, f := range v.families {
				var n int64
				for ri, rule := range s.Rules.Rules {
					if rule.Family == f.id {
						n += r.causes[ri]
					}
				}
				if n == 0 {
					continue
				}
				h := int(float64(n) / float64(most) * float64(th-bottom-10))
				y -= h
				label := r.key[0]
				if t, err := time.Parse(time.RFC3339, label); err == nil {
					label = displayTime(t, opts.TZ)
				}
				p.Timeline.Bars = append(p.Timeline.Bars, htmlBar{X: x, Y: y, W: bw, H: h, Fill: fill(fi), Title: fmt.Sprintf("%s: %s %d", label, f.id, n)})
			}
			if i == 0 || i == n-1 || n <= 12 || i%(n/6+1) == 0 {
				label := r.key[0]
				if t, err := time.Parse(time.RFC3339, label); err == nil {
					label = t.In(locOrUTC(opts.TZ)).Format("01-02 15h")
				}
				p.Timeline.Labels = append(p.Timeline.Labels, htmlText{X: x + bw/2, Y: th - 10, Anchor: "middle", Text: label})
			}
		}
		p.Timeline.Labels = append(p.Timeline.Labels, htmlText{X: left - 4, Y: 20, Anchor: "end", Text: count(most)})
	}

	// Family shares and top apps: horizontal bars.
	hbars := func(labels []string, values []int64, fills []string) htmlChart {
		const w, rowH, labelW = 900, 24, 300
		c := htmlChart{Width: w, Height: rowH*len(labels) + 10}
		var top int64 = 1
		for _, n := range values {
			top = max(top, n)
		}
		for i, l := range labels {
			bw := int(float64(values[i]) / float64(top) * float64(w-labelW-80))
			y := 5 + i*rowH
			c.Bars = append(c.Bars, htmlBar{X: labelW, Y: y, W: bw, H: rowH - 6, Fill: fills[i%len(fills)], Title: fmt.Sprintf("%s: %d", l, values[i])})
			c.Labels = append(c.Labels, htmlText{X: labelW - 6, Y: y + rowH - 11, Anchor: "end", Text: clip(l, 40)},
				htmlText{X: labelW + bw + 6, Y: y + rowH - 11, Anchor: "start", Text: fmt.Sprintf("%s (%s)", count(values[i]), pct(values[i], v.inScope))})
		}
		return c
	}
	var fl []string
	var fv []int64
	var ff []string
	for i, f := range v.families {
		fl, fv, ff = append(fl, f.label), append(fv, f.events), append(ff, fill(i))
	}
	p.Families = hbars(fl, fv, ff)
	var al []string
	var av []int64
	for _, tv := range v.tables {
		if tv.def.name == "by_app" {
			for _, r := range tv.top(10) {
				al, av = append(al, orDash(r.key[0])), append(av, r.events)
			}
		}
	}
	p.Apps = hbars(al, av, []string{"#4e79a7"})
	p.escape()
	return p
}

// escape passes every text of the page through [Escape]: html/template makes values
// inert as markup, not as terminal control (a saved report is also read with cat or less)
// or bidirectional overrides that reorder what a reader sees.
func (p *htmlPage) escape() {
	p.Title, p.Summary, p.GeneratedBy, p.Others = Escape(p.Title), Escape(p.Summary), Escape(p.GeneratedBy), Escape(p.Others)
	tables := make([]Table, len(p.Tables))
	for i, t := range p.Tables {
		t.Name, t.Title = Escape(t.Name), Escape(t.Title)
		t.Columns = slices.Clone(t.Columns)
		for j := range t.Columns {
			t.Columns[j].Name = Escape(t.Columns[j].Name)
		}
		rows := make([][]string, len(t.Rows))
		for j, r := range t.Rows {
			rows[j] = make([]string, len(r))
			for k, c := range r {
				rows[j][k] = Escape(c)
			}
		}
		t.Rows = rows
		tables[i] = t
	}
	p.Tables = tables
	for i := range p.Legend {
		p.Legend[i].Name = Escape(p.Legend[i].Name)
	}
	for _, c := range []*htmlChart{&p.Timeline, &p.Families, &p.Apps} {
		for i := range c.Bars {
			c.Bars[i].Title = Escape(c.Bars[i].Title)
		}
		for i := range c.Labels {
			c.Labels[i].Text = Escape(c.Labels[i].Text)
		}
	}
}

// fillHours adds empty rows for the hours without events between the first and the last,
// when they span at most maxSpan, so that a time axis is even. Rows without a time (key
// "") go last.
func fillHours(rows []row, rules int, maxSpan time.Duration) []row {
	var timed []time.Time
	var untimed []row
	byHour := map[time.Time]row{}
	for _, r := range rows {
		if t, err := time.Parse(time.RFC3339, r.key[0]); err == nil {
			timed = append(timed, t)
			byHour[t] = r
		} else {
			untimed = append(untimed, r)
		}
	}
	if len(timed) < 2 || timed[len(timed)-1].Sub(timed[0]) > maxSpan {
		return append(slices.DeleteFunc(slices.Clone(rows), func(r row) bool { return r.key[0] == "" }), untimed...)
	}
	var out []row
	for t := timed[0]; !t.After(timed[len(timed)-1]); t = t.Add(time.Hour) {
		r, ok := byHour[t]
		if !ok {
			r = row{key: []string{t.Format(time.RFC3339)}, causes: make([]int64, rules)}
		}
		out = append(out, r)
	}
	return append(out, untimed...)
}

func locOrUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f4f4f4; white-space: nowrap; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
.legend span { display: inline-block; margin-right: 1.2em; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
footer { color: #777; margin-top: 3em; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p id="summary">{{.Summary}}</p>
{{- if .Others}}
<p id="other_records">{{.Others}}.</p>
{{- end}}

<h2>Causes over time</h2>
<div class="legend">{{range .Legend}}<span><i style="background: {{.Fill}}"></i>{{.Name}}</span>{{end}}</div>
{{template "chart" .Timeline}}
<h2>Family shares</h2>
{{template "chart" .Families}}
<h2>Top apps</h2>
{{template "chart" .Apps}}

{{range .Tables}}
<h2 id="{{.Name}}">{{.Title}}</h2>
{{if .Rows}}<table class="report" data-table="{{.Name}}">
<thead><tr>{{range .Columns}}<th{{if .Numeric}} class="num"{{end}}>{{.Name}}</th>{{end}}</tr></thead>
<tbody>
{{- $cols := .Columns}}{{range .Rows}}
<tr>{{range $i, $c := .}}<td{{if (index $cols $i).Numeric}} class="num"{{end}}>{{$c}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>{{else}}<p>(none)</p>{{end}}
{{end}}
<footer>{{.GeneratedBy}}</footer>
</body>
</html>
{{define "chart"}}<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img">
{{- range .Bars}}
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}"><title>{{.Title}}</title></rect>
{{- end}}
{{- range .Labels}}
<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}">{{.Text}}</text>
{{- end}}
</svg>{{end}}
`))

func (s *Summary) writeHTML(w io.Writer, opts Options) error {
	bw := bufio.NewWriter(w)
	if err := htmlTemplate.Execute(bw, s.htmlModel(opts)); err != nil {
		return err
	}
	return bw.Flush()
}
