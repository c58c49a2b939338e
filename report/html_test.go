package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

// fourMonths writes a JSON Lines export of sign-ins from 2026-08-03 to 2026-11-27, about
// 4,000 failures in scope among successes, with a mass revocation in October and a Token
// Protection roll-out in September, and returns its summary. The file is the same on
// every run (a seeded generator).
func fourMonths(t testing.TB) *Summary {
	t.Helper()
	path := filepath.Join(t.TempDir(), "four-months.jsonl")
	if err := os.WriteFile(path, fourMonthsJSONL(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := New(rules.Default())
	readFiles(t, s, path)
	s.Inputs[0].Path = "four-months.jsonl"
	return s
}

func fourMonthsJSONL() []byte {
	type failure struct {
		code           int
		reason, detail string
		weight         int
		tp             string
	}
	const devErr = "Developer error - the app is attempting to sign in without the necessary or correct authentication parameters."
	background := []failure{
		{0, "Other.", "", 60, ""},
		{50126, "Error validating credentials due to invalid username or password.", "", 4, ""},
		{70000, "Provided grant is invalid or malformed.", devErr, 9, ""},
		{700082, "The refresh token has expired due to inactivity.", "", 6, ""},
		{700084, "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime.", "", 3, ""},
		{70044, "The session has expired or is invalid due to sign-in frequency checks by conditional access.", "", 3, ""},
		{54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.", "", 2, ""},
		{7000018, "Token binding header is empty.", "", 1, ""},
		{50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed.", "", 2, ""},
	}
	revocation := failure{50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed.", "", 0, ""}
	protection := failure{530084, "Access has been blocked by token protection sign-in session policy.", "Token Protection requires a device-bound session.", 0, "unbound"}
	apps := []string{"Microsoft Teams", "Outlook Mobile", "Microsoft Office", "OneDrive SyncEngine", "Azure Portal", "Microsoft Azure CLI",
		"Contoso Expenses (SPA)", "Microsoft Authentication Broker", "Contoso Field Service",
		"Contoso Line-of-Business Expense Reporting and Approvals Portal (Production, West Europe)", "Skype for Business Online", "Power BI"}
	countries := []string{"NL", "DE", "US", "GB", "FR", "IE", "AU", "BR"}
	r := rand.New(rand.NewPCG(2026, 8))
	pick := func(fs []failure) failure {
		total := 0
		for _, f := range fs {
			total += f.weight
		}
		n := r.IntN(total)
		for _, f := range fs {
			if n -= f.weight; n < 0 {
				return f
			}
		}
		return fs[0]
	}
	var b bytes.Buffer
	start := time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)
	id := 0
	for at := start; at.Before(end); at = at.Add(time.Duration(20+r.IntN(50)) * time.Minute) {
		f := pick(background)
		switch {
		case at.Month() == time.October && at.Day() >= 14 && at.Day() <= 16 && r.IntN(10) < 9:
			f = revocation // a tenant-wide revocation: many users at once
		case at.Month() == time.September && at.Day() >= 8 && r.IntN(3) == 0:
			f = protection
		}
		copies := 1
		if f == revocation {
			copies = 6
		}
		for range copies {
			id++
			u := r.IntN(240)
			app := apps[min(r.IntN(len(apps)+4), len(apps)-1)]
			if u%17 == 0 {
				app = apps[9] // a long app name, for label widths
			}
			rec := map[string]any{
				"id":                fmt.Sprintf("00000000-0000-4000-8000-%012d", id),
				"createdDateTime":   at.Add(time.Duration(r.IntN(60)) * time.Second).Format(time.RFC3339),
				"userPrincipalName": fmt.Sprintf("user%03d@contoso.com", u),
				"userId":            fmt.Sprintf("10000000-0000-4000-8000-%012d", u),
				"appDisplayName":    app,
				"appId":             fmt.Sprintf("20000000-0000-4000-8000-%012d", slices.Index(apps, app)),
				"ipAddress":         fmt.Sprintf("198.51.100.%d", 1+u%40),
				"clientAppUsed":     "Mobile Apps and Desktop clients",
				"location":          map[string]any{"countryOrRegion": countries[u%len(countries)]},
				"deviceDetail":      map[string]any{"operatingSystem": []string{"Windows 11", "MacOs", "Ios", "Android"}[u%4], "browser": "Edge 131.0.0"},
				"status":            map[string]any{"errorCode": f.code, "failureReason": f.reason, "additionalDetails": f.detail},
			}
			if f.tp != "" {
				rec["tokenProtectionStatusDetails"] = map[string]any{"signInSessionStatus": f.tp, "signInSessionStatusCode": 1002 + u%3}
			}
			line, _ := json.Marshal(rec)
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// samplesAndHostile is the summary of samples/ merged with hostile values.
func samplesAndHostile(t testing.TB) *Summary {
	t.Helper()
	paths := samplePaths(t)
	s := New(rules.Default())
	readFiles(t, s, paths...)
	s.Merge(hostile())
	return s
}

func renderHTML(t testing.TB, s *Summary, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.Write(&b, FormatHTML, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// chart is an SVG chart of a page as the page writes it: its viewBox, its axis, its bars
// and its texts (with the estimated width, or the width a browser measured).
type chart struct {
	Label  string
	W, H   float64
	X1, X2 float64 // the horizontal extent of its first axis line
	Bars   []bar
	Texts  []textBox
}

// bar is a rectangle and what its tooltip names: a time chart's bucket, before ": ".
type bar struct {
	box
	Title string
}

type box struct{ X, Y, W, H float64 }

type textBox struct {
	Text string
	box
}

var (
	svgRE  = regexp.MustCompile(`(?s)<svg [^>]*class="chart"[^>]*viewBox="0 0 ([\d.]+) ([\d.]+)"[^>]*aria-label="([^"]*)"[^>]*>(.*?)</svg>`)
	rectRE = regexp.MustCompile(`<rect x="([-\d.]+)" y="([-\d.]+)" width="([-\d.]+)" height="([-\d.]+)"[^>]*><title>([^<]*)</title>`)
	axisRE = regexp.MustCompile(`<line x1="([-\d.]+)" y1="[-\d.]+" x2="([-\d.]+)" y2="[-\d.]+" class="axis"/>`)
	textRE = regexp.MustCompile(`<text x="([-\d.]+)" y="([-\d.]+)" text-anchor="(\w+)">([^<]*)</text>`)
)

// pageCharts reads the charts of a page, each text's box from its position, anchor and
// estimated width ([textWidth]), 0.93 em above the baseline and 0.24 em below it (DejaVu
// Sans's ascent and descent, the tallest of the faces estimated).
func pageCharts(t *testing.T, page string) []chart {
	t.Helper()
	f := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("a chart holds the number %q", s)
		}
		return v
	}
	var out []chart
	for _, m := range svgRE.FindAllStringSubmatch(page, -1) {
		c := chart{Label: html.UnescapeString(m[3]), W: f(m[1]), H: f(m[2])}
		for _, r := range rectRE.FindAllStringSubmatch(m[4], -1) {
			c.Bars = append(c.Bars, bar{box{f(r[1]), f(r[2]), f(r[3]), f(r[4])}, html.UnescapeString(r[5])})
		}
		if a := axisRE.FindStringSubmatch(m[4]); a != nil {
			c.X1, c.X2 = f(a[1]), f(a[2])
		}
		for _, x := range textRE.FindAllStringSubmatch(m[4], -1) {
			text := html.UnescapeString(x[4])
			w := float64(textWidth(text))
			left := f(x[1])
			switch x[3] {
			case "middle":
				left -= w / 2
			case "end":
				left -= w
			}
			c.Texts = append(c.Texts, textBox{text, box{left, f(x[2]) - 0.93*fontSize, w, 1.17 * fontSize}})
		}
		out = append(out, c)
	}
	return out
}

// checkCharts fails the test when a chart's text leaves its viewBox or overlaps another
// text, a bar leaves the viewBox, or a time chart's bars share an x position or crowd
// into a part of the chart.
func checkCharts(t *testing.T, what string, charts []chart) {
	t.Helper()
	const slack = 0.5
	for _, c := range charts {
		for _, tx := range c.Texts {
			if tx.X < -slack || tx.Y < -slack || tx.X+tx.W > c.W+slack || tx.Y+tx.H > c.H+slack {
				t.Errorf("%s: %q: the text %q at x %.1f..%.1f, y %.1f..%.1f leaves the viewBox 0 0 %.1f %.1f",
					what, c.Label, tx.Text, tx.X, tx.X+tx.W, tx.Y, tx.Y+tx.H, c.W, c.H)
			}
		}
		for i, a := range c.Texts {
			for _, b := range c.Texts[i+1:] {
				if a.X < b.X+b.W-slack && b.X < a.X+a.W-slack && a.Y < b.Y+b.H-slack && b.Y < a.Y+a.H-slack {
					t.Errorf("%s: %q: the texts %q and %q overlap", what, c.Label, a.Text, b.Text)
				}
			}
		}
		for _, b := range c.Bars {
			if b.X < -slack || b.Y < -slack || b.X+b.W > c.W+slack || b.Y+b.H > c.H+slack || b.W < 0 || b.H < 0 {
				t.Errorf("%s: %q: a bar at %+v leaves the viewBox 0 0 %.1f %.1f", what, c.Label, b, c.W, c.H)
				break
			}
		}
		if !strings.Contains(c.Label, "over time") || len(c.Bars) == 0 {
			continue
		}
		// A time chart's buckets (the stacked bars of one share their tooltip's prefix) are
		// at distinct x positions, and the first and the last bucket, which have events,
		// end the axis: what the bars leave empty at its ends is less than a step (the
		// least distance between buckets; buckets without events have no bar).
		var xs []float64
		prev := ""
		for _, b := range c.Bars {
			if bucket, _, _ := strings.Cut(b.Title, ": "); bucket != prev || len(xs) == 0 {
				xs, prev = append(xs, b.X), bucket
			}
		}
		if n := len(slices.Compact(slices.Clone(xs))); n != len(xs) || !slices.IsSorted(xs) {
			t.Errorf("%s: %q: %d buckets drawn at %d distinct x positions (in order: %t)", what, c.Label, len(xs), n, slices.IsSorted(xs))
			continue
		}
		if c.X2 <= c.X1 {
			t.Errorf("%s: %q has no axis", what, c.Label)
			continue
		}
		step := c.X2 - c.X1
		for i := 1; i < len(xs); i++ {
			step = min(step, xs[i]-xs[i-1])
		}
		first, last := c.Bars[0], c.Bars[len(c.Bars)-1]
		if first.X < c.X1-0.01 || last.X+last.W > c.X2+0.01 {
			t.Errorf("%s: %q: bars from x %.2f to %.2f, beyond the axis from %.2f to %.2f", what, c.Label, first.X, last.X+last.W, c.X1, c.X2)
		}
		if gap := c.X2 - (last.X + last.W) + first.X - c.X1; gap > step {
			t.Errorf("%s: %q: the bars leave %.1f of the axis's %.1f units empty (a step is %.2f)", what, c.Label, gap, c.X2-c.X1, step)
		}
	}
}

// TestHTMLChartsFit: in the HTML of a four-month file, of samples/ with hostile values,
// and of nothing, every chart's text fits its viewBox by the width estimate, texts do not
// overlap, and time charts draw a bucket at each of evenly spread x positions.
func TestHTMLChartsFit(t *testing.T) {
	for _, tt := range []struct {
		name   string
		s      *Summary
		charts int
	}{
		{"four months", fourMonths(t), 4},
		{"samples", samplesAndHostile(t), 4},
		{"hostile", hostile(), 4},
		{"empty", New(rules.Default()), 1}, // family shares only: no time, no app
	} {
		for _, top := range []int{10, 3} {
			page := renderHTML(t, tt.s, Options{Top: top, GeneratedBy: "grantsweep test", TZ: time.UTC})
			charts := pageCharts(t, page)
			if len(charts) != tt.charts {
				t.Errorf("%s: %d charts, want %d", tt.name, len(charts), tt.charts)
			}
			checkCharts(t, tt.name, charts)
		}
	}
}

// TestTimeChartManyBars: a year of hours, the series that drew every bar at x=40 when the
// step was an integer division, is drawn at distinct x positions inside the chart.
func TestTimeChartManyBars(t *testing.T) {
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	ts := timeSeries{Bucket: "hour"}
	for i := range 8435 {
		ts.Points = append(ts.Points, timePoint{Start: start.Add(time.Duration(i) * time.Hour), Events: int64(1 + i%7), Causes: []int64{int64(1 + i%7)}})
	}
	c := timeChart("Failures over time", ts, []timeLayer{{Name: "all", Fill: "#000", Rules: []int{0}}}, time.UTC)
	var b bytes.Buffer
	if err := htmlTemplate.ExecuteTemplate(&b, "chart", c); err != nil {
		t.Fatal(err)
	}
	charts := pageCharts(t, b.String())
	if len(charts) != 1 || len(charts[0].Bars) != 8435 {
		t.Fatalf("%d charts, want 1 of 8,435 bars", len(charts))
	}
	checkCharts(t, "a year of hours", charts)
}

// inBuckets sums hourly rows into the buckets by_time chooses for their span in loc, as
// by_time's rows are (distinct users unknown, -1, once hours are summed).
func inBuckets(hourly []row, loc *time.Location) ([]row, *timeBuckets) {
	var first, last time.Time
	for _, r := range hourly {
		if t, ok := rowStart(r); ok {
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
	}
	b := newTimeBuckets(first, last, loc)
	var out []row
	at := map[string]int{}
	for _, r := range hourly {
		key := ""
		if t, ok := rowStart(r); ok {
			key = b.start(t).UTC().Format(time.RFC3339)
		}
		i, ok := at[key]
		if !ok {
			i, at[key] = len(out), len(out)
			out = append(out, row{key: []string{key}, distinct: r.distinct, causes: make([]int64, len(r.causes))})
		} else {
			out[i].distinct = -1
		}
		out[i].events += r.events
		for ri, n := range r.causes {
			out[i].causes[ri] += n
		}
	}
	return out, b
}

func TestTimeSeriesBuckets(t *testing.T) {
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC) // a Tuesday
	hours := func(offsets ...int) []row {
		var rows []row
		for _, h := range offsets {
			rows = append(rows, row{key: []string{at.Add(time.Duration(h) * time.Hour).Format(time.RFC3339)}, events: 2, distinct: 1, causes: []int64{2, 0}})
		}
		return append(rows, row{key: []string{""}, events: 3, distinct: 1, causes: []int64{0, 3}})
	}
	tests := []struct {
		name          string
		rows          []row
		bucket        string
		points        int
		first, last   string
		events, users int64
	}{
		{"an hour", hours(0), "hour", 1, "2026-11-24T08:00:00Z", "2026-11-24T08:00:00Z", 2, 1},
		{"a day with gaps", hours(0, 5, 23), "hour", 24, "2026-11-24T08:00:00Z", "2026-11-25T07:00:00Z", 6, 3},
		{"119 hours", hours(0, 119), "hour", 120, "2026-11-24T08:00:00Z", "2026-11-29T07:00:00Z", 4, 2},
		{"120 hours", hours(0, 120), "hour", 121, "2026-11-24T08:00:00Z", "2026-11-29T08:00:00Z", 4, 2},
		{"121 hours", hours(0, 121), "day", 6, "2026-11-24T00:00:00Z", "2026-11-29T00:00:00Z", 4, 2},
		{"four months", hours(0, 24*116), "day", 117, "2026-11-24T00:00:00Z", "2027-03-20T00:00:00Z", 4, 2},
		{"a year", hours(0, 30, 24*365), "week", 53, "2026-11-23T00:00:00Z", "2027-11-22T00:00:00Z", 6, -1},
		{"no time", hours(), "hour", 0, "", "", 0, 0},
	}
	for _, tt := range tests {
		rows, b := inBuckets(tt.rows, time.UTC)
		ts := newTimeSeries(&tableView{rows: rows, bucket: b}, 2)
		if ts.Bucket != tt.bucket || len(ts.Points) != tt.points || ts.Untimed != 3 {
			t.Errorf("%s: bucket %s, %d points, %d untimed; want %s, %d, 3", tt.name, ts.Bucket, len(ts.Points), ts.Untimed, tt.bucket, tt.points)
			continue
		}
		if tt.points == 0 {
			continue
		}
		var events, users int64
		for _, p := range ts.Points {
			events += p.Events
			if users >= 0 && p.Users >= 0 {
				users += int64(p.Users)
			} else {
				users = -1
			}
		}
		first, last := ts.Points[0].Start.UTC().Format(time.RFC3339), ts.Points[len(ts.Points)-1].Start.UTC().Format(time.RFC3339)
		if first != tt.first || last != tt.last || events != tt.events || users != tt.users {
			t.Errorf("%s: %s to %s, %d events, users %d; want %s to %s, %d, %d", tt.name, first, last, events, users, tt.first, tt.last, tt.events, tt.users)
		}
	}

	// Days of a zone with daylight saving are local days, 23 or 25 hours long.
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Skip(err)
	}
	start := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	rows, b := inBuckets([]row{
		{key: []string{start.Format(time.RFC3339)}, events: 1, causes: []int64{1}},
		{key: []string{start.AddDate(0, 2, 0).Format(time.RFC3339)}, events: 1, causes: []int64{1}},
	}, ams)
	ts := newTimeSeries(&tableView{rows: rows, bucket: b}, 1)
	if ts.Bucket != "day" || len(ts.Points) != 62 || ts.Points[61].Events != 1 {
		t.Fatalf("two months around a change of time in Amsterdam: %s, %d points, want day and 62 with the last one's event", ts.Bucket, len(ts.Points))
	}
	for _, p := range ts.Points {
		if l := p.Start.In(ams); l.Hour() != 0 {
			t.Errorf("a day starts at %v", l)
		}
	}
}

// TestHTMLIncidentReview: the page has a table of contents whose every link has its
// target, columns named for people, times on one line, the causes by app and each cause's
// top apps, users and IP addresses.
func TestHTMLIncidentReview(t *testing.T) {
	s := fourMonths(t)
	page := renderHTML(t, s, Options{Top: 10, GeneratedBy: "grantsweep test", TZ: time.UTC})
	nav := regexp.MustCompile(`(?s)<nav id="contents".*?</nav>`).FindString(page)
	links := regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(nav, -1)
	if len(links) < 20 {
		t.Fatalf("the table of contents has %d links:\n%s", len(links), nav)
	}
	for _, l := range links {
		if !strings.Contains(page, ` id="`+l[1]+`"`) {
			t.Errorf("the contents link to #%s, which the page lacks", l[1])
		}
	}
	for _, h := range regexp.MustCompile(`<th[^>]*>([^<]*)</th>`).FindAllStringSubmatch(page, -1) {
		if _, raw := htmlColumns[h[1]]; raw || strings.ContainsAny(h[1], "#_") {
			t.Errorf("a column is headed %q", h[1])
		}
	}
	for _, want := range []string{`<th scope="col">Main cause</th>`, `<th scope="col" class="num">Events</th>`, `<th scope="col" class="num">Users</th>`,
		`data-table="by_time"`, `<th scope="col" class="time">Day</th>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if !regexp.MustCompile(`<td class="time">2026-08-0\d \d\d:\d\d:\d\d UTC</td>`).MatchString(page) {
		t.Error("the causes' first times are not in cells kept on one line")
	}
	v := s.compute(10)
	matrix := regexp.MustCompile(`(?s)<table class="report matrix" data-table="cause_by_app">.*?</table>`).FindString(page)
	causes := s.causesByEvents(v)
	if n := strings.Count(matrix, "<tr>"); n != len(causes)+1 {
		t.Errorf("the matrix has %d rows, want a header and %d causes", n, len(causes))
	}
	if n := strings.Count(matrix, `<th scope="col" class="app"`); n != matrixApps+2 {
		t.Errorf("the matrix has %d app columns, want %d and other and all", n, matrixApps)
	}
	if !regexp.MustCompile(`<td class="heat h5" title="revoked with [^"]+: [\d,]+ events \([\d.]+% of the cause\)">[\d,]+</td>`).MatchString(matrix) {
		t.Errorf("the matrix has no darkest cell of revoked with a title:\n%.3000s", matrix)
	}
	for _, ri := range causes {
		id := v.causes[ri].id
		for _, table := range []string{"by_app_per_cause", "by_user_per_cause", "by_ip_per_cause"} {
			if !strings.Contains(page, `data-table="`+table+`" data-cause="`+id+`"`) {
				t.Errorf("%s has no %s table", id, table)
			}
		}
	}
	if !strings.Contains(page, "Contoso Line-of-Business Expense Reporting and Approvals Portal (Production, West Europe)") {
		t.Error("the long app name is not shown in full anywhere")
	}
	if strings.Contains(page, "<script") || regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(page) {
		t.Error("the page holds a script or a link to the network")
	}
}

// TestHTMLPageEscapesEveryString: every text field of the page model, those added later
// included, goes through [Escape]: a page whose every string is a terminal escape keeps
// none raw.
func TestHTMLPageEscapesEveryString(t *testing.T) {
	var p htmlPage
	var fill func(v reflect.Value, depth int)
	n := 0
	fill = func(v reflect.Value, depth int) {
		switch v.Kind() {
		case reflect.String:
			v.SetString("\x1b[2J\u202e")
			n++
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), depth)
			}
		case reflect.Slice:
			if depth < 3 { // sections hold sections
				v.Set(reflect.MakeSlice(v.Type(), 1, 1))
				fill(v.Index(0), depth+1)
			}
		}
	}
	fill(reflect.ValueOf(&p).Elem(), 0)
	p.escape()
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, p); err != nil {
		t.Fatal(err)
	}
	if n < 30 || strings.Contains(b.String(), "\x1b") || strings.Contains(b.String(), "\u202e") {
		t.Errorf("%d strings filled; the page holds a raw escape: %t", n, strings.Contains(b.String(), "\x1b"))
	}
	if got := strings.Count(b.String(), `\x1b[2J\u202e`); got < n/2 {
		t.Errorf("%d of %d strings shown escaped", got, n)
	}
}

// TestHTMLOverTimeWithoutTimes: when no failure has a time there is nothing to chart, so
// the section says so once, without the legends of charts it does not draw.
func TestHTMLOverTimeWithoutTimes(t *testing.T) {
	s := New(rules.Default())
	for i, code := range []int{70000, 50173, 7000018} {
		ev := parse.Event{ID: strconv.Itoa(i), ErrorCode: code, User: "u@contoso.com", UserID: "u1", App: "Contoso", AppID: "a1"}
		m, ok := s.Rules.Classify(&ev)
		s.Add(&ev, m, ok)
	}
	page := renderHTML(t, s, Options{Top: 10, TZ: time.UTC})
	i, j := strings.Index(page, `id="over-time"`), strings.Index(page, `id="families"`)
	if i < 0 || j < i {
		t.Fatal("the page has no section of failures over time")
	}
	sec := page[i:j]
	if strings.Contains(sec, `class="legend"`) || strings.Contains(sec, "<figure") {
		t.Errorf("the section over time draws figures and legends without a chart:\n%s", sec)
	}
	if n := strings.Count(sec, "has a time"); n != 1 {
		t.Errorf("the section says %d times that nothing has a time, want once:\n%s", n, sec)
	}
}

// TestHTMLBusiestWording: the busiest bucket is "mostly" its main cause only when that
// cause has more than half of its events; else "most often" (a bucket of three causes,
// one event each, is not "mostly" any of them).
func TestHTMLBusiestWording(t *testing.T) {
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		codes []int
		want  string
	}{
		{[]int{70000, 50173, 7000018}, "most often"},
		{[]int{50173, 50173, 7000018}, "mostly"},
	} {
		s := New(rules.Default())
		for i, code := range tt.codes {
			ev := parse.Event{ID: strconv.Itoa(i), Time: at.Add(time.Duration(i) * time.Minute), ErrorCode: code, User: "u@contoso.com", UserID: "u1", App: "Contoso", AppID: "a1"}
			m, ok := s.Rules.Classify(&ev)
			s.Add(&ev, m, ok)
		}
		page := renderHTML(t, s, Options{Top: 10, TZ: time.UTC})
		i := strings.Index(page, "The busiest hour: ")
		if i < 0 {
			t.Fatalf("%v: no busiest hour in the page", tt.codes)
		}
		line, _, _ := strings.Cut(page[i:], ".</p>")
		if !strings.Contains(line, ", 3 events, "+tt.want+" ") || (tt.want == "most often") != strings.Contains(line, "most often") {
			t.Errorf("%v: %q, want %q", tt.codes, line, tt.want)
		}
	}
}
