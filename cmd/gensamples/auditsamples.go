package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// auditDir is where the audit samples go, under samples/.
const auditDir = "audit"

// labelsPath is where -labels writes the audit samples' labels (not under samples/,
// which every sweep of samples/ would read as an input).
var labelsPath string

// auditSample is one file (or, for diagnostic settings, one folder of hourly files) of
// the audit samples in one shape.
type auditSample struct {
	name  string // the shape's name in the labels
	path  string // under samples/audit/
	shape string // in auditShapes
}

const auditMonitorDir = "insights-logs-auditlogs/resourceId=/tenants/" + tenantID + "/providers/Microsoft.aadiam"

var auditSampleSet = []auditSample{
	{"graph", "graph/directoryAudits-v1.0-page1.json", "audit-graph"},
	{"powershell", "powershell/Get-MgAuditLogDirectoryAudit.json", "audit-powershell"},
	{"diagnostic-settings", auditMonitorDir, "audit-monitor"}, // one PT1H.json an hour
	{"eventhub", "eventhub/insights-auditlogs-and-signinlogs-batch.json", "audit-eventhub"},
	{"log-analytics-json", "log-analytics/AuditLogs.json", "audit-la-json"},
	{"log-analytics-csv", "log-analytics/AuditLogs_export.csv", "audit-la-csv"},
	{"log-analytics-parquet", "log-analytics/AuditLogs.parquet", "audit-la-parquet"},
	{"portal", "portal/AuditLogs_2026-11-16_2026-11-25.csv", "audit-portal"},
}

// auditSignInsPath is the audit samples' sign-ins, Graph beta records one per line.
const auditSignInsPath = "graph/signIns-beta.jsonl"

// changeKinds is the kind each labelled change is named after: its most specific
// member's (password_change and account_removed before session_revoke).
var changeKinds = map[string]string{
	"henrietta-revoke": "session_revoke", "henrietta-old-revoke": "session_revoke", "irvin-reset": "password_change", "irvin-revoke": "session_revoke",
	"lidia-sspr": "password_change", "isabella-sspr": "password_change", "lynne-disable": "account_removed", "miriam-delete": "account_removed",
	"laptop-delete": "device_removed", "phone-unregister": "device_removed", "frequency-add": "ca_policy_change",
	"tokenprot-update": "ca_policy_change", "legacy-delete": "ca_policy_change", "christie-revoke-failed": "session_revoke",
}

// writeAuditSamples writes samples/audit/: the audit log in every shape and the sign-ins
// beside it; and their labels to labelsPath, when set.
func writeAuditSamples(dir string) error {
	return writeAuditSamplesLabels(dir, labelsPath)
}

func writeAuditSamplesLabels(dir, labels string) error {
	recs := auditLog()
	evs, ls := auditEvents()
	root := filepath.Join(dir, auditDir)
	files := map[string][]string{}
	for _, as := range auditSampleSet {
		sh := auditShapes[as.shape]
		if as.shape != "audit-monitor" {
			var withSignIns []event
			if as.shape == "audit-eventhub" {
				withSignIns = auditStreamEvents()
			}
			if err := writeFile(filepath.Join(root, as.path), func(w io.Writer) error { return sh.write(w, recs, withSignIns) }); err != nil {
				return err
			}
			files[as.name] = []string{as.path}
			continue
		}
		// A blob an hour, each with the records of its hour, in the log's order.
		byHour := map[time.Time][]auditRec{}
		for _, r := range recs {
			h := r.time.Truncate(time.Hour)
			byHour[h] = append(byHour[h], r)
		}
		hours := make([]time.Time, 0, len(byHour))
		for h := range byHour {
			hours = append(hours, h)
		}
		slices.SortFunc(hours, time.Time.Compare)
		for _, h := range hours {
			rel := as.path + "/" + h.Format("y=2006/m=01/d=02/h=15/m=00") + "/PT1H.json"
			if err := writeFile(filepath.Join(root, filepath.FromSlash(rel)), func(w io.Writer) error { return sh.write(w, byHour[h], nil) }); err != nil {
				return err
			}
			files[as.name] = append(files[as.name], rel)
		}
	}
	if err := writeFile(filepath.Join(root, auditSignInsPath), func(w io.Writer) error {
		return shapes["lines"].write(w, slices.Clone(evs), part{first: true, last: true})
	}); err != nil {
		return err
	}
	if labels == "" {
		return nil
	}
	return writeFile(labels, func(w io.Writer) error { return writeLabels(w, recs, evs, ls, files) })
}

func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeLabels writes the labels (cmd/gensamples/testdata/audit-labels.json): the files
// of each shape, the changes (their kind and audit ids) and, for each failure of the
// sign-ins, the change that explains it or none, and why. The tests compare grantsweep's output with it.
func writeLabels(w io.Writer, recs []auditRec, evs []event, ls []labelledSignIn, files map[string][]string) error {
	type change struct {
		kind   string
		first  time.Time
		target string
		ids    []string
	}
	changes := map[string]*change{}
	var names []string
	for _, r := range recs {
		if r.change == "" {
			continue
		}
		c := changes[r.change]
		if c == nil {
			kind, ok := changeKinds[r.change]
			if !ok {
				return fmt.Errorf("change %s has no labelled kind", r.change)
			}
			c = &change{kind: kind, first: r.time}
			changes[r.change] = c
			names = append(names, r.change)
		}
		if r.time.Before(c.first) {
			c.first = r.time
		}
		c.ids = append(c.ids, r.id)
		for _, t := range r.targets {
			if t.typ == "User" || t.typ == "Device" || t.typ == "Policy" {
				c.target = t.typ + " " + t.id
			}
		}
	}
	slices.Sort(names)
	strs := func(l []string) []any {
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	}
	var cs []any
	for _, n := range names {
		c := changes[n]
		slices.Sort(c.ids)
		cs = append(cs, obj{{"name", n}, {"kind", c.kind}, {"time", c.first.Format(time.RFC3339Nano)}, {"target", c.target}, {"audit_ids", strs(c.ids)}})
	}
	var fs []any
	explained := map[string]int{}
	for i, l := range ls {
		if l.cause == "" {
			continue
		}
		kind, id := "", ""
		if l.change != "" {
			c := changes[l.change]
			kind, id = c.kind, c.ids[0]
			explained[l.cause]++
		}
		fs = append(fs, obj{{"event_id", evs[i].id}, {"user", strings.ToLower(l.user.upn)}, {"time", l.time.Format(time.RFC3339)},
			{"cause", l.cause}, {"change", l.change}, {"explained_by_kind", kind}, {"explained_by_audit_id", id}, {"why", l.why}})
	}
	shapeFiles := obj{}
	for _, as := range auditSampleSet {
		shapeFiles = append(shapeFiles, kv{as.name, strs(files[as.name])})
	}
	causes := make([]string, 0, len(explained))
	for c := range explained {
		causes = append(causes, c)
	}
	slices.Sort(causes)
	ex := obj{}
	for _, c := range causes {
		ex = append(ex, kv{c, explained[c]})
	}
	var b bytes.Buffer
	encode(&b, obj{
		{"about", "Labels of samples/audit/ (paths below are under it), written by cmd/gensamples from its hand-written scenario (audit.go), never by grantsweep: each audit shape's files hold the same audit records; swept with sign_ins, every failure is explained by the change kind and first audit id given, or by none. The portal CSV has no record ids."},
		{"sign_ins", auditSignInsPath},
		{"shapes", shapeFiles},
		{"audit_records", len(recs)},
		{"changes", cs},
		{"explained", ex},
		{"failures", fs},
	}, indented, 0)
	b.WriteString("\n")
	_, err := w.Write(b.Bytes())
	return err
}
