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
func writeDir(dir string, sum *report.Summary, format report.Format, opts report.Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	ext := map[report.Format]string{report.FormatCSV: "csv", report.FormatTable: "csv", report.FormatMarkdown: "md", report.FormatJSON: "json", report.FormatHTML: "html"}[format]
	tf := format
	if format == report.FormatTable {
		tf = report.FormatCSV
	}
	index := report.Table{Name: "index", Title: "Files", Columns: []report.Column{{Name: "file"}, {Name: "table"}, {Name: "title"}, {Name: "rows", Numeric: true}}}
	if format == report.FormatHTML {
		if err := writeOutput(filepath.Join(dir, "report.html"), nil, func(w io.Writer) error { return sum.Write(w, report.FormatHTML, opts) }); err != nil {
			return err
		}
		index.Rows = append(index.Rows, []string{"report.html", "report", "The whole report", ""})
		tf, ext = report.FormatCSV, "csv" // the index itself
	} else {
		files := opts
		files.RFC3339 = true // files for spreadsheets and programs: times as the CSV format writes them
		for _, t := range sum.Tables(files) {
			name := t.Name + "." + ext
			if err := writeOutput(filepath.Join(dir, name), nil, func(w io.Writer) error { return report.WriteTable(w, t, tf) }); err != nil {
				return err
			}
			index.Rows = append(index.Rows, []string{name, t.Name, t.Title, fmt.Sprint(len(t.Rows))})
		}
		if format == report.FormatJSON {
			// The contract, beside its tables.
			if err := writeOutput(filepath.Join(dir, "summary.json"), nil, func(w io.Writer) error { return sum.Write(w, report.FormatJSON, opts) }); err != nil {
				return err
			}
			index.Rows = append(index.Rows, []string{"summary.json", "summary", "The JSON summary (grantsweep.summary/v1)", ""})
		}
	}
	return writeOutput(filepath.Join(dir, "index."+ext), nil, func(w io.Writer) error { return report.WriteTable(w, index, tf) })
}
