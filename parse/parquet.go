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
	"unsafe"

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
	hold        func(int64)  // told of the pages held (Input.SetHold); nil: not told
	dataEnd     int64        // where the footer starts: every page lies before it
	win         rowWindow    // the rows being read, reused from window to window
	plain       plainBuffers // what its plainCursors read pages through
	kind        string
	table       bool              // the schema has a sign-in column (evidenceColumn)
	light       bool              // and none of audit records: rows left out by filter need no more, once known to be sign-ins
	kinds       rowKinds          // which rows are sign-ins, by the columns naming each row's log
	memos       map[int]*textMemo // by column index: the dictionary-encoded columns' values seen
	noCode      bool              // and none giving the error code (see codeColumn)
	audit       bool              // the schema has a column of directory audit records (auditColumn)

	groupFrom, groupTo int // the row groups to read (OpenOptions.Section); groupTo 0: all
}

func (d *parquetDecoder) codeMissing() bool { return d.noCode }

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
	list     listSetter // a repeated column's setter (set is nil)
	defAt    []int      // a repeated column's: the definition level at which the element of level j+1 is there
	unit     valueUnit  // how a value reads as text: an INT64 timestamp's unit, a UUID
	maxDef   int        // a non-repeated column's definition level when its value is there
	fixed    int        // a FIXED_LEN_BYTE_ARRAY column's length (0: another type)
	codeRank int        // > 0 for error-code columns (lower wins)
	timeRank int        // > 0 for time columns (lower wins)
}

// textColumns hold a failure's wording (as field names, "properties." dropped).
var textColumns = map[string]bool{"status": true, "status.failurereason": true, "resultdescription": true}

// codeRanks and timeRanks order the columns that give the error code and the time, as
// jsonRecord.event prefers them.
var (
	codeRanks = map[string]int{"resulttype": 1, "properties.status.errorcode": 2, "status.errorcode": 3, "properties.resulttype": 4}
	timeRanks = map[string]int{"properties.createddatetime": 1, "createddatetime": 2, "time": 3, "timegenerated": 4}
)

func parquetLeaves(root *parquet.Column) []parquetLeaf {
	var out []parquetLeaf
	var walk func(c *parquet.Column, def int, defAt []int)
	walk = func(c *parquet.Column, def int, defAt []int) {
		if c.Optional() {
			def++
		}
		if c.Repeated() {
			def++
			defAt = append(slices.Clip(defAt), def)
		}
		if !c.Leaf() {
			for _, child := range c.Columns() {
				walk(child, def, defAt)
			}
			return
		}
		if c.MaxRepetitionLevel() > 0 {
			// Lists: the targets of audit records and their modified properties, a
			// sign-in's policies (listSetters); others (signInEventTypes ...) not read.
			path := strings.Join(c.Path(), ".")
			if set := listSetterFor(listPath(c.Path())); set != nil && len(defAt) == c.MaxRepetitionLevel() {
				out = append(out, parquetLeaf{index: c.Index(), path: path, key: listPath(c.Path()), list: set, defAt: defAt, unit: unitOf(c)})
			}
			return
		}
		path := strings.Join(c.Path(), ".")
		set := setterFor(path)
		if set == nil {
			return
		}
		key := fieldName(path)
		leaf := parquetLeaf{index: c.Index(), path: path, key: key, set: set, codeRank: codeRanks[key], timeRank: timeRanks[key], unit: unitOf(c), maxDef: def}
		if c.Type().Kind() == parquet.FixedLenByteArray {
			leaf.fixed = c.Type().Length()
		}
		out = append(out, leaf)
	}
	walk(root, 0, nil)
	return out
}

// unitOf is what a leaf column's logical type says about reading its values as text.
func unitOf(c *parquet.Column) valueUnit {
	var u valueUnit
	if lt := c.Type().LogicalType(); lt != nil {
		if ts, ok := lt.Value.(*format.TimestampType); ok && ts.Unit.Value != nil {
			u.time = ts.Unit.Value.Duration()
		}
		// DuckDB, Spark and others write ids (id, userId, appId, correlationId, a
		// target's id) as UUIDs: 16 bytes, read as their canonical text.
		_, u.uuid = lt.Value.(*format.UUIDType)
	}
	return u
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
	d.dataEnd = foot.metaStart
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
	for a := from; ; {
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
		// Rows are sign-ins when the schema has a sign-in column and no column naming
		// each row's log; otherwise every row is read whole, to tell (kind).
		// A column of directory audit records (activityDisplayName) makes every row one to
		// read whole too: the time of such a row is its activity's, and all of it is kept.
		d.table = slices.ContainsFunc(leaves, func(l parquetLeaf) bool { return evidenceColumn(l.path) })
		d.audit = slices.ContainsFunc(leaves, func(l parquetLeaf) bool { return auditColumn(l.path) })
		d.noCode = d.table && !d.audit && !slices.ContainsFunc(leaves, func(l parquetLeaf) bool { return codeColumn(l.path) })
		// With columns naming each row's log (Category, Type), a row is a sign-in by them
		// alone (kind: the table has no activity column), so they are read for every row,
		// and only the rows they say are sign-ins are left light.
		d.light = d.table && !d.audit && len(slices.DeleteFunc(slices.Clone(leaves), func(l parquetLeaf) bool { return !kindColumn(l) })) <= len(d.kinds.values)
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
		if b >= to {
			return nil
		}
		a = b
	}
}

// parquetBatchMeta is about the footer bytes of the row groups opened at a time.
var parquetBatchMeta int64 = 128 << 10

func (d *parquetDecoder) rowGroup(rg parquet.RowGroup, gi int, first int64, leaves []parquetLeaf, f *parquet.File, yield func(Event, error) bool) error {
	n := rg.NumRows()
	chunks := rg.ColumnChunks()
	// An event's position is its row in the file (Line) and the byte offset where its
	// row group starts: the first page, dictionary or data, of any of its columns.
	offset := int64(-1)
	if md := f.Metadata(); gi < len(md.RowGroups) {
		for _, c := range md.RowGroups[gi].Columns {
			for _, at := range []int64{c.MetaData.DictionaryPageOffset, c.MetaData.DataPageOffset} {
				if at > 0 && (offset < 0 || at < offset) {
					offset = at
				}
			}
		}
	}
	offset = max(offset, 0)

	span := d.span(f, gi, leaves, n)
	// A cursor per column read: the error-code and time columns, preferred ones first,
	// for every row; the others (and the code and time columns again, as fields) for the
	// rows selected, and the columns of a failure's text for the failures left out.
	var keys, reads, cats []reading // cats: the columns naming each row's log, when rows may be light
	var lists []*listCursor         // the repeated columns, read for the selected rows
	defer func() {
		for _, r := range append(append(keys, reads...), cats...) {
			r.cur.close()
		}
		for _, c := range lists {
			c.close()
		}
	}()
	// held is what parquet-go holds of the pages it reads for these cursors, about
	// (chunkPages.held), counted while the row group is read (Input.SetHold).
	var held int64
	for i := range leaves {
		l := &leaves[i]
		if l.list != nil {
			pages, err := d.checkChunk(f, gi, l.index)
			if err != nil {
				return fmt.Errorf("column %s: %w", l.path, err)
			}
			held += pages.held()
			lists = append(lists, newListCursor(chunks[l.index], l))
			continue
		}
		name := strings.TrimPrefix(l.key, "properties.")
		key, read := d.reads(l)
		if !key && !read {
			continue
		}
		pages, err := d.checkChunk(f, gi, l.index)
		if err != nil {
			return fmt.Errorf("column %s: %w", l.path, err)
		}
		// A time column's field is set by its key pass for the rows selected, where no
		// column preferred more gave a time (as signInTime takes the first; the field is
		// not read otherwise): not read again, its pages are decoded once. An audit
		// record's time is its activity's, the time column's text kept for it whole.
		timeField := key && l.timeRank > 0 && read && !d.audit
		newCursor := func(read bool) valueCursor {
			if cm := &f.Metadata().RowGroups[gi].Columns[l.index].MetaData; plainChunk(cm, l, n, span) {
				return newPlainCursor(d.ra, cm, l, &d.plain, read)
			}
			held += pages.held()
			return newColumnCursor(chunks[l.index])
		}
		if key {
			keys = append(keys, reading{leaf: l, cur: newCursor(false), timeField: timeField})
		}
		if d.light && d.filter != nil && kindColumn(*l) {
			held += pages.held()
			cats = append(cats, reading{leaf: l, cur: newColumnCursor(chunks[l.index])})
		}
		if read && !timeField {
			reads = append(reads, reading{leaf: l, cur: newCursor(true), text: textColumns[name], light: name == "status", memo: d.memo(f, gi, l)})
		}
	}
	slices.SortStableFunc(keys, func(a, b reading) int {
		return cmp.Compare(max(a.leaf.codeRank, a.leaf.timeRank), max(b.leaf.codeRank, b.leaf.timeRank))
	})
	bestCode, bestTime := bestRank(leaves, true), bestRank(leaves, false)
	if d.hold != nil && held > 0 {
		d.hold(held)
		defer d.hold(-held)
	}

	// The row group is read a span of rows at a time (span; its row count is only
	// trusted as far as its columns hold rows), with the span's state reused. For each
	// span, first the code and time of every row, and so which rows are selected; then
	// the other columns a window of rows at a time (parquetWindow), the records of a
	// window assembled from every column. Knowing the span's selection before the other
	// columns are read lets their cursors keep, of a large page, only the selected rows'
	// values (see columnCursor.sel), so that a writer's large pages (DuckDB writes a
	// column chunk of 122,880 rows as one page) are not live all at once.
	w := &d.win
	w.reset(int(min(n, span)), int(min(n, parquetWindow)))
	for sfrom := int64(0); sfrom < n; sfrom += span {
		sto := min(sfrom+span, n)
		ssize := int(sto - sfrom)
		w.clear(ssize)

		// The code and the time of every row: the preferred column of each, then the
		// next one only for the rows it left without a value. The codes first: with the
		// columns naming each row's log they say which rows are selected, for which the
		// time columns keep their text, to set their field (see timeField).
		keyPass := func(codes bool) error {
			for k := range keys {
				r := &keys[k]
				l := r.leaf
				if (l.codeRank > 0) != codes {
					continue
				}
				var want []bool
				if l.codeRank > 0 && l.codeRank != bestCode {
					if want = w.missing(w.codeRank[:ssize]); want == nil {
						continue
					}
				}
				if l.timeRank > 0 && l.timeRank != bestTime {
					if want = w.missing(w.timeRank[:ssize]); want == nil {
						continue
					}
				}
				field := r.timeField
				r.kept, r.next = r.kept[:0], 0
				err := r.cur.each(sto, want, sfrom, func(row int64, v parquet.Value) {
					if v.IsNull() {
						return
					}
					i := row - sfrom
					if l.codeRank > 0 && (w.codeRank[i] == 0 || int(w.codeRank[i]) > l.codeRank) {
						if c, ok := valueInt(v); ok {
							w.codes[i], w.codeRank[i] = int32(c), int8(l.codeRank)
						}
					}
					if l.timeRank > 0 && (w.timeRank[i] == 0 || int(w.timeRank[i]) > l.timeRank) {
						if l.unit.time > 0 && v.Kind() == parquet.Int64 {
							w.times[i], w.timeRank[i] = v.Int64()*int64(l.unit.time), int8(l.timeRank)
						} else if t, ok := ParseTime(borrowedText(v, l.unit)); ok {
							w.times[i], w.timeRank[i] = t.UnixNano(), int8(l.timeRank)
						}
						if field && w.want[i] {
							r.kept = append(r.kept, keptText{row: row, text: valueText(v, l.unit)})
						}
					}
				})
				if err == nil {
					err = r.cur.short(sto, n)
				}
				if err != nil {
					return fmt.Errorf("column %s: %w", l.path, err)
				}
			}
			return nil
		}
		if err := keyPass(true); err != nil {
			return err
		}

		// Which rows the columns naming each row's log say are not sign-ins: those are read
		// whole.
		heavy, err := d.kinds.read(cats, sfrom, sto, n)
		if err != nil {
			return err
		}

		// Then every column, only where rows are selected; and for the failures left out,
		// the columns that hold their text, which describes their code (as JSON failures
		// are).
		for i := range ssize {
			switch {
			case d.filter == nil || !d.light || heavy != nil && heavy[i] || d.filter(int(w.codes[i])):
				w.want[i], w.textWant[i] = true, true
			case w.codes[i] != 0:
				w.textWant[i] = true
			}
		}
		if err := keyPass(false); err != nil {
			return err
		}
		for _, r := range reads {
			r.cur.selectRows(sfrom, sto, w.want[:ssize], w.textWant[:ssize], r.text)
		}

		for from := sfrom; from < sto; from += parquetWindow {
			to := min(from+parquetWindow, sto)
			size := int(to - from)
			at := int(from - sfrom) // the window's first row in the span's state
			want, textWant := w.want[at:at+size], w.textWant[at:at+size]
			selected, failures := 0, 0
			for i := range size {
				if want[i] {
					selected++
				} else if textWant[i] {
					failures++
				}
			}

			// The time columns' fields, from the text their key pass kept.
			for k := range keys {
				r := &keys[k]
				for ; r.next < len(r.kept) && r.kept[r.next].row < to; r.next++ {
					r.leaf.set(&w.recs[r.kept[r.next].row-from], r.kept[r.next].text)
				}
			}

			for _, r := range reads {
				rw := want
				if r.text {
					rw = textWant
				}
				if selected == 0 && (!r.text || failures == 0) {
					continue
				}
				set, unit, light, memo := r.leaf.set, r.leaf.unit, r.light, r.memo
				err := r.cur.each(to, rw, from, func(row int64, v parquet.Value) {
					i := row - from
					if light && !want[i] {
						if memo == nil {
							setFailureReason(&w.recs[i], v)
						} else if k := v.Kind(); !v.IsNull() && (k == parquet.ByteArray || k == parquet.FixedLenByteArray) {
							memo.set(&w.recs[i], v, set, unit) // as setFailureReason
						}
						return
					}
					if memo != nil {
						memo.set(&w.recs[i], v, set, unit)
						return
					}
					set(&w.recs[i], valueText(v, unit))
				})
				if err == nil {
					err = r.cur.short(to, n)
				}
				if err != nil {
					return fmt.Errorf("column %s: %w", r.leaf.path, err)
				}
			}

			for _, c := range lists {
				if selected == 0 {
					break
				}
				set, unit := c.leaf.list, c.leaf.unit
				err := c.each(to, want, from, func(row int64, idx []int, exist int, v parquet.Value) {
					set(&w.recs[row-from], idx, exist, valueText(v, unit), !v.IsNull())
				})
				if err != nil {
					return fmt.Errorf("column %s: %w", c.leaf.path, err)
				}
			}

			for i := range size {
				var ev Event
				if textWant[i] {
					w.recs[i].table = d.table
					w.recs[i].event(&ev)
					w.recs[i] = jsonRecord{}
				}
				if j := at + i; !want[i] {
					// Not selected: the code and time of the first pass, and a failure's text.
					ev = Event{ErrorCode: int(w.codes[j]), FailureReason: ev.FailureReason, ResultDescription: ev.ResultDescription}
					if w.timeRank[j] > 0 {
						ev.Time = time.Unix(0, w.times[j]).UTC()
					}
				}
				ev.Pos = Position{Line: int(first + from + int64(i) + 1), Offset: offset}
				if !yield(ev, nil) {
					return errStopped
				}
			}
		}
	}
	// A column read to the end must end there too.
	for _, r := range append(append(keys, reads...), cats...) {
		if err := r.cur.beyond(n); err != nil {
			return fmt.Errorf("column %s: %w", r.leaf.path, err)
		}
	}
	return nil
}

// valueCursor reads a non-repeated column chunk's values in row order: a columnCursor, or
// a plainCursor for a chunk of byte arrays it reads itself (plainChunk).
type valueCursor interface {
	each(to int64, want []bool, base int64, fn func(row int64, v parquet.Value)) error
	selectRows(from, to int64, want, textWant []bool, text bool)
	short(to, n int64) error
	beyond(n int64) error
	close()
}

// reads reports whether leaf l is read as a key (its code or time, for every row) and as
// a field (for the rows selected). An audit record's detail columns are read even so: its
// correlation id is part of it.
func (d *parquetDecoder) reads(l *parquetLeaf) (key, read bool) {
	name := strings.TrimPrefix(l.key, "properties.")
	return l.codeRank > 0 || l.timeRank > 0, !d.summaryOnly || !detailColumns[name] || d.audit
}

// span is the rows of row group gi (of n rows) whose selection is known before its other
// columns are read: parquetSpan when a column read is a chunk of byte arrays without a
// dictionary whose pages are over parquetKeepOver (DuckDB's JSON text: one page of 14 MB),
// which a plainCursor then keeps only the selected values of; otherwise a window, which
// reads faster (the columns go on in step, a window at a time, in cache: 10-20% faster on
// parquet-go's files, whose pages are smaller).
func (d *parquetDecoder) span(f *parquet.File, gi int, leaves []parquetLeaf, n int64) int64 {
	md := f.Metadata()
	if gi >= len(md.RowGroups) {
		return parquetWindow
	}
	for i := range leaves {
		l := &leaves[i]
		if _, read := d.reads(l); !read || l.list != nil || l.index >= len(md.RowGroups[gi].Columns) {
			continue
		}
		cm := &md.RowGroups[gi].Columns[l.index].MetaData
		if dictionaryChunk(cm) || cm.TotalUncompressedSize <= parquetKeepOver || !plainChunk(cm, l, n, parquetSpan) {
			continue
		}
		// The first page's size tells (writers make pages of one size): parquet-go's pages
		// of a few hundred KB read faster a window at a time.
		var h plainHeader
		if _, err := newPageHeaders(d.ra, cm.DataPageOffset+cm.TotalCompressedSize).read(cm.DataPageOffset, &h); err == nil && int64(h.UncompressedPageSize) > parquetKeepOver {
			return parquetSpan
		}
	}
	return parquetWindow
}

// reading is a column read by a cursor of its own.
type reading struct {
	leaf  *parquetLeaf
	cur   valueCursor
	text  bool      // read for every failure, not only for the selected rows
	light bool      // a Status column as JSON text: for rows not selected, only the failure reason
	memo  *textMemo // when its column chunk is dictionary-encoded

	timeField bool       // a time column whose key pass keeps its text for the rows selected (reads it no more)
	kept      []keptText // that text, of the span's selected rows in row order
	next      int        // the next of kept to set
}

// keptText is a value's text kept for a row.
type keptText struct {
	row  int64
	text string
}

// checkChunk checks the pages of column col of row group gi (see checkPages) before
// parquet-go reads them, at the place parquet-go will read them from.
func (d *parquetDecoder) checkChunk(f *parquet.File, gi, col int) (chunkPages, error) {
	md := f.Metadata()
	if gi >= len(md.RowGroups) || col >= len(md.RowGroups[gi].Columns) {
		return chunkPages{}, fmt.Errorf("no metadata for the column chunk: %w", errFooter)
	}
	cm := &md.RowGroups[gi].Columns[col].MetaData
	from, to := chunkRange(cm)
	if from < 4 || cm.TotalCompressedSize < 0 || to < from || to > d.dataEnd {
		return chunkPages{}, fmt.Errorf("pages at %d-%d, outside the data (4-%d): %w", from, to, d.dataEnd, errFooter)
	}
	return checkPages(d.ra, from, to, cm.Codec)
}

// chunkRange is where a column chunk's pages lie: from its dictionary page, when it has
// one before its data pages, for its compressed size.
func chunkRange(cm *format.ColumnMetaData) (from, to int64) {
	from = cm.DataPageOffset
	if cm.DictionaryPageOffset != 0 && cm.DictionaryPageOffset < from {
		from = cm.DictionaryPageOffset
	}
	return from, from + cm.TotalCompressedSize
}

// kindColumn reports whether a leaf sets what kind reads of a table's row besides an
// activity (audit) column: its Category or Type.
func kindColumn(l parquetLeaf) bool { return l.set != nil && (l.key == "category" || l.key == "type") }

// rowKinds tells, a window at a time, which rows the columns naming each row's log
// (kindColumn: at most len(values) of them) say are not sign-ins. Their values are
// interned, up to maxKindValues a column, and what kind says of each combination kept;
// a row with a value beyond that is taken not to be one (it is read whole, which is
// right whatever it is).
type rowKinds struct {
	values [2][]string         // each column's distinct values, id-1
	ids    [2]map[string]int32 // and their ids
	rows   [2][]int32          // each row's id in each column: 0 null, -1 not interned
	heavy  []bool              // the window's rows that are not (or not known to be) sign-ins
	memo   map[[2]int32]bool   // whether a combination of ids is not a sign-in
	last   [2]int32            // each column's id of the byte array last looked up
}

const maxKindValues = 256

// read reads the columns cats for rows from-to of a row group of n rows and returns
// which of them are not sign-ins (heavy[i]: row from+i), or nil when cats is empty.
func (k *rowKinds) read(cats []reading, from, to, n int64) ([]bool, error) {
	if len(cats) == 0 {
		return nil, nil
	}
	size := int(to - from)
	for j, r := range cats {
		k.rows[j] = slices.Grow(k.rows[j][:0], size)[:size]
		clear(k.rows[j])
		ids, unit := k.rows[j], r.leaf.unit
		err := r.cur.each(to, nil, from, func(row int64, v parquet.Value) {
			ids[row-from] = k.intern(j, v, unit)
		})
		if err == nil {
			err = r.cur.short(to, n)
		}
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", r.leaf.path, err)
		}
	}
	k.heavy = slices.Grow(k.heavy[:0], size)[:size]
	for i := range size {
		var key [2]int32
		for j := range cats {
			key[j] = k.rows[j][i]
		}
		if key[0] < 0 || key[1] < 0 {
			k.heavy[i] = true
			continue
		}
		heavy, ok := k.memo[key]
		if !ok {
			rec := jsonRecord{table: true}
			for j, r := range cats {
				if id := key[j]; id > 0 {
					r.leaf.set(&rec, k.values[j][id-1])
				}
			}
			heavy = rec.kind(&jsonRecord{}) != ""
			if k.memo == nil {
				k.memo = map[[2]int32]bool{}
			}
			k.memo[key] = heavy
		}
		k.heavy[i] = heavy
	}
	return k.heavy, nil
}

// intern is the id of a column's value (0 for null), or -1 once the column has more
// distinct values than are kept.
func (k *rowKinds) intern(j int, v parquet.Value, unit valueUnit) int32 {
	if v.IsNull() {
		return 0
	}
	var id int32
	var ok bool
	var text string
	if b := v.Kind(); (b == parquet.ByteArray || b == parquet.FixedLenByteArray) && !unit.uuid {
		// Rows of one log come in runs: the value of the row before, without a lookup.
		if l := k.last[j]; l > 0 && string(v.ByteArray()) == k.values[j][l-1] {
			return l
		}
		id, ok = k.ids[j][string(v.ByteArray())]
		if ok {
			k.last[j] = id
		}
	} else {
		text = valueText(v, unit)
		id, ok = k.ids[j][text]
	}
	if ok {
		return id
	}
	if len(k.values[j]) >= maxKindValues {
		return -1
	}
	if text == "" {
		text = valueText(v, unit)
	}
	if k.ids[j] == nil {
		k.ids[j] = map[string]int32{}
	}
	k.values[j] = append(k.values[j], text)
	id = int32(len(k.values[j]))
	k.ids[j][text] = id
	return id
}

// memo is the textMemo of leaf l's column, when its chunk in row group gi is
// dictionary-encoded (its values repeat: worth remembering); nil otherwise.
func (d *parquetDecoder) memo(f *parquet.File, gi int, l *parquetLeaf) *textMemo {
	if !parquetMemo {
		return nil
	}
	md := f.Metadata()
	if gi >= len(md.RowGroups) || l.index >= len(md.RowGroups[gi].Columns) {
		return nil
	}
	if !dictionaryChunk(&md.RowGroups[gi].Columns[l.index].MetaData) {
		return nil
	}
	m := d.memos[l.index]
	if m == nil {
		m = &textMemo{texts: map[string]string{}}
		if newField := memoFields[l.key]; newField != nil {
			m.field = newField()
		}
		if d.memos == nil {
			d.memos = map[int]*textMemo{}
		}
		d.memos[l.index] = m
	}
	return m
}

// dictionaryChunk reports whether a column chunk is dictionary-encoded, in part or whole.
func dictionaryChunk(cm *format.ColumnMetaData) bool {
	return cm.DictionaryPageOffset != 0 || slices.ContainsFunc(cm.Encoding, func(e format.Encoding) bool {
		//lint:ignore SA1019 writers of Parquet 1.0 still mark dictionary pages with it
		return e == format.PlainDictionary || e == format.RLEDictionary
	})
}

// textMemo remembers what a column's values gave, up to maxMemo of them: each value's
// text, so that a value met again costs no allocation, and for a column of JSON text
// (memoFields) the field its setter made of it, so that it is decoded once.
type textMemo struct {
	texts map[string]string // by the value's bytes
	field fieldMemo
}

const maxMemo = 4096

// parquetMemo is false in tests that read without textMemo, to compare.
var parquetMemo = true

// set sets r from v with set, as set(r, valueText(v, unit)) does.
func (m *textMemo) set(r *jsonRecord, v parquet.Value, set fieldSetter, unit valueUnit) {
	if v.IsNull() {
		set(r, "")
		return
	}
	k := v.Kind()
	if k != parquet.ByteArray && k != parquet.FixedLenByteArray {
		set(r, valueText(v, unit))
		return
	}
	b := v.ByteArray()
	if m.field != nil && m.field.apply(r, b, m, v, unit, set) {
		return
	}
	set(r, m.text(b, v, unit))
}

// text is valueText(v, unit) for v of bytes b, remembered.
func (m *textMemo) text(b []byte, v parquet.Value, unit valueUnit) string {
	if s, ok := m.texts[string(b)]; ok {
		return s
	}
	s := valueText(v, unit)
	if len(m.texts) < maxMemo {
		m.texts[string(b)] = s
	}
	return s
}

// fieldMemo remembers the field a setter makes of a value; see fieldCache.
type fieldMemo interface {
	// apply sets r's field to what set makes of the value v, of bytes b (its text from
	// m), on a record without it, and reports whether it did: not when r has the field
	// already (set may merge with it) or when the memo is full.
	apply(r *jsonRecord, b []byte, m *textMemo, v parquet.Value, unit valueUnit, set fieldSetter) bool
}

// memoFields are the columns of JSON text whose setter sets one field of a record and
// nothing else (TestMemoFieldsSetOneField checks it), by key: how to make a memo of it.
var memoFields = map[string]func() fieldMemo{
	"status": func() fieldMemo {
		return newFieldCache(func(r *jsonRecord) *jsonDynamic[jsonStatus] { return &r.Status })
	},
	"devicedetail": func() fieldMemo {
		return newFieldCache(func(r *jsonRecord) *jsonDynamic[jsonDevice] { return &r.DeviceDetail })
	},
	"locationdetails": func() fieldMemo {
		return newFieldCache(func(r *jsonRecord) *jsonLocation { return &r.LocationDetails })
	},
	"location": func() fieldMemo { return newFieldCache(func(r *jsonRecord) *jsonLocation { return &r.Location }) },
	"tokenprotectionstatusdetails": func() fieldMemo {
		return newFieldCache(func(r *jsonRecord) *jsonDynamic[jsonTokenProtection] { return &r.TokenProtection })
	},
}

// fieldCache is a fieldMemo of a field of type F.
type fieldCache[F comparable] struct {
	field func(*jsonRecord) *F
	vals  map[string]F
}

func newFieldCache[F comparable](field func(*jsonRecord) *F) *fieldCache[F] {
	return &fieldCache[F]{field: field, vals: map[string]F{}}
}

func (c *fieldCache[F]) apply(r *jsonRecord, b []byte, m *textMemo, v parquet.Value, unit valueUnit, set fieldSetter) bool {
	p := c.field(r)
	var zero F
	if *p != zero {
		return false
	}
	if f, ok := c.vals[string(b)]; ok {
		*p = f
		return true
	}
	if len(c.vals) >= maxMemo {
		return false
	}
	var scratch jsonRecord
	set(&scratch, m.text(b, v, unit))
	c.vals[string(b)] = *c.field(&scratch)
	*p = *c.field(&scratch)
	return true
}

// borrowedText is valueText(v, unit) without a copy of a byte array's bytes: a text to be
// read at once, and not kept, while v's page is.
func borrowedText(v parquet.Value, unit valueUnit) string {
	if k := v.Kind(); !v.IsNull() && !unit.uuid && (k == parquet.ByteArray || k == parquet.FixedLenByteArray) {
		b := v.ByteArray()
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	return valueText(v, unit)
}

// parquetWindow is the rows whose records are assembled at a time. Its records (840 bytes
// each) are live with every column's page: 1,024 rows keep them under 1 MB.
const parquetWindow = 1024

// parquetSpan is the most rows whose code, time and selection are known at a time (17
// bytes each): a row group of DuckDB's 122,880 rows, or Spark's 128 MB of sign-ins, is one
// span.
var parquetSpan int64 = 1 << 18

// rowWindow is what a span of rows needs, kept by the decoder and reused: the code and
// time of each row with the rank of the column each came from, which rows are selected
// (want) or are failures whose text is read (textWant); and the records of a window.
type rowWindow struct {
	codes              []int32
	times              []int64
	codeRank, timeRank []int8
	want, textWant     []bool
	missingRows        []bool
	recs               []jsonRecord // zero: each record used is cleared once its row is out
}

func (w *rowWindow) reset(span, window int) {
	if len(w.codes) < span {
		*w = rowWindow{codes: make([]int32, span), times: make([]int64, span), codeRank: make([]int8, span),
			timeRank: make([]int8, span), want: make([]bool, span), textWant: make([]bool, span),
			missingRows: make([]bool, span), recs: w.recs}
	}
	if len(w.recs) < window {
		w.recs = make([]jsonRecord, window)
	}
}

// clear readies the first size rows for a new span.
func (w *rowWindow) clear(size int) {
	clear(w.codes[:size])
	clear(w.times[:size])
	clear(w.codeRank[:size])
	clear(w.timeRank[:size])
	clear(w.want[:size])
	clear(w.textWant[:size])
}

// missing marks the rows whose rank is 0 (no value yet), or returns nil when there is none.
func (w *rowWindow) missing(rank []int8) []bool {
	some := false
	for i, r := range rank {
		w.missingRows[i] = r == 0
		some = some || r == 0
	}
	if !some {
		return nil
	}
	return w.missingRows[:len(rank)]
}

// listCursor reads a repeated column chunk's values in row order, a window of rows at a
// time: a value of repetition level 0 starts a row, one of level j the next element of
// the list at level j (the Dremel encoding), and its definition level says down to which
// level its elements are there.
// pageValues is what both cursors read a column chunk through: its pages, the current
// one and its values, a buffer of them, and whether the pages have ended.
type pageValues struct {
	pages  parquet.Pages
	page   parquet.Page // the current page; nil between pages
	values parquet.ValueReader
	buf    []parquet.Value
	next   int // index in buf of the next value
	done   bool
}

func newPageValues(chunk parquet.ColumnChunk) pageValues {
	return pageValues{pages: chunk.Pages(), buf: make([]parquet.Value, 0, 512)}
}

func (c *pageValues) release() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page, c.values = nil, nil
	}
	c.buf, c.next = c.buf[:0], 0
}

func (c *pageValues) close() {
	c.release()
	c.pages.Close()
}

type listCursor struct {
	pageValues
	leaf *parquetLeaf
	row  int64 // the row of the value last read; -1 before the first
	idx  []int // the element at each repetition level (1...) of that value
}

func newListCursor(chunk parquet.ColumnChunk, l *parquetLeaf) *listCursor {
	return &listCursor{pageValues: newPageValues(chunk), leaf: l, row: -1, idx: make([]int, len(l.defAt)+1)}
}

// each calls fn for every value of the rows wanted before row to (want[i]: row base+i),
// from where the previous call stopped.
func (c *listCursor) each(to int64, want []bool, base int64, fn func(row int64, idx []int, exist int, v parquet.Value)) error {
	for !c.done {
		if c.next == len(c.buf) {
			if err := c.refill(); err != nil {
				return err
			}
			continue
		}
		v := c.buf[c.next]
		switch r := v.RepetitionLevel(); {
		case r == 0:
			if c.row+1 >= to {
				return nil // the next row is the next window's
			}
			c.row++
			clear(c.idx)
		case r < len(c.idx):
			c.idx[r]++
			clear(c.idx[r+1:])
		}
		c.next++
		if i := c.row - base; i >= 0 && i < int64(len(want)) && want[i] {
			d, exist := v.DefinitionLevel(), 0
			for exist < len(c.leaf.defAt) && d >= c.leaf.defAt[exist] {
				exist++
			}
			fn(c.row, c.idx, exist, v)
		}
	}
	return nil
}

func (c *listCursor) refill() error {
	for {
		if c.values != nil {
			k, err := c.values.ReadValues(c.buf[:cap(c.buf)])
			c.buf, c.next = c.buf[:k], 0
			if err != nil && err != io.EOF {
				return err
			}
			if k > 0 {
				return nil
			}
			c.release()
		}
		p, err := c.pages.ReadPage()
		if err == io.EOF {
			c.done = true
			return nil
		}
		if err != nil {
			return err
		}
		c.page, c.values = p, p.Values()
	}
}

// setFailureReason sets a record's status from its Status column, JSON text, as the full
// read does (the same setter): all that a failure out of scope needs.
func setFailureReason(r *jsonRecord, v parquet.Value) {
	if v.IsNull() || (v.Kind() != parquet.ByteArray && v.Kind() != parquet.FixedLenByteArray) {
		return
	}
	setStatusText(r, string(v.ByteArray()))
}

// columnCursor reads a non-repeated column chunk's values in row order, a window of rows
// at a time. Pages without a wanted row are skipped without decoding their values.
//
// Told a span's selection (selectRows), it keeps of a page larger than parquetKeepOver that
// lies in the span only the selected rows' values, copied, and releases the page at once:
// the page is live while it is read, not while the other columns' pages of its rows are.
type columnCursor struct {
	pageValues
	row int64 // the row of buf[next], or of the next page's first value
	end int64 // the row after the current page

	spanSelection
	kept keptValues // the current page's selected values, when it was kept (held)
	held bool
}

// spanSelection is what a cursor is told of the span being read (selectRows): the rows
// selected for its column, sel[i] for row selFrom+i; sel nil: not told.
type spanSelection struct {
	sel            []bool
	selFrom, selTo int64
}

// selectRows tells the cursor the rows selected in the span of rows from-to: want, or textWant
// for a column of a failure's text.
func (s *spanSelection) selectRows(from, to int64, want, textWant []bool, text bool) {
	s.sel, s.selFrom, s.selTo = want, from, to
	if text {
		s.sel = textWant
	}
}

// inSpan reports whether rows from-to lie in the span whose selection the cursor knows.
func (s *spanSelection) inSpan(from, to int64) bool {
	return s.sel != nil && from >= s.selFrom && to <= s.selTo
}

// anySelected reports whether a row of from-to, in the span, is selected.
func (s *spanSelection) anySelected(from, to int64) bool {
	return slices.Contains(s.sel[from-s.selFrom:to-s.selFrom], true)
}

// wantedRow is how a cursor's each reads its want: row base+i is wanted when want[i] is;
// want nil: every row from base.
func wantedRow(row int64, want []bool, base int64) bool {
	return row >= base && (want == nil || row-base < int64(len(want)) && want[row-base])
}

// keptValues are the selected values of a page, their bytes copied into one buffer.
type keptValues struct {
	vals  []parquet.Value
	rows  []int64
	ends  []int // where each value's bytes end in bytes
	bytes []byte
	next  int
}

// parquetKeepOver is the size of a page (as parquet-go counts it) over which a cursor told
// the span's selection keeps only the selected rows' values; 0 in tests, to keep every one.
var parquetKeepOver int64 = 1 << 20

func newColumnCursor(chunk parquet.ColumnChunk) *columnCursor {
	return &columnCursor{pageValues: newPageValues(chunk)}
}

// each calls fn for the wanted rows before row to, from where the previous call stopped.
// want[i] says whether row base+i is wanted; want nil: every row from base. Rows before
// base are passed over. A cursor told the span's selection must be asked for no row
// outside it (want a part of it).
func (c *columnCursor) each(to int64, want []bool, base int64, fn func(row int64, v parquet.Value)) error {
	wanted := func(row int64) bool { return wantedRow(row, want, base) }
	for c.row < to && !c.done {
		if c.held {
			k := &c.kept
			for ; k.next < len(k.vals) && k.rows[k.next] < to; k.next++ {
				if r := k.rows[k.next]; wanted(r) {
					fn(r, k.vals[k.next])
				}
			}
			if c.end > to {
				c.row = to
				return nil
			}
			c.row, c.held = c.end, false
			continue
		}
		if c.next < len(c.buf) {
			if wanted(c.row) {
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
		// A page that ends within the window, or lies in the span, and holds no wanted
		// row is passed over.
		span := c.inSpan(c.row, c.end)
		if c.end <= to && !anyRow(c.row, c.end, wanted) || span && !c.anySelected(c.row, c.end) {
			parquet.Release(p)
			c.row = c.end
			continue
		}
		if span && p.Size() > parquetKeepOver {
			if err := c.keep(p); err != nil {
				return err
			}
			continue
		}
		c.page, c.values = p, p.Values()
	}
	return nil
}

// keep copies page p's values of the selected rows into c.kept and releases it.
func (c *columnCursor) keep(p parquet.Page) error {
	defer parquet.Release(p)
	k := &c.kept
	k.vals, k.rows, k.ends, k.bytes, k.next = k.vals[:0], k.rows[:0], k.ends[:0], k.bytes[:0], 0
	values, row := p.Values(), c.row
	for row < c.end {
		n, err := values.ReadValues(c.buf[:cap(c.buf)])
		for _, v := range c.buf[:n] {
			if row < c.end && c.sel[row-c.selFrom] {
				if isBytes(v) {
					k.bytes = append(k.bytes, v.ByteArray()...)
				}
				k.vals, k.rows, k.ends = append(k.vals, v), append(k.rows, row), append(k.ends, len(k.bytes))
			}
			row++
		}
		clear(c.buf[:n]) // they point into the page
		if err != nil && err != io.EOF {
			return err
		}
		if n == 0 || err == io.EOF {
			break // a page of fewer values than rows: the rest have none, as each reads it
		}
	}
	c.buf, c.next = c.buf[:0], 0
	from := 0
	for i, v := range k.vals {
		if isBytes(v) {
			b := k.bytes[from:k.ends[i]:k.ends[i]]
			nv := parquet.ByteArrayValue(b)
			if v.Kind() == parquet.FixedLenByteArray {
				nv = parquet.FixedLenByteArrayValue(b)
			}
			k.vals[i] = nv.Level(v.RepetitionLevel(), v.DefinitionLevel(), v.Column())
		}
		from = k.ends[i]
	}
	c.held = true
	return nil
}

// isBytes reports whether v is a byte array, whose bytes borrow page memory.
func isBytes(v parquet.Value) bool {
	k := v.Kind()
	return !v.IsNull() && (k == parquet.ByteArray || k == parquet.FixedLenByteArray)
}

func anyRow(from, to int64, wanted func(int64) bool) bool {
	for r := from; r < to; r++ {
		if wanted(r) {
			return true
		}
	}
	return false
}

// short reports a column that ended before row to of a row group of n rows: its pages
// hold fewer rows than the row group says (a corrupt file).
func (c *columnCursor) short(to, n int64) error { return shortChunk(c.done, c.row, to, n) }

// shortChunk is a cursor's short: its pages ended (done) at row, before row to.
func shortChunk(done bool, row, to, n int64) error {
	if done && row < to {
		return fmt.Errorf("corrupt file: the row group says %d rows, the column's pages end at row %d", n, row)
	}
	return nil
}

// beyond reports a column read to row n, the row group's end, whose pages hold more rows.
func (c *columnCursor) beyond(n int64) error {
	if c.row != n || c.done {
		return nil
	}
	more := c.end > n
	if !more {
		c.release()
		p, err := c.pages.ReadPage()
		if err == nil {
			parquet.Release(p)
		}
		more = err != io.EOF
	}
	if more {
		return fmt.Errorf("corrupt file: the row group says %d rows, the column's pages hold more", n)
	}
	return nil
}

// valueUnit is what a column's logical type says about reading its values as text.
type valueUnit struct {
	time time.Duration // INT64 timestamps: the declared unit
	uuid bool          // 16-byte UUIDs
}

// valueText renders a Parquet value as the text a setter takes. Byte arrays are copied:
// they borrow page memory.
func valueText(v parquet.Value, unit valueUnit) string {
	if v.IsNull() {
		return ""
	}
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		if b := v.ByteArray(); unit.uuid && len(b) == 16 {
			return uuidText(b)
		}
		return string(v.ByteArray())
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		if unit.time > 0 {
			return time.Unix(0, v.Int64()*int64(unit.time)).UTC().Format(time.RFC3339Nano)
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

// uuidText is a UUID's canonical text: lower-case hex in groups of 8-4-4-4-12.
func uuidText(b []byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&15])
	}
	return string(out)
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
