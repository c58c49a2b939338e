package blob

import (
	"strings"
	"testing"
)

func TestParseLocation(t *testing.T) {
	tests := []struct {
		arg, endpoint                                 string
		account, container, service, pattern, display string
		sas                                           bool
	}{
		{arg: "https://acct.blob.core.windows.net/insights-logs-signinlogs/tenantId=x/y=2026/",
			account: "acct", container: "insights-logs-signinlogs", service: "https://acct.blob.core.windows.net", pattern: "tenantId=x/y=2026/",
			display: "https://acct.blob.core.windows.net/insights-logs-signinlogs/"},
		{arg: "https://acct.blob.core.windows.net/c/logs/*.json?sv=2022-11-02&ss=b&sig=abc%3D",
			account: "acct", container: "c", service: "https://acct.blob.core.windows.net", pattern: "logs/*.json",
			display: "https://acct.blob.core.windows.net/c/", sas: true},
		{arg: "https://acct.blob.core.windows.net/c/logs/PT?H.json", // a '?' of a glob, not a SAS
			account: "acct", container: "c", service: "https://acct.blob.core.windows.net", pattern: "logs/PT?H.json",
			display: "https://acct.blob.core.windows.net/c/"},
		{arg: "az://acct/c/**/PT1H.json",
			account: "acct", container: "c", service: "https://acct.blob.core.windows.net", pattern: "**/PT1H.json", display: "az://acct/c/"},
		{arg: "az://acct/c/**/PT1H.json", endpoint: "core.usgovcloudapi.net",
			account: "acct", container: "c", service: "https://acct.blob.core.usgovcloudapi.net", pattern: "**/PT1H.json", display: "az://acct/c/"},
		{arg: "az://devstoreaccount1/c/x", endpoint: "http://127.0.0.1:10000/devstoreaccount1/",
			account: "devstoreaccount1", container: "c", service: "http://127.0.0.1:10000/devstoreaccount1", pattern: "x", display: "az://devstoreaccount1/c/"},
		{arg: "az://acct/c",
			account: "acct", container: "c", service: "https://acct.blob.core.windows.net", pattern: "", display: "az://acct/c/"},
		{arg: "abfss://lake@acct.dfs.core.chinacloudapi.cn/signins/date=*/*.parquet",
			account: "acct", container: "lake", service: "https://acct.blob.core.chinacloudapi.cn", pattern: "signins/date=*/*.parquet",
			display: "abfss://lake@acct.dfs.core.chinacloudapi.cn/"},
		{arg: "https://acct.dfs.core.windows.net/lake/signins/",
			account: "acct", container: "lake", service: "https://acct.blob.core.windows.net", pattern: "signins/", display: "https://acct.dfs.core.windows.net/lake/"},
		{arg: "http://127.0.0.1:10000/devstoreaccount1/c/y=2026/m=11",
			account: "devstoreaccount1", container: "c", service: "http://127.0.0.1:10000/devstoreaccount1", pattern: "y=2026/m=11",
			display: "http://127.0.0.1:10000/devstoreaccount1/c/"},
		{arg: "http://localhost:10000/devstoreaccount1/c/my%20logs/a.json",
			account: "devstoreaccount1", container: "c", service: "http://localhost:10000/devstoreaccount1", pattern: "my logs/a.json",
			display: "http://localhost:10000/devstoreaccount1/c/"},
	}
	for _, tt := range tests {
		loc, err := parseLocation(tt.arg, tt.endpoint)
		if err != nil {
			t.Errorf("%s: %v", tt.arg, err)
			continue
		}
		if loc.account != tt.account || loc.container != tt.container || loc.service != tt.service || loc.pattern != tt.pattern ||
			loc.display != tt.display || (loc.sas != "") != tt.sas {
			t.Errorf("%s: got %+v", tt.arg, *loc)
		}
	}
	for _, bad := range []string{"az://acct", "az:///c/x", "abfss://acct.dfs.core.windows.net/x", "https://acct.blob.core.windows.net/", "http://127.0.0.1:10000/devstoreaccount1"} {
		if _, err := parseLocation(bad, ""); err == nil {
			t.Errorf("%s: taken apart, want an error", bad)
		}
	}
}

func TestIsRemote(t *testing.T) {
	for arg, want := range map[string]bool{"az://a/c": true, "AZ://a/c": true, "https://a.blob.core.windows.net/c": true, "http://127.0.0.1:1/a/c": true,
		"abfss://c@a.dfs.core.windows.net/x": true, "logs/https/x": false, "-": false, "az://": false, "C:\\logs": false} {
		if IsRemote(arg) != want {
			t.Errorf("IsRemote(%q) = %v", arg, !want)
		}
	}
}

func TestShownHidesSAS(t *testing.T) {
	got := Shown("https://a.blob.core.windows.net/c/x?sv=2022-11-02&sig=SECRET")
	if strings.Contains(got, "SECRET") || !strings.HasSuffix(got, "?(SAS)") {
		t.Errorf("Shown = %q", got)
	}
	if got := Shown("az://a/c/PT?H.json"); got != "az://a/c/PT?H.json" {
		t.Errorf("Shown of a glob = %q", got)
	}
}

func TestMatcher(t *testing.T) {
	tests := []struct {
		pattern, name string
		match         bool
	}{
		{"", "a/b.json", true},
		{"logs", "logs/a.json", true},
		{"logs", "logs", true},
		{"logs", "logs2/a.json", false},
		{"logs/", "logs/x/a.json", true},
		{"logs/*.json", "logs/a.json", true},
		{"logs/*.json", "logs/x/a.json", false},
		{"logs/**/*.json", "logs/x/y/a.json", true},
		{"logs/y=*", "logs/y=2026/m=01/a.json", true}, // a matching folder stands for the blobs below it
		{"logs/{a,b}/*.gz", "logs/b/x.gz", true},
	}
	for _, tt := range tests {
		if got := newMatcher(tt.pattern).matches(tt.name); got != tt.match {
			t.Errorf("%q matches %q = %v", tt.pattern, tt.name, got)
		}
	}
	below := []struct {
		pattern, dir string
		below        bool
	}{
		{"logs/*/PT1H.json", "logs/", true},
		{"logs/*/PT1H.json", "logs/x/", true},
		{"logs/*/PT1H.json", "logs/x/y/", false},
		{"logs/*/PT1H.json", "other/", false},
		{"logs/**/PT1H.json", "logs/x/y/z/", true},
		{"logs/y=2026/m=*/d=01/*", "logs/y=2026/m=03/d=02/", false},
		{"logs/y=2026/m=*/d=01/*", "logs/y=2026/m=03/d=01/", true},
		{"logs", "logs/x/", true},
		{"logs/x", "logs/", true},
		{"logs/x", "logs/y/", false},
	}
	for _, tt := range below {
		if got := newMatcher(tt.pattern).below(tt.dir); got != tt.below {
			t.Errorf("%q below %q = %v", tt.pattern, tt.dir, got)
		}
	}
	if m := newMatcher("tenantId=x/y=2026/m=1*/PT1H.json"); m.prefix != "tenantId=x/y=2026/m=1" || m.dirPrefix() != "tenantId=x/y=2026/" {
		t.Errorf("literal prefix %q, folder %q", m.prefix, m.dirPrefix())
	}
}
