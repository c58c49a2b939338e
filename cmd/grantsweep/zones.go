package main

import (
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
	return nil, usageError("--tz %q: not a time zone: give an IANA name such as Europe/Amsterdam, a Windows name such as \"W. Europe Standard Time\", UTC or local", name)
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
