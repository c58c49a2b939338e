package parse

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/parquet-go/parquet-go/format"
)

// TestParquetHold: the pages a Parquet input reads through parquet-go are reported while
// each row group is read (Input.SetHold) and all let go by the end, also when the reader
// stops early or the file breaks; chunks our own reader takes (plainCursor, which keeps
// only the selected rows' values) are not.
func TestParquetHold(t *testing.T) {
	flat, _ := flatParquet(t, 3, 2500)
	kinds := kindParquet(t, 2, 3000, 0)
	samples := []string{"../samples/adx/AADNonInteractiveUserSignInLogs.parquet", "testdata/engines/duckdb-unnest.parquet"}
	files := map[string][]byte{"flat": flat, "kinds": kinds}
	for _, p := range samples {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = data
	}
	// read reads data (all of it, or up to stop events) and returns the most held at once
	// and what is still held at the end.
	read := func(t *testing.T, data []byte, stop int) (most, left int64) {
		in, err := OpenReader(io.NopCloser(bytes.NewReader(data)), "x.parquet", OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		var now int64
		in.SetHold(func(n int64) {
			now += n
			most = max(most, now)
			if now < 0 {
				t.Fatalf("held %d: more let go than taken", now)
			}
		})
		k := 0
		for range in.Events() {
			if k++; k == stop {
				break
			}
		}
		return most, now
	}
	for name, data := range files {
		most, left := read(t, data, 0)
		if most <= 0 || left != 0 {
			t.Errorf("%s: held at most %d, %d at the end: want some, and none", name, most, left)
		}
		if _, left := read(t, data, 3); left != 0 {
			t.Errorf("%s, stopped after 3 events: %d bytes still held", name, left)
		}
	}
	// A file broken in the pages of a later row group: the error ends the row group,
	// and what it held.
	broken := bytes.Clone(flat)
	copy(broken[len(broken)/2:], bytes.Repeat([]byte{0xff}, 256))
	most, left := read(t, broken, 0)
	if most <= 0 || left != 0 {
		t.Errorf("broken: held at most %d, %d at the end", most, left)
	}
	// Every chunk of large pages read by plainCursor: nothing of parquet-go's is held.
	defer func(over, own int64) { parquetKeepOver, parquetOwnOver = over, own }(parquetKeepOver, parquetOwnOver)
	parquetKeepOver, parquetOwnOver = 0, 0
	type bigRow struct {
		ResultType string `parquet:"ResultType,plain"`
		Created    string `parquet:"CreatedDateTime,plain"`
		Status     string `parquet:"Status,plain"`
	}
	big := largePages(t, func(i, code int, _ *string) bigRow {
		return bigRow{ResultType: fmt.Sprint(code), Created: kindBase.Format("2006-01-02T15:04:05Z"), Status: fmt.Sprintf(`{"errorCode":%d}`, code)}
	})
	if most, _ := read(t, big, 0); most != 0 {
		t.Errorf("large pages read by plainCursor: %d bytes held, want none counted", most)
	}
}

// codecOf is the codec of the chunks of checkPages' tests: snappy or none.
func codecOf(snappy bool) format.CompressionCodec {
	if snappy {
		return format.Snappy
	}
	return format.Uncompressed
}
