package main

import (
	"archive/zip"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCSVTimesOneFormat: --format csv and the CSV files of --out write times one way,
// RFC 3339 with the offset of --tz (they used to differ: 2026-11-24T00:04:19Z beside
// 2026-11-24 00:04:19 UTC, or CET with --tz, which spreadsheets cannot read).
func TestCSVTimesOneFormat(t *testing.T) {
	for _, tz := range []struct{ name, offset string }{{"UTC", "Z"}, {"Europe/Amsterdam", "+01:00"}, {"W. Europe Standard Time", "+01:00"}} {
		dir := t.TempDir()
		csvOut := mustRun(t, "sweep", "--format", "csv", "--tz", tz.name, "--out", dir, samplesDir)
		file, _ := os.ReadFile(filepath.Join(dir, "causes.csv"))
		if string(file) != csvOut {
			t.Errorf("--tz %s: causes.csv of --out differs from --format csv:\n%s", tz.name, firstDiff(string(file), csvOut))
		}
		for _, name := range []string{"causes.csv", "totals.csv", "by_hour.csv"} {
			data, _ := os.ReadFile(filepath.Join(dir, name))
			rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			times := 0
			for _, r := range rows[1:] {
				for _, c := range r {
					if !strings.HasPrefix(c, "2026-") {
						continue
					}
					times++
					if _, err := time.Parse(time.RFC3339, c); err != nil || !strings.HasSuffix(c, tz.offset) {
						t.Errorf("--tz %s: %s: time %q is not RFC 3339 with offset %s", tz.name, name, c, tz.offset)
					}
				}
			}
			if times == 0 {
				t.Errorf("--tz %s: %s: no times", tz.name, name)
			}
		}
	}
}

// TestSinceAsShown: --since takes the time the terminal shows (2026-11-24 15:38) and
// reads a time without a zone in --tz (it was UTC whatever --tz said).
func TestSinceAsShown(t *testing.T) {
	inScope := func(args ...string) int64 {
		t.Helper()
		return validate(t, mustRun(t, append(append([]string{"sweep", "--format", "json"}, args...), samplesDir)...)).Totals.InScope
	}
	want := inScope("--since", "2026-11-24T15:38:00Z")
	if all := inScope(); want == 0 || want == all {
		t.Fatalf("a weak test: %d of %d in scope since 15:38", want, all)
	}
	for _, args := range [][]string{
		{"--since", "2026-11-24 15:38"},
		{"--since", "2026-11-24T15:38"},
		{"--since", "2026-11-24 15:38 UTC"},
		{"--since", "2026-11-24 16:38", "--tz", "Europe/Amsterdam"},
		{"--since", "2026-11-24T16:38:00", "--tz", "Europe/Amsterdam"},
		{"--since", "2026-11-24 16:38:00 CET", "--tz", "Europe/Amsterdam"},
		{"--since", "2026-11-24 16:38", "--tz", "W. Europe Standard Time"},
		{"--since", "2026-11-24 10:38", "--tz", "Eastern Standard Time"},
		{"--since", "2026-11-24T16:38:00+01:00", "--tz", "America/New_York"},
	} {
		if got := inScope(args...); got != want {
			t.Errorf("%v: %d in scope, want %d (as --since 2026-11-24T15:38:00Z)", args, got, want)
		}
	}
	// A date is midnight in --tz.
	if a, b := inScope("--until", "2026-11-24", "--tz", "Asia/Tokyo"), inScope("--until", "2026-11-23T15:00:00Z"); a != b {
		t.Errorf("--until 2026-11-24 in Asia/Tokyo: %d in scope, want %d", a, b)
	}
	// An abbreviation that is not --tz's is refused rather than taken as UTC.
	if _, errs, code := runCLI(t, "", "sweep", "--since", "2026-11-24 16:38 CET", samplesDir); code != 2 || !strings.Contains(errs, "CET is not a zone of --tz UTC") {
		t.Errorf("--since with CET and --tz UTC: exit %d, %q", code, errs)
	}
	// A time the clocks of --tz show twice (Amsterdam goes back at 03:00 CEST on 25
	// October 2026) is refused with both offsets, in each form without a zone, and for
	// rules export too; an offset, or the hour before, is taken.
	for _, args := range [][]string{
		{"sweep", "--since", "2026-10-25 02:30", "--tz", "Europe/Amsterdam", samplesDir},
		{"sweep", "--until", "2026-10-25T02:30:00", "--tz", "Europe/Amsterdam", samplesDir},
		{"events", "--since", "2026-10-25 02:59", "--tz", "Europe/Amsterdam", samplesDir},
		{"sweep", "--since", "2026-11-01 01:30", "--tz", "America/New_York", samplesDir},
	} {
		_, errs, code := runCLI(t, "", args...)
		if code != 2 || !strings.Contains(errs, "happens twice") || !strings.Contains(errs, "give the offset") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	if got, want := inScope("--since", "2026-10-25T02:30:00+01:00", "--tz", "Europe/Amsterdam"), inScope(); got != want {
		t.Errorf("--since with an offset in the repeated hour: %d in scope, want %d", got, want)
	}
	if got, want := inScope("--since", "2026-10-25 01:59", "--tz", "Europe/Amsterdam"), inScope(); got != want {
		t.Errorf("--since the minute before the repeated hour: %d in scope, want %d", got, want)
	}
}

// TestZones: --tz takes Windows zone names (CLDR's mapping) and local.
func TestZones(t *testing.T) {
	if len(windowsZones) < 135 {
		t.Errorf("%d Windows zones, want CLDR's 001 territory of each (about 140)", len(windowsZones))
	}
	// LoadLocation may find a name in the system's database; time/tzdata, which --tz
	// falls back on, is generated from Go's own lib/time/zoneinfo.zip: each name must be
	// in it too.
	embedded := map[string]bool{}
	goroot, _ := exec.Command("go", "env", "GOROOT").Output()
	if z, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time", "zoneinfo.zip")); err == nil {
		for _, f := range z.File {
			embedded[f.Name] = true
		}
		z.Close()
	}
	for w, iana := range windowsZones {
		if _, err := time.LoadLocation(iana); err != nil {
			t.Errorf("%s: %s does not load: %v", w, iana, err)
		}
		if len(embedded) > 0 && !embedded[iana] {
			t.Errorf("%s: %s is not in Go's zone database (time/tzdata)", w, iana)
		}
	}
	for name, want := range map[string]string{
		"W. Europe Standard Time":  "Europe/Berlin",
		"w. europe  standard time": "Europe/Berlin",
		"Pacific Standard Time":    "America/Los_Angeles",
		"India Standard Time":      "Asia/Calcutta",
		"Europe/Amsterdam":         "Europe/Amsterdam",
		"UTC":                      "UTC",
		"local":                    "Local",
		"Local":                    "Local",
	} {
		loc, err := loadZone(name)
		if err != nil || loc.String() != want {
			t.Errorf("loadZone(%q) = %v, %v; want %s", name, loc, err, want)
		}
	}
	if len(embedded) == 0 {
		t.Log("Go's lib/time/zoneinfo.zip not found: the names were checked against the system's database only")
	}
	if _, err := loadZone("Mars Standard Time"); err == nil {
		t.Error("loadZone(Mars Standard Time) accepted")
	}
	berlin := mustRun(t, "sweep", "--tz", "Europe/Berlin", samplesDir)
	if w := mustRun(t, "sweep", "--tz", "W. Europe Standard Time", samplesDir); w != berlin {
		t.Errorf("--tz W. Europe Standard Time differs from Europe/Berlin:\n%s", firstDiff(w, berlin))
	}
	for _, cmd := range []string{"sweep", "events"} {
		if _, errs, code := runCLI(t, "", cmd, "--tz", "local", samplesDir+"/graph"); code != 0 {
			t.Errorf("%s --tz local: exit %d: %s", cmd, code, errs)
		}
	}
}

// TestZoneSuggestions: a --tz that is no zone is a usage error that suggests the zone
// meant: an IANA name in another case, a Windows name with a typo, and (where the
// machine lists its zones) an IANA name with a typo.
func TestZoneSuggestions(t *testing.T) {
	cases := map[string]string{
		"europe/amsterdam":       `did you mean "Europe/Amsterdam"?`,
		"america/new_york":       `did you mean "America/New_York"?`,
		"W. Europe Standrd Time": `did you mean "W. Europe Standard Time"?`,
		"Mars/Olympus_Mons":      "not a time zone; give an IANA name",
	}
	if _, err := os.Stat("/usr/share/zoneinfo/zone.tab"); err == nil {
		cases["Europe/Amsterdm"] = `did you mean "Europe/Amsterdam"?`
	}
	for tz, want := range cases {
		_, errs, code := runCLI(t, "", "sweep", "--tz", tz, samplesDir)
		if code != 2 || !strings.Contains(errs, want) {
			t.Errorf("--tz %q: exit %d, %q; want exit 2 and %q", tz, code, errs, want)
		}
	}
}
