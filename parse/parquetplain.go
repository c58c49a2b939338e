package parse

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// plainCursor reads a column chunk of byte arrays (or of fixed-length ones: DuckDB's UUIDs,
// whose plain page of ids is 2 MB a row group) itself, page by page, instead of through
// parquet-go: plain values or a dictionary of them, not repeated, snappy, gzip, zstd or
// uncompressed (plainChunk), as DuckDB writes a column of JSON text too varied for a
// dictionary (DeviceDetail: one page of 14 MB for its 122,880 rows). parquet-go decodes
// such a page into about 33 MB of buffers from its pools, per worker; this cursor streams
// it (decompressed through a window: snappyStream, or gzip's and zstd's readers), keeps
// only the selected rows' values (plainKept, offsets into its bytes or the dictionary's),
// and reuses its buffers, the decoder's, from page to page. It is made only for a row group
// read in one span, so that a page is either read through at once (the code and time
// columns, read for a span) or lies in the span whose selection was told before any of its
// values is read (selectRows).
type plainCursor struct {
	ra       io.ReaderAt
	hr       *pageHeaders
	pos, to  int64 // the next page header; the chunk's end
	codec    format.CompressionCodec
	maxDef   int
	fixed    int64 // FIXED_LEN_BYTE_ARRAY: every value's length, with none written; 0: byte arrays
	row, end int64 // as columnCursor's
	done     bool

	spanSelection
	held         bool
	bufs         *plainBuffers // the decoder's
	*plainColumn               // the decoder's for this column, reused from row group to row group
}

// plainColumn is what a plainCursor keeps of its chunk: the values of the page it holds,
// and the chunk's dictionary, when it has one.
type plainColumn struct {
	kept plainKept
	dict plainDict
}

// plainDict is a chunk's dictionary: its values' bytes, and where each ends.
type plainDict struct {
	bytes []byte
	ends  []int
	read  bool
}

// span is where the dictionary's value i lies in its bytes; i is in it.
func (d *plainDict) span(i uint32) (from, to int32) {
	if i > 0 {
		from = int32(d.ends[i-1])
	}
	return from, int32(d.ends[i])
}

// plainPages is where a plainCursor decompresses a snappy page whole, when its stream
// copies from beyond the window kept (see snappyStream): kept for the next such page and
// taken by one cursor at a time, so that it is one in the process.
var plainPages struct {
	sync.Mutex
	data, raw []byte
}

// parquetOwnOver is what parquet-go would decode a column chunk into (its uncompressed
// size, or 4 bytes a row for dictionary indexes) over which plainChunk's chunks are read
// by a plainCursor; 0 in tests, to read every one so.
var parquetOwnOver int64 = 256 << 10

// plainChunk reports whether leaf l's chunk cm, in a row group of n rows read span rows at
// a time, is one a plainCursor reads: byte arrays (or fixed-length ones, such as DuckDB's
// UUIDs), plain or in a dictionary, not repeated, snappy, gzip, zstd or uncompressed, in a
// row group of one span.
func plainChunk(cm *format.ColumnMetaData, l *parquetLeaf, n, span int64) bool {
	byteArrays := cm.Type == format.ByteArray || cm.Type == format.FixedLenByteArray && l.fixed > 0
	if !byteArrays || max(cm.TotalUncompressedSize, 4*n) <= parquetOwnOver ||
		n > span || l.maxDef > 7 || !slices.Contains([]format.CompressionCodec{format.Snappy, format.Uncompressed, format.Gzip, format.Zstd}, cm.Codec) {
		return false
	}
	for _, e := range cm.Encoding {
		//lint:ignore SA1019 writers of Parquet 1.0 still mark dictionary pages with it
		if e != format.Plain && e != format.RLE && e != format.BitPacked && e != format.PlainDictionary && e != format.RLEDictionary &&
			(e != format.DeltaLengthByteArray || l.fixed > 0) {
			return false
		}
	}
	return true
}

// newPlainCursor makes the cursor of leaf l's chunk cm: its key pass's, or (read) the one
// reading it for the rows selected.
func newPlainCursor(ra io.ReaderAt, cm *format.ColumnMetaData, l *parquetLeaf, bufs *plainBuffers, read bool) *plainCursor {
	from, to := chunkRange(cm)
	slot := [2]int{l.index}
	if read {
		slot[1] = 1
	}
	col := bufs.columns[slot]
	if col == nil {
		col = &plainColumn{}
		if bufs.columns == nil {
			bufs.columns = map[[2]int]*plainColumn{}
		}
		bufs.columns[slot] = col
	}
	col.dict.read = false
	return &plainCursor{ra: ra, hr: newPageHeaders(ra, to), pos: from, to: to, codec: cm.Codec, maxDef: l.maxDef, fixed: int64(l.fixed), bufs: bufs, plainColumn: col}
}

func (c *plainCursor) close() {}

// each is columnCursor.each.
func (c *plainCursor) each(to int64, want []bool, base int64, fn func(row int64, v parquet.Value)) error {
	for c.row < to && !c.done {
		if c.held {
			k := &c.kept
			for ; k.next < len(k.rows) && int64(k.rows[k.next]) < to; k.next++ {
				if r := int64(k.rows[k.next]); wantedRow(r, want, base) {
					fn(r, k.value(k.next, &c.dict))
				}
			}
			if c.end > to {
				c.row = to
				return nil
			}
			c.row, c.held = c.end, false
			continue
		}
		if c.pos >= c.to {
			c.done = true
			return nil
		}
		if err := c.page(to, want, base, fn); err != nil {
			return err
		}
	}
	return nil
}

// plainHeader is what a plainCursor reads of a PageHeader (see pageHeaderCounts).
type plainHeader struct {
	Type                 int32                       `thrift:"1"`
	UncompressedPageSize int32                       `thrift:"2"`
	CompressedPageSize   int32                       `thrift:"3"`
	DataPageHeader       thrift.Null[plainDataPage]  `thrift:"5"`
	DictionaryPageHeader thrift.Null[plainDataPage]  `thrift:"7"` // its num_values and encoding are fields 1 and 2 too
	DataPageHeaderV2     thrift.Null[plainDataPage2] `thrift:"8"`
}

// valueEncoding reports whether a plainCursor reads a data page of encoding e.
func valueEncoding(e int32) bool {
	return format.Encoding(e) == format.Plain || format.Encoding(e) == format.DeltaLengthByteArray || dictionaryEncoding(e)
}

// dictionaryEncoding reports whether a data page's encoding gives dictionary indexes.
func dictionaryEncoding(e int32) bool {
	//lint:ignore SA1019 writers of Parquet 1.0 still mark dictionary pages with it
	return format.Encoding(e) == format.PlainDictionary || format.Encoding(e) == format.RLEDictionary
}

type plainDataPage struct {
	NumValues               int32 `thrift:"1"`
	Encoding                int32 `thrift:"2"`
	DefinitionLevelEncoding int32 `thrift:"3"`
}

type plainDataPage2 struct {
	NumValues                  int32             `thrift:"1"`
	NumNulls                   int32             `thrift:"2"`
	NumRows                    int32             `thrift:"3"`
	Encoding                   int32             `thrift:"4"`
	DefinitionLevelsByteLength int32             `thrift:"5"`
	RepetitionLevelsByteLength int32             `thrift:"6"`
	IsCompressed               thrift.Null[bool] `thrift:"7"`
}

var errPlainPage = errors.New("corrupt file")

// page reads the page at c.pos: its rows, and, if any is selected, their values. A page
// that ends before row to is read through: fn is called for its wanted rows (see each)
// with values that borrow the page's buffer. Otherwise its values of the rows selected
// in the span (selectRows) are kept for the calls to come.
func (c *plainCursor) page(to int64, want []bool, base int64, fn func(row int64, v parquet.Value)) error {
	var h plainHeader
	data, err := c.hr.read(c.pos, &h)
	if err != nil {
		return err
	}
	at := c.pos
	c.pos = data + int64(h.CompressedPageSize)
	if h.CompressedPageSize < 0 || c.pos > c.to || h.UncompressedPageSize < 0 || h.UncompressedPageSize > maxPageBytes {
		return fmt.Errorf("page at offset %d: sizes %d and %d: %w", at, h.CompressedPageSize, h.UncompressedPageSize, errPlainPage)
	}
	var rows, levels int64
	var dict, delta bool
	compressed := c.codec != format.Uncompressed
	switch format.PageType(h.Type) {
	case format.DataPage:
		d, ok := h.DataPageHeader.Get()
		if !ok || !valueEncoding(d.Encoding) || c.maxDef > 0 && format.Encoding(d.DefinitionLevelEncoding) != format.RLE {
			return fmt.Errorf("page at offset %d: a data page not of plain values, their lengths or dictionary indexes with levels in RLE: %w", at, errPlainPage)
		}
		rows, dict, delta = int64(d.NumValues), dictionaryEncoding(d.Encoding), format.Encoding(d.Encoding) == format.DeltaLengthByteArray
	case format.DataPageV2:
		d, ok := h.DataPageHeaderV2.Get()
		if !ok || !valueEncoding(d.Encoding) || d.RepetitionLevelsByteLength != 0 || d.DefinitionLevelsByteLength < 0 ||
			d.NumRows != d.NumValues || d.DefinitionLevelsByteLength > h.CompressedPageSize {
			return fmt.Errorf("page at offset %d: a data page (v2) not of plain values, their lengths or dictionary indexes: %w", at, errPlainPage)
		}
		rows, levels, dict = int64(d.NumRows), int64(d.DefinitionLevelsByteLength), dictionaryEncoding(d.Encoding)
		delta = format.Encoding(d.Encoding) == format.DeltaLengthByteArray
		if v, ok := d.IsCompressed.Get(); ok && !v {
			compressed = false
		}
	case format.DictionaryPage:
		d, ok := h.DictionaryPageHeader.Get()
		if !ok || c.dict.read || c.end > 0 || d.NumValues < 0 || d.NumValues > maxPageValues ||
			format.Encoding(d.Encoding) != format.Plain && !dictionaryEncoding(d.Encoding) {
			return fmt.Errorf("page at offset %d: a dictionary not of plain values, or not first: %w", at, errPlainPage)
		}
		pg := plainPage{at: at, data: data, size: int64(h.CompressedPageSize), uncompressed: int64(h.UncompressedPageSize),
			compressed: compressed, rows: int64(d.NumValues), dictionary: true}
		err := c.values(&pg, false, nil, nil)
		if errors.Is(err, errSnappyWindow) {
			err = c.values(&pg, true, nil, nil)
		}
		return err
	case format.IndexPage:
		return nil
	default:
		return fmt.Errorf("page at offset %d: page type %d: %w", at, h.Type, errPlainPage)
	}
	if dict && !c.dict.read {
		return fmt.Errorf("page at offset %d: dictionary indexes without a dictionary: %w", at, errPlainPage)
	}
	if rows < 0 || rows > maxPageValues {
		return fmt.Errorf("page at offset %d says %d values: %w", at, rows, errPlainPage)
	}
	c.row = c.end
	c.end += rows
	wanted := func(row int64) bool { return wantedRow(row, want, base) }
	through := c.end <= to
	switch {
	case through && !anyRow(c.row, c.end, wanted):
		c.row = c.end
		return nil
	case through:
	case !c.inSpan(c.row, c.end):
		return fmt.Errorf("page at offset %d: rows %d-%d outside the rows selected", at, c.row, c.end) // a bug, not the file's
	case !c.anySelected(c.row, c.end):
		c.row = c.end
		return nil
	}

	pg := plainPage{at: at, data: data, size: int64(h.CompressedPageSize), uncompressed: int64(h.UncompressedPageSize), levels: levels,
		compressed: compressed, v1: format.PageType(h.Type) == format.DataPage, rows: rows, through: through, dict: dict, delta: delta}
	err = c.values(&pg, false, wanted, fn)
	if errors.Is(err, errSnappyWindow) {
		// Copies from further back than the stream keeps: the page decoded whole, the
		// rows before the one that failed not given again.
		err = c.values(&pg, true, wanted, fn)
	}
	return err
}

// plainPage is what a plainCursor reads a page's values by.
type plainPage struct {
	at, data, size, uncompressed int64 // the header's offset, the data's, and its sizes
	levels                       int64 // v2: the bytes of levels before the values, not compressed
	compressed, v1, through      bool
	dict                         bool // its values are indexes into the chunk's dictionary
	delta                        bool // DELTA_LENGTH_BYTE_ARRAY: the values' lengths first, then their bytes
	dictionary                   bool // it is the dictionary: rows values, all kept in c.dict
	rows                         int64
	given                        int64 // rows given to fn (through) before a first attempt failed
}

// plainBuffers are what a decoder's plainCursors read pages through, one page at a time.
type plainBuffers struct {
	snappy  snappyStream
	gzip    *gzip.Reader
	zstd    *zstd.Decoder
	values  *bufio.Reader
	head    []byte                  // v2 levels; v1 levels' bytes; dictionary indexes
	levels  []uint8                 // a level a row
	indexes []uint32                // a dictionary index a value
	lengths []int32                 // a length a value (DELTA_LENGTH_BYTE_ARRAY)
	widths  []byte                  // and the bit widths of a block's miniblocks
	columns map[[2]int]*plainColumn // by column index, and 1 for the cursor reading the rows selected
	scratch []byte                  // a value read through
}

// values reads the values of page pg: streamed, or (whole) decompressed into plainPages.
func (c *plainCursor) values(pg *plainPage, whole bool, wanted func(int64) bool, fn func(row int64, v parquet.Value)) error {
	b := c.bufs
	corrupt := func(what string, err error) error {
		if errors.Is(err, errSnappyWindow) {
			return err
		}
		return fmt.Errorf("page at offset %d: %s: %w", pg.at, what, errPlainPage)
	}
	src := io.NewSectionReader(c.ra, pg.data, pg.size)
	b.head = slices.Grow(b.head[:0], int(pg.levels))[:pg.levels]
	if _, err := io.ReadFull(src, b.head); err != nil {
		return corrupt("levels past the page", err)
	}
	var body io.Reader = src
	switch {
	case pg.compressed && c.codec == format.Gzip:
		if b.gzip == nil {
			z, err := gzip.NewReader(src)
			if err != nil {
				return corrupt("gzip", err)
			}
			b.gzip = z
		} else if err := b.gzip.Reset(src); err != nil {
			return corrupt("gzip", err)
		}
		b.gzip.Multistream(false)
		body = b.gzip
	case pg.compressed && c.codec == format.Zstd:
		if b.zstd == nil {
			z, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(zstdMaxWindow))
			if err != nil {
				return corrupt("zstd", err)
			}
			b.zstd = z
		}
		if err := b.zstd.Reset(src); err != nil {
			return corrupt("zstd", err)
		}
		body = b.zstd
	case pg.compressed && whole:
		plainPages.Lock()
		defer plainPages.Unlock()
		p := &plainPages
		p.raw = slices.Grow(p.raw[:0], int(pg.size-pg.levels))[:pg.size-pg.levels]
		if _, err := io.ReadFull(src, p.raw); err != nil {
			return corrupt("data past the file", err)
		}
		n, err := s2.DecodedLen(p.raw)
		if err != nil || int64(n) != pg.uncompressed-pg.levels {
			return corrupt("snappy data not of the page's size", err)
		}
		p.data = slices.Grow(p.data[:0], n)[:n]
		if _, err := s2.Decode(p.data, p.raw); err != nil {
			return corrupt("snappy", err)
		}
		body = bytes.NewReader(p.data)
	case pg.compressed:
		if err := b.snappy.reset(src, pg.uncompressed-pg.levels); err != nil {
			return corrupt("snappy", err)
		}
		body = &b.snappy
	}
	if b.values == nil {
		b.values = bufio.NewReaderSize(body, 64<<10)
	}
	br := b.values
	br.Reset(body)
	defer br.Reset(nil)

	if pg.dictionary {
		d := &c.dict
		d.bytes, d.ends = d.bytes[:0], d.ends[:0]
		for i := range pg.rows {
			n, err := c.length(br)
			if err != nil {
				return corrupt(fmt.Sprintf("dictionary value %d past the page", i+1), err)
			}
			if n > pg.uncompressed {
				return corrupt(fmt.Sprintf("dictionary value %d past the page", i+1), nil)
			}
			at := len(d.bytes)
			d.bytes = slices.Grow(d.bytes, int(n))[:at+int(n)]
			if _, err := io.ReadFull(br, d.bytes[at:]); err != nil {
				return corrupt(fmt.Sprintf("dictionary value %d past the page", i+1), err)
			}
			d.ends = append(d.ends, len(d.bytes))
		}
		d.read = true
		return nil
	}

	values := pg.rows // not null
	if c.maxDef > 0 {
		lv := b.head
		if pg.v1 {
			size, err := readLength(br)
			if err != nil {
				return corrupt("definition levels past the page", err)
			}
			if size > pg.uncompressed {
				return corrupt("definition levels past the page", nil)
			}
			b.head = slices.Grow(b.head[:0], int(size))[:size]
			if _, err := io.ReadFull(br, b.head); err != nil {
				return corrupt("definition levels past the page", err)
			}
			lv = b.head
		}
		b.levels = slices.Grow(b.levels[:0], int(pg.rows))[:pg.rows]
		if err := rleHybrid(b.levels, lv, bits.Len(uint(c.maxDef))); err != nil {
			return corrupt("definition levels: "+err.Error(), nil)
		}
		values = 0
		for _, l := range b.levels {
			if int(l) == c.maxDef {
				values++
			}
		}
	}
	if pg.dict {
		width, err := br.ReadByte()
		if err != nil && values > 0 || width > 32 {
			return corrupt("dictionary indexes' bit width", err)
		}
		if b.head, err = appendAll(b.head[:0], br, pg.uncompressed); err != nil {
			return corrupt("dictionary indexes past the page", err)
		}
		b.indexes = slices.Grow(b.indexes[:0], int(values))[:values]
		if err := rleHybrid(b.indexes, b.head, int(width)); err != nil {
			return corrupt("dictionary indexes: "+err.Error(), nil)
		}
	}

	if pg.delta && c.fixed > 0 {
		return corrupt("value lengths of fixed-length values", nil)
	}
	if pg.delta {
		b.lengths = slices.Grow(b.lengths[:0], int(values))[:values]
		if err := b.deltaLengths(br, pg.uncompressed); err != nil {
			return corrupt("value lengths: "+err.Error(), nil)
		}
	}

	k := &c.kept
	k.rows, k.from, k.to, k.bytes, k.next, k.dict = k.rows[:0], k.from[:0], k.to[:0], k.bytes[:0], 0, pg.dict
	j := 0 // the next dictionary index, or value length
	for i := range pg.rows {
		row := c.row + i
		null := c.maxDef > 0 && int(b.levels[i]) != c.maxDef
		give := pg.through && i >= pg.given && wanted(row)
		keep := !pg.through && c.sel[row-c.selFrom]
		from, to := int32(-1), int32(-1) // null
		if !null && pg.dict {
			ix := b.indexes[j]
			j++
			if !give && !keep {
				continue
			}
			if int64(ix) >= int64(len(c.dict.ends)) {
				return corrupt(fmt.Sprintf("value %d: index %d in a dictionary of %d", i+1, ix, len(c.dict.ends)), nil)
			}
			from, to = c.dict.span(ix)
		} else if !null {
			var n int64
			var err error
			if pg.delta {
				n = int64(b.lengths[j])
				j++
			} else if n, err = c.length(br); err != nil {
				return corrupt(fmt.Sprintf("value %d past the page", i+1), err)
			}
			if n > pg.uncompressed {
				return corrupt(fmt.Sprintf("value %d past the page", i+1), nil)
			}
			switch {
			case give:
				b.scratch = slices.Grow(b.scratch[:0], int(n))[:n]
				_, err = io.ReadFull(br, b.scratch)
			case keep:
				at := len(k.bytes)
				k.bytes = slices.Grow(k.bytes, int(n))[:at+int(n)]
				_, err = io.ReadFull(br, k.bytes[at:])
				from, to = int32(at), int32(at+int(n))
			default:
				_, err = br.Discard(int(n))
			}
			if err != nil {
				return corrupt(fmt.Sprintf("value %d past the page", i+1), err)
			}
		}
		switch {
		case give:
			var v parquet.Value
			switch {
			case null:
			case pg.dict:
				v = parquet.ByteArrayValue(c.dict.bytes[from:to:to])
			default:
				v = parquet.ByteArrayValue(b.scratch)
			}
			fn(row, v)
			pg.given = i + 1
		case keep:
			k.rows, k.from, k.to = append(k.rows, int32(row)), append(k.from, from), append(k.to, to)
		}
	}
	if pg.through {
		c.row = c.end
		return nil
	}
	c.held = true
	return nil
}

// length reads the length of the next plain value: its own, or the column's fixed one.
func (c *plainCursor) length(br *bufio.Reader) (int64, error) {
	if c.fixed > 0 {
		return c.fixed, nil
	}
	return readLength(br)
}

// deltaLengths decodes b.lengths, which it fills, from br in the DELTA_BINARY_PACKED
// encoding (the lengths of a DELTA_LENGTH_BYTE_ARRAY page): a header (values a block,
// miniblocks a block, values, the first value), then blocks of a minimum delta, the bit
// width of each miniblock and the miniblocks, bit-packed; each is at most limit bytes and
// each length between 0 and limit.
func (b *plainBuffers) deltaLengths(br *bufio.Reader, limit int64) error {
	block, err1 := binary.ReadUvarint(br)
	minis, err2 := binary.ReadUvarint(br)
	total, err3 := binary.ReadUvarint(br)
	v, err4 := binary.ReadVarint(br)
	if err := cmp.Or(err1, err2, err3, err4); err != nil {
		return fmt.Errorf("header: %v", err)
	}
	if block == 0 || block%128 != 0 || block > 1<<20 || minis == 0 || block%minis != 0 || (block/minis)%32 != 0 || total != uint64(len(b.lengths)) {
		return fmt.Errorf("header of %d values a block, %d miniblocks, %d values (%d expected)", block, minis, total, len(b.lengths))
	}
	out, n := b.lengths, 0
	put := func(v int64) error {
		if v < 0 || v > limit {
			return fmt.Errorf("length %d", v)
		}
		out[n] = int32(v)
		n++
		return nil
	}
	if total == 0 {
		return nil
	}
	if err := put(v); err != nil {
		return err
	}
	per := int(block / minis)
	b.widths = slices.Grow(b.widths[:0], int(minis))[:minis]
	for n < len(out) { // a block
		minDelta, err := binary.ReadVarint(br)
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(br, b.widths); err != nil {
			return err
		}
		for m := 0; m < int(minis) && n < len(out); m++ { // a miniblock: the last one there is padded whole
			w := int(b.widths[m])
			if w > 32 {
				return fmt.Errorf("bit width %d", w)
			}
			body := per * w / 8
			b.scratch = slices.Grow(b.scratch[:0], body+8)[:body+8]
			clear(b.scratch[body:])
			if _, err := io.ReadFull(br, b.scratch[:body]); err != nil {
				return err
			}
			for k := 0; k < per && n < len(out); k++ {
				bit := k * w
				v += minDelta + int64(binary.LittleEndian.Uint64(b.scratch[bit>>3:])>>(bit&7)&(1<<w-1))
				if err := put(v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// readLength reads the 4-byte little-endian length that precedes a plain byte array.
func readLength(br *bufio.Reader) (int64, error) {
	p, err := br.Peek(4)
	if len(p) < 4 {
		return 0, cmp.Or(err, io.ErrUnexpectedEOF)
	}
	n := int64(binary.LittleEndian.Uint32(p))
	_, err = br.Discard(4)
	return n, err
}

// plainKept is what a plainCursor keeps of a page: its selected rows and where each one's
// value lies, in bytes (copied from the page) or in the chunk's dictionary; no pointer,
// for the garbage collector to pass over.
type plainKept struct {
	rows     []int32 // in the row group
	from, to []int32 // -1: null
	bytes    []byte
	dict     bool // the values lie in the dictionary
	next     int
}

// value is the kept value i, of the dictionary d or the kept bytes.
func (k *plainKept) value(i int, d *plainDict) parquet.Value {
	from, to := k.from[i], k.to[i]
	switch {
	case from < 0:
		return parquet.Value{}
	case k.dict:
		return parquet.ByteArrayValue(d.bytes[from:to:to])
	}
	return parquet.ByteArrayValue(k.bytes[from:to:to])
}

// snappyStream decodes a snappy block (Parquet's SNAPPY codec) as a stream, keeping of
// what it produced only the last snappyWindow bytes or more, for its copies: snappy's own
// compressor, and most writers', copy from at most 64 KB back. A copy from further back
// is errSnappyWindow. The compressed bytes are read a buffer at a time.
type snappyStream struct {
	src   io.Reader
	in    []byte // compressed bytes read: in[ip:] not yet decoded
	ip    int
	eof   bool  // src has no more
	total int64 // bytes the block says it holds
	left  int64 // and still to produce
	out   []byte
	r     int // out[:r] read
}

const snappyWindow = 64 << 10

var errSnappyWindow = errors.New("snappy copy from beyond the window kept")

var errSnappy = errors.New("corrupt snappy data")

func (z *snappyStream) reset(src io.Reader, n int64) error {
	if z.in == nil {
		z.in = make([]byte, 0, 64<<10)
		z.out = make([]byte, 0, 3*snappyWindow)
	}
	z.src, z.in, z.ip, z.eof, z.out, z.r = src, z.in[:0], 0, false, z.out[:0], 0
	z.more(binary.MaxVarintLen64)
	length, k := binary.Uvarint(z.in[z.ip:])
	if k <= 0 || length != uint64(n) {
		return errors.New("snappy length not the page's")
	}
	z.ip += k
	z.total, z.left = n, n
	return nil
}

// more reads compressed bytes until at least n are not yet decoded, or src ends; it
// reports whether there are n.
func (z *snappyStream) more(n int) bool {
	for len(z.in)-z.ip < n && !z.eof {
		if z.ip > 0 {
			z.in = z.in[:copy(z.in, z.in[z.ip:])]
			z.ip = 0
		}
		k, err := z.src.Read(z.in[len(z.in):cap(z.in)])
		z.in = z.in[:len(z.in)+k]
		if err != nil {
			z.eof = true
		}
	}
	return len(z.in)-z.ip >= n
}

func (z *snappyStream) Read(p []byte) (int, error) {
	for z.r == len(z.out) {
		if z.left == 0 {
			return 0, io.EOF
		}
		if err := z.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, z.out[z.r:])
	z.r += n
	return n, nil
}

// fill decodes elements of the block until snappyWindow more bytes are out or it ends.
func (z *snappyStream) fill() error {
	if len(z.out) > 2*snappyWindow { // all read: keep the window
		z.out = z.out[:copy(z.out, z.out[len(z.out)-snappyWindow:])]
		z.r = len(z.out)
	}
	for target := len(z.out) + snappyWindow; len(z.out) < target && z.left > 0; {
		if len(z.in)-z.ip < 5 && !z.more(5) && len(z.in) == z.ip {
			return errSnappy
		}
		in := z.in[z.ip:]
		tag := in[0]
		length, offset := int64(tag>>2)+1, int64(0)
		switch tag & 3 {
		case 0: // a literal
			hdr := 1
			if length > 60 {
				k := int(length - 60) // bytes of length-1
				if len(in) < 1+k {
					return errSnappy
				}
				var b [4]byte
				copy(b[:], in[1:1+k])
				length, hdr = int64(binary.LittleEndian.Uint32(b[:]))+1, 1+k
			}
			if length > z.left {
				return errSnappy
			}
			z.ip += hdr
			at := len(z.out)
			z.out = slices.Grow(z.out, int(length))[:at+int(length)]
			for dst := z.out[at:]; len(dst) > 0; {
				if z.ip == len(z.in) && !z.more(1) {
					return errSnappy
				}
				k := copy(dst, z.in[z.ip:])
				dst, z.ip = dst[k:], z.ip+k
			}
			z.left -= length
			continue
		case 1:
			if len(in) < 2 {
				return errSnappy
			}
			length, offset = int64(tag>>2&7)+4, int64(tag>>5)<<8|int64(in[1])
			z.ip += 2
		case 2:
			if len(in) < 3 {
				return errSnappy
			}
			offset = int64(binary.LittleEndian.Uint16(in[1:3]))
			z.ip += 3
		case 3:
			if len(in) < 5 {
				return errSnappy
			}
			offset = int64(binary.LittleEndian.Uint32(in[1:5]))
			z.ip += 5
		}
		if offset <= 0 || length > z.left || offset > z.total-z.left {
			return errSnappy
		}
		if offset > int64(len(z.out)) {
			return errSnappyWindow
		}
		at := len(z.out)
		z.out = slices.Grow(z.out, int(length))[:at+int(length)]
		from := at - int(offset)
		if offset >= length {
			copy(z.out[at:], z.out[from:from+int(length)])
		} else {
			for i := range int(length) {
				z.out[at+i] = z.out[from+i]
			}
		}
		z.left -= length
	}
	return nil
}

// appendAll appends what r holds to b, as long as it is no longer than limit.
func appendAll(b []byte, r io.Reader, limit int64) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, 4096)
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			return b, errors.New("longer than the page")
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// rleHybrid decodes values of width bits (at most 32) in the RLE / bit-packed hybrid
// encoding of definition levels and dictionary indexes from b into out, which it fills.
func rleHybrid[T uint8 | uint32](out []T, b []byte, width int) error {
	mask := uint64(1)<<width - 1
	bytesPer := (width + 7) / 8
	for n := 0; n < len(out); {
		h, k := binary.Uvarint(b)
		if k <= 0 {
			return errors.New("run header past the data")
		}
		b = b[k:]
		if h&1 == 0 { // a run of one value
			count := int(min(h>>1, uint64(len(out)-n)))
			if len(b) < bytesPer {
				return errors.New("run past the data")
			}
			var v uint64
			for j := range bytesPer {
				v |= uint64(b[j]) << (8 * j)
			}
			b = b[bytesPer:]
			for j := range count {
				out[n+j] = T(v & mask)
			}
			n += count
			continue
		}
		groups := h >> 1 // of 8 values, width bytes each
		if groups > uint64(len(b)) || int(groups)*width > len(b) {
			return errors.New("bit-packed run past the data")
		}
		packed := b[:int(groups)*width]
		b = b[int(groups)*width:]
		for j := 0; j < int(groups)*8 && n < len(out); j++ {
			bit := j * width
			at := bit >> 3
			var w uint64
			if at+8 <= len(packed) {
				w = binary.LittleEndian.Uint64(packed[at:])
			} else {
				for q := 0; q < 5 && at+q < len(packed); q++ {
					w |= uint64(packed[at+q]) << (8 * q)
				}
			}
			out[n] = T(w >> (bit & 7) & mask)
			n++
		}
	}
	return nil
}

// short and beyond are columnCursor's.
func (c *plainCursor) short(to, n int64) error { return shortChunk(c.done, c.row, to, n) }

func (c *plainCursor) beyond(n int64) error {
	if c.row != n || c.done {
		return nil
	}
	if c.end > n || c.pos < c.to {
		return fmt.Errorf("corrupt file: the row group says %d rows, the column's pages hold more", n)
	}
	return nil
}
