package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // --tz works on machines without a zone database
)

// loadZone reads --tz: an IANA name (Europe/Amsterdam), a Windows name as Windows and
// Entra settings show it (W. Europe Standard Time, see windowsZones), UTC, or local for
// the machine's own zone.
func loadZone(name string) (*time.Location, error) {
	if strings.EqualFold(name, "local") {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(name)
	if err == nil {
		return loc, nil
	}
	if iana, ok := windowsZone(name); ok {
		return time.LoadLocation(iana)
	}
	return nil, usageError("--tz %q: not a time zone; give an IANA name such as Europe/Amsterdam, a Windows name such as \"W. Europe Standard Time\", UTC or local%s", name, zoneHint(name))
}

// zoneHint suggests, for a --tz that is no zone, the zone it may have meant: the IANA
// name in its case (europe/amsterdam is Europe/Amsterdam), else a name two edits away at
// most among the Windows names, their IANA zones and the zones the machine lists
// (zone.tab and zone1970.tab, where it has them).
func zoneHint(name string) string {
	if z := titleZone(name); z != name {
		if _, err := time.LoadLocation(z); err == nil {
			return fmt.Sprintf("; did you mean %q?", z)
		}
	}
	names := zoneNames()
	for w := range windowsZones {
		names = append(names, w)
	}
	slices.Sort(names)
	return didYouMean(name, slices.Compact(names), true)
}

// zoneNames are the IANA zones grantsweep can name without a zone database at hand
// (those of windowsZones, and UTC) and those the machine lists (zone.tab and
// zone1970.tab, where it has them), sorted.
func zoneNames() []string {
	names := []string{"UTC"}
	for _, z := range windowsZones {
		names = append(names, z)
	}
	for _, file := range []string{"zone.tab", "zone1970.tab"} {
		tab, _ := os.ReadFile("/usr/share/zoneinfo/" + file)
		for _, line := range strings.Split(string(tab), "\n") {
			if f := strings.Split(line, "\t"); len(f) >= 3 && !strings.HasPrefix(line, "#") {
				names = append(names, f[2])
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// titleZone spells an IANA name as the database does, most of the time: each word with
// an upper-case first letter (america/new_york is America/New_York).
func titleZone(name string) string {
	b := []byte(strings.ToLower(name))
	for i := range b {
		if i == 0 || strings.IndexByte("/_-", b[i-1]) >= 0 {
			if 'a' <= b[i] && b[i] <= 'z' {
				b[i] -= 'a' - 'A'
			}
		}
	}
	return string(b)
}

// windowsZone looks a Windows zone name up, ignoring case and repeated spaces.
func windowsZone(name string) (string, bool) {
	name = strings.Join(strings.Fields(name), " ")
	if iana, ok := windowsZones[name]; ok {
		return iana, true
	}
	for w, iana := range windowsZones {
		if strings.EqualFold(w, name) {
			return iana, true
		}
	}
	return "", false
}
