package report

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// The charts of the HTML report are inline SVG drawn in user units. Each chart's viewBox
// is sized to hold everything it draws: the page scales it to the width at hand (it never
// grows past its natural size), and no label is cut at its edge. Text widths are estimated
// from per-character advances, taken as the wider of DejaVu Sans and Liberation Sans
// (Verdana's and Arial's metrics; system-ui faces are narrower), so that a label fits
// in the faces people have.

// svgChart is one chart: its viewBox (origin 0, 0), and what it draws.
type svgChart struct {
	Title string // the chart's accessible name
	W, H  px
	Bars  []svgBar
	Lines []svgLine
	Texts []svgText
	// Markers are the directory changes on a time chart: vertical lines at their times.
	Markers []svgMarker
}

type svgMarker struct {
	X, Y1, Y2 px
	Title     string // tooltip
}

type svgBar struct {
	X, Y, W, H px
	Fill       string
	Title      string // tooltip
}

type svgLine struct {
	X1, Y1, X2, Y2 px
	Class          string
}

type svgText struct {
	X, Y   px
	Anchor string // start, middle or end
	Text   string
}

// px is a length in the chart's user units, written with at most two decimals.
type px float64

func (p px) String() string {
	return strconv.FormatFloat(math.Round(float64(p)*100)/100, 'f', -1, 64)
}

// fontSize is the size of every text of a chart, in user units (the page's CSS says so).
const fontSize = 12

// advances are the widths of the printable ASCII characters, from ' ' to '~', in
// thousandths of an em: the wider of DejaVu Sans and Liberation Sans.
var advances = [95]uint16{
	318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, // space to /
	636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 556, // 0 to ?
	1015, 684, 686, 722, 770, 667, 611, 778, 752, 295, 500, 667, 557, 863, 748, 787, // @ to O
	667, 787, 722, 667, 611, 732, 684, 989, 685, 667, 685, 390, 337, 390, 838, 556, // P to _
	500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, // ` to o
	635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838, // p to ~
}

// kernedApart are the pairs of characters that DejaVu Sans sets further apart than their
// advances (its kerning), in thousandths of an em, as chromium lays them out: a run of As
// is 4% wider than its advances say. Either order of a pair.
var kernedApart = map[[2]rune]int{
	{'-', 'Q'}: 32, {'-', 'O'}: 27, {'A', 'A'}: 27, {'-', 'o'}: 18, {'-', 'G'}: 18,
	{'A', 'L'}: 12, {'-', 'J'}: 12, {'A', 'S'}: 9,
}

// textWidth estimates the width of s as a chart draws it, in user units: s as shown,
// that is after [Escape].
func textWidth(s string) px {
	var em int
	var prev rune
	for _, r := range s {
		if k, ok := kernedApart[[2]rune{prev, r}]; ok {
			em += k
		} else if k, ok := kernedApart[[2]rune{r, prev}]; ok {
			em += k
		}
		prev = r
		switch {
		case r >= ' ' && r <= '~':
			em += int(advances[r-' '])
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
			// combining marks take no room
		case r >= 0x1F000:
			em += 1300 // emoji and pictographs
		default:
			em += 1000 // letters of other scripts, CJK, symbols
		}
	}
	return px(em) * fontSize / 1000
}

// fit returns s shown (escaped, see [Escape]) and cut to at most n runes, with an
// ellipsis when cut: a label that long says less than the tooltip and table beside it.
func fit(s string, n int) string {
	s = Escape(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// hbarItem is one row of a horizontal bar chart.
type hbarItem struct {
	Label string // left of the bar
	N     int64
	Value string // right of the bar
	Fill  string
	Title string // tooltip
}

// hbarChart draws a bar per item, scaled to the largest, with its label on the left and
// its value on the right; the viewBox is as wide as the longest label and value need.
func hbarChart(title string, items []hbarItem) svgChart {
	const pad, gap, rowH, barMax = 4, 8, 24, 300
	var labelW, valueW px
	for i := range items {
		items[i].Label, items[i].Value = fit(items[i].Label, 48), Escape(items[i].Value)
		labelW = max(labelW, textWidth(items[i].Label))
		valueW = max(valueW, textWidth(items[i].Value))
	}
	var top int64 = 1
	for _, it := range items {
		top = max(top, it.N)
	}
	x0 := pad + labelW + gap
	c := svgChart{Title: title, W: x0 + barMax + gap + valueW + pad, H: px(rowH*len(items) + 10)}
	for i, it := range items {
		y := px(5 + i*rowH)
		w := px(float64(it.N) / float64(top) * barMax)
		c.Bars = append(c.Bars, svgBar{X: x0, Y: y, W: w, H: rowH - 6, Fill: it.Fill, Title: it.Title})
		c.Texts = append(c.Texts,
			svgText{X: x0 - gap, Y: y + rowH - 11, Anchor: "end", Text: it.Label},
			svgText{X: x0 + w + gap, Y: y + rowH - 11, Anchor: "start", Text: it.Value})
	}
	return c
}

// timeLayer is one colour of a stacked time chart: the events of its causes.
type timeLayer struct {
	Name  string
	Fill  string
	Rules []int // rule indexes
}

// timeChart draws a bar per bucket of ts, stacked by layer, on an axis of evenly spaced
// buckets: bar i starts at left + i*step, step being the plot's width over the number of
// buckets (a fraction of a unit when there are more buckets than units).
//
// markers are drawn over the bars as vertical lines at their times, with their titles as
// tooltips; those outside the buckets are left out.
func timeChart(title string, ts timeSeries, layers []timeLayer, loc *time.Location, markers ...chartMarker) svgChart {
	const w, h, top, bottom, right = 560, 240, 12, 34, 8
	c := svgChart{Title: title, W: w, H: h}
	n := len(ts.Points)
	if n == 0 {
		return c
	}
	var most int64 = 1
	for _, p := range ts.Points {
		most = max(most, p.Events)
	}
	ticks := []int64{0, most}
	if most >= 4 {
		ticks = []int64{0, most / 2, most}
	}
	var tickW px
	for _, t := range ticks {
		tickW = max(tickW, textWidth(count(t)))
	}
	left := 4 + tickW + 6
	plotW, plotH := px(w-right)-left, px(h-top-bottom)
	base := px(h - bottom)
	step := plotW / px(n)
	bw := step
	if step > 2 {
		bw = step * 0.8
	}
	for _, t := range ticks {
		y := base - px(float64(t)/float64(most))*plotH
		class := "rule"
		if t == 0 {
			class = "axis"
		}
		c.Lines = append(c.Lines, svgLine{X1: left, Y1: y, X2: px(w - right), Y2: y, Class: class})
		c.Texts = append(c.Texts, svgText{X: left - 6, Y: y + 4, Anchor: "end", Text: count(t)})
	}
	for i, p := range ts.Points {
		x := left + px(i)*step + (step-bw)/2
		y := base
		for _, l := range layers {
			var k int64
			for _, ri := range l.Rules {
				k += p.Causes[ri]
			}
			if k == 0 {
				continue
			}
			bh := px(float64(k)/float64(most)) * plotH
			y -= bh
			c.Bars = append(c.Bars, svgBar{X: x, Y: y, W: bw, H: bh, Fill: l.Fill,
				Title: fmt.Sprintf("%s: %s %s of %s", ts.label(p.Start, loc), Escape(l.Name), count(k), count(p.Events))})
		}
	}
	for _, m := range markers {
		if x, ok := markerX(ts, m.Time, left, step); ok {
			c.Markers = append(c.Markers, svgMarker{X: x, Y1: px(top), Y2: base, Title: m.Title})
		}
	}
	// Labels under the axis, as many as fit side by side, each centred under its bar but
	// kept inside the chart; one that would then touch the label before it is left out.
	var labelW px
	for _, p := range ts.Points {
		labelW = max(labelW, textWidth(ts.tick(p.Start, loc)))
	}
	const labelGap = 12
	every := max(1, int(math.Ceil(float64(labelW+labelGap)/float64(step))))
	prevRight := px(math.Inf(-1))
	for i := 0; i < n; i += every {
		text := ts.tick(ts.Points[i].Start, loc)
		tw := textWidth(text)
		mid := left + (px(i)+0.5)*step
		x := min(max(mid, tw/2+2), px(w)-tw/2-2)
		if x-tw/2 < prevRight+labelGap {
			continue
		}
		prevRight = x + tw/2
		c.Lines = append(c.Lines, svgLine{X1: mid, Y1: base, X2: mid, Y2: base + 4, Class: "axis"})
		c.Texts = append(c.Texts, svgText{X: x, Y: base + 20, Anchor: "middle", Text: text})
	}
	return c
}
