package report

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

// hostile is a summary whose values attack every format: a UPN that is a spreadsheet
// formula, an app name with a pipe, markup and a line break, a browser holding a script.
func hostile() *Summary {
	at := time.Date(2026, 11, 24, 8, 15, 0, 0, time.UTC)
	s := New(rules.Default())
	evs := []parse.Event{
		{ID: "1", ErrorCode: 70000, FailureReason: "Provided grant is invalid or malformed.", User: "=hyperlink(\"http://x.example\",\"click\")@contoso.com", UserID: "u1",
			App: "Contoso | <b>Expenses</b>\nSPA", AppID: "a1", IP: "203.0.113.9", Country: "NL", ClientApp: "Browser",
			OS: "Windows 11", Browser: "<script>alert(1)</script> | Edge", SignInType: "nonInteractiveUser", TokenProtection: "unbound", TokenProtectionCode: 1008, Time: at},
		{ID: "2", ErrorCode: 50173, User: "+cmd@contoso.com", UserID: "u2", App: "@SUM(A1)", AppID: "a2", IP: "2001:db8::1", Country: "DE",
			ClientApp: "-2+3", OS: "Ios", Browser: "Safari", Time: at.Add(90 * time.Minute)},
		{ID: "3", ErrorCode: 7000018, User: "adelev@contoso.com", UserID: "u3", App: "Contoso | <b>Expenses</b>\nSPA", AppID: "a1", IP: "203.0.113.9",
			Country: "NL", OS: "Windows 11", Browser: "<script>alert(1)</script> | Edge", Time: at.Add(3 * time.Hour)},
		{ID: "4", ErrorCode: 0, FailureReason: "Other.", Time: at.Add(-time.Hour)},
		{ID: "5", ErrorCode: 50126, FailureReason: "Error validating credentials | <i>bad</i>", Time: at},
	}
	for i := range evs {
		m, ok := s.Rules.Classify(&evs[i])
		s.Add(&evs[i], m, ok)
	}
	s.Inputs = append(s.Inputs, Input{Path: "in|put<1>.json", Format: "json/lines", Records: 5})
	return s
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, []byte(got), 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff)", path)
	}
}

// TestTablesGolden renders every table in every file format, and every whole-report format,
// from values made to break them.
func TestTablesGolden(t *testing.T) {
	s := hostile()
	opts := Options{Top: 10, GeneratedBy: "grantsweep test", TZ: time.UTC}
	for _, f := range []Format{FormatCSV, FormatMarkdown, FormatJSON} {
		var b bytes.Buffer
		for _, tb := range s.Tables(opts) {
			b.WriteString("== " + tb.Name + "\n")
			if err := WriteTable(&b, tb, f); err != nil {
				t.Fatal(err)
			}
		}
		golden(t, "tables."+string(f), b.String())
	}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := s.Write(&b, f, opts); err != nil {
			t.Fatal(err)
		}
		golden(t, "report."+string(f), b.String())
	}
}

func TestHostileValuesEscaped(t *testing.T) {
	s := hostile()
	opts := Options{Top: 10, GeneratedBy: "grantsweep test"}
	for _, tb := range s.Tables(opts) {
		var b bytes.Buffer
		WriteTable(&b, tb, FormatCSV)
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatalf("%s: CSV does not parse: %v", tb.Name, err)
		}
		for _, r := range rows {
			for _, c := range r {
				if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) || strings.HasPrefix(c, "-") && !isNumber(c) {
					t.Errorf("%s: cell %q would run as a spreadsheet formula", tb.Name, c)
				}
			}
		}
		var m bytes.Buffer
		WriteTable(&m, tb, FormatMarkdown)
		for _, line := range strings.Split(strings.TrimSpace(m.String()), "\n")[2:] {
			if strings.HasPrefix(line, "|") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != len(tb.Columns)+1 {
				t.Errorf("%s: Markdown row has the wrong number of cells: %s", tb.Name, line)
			}
		}
		if strings.Contains(m.String(), "<script") || strings.Contains(m.String(), "<b>") {
			t.Errorf("%s: Markdown lets markup through", tb.Name)
		}
	}
	var h bytes.Buffer
	s.Write(&h, FormatHTML, opts)
	if strings.Contains(h.String(), "<script") || strings.Contains(h.String(), "<b>Expenses") || !strings.Contains(h.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("HTML does not escape values")
	}
	// The HTML's own cells: the causes by app (headers, their titles, each cell's title),
	// each cause's top apps and users, the charts' labels and tooltips, the contents.
	page := h.String()
	app := `Contoso | &lt;b&gt;Expenses&lt;/b&gt;\nSPA`
	matrix := regexp.MustCompile(`(?s)<table class="report matrix" data-table="cause_by_app">.*?</table>`).FindString(page)
	for _, want := range []string{`<th scope="col" class="app" title="` + app + `">` + app + `</th>`, `title="grant_invalid with ` + app + `: 1 event (100.0% of the cause)"`} {
		if !strings.Contains(matrix, want) {
			t.Errorf("the causes by app lack %s:\n%s", want, matrix)
		}
	}
	perCause := regexp.MustCompile(`(?s)<table class="report small" data-table="by_app_per_cause" data-cause="grant_invalid">.*?</table>`).FindString(page)
	if !strings.Contains(perCause, "<td>"+app+"</td>") {
		t.Errorf("grant_invalid's top apps do not show the app escaped:\n%s", perCause)
	}
	users := regexp.MustCompile(`(?s)<table class="report small" data-table="by_user_per_cause" data-cause="grant_invalid">.*?</table>`).FindString(page)
	if !strings.Contains(users, `<td>=hyperlink(&#34;http://x.example&#34;,&#34;click&#34;)@contoso.com</td>`) {
		t.Errorf("grant_invalid's top users do not show the user escaped:\n%s", users)
	}
	for _, want := range []string{`<text x="`, `text-anchor="end">` + app + `</text>`, `<title>` + app + `: 2 events</title>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the top apps chart lacks %s", want)
		}
	}
	for _, raw := range []string{"<b>", "Expenses&lt;/b&gt;\nSPA", "=hyperlink(\""} {
		if strings.Contains(page, raw) {
			t.Errorf("the HTML holds %q raw", raw)
		}
	}
}

// TestHTMLInChromium loads the HTML report of samples/ in headless Chromium and checks
// what renders: every table and chart, no script, hostile values as text.
func TestHTMLInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	s := samplesAndHostile(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	os.WriteFile(page, []byte(renderHTML(t, s, Options{Top: 10, GeneratedBy: "grantsweep test"})), 0o644)
	dom := string(runChromium(t, chromium, dir, page, "--dump-dom"))
	count := func(re string) int { return len(regexp.MustCompile(re).FindAllStringIndex(dom, -1)) }
	if !strings.Contains(dom, "<title>grantsweep: invalid-grant failures</title>") {
		t.Fatalf("the page did not render:\n%.500s", dom)
	}
	if n := count(`<svg[^>]*class="chart"`); n != 4 {
		t.Errorf("%d charts rendered, want 4", n)
	}
	if n := count(`<rect `); n < 20 {
		t.Errorf("%d bars in the charts, want many", n)
	}
	causes := regexp.MustCompile(`(?s)<table class="report" data-table="causes">.*?</table>`).FindString(dom)
	if n, want := strings.Count(causes, "<tr>"), len(s.causesByEvents(s.compute(10))); n != want+1 {
		t.Errorf("causes table has %d rows, want a header and %d causes with events", n, want)
	}
	for _, name := range []string{"families", "by_app", "by_user", "by_ip", "by_client", "by_os", "by_token_protection", "by_time", "failures_by_code",
		"cause_by_app", "by_app_per_cause", "by_user_per_cause", "by_ip_per_cause", "totals", "inputs"} {
		if !strings.Contains(dom, `data-table="`+name+`"`) {
			t.Errorf("table %s did not render", name)
		}
	}
	if strings.Contains(dom, "<script") {
		t.Error("a script element is in the page")
	}
	if !strings.Contains(dom, "&lt;script&gt;alert(1)&lt;/script&gt; | Edge") || !strings.Contains(dom, "Contoso | &lt;b&gt;Expenses&lt;/b&gt;") {
		t.Error("hostile values are not shown as text")
	}
}
