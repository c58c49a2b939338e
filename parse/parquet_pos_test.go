package parse

import (
	"bytes"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestParquetPositions: an event's line is its row in the file and its offset the byte
// offset where its row group starts, so that a position finds the row, with the code
// filter and without, whole and in sections.
func TestParquetPositions(t *testing.T) {
	data, rows := flatParquet(t, 4, 25)
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var starts []int64 // each row group's first byte: its first page of any column
	for _, rg := range f.Metadata().RowGroups {
		start := int64(-1)
		for _, c := range rg.Columns {
			for _, at := range []int64{c.MetaData.DictionaryPageOffset, c.MetaData.DataPageOffset} {
				if at > 0 && (start < 0 || at < start) {
					start = at
				}
			}
		}
		starts = append(starts, start)
	}
	if len(starts) != 4 || starts[0] != 4 {
		t.Fatalf("row groups start at %v", starts)
	}
	for _, filtered := range []bool{false, true} {
		in, err := NewInput(readCloser(string(data)), "p.parquet")
		if err != nil {
			t.Fatal(err)
		}
		if filtered {
			in.SetCodeFilter(func(c int) bool { return c == 70000 })
		}
		i := 0
		for ev, err := range in.Events() {
			if err != nil {
				t.Fatal(err)
			}
			if ev.Pos.Line != i+1 || ev.Pos.Offset != starts[i/25] {
				t.Fatalf("filtered %v: row %d at line %d, offset %d; want line %d, offset %d", filtered, i+1, ev.Pos.Line, ev.Pos.Offset, i+1, starts[i/25])
			}
			if !filtered && ev.ID != rows[i].Id {
				t.Fatalf("line %d holds %s, the event is %s", i+1, rows[i].Id, ev.ID)
			}
			i++
		}
		in.Close()
		if i != len(rows) {
			t.Fatalf("%d events, want %d", i, len(rows))
		}
	}
}
