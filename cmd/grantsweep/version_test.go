package main

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// TestVersion: "version" says more than "grantsweep dev": the Go version and the
// platform always, and the revision when the build recorded one; its first line is
// still "grantsweep VERSION".
func TestVersion(t *testing.T) {
	platform := runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	out, errs, code := runCLI(t, "", "version")
	if code != 0 || errs != "" || !strings.HasPrefix(out, "grantsweep dev\n") || !strings.Contains(out, platform) {
		t.Errorf("version: exit %d, stderr %q, stdout %q; want grantsweep dev, then %s", code, errs, out, platform)
	}
	if alias, _, _ := runCLI(t, "", "--version"); alias != out {
		t.Errorf("--version = %q, want what version prints, %q", alias, out)
	}
	out, errs, code = runCLI(t, "", "version", "--json")
	var got map[string]any
	if code != 0 || errs != "" || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("version --json: exit %d, stderr %q, stdout %q", code, errs, out)
	}
	// The members are a contract (README): all of them, always.
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"arch", "go", "modified", "os", "revision", "time", "version"}; !slices.Equal(keys, want) {
		t.Errorf("version --json members %q, want %q", keys, want)
	}
	if got["version"] != "dev" || got["go"] != runtime.Version() || got["os"] != runtime.GOOS || got["arch"] != runtime.GOARCH || got["modified"] != false {
		t.Errorf("version --json = %v", got)
	}
	if _, errs, code := runCLI(t, "", "version", "--json", "true"); code != 0 || errs != "" {
		t.Errorf("version --json true: exit %d, %q", code, errs)
	}
}

// TestReadBuild: what a binary built from a checkout records is shown.
func TestReadBuild(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/grantsweep/grantsweep", Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-24T08:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	b := readBuild(bi, true)
	want := build{Version: "v1.2.3", Revision: "0123456789abcdef0123456789abcdef01234567", Time: "2026-11-24T08:00:00Z", Modified: true,
		Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if b != want {
		t.Errorf("readBuild = %+v, want %+v", b, want)
	}
	text := b.text()
	for _, w := range []string{"grantsweep v1.2.3\n", "revision:  0123456789abcdef0123456789abcdef01234567 (modified)\n", "committed: 2026-11-24T08:00:00Z\n", "go:        " + runtime.Version()} {
		if !strings.Contains(text, w) {
			t.Errorf("text %q lacks %q", text, w)
		}
	}
	// A build from outside a checkout, or go run: the version is dev, no revision.
	bi.Main.Version, bi.Settings = "(devel)", nil
	if b := readBuild(bi, true); b.Version != "dev" || b.Revision != "" || b.Modified || strings.Contains(b.text(), "revision") {
		t.Errorf("readBuild without VCS = %+v", b)
	}
	if b := readBuild(nil, false); b.Version != "dev" || b.Go != runtime.Version() {
		t.Errorf("readBuild without build info = %+v", b)
	}
	// -ldflags -X main.version wins.
	version = "v9.9.9"
	defer func() { version = "" }()
	if b := readBuild(bi, true); b.Version != "v9.9.9" || versionString() != "v9.9.9" {
		t.Errorf("with -X main.version: %+v, %s", b, versionString())
	}
}
