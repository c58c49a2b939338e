package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestTablesForFilesGolden renders every table as the files of --out write them
// (Options.ForFiles): times in RFC 3339 with the offset of the zone, and the main cause
// and its share in two columns.
func TestTablesForFilesGolden(t *testing.T) {
	s := hostile()
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Top: 10, GeneratedBy: "grantsweep test", TZ: amsterdam, ForFiles: true}
	var b bytes.Buffer
	for _, tb := range s.Tables(opts) {
		b.WriteString("== " + tb.Name + "\n")
		if err := WriteTable(&b, tb, FormatCSV); err != nil {
			t.Fatal(err)
		}
	}
	golden(t, "tables.files.csv", b.String())
	if !strings.Contains(b.String(), "2026-11-24T09:15:00+01:00") || strings.Contains(b.String(), "CET") || strings.Contains(b.String(), "%)") {
		t.Error("times are not RFC 3339 with the zone's offset, or a main cause packs its share")
	}
}
