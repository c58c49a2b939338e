package parse

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// nestedRow is a diagnostic-settings record as a Parquet writer nests it, audit record
// or sign-in, with lists of every length (targets, their modified properties, a
// sign-in's policies) written as LISTs (list.element) or as plain repeated groups.
type nestedRow struct {
	Category   string      `parquet:"category"`
	ResultType string      `parquet:"resultType"`
	Time       string      `parquet:"time"`
	Properties nestedProps `parquet:"properties"`
}

type nestedProps struct {
	ID                  string `parquet:"id"`
	ActivityDisplayName string `parquet:"activityDisplayName,optional"`
	ActivityDateTime    string `parquet:"activityDateTime,optional"`
	InitiatedBy         struct {
		User struct {
			UserPrincipalName string `parquet:"userPrincipalName,optional"`
		} `parquet:"user,optional"`
	} `parquet:"initiatedBy,optional"`
	TargetResources []nestedTarget `parquet:"targetResources,list"`
	Policies        []struct {
		ID string `parquet:"id"`
	} `parquet:"appliedConditionalAccessPolicies"`
}

type nestedTarget struct {
	ID                 string `parquet:"id,optional"`
	Type               string `parquet:"type,optional"`
	ModifiedProperties []struct {
		DisplayName string `parquet:"displayName"`
		NewValue    string `parquet:"newValue,optional"`
	} `parquet:"modifiedProperties,list"`
}

// TestParquetLists: the lists of nested rows read right across windows, pages and row
// groups, for the rows a code filter selects and with none, and a row's lists never
// reach the next row's.
func TestParquetLists(t *testing.T) {
	const n = 3*parquetWindow + 77
	var rows []nestedRow
	for i := range n {
		r := nestedRow{Time: "2026-11-24T10:00:00Z"}
		r.Properties.ID = fmt.Sprint(i)
		if i%3 == 0 { // a sign-in, in scope every other time
			r.Category, r.ResultType = "SignInLogs", []string{"70043", "0"}[i/3%2]
			for k := range i % 4 {
				r.Properties.Policies = append(r.Properties.Policies, struct {
					ID string `parquet:"id"`
				}{fmt.Sprintf("P%d-%d", i, k)})
			}
		} else {
			r.Category = "AuditLogs"
			r.Properties.ActivityDisplayName = "Delete device"
			r.Properties.ActivityDateTime = "2026-11-24T09:00:00Z"
			r.Properties.InitiatedBy.User.UserPrincipalName = fmt.Sprintf("A%d@x", i)
			for k := range i % 5 {
				tg := nestedTarget{ID: fmt.Sprintf("T%d-%d", i, k), Type: []string{"Device", "User", ""}[k%3]}
				for m := range (i + k) % 3 {
					tg.ModifiedProperties = append(tg.ModifiedProperties, struct {
						DisplayName string `parquet:"displayName"`
						NewValue    string `parquet:"newValue,optional"`
					}{[]string{"DisplayName", "DeviceId"}[m%2], fmt.Sprintf(`["D%d-%d"]`, i, k)})
				}
				r.Properties.TargetResources = append(r.Properties.TargetResources, tg)
			}
		}
		rows = append(rows, r)
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[nestedRow](&buf, parquet.MaxRowsPerRowGroup(5000), parquet.PageBufferSize(512))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, filter := range []bool{false, true} {
		in, err := NewInput(io.NopCloser(bytes.NewReader(buf.Bytes())), "lists.parquet")
		if err != nil {
			t.Fatal(err)
		}
		if filter {
			in.SetCodeFilter(func(c int) bool { return c == 70043 })
		}
		i := 0
		for ev, err := range in.Events() {
			if err != nil {
				t.Fatal(err)
			}
			r := rows[i]
			if r.Category == "AuditLogs" {
				var want []Target
				for _, tg := range r.Properties.TargetResources {
					wt := Target{ID: tg.ID, Type: tg.Type}
					if tg.Type == "Device" {
						for _, m := range tg.ModifiedProperties {
							if m.DisplayName == "DeviceId" {
								wt.DeviceID = modifiedValue(m.NewValue)
								break
							}
						}
					}
					want = append(want, wt)
				}
				if ev.Audit == nil || ev.Audit.ID != r.Properties.ID || ev.Audit.Actor != fmt.Sprintf("a%d@x", i) || !reflect.DeepEqual(ev.Audit.Targets, want) {
					t.Fatalf("filter %v, row %d: %+v, want targets %+v", filter, i+1, ev.Audit, want)
				}
			} else if ev.ErrorCode == 70043 || !filter {
				var ids []jsonPolicy
				for _, p := range r.Properties.Policies {
					ids = append(ids, jsonPolicy{ID: jsonText(p.ID)})
				}
				if want := policyIDs(ids); ev.Other != "" || ev.CAPolicies != want || ev.ID != r.Properties.ID {
					t.Fatalf("filter %v, row %d: %q policies %q, want %q", filter, i+1, ev.ID, ev.CAPolicies, want)
				}
			}
			i++
		}
		if i != n {
			t.Fatalf("%d rows, want %d", i, n)
		}
		in.Close()
	}
}
