package parse

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// flatRow mixes the spellings real files have: lower-case and PascalCase names, INT64
// timestamps in three units, a dynamic column as JSON text.
type flatRow struct {
	ResultType      string `parquet:"resulttype,dict"`
	Id              string `parquet:"ID"`
	CreatedMillis   int64  `parquet:"CREATEDDATETIME,timestamp(millisecond)"`
	TimeGenerated   int64  `parquet:"TimeGenerated,timestamp(nanosecond)"`
	Status          string `parquet:"Status"`
	UPN             string `parquet:"UserPrincipalName,dict"`
	Location        string `parquet:"Location"`
	DurationIgnored int64  `parquet:"DurationMs"`
}

func flatParquet(t testing.TB, groups, perGroup int) ([]byte, []flatRow) {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[flatRow](&buf, parquet.MaxRowsPerRowGroup(int64(perGroup)), parquet.Compression(&parquet.Snappy))
	base := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var rows []flatRow
	for i := range groups * perGroup {
		code := []int{0, 0, 0, 70000, 50126, 700082}[i%6]
		rows = append(rows, flatRow{
			ResultType:    fmt.Sprint(code),
			Id:            fmt.Sprintf("id-%d", i),
			CreatedMillis: base.Add(time.Duration(i) * time.Minute).UnixMilli(),
			TimeGenerated: base.Add(time.Duration(i)*time.Minute + 90*time.Second).UnixNano(),
			Status:        fmt.Sprintf(`{"errorCode":%d,"failureReason":"reason %d"}`, code, code),
			UPN:           fmt.Sprintf("User%d@X.example", i%4),
			Location:      "NL",
		})
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), rows
}

func TestParquetFlat(t *testing.T) {
	data, rows := flatParquet(t, 3, 50)
	evs, recErrs, format, fatal := read(t, "flat.parquet", data)
	if fatal != nil || len(recErrs) > 0 || len(evs) != len(rows) || format != "parquet/flat" {
		t.Fatalf("events %d, errors %v %v, format %s", len(evs), recErrs, fatal, format)
	}
	for i, ev := range evs {
		r := rows[i]
		if ev.ID != r.Id || fmt.Sprint(ev.ErrorCode) != r.ResultType || !ev.Time.Equal(time.UnixMilli(r.CreatedMillis)) ||
			ev.User != strings.ToLower(r.UPN) || ev.Country != "NL" || ev.Pos.Line != i+1 {
			t.Fatalf("row %d: %+v, want %+v", i+1, ev, r)
		}
		if ev.ErrorCode != 0 && ev.FailureReason != fmt.Sprintf("reason %d", ev.ErrorCode) {
			t.Errorf("row %d: failure reason %q from the Status JSON text", i+1, ev.FailureReason)
		}
	}
}

// TestParquetFilter: with a code filter, rows that cannot be in scope come out with their
// code and time only, and the others whole.
func TestParquetFilter(t *testing.T) {
	data, rows := flatParquet(t, 2, 30)
	in, err := NewInput(io.NopCloser(bytes.NewReader(data)), "f.parquet")
	if err != nil {
		t.Fatal(err)
	}
	in.SetCodeFilter(func(code int) bool { return code == 70000 || code == 700082 })
	i := 0
	for ev, err := range in.Events() {
		if err != nil {
			t.Fatal(err)
		}
		r := rows[i]
		inScope := r.ResultType == "70000" || r.ResultType == "700082"
		if fmt.Sprint(ev.ErrorCode) != r.ResultType || !ev.Time.Equal(time.UnixMilli(r.CreatedMillis)) || (ev.ID != "") != inScope {
			t.Errorf("row %d: %+v; want code %s, its time, and an id only when in scope", i+1, ev, r.ResultType)
		}
		i++
	}
	if i != len(rows) {
		t.Errorf("%d rows, want %d", i, len(rows))
	}
}

// TestParquetBatches: a file opened a row group at a time (see parquetFooter) reads as
// when opened whole.
func TestParquetBatches(t *testing.T) {
	data, rows := flatParquet(t, 5, 7)
	whole, errs, _, fatal := read(t, "b.parquet", data)
	if fatal != nil || len(errs) > 0 || len(whole) != len(rows) {
		t.Fatalf("whole: %d events, %v %v", len(whole), errs, fatal)
	}
	defer func(n int64) { parquetBatchMeta = n }(parquetBatchMeta)
	parquetBatchMeta = 1
	one, errs, _, fatal := read(t, "b.parquet", data)
	if fatal != nil || len(errs) > 0 || !reflect.DeepEqual(one, whole) {
		t.Errorf("a row group at a time: %d events, %v %v; differ from the whole", len(one), errs, fatal)
	}
}

// TestParquetCorrupt damages a file in many ways: the decoder never panics, positions are
// sane, and a failure is one error naming the file.
func TestParquetCorrupt(t *testing.T) {
	data, rows := flatParquet(t, 4, 40)
	r := rand.New(rand.NewPCG(1, 2))
	cases := [][]byte{data[:len(data)/2], data[:len(data)-3], data[4:], append([]byte("PAR1"), data[len(data)/3:]...)}
	footer := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	for i := range 600 {
		c := bytes.Clone(data)
		for range 1 + r.IntN(8) {
			if i%2 == 0 { // anywhere
				c[4+r.IntN(len(c)-12)] ^= byte(1 + r.IntN(255))
			} else { // in the footer, which is scanned before parquet-go reads it
				c[len(c)-8-1-r.IntN(footer)] ^= byte(1 + r.IntN(255))
			}
		}
		cases = append(cases, c)
	}
	for ci, c := range cases {
		in, err := NewInput(io.NopCloser(bytes.NewReader(c)), "bad.parquet")
		if err != nil {
			continue // not even recognised
		}
		last := 0
		for ev, err := range in.Events() {
			if err != nil {
				if !strings.Contains(err.Error(), "bad.parquet") {
					t.Errorf("case %d: error %v does not name the file", ci, err)
				}
				continue
			}
			if ev.Pos.Line <= last || ev.Pos.Line > len(rows) {
				t.Fatalf("case %d: row %d after %d, of %d", ci, ev.Pos.Line, last, len(rows))
			}
			last = ev.Pos.Line
		}
	}
}

// TestParquetSummaryFields: with SetSummaryFields the detail columns are left unread and
// everything else comes out as before.
func TestParquetSummaryFields(t *testing.T) {
	type detailRow struct {
		ResultType    string `parquet:"ResultType"`
		Id            string `parquet:"Id"`
		CorrelationId string `parquet:"CorrelationId"`
		UserAgent     string `parquet:"UserAgent"`
		UPN           string `parquet:"UserPrincipalName"`
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[detailRow](&buf)
	w.Write([]detailRow{{"70000", "a", "c1", "agent/1", "u@x.example"}, {"0", "b", "c2", "agent/2", "v@x.example"}})
	w.Close()
	events := func(summary bool) []Event {
		in, err := NewInput(io.NopCloser(bytes.NewReader(buf.Bytes())), "d.parquet")
		if err != nil {
			t.Fatal(err)
		}
		if summary {
			in.SetSummaryFields()
		}
		var out []Event
		for ev, err := range in.Events() {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ev)
		}
		return out
	}
	all, some := events(false), events(true)
	if len(all) != 2 || all[0].CorrelationID != "c1" || all[1].UserAgent != "agent/2" {
		t.Fatalf("every field: %+v", all)
	}
	for i := range all {
		all[i].CorrelationID, all[i].UserAgent = "", ""
	}
	if !reflect.DeepEqual(all, some) {
		t.Errorf("summary fields: %+v, want %+v", some, all)
	}
}

// TestParquetSparseRows: a few selected rows in many pages (plain and dictionary pages,
// with nulls) come out as when every row is decoded.
func TestParquetSparseRows(t *testing.T) {
	type sparseRow struct {
		ResultType string  `parquet:"ResultType,dict"`
		Id         string  `parquet:"Id"`
		UPN        *string `parquet:"UserPrincipalName,optional,dict"`
		App        *string `parquet:"AppDisplayName,optional"`
		IP         string  `parquet:"IPAddress"`
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[sparseRow](&buf, parquet.MaxRowsPerRowGroup(3000), parquet.PageBufferSize(4096))
	for i := range 7000 {
		r := sparseRow{ResultType: "0", Id: fmt.Sprintf("id-%d", i), IP: fmt.Sprintf("10.0.%d.%d", i/256%256, i%256)}
		if i%37 == 5 {
			r.ResultType = "700082"
		}
		if i%3 != 0 {
			u, a := fmt.Sprintf("user%d@x.example", i%11), fmt.Sprintf("app %d", i)
			r.UPN, r.App = &u, &a
		}
		w.Write([]sparseRow{r})
	}
	w.Close()
	all, errs, _, fatal := read(t, "s.parquet", buf.Bytes())
	if fatal != nil || len(errs) > 0 || len(all) != 7000 {
		t.Fatalf("%d events, %v %v", len(all), errs, fatal)
	}
	in, err := NewInput(io.NopCloser(bytes.NewReader(buf.Bytes())), "s.parquet")
	if err != nil {
		t.Fatal(err)
	}
	in.SetCodeFilter(func(code int) bool { return code == 700082 })
	i, selected := 0, 0
	for ev, err := range in.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if ev.ErrorCode == 700082 {
			selected++
			if !reflect.DeepEqual(ev, all[i]) {
				t.Fatalf("row %d: %+v, want %+v", i+1, ev, all[i])
			}
		}
		i++
	}
	if i != 7000 || selected != 190 {
		t.Errorf("%d rows, %d selected; want 7000 and 190", i, selected)
	}
}

// rowCountLie rewrites the footer of a flat file (2 row groups of 5 rows) so that its
// first row group says it has rows rows.
func rowCountLie(t testing.TB, rows uint64) []byte {
	data, _ := flatParquet(t, 2, 5)
	foot, err := readParquetFooter(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	g := foot.groups[0]
	ts := &thriftScanner{r: bufio.NewReader(bytes.NewReader(data[g.start:g.end])), pos: g.start, end: g.end}
	var from, to int64
	for last := int16(0); ; {
		typ, id := ts.field(&last)
		if typ == tStop {
			break
		}
		if id == 3 { // RowGroup.num_rows
			from = ts.pos
			ts.varint()
			to = ts.pos
			continue
		}
		ts.skip(typ, 1)
	}
	if to == 0 {
		t.Fatal("no num_rows in the first row group")
	}
	out := append(append(slices.Clone(data[:from]), binary.AppendUvarint(nil, rows<<1)...), data[to:foot.metaEnd]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(int64(len(out))-foot.metaStart))
	return append(out, "PAR1"...)
}

// TestParquetRowCountLies: a row group that says it has more rows than its pages hold
// (by a few or by 268 million) or fewer, is one error naming the file, the row group and
// the column, at once and without memory for the rows it claims.
func TestParquetRowCountLies(t *testing.T) {
	for _, rows := range []uint64{3, 6, 1 << 28} {
		evs, recErrs, _, fatal := read(t, "lie.parquet", rowCountLie(t, rows))
		if fatal == nil || len(recErrs) > 0 || !strings.Contains(fatal.Error(), "lie.parquet: row group 1") ||
			!strings.Contains(fatal.Error(), "column resulttype: corrupt file") {
			t.Errorf("%d rows claimed: %d events, %v, %v; want one error naming the row group and column", rows, len(evs), recErrs, fatal)
		}
	}
}

// page is one page in Thrift compact form: its header (type, sizes, a data page header
// with its count of values) and data bytes of data.
func page(uncompressed, compressed, values int32, data []byte) []byte {
	zz := func(v int32) []byte { return binary.AppendUvarint(nil, uint64(uint32(v<<1)^uint32(v>>31))) }
	b := []byte{0x15, 0x00}                          // 1: type DATA_PAGE
	b = append(append(b, 0x15), zz(uncompressed)...) // 2: uncompressed_page_size
	b = append(append(b, 0x15), zz(compressed)...)   // 3: compressed_page_size
	b = append(append(b, 0x2c, 0x15), zz(values)...) // 5: data_page_header {1: num_values}
	b = append(b, 0x00, 0x00)                        // end of both structs
	return append(b, data...)
}

// TestCheckPages: page headers that would have parquet-go allocate what the file cannot
// hold are errors before it reads them.
func TestCheckPages(t *testing.T) {
	ten := bytes.Repeat([]byte{'x'}, 10)
	snappyTen := append(binary.AppendUvarint(nil, 10), ten[:9]...) // says 10 bytes decoded
	snappyHuge := append(binary.AppendUvarint(nil, 1<<31), ten[:5]...)
	tests := []struct {
		name   string
		chunk  []byte
		snappy bool
		want   string // in the error; "" for none
	}{
		{"two good pages", append(page(10, 10, 3, ten), page(10, 10, 3, ten)...), false, ""},
		{"snappy, decoded size as said", page(10, int32(len(snappyTen)), 3, snappyTen), true, ""},
		{"beyond the chunk", page(10, 1<<30, 3, ten), false, "column chunk has 10 left"},
		{"huge uncompressed", page(1<<30, 10, 3, ten), false, "uncompressed"},
		{"huge count", page(10, 10, 1<<30, ten), false, "values"},
		{"negative size", page(-5, 10, 3, ten), false, "uncompressed"},
		{"snappy says more", page(10, int32(len(snappyHuge)), 3, snappyHuge), true, "snappy data"},
		{"cut header", page(10, 10, 3, ten)[:5], false, "page header"},
	}
	for _, tt := range tests {
		_, err := checkPages(bytes.NewReader(tt.chunk), 0, int64(len(tt.chunk)), codecOf(tt.snappy))
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: checkPages = %v, want %q", tt.name, err, tt.want)
		}
	}
}
