package parse

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
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
	ra          io.ReaderAt
	size        int64
	filter      func(code int) bool
	summaryOnly bool         // leave the detail columns unread (Input.SetSummaryFields)
	recs        []jsonRecord // a window of rows being assembled, reused
	kind        string

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
	foot, err := readParquetFooter(d.ra, d.size)
	if err != nil {
		return err
	}
	from, to := d.groupFrom, d.groupTo
	if to == 0 {
		from, to = 0, len(foot.groups)
	}
	if from > to || to > len(foot.groups) {
		return fmt.Errorf("parquet: row groups %d-%d of %d", from+1, to, len(foot.groups))
	}
	var first int64 // rows before the row group
	for _, g := range foot.groups[:from] {
		first += g.rows
	}
	// The file is opened a batch of row groups at a time, so that memory holds only their
	// metadata (see parquetFooter); the first batch is opened even when empty, to check
	// the schema.
	for a := from; a == from || a < to; {
		b, meta := a, int64(0)
		for b < to && (b == a || meta < parquetBatchMeta) {
			meta += foot.groups[b].end - foot.groups[b].start
			b++
		}
		f, err := foot.openGroups(a, b)
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
		for i, rg := range f.RowGroups() {
			n := rg.NumRows()
			if err := d.rowGroup(rg, i, first, leaves, f, yield); err != nil {
				if errors.Is(err, errStopped) {
					return err
				}
				return fmt.Errorf("row group %d (rows %d-%d): %w", a+i+1, first+1, first+n, err)
			}
			first += n
		}
		if b == a {
			break
		}
		a = b
	}
	return nil
}

// parquetBatchMeta is about the footer bytes of the row groups opened at a time.
var parquetBatchMeta int64 = 1 << 20

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
	selected, failures := 0, 0
	for i := range n {
		switch {
		case d.filter == nil || d.filter(int(codes[i])):
			want[i], textWant[i] = true, true
			selected++
		case codes[i] != 0:
			textWant[i] = true
			failures++
		}
	}
	type reading struct {
		leaf  *parquetLeaf
		want  []bool
		cur   *columnCursor
		light bool // a Status column as JSON text: for rows not selected, only the failure reason
	}
	var reads []reading
	defer func() {
		for _, r := range reads {
			r.cur.close()
		}
	}()
	if selected+failures > 0 {
		for i := range leaves {
			l := &leaves[i]
			name := strings.TrimPrefix(l.key, "properties.")
			if d.summaryOnly && detailColumns[name] {
				continue
			}
			w := want
			if textColumns[name] {
				w = textWant
			} else if selected == 0 {
				continue
			}
			reads = append(reads, reading{leaf: l, want: w, cur: newColumnCursor(chunks[l.index]), light: name == "status"})
		}
	}

	// Rows are assembled a window at a time, so that memory holds one window's records
	// whatever the row group's size; the records are reused from window to window.
	if len(d.recs) < int(min(n, parquetWindow)) {
		d.recs = make([]jsonRecord, min(n, parquetWindow))
	}
	recs := d.recs // zero: each record used is cleared once its row is out
	for from := int64(0); from < n; from += parquetWindow {
		to := min(from+parquetWindow, n)
		for _, r := range reads {
			set, unit, light := r.leaf.set, r.leaf.unit, r.light
			err := r.cur.each(to, r.want, func(i int64, v parquet.Value) {
				if light && !want[i] {
					setFailureReason(&recs[i-from], v)
					return
				}
				set(&recs[i-from], valueText(v, unit))
			})
			if err != nil {
				return fmt.Errorf("column %s: %w", r.leaf.path, err)
			}
		}
		for i := from; i < to; i++ {
			var ev Event
			if textWant[i] {
				recs[i-from].event(&ev)
				recs[i-from] = jsonRecord{}
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
	}
	return nil
}

// setFailureReason sets a record's failure reason from its Status column, JSON text,
// found in the bytes as the JSON prefilter finds it (see lightJSON), without decoding the
// rest: all that a failure out of scope needs.
func setFailureReason(r *jsonRecord, v parquet.Value) {
	if v.IsNull() || (v.Kind() != parquet.ByteArray && v.Kind() != parquet.FixedLenByteArray) {
		return
	}
	if reason, ok := memberValue(v.ByteArray(), keyFailureReason); ok {
		r.Status.V.FailureReason, r.Status.OK = jsonText(reason), true
	}
}

// parquetWindow is the rows assembled at a time.
const parquetWindow = 4096

// readColumn calls fn for the value of each row of a non-repeated column chunk, for the
// rows marked in want (every row when want is nil).
func readColumn(chunk parquet.ColumnChunk, want []bool, fn func(row int64, v parquet.Value)) error {
	c := newColumnCursor(chunk)
	defer c.close()
	return c.each(math.MaxInt64, want, fn)
}

// columnCursor reads a non-repeated column chunk's values in row order, a range of rows
// at a time. Pages without a wanted row are skipped without decoding their values.
type columnCursor struct {
	pages  parquet.Pages
	page   parquet.Page // the current page; nil between pages
	values parquet.ValueReader
	buf    []parquet.Value
	next   int   // index in buf of the next value
	row    int64 // the row of buf[next], or of the next page's first value
	end    int64 // the row after the current page
	done   bool
}

func newColumnCursor(chunk parquet.ColumnChunk) *columnCursor {
	return &columnCursor{pages: chunk.Pages(), buf: make([]parquet.Value, 0, 512)}
}

// each calls fn for the wanted rows before row to (want nil: every row), from where the
// previous call stopped.
func (c *columnCursor) each(to int64, want []bool, fn func(row int64, v parquet.Value)) error {
	for c.row < to && !c.done {
		if c.next < len(c.buf) {
			if want == nil || c.row < int64(len(want)) && want[c.row] {
				fn(c.row, c.buf[c.next])
			}
			c.next++
			c.row++
			continue
		}
		if c.page != nil && c.row < c.end {
			k, err := c.values.ReadValues(c.buf[:cap(c.buf)])
			c.buf, c.next = c.buf[:k], 0
			if err != nil && err != io.EOF {
				return err
			}
			if k == 0 {
				c.row = c.end // the page held fewer values than rows
			}
			continue
		}
		c.release()
		p, err := c.pages.ReadPage()
		if err == io.EOF {
			c.done = true
			return nil
		}
		if err != nil {
			return err
		}
		c.row = c.end
		c.end += p.NumRows()
		if want != nil && !anyWanted(want, c.row, c.end) {
			parquet.Release(p)
			c.row = c.end
			continue
		}
		c.page, c.values = p, p.Values()
	}
	return nil
}

func (c *columnCursor) release() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page, c.values = nil, nil
	}
	c.buf, c.next = c.buf[:0], 0
}

func (c *columnCursor) close() {
	c.release()
	c.pages.Close()
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
