package parse

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// allTypes has a field of every Thrift type the footer walk skips, with ids far enough
// apart that some headers give the id whole rather than as a delta.
type allTypes struct {
	B      bool                `thrift:"1"`
	F      bool                `thrift:"2"`
	I8     int8                `thrift:"3"`
	I16    int16               `thrift:"4"`
	I32    int32               `thrift:"5"`
	I64    int64               `thrift:"30"`
	D      float64             `thrift:"31"`
	Bin    []byte              `thrift:"32"`
	Bools  []bool              `thrift:"33"`
	Set    map[int32]struct{}  `thrift:"34"`
	Map    map[string]bool     `thrift:"35"`
	Nested []allTypesNested    `thrift:"36"`
	Deep   map[int64][]float64 `thrift:"40"`
}

type allTypesNested struct {
	S string `thrift:"1"`
	N int64  `thrift:"2"`
	L []bool `thrift:"3"`
}

func scannerOver(b []byte) *thriftScanner {
	return &thriftScanner{r: bufio.NewReaderSize(bytes.NewReader(b), 16), pos: 0, end: int64(len(b))}
}

// TestThriftScannerSkip: skip passes over a struct of every type to its last byte, and any
// cut of it is errFooter.
func TestThriftScannerSkip(t *testing.T) {
	v := allTypes{
		B: true, I8: -7, I16: -300, I32: 1 << 30, I64: -1 << 60, D: 3.5,
		Bin:    bytes.Repeat([]byte{'x'}, 100),
		Bools:  []bool{true, false, true},
		Set:    map[int32]struct{}{1: {}, -2: {}},
		Map:    map[string]bool{"a": true, "bb": false},
		Nested: []allTypesNested{{S: "s", N: 5, L: []bool{false}}, {S: string(bytes.Repeat([]byte{'y'}, 40))}},
		Deep:   map[int64][]float64{7: {1, 2}, 8: nil},
	}
	b, err := thrift.Marshal(new(thrift.CompactProtocol), &v)
	if err != nil {
		t.Fatal(err)
	}
	s := scannerOver(b)
	s.skip(thrift.STRUCT, 0)
	if s.err != nil || s.pos != int64(len(b)) {
		t.Fatalf("skip of %d bytes: at %d, %v", len(b), s.pos, s.err)
	}
	for n := range b {
		s := scannerOver(b[:n])
		s.skip(thrift.STRUCT, 0)
		if !errors.Is(s.err, errFooter) {
			t.Errorf("skip of the first %d bytes of %d: at %d, %v; want errFooter", n, len(b), s.pos, s.err)
		}
	}
	// a scanner bounded by end stops there, though its reader has more
	s = &thriftScanner{r: bufio.NewReader(bytes.NewReader(b)), end: int64(len(b)) - 1}
	if s.skip(thrift.STRUCT, 0); !errors.Is(s.err, errFooter) {
		t.Errorf("skip bounded a byte short: at %d, %v", s.pos, s.err)
	}
}

// TestThriftScannerBounds: nesting past the depth bound, and lists or maps claiming more
// elements than the bytes left could hold, are errFooter without reading them.
func TestThriftScannerBounds(t *testing.T) {
	deep := append(bytes.Repeat([]byte{0x19}, 40), 0x09) // list<list<...>> of one element each, 41 deep, the last empty
	tests := map[string][]byte{
		"deep":      deep,
		"long list": {0xf5, 0xff, 0xff, 0xff, 0x07, 0x00},
		"long map":  {0xff, 0xff, 0xff, 0x07, 0x55, 0x00},
		"uuid":      append([]byte{0x1d}, make([]byte, 16)...),
		"long bin":  {0xff, 0xff, 0xff, 0x07},
	}
	for name, b := range tests {
		s := scannerOver(b)
		typ := thrift.LIST
		switch name {
		case "long map":
			typ = thrift.MAP
		case "uuid":
			typ = thrift.STRUCT
		case "long bin":
			typ = thrift.BINARY
		}
		if s.skip(typ, 0); !errors.Is(s.err, errFooter) {
			t.Errorf("%s: at %d, %v; want errFooter", name, s.pos, s.err)
		}
	}
}

// TestParquetFooterGroups: the row groups the footer walk finds are those parquet-go
// decodes, and each spliced view of some of them opens with just those.
func TestParquetFooterGroups(t *testing.T) {
	data, _ := flatParquet(t, 5, 7)
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	foot, err := readParquetFooter(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rgs := f.Metadata().RowGroups
	if len(foot.groups) != len(rgs) {
		t.Fatalf("%d row groups found, %d in the file", len(foot.groups), len(rgs))
	}
	for i, g := range foot.groups {
		if g.rows != rgs[i].NumRows || g.start >= g.end {
			t.Errorf("row group %d: %+v, %d rows in the file", i, g, rgs[i].NumRows)
		}
	}
	for from := range len(rgs) {
		for to := from + 1; to <= len(rgs); to++ {
			pf, err := foot.openGroups(from, to)
			if err != nil {
				t.Fatalf("groups %d-%d: %v", from, to, err)
			}
			got := pf.Metadata().RowGroups
			if len(got) != to-from {
				t.Fatalf("groups %d-%d: %d row groups", from, to, len(got))
			}
			for i, rg := range got {
				if rg.NumRows != rgs[from+i].NumRows || rg.Columns[0].MetaData.DataPageOffset != rgs[from+i].Columns[0].MetaData.DataPageOffset {
					t.Errorf("groups %d-%d: group %d differs", from, to, i)
				}
			}
		}
	}
}

// TestCheckPagesFormat: checkPages reads the page headers parquet-go writes (format's
// types, statistics and all): v2 pages' rows and levels, whether their values are
// compressed, dictionary pages' counts.
func TestCheckPagesFormat(t *testing.T) {
	stats := format.Statistics{Max: []byte("zz"), Min: []byte("a"), NullCount: 1}
	v2 := func(rows, defs, reps int32, compressed bool) format.PageHeader {
		return format.PageHeader{Type: format.DataPageV2, UncompressedPageSize: 10, CompressedPageSize: 10, CRC: 7,
			DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{NumValues: 3, NumNulls: 1, NumRows: rows,
				DefinitionLevelsByteLength: defs, RepetitionLevelsByteLength: reps, IsCompressed: thrift.New(compressed), Statistics: stats})}
	}
	dict := func(values int32) format.PageHeader {
		return format.PageHeader{Type: format.DictionaryPage, UncompressedPageSize: 10, CompressedPageSize: 10,
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: values, IsSorted: true})}
	}
	v1 := format.PageHeader{Type: format.DataPage, UncompressedPageSize: 10, CompressedPageSize: 10,
		DataPageHeader: thrift.New(format.DataPageHeader{NumValues: 3, Statistics: stats})}
	ten := bytes.Repeat([]byte{'x'}, 10)
	snappyHuge := append(binary.AppendUvarint([]byte{0, 0, 0}, 1<<31), ten[:2]...) // 10 bytes, the varint after 3 bytes of levels
	tests := []struct {
		name   string
		h      format.PageHeader
		data   []byte
		snappy bool
		want   string
	}{
		{"v1", v1, ten, false, ""},
		{"v2", v2(3, 2, 1, true), ten, false, ""},
		{"dictionary", dict(3), ten, false, ""},
		{"v2 rows", v2(1<<30, 2, 1, true), ten, false, "rows"},
		{"v2 levels", v2(3, 8, 8, true), ten, false, "levels"},
		{"v2 negative levels", v2(3, -1, 1, true), ten, false, "levels"},
		{"v2 snappy", v2(3, 2, 1, true), snappyHuge, true, "snappy data"},
		{"v2 uncompressed values", v2(3, 2, 1, false), snappyHuge, true, ""},
		{"dictionary count", dict(1 << 30), ten, false, "values"},
	}
	for _, tt := range tests {
		b, err := thrift.Marshal(new(thrift.CompactProtocol), &tt.h)
		if err != nil {
			t.Fatal(err)
		}
		chunk := append(append(append([]byte{}, b...), tt.data...), append(b, tt.data...)...) // two pages
		_, err = checkPages(bytes.NewReader(chunk), 0, int64(len(chunk)), codecOf(tt.snappy))
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: checkPages = %v, want %q", tt.name, err, tt.want)
		}
	}
}
