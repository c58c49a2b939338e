package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
)

// arrayOf writes records (compact JSON objects) as one JSON array the way the tools that
// write arrays do: one element a line (jq -c, Graph's value of many pages), pretty-printed
// with two spaces (the Azure CLI), or as Windows PowerShell 5.1's ConvertTo-Json | Out-File
// does (a BOM, CRLF, four spaces).
func arrayOf(style string, recs []string) string {
	var b strings.Builder
	nl, indent := "\n", ""
	switch style {
	case "cli":
		indent = "  "
	case "powershell":
		nl, indent = "\r\n", "    "
		b.WriteString("\ufeff")
	}
	b.WriteString("[" + nl)
	for i, r := range recs {
		if i > 0 {
			b.WriteString("," + nl)
		}
		if indent == "" {
			b.WriteString(r)
			continue
		}
		var out bytes.Buffer
		if err := json.Indent(&out, []byte(r), indent, indent); err != nil {
			panic(err)
		}
		b.WriteString(indent + strings.ReplaceAll(out.String(), "\n", nl))
	}
	b.WriteString(nl + "]" + nl)
	return b.String()
}

// arrayRecords are n sign-in records, a few of them failures, one of an app named "Marker
// App" (see withBadNumber).
func arrayRecords(n int) []string {
	var recs []string
	for i := range n {
		id := "r" + strconv.Itoa(i)
		code := []int{0, 70000, 0, 70008, 50126, 0, 700082}[i%7]
		rec := graphRecord(id, code, `"appliedConditionalAccessPolicies":[{"id":"p1","result":"success"},{"id":"p2","result":"notApplied"}],`)
		if i == n/2 {
			rec = strings.Replace(rec, "OneDrive SyncEngine", "Marker App", 1)
		}
		recs = append(recs, rec)
	}
	return recs
}

// withBadNumber gives the record of the app "Marker App" a number with a leading zero: a
// record the decoder skips (JSON has no such number), which the framing passes.
func withBadNumber(s string) string {
	return strings.Replace(s, `"Marker App"`, `"Marker App", "x": 01`, 1)
}

// TestSectionsOfArrays: a file that is one JSON array of records is read in parallel
// sections cut at the lines that open elements, and every section reads as the whole file
// reads it (so sweep does not read it again whole); the summary and the messages, with
// the skipped record's line and offset, are those of one worker. Where a cut falls inside
// an element, or the array is not alone or breaks, some section is not clean and the file
// is read whole: the result is again one worker's.
func TestSectionsOfArrays(t *testing.T) {
	defer func(v int64) { splitAbove = v }(splitAbove)
	splitAbove = 1
	recs := arrayRecords(40)
	for _, style := range []string{"lines", "cli", "powershell"} {
		t.Run(style, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in.json")
			if err := os.WriteFile(p, []byte(withBadNumber(arrayOf(style, recs))), 0o644); err != nil {
				t.Fatal(err)
			}
			secs, err := parse.Split(p, 4, 1, "auto")
			if err != nil || len(secs) != 4 {
				t.Fatalf("Split: %+v, %v; want 4 sections", secs, err)
			}
			for _, sec := range secs {
				if !sec.Array {
					t.Errorf("section %+v is not an array's", sec)
				}
				in, err := parse.OpenWith(p, nil, parse.OpenOptions{Section: &sec})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, err := range in.Events() {
					if _, ok := err.(*parse.RecordError); err != nil && !ok {
						t.Errorf("section %+v: %v", sec, err)
					}
					n++
				}
				if !in.Clean() || n == 0 {
					t.Errorf("section %+v: %d items, clean %v: want items, and clean", sec, n, in.Clean())
				}
				in.Close()
			}
			whole, werr, wcode := runCLI(t, "", "sweep", "--format", "json", "--workers", "1", p)
			split, serr, scode := runCLI(t, "", "sweep", "--format", "json", "--workers", "4", p)
			if whole != split || werr != serr || wcode != scode {
				t.Errorf("whole (exit %d): %s\nin sections (exit %d): %s\n%s", wcode, werr, scode, serr, firstDiff(whole, split))
			}
			s := validate(t, split)
			if s.Totals.Records != 39 || s.Totals.Skipped != 1 || s.Inputs[0].Format != "json/array" {
				t.Errorf("totals %+v, inputs %+v", s.Totals, s.Inputs)
			}
			if len(s.SkippedSamples) != 1 || !strings.Contains(werr, ":"+strconv.Itoa(s.SkippedSamples[0].Line)+" ") {
				t.Errorf("skipped %+v; stderr %s", s.SkippedSamples, werr)
			}
		})
	}

	// A section whose framing skipped a record is not clean: how the framing goes on after
	// a broken record depends on what it read before (the elements' first names, the
	// line), which a section's read did not.
	t.Run("a record the framing skips", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "in.json")
		data := strings.Replace(arrayOf("cli", recs), "Marker App", "Marker\x01App", 1)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		secs, err := parse.Split(p, 4, 1, "auto")
		if err != nil || len(secs) != 4 {
			t.Fatalf("Split: %+v, %v; want 4 sections", secs, err)
		}
		unclean := 0
		for _, sec := range secs {
			in, err := parse.OpenWith(p, nil, parse.OpenOptions{Section: &sec})
			if err != nil {
				t.Fatal(err)
			}
			for range in.Events() {
			}
			if !in.Clean() {
				unclean++
			}
			in.Close()
		}
		if unclean != 1 {
			t.Errorf("%d sections not clean, want the one with the control byte", unclean)
		}
	})

	cli := arrayOf("cli", recs[:12])
	lines := arrayOf("lines", recs[:12])
	nested := strings.Replace(cli, `"appliedConditionalAccessPolicies": [`+"\n", `"appliedConditionalAccessPolicies": [`+"\n  {\"id\":\"odd\"},\n", -1)
	var pairs []string
	for i := 0; i+1 < len(recs); i += 2 {
		pairs = append(pairs, recs[i]+", "+recs[i+1])
	}
	for _, tt := range []struct{ name, data string }{
		{"an object nested at the elements' indentation", nested},
		{"a broken element", strings.Replace(cli, `"errorCode": 70008`, `"errorCode": 70008,,`, 1)},
		{"an element that is not an object", strings.Replace(lines, recs[5]+",", "7,\n"+recs[5]+",", 1)},
		{"two elements on a line", strings.Replace(lines, recs[5]+",\n", recs[5]+", ", 1)},
		// Read whole, no element is taken a line at a time (no two in a row open their
		// lines), and each line is two elements; a section that took its first line whole
		// would read one broken record there.
		{"two elements on every line", arrayOf("lines", pairs)},
		{"no commas", strings.ReplaceAll(lines, "},\n{", "}\n{")},
		{"a value after the array", lines + recs[0] + "\n"},
		{"a second array", lines + lines},
		{"not closed", strings.TrimSuffix(lines, "]\n")},
		{"cut inside an element", cli[:len(cli)*3/4]},
		{"inside a wrapper", `{"value":` + lines + "}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in.json")
			if err := os.WriteFile(p, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			whole, werr, wcode := runCLI(t, "", "sweep", "--format", "json", "--workers", "1", p)
			split, serr, scode := runCLI(t, "", "sweep", "--format", "json", "--workers", "4", p)
			if whole != split || werr != serr || wcode != scode {
				t.Errorf("whole (exit %d): %s\nin sections (exit %d): %s\n%s", wcode, werr, scode, serr, firstDiff(whole, split))
			}
		})
	}
}
