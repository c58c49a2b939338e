package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// kindRow is a Log Analytics table whose rows name their log (Category, Type), as a
// table copied from a workspace with other logs beside sign-ins does.
type kindRow struct {
	ResultType string  `parquet:"ResultType,dict"`
	Category   *string `parquet:"Category,dict,optional"`
	Type       *string `parquet:"Type,optional"`
	Created    string  `parquet:"CreatedDateTime"`
	Generated  string  `parquet:"TimeGenerated"`
	UPN        string  `parquet:"UserPrincipalName,dict"`
	Status     string  `parquet:"Status,dict"`
	Location   string  `parquet:"LocationDetails,dict"`
	Device     string  `parquet:"DeviceDetail,dict"`
}

var kindBase = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// kindParquet writes groups row groups of perGroup rows; every distinct-th row has a
// category of its own, so that a column can have more values than rowKinds keeps.
func kindParquet(t testing.TB, groups, perGroup, distinct int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[kindRow](&buf, parquet.MaxRowsPerRowGroup(int64(perGroup)), parquet.PageBufferSize(4<<10))
	base := kindBase
	cats := []string{"SignInLogs", "NonInteractiveUserSignInLogs", "AuditLogs", "ProvisioningLogs", "", "Custom", "aadriskyusers"}
	types := []string{"SigninLogs", "AADNonInteractiveUserSignInLogs", "AuditLogs", "", "AADManagedIdentitySignInLogs"}
	var rows []kindRow
	for i := range groups * perGroup {
		code := []int{0, 0, 70000, 50126, 700082, 0, 50140}[i%7]
		r := kindRow{
			ResultType: fmt.Sprint(code),
			Created:    base.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano),
			Generated:  base.Add(time.Duration(i)*time.Second + time.Hour).Format(time.RFC3339Nano),
			UPN:        fmt.Sprintf("User%d@X.example", i%5),
			Status:     fmt.Sprintf(`{"errorCode":%d,"failureReason":"reason %d"}`, code, code),
			Location:   []string{`{"countryOrRegion":"NL"}`, `{"city":"X","countryOrRegion":"FR"}`, ``}[i%3],
			Device:     fmt.Sprintf(`{"operatingSystem":"OS%d","deviceId":"d%d"}`, i%3, i%9),
		}
		if c := cats[i%len(cats)]; i%11 != 3 {
			r.Category = &c
			if distinct > 0 && i%distinct == 0 {
				c := fmt.Sprintf("Category%d", i)
				r.Category = &c
			}
		}
		if c := types[i%len(types)]; i%13 != 5 {
			r.Type = &c
		}
		switch { // no created time, or one that does not read: the time generated
		case i%17 == 0:
			r.Created = ""
		case i%19 == 0:
			r.Created = "soon"
		}
		rows = append(rows, r)
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readParquetEvents(t *testing.T, data []byte, filter func(int) bool) []Event {
	t.Helper()
	in, err := NewInput(io.NopCloser(bytes.NewReader(data)), "k.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if filter != nil {
		in.SetCodeFilter(filter)
	}
	in.SetSummaryFields()
	var out []Event
	for ev, err := range in.Events() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

// TestParquetKindsPrefilter: in a table whose rows name their log, the prefilter leaves
// light only the sign-ins it rules out; every row of another log comes out as the full
// read gives it, and so does every row selected. Windows and row groups of several pages,
// and a category column with more values than are kept, are crossed.
func TestParquetKindsPrefilter(t *testing.T) {
	filter := func(code int) bool { return code == 70000 || code == 700082 }
	for _, distinct := range []int{0, 7} {
		data := kindParquet(t, 3, 5000, distinct)
		full := readParquetEvents(t, data, nil)
		pre := readParquetEvents(t, data, filter)
		if len(full) != 15000 || len(pre) != len(full) {
			t.Fatalf("distinct %d: %d and %d events", distinct, len(full), len(pre))
		}
		light, whole, others := 0, 0, 0
		for i, f := range full {
			p := pre[i]
			when := kindBase.Add(time.Duration(i) * time.Second)
			if i%17 == 0 || i%19 == 0 {
				when = when.Add(time.Hour)
			}
			if f.Other != auditCategory && !f.Time.Equal(when) { // an audit record's time is its activity's
				t.Fatalf("distinct %d, row %d: time %v, want %v", distinct, i+1, f.Time, when)
			}
			if f.Other != "" || filter(f.ErrorCode) {
				others += len(f.Other) / max(len(f.Other), 1)
				if !reflect.DeepEqual(p, f) {
					t.Fatalf("distinct %d, row %d:\nprefilter %+v\nfull      %+v", distinct, i+1, p, f)
				}
				continue
			}
			want := Event{ErrorCode: f.ErrorCode, Time: f.Time, Pos: f.Pos}
			if f.ErrorCode != 0 { // a failure's text, which describes its code
				want.FailureReason, want.ResultDescription = f.FailureReason, f.ResultDescription
			}
			// A sign-in ruled out comes out light, or whole when its category is one of
			// more than are kept (rowKinds), never otherwise.
			switch {
			case reflect.DeepEqual(p, want):
				light++
			case reflect.DeepEqual(p, f) && distinct > 0 && i%distinct == 0:
				whole++
			default:
				t.Fatalf("distinct %d, row %d:\nprefilter %+v\nwant      %+v (full %+v)", distinct, i+1, p, want, f)
			}
		}
		if light < 4000 || others < 3000 || distinct > 0 && whole < 500 {
			t.Errorf("distinct %d: %d rows light, %d whole, %d of other logs: the test crosses too few", distinct, light, whole, others)
		}
	}
}

// TestMemoFieldsSetOneField: the setter of every column memoFields remembers sets that
// one field and nothing else, on a record without it and on one with it (where the memo
// steps aside, since the setter merges).
func TestMemoFieldsSetOneField(t *testing.T) {
	samples := map[string][]string{
		"status":                       {`{"errorCode":50126,"failureReason":"x","additionalDetails":"y"}`, `{"failureReason":"z"}`, `not json`},
		"devicedetail":                 {`{"deviceId":"d","operatingSystem":"Windows","browser":"Edge","displayName":"n","trustType":"t"}`, `{"browser":"Safari"}`},
		"locationdetails":              {`{"countryOrRegion":"NL","city":"A"}`, `{"city":"B"}`, `DE`},
		"location":                     {`NL`, `{"countryOrRegion":"FR"}`},
		"tokenprotectionstatusdetails": {`{"signInSessionStatus":"bound","signInSessionStatusCode":1}`, `{"signInSessionStatusCode":2}`},
	}
	for key, newMemo := range memoFields {
		set := setterFor(key)
		if set == nil || len(samples[key]) < 2 {
			t.Fatalf("%s: no setter or samples", key)
		}
		m := &textMemo{texts: map[string]string{}, field: newMemo()}
		for _, first := range append([]string{""}, samples[key]...) {
			for _, v := range samples[key] {
				var want, got jsonRecord
				set(&want, first)
				set(&got, first)
				set(&want, v)
				m.set(&got, parquet.ByteArrayValue([]byte(v)), set, valueUnit{})
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %q after %q: memo gives\n%+v\nthe setter\n%+v", key, v, first, got, want)
				}
			}
		}
	}
}

// TestParquetMemo: a table of dictionary-encoded columns reads the same with textMemo as
// without, whole and with the prefilter.
func TestParquetMemo(t *testing.T) {
	data := kindParquet(t, 2, 3000, 0)
	filter := func(code int) bool { return code == 70000 }
	for _, f := range []func(int) bool{nil, filter} {
		with := readParquetEvents(t, data, f)
		parquetMemo = false
		without := readParquetEvents(t, data, f)
		parquetMemo = true
		if len(with) != 6000 || !reflect.DeepEqual(with, without) {
			t.Errorf("filter %v: %d events with the memo, %d without, or they differ", f != nil, len(with), len(without))
		}
	}
}

// largePages writes 20,000 rows made by row (row i, its code, its user or nil) in pages of
// up to 8 MB: a column chunk in one page, as DuckDB writes them.
func largePages[T any](t *testing.T, row func(i, code int, upn *string) T, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, append(opts, parquet.PageBufferSize(8<<20))...)
	for i := range 20000 {
		var upn *string
		if i%5 != 0 {
			u := fmt.Sprintf("user%d@x.example", i%97)
			upn = &u
		}
		if _, err := w.Write([]T{row(i, []int{0, 70000, 0, 50126, 0, 700082, 0}[i%7], upn)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParquetKeptPages: a cursor that keeps only a page's selected values (every page,
// with parquetKeepOver 0; the large pages only, by default), chunks of plain byte arrays
// read by a plainCursor (every one, with parquetOwnOver 0), and spans of any size, across
// pages, windows and row groups, read every file as parquet-go's pages held whole do.
func TestParquetKeptPages(t *testing.T) {
	files := map[string][]byte{"kinds": kindParquet(t, 2, 3000, 0)}
	files["flat"], _ = flatParquet(t, 3, 2500)
	// Large pages, as DuckDB writes them: a column chunk of 20,000 rows in one page of
	// plain JSON text over parquetKeepOver.
	type bigRow struct {
		ResultType string  `parquet:"ResultType,dict"`
		Created    string  `parquet:"CreatedDateTime,plain"`
		UPN        *string `parquet:"UserPrincipalName,optional,plain"`
		Status     string  `parquet:"Status,plain"`
		Device     string  `parquet:"DeviceDetail,plain"`
	}
	// Reasons of every length up to 300 bytes, for the lengths' bit widths.
	big := func(i, code int, upn *string) bigRow {
		return bigRow{ResultType: fmt.Sprint(code), Created: kindBase.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano), UPN: upn,
			Status: fmt.Sprintf(`{"errorCode":%d,"failureReason":"reason %d %d %s"}`, code, code, i, strings.Repeat("x", i%300)),
			Device: fmt.Sprintf(`{"operatingSystem":"OS%d","deviceId":"%08d-aaaa-bbbb-cccc-%012d"}`, i%3, i, i*i)}
	}
	writeBig := func(name string, opts ...parquet.WriterOption) { files[name] = largePages(t, big, opts...) }
	writeBig("big", parquet.Compression(&parquet.Snappy), parquet.DataPageVersion(1))
	writeBig("big, pages v2", parquet.Compression(&parquet.Snappy), parquet.DataPageVersion(2))
	writeBig("big, uncompressed", parquet.Compression(&parquet.Uncompressed), parquet.DataPageVersion(2))
	writeBig("big, uncompressed v1", parquet.Compression(&parquet.Uncompressed), parquet.DataPageVersion(1))
	writeBig("big, zstd", parquet.Compression(&parquet.Zstd), parquet.DataPageVersion(1))
	// DELTA_LENGTH_BYTE_ARRAY, as DuckDB's PARQUET_VERSION v2 writes JSON text, and
	// parquet-go its strings in pages v2.
	type deltaRow struct {
		ResultType string  `parquet:"ResultType,dict"`
		Created    string  `parquet:"CreatedDateTime"`
		UPN        *string `parquet:"UserPrincipalName,optional"`
		Status     string  `parquet:"Status"`
		Device     string  `parquet:"DeviceDetail"`
	}
	delta := func(i, code int, upn *string) deltaRow { return deltaRow(big(i, code, upn)) } // the same rows, other tags
	for _, v := range []int{1, 2} {
		files[fmt.Sprintf("delta lengths, pages v%d", v)] = largePages(t, delta, parquet.Compression(&parquet.Snappy), parquet.DataPageVersion(v))
	}
	writeBig("big, gzip v2", parquet.Compression(&parquet.Gzip), parquet.DataPageVersion(2))
	// UUIDs as DuckDB writes ids: FIXED_LEN_BYTE_ARRAY, plain (Id) and in a dictionary
	// (UserId, of 97 users), beside the large page of text.
	type uuidRow struct {
		ResultType string   `parquet:"ResultType,dict"`
		Created    string   `parquet:"CreatedDateTime,plain"`
		UPN        *string  `parquet:"UserPrincipalName,optional,plain"`
		Status     string   `parquet:"Status,plain"`
		Device     string   `parquet:"DeviceDetail,plain"`
		Id         [16]byte `parquet:"Id,uuid,plain"`
		UserId     [16]byte `parquet:"UserId,uuid,dict"`
	}
	uuids := func(i, code int, upn *string) uuidRow {
		b := big(i, code, upn)
		r := uuidRow{ResultType: b.ResultType, Created: b.Created, UPN: b.UPN, Status: b.Status, Device: b.Device}
		binary.BigEndian.PutUint64(r.Id[:], uint64(i)*0x9e3779b97f4a7c15)
		binary.BigEndian.PutUint64(r.Id[8:], uint64(i))
		copy(r.UserId[:], fmt.Sprintf("user%d", i%97))
		return r
	}
	for _, v := range []int{1, 2} {
		files[fmt.Sprintf("uuids, pages v%d", v)] = largePages(t, uuids, parquet.Compression(&parquet.Snappy), parquet.DataPageVersion(v))
	}
	for _, p := range []string{"../samples/databricks/signinlogs/part-00000.snappy.parquet", "../samples/adx/AADNonInteractiveUserSignInLogs.parquet",
		"testdata/engines/duckdb-unnest.parquet", "testdata/audit/la-mixed.parquet", "testdata/audit/diag-nested-mixed.parquet"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = data
	}
	defer func(over, span, own int64) { parquetKeepOver, parquetSpan, parquetOwnOver = over, span, own }(parquetKeepOver, parquetSpan, parquetOwnOver)
	filters := map[string]func(int) bool{"none": nil, "in scope": func(code int) bool { return code == 70000 || code == 700082 }}
	for name, data := range files {
		for fname, filter := range filters {
			parquetKeepOver, parquetSpan, parquetOwnOver = math.MaxInt64, 1<<18, math.MaxInt64
			whole := readParquetEvents(t, data, filter)
			if len(whole) == 0 {
				t.Fatalf("%s: no events", name)
			}
			for _, c := range []struct{ over, span, own int64 }{{0, 1 << 18, math.MaxInt64}, {0, 1000, math.MaxInt64}, {0, 7, math.MaxInt64},
				{1 << 20, 1500, math.MaxInt64}, {1 << 20, 1 << 18, 4 << 20}, {1 << 20, 1 << 18, 0}, {0, 1000, 0}, {1 << 20, 7, 0}} {
				parquetKeepOver, parquetSpan, parquetOwnOver = c.over, c.span, c.own
				if got := readParquetEvents(t, data, filter); !reflect.DeepEqual(got, whole) {
					t.Errorf("%s, filter %s, pages kept over %d bytes, spans of %d rows, chunks read by plainCursor over %d bytes: %d events differ from %d read with pages whole",
						name, fname, c.over, c.span, c.own, len(got), len(whole))
				}
			}
		}
	}
}
