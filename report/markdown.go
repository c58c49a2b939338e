package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
)

// mdEscape makes a cell safe inside a Markdown table: pipes, backslashes and the
// characters that start inline markup are escaped; line breaks become <br>, and HTML-ish
// angle brackets become entities so that no tag renders. Other control characters and
// bidirectional controls are shown as escapes (see [Escape]): a ticket is read in
// terminals and editors too.
func mdEscape(s string) string { return Escape(mdReplacer.Replace(s)) }

var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "\r\n", "<br>", "\n", "<br>", "\r", "<br>")

// WriteTable writes one table in format f (csv, markdown or json).
func WriteTable(w io.Writer, t Table, f Format) error {
	bw := bufio.NewWriter(w)
	switch f {
	case FormatCSV:
		cw := csv.NewWriter(bw)
		head := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			head[i] = c.Name
		}
		cw.Write(head)
		for _, r := range t.Rows {
			cw.Write(SafeCells(append([]string{}, r...)...))
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	case FormatMarkdown:
		writeMarkdownTable(bw, t)
	case FormatJSON:
		writeJSONTable(bw, t)
	default:
		return fmt.Errorf("report: a table cannot be written as %s", f)
	}
	return bw.Flush()
}

func writeMarkdownTable(w *bufio.Writer, t Table) {
	fmt.Fprintf(w, "### %s\n\n", mdEscape(t.Title))
	writeMarkdownRows(w, t)
}

// writeMarkdownRows writes a table's rows, without its title.
func writeMarkdownRows(w *bufio.Writer, t Table) {
	if len(t.Rows) == 0 {
		w.WriteString("(none)\n\n")
		return
	}
	for _, c := range t.Columns {
		fmt.Fprintf(w, "| %s ", mdEscape(c.Name))
	}
	w.WriteString("|\n")
	for _, c := range t.Columns {
		if c.Numeric {
			w.WriteString("|---:")
		} else {
			w.WriteString("|---")
		}
	}
	w.WriteString("|\n")
	for _, r := range t.Rows {
		for _, cell := range r {
			fmt.Fprintf(w, "| %s ", mdEscape(cell))
		}
		w.WriteString("|\n")
	}
	w.WriteString("\n")
}

// writeJSONTable writes a table as an array of objects keyed by column name.
func writeJSONTable(w *bufio.Writer, t Table) {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range t.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, c := range t.Columns {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(jsonQuote(c.Name) + ": ")
			if c.Numeric && isNumber(r[j]) {
				b.WriteString(strings.TrimPrefix(r[j], "+"))
			} else {
				b.WriteString(jsonQuote(r[j]))
			}
		}
		b.WriteString("}")
	}
	b.WriteString("\n]\n")
	w.WriteString(b.String())
}

// writeMarkdown renders the whole report as Markdown, for tickets.
func (s *Summary) writeMarkdown(w io.Writer, opts Options) error {
	v := s.compute(opts.Top)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "## grantsweep: invalid-grant failures\n\n")
	fmt.Fprintf(bw, "%s from %s (%s skipped), %s. **%s** in scope (%.1f%%), %s dropped.\n\n",
		plural(v.records, "record"), plural(int64(len(s.Inputs)), "input"), count(v.skipped), mdEscape(spanIn(v.first, v.last, opts.TZ)),
		count(v.inScope), share(v.inScope, v.records), plural(v.duplicates, "duplicate copy", "duplicate copies"))
	if line := s.othersLine(); line != "" {
		fmt.Fprintf(bw, "%s.\n\n", mdEscape(line))
	}
	if line := s.auditLine(); line != "" {
		fmt.Fprintf(bw, "%s.\n\n", mdEscape(line))
	}
	for _, t := range s.tables(v, opts) {
		// by_time shows the time for people, in buckets a ticket can hold; by_hour has a
		// row per hour (a four-month export: thousands), for files and the JSON summary.
		if t.Name == "totals" || t.Name == "by_hour" {
			continue
		}
		if t.Name == "change_context" && len(t.Rows) == 0 {
			continue
		}
		if t.Name == "by_change" {
			fmt.Fprintf(bw, "### %s\n\n", mdEscape(t.Title))
			s.writeMarkdownExplained(bw, v)
			if len(t.Rows) == 0 {
				fmt.Fprintf(bw, "%s\n\n", mdEscape(s.noChangeLine()))
			} else {
				writeMarkdownRows(bw, t)
			}
			continue
		}
		writeMarkdownTable(bw, t)
	}
	fmt.Fprintf(bw, "_%s_\n", mdEscape(opts.GeneratedBy))
	return bw.Flush()
}

// spanIn says what time span the records cover, in loc.
func spanIn(first, last time.Time, loc *time.Location) string {
	if first.IsZero() {
		return "no record times"
	}
	return displayTime(first, loc) + " to " + displayTime(last, loc)
}

func jsonQuote(s string) string { return string(appendString(nil, s)) }
