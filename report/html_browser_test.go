package report

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

var shots = flag.String("shots", "", "save the browser test's screenshots in this folder")

// chromiumPath is Debian's chromium, or the test is skipped; in CI (CI set) a missing
// chromium fails the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs Debian's chromium")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	return path
}

// runChromium runs headless chromium, niced, on a page with extra flags and returns
// what it writes on stdout.
func runChromium(t *testing.T, chromium, dir, page string, flags ...string) []byte {
	t.Helper()
	args := append([]string{chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(dir, "profile")}, flags...)
	args = append(args, "file://"+page)
	if nice, err := exec.LookPath("nice"); err == nil { // the machine is shared
		args = append([]string{nice, "-n", "10"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(flags, " "), err, stderr.String())
	}
	return out
}

// layout is what the measuring script finds in a page laid out by chromium.
type layout struct {
	Inner, Scroll float64 // the window's width, the page's
	Charts        []struct {
		Label   string
		ViewBox [4]float64
		Box     [4]float64 // on the page: left, top, width, height
		Texts   []struct {
			Text       string
			X, Y, W, H float64 // getBBox, in the viewBox's units
			Len        float64 // getComputedTextLength
			Page       [4]float64
		}
		Axis [2]float64 // x1 and x2 of the first axis line
		Bars []struct {
			X, W  float64
			Title string
		}
	}
	TimeCells []struct {
		Text  string
		Lines int
	}
	Scrolled []string // the tables wider than the page, scrolled within it
}

// measure is a script for a copy of the page (the page itself forbids scripts): it
// writes the geometry of every chart and of the cells of times into the page as JSON,
// which --dump-dom prints.
const measure = `<pre id="measured"></pre><script>
const out = {inner: innerWidth, scroll: document.documentElement.scrollWidth, charts: [], timeCells: []};
for (const svg of document.querySelectorAll("svg.chart")) {
  const vb = svg.viewBox.baseVal, r = svg.getBoundingClientRect();
  const c = {label: svg.getAttribute("aria-label"), viewBox: [vb.x, vb.y, vb.width, vb.height], box: [r.left, r.top, r.width, r.height], texts: [], bars: []};
  for (const t of svg.querySelectorAll("text")) {
    const b = t.getBBox(), p = t.getBoundingClientRect();
    c.texts.push({text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height, len: t.getComputedTextLength(), page: [p.left, p.top, p.width, p.height]});
  }
  for (const b of svg.querySelectorAll("rect")) c.bars.push({x: b.x.baseVal.value, w: b.width.baseVal.value, title: b.querySelector("title").textContent});
  const axis = svg.querySelector("line.axis");
  if (axis) c.axis = [axis.x1.baseVal.value, axis.x2.baseVal.value];
  out.charts.push(c);
}
for (const td of document.querySelectorAll("td.time, th.time")) {
  const range = document.createRange();
  range.selectNodeContents(td);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  out.timeCells.push({text: td.textContent, lines: tops.size});
}
out.scrolled = [...document.querySelectorAll(".wide")].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.firstElementChild.dataset.table);
document.getElementById("measured").textContent = JSON.stringify(out);
</script>`

var cspRE = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`)

// laidOut lays page out in chromium in a window width pixels wide, and measures it.
func laidOut(t *testing.T, chromium, dir, page string, width int) layout {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	copy := filepath.Join(dir, fmt.Sprintf("measure-%d.html", width))
	instrumented := cspRE.ReplaceAllString(string(b), `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`)
	instrumented = strings.Replace(instrumented, "</body>", measure+"</body>", 1)
	if err := os.WriteFile(copy, []byte(instrumented), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, chromium, dir, copy, fmt.Sprintf("--window-size=%d,1200", width), "--dump-dom")
	m := regexp.MustCompile(`(?s)<pre id="measured">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil || len(m[1]) == 0 {
		t.Fatalf("the measuring script wrote nothing:\n%.2000s", dom)
	}
	var l layout
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &l); err != nil {
		t.Fatalf("the measuring script wrote %.300s: %v", m[1], err)
	}
	return l
}

// TestHTMLInBrowser renders the HTML of a four-month file and of samples/ (with hostile
// values) in headless chromium at 1400 and 800 pixels, and checks what it lays out:
// every chart's text inside its SVG, as measured with the fonts at hand and within the
// width the page estimated for it; time charts' bars at distinct x positions inside
// the viewBox; no page wider than the window; times on one line; and that the page
// printed to PDF is a document with its table of contents.
func TestHTMLInBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	if *shots != "" {
		if err := os.MkdirAll(*shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name string
		s    *Summary
	}{
		{"four-months", fourMonths(t)},
		{"samples", samplesAndHostile(t)},
		{"long-names", longNames()},
		{"audit-join", auditJoin(t)}, // the section of changes, the chart's markers
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			page := filepath.Join(dir, "report.html")
			content := renderHTML(t, tt.s, Options{Top: 10, GeneratedBy: "grantsweep test", TZ: time.UTC})
			if err := os.WriteFile(page, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, width := range []int{1400, 800} {
				what := fmt.Sprintf("%s at %d px", tt.name, width)
				l := laidOut(t, chromium, dir, page, width)
				if l.Inner != float64(width) {
					t.Fatalf("%s: the window is %v px wide", what, l.Inner)
				}
				if l.Scroll > l.Inner {
					t.Errorf("%s: the page is %v px wide, wider than the window", what, l.Scroll)
				}
				if len(l.Charts) != 4 {
					t.Errorf("%s: %d charts laid out, want 4", what, len(l.Charts))
				}
				var charts []chart
				for _, c := range l.Charts {
					vb := c.ViewBox
					if c.Box[2] > vb[2]+0.5 || c.Box[2] < 100 || c.Box[0] < 0 || c.Box[0]+c.Box[2] > l.Inner {
						t.Errorf("%s: %q is %.1f px wide at x %.1f, for a viewBox %.1f wide", what, c.Label, c.Box[2], c.Box[0], vb[2])
					}
					if ratio := c.Box[3] / c.Box[2]; ratio < 0.99*vb[3]/vb[2] || ratio > 1.01*vb[3]/vb[2] {
						t.Errorf("%s: %q is laid out %.1f by %.1f px, not in the viewBox's proportions", what, c.Label, c.Box[2], c.Box[3])
					}
					ch := chart{Label: c.Label, W: vb[2], H: vb[3], X1: c.Axis[0], X2: c.Axis[1]}
					for _, tx := range c.Texts {
						ch.Texts = append(ch.Texts, textBox{tx.Text, box{tx.X, tx.Y, tx.W, tx.H}})
						if est := float64(textWidth(tx.Text)); tx.Len > est+0.5 {
							t.Errorf("%s: %q: %q is %.1f units wide, estimated %.1f", what, c.Label, tx.Text, tx.Len, est)
						}
						p := tx.Page
						if p[0] < c.Box[0]-0.5 || p[0]+p[2] > c.Box[0]+c.Box[2]+0.5 || p[1] < c.Box[1]-0.5 || p[1]+p[3] > c.Box[1]+c.Box[3]+0.5 {
							t.Errorf("%s: %q: %q is drawn at %v, outside its SVG at %v", what, c.Label, tx.Text, p, c.Box)
						}
					}
					for _, b := range c.Bars {
						ch.Bars = append(ch.Bars, bar{box{X: b.X, W: b.W}, b.Title})
					}
					charts = append(charts, ch)
				}
				checkCharts(t, what, charts)
				if len(l.Scrolled) > 0 {
					t.Errorf("%s: tables wider than the page: %v", what, l.Scrolled)
				}
				if len(l.TimeCells) < 10 {
					t.Errorf("%s: %d cells of times, want many", what, len(l.TimeCells))
				}
				for _, c := range l.TimeCells {
					if c.Lines != 1 {
						t.Errorf("%s: the time %q takes %d lines", what, c.Text, c.Lines)
					}
				}
				if *shots != "" {
					runChromium(t, chromium, dir, page, fmt.Sprintf("--window-size=%d,2400", width),
						"--screenshot="+filepath.Join(*shots, fmt.Sprintf("%s-%d.png", tt.name, width)))
				}
			}

			pdf := filepath.Join(dir, "report.pdf")
			runChromium(t, chromium, dir, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
			b, err := os.ReadFile(pdf)
			if err != nil {
				t.Fatal(err)
			}
			if *shots != "" {
				os.WriteFile(filepath.Join(*shots, tt.name+".pdf"), b, 0o644)
			}
			pages, err := pdfText(b)
			if err != nil {
				t.Fatalf("the printed PDF: %v", err)
			}
			if len(pages) < 3 {
				t.Fatalf("the printed PDF has %d pages, want a document", len(pages))
			}
			ligatures := strings.NewReplacer("\ufb00", "ff", "\ufb01", "fi", "\ufb02", "fl", "\ufb03", "ffi", "\ufb04", "ffl")
			flat := func(s string) string { return strings.Join(strings.Fields(ligatures.Replace(s)), " ") }
			toc := flat(pages[0].Text)
			if !strings.Contains(toc, "Contents") {
				t.Errorf("the first printed page has no table of contents:\n%s", toc)
			}
			entries := regexp.MustCompile(`<li><a href="#[^"]+">([^<]+)</a>`).FindAllStringSubmatch(content, -1)
			if len(entries) < 10 {
				t.Fatalf("the page has %d entries in its contents", len(entries))
			}
			at := 0
			for _, e := range entries {
				title := html.UnescapeString(e[1])
				i := strings.Index(toc[at:], title)
				if i < 0 && len(title) > 40 {
					i = strings.Index(toc[at:], title[:40]) // wrapped onto a second line
				}
				if i < 0 {
					t.Errorf("the printed contents lack %q (in order)", title)
					continue
				}
				at += i + 1
			}
			// Readable: most text is printed at the size the print style sets (9.5pt), not
			// shrunk to fit content wider than the paper.
			var sizes []float64
			for _, p := range pages {
				for _, r := range p.Runs {
					sizes = append(sizes, math.Round(r.Size*10)/10)
				}
			}
			slices.Sort(sizes)
			if median := sizes[len(sizes)/2]; median < 9 {
				t.Errorf("the printed text is %.1fpt (the median), shrunk to fit: something is wider than the paper", median)
			}
			var rest []string
			for i, p := range pages {
				rest = append(rest, p.Text)
				// Nothing is cut at the margins: every string shown fits the page's content box.
				cut := 0
				for _, r := range p.Runs {
					if strings.TrimSpace(r.Text) == "" {
						continue
					}
					if r.X < p.Clip[0]-1 || r.X+r.W > p.Clip[2]+1 || r.Y < p.Clip[1]-1 || r.Y > p.Clip[3]+1 {
						if cut++; cut <= 5 {
							t.Errorf("printed page %d: %q at x %.1f..%.1f, y %.1f, outside the content box %v", i+1, r.Text, r.X, r.X+r.W, r.Y, p.Clip)
						}
					}
				}
			}
			if rest := flat(strings.Join(rest[1:], "\n")); !strings.Contains(rest, "Failures over time") || !strings.Contains(rest, "Causes in detail") {
				t.Errorf("the printed pages after the contents lack the chapters")
			}
		})
	}
}

// auditJoin is the audit join's fixtures: changes that explain failures and one that
// explains none.
func auditJoin(t *testing.T) *Summary {
	s := New(rules.Default())
	readFiles(t, s, "testdata/audit/directoryAudits.json", "testdata/audit/signins.jsonl")
	return s
}

// longNames is a day of failures of apps and users whose names are long and unbroken (a
// display name of 300 letters; the letter A is laid out wider than its font's advance).
func longNames() *Summary {
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	long := strings.Repeat("A", 300)
	s := New(rules.Default())
	for i := range 40 {
		ev := parse.Event{ID: strconv.Itoa(i), ErrorCode: []int{70000, 50173, 700082, 7000018}[i%4], FailureReason: "x",
			User: long + "@contoso.com", UserID: "u1", App: long, AppID: "a1", IP: "192.0.2.1", Time: at.Add(time.Duration(i) * 30 * time.Minute)}
		if i%3 == 0 {
			ev.User, ev.UserID, ev.App, ev.AppID = "adelev@contoso.com", "u2", "Contoso", "a2"
		}
		m, ok := s.Rules.Classify(&ev)
		s.Add(&ev, m, ok)
	}
	s.Inputs = append(s.Inputs, Input{Path: "long.jsonl", Format: "json/lines", Records: 40})
	return s
}

// pdfPage is a printed page: its text, a line per text object (BT to ET), the box its
// content is clipped to (the page less its margins), and where each string is shown.
type pdfPage struct {
	Text string
	Clip [4]float64 // x0, y0, x1, y1 in points
	Runs []pdfRun
}

// pdfRun is a string a page shows: its origin in points and its width estimated with
// [textWidth] at its font size.
type pdfRun struct {
	Text    string
	X, Y, W float64
	Size    float64 // the font's size on the page, in points
}

// pdfText reads the pages of a PDF as chromium prints it (Skia's writer): objects with
// direct stream lengths, Flate-compressed content streams, Type0 fonts whose ToUnicode
// CMaps map the 2-byte codes of the hex strings that Tj and TJ show. Positions follow the
// operators cm, q, Q, Tm and Td.
func pdfText(pdf []byte) ([]pdfPage, error) {
	objs, err := pdfObjects(pdf)
	if err != nil {
		return nil, err
	}
	ref := regexp.MustCompile(`/(\w+) (\d+) 0 R`)
	cmaps := map[int]map[uint16]string{} // by font object
	cmapOf := func(font int) map[uint16]string {
		if m, ok := cmaps[font]; ok {
			return m
		}
		m := map[uint16]string{}
		if sub := regexp.MustCompile(`/ToUnicode (\d+) 0 R`).FindSubmatch(objs[font].dict); sub != nil {
			n, _ := strconv.Atoi(string(sub[1]))
			parseCMap(objs[n].stream, m)
		}
		cmaps[font] = m
		return m
	}
	type matrix [6]float64
	identity := matrix{1, 0, 0, 1, 0, 0}
	mul := func(a, b matrix) matrix { // a then b
		return matrix{a[0]*b[0] + a[1]*b[2], a[0]*b[1] + a[1]*b[3], a[2]*b[0] + a[3]*b[2], a[2]*b[1] + a[3]*b[3],
			a[4]*b[0] + a[5]*b[2] + b[4], a[4]*b[1] + a[5]*b[3] + b[5]}
	}
	apply := func(m matrix, x, y float64) (float64, float64) { return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5] }
	var pages []pdfPage
	for _, n := range pdfPageOrder(objs) {
		o := objs[n]
		res := o.dict
		if sub := regexp.MustCompile(`/Resources (\d+) 0 R`).FindSubmatch(res); sub != nil {
			r, _ := strconv.Atoi(string(sub[1]))
			res = objs[r].dict
		}
		fonts := map[string]int{}
		if i := bytes.Index(res, []byte("/Font <<")); i >= 0 {
			j := bytes.Index(res[i:], []byte(">>"))
			for _, m := range ref.FindAllSubmatch(res[i:i+j], -1) {
				fonts[string(m[1])], _ = strconv.Atoi(string(m[2]))
			}
		}
		var contents []int
		if sub := regexp.MustCompile(`/Contents (\d+) 0 R`).FindSubmatch(o.dict); sub != nil {
			c, _ := strconv.Atoi(string(sub[1]))
			contents = append(contents, c)
		} else if sub := regexp.MustCompile(`/Contents \[([^\]]*)\]`).FindSubmatch(o.dict); sub != nil {
			for _, m := range regexp.MustCompile(`(\d+) 0 R`).FindAllSubmatch(sub[1], -1) {
				c, _ := strconv.Atoi(string(m[1]))
				contents = append(contents, c)
			}
		}
		var (
			page     pdfPage
			text     strings.Builder
			cmap     map[uint16]string
			operands [][]byte
			size     float64
			ctm      = identity
			stack    []matrix
			tm, lm   = identity, identity
			clipped  bool
		)
		nums := func(k int) []float64 {
			if len(operands) < k {
				return nil
			}
			out := make([]float64, k)
			for i, tok := range operands[len(operands)-k:] {
				out[i], _ = strconv.ParseFloat(string(tok), 64)
			}
			return out
		}
		show := func(strs [][]byte) {
			var run strings.Builder
			for _, tok := range strs {
				code, err := hex.DecodeString(string(tok[1 : len(tok)-1]))
				if err != nil {
					continue
				}
				for i := 0; i+1 < len(code); i += 2 {
					run.WriteString(cmap[uint16(code[i])<<8|uint16(code[i+1])])
				}
			}
			m := mul(tm, ctm)
			x, y := apply(m, 0, 0)
			w := float64(textWidth(run.String())) / fontSize * size * math.Hypot(m[0], m[1])
			page.Runs = append(page.Runs, pdfRun{Text: run.String(), X: x, Y: y, W: w, Size: size * math.Hypot(m[0], m[1])})
			text.WriteString(run.String())
		}
		for _, c := range contents {
			for _, tok := range pdfTokens(objs[c].stream) {
				switch op := string(tok); op {
				case "q":
					stack = append(stack, ctm)
				case "Q":
					if len(stack) > 0 {
						ctm, stack = stack[len(stack)-1], stack[:len(stack)-1]
					}
				case "cm":
					if v := nums(6); v != nil {
						ctm = mul(matrix(v), ctm)
					}
				case "re":
					if v := nums(4); v != nil && !clipped { // the first rectangle clips the page's content
						x0, y0 := apply(ctm, v[0], v[1])
						x1, y1 := apply(ctm, v[0]+v[2], v[1]+v[3])
						page.Clip = [4]float64{min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)}
						clipped = true
					}
				case "BT":
					tm, lm = identity, identity
				case "ET":
					text.WriteByte('\n')
				case "Tf":
					if len(operands) >= 2 {
						cmap = cmapOf(fonts[strings.TrimPrefix(string(operands[len(operands)-2]), "/")])
						size = nums(1)[0]
					}
				case "Tm":
					if v := nums(6); v != nil {
						tm, lm = matrix(v), matrix(v)
					}
				case "Td", "TD":
					if v := nums(2); v != nil {
						lm = mul(matrix{1, 0, 0, 1, v[0], v[1]}, lm)
						tm = lm
					}
				case "Tj", "TJ":
					var strs [][]byte
					for _, o := range operands {
						if o[0] == '<' && len(o) > 1 && o[1] != '<' {
							strs = append(strs, o)
						}
					}
					show(strs)
				}
				if isOperator(tok) {
					operands = operands[:0]
				} else {
					operands = append(operands, tok)
				}
			}
		}
		page.Text = text.String()
		pages = append(pages, page)
	}
	return pages, nil
}

type pdfObject struct{ dict, stream []byte }

// pdfObjects reads every "N 0 obj ... endobj", stepping over streams by their /Length.
func pdfObjects(pdf []byte) (map[int]pdfObject, error) {
	head := regexp.MustCompile(`(\d+) 0 obj\s*`)
	length := regexp.MustCompile(`/Length (\d+)\b`)
	objs := map[int]pdfObject{}
	for at := 0; ; {
		m := head.FindSubmatchIndex(pdf[at:])
		if m == nil {
			break
		}
		n, _ := strconv.Atoi(string(pdf[at+m[2] : at+m[3]]))
		start := at + m[1]
		end := bytes.Index(pdf[start:], []byte("endobj"))
		if end < 0 {
			return nil, fmt.Errorf("object %d has no end", n)
		}
		var o pdfObject
		body := pdf[start : start+end]
		if s := bytes.Index(body, []byte("stream")); s >= 0 && bytes.HasPrefix(bytes.TrimSpace(body), []byte("<<")) {
			o.dict = body[:s]
			l := length.FindSubmatch(o.dict)
			if l == nil {
				return nil, fmt.Errorf("object %d: a stream without a direct /Length", n)
			}
			size, _ := strconv.Atoi(string(l[1]))
			data := start + s + len("stream")
			if pdf[data] == '\r' {
				data++
			}
			data++ // \n
			if data+size > len(pdf) {
				return nil, fmt.Errorf("object %d: the stream runs past the end", n)
			}
			raw := pdf[data : data+size]
			o.stream = raw
			if bytes.Contains(o.dict, []byte("/FlateDecode")) {
				zr, err := zlib.NewReader(bytes.NewReader(raw))
				if err != nil {
					return nil, fmt.Errorf("object %d: %w", n, err)
				}
				if o.stream, err = io.ReadAll(zr); err != nil {
					return nil, fmt.Errorf("object %d: %w", n, err)
				}
			}
			end = data + size - start
			if e := bytes.Index(pdf[data+size:], []byte("endobj")); e >= 0 {
				end = data + size + e - start
			}
		} else {
			o.dict = body
		}
		objs[n] = o
		at = start + end + len("endobj")
	}
	return objs, nil
}

// pdfPageOrder returns the page objects in order, from the page tree's /Kids.
func pdfPageOrder(objs map[int]pdfObject) []int {
	var root int
	for n, o := range objs {
		if bytes.Contains(o.dict, []byte("/Type /Pages")) && !bytes.Contains(o.dict, []byte("/Parent")) {
			root = n
		}
	}
	kidsRE := regexp.MustCompile(`/Kids \[([^\]]*)\]`)
	var walk func(n int) []int
	walk = func(n int) []int {
		o := objs[n]
		kids := kidsRE.FindSubmatch(o.dict)
		if kids == nil {
			return []int{n}
		}
		var out []int
		for _, m := range regexp.MustCompile(`(\d+) 0 R`).FindAllSubmatch(kids[1], -1) {
			k, _ := strconv.Atoi(string(m[1]))
			out = append(out, walk(k)...)
		}
		return out
	}
	return walk(root)
}

// parseCMap adds a ToUnicode CMap's bfchar and bfrange mappings to m.
func parseCMap(b []byte, m map[uint16]string) {
	toks := pdfTokens(b)
	hexOf := func(tok []byte) []byte {
		v, _ := hex.DecodeString(string(tok[1 : len(tok)-1]))
		return v
	}
	utf := func(v []byte) string {
		var u []uint16
		for i := 0; i+1 < len(v); i += 2 {
			u = append(u, uint16(v[i])<<8|uint16(v[i+1]))
		}
		return string(utf16.Decode(u))
	}
	code := func(v []byte) uint16 {
		if len(v) < 2 {
			return 0
		}
		return uint16(v[0])<<8 | uint16(v[1])
	}
	for i := 0; i < len(toks); i++ {
		switch string(toks[i]) {
		case "beginbfchar":
			for i++; i+1 < len(toks) && string(toks[i]) != "endbfchar"; i += 2 {
				m[code(hexOf(toks[i]))] = utf(hexOf(toks[i+1]))
			}
		case "beginbfrange":
			for i++; i+2 < len(toks) && string(toks[i]) != "endbfrange"; i += 3 {
				lo, hi := code(hexOf(toks[i])), code(hexOf(toks[i+1]))
				if toks[i+2][0] == '[' { // an array of destinations: not written by Skia
					for i+2 < len(toks) && string(toks[i+2]) != "]" {
						i++
					}
					continue
				}
				dst := hexOf(toks[i+2])
				for c := lo; c <= hi && c >= lo; c++ {
					d := append([]byte(nil), dst...)
					d[len(d)-1] += byte(c - lo)
					m[c] = utf(d)
					if c == 0xffff {
						break
					}
				}
			}
		}
	}
}

// pdfTokens splits a content stream or CMap into tokens: hex strings <...>, literal
// strings (...), names, numbers, operators, and the delimiters [ ] << >>.
func pdfTokens(b []byte) [][]byte {
	var out [][]byte
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0:
			i++
		case c == '%':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case c == '<' && i+1 < len(b) && b[i+1] == '<', c == '>' && i+1 < len(b) && b[i+1] == '>':
			out = append(out, b[i:i+2])
			i += 2
		case c == '<':
			j := bytes.IndexByte(b[i:], '>')
			if j < 0 {
				return out
			}
			out = append(out, b[i:i+j+1])
			i += j + 1
		case c == '(':
			depth, j := 0, i
			for ; j < len(b); j++ {
				if b[j] == '\\' {
					j++
				} else if b[j] == '(' {
					depth++
				} else if b[j] == ')' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			out = append(out, b[i:min(j+1, len(b))])
			i = j + 1
		case c == '[' || c == ']' || c == '{' || c == '}':
			out = append(out, b[i:i+1])
			i++
		default:
			j := i + 1
			for j < len(b) && !bytes.ContainsRune([]byte(" \n\r\t\f\x00[]<>(){}/%"), rune(b[j])) {
				j++
			}
			out = append(out, b[i:j])
			i = j
		}
	}
	return out
}

// isOperator reports whether a content-stream token is an operator (not an operand).
func isOperator(tok []byte) bool {
	c := tok[0]
	return (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '\'' || c == '"' || c == '*') && string(tok) != "true" && string(tok) != "false" && string(tok) != "null"
}
