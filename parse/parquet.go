package parse

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquetDecoder reads sign-in records from Parquet: flat Log Analytics / Kusto copies
// (PascalCase columns, dynamic columns as JSON text) and nested Azure Monitor records
// (a properties struct with a status struct, as Spark writes them). Column names match
// case-insensitively through the same setters as CSV headers.
//
// It reads column by column, never row by row: first the error-code and time columns of a
// row group, then every other column only in the pages that hold selected rows (all rows
// unless a code filter is set; see Input.SetCodeFilter). Rows that are not selected come
// out with their code and time, and failures with their text.
type parquetDecoder struct {
	ra     io.ReaderAt
	size   int64
	filter func(code int) bool
	kind   string

	groupFrom, groupTo int // the row groups to read (OpenSection); groupTo 0: all
}

func (d *parquetDecoder) shape() string {
	if d.kind == "" {
		return "parquet"
	}
	return d.kind
}

// parquetLeaf is a column grantsweep reads.
type parquetLeaf struct {
	index    int
	path     string
	key      string // normalized field name, "properties." prefix dropped
	set      fieldSetter
	unit     time.Duration // for INT64 timestamps with a declared unit
	codeRank int           // > 0 for error-code columns (lower wins)
	timeRank int           // > 0 for time columns (lower wins)
}

// textColumns hold a failure's wording (as field names, "properties." dropped).
var textColumns = map[string]bool{"status": true, "status.failurereason": true, "resultdescription": true}

// codeRanks and timeRanks order the columns that give the error code and the time, as
// jsonRecord.event prefers them.
var (
	codeRanks = map[string]int{"resulttype": 1, "status.errorcode": 2, "properties.status.errorcode": 2}
	timeRanks = map[string]int{"properties.createddatetime": 1, "createddatetime": 2, "time": 3, "timegenerated": 4}
)

func parquetLeaves(root *parquet.Column) []parquetLeaf {
	var out []parquetLeaf
	var walk func(c *parquet.Column)
	walk = func(c *parquet.Column) {
		if !c.Leaf() {
			for _, child := range c.Columns() {
				walk(child)
			}
			return
		}
		if c.MaxRepetitionLevel() > 0 {
			return // lists (signInEventTypes, policies): not read
		}
		path := strings.Join(c.Path(), ".")
		set := setterFor(path)
		if set == nil {
			return
		}
		key := normalizeName(path)
		if p, ok := portalColumns[key]; ok {
			key = p
		}
		l := parquetLeaf{index: c.Index(), path: path, key: key, set: set, codeRank: codeRanks[key], timeRank: timeRanks[key]}
		if lt := c.Type().LogicalType(); lt != nil {
			if ts, ok := lt.Value.(*format.TimestampType); ok && ts.Unit.Value != nil {
				l.unit = ts.Unit.Value.Duration()
			}
		}
		out = append(out, l)
	}
	walk(root)
	return out
}

func (d *parquetDecoder) events(name string) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		err := d.read(name, yield)
		if err != nil && !errors.Is(err, errStopped) {
			yield(Event{}, fmt.Errorf("%s: %w", name, err))
		}
	}
}

var errStopped = errors.New("stopped")

func (d *parquetDecoder) read(name string, yield func(Event, error) bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parquet: %v", r) // the library panics on some corrupt files
		}
	}()
	f, err := parquet.OpenFile(d.ra, d.size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	leaves := parquetLeaves(f.Root())
	d.kind = "parquet/flat"
	for _, l := range leaves {
		if strings.HasPrefix(l.key, "properties.") || strings.Contains(l.path, ".") {
			d.kind = "parquet/nested"
		}
	}
	var first int64 // rows before this row group
	for gi, rg := range f.RowGroups() {
		n := rg.NumRows()
		if d.groupTo > 0 && (gi < d.groupFrom || gi >= d.groupTo) {
			first += n
			continue
		}
		if err := d.rowGroup(rg, gi, first, leaves, f, yield); err != nil {
			if errors.Is(err, errStopped) {
				return err
			}
			return fmt.Errorf("row group %d (rows %d-%d): %w", gi+1, first+1, first+n, err)
		}
		first += n
	}
	return nil
}

func (d *parquetDecoder) rowGroup(rg parquet.RowGroup, gi int, first int64, leaves []parquetLeaf, f *parquet.File, yield func(Event, error) bool) error {
	n := rg.NumRows()
	chunks := rg.ColumnChunks()
	offset := int64(0)
	if md := f.Metadata(); gi < len(md.RowGroups) && len(md.RowGroups[gi].Columns) > 0 {
		offset = md.RowGroups[gi].Columns[0].MetaData.DataPageOffset
	}

	// First the error code and the time of every row: the preferred column of each, then
	// the next one only for the rows it left without a value.
	codes := make([]int32, n)
	codeRank := make([]int8, n)
	times := make([]int64, n)
	timeRank := make([]int8, n)
	byRank := slices.Clone(leaves)
	slices.SortStableFunc(byRank, func(a, b parquetLeaf) int {
		return cmp.Compare(max(a.codeRank, a.timeRank), max(b.codeRank, b.timeRank))
	})
	missing := func(rank []int8) []bool {
		var want []bool
		for i, r := range rank {
			if r == 0 {
				if want == nil {
					want = make([]bool, n)
				}
				want[i] = true
			}
		}
		return want
	}
	for _, l := range byRank {
		if l.codeRank == 0 && l.timeRank == 0 {
			continue
		}
		var want []bool
		if l.codeRank > 0 && l.codeRank != bestRank(leaves, true) {
			if want = missing(codeRank); want == nil {
				continue
			}
		}
		if l.timeRank > 0 && l.timeRank != bestRank(leaves, false) {
			if want = missing(timeRank); want == nil {
				continue
			}
		}
		err := readColumn(chunks[l.index], want, func(i int64, v parquet.Value) {
			if v.IsNull() {
				return
			}
			if l.codeRank > 0 && (codeRank[i] == 0 || int(codeRank[i]) > l.codeRank) {
				if c, ok := valueInt(v); ok {
					codes[i], codeRank[i] = int32(c), int8(l.codeRank)
				}
			}
			if l.timeRank > 0 && (timeRank[i] == 0 || int(timeRank[i]) > l.timeRank) {
				if l.unit > 0 && v.Kind() == parquet.Int64 {
					times[i], timeRank[i] = v.Int64()*int64(l.unit), int8(l.timeRank)
				} else if t, ok := ParseTime(valueText(v, l.unit)); ok {
					times[i], timeRank[i] = t.UnixNano(), int8(l.timeRank)
				}
			}
		})
		if err != nil {
			return fmt.Errorf("column %s: %w", l.path, err)
		}
	}

	// Then every column, only where rows are selected; and for the failures left out, the
	// columns that hold their text, which describes their code (as JSON failures are).
	want := make([]bool, n)
	textWant := make([]bool, n)
	recs := make([]*jsonRecord, n) // nil for the rows not read
	selected, failures := 0, 0
	for i := range n {
		switch {
		case d.filter == nil || d.filter(int(codes[i])):
			want[i], textWant[i] = true, true
			recs[i] = &jsonRecord{}
			selected++
		case codes[i] != 0:
			textWant[i] = true
			recs[i] = &jsonRecord{}
			failures++
		}
	}
	if selected+failures > 0 {
		for _, l := range leaves {
			w := want
			if textColumns[strings.TrimPrefix(l.key, "properties.")] {
				w = textWant
			} else if selected == 0 {
				continue
			}
			err := readColumn(chunks[l.index], w, func(i int64, v parquet.Value) {
				l.set(recs[i], valueText(v, l.unit))
			})
			if err != nil {
				return fmt.Errorf("column %s: %w", l.path, err)
			}
		}
	}

	for i := range n {
		var ev Event
		if rec := recs[i]; rec != nil {
			rec.event(&ev)
		}
		if !want[i] {
			// Not selected: the code and time of the first pass, and a failure's text.
			ev = Event{ErrorCode: int(codes[i]), FailureReason: ev.FailureReason, ResultDescription: ev.ResultDescription}
			if timeRank[i] > 0 {
				ev.Time = time.Unix(0, times[i]).UTC()
			}
		}
		ev.Pos = Position{Line: int(first + i + 1), Offset: offset}
		if !yield(ev, nil) {
			return errStopped
		}
	}
	return nil
}

// readColumn calls fn for the value of each row of a non-repeated column chunk, for the
// rows marked in want (every row when want is nil). Pages without a wanted row are
// skipped without decoding their values.
func readColumn(chunk parquet.ColumnChunk, want []bool, fn func(row int64, v parquet.Value)) error {
	pages := chunk.Pages()
	defer pages.Close()
	buf := make([]parquet.Value, 512)
	var row int64
	for {
		p, err := pages.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		rows := p.NumRows()
		if want != nil && !anyWanted(want, row, row+rows) {
			row += rows
			parquet.Release(p)
			continue
		}
		vr := p.Values()
		i := row
		for {
			k, err := vr.ReadValues(buf)
			for _, v := range buf[:k] {
				if want == nil || i < int64(len(want)) && want[i] {
					fn(i, v)
				}
				i++
			}
			if err == io.EOF || (err == nil && k == 0) {
				break
			}
			if err != nil {
				parquet.Release(p)
				return err
			}
		}
		parquet.Release(p)
		row += rows
	}
}

func anyWanted(want []bool, from, to int64) bool {
	for i := max(from, 0); i < to && i < int64(len(want)); i++ {
		if want[i] {
			return true
		}
	}
	return false
}

// valueText renders a Parquet value as the text a setter takes. Byte arrays are copied:
// they borrow page memory.
func valueText(v parquet.Value, unit time.Duration) string {
	if v.IsNull() {
		return ""
	}
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray())
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		if unit > 0 {
			return time.Unix(0, v.Int64()*int64(unit)).UTC().Format(time.RFC3339Nano)
		}
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Int96:
		// Legacy Spark timestamps: nanoseconds of the day, then the Julian day.
		b := v.Bytes()
		if len(b) == 12 {
			nanos := int64(binary.LittleEndian.Uint64(b[:8]))
			day := int64(binary.LittleEndian.Uint32(b[8:]))
			return time.Unix((day-2440588)*86400, nanos).UTC().Format(time.RFC3339Nano)
		}
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	}
	return ""
}

// valueInt reads an integer column value, or one written as decimal text, without
// allocating.
func valueInt(v parquet.Value) (int, bool) {
	switch v.Kind() {
	case parquet.Int32:
		return int(v.Int32()), true
	case parquet.Int64:
		return int(v.Int64()), true
	case parquet.ByteArray:
		b := v.ByteArray()
		for len(b) > 0 && (b[0] == ' ' || b[0] == '"') {
			b = b[1:]
		}
		for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '"') {
			b = b[:len(b)-1]
		}
		neg := len(b) > 0 && b[0] == '-'
		if neg {
			b = b[1:]
		}
		if len(b) == 0 || len(b) > 18 {
			return 0, false
		}
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		if neg {
			n = -n
		}
		return n, true
	}
	return 0, false
}

// bestRank is the most preferred rank among the code (or time) columns present.
func bestRank(leaves []parquetLeaf, code bool) int {
	best := 0
	for _, l := range leaves {
		r := l.timeRank
		if code {
			r = l.codeRank
		}
		if r > 0 && (best == 0 || r < best) {
			best = r
		}
	}
	return best
}
