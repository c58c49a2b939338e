package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Large audit logs for benchmarks: -shape audit-monitor (or another audit shape but the
// Event Hub batch) -records N writes N directory audit records of the samples' day in
// that shape, in batches so that any N fits in memory. The mix is a real log's: most
// records are activities of no change kind (user updates, group members, security
// info, app role assignments, device updates), about one in ten of a change kind, each
// kind among them. Targets are 50,000 users and 20,000 devices of their own, and now and
// then one of the sign-in samples' people (with their object ids), so that a sweep of
// these beside gensamples' sign-ins attributes some failures.

// benchActivity is an activity of the bench mix with its weight and the target it takes.
type benchActivity struct {
	activity, category, service, opType string
	target                              string // User, Device or Policy
	weight                              int
}

var benchMix = []benchActivity{
	{"Update user", "UserManagement", "Core Directory", "Update", "User", 300},
	{"Add member to group", "GroupManagement", "Core Directory", "Assign", "User", 150},
	{"Remove member from group", "GroupManagement", "Core Directory", "Unassign", "User", 60},
	{"User registered security info", "UserManagement", "Authentication Methods", "ServiceApi", "User", 80},
	{"Add app role assignment grant to user", "ApplicationManagement", "Core Directory", "Assign", "User", 70},
	{"Update device", "Device", "Core Directory", "Update", "Device", 160},
	{"Add registered owner to device", "Device", "Core Directory", "Assign", "Device", 40},
	{"Update policy", "Policy", "Core Directory", "Update", "Policy", 30},
	{"Update StsRefreshTokenValidFrom Timestamp", "UserManagement", "Core Directory", "Update", "User", 30},
	{"Change user password", "UserManagement", "Core Directory", "Update", "User", 12},
	{"Reset password (self-service)", "UserManagement", "Self-service Password Management", "Update", "User", 10},
	{"Reset user password", "UserManagement", "Core Directory", "Update", "User", 8},
	{"Disable account", "UserManagement", "Core Directory", "Update", "User", 10},
	{"Delete user", "UserManagement", "Core Directory", "Delete", "User", 5},
	{"Delete device", "Device", "Core Directory", "Delete", "Device", 10},
	{"Unregister device", "Device", "Device Registration Service", "Update", "Device", 5},
	{"Update conditional access policy", "Policy", "Conditional Access", "Update", "Policy", 4},
	{"Add conditional access policy", "Policy", "Conditional Access", "Add", "Policy", 1},
}

var benchPolicies = []caPolicy{polTokenProt, polFrequency, polMFA, polLegacy}

// writeAuditBench writes o.records audit records of shape o.shape to path ("" for
// standard output).
func writeAuditBench(o output, path string) error {
	sh, ok := auditShapes[o.shape]
	if !ok || o.shape == "audit-eventhub" {
		return fmt.Errorf("unknown shape %q", o.shape)
	}
	w := io.Writer(os.Stdout)
	var f *os.File
	if path != "" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	g := newGen(o.seed)
	total := 0
	for _, a := range benchMix {
		total += a.weight
	}
	// One batch for the shapes that cannot be appended to (a JSON array, a Parquet
	// file, a CSV header): those are for small runs; audit-monitor streams.
	batch := 20000
	if o.shape != "audit-monitor" {
		batch = o.records
	}
	step := 24 * time.Hour / time.Duration(max(o.records, 1))
	for done := 0; done < o.records; done += batch {
		n := min(batch, o.records-done)
		recs := make([]auditRec, n)
		for i := range recs {
			recs[i] = g.benchRecord(done+i, step, total)
		}
		if err := sh.write(bw, recs, nil); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

func (g *gen) benchRecord(i int, step time.Duration, total int) auditRec {
	n := g.r.IntN(total)
	var a benchActivity
	for _, a = range benchMix {
		if n < a.weight {
			break
		}
		n -= a.weight
	}
	t := day.Add(time.Duration(i)*step + time.Duration(g.r.Int64N(int64(max(step, 1))))).Truncate(time.Millisecond)
	corr := g.uuid()
	r := auditRec{time: t, corr: corr, id: auditID("Directory", corr, "B3NCH", 10000000+i), activity: a.activity,
		category: a.category, service: a.service, opType: a.opType, result: "success", by: itAdmin}
	switch a.target {
	case "User":
		if g.r.IntN(5) == 0 {
			p := pick(g.r, people)
			r.targets = []auditTarget{userTarget(p)}
		} else {
			k := g.r.IntN(50000)
			r.targets = []auditTarget{{typ: "User", id: fmt.Sprintf("%08x-0000-4000-8000-%012x", k, k), upn: fmt.Sprintf("bench.user%05d@contoso.com", k),
				props: []auditProp{{"Included Updated Properties", "", `"` + strings.ReplaceAll(a.activity, " ", "") + `"`}}}}
		}
	case "Device":
		k := g.r.IntN(20000)
		d := auditDevice{fmt.Sprintf("%08x-1111-4000-8000-%012x", k, k), fmt.Sprintf("%08x-2222-4000-8000-%012x", k, k), fmt.Sprintf("CONTOSO-%05d", k)}
		r.targets = []auditTarget{deviceTarget(d)}
	case "Policy":
		p := pick(g.r, benchPolicies)
		r.targets = []auditTarget{policyTarget(p, "", policyJSON(p, "enabled", t))}
	}
	return r
}
