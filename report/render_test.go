package report

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"os/exec"
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
}

// TestHTMLInChromium loads the HTML report of samples/ in headless Chromium and checks
// what renders: every table and chart, no script, hostile values as text.
func TestHTMLInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs Debian's chromium")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	s := New(rules.Default())
	var paths []string
	filepath.WalkDir("../samples", func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return err
	})
	for _, p := range paths {
		in, err := parse.OpenWith(p, nil, parse.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s.Read(in)
		in.Close()
	}
	s.Merge(hostile())
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := s.Write(&b, FormatHTML, Options{Top: 10, GeneratedBy: "grantsweep test"}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(page, b.Bytes(), 0o644)
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--virtual-time-budget=2000", "--dump-dom", "file://"+page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	count := func(re string) int { return len(regexp.MustCompile(re).FindAllStringIndex(dom, -1)) }
	if !strings.Contains(dom, "<title>grantsweep: invalid-grant failures</title>") {
		t.Fatalf("the page did not render:\n%.500s", dom)
	}
	if n := count(`<svg[^>]*class="chart"`); n != 3 {
		t.Errorf("%d charts rendered, want 3", n)
	}
	if n := count(`<rect `); n < 20 {
		t.Errorf("%d bars in the charts, want many", n)
	}
	causes := regexp.MustCompile(`(?s)<table class="report" data-table="causes">.*?</table>`).FindString(dom)
	if n := strings.Count(causes, "<tr>"); n != len(s.Rules.Rules)+1 {
		t.Errorf("causes table has %d rows, want a header and %d causes", n, len(s.Rules.Rules))
	}
	for _, name := range []string{"families", "by_app", "by_user", "by_ip", "by_client", "by_os", "by_token_protection", "by_hour", "failures_by_code", "by_app_per_cause", "by_user_per_cause"} {
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
