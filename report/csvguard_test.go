package report

import "testing"

// TestCSVFormulaAfterBlanks: spreadsheets skip leading blanks before a formula, so the
// guard does too; numbers stay numbers, with or without blanks before them.
func TestCSVFormulaAfterBlanks(t *testing.T) {
	tests := []struct{ in, want string }{
		{" =HYPERLINK(\"x\")", "' =HYPERLINK(\"x\")"},
		{"  +1+1", "'  +1+1"},
		{"\t -cmd", "'\t -cmd"},
		{" \t@SUM(A1)", "' \t@SUM(A1)"},
		{"\n=1+1", "'\n=1+1"},
		{" \r\n -x", "' \r\n -x"},
		{"=1", "'=1"},
		{"-5", "-5"},
		{"+3.5", "+3.5"},
		{" -5", " -5"},
		{"  12", "  12"},
		{" plain", " plain"},
		{"   ", "   "},
		{"a =b", "a =b"},
	}
	for _, tt := range tests {
		if got := SafeCells(tt.in)[0]; got != tt.want {
			t.Errorf("SafeCells(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
