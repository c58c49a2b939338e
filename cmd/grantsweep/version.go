package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise it comes
// from the module's build information.
var version = ""

// versionString is the version in "grantsweep VERSION" (the version command's first
// line, and the JSON summary's generated_by).
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	return readBuild(bi, ok).Version
}

// build is what "grantsweep version --json" prints, a public contract: each member is
// always there, empty (or false) when the build did not record it.
type build struct {
	Version  string `json:"version"`  // -ldflags main.version, else the module's version, else "dev"
	Revision string `json:"revision"` // the VCS revision built (vcs.revision)
	Time     string `json:"time"`     // that revision's commit time, RFC 3339 (vcs.time)
	Modified bool   `json:"modified"` // the work tree had uncommitted changes (vcs.modified)
	Go       string `json:"go"`       // the Go version that built it: go1.26.8
	OS       string `json:"os"`       // GOOS
	Arch     string `json:"arch"`     // GOARCH
}

// readBuild reads the build information (debug.ReadBuildInfo; ok false when the binary
// has none).
func readBuild(bi *debug.BuildInfo, ok bool) build {
	b := build{Version: "dev", Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if ok && bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			b.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.time":
				b.Time = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		b.Version = version
	}
	return b
}

// text is the version command's output: "grantsweep VERSION" on the first line, as
// before, then what else is known.
func (b build) text() string {
	var s strings.Builder
	fmt.Fprintf(&s, "grantsweep %s\n", b.Version)
	if b.Revision != "" {
		mod := ""
		if b.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(&s, "revision:  %s%s\n", b.Revision, mod)
	}
	if b.Time != "" {
		fmt.Fprintf(&s, "committed: %s\n", b.Time)
	}
	fmt.Fprintf(&s, "go:        %s %s/%s\n", b.Go, b.OS, b.Arch)
	return s.String()
}

// versionOptions are the flags of "grantsweep version".
type versionOptions struct {
	json bool
}

func (o *versionOptions) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print a JSON object: version, revision, time, modified, go, os, arch")
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	var o versionOptions
	fs := newFlagSet("version", stderr)
	o.addFlags(fs)
	helpOn(fs, "version", stdout)
	if err := parseFlags(fs, "version", args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("version: takes no arguments, not %q", fs.Arg(0))
	}
	bi, ok := debug.ReadBuildInfo()
	b := readBuild(bi, ok)
	if !o.json {
		_, err := io.WriteString(stdout, b.text())
		return err
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", data)
	return err
}
