package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain café ✓", "plain café ✓"},
		{"osc\x1b]52;c;ZXZpbA==\a.json", `osc\x1b]52;c;ZXZpbA==\x07.json`},
		{"csi\x1b[31mred\x1b[0m", `csi\x1b[31mred\x1b[0m`},
		{"tab\tcr\rlf\nnul\x00del\x7f", `tab\tcr\rlf\nnul\x00del\x7f`},
		{"c1 \u009b31m \u0085", `c1 \u009b31m \u0085`},
		{"bidi \u202eevil\u202c \u2066x\u2069 \u200e\u200f\u061c", `bidi \u202eevil\u202c \u2066x\u2069 \u200e\u200f\u061c`},
		{"not utf-8 \xff\xc3", `not utf-8 \xff\xc3`},
		{`already \x1b escaped`, `already \x1b escaped`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Escape(Escape(tt.in)); got != tt.want {
			t.Errorf("Escape(Escape(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Escape("nothing to escape here, ünïcødé too") }); n != 0 {
		t.Errorf("Escape of a safe string: %v allocations, want 0", n)
	}
}

// rawControls are the bytes no report a person reads may carry from its values.
var rawControls = []string{"\x1b", "\a", "\u202e", "\u2066", "\u009b", "\x00", "\x7f"}

// TestReportsEscapeControls: file names and values holding terminal escapes (an OSC 52
// clipboard write, a colour change) and bidirectional overrides reach the table,
// Markdown and HTML reports only as visible escapes, read from real bytes.
func TestReportsEscapeControls(t *testing.T) {
	const osc = "\x1b]52;c;ZXZpbA==\a"
	name := "logs/" + osc + "signins\u202elnosj.jsonl"
	lines := `{"id":"e1","createdDateTime":"2026-11-24T10:00:00Z","userPrincipalName":"evil\u001b[31m@contoso.com","appDisplayName":"App\u202eppa","ipAddress":"192.0.2.1","deviceDetail":{"operatingSystem":"os\u0007","browser":"b\u009b2J"},"status":{"errorCode":70000,"failureReason":"Invalid grant \u001b]52;c;ZXZpbA==\u0007 \u2066x\u2069"}}
{"id":"e2","createdDateTime":"2026-11-24T10:05:00Z","userPrincipalName":"bob@contoso.com","status":{"errorCode":70008,"failureReason":"Expired."}}
{"id":` + "\n"
	s := New(rules.Default())
	in, err := parse.NewInput(ioNopCloser{strings.NewReader(lines)}, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Read(in); err != nil {
		t.Fatal(err)
	}
	s.Failed("other/"+osc+"\u202e.json", errors.New("other/"+osc+"\u202e.json: unknown format"))
	if s.Skipped == 0 {
		t.Fatal("the broken last line was not skipped: the skipped table would not show the file name")
	}
	for _, f := range []Format{FormatTable, FormatMarkdown, FormatHTML} {
		var b bytes.Buffer
		if err := s.Write(&b, f, Options{Top: 10, GeneratedBy: "grantsweep test"}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, c := range rawControls {
			if strings.Contains(out, c) {
				t.Errorf("%s report holds %q raw", f, c)
			}
		}
		for _, want := range []string{`\x1b`, `;c;ZXZpbA==\x07signins\u202elnosj.jsonl`, `\u202e.json`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s report does not show %s", f, want)
			}
		}
		if f != FormatTable && !strings.Contains(out, `App\u202eppa`) {
			t.Errorf("%s report does not show the app as App\\u202eppa", f)
		}
		if f == FormatHTML {
			for _, want := range []string{`title="App\u202eppa">App\u202eppa</th>`, `<td>App\u202eppa</td>`, `text-anchor="end">App\u202eppa</text>`,
				`<td>evil\x1b[31m@contoso.com</td>`, `<td>192.0.2.1</td>`} {
				if !strings.Contains(out, want) {
					t.Errorf("the HTML's causes by app, per-cause tables or charts do not show %s", want)
				}
			}
		}
	}
}

// ioNopCloser makes a strings.Reader an input (parse.NewInput).
type ioNopCloser struct{ *strings.Reader }

func (ioNopCloser) Close() error { return nil }
