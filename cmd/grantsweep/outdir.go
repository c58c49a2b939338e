package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/grantsweep/grantsweep/report"
)

// writeDir writes every table of the report as its own file in dir (CSV, Markdown or JSON
// per format; the table format means CSV), each atomically, then an index of them; their
// times are RFC 3339 with the offset of --tz, as in --format csv. For html it writes the
// one self-contained report.html.
func writeDir(dir string, sum *report.Summary, format report.Format, opts report.Options, bom bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	ext := map[report.Format]string{report.FormatCSV: "csv", report.FormatTable: "csv", report.FormatMarkdown: "md", report.FormatJSON: "json", report.FormatHTML: "html"}[format]
	tf := format
	if format == report.FormatTable {
		tf = report.FormatCSV
	}
	// The index says of each table how many rows it has in all (total_rows), and its title
	// "10 of 11" when --top cut it: the tables are written as the report shows them, cut
	// at --top, because the rows beyond are not held (they are counted as the view is
	// computed, within the memory budget); --top 0 writes every row.
	index := report.Table{Name: "index", Title: "Files", Columns: []report.Column{{Name: "file"}, {Name: "table"}, {Name: "title"},
		{Name: "rows", Numeric: true}, {Name: "total_rows", Numeric: true}}}
	if format == report.FormatHTML {
		if err := writeOutput(filepath.Join(dir, "report.html"), nil, func(w io.Writer) error { return sum.Write(w, report.FormatHTML, opts) }); err != nil {
			return err
		}
		index.Rows = append(index.Rows, []string{"report.html", "report", "The whole report", "", ""})
		tf, ext = report.FormatCSV, "csv" // the index itself
	} else {
		files := opts
		files.ForFiles = true // for spreadsheets and programs: cells as the CSV format writes them
		for _, t := range sum.Tables(files) {
			name := t.Name + "." + ext
			write := func(w io.Writer) error { return report.WriteTable(w, t, tf) }
			if err := writeOutput(filepath.Join(dir, name), nil, withBOM(bom && tf == report.FormatCSV, write)); err != nil {
				return err
			}
			total, title := max(t.Total, len(t.Rows)), t.Title
			if total > len(t.Rows) {
				title += fmt.Sprintf(" (%d of %d)", len(t.Rows), total)
			}
			index.Rows = append(index.Rows, []string{name, t.Name, title, fmt.Sprint(len(t.Rows)), fmt.Sprint(total)})
		}
		if format == report.FormatJSON {
			// The contract, beside its tables.
			if err := writeOutput(filepath.Join(dir, "summary.json"), nil, func(w io.Writer) error { return sum.Write(w, report.FormatJSON, opts) }); err != nil {
				return err
			}
			index.Rows = append(index.Rows, []string{"summary.json", "summary", "The JSON summary (grantsweep.summary/v1)", "", ""})
		}
	}
	write := func(w io.Writer) error { return report.WriteTable(w, index, tf) }
	return writeOutput(filepath.Join(dir, "index."+ext), nil, withBOM(bom && tf == report.FormatCSV, write))
}
