package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
)

// writeCSV writes the causes table as RFC 4180 CSV: one row per cause of the rule set, in
// rule order, zeros included.
func (s *Summary) writeCSV(w io.Writer, opts Options) error {
	v := s.compute(opts.Top)
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	d := s.delta(v, opts.Baseline)
	head := []string{"family", "cause", "label", "events", "share_pct", "users", "apps", "ips", "first_seen", "last_seen", "remediation"}
	if d != nil {
		head = append(head, "baseline_events", "change", "baseline_share_pct")
	}
	cw.Write(head)
	for i, c := range v.causes {
		row := []string{c.family, c.id, c.label, fmt.Sprint(c.events), fmt.Sprintf("%.2f", share(c.events, v.inScope)),
			fmt.Sprint(c.users), fmt.Sprint(c.apps), fmt.Sprint(c.ips), csvTime(c.first, opts.TZ), csvTime(c.last, opts.TZ), c.remediation}
		if d != nil {
			if r := d.causes[i]; r.compared {
				row = append(row, fmt.Sprint(r.before), fmt.Sprint(r.after-r.before), fmt.Sprintf("%.2f", r.shareBefore))
			} else {
				row = append(row, "", "", "")
			}
		}
		cw.Write(SafeCells(row...))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// csvTime is a time as every CSV output writes it: RFC 3339 with the offset of loc
// (--tz), 2026-11-24T01:04:19+01:00, or Z in UTC; "" for no time. One format that
// spreadsheets parse, unambiguous in any zone.
// mainCauseOf is the rule index of the cause with the most events in a row (rule order
// breaks ties); -1 for none.
func mainCauseOf(r row) int {
	best := -1
	for i, n := range r.causes {
		if n > 0 && (best < 0 || n > r.causes[best]) {
			best = i
		}
	}
	return best
}

// mainCauseCells are the main cause of a row and its share of the row's events (percent,
// as share_pct), two cells of the file tables where the terminal packs them into one
// ("revoked (14.7%)"): a spreadsheet can sort and sum them.
func (s *Summary) mainCauseCells(r row) (cause, sharePct string) {
	best := mainCauseOf(r)
	if best < 0 {
		return "", ""
	}
	return s.Rules.Rules[best].ID, fmt.Sprintf("%.2f", share(r.causes[best], r.events))
}

// appendMainCause appends a table row's main-cause cells: one ("revoked (14.7%)") for a
// person, two (main_cause, main_cause_share) for the files.
func (s *Summary) appendMainCause(cells []string, r row, opts Options) []string {
	if opts.ForFiles {
		main, share := s.mainCauseCells(r)
		return append(cells, main, share)
	}
	return append(cells, s.mainCause(r))
}

func csvTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(locOrUTC(loc)).Format(time.RFC3339)
}

// cellTime is a time as a cell of [Summary.Tables]: RFC 3339 (see csvTime) with
// opts.ForFiles, else for people, in opts.TZ.
func (opts Options) cellTime(t time.Time) string {
	if opts.ForFiles {
		return csvTime(t, opts.TZ)
	}
	return displayTime(t, opts.TZ)
}

// SafeCells neutralises, in place, cells a spreadsheet would run as a formula: values
// starting with =, +, -, @, tab or carriage return, also after leading blanks (spaces,
// tabs, line breaks: spreadsheets skip them before a formula), get a leading apostrophe.
// User agents, UPNs and app names are attacker-controlled. Plain numbers (such as -1, or
// " -1") are left alone.
func SafeCells(cells ...string) []string {
	for i, c := range cells {
		if formula(c) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// formula reports whether a spreadsheet could run cell c as a formula.
func formula(c string) bool {
	if c == "" {
		return false
	}
	if strings.IndexByte("=+-@\t\r", c[0]) >= 0 {
		return !isNumber(c)
	}
	t := strings.TrimLeft(c, " \t\r\n")
	return len(t) < len(c) && t != "" && strings.IndexByte("=+-@", t[0]) >= 0 && !isNumber(t)
}

func isNumber(s string) bool {
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case (c == '-' || c == '+') && i == 0, c == '.':
		default:
			return false
		}
	}
	return digits > 0
}
