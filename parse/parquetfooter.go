package parse

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// A Parquet file's metadata (its footer) lists every row group with every column chunk's
// statistics: about 25 KB a row group for sign-in logs, so 25 MB for a 3 GB file written
// in small row groups, held for as long as the file is open. parquetFooter finds where
// each row group's entry lies in the footer without decoding it, so that the file can be
// opened a few row groups at a time (openGroups) and memory holds only their metadata.
type parquetFooter struct {
	ra                 io.ReaderAt
	size               int64
	metaStart, metaEnd int64 // the FileMetaData
	listStart, listEnd int64 // its row_groups list, header included
	groups             []footerGroup
}

// footerGroup is one row group's entry in the footer.
type footerGroup struct {
	start, end     int64 // its bytes in the file
	rows           int64
	ordFrom, ordTo int64 // the bytes of its ordinal (its index in the file), if written
}

var errFooter = errors.New("parquet: corrupt footer")

// readParquetFooter scans the footer of the Parquet file in ra.
func readParquetFooter(ra io.ReaderAt, size int64) (*parquetFooter, error) {
	var tail [8]byte
	if size < 12 {
		return nil, fmt.Errorf("parquet: file of %d bytes is too small", size)
	}
	if _, err := ra.ReadAt(tail[:], size-8); err != nil {
		return nil, fmt.Errorf("parquet: reading the footer: %w", err)
	}
	if string(tail[4:]) != "PAR1" {
		return nil, fmt.Errorf("parquet: no magic bytes at the end (file truncated?)")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 {
		return nil, fmt.Errorf("parquet: footer length %d beyond the file's %d bytes", n, size)
	}
	f := &parquetFooter{ra: ra, size: size, metaStart: size - 8 - n, metaEnd: size - 8}
	t := &thriftScanner{r: bufio.NewReaderSize(io.NewSectionReader(ra, f.metaStart, n), 64<<10), pos: f.metaStart, end: f.metaEnd}
	if err := f.scan(t); err != nil {
		return nil, err
	}
	return f, nil
}

// scan walks FileMetaData: field 4 is the row_groups list, and each RowGroup's field 3
// its number of rows.
func (f *parquetFooter) scan(t *thriftScanner) error {
	last, found := int16(0), false
	for {
		typ, id := t.field(&last)
		if t.err != nil {
			return t.err
		}
		if typ == tStop {
			break
		}
		if id != 4 || typ != thrift.LIST {
			t.skip(typ, 0)
			continue
		}
		found = true
		f.listStart = t.pos
		etyp, size := t.listHeader()
		if etyp != thrift.STRUCT && size > 0 {
			return errFooter
		}
		for range size {
			g := footerGroup{start: t.pos}
			glast := int16(0)
			for t.err == nil {
				gtyp, gid := t.field(&glast)
				if gtyp == tStop {
					break
				}
				switch {
				case gid == 3 && gtyp == thrift.I64:
					g.rows = t.varint()
				case gid == 7 && gtyp == thrift.I16:
					g.ordFrom = t.pos
					t.varint()
					g.ordTo = t.pos
				default:
					t.skip(gtyp, 1)
				}
			}
			g.end = t.pos
			if t.err != nil {
				return t.err
			}
			f.groups = append(f.groups, g)
		}
		f.listEnd = t.pos
	}
	if t.err != nil {
		return t.err
	}
	if !found || t.pos != f.metaEnd {
		return errFooter
	}
	return nil
}

// openGroups opens the file as if it held only row groups [from, to): its footer lists
// only them (their column chunks' offsets are those of the file, their ordinals are
// renumbered from 0), so that parquet-go decodes and keeps only their metadata.
func (f *parquetFooter) openGroups(from, to int) (*parquet.File, error) {
	var list []byte
	n := to - from
	if n < 15 {
		list = []byte{byte(n<<4) | byte(thrift.STRUCT)}
	} else {
		list = binary.AppendUvarint([]byte{0xf0 | byte(thrift.STRUCT)}, uint64(n))
	}
	v := &splicedFile{ra: f.ra}
	v.addFile(0, f.listStart)
	v.addBytes(list)
	for i, g := range f.groups[from:to] {
		if g.ordTo == 0 {
			v.addFile(g.start, g.end)
			continue
		}
		v.addFile(g.start, g.ordFrom)
		v.addBytes(binary.AppendUvarint(nil, uint64(i)<<1)) // zigzag of i
		v.addFile(g.ordTo, g.end)
	}
	v.addFile(f.listEnd, f.metaEnd)
	meta := v.size - f.metaStart
	v.addBytes(binary.LittleEndian.AppendUint32(nil, uint32(meta)))
	v.addBytes([]byte("PAR1"))
	return parquet.OpenFile(v, v.size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
}

// splicedFile is an io.ReaderAt made of ranges of another and of bytes in memory.
type splicedFile struct {
	ra    io.ReaderAt
	parts []splicedPart
	size  int64
}

type splicedPart struct {
	at, from, to int64 // at: where it starts in the spliced file; from-to: in ra
	b            []byte
}

func (v *splicedFile) addFile(from, to int64) {
	v.parts = append(v.parts, splicedPart{at: v.size, from: from, to: to})
	v.size += to - from
}

func (v *splicedFile) addBytes(b []byte) {
	v.parts = append(v.parts, splicedPart{at: v.size, b: b})
	v.size += int64(len(b))
}

func (v *splicedFile) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for _, part := range v.parts {
		plen := part.to - part.from
		if part.b != nil {
			plen = int64(len(part.b))
		}
		if off >= part.at+plen || len(p) == 0 {
			continue
		}
		if off < part.at {
			break
		}
		k := min(int64(len(p)), part.at+plen-off)
		if part.b != nil {
			copy(p[:k], part.b[off-part.at:])
		} else if m, err := v.ra.ReadAt(p[:k], part.from+off-part.at); err != nil {
			return n + m, err
		}
		n += int(k)
		p, off = p[k:], off+k
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// thriftScanner reads Thrift compact protocol values from r with parquet-go's
// thrift.CompactProtocol, keeping its position (pos, which stops at end) for skipping
// over them; the first error sticks, as errFooter.
type thriftScanner struct {
	r        *bufio.Reader
	pos, end int64
	err      error
	tr       thrift.Reader // reading scanSource(t), made on first use
}

// tStop is the type field gives at the end of a struct.
const tStop = thrift.STOP

// tListBool stands for a boolean element of a list, which takes a byte.
const tListBool thrift.Type = 0x10

// scanSource is what a thriftScanner's thrift reader reads: its bufio.Reader, counted and
// bounded by end. The position is kept here, not taken from the reader's BytesRead, which
// leaves out the varints the reader takes from an io.ByteReader.
type scanSource thriftScanner

func (s *scanSource) ReadByte() (byte, error) {
	if s.pos >= s.end {
		return 0, errFooter
	}
	b, err := s.r.ReadByte()
	if err != nil {
		return 0, errFooter
	}
	s.pos++
	return b, nil
}

func (s *scanSource) Read(p []byte) (int, error) {
	if s.pos >= s.end {
		return 0, io.EOF
	}
	n, err := s.r.Read(p[:min(int64(len(p)), s.end-s.pos)])
	s.pos += int64(n)
	return n, err
}

func (t *thriftScanner) reader() thrift.Reader {
	if t.tr == nil {
		t.tr = (&thrift.CompactProtocol{}).NewReader((*scanSource)(t))
	}
	return t.tr
}

// check records err, if any, as errFooter, and says whether the scanner is still without
// an error.
func (t *thriftScanner) check(err error) bool {
	if err != nil && t.err == nil {
		t.err = errFooter
	}
	return t.err == nil
}

// varint reads a zigzag varint, as an i16, i32 or i64 is written.
func (t *thriftScanner) varint() int64 {
	if t.err != nil {
		return 0
	}
	v, err := t.reader().ReadInt64()
	t.check(err)
	return v
}

func (t *thriftScanner) discard(n int) {
	if t.err != nil {
		return
	}
	if int64(n) > t.end-t.pos {
		t.err = errFooter
		return
	}
	if _, err := t.r.Discard(n); err != nil {
		t.err = errFooter
		return
	}
	t.pos += int64(n)
}

// field reads a field header: its type (tStop at the end of a struct) and id.
func (t *thriftScanner) field(last *int16) (typ thrift.Type, id int16) {
	if t.err != nil {
		return tStop, 0
	}
	f, err := t.reader().ReadField()
	if !t.check(err) || f.Type == tStop {
		return tStop, 0
	}
	id = f.ID
	if f.Delta {
		id += *last
	}
	*last = id
	return f.Type, id
}

func (t *thriftScanner) listHeader() (etyp thrift.Type, size int) {
	if t.err != nil {
		return 0, 0
	}
	l, err := t.reader().ReadList() // a set's header is a list's
	if !t.check(err) {
		return 0, 0
	}
	if int64(l.Size) > t.end-t.pos { // every element takes a byte at least
		t.err = errFooter
		return 0, 0
	}
	return l.Type, int(l.Size)
}

// skip passes over a value of type typ; depth bounds nesting in corrupt input.
func (t *thriftScanner) skip(typ thrift.Type, depth int) {
	if depth > 32 {
		t.err = errFooter
	}
	if t.err != nil {
		return
	}
	r := t.reader()
	var err error
	switch typ {
	case thrift.TRUE, thrift.FALSE:
		// a field's boolean is in its header; a list's booleans (tListBool) take a byte
	case thrift.I8, tListBool:
		_, err = r.ReadInt8()
	case thrift.I16, thrift.I32, thrift.I64:
		t.varint()
	case thrift.DOUBLE:
		_, err = r.ReadFloat64()
	case thrift.BINARY:
		var n int
		if n, err = r.ReadLength(); err == nil {
			t.discard(n)
		}
	case thrift.LIST, thrift.SET:
		etyp, size := t.listHeader()
		if etyp == thrift.TRUE || etyp == thrift.FALSE {
			etyp = tListBool
		}
		for i := 0; i < size && t.err == nil; i++ {
			t.skip(etyp, depth+1)
		}
	case thrift.MAP:
		var m thrift.Map
		if m, err = r.ReadMap(); err != nil || m.Size == 0 {
			break
		}
		if int64(m.Size) > t.end-t.pos+1 { // every entry takes a byte at least (after the size, the types' byte)
			t.err = errFooter
			return
		}
		ktyp, vtyp := m.Key, m.Value
		if ktyp == thrift.TRUE || ktyp == thrift.FALSE {
			ktyp = tListBool // a map's booleans take a byte, as a list's do
		}
		if vtyp == thrift.TRUE || vtyp == thrift.FALSE {
			vtyp = tListBool
		}
		for i := int32(0); i < m.Size && t.err == nil; i++ {
			t.skip(ktyp, depth+1)
			t.skip(vtyp, depth+1)
		}
	case thrift.STRUCT:
		last := int16(0)
		for t.err == nil {
			ftyp, _ := t.field(&last)
			if ftyp == tStop {
				return
			}
			t.skip(ftyp, depth+1)
		}
	default:
		t.err = errFooter
	}
	t.check(err)
}

// maxPageBytes and maxPageValues bound what a page may say of itself before parquet-go
// allocates for it (writers make pages of about 1 MB and 20,000 rows): a corrupt page
// header claiming gigabytes is an error, not an allocation.
const (
	maxPageBytes  = 256 << 20
	maxPageValues = 1 << 24
)

// chunkPages is what checkPages measured of a column chunk's pages: the largest data
// page, compressed and not, and the dictionary page, not compressed.
type chunkPages struct {
	compressed, uncompressed, dictionary int64
}

// held is about what parquet-go holds while it reads the chunk (measured on parquet-go's
// files and DuckDB's, row groups of 2,000 to 122,880 rows): a data page's compressed and
// decompressed bytes and its values decoded, beside the dictionary's page and values.
func (c chunkPages) held() int64 { return c.compressed + 2*c.uncompressed + 2*c.dictionary }

// checkPages reads the headers of the pages of the column chunk at [from, to) of ra and
// checks the sizes and counts they give against the chunk and the bounds above; for a
// snappy chunk, also the decoded length that starts each page's compressed data; for an
// LZ4_RAW chunk, that each page's data decodes within its size (parquet-go's decoder,
// given data that does not, doubles its buffer until memory runs out). Each header is
// read by pageHeaders, as pageHeaderCounts.
func checkPages(ra io.ReaderAt, from, to int64, codec format.CompressionCodec) (chunkPages, error) {
	snappy := codec == format.Snappy
	var sizes chunkPages
	hr := newPageHeaders(ra, to)
	for pos := from; pos < to; {
		var ph pageHeaderCounts
		data, err := hr.read(pos, &ph)
		if err != nil {
			return sizes, err
		}
		h := ph.header()
		if _, dict := ph.DictionaryPageHeader.Get(); dict {
			sizes.dictionary = max(sizes.dictionary, int64(h.uncompressed))
		} else {
			sizes.compressed = max(sizes.compressed, int64(h.compressed))
			sizes.uncompressed = max(sizes.uncompressed, int64(h.uncompressed))
		}
		switch {
		case h.compressed < 0 || int64(h.compressed) > to-data:
			return sizes, fmt.Errorf("page at offset %d says %d bytes, its column chunk has %d left: %w", pos, h.compressed, to-data, errFooter)
		case h.uncompressed < 0 || h.uncompressed > maxPageBytes:
			return sizes, fmt.Errorf("page at offset %d says %d bytes uncompressed: %w", pos, h.uncompressed, errFooter)
		case h.values < 0 || h.values > maxPageValues || h.rows < 0 || h.rows > maxPageValues:
			return sizes, fmt.Errorf("page at offset %d says %d values, %d rows: %w", pos, h.values, h.rows, errFooter)
		case h.levels < 0 || h.levels > h.compressed:
			return sizes, fmt.Errorf("page at offset %d says %d bytes of levels in %d: %w", pos, h.levels, h.compressed, errFooter)
		}
		if snappy && h.compressed > h.levels && h.compressedValues {
			var b [binary.MaxVarintLen32]byte
			n, _ := ra.ReadAt(b[:min(int64(len(b)), int64(h.compressed-h.levels))], data+int64(h.levels))
			if v, k := binary.Uvarint(b[:n]); k > 0 && v > uint64(h.uncompressed) {
				return sizes, fmt.Errorf("page at offset %d: snappy data of %d bytes in a page of %d: %w", pos, v, h.uncompressed, errFooter)
			}
		}
		if codec == format.Lz4Raw && h.compressed > h.levels && h.compressedValues {
			if err := checkLZ4(ra, data+int64(h.levels), int64(h.compressed-h.levels), int64(h.uncompressed-h.levels)); err != nil {
				return sizes, fmt.Errorf("page at offset %d: %w", pos, err)
			}
		}
		pos = data + int64(h.compressed)
	}
	return sizes, nil
}

// checkLZ4 decodes the LZ4 block of n bytes at off of ra into size bytes, and reports
// whether it does not fit.
func checkLZ4(ra io.ReaderAt, off, n, size int64) error {
	if size < 0 {
		return fmt.Errorf("lz4 data in a page smaller than its levels: %w", errFooter)
	}
	src := make([]byte, n)
	if k, _ := ra.ReadAt(src, off); int64(k) < n {
		return fmt.Errorf("lz4 data past the file: %w", errFooter)
	}
	if _, err := lz4.UncompressBlock(src, make([]byte, size)); err != nil {
		return fmt.Errorf("lz4 data that does not decode to the page's %d bytes: %w", size, errFooter)
	}
	return nil
}

// pageHeader is what checkPages reads of a PageHeader.
type pageHeader struct {
	uncompressed, compressed int32
	values, rows             int32
	levels                   int32 // bytes of levels before the values (v2 pages: uncompressed)
	compressedValues         bool
}

// pageHeaderCounts is what checkPages decodes of a PageHeader: format.PageHeader's fields
// of sizes and counts, with its ids and types, but none required. format.PageHeader's
// required fields (its sub-headers' encodings, for one) would make the decoder reject a
// header lacking them, and leave the sub-header it was decoding unset; that error is
// parquet-go's to report when it reads the page, as before: what is checked here is the
// sizes and counts given, zero if not.
type pageHeaderCounts struct {
	UncompressedPageSize int32                     `thrift:"2"`
	CompressedPageSize   int32                     `thrift:"3"`
	DataPageHeader       thrift.Null[pageCounts]   `thrift:"5"`
	DictionaryPageHeader thrift.Null[pageCounts]   `thrift:"7"`
	DataPageHeaderV2     thrift.Null[pageCountsV2] `thrift:"8"`
}

// pageCounts is what a DataPageHeader and a DictionaryPageHeader say of their values.
type pageCounts struct {
	NumValues int32 `thrift:"1"`
}

// pageCountsV2 is what a DataPageHeaderV2 says of its values, rows and levels.
type pageCountsV2 struct {
	NumValues                  int32             `thrift:"1"`
	NumRows                    int32             `thrift:"3"`
	DefinitionLevelsByteLength int32             `thrift:"5"`
	RepetitionLevelsByteLength int32             `thrift:"6"`
	IsCompressed               thrift.Null[bool] `thrift:"7"`
}

// pageHeaders reads the page headers of a column chunk ending at end: each is measured
// first by a thriftScanner (bounded in depth and sizes, allocating nothing), then its
// bytes decoded.
type pageHeaders struct {
	ra  io.ReaderAt
	t   *thriftScanner
	br  thrift.BytesReader
	dec *thrift.Decoder
	buf []byte
}

func newPageHeaders(ra io.ReaderAt, end int64) *pageHeaders {
	br := (&thrift.CompactProtocol{}).NewReaderFromBytes(nil)
	return &pageHeaders{ra: ra, t: &thriftScanner{r: bufio.NewReaderSize(nil, 512), end: end}, br: br, dec: thrift.NewDecoder(br)}
}

// read decodes the page header at pos into v (a struct of thrift tags, as
// pageHeaderCounts) and returns where the page's data starts.
func (h *pageHeaders) read(pos int64, v any) (int64, error) {
	t := h.t
	t.r.Reset(io.NewSectionReader(h.ra, pos, t.end-pos))
	t.pos, t.err = pos, nil
	t.skip(thrift.STRUCT, 0)
	if t.err != nil {
		return 0, fmt.Errorf("page header at offset %d: %w", pos, t.err)
	}
	data := t.pos
	h.buf = slices.Grow(h.buf[:0], int(data-pos))[:data-pos]
	if n, _ := h.ra.ReadAt(h.buf, pos); n < len(h.buf) {
		return 0, fmt.Errorf("page header at offset %d: %w", pos, errFooter)
	}
	h.br.ResetBytes(h.buf)
	if err := h.dec.Decode(v); err != nil {
		return 0, fmt.Errorf("page header at offset %d: %w", pos, errFooter)
	}
	return data, nil
}

// header is what checkPages reads of a PageHeader. Of the data, dictionary and (v2) data
// page headers, one only is set; were there more, the last in the order of their ids
// gives the counts.
func (ph *pageHeaderCounts) header() pageHeader {
	h := pageHeader{uncompressed: ph.UncompressedPageSize, compressed: ph.CompressedPageSize, compressedValues: true}
	if d, ok := ph.DataPageHeader.Get(); ok {
		h.values, h.levels = d.NumValues, 0
	}
	if d, ok := ph.DictionaryPageHeader.Get(); ok {
		h.values, h.levels = d.NumValues, 0
	}
	if d, ok := ph.DataPageHeaderV2.Get(); ok {
		h.values, h.rows = d.NumValues, d.NumRows
		if d.DefinitionLevelsByteLength < 0 || d.RepetitionLevelsByteLength < 0 {
			h.levels = -1
		} else {
			h.levels = d.DefinitionLevelsByteLength + d.RepetitionLevelsByteLength
		}
		if c, ok := d.IsCompressed.Get(); ok {
			h.compressedValues = c
		}
	}
	return h
}
