// Package spill sorts more records than memory holds. A [Sorter] buffers byte records up to
// its share of a [Budget]; past it, it writes them sorted to a run in the budget's
// temporary directory, and [Sorter.Sort] merges the runs and what is still in memory
// back into one sorted stream. Records compare by their key's bytes; records of equal key
// keep the order they were added in.
package spill

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
)

// Budget is the memory that buffers of events may hold in a process, shared by every
// Sorter and every summary made with it, and where they spill beyond it.
type Budget struct {
	limit int64
	used  atomic.Int64
	dir   string // where the temporary directory is made; "" for the system's

	mu     sync.Mutex
	tmp    string // the temporary directory, made at the first spill
	closed bool
	n      int // files made

	spilled atomic.Int64 // bytes written to runs
	runs    atomic.Int64

	// Memory held that cannot spill (see Pin), and the garbage collector's soft limit
	// that it raises (see SetSoftLimit): 0, none.
	pinned atomic.Int64
	soft   int64
	softMu sync.Mutex
	raised int64 // the pinned bytes the soft limit was last raised by, in whole MiB
}

// SetSoftLimit makes the budget own the garbage collector's soft limit: limit, raised by
// the bytes pinned (see Pin) as they grow, so that memory the program must hold does not
// leave the collector running back to back. Call it once, before any Pin.
func (b *Budget) SetSoftLimit(limit int64) {
	b.soft = limit
	debug.SetMemoryLimit(limit)
}

// Pin counts n more bytes held (n < 0: released) that cannot spill, such as the change
// records of the audit join, which are grouped all at once: they count as held, so that
// events spill sooner, and raise the soft limit (in steps of a MiB) when the budget owns it.
func (b *Budget) Pin(n int64) {
	b.used.Add(n)
	p := b.pinned.Add(n)
	if b.soft == 0 {
		return
	}
	step := max(p, 0) >> 20 << 20
	b.softMu.Lock()
	if step != b.raised {
		b.raised = step
		debug.SetMemoryLimit(b.soft + step)
	}
	b.softMu.Unlock()
}

// NewBudget returns a budget of limit bytes that spills into a temporary directory made
// in dir ("" for the system's) when first needed. Close removes it.
func NewBudget(limit int64, dir string) *Budget {
	return &Budget{limit: limit, dir: dir}
}

// Limit is the budget's size in bytes.
func (b *Budget) Limit() int64 { return b.limit }

// Grow counts n more bytes held (n < 0: released).
func (b *Budget) Grow(n int64) { b.used.Add(n) }

// Used is the bytes held now.
func (b *Budget) Used() int64 { return b.used.Load() }

// Over reports whether more is held than the budget allows.
func (b *Budget) Over() bool { return b.used.Load() > b.limit }

// Spilled reports the bytes written to runs and how many runs, so far.
func (b *Budget) Spilled() (bytes, runs int64) { return b.spilled.Load(), b.runs.Load() }

// Dir is the temporary directory runs are written to; "" before the first spill.
func (b *Budget) Dir() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tmp
}

// create makes a new run file.
func (b *Budget) create() (*os.File, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("spill: budget closed")
	}
	if b.tmp == "" {
		d, err := os.MkdirTemp(b.dir, "grantsweep-spill-")
		if err != nil {
			return nil, fmt.Errorf("spill directory: %w", err)
		}
		b.tmp = d
	}
	b.n++
	f, err := os.Create(fmt.Sprintf("%s/run-%06d", b.tmp, b.n))
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	return f, nil
}

// Close removes the temporary directory and every run in it; runs cannot be read after.
func (b *Budget) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.tmp == "" {
		return nil
	}
	err := os.RemoveAll(b.tmp)
	b.tmp = ""
	return err
}

// recOverhead is what the Sorter holds per record besides its bytes: its place in the
// buffer.
const recOverhead = 16

// Sorter sorts records by key. The zero value is not usable: see [NewSorter].
type Sorter struct {
	budget *Budget
	limit  int64 // bytes this sorter buffers before it writes a run
	unique bool  // drop a record whose key equals an earlier one's

	// Shift, when set, rewrites the key of a record read from a run that was absorbed
	// with a shift (see [Sorter.Absorb]), before it is compared.
	Shift func(key []byte, by int64)

	buf   []byte // the buffered records, each [key][payload]
	recs  []ref
	held  int64 // bytes counted in the budget for buf and recs
	runs  []*run
	count int64 // records added
}

type ref struct {
	at          int64
	keyLen, len int32
}

// run is a sorted run on disk.
type run struct {
	path  string
	size  int64
	shift int64 // added by Shift to every record read from it
}

// NewSorter returns a sorter that buffers up to limit bytes of budget before it spills.
// With unique, of records with equal keys only the first is kept.
func NewSorter(budget *Budget, limit int64, unique bool) *Sorter {
	return &Sorter{budget: budget, limit: max(limit, 64<<10), unique: unique}
}

// Len is the number of records added (unique records, once sorted).
func (s *Sorter) Len() int64 { return s.count }

// Spilled reports whether the sorter has written a run.
func (s *Sorter) Spilled() bool { return len(s.runs) > 0 }

// Held is the bytes the sorter buffers now.
func (s *Sorter) Held() int64 { return s.held }

// Add adds one record: its key, by which it sorts, and a payload that goes with it.
// The bytes are copied.
func (s *Sorter) Add(key, payload []byte) error {
	r := ref{at: int64(len(s.buf)), keyLen: int32(len(key)), len: int32(len(key) + len(payload))}
	grew := cap(s.buf)
	s.buf = append(s.buf, key...)
	s.buf = append(s.buf, payload...)
	s.recs = append(s.recs, r)
	s.count++
	s.account(int64(cap(s.buf)-grew) + recOverhead)
	if s.held > s.limit || s.budget.Over() && s.held > s.limit/4 {
		return s.Flush()
	}
	return nil
}

func (s *Sorter) account(n int64) {
	s.held += n
	s.budget.Grow(n)
}

func (s *Sorter) key(r ref) []byte { return s.buf[r.at : r.at+int64(r.keyLen)] }

// sortBuffer sorts the buffered records (stably), dropping repeated keys when unique.
func (s *Sorter) sortBuffer() {
	slices.SortStableFunc(s.recs, func(a, b ref) int { return bytes.Compare(s.key(a), s.key(b)) })
	if s.unique {
		s.recs = slices.CompactFunc(s.recs, func(a, b ref) bool { return bytes.Equal(s.key(a), s.key(b)) })
	}
}

// Flush writes the buffered records to a sorted run and releases the buffer.
func (s *Sorter) Flush() error {
	if len(s.recs) == 0 {
		return nil
	}
	s.sortBuffer()
	f, err := s.budget.create()
	if err != nil {
		return err
	}
	w := runWriter{w: bufio.NewWriterSize(f, 64<<10)}
	for _, r := range s.recs {
		w.write(s.buf[r.at:r.at+int64(r.keyLen)], s.buf[r.at+int64(r.keyLen):r.at+int64(r.len)])
	}
	size := w.size
	err = w.w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	s.runs = append(s.runs, &run{path: f.Name(), size: size})
	s.budget.spilled.Add(size)
	s.budget.runs.Add(1)
	s.release()
	return nil
}

// release drops the buffer.
func (s *Sorter) release() {
	s.budget.Grow(-s.held)
	s.held = 0
	s.buf, s.recs = nil, nil
}

// Close releases the sorter's buffer and removes its runs.
func (s *Sorter) Close() {
	s.release()
	for _, r := range s.runs {
		os.Remove(r.path)
	}
	s.runs = nil
}

// Absorb moves o's records into s, after s's own (o is left empty): its runs as they are,
// their keys rewritten by s.Shift(key, shift) when read, and its buffer added to s's
// through add, which may rewrite a record before it is added.
func (s *Sorter) Absorb(o *Sorter, shift int64, add func(key, payload []byte) error) error {
	if err := s.Flush(); err != nil { // s's records sort before o's of equal key
		return err
	}
	for _, r := range o.runs {
		s.runs = append(s.runs, &run{path: r.path, size: r.size, shift: r.shift + shift})
	}
	s.count += o.count - int64(len(o.recs))
	o.runs = nil
	for _, r := range o.recs {
		rec := o.buf[r.at : r.at+int64(r.len)]
		if err := add(rec[:r.keyLen], rec[r.keyLen:]); err != nil {
			return err
		}
	}
	o.release()
	o.count = 0
	return nil
}

// Iter reads a sorter's records in key order.
type Iter struct {
	s      *Sorter
	h      mergeHeap
	files  []*os.File
	mem    int // next buffered record; -1 when the buffer is not part of the merge
	key    []byte
	pay    []byte
	last   []byte // the previous key, for unique
	primed bool
	err    error
}

// Sort returns an iterator over every record added, in key order (stable: of equal keys,
// the first added first). The sorter may be sorted again, and added to after the
// iterator is closed.
func (s *Sorter) Sort() (*Iter, error) {
	it := &Iter{s: s, mem: -1}
	s.sortBuffer()
	if len(s.runs) == 0 {
		it.mem = 0
		return it, nil
	}
	if err := s.compact(); err != nil {
		return nil, err
	}
	for i, r := range s.runs {
		f, err := os.Open(r.path)
		if err != nil {
			it.Close()
			return nil, fmt.Errorf("spill: %w", err)
		}
		it.files = append(it.files, f)
		src := &source{r: bufio.NewReaderSize(f, 32<<10), order: i, shift: r.shift, fix: s.Shift}
		if err := src.next(); err != nil {
			it.Close()
			return nil, err
		}
		if !src.done {
			it.h = append(it.h, src)
		}
	}
	if len(s.recs) > 0 {
		src := &source{mem: s, order: len(s.runs)}
		src.next()
		it.h = append(it.h, src)
	}
	heap.Init(&it.h)
	return it, nil
}

// Each calls fn with every record in key order (see Sort), until fn returns an error,
// which Each returns; so does an error reading the runs.
func (s *Sorter) Each(fn func(key, payload []byte) error) error {
	it, err := s.Sort()
	if err != nil {
		return err
	}
	defer it.Close()
	for it.Next() {
		if err := fn(it.Record()); err != nil {
			return err
		}
	}
	return it.Err()
}

// maxFanIn bounds the runs merged at once (each holds a read buffer).
const maxFanIn = 64

// compact merges runs until at most maxFanIn remain: each pass merges consecutive groups
// of maxFanIn runs into one in their place (so that records of equal keys keep their
// order), which reads and writes every record once per pass.
func (s *Sorter) compact() error {
	for len(s.runs) > maxFanIn {
		var next []*run
		for i := 0; i < len(s.runs); i += maxFanIn {
			group := s.runs[i:min(i+maxFanIn, len(s.runs))]
			if len(group) == 1 {
				next = append(next, group[0])
				continue
			}
			merged, err := s.mergeRuns(group)
			if err != nil {
				return err
			}
			next = append(next, merged)
		}
		s.runs = next
	}
	return nil
}

// mergeRuns merges runs into one new run and removes them.
func (s *Sorter) mergeRuns(runs []*run) (*run, error) {
	part := &Sorter{budget: s.budget, limit: s.limit, unique: s.unique, Shift: s.Shift, runs: runs}
	it, err := part.Sort()
	if err != nil {
		return nil, err
	}
	f, err := s.budget.create()
	if err != nil {
		it.Close()
		return nil, err
	}
	w := runWriter{w: bufio.NewWriterSize(f, 64<<10)}
	for it.Next() {
		w.write(it.Record())
	}
	size := w.size
	err = cmpErr(it.Err(), w.w.Flush(), f.Close())
	it.Close()
	if err != nil {
		os.Remove(f.Name())
		return nil, fmt.Errorf("spill: %w", err)
	}
	for _, r := range runs {
		os.Remove(r.path)
	}
	s.budget.spilled.Add(size)
	return &run{path: f.Name(), size: size}, nil // its keys are shifted already
}

// runWriter writes the records of a run: key length, payload length (uvarints), key,
// payload.
type runWriter struct {
	w    *bufio.Writer
	hdr  [2 * binary.MaxVarintLen64]byte
	size int64
}

func (rw *runWriter) write(key, payload []byte) {
	n := binary.PutUvarint(rw.hdr[:], uint64(len(key)))
	n += binary.PutUvarint(rw.hdr[n:], uint64(len(payload)))
	rw.w.Write(rw.hdr[:n])
	rw.w.Write(key)
	rw.w.Write(payload)
	rw.size += int64(n + len(key) + len(payload))
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Next advances to the next record; false at the end or on an error (see Err).
func (it *Iter) Next() bool {
	for {
		if !it.step() {
			return false
		}
		if !it.s.unique {
			return true
		}
		if it.primed && bytes.Equal(it.key, it.last) {
			continue
		}
		it.primed = true
		it.last = append(it.last[:0], it.key...)
		return true
	}
}

func (it *Iter) step() bool {
	if it.err != nil {
		return false
	}
	if it.mem >= 0 {
		s := it.s
		if it.mem == len(s.recs) {
			return false
		}
		r := s.recs[it.mem]
		it.mem++
		it.key, it.pay = s.buf[r.at:r.at+int64(r.keyLen)], s.buf[r.at+int64(r.keyLen):r.at+int64(r.len)]
		return true
	}
	if len(it.h) == 0 {
		return false
	}
	src := it.h[0]
	it.key = append(it.key[:0], src.key...)
	it.pay = append(it.pay[:0], src.pay...)
	if err := src.next(); err != nil {
		it.err = err
		return false
	}
	if src.done {
		heap.Pop(&it.h)
	} else {
		heap.Fix(&it.h, 0)
	}
	return true
}

// Record is the current record's key and payload, valid until Next is called again.
func (it *Iter) Record() (key, payload []byte) { return it.key, it.pay }

// Err is the error that ended the iteration, if any.
func (it *Iter) Err() error { return it.err }

// Close closes the runs' files.
func (it *Iter) Close() {
	for _, f := range it.files {
		f.Close()
	}
	it.files = nil
}

// source is one run, or the sorter's buffer, in a merge.
type source struct {
	r        *bufio.Reader
	mem      *Sorter
	memAt    int
	order    int
	shift    int64
	fix      func(key []byte, by int64)
	key, pay []byte
	raw      []byte
	done     bool
}

func (src *source) next() error {
	if src.mem != nil {
		if src.memAt == len(src.mem.recs) {
			src.done = true
			return nil
		}
		s, r := src.mem, src.mem.recs[src.memAt]
		src.memAt++
		src.key, src.pay = s.buf[r.at:r.at+int64(r.keyLen)], s.buf[r.at+int64(r.keyLen):r.at+int64(r.len)]
		return nil
	}
	kl, err := binary.ReadUvarint(src.r)
	if err == io.EOF {
		src.done = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("spill: reading a run: %w", err)
	}
	pl, err := binary.ReadUvarint(src.r)
	if err != nil {
		return fmt.Errorf("spill: reading a run: %w", noEOF(err))
	}
	n := int(kl + pl)
	if cap(src.raw) < n {
		src.raw = make([]byte, n)
	}
	src.raw = src.raw[:n]
	if _, err := io.ReadFull(src.r, src.raw); err != nil {
		return fmt.Errorf("spill: reading a run: %w", noEOF(err))
	}
	src.key, src.pay = src.raw[:kl:kl], src.raw[kl:]
	if src.shift != 0 && src.fix != nil {
		src.fix(src.key, src.shift)
	}
	return nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

type mergeHeap []*source

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key, h[j].key); c != 0 {
		return c < 0
	}
	return h[i].order < h[j].order
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(*source)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
