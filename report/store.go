package report

import (
	"encoding/binary"
	"errors"
	"strings"
	"time"
	"unsafe"

	"github.com/grantsweep/grantsweep/report/spill"
)

// How a summary holds its in-scope events within a memory budget.
//
// Events are kept in memory as entries over a string table of their own, and a copy whose
// id was already seen is counted and dropped as it comes (dropped). When the budget is
// over, the entries are written as records with their strings inline to a sorter (ext),
// sorted by their de-duplication key, and the memory and its string table are let go:
// strings are interned per run, not for the whole sweep. The view is then computed from
// the sorted runs (computeExt) and gives what the in-memory computation gives, byte for
// byte.

// Costs counted in the budget besides the bytes of strings: an entry, a string table
// entry (the string, its index and a map slot), an id seen.
const (
	entryCost  = int64(unsafe.Sizeof(entry{}))
	stringCost = 64
	seenCost   = 48
)

// SetBudget makes the summary hold its in-scope events within b (shared with the other
// summaries of the run), spilling them to sorted runs beyond it. nil: memory only.
func (s *Summary) SetBudget(b *spill.Budget) { s.budget = b }

// Budget is the budget set with SetBudget; nil when none.
func (s *Summary) Budget() *spill.Budget { return s.budget }

func (s *Summary) grow(n int64) {
	s.held += n
	if s.budget != nil {
		s.budget.Grow(n)
	}
}

// addEvent keeps one in-scope event, or counts it as a copy: a copy of an event in
// memory keeps the earlier of the two (by input, offset and position).
func (s *Summary) addEvent(e entry) {
	s.dropView()
	if s.Dedupe && e.id.kind != idNone {
		if old, ok := s.seen[e.id]; ok {
			s.dropped++
			if e.order(old) < 0 {
				*old = e
			}
			return
		}
		if s.seen == nil {
			s.seen = map[eventID]*entry{}
		}
		s.seen[e.id] = s.events.add(e)
		s.grow(seenCost + entryCost)
		s.maybeSpill()
		return
	}
	s.events.add(e)
	s.grow(entryCost)
	s.maybeSpill()
}

// maybeSpill spills the events in memory when the budget is over and they are a fair
// part of it.
func (s *Summary) maybeSpill() {
	if b := s.budget; b != nil && s.spillErr == nil && b.Over() && s.held >= min(1<<20, b.Limit()/16) {
		if err := s.spill(); err != nil {
			s.fail(err)
		}
	}
}

// fail keeps the first error that spilling or reading spilled events met: the summary
// cannot be shown (Write returns it), and nothing more is spilled.
func (s *Summary) fail(err error) {
	if s.spillErr == nil {
		s.spillErr = err
	}
}

// spill moves every event in memory to the sorter and lets the memory go.
func (s *Summary) spill() error {
	if s.events.n == 0 {
		return nil
	}
	s.makeExt()
	var key, pay []byte
	for e := range s.events.all() {
		key, pay = s.encode(key[:0], pay[:0], e)
		if err := s.ext.Add(key, pay); err != nil {
			return err
		}
	}
	err := s.ext.Flush()
	s.events = eventList{}
	s.seen = nil
	s.strs, s.strIndex = []string{""}, map[string]uint32{"": 0}
	s.grow(-s.held)
	return err
}

// makeExt makes the sorter of spilled events, if there is none.
func (s *Summary) makeExt() {
	if s.ext == nil {
		s.ext = s.newSorter(false)
		s.ext.Shift = shiftInput
	}
}

// newSorter returns a sorter of the summary's budget (one without limit when it has none)
// that buffers an eighth of it.
func (s *Summary) newSorter(unique bool) *spill.Sorter { return s.sorterOf(unique, 8) }

// sorterOf returns a sorter of the summary's budget that buffers a part of it.
func (s *Summary) sorterOf(unique bool, part int64) *spill.Sorter {
	b := s.budget
	if b == nil {
		b = spill.NewBudget(1<<62, "")
	}
	return spill.NewSorter(b, max(b.Limit()/part, 256<<10), unique)
}

// Spilled reports whether the summary holds events on disk.
func (s *Summary) Spilled() bool { return s.ext != nil && s.ext.Spilled() }

// Close lets go of the summary's events, in memory and spilled (the budget's Close
// removes those too); the summary cannot be shown after.
func (s *Summary) Close() {
	if s.ext != nil {
		s.ext.Close()
		s.ext = nil
	}
	s.dropView()
	s.events, s.seen = eventList{}, nil
	s.strs, s.strIndex = []string{""}, map[string]uint32{"": 0}
	s.grow(-s.held)
	s.releaseChanges()
}

// dropView lets go of the view computed last (the summary changed), and of what it
// spilled.
func (s *Summary) dropView() {
	if s.cached != nil && s.cached.ext != nil {
		s.cached.ext.close()
	}
	s.cached = nil
}

// The record of a spilled event: its key sorts by its id (which de-duplication compares
// unless it is off), then by input,
// offset and position (seq), which is the order of the in-memory computation; the
// input is the key's 20th to 17th bytes from its end, where Sorter.Shift moves it.
//
//	key:     id (0 | 1 UUID | 2 escaped string), input uint32, offset uint64, seq uint64
//	payload: sec int64, nsec int32, rule uint16, tpCode int32, the dimensions (uvarint length, bytes)
const keyTail = 20

func (s *Summary) encode(key, pay []byte, e *entry) ([]byte, []byte) {
	switch {
	case e.id.kind == idNone:
		key = append(key, idNone)
	case e.id.kind == idUUID:
		key = append(key, idUUID)
		key = append(key, e.id.b[:]...)
	default:
		key = append(key, idString)
		key = appendSortable(key, s.strs[getIndex(&e.id.b)])
	}
	key = binary.BigEndian.AppendUint32(key, uint32(e.input))
	key = binary.BigEndian.AppendUint64(key, uint64(e.offset))
	key = binary.BigEndian.AppendUint64(key, uint64(e.seq))
	pay = binary.BigEndian.AppendUint64(pay, uint64(e.sec))
	pay = binary.BigEndian.AppendUint32(pay, uint32(e.nsec))
	pay = binary.BigEndian.AppendUint16(pay, uint16(e.rule))
	pay = binary.BigEndian.AppendUint32(pay, uint32(e.tpCode))
	for _, d := range e.dims {
		v := s.strs[d]
		pay = binary.AppendUvarint(pay, uint64(len(v)))
		pay = append(pay, v...)
	}
	return key, pay
}

// shiftInput adds by to the input of a record key (Sorter.Shift).
func shiftInput(key []byte, by int64) {
	at := key[len(key)-keyTail:]
	binary.BigEndian.PutUint32(at, binary.BigEndian.Uint32(at)+uint32(by))
}

// xevent is a spilled event read back, its strings inline.
type xevent struct {
	kept
	sec          int64
	nsec         int32
	rule         int
	input        int32
	offset, seq  int64
	idKind       uint8
	uuid         [16]byte
	id           string // an id that is not a UUID
	idPart       []byte // the key's id part, which de-duplication compares
	key, payload []byte // the record, as read
}

// decode reads a record back; the strings are copies.
func decodeRecord(key, pay []byte, x *xevent) error {
	if len(key) < keyTail+1 || len(pay) < 18 {
		return errors.New("report: a spilled record is too short")
	}
	x.key, x.payload = key, pay
	x.idPart = key[:len(key)-keyTail]
	tail := key[len(key)-keyTail:]
	x.input = int32(binary.BigEndian.Uint32(tail))
	x.offset = int64(binary.BigEndian.Uint64(tail[4:]))
	x.seq = int64(binary.BigEndian.Uint64(tail[12:]))
	x.idKind, x.id = x.idPart[0], ""
	switch x.idKind {
	case idUUID:
		copy(x.uuid[:], x.idPart[1:])
	case idString:
		v, _ := unsortable(x.idPart[1:])
		x.id = string(v)
	}
	x.sec = int64(binary.BigEndian.Uint64(pay))
	x.nsec = int32(binary.BigEndian.Uint32(pay[8:]))
	x.rule = int(binary.BigEndian.Uint16(pay[12:]))
	x.TokenProtectionCode = int(int32(binary.BigEndian.Uint32(pay[14:])))
	p := pay[18:]
	var dims [nDims]string
	for i := range dims {
		n, w := binary.Uvarint(p)
		if w <= 0 || uint64(len(p)-w) < n {
			return errors.New("report: a spilled record is cut short")
		}
		dims[i] = string(p[w : w+int(n)])
		p = p[w+int(n):]
	}
	x.Time = time.Time{}
	if x.nsec >= 0 {
		x.Time = time.Unix(x.sec, int64(x.nsec)).UTC()
	}
	x.User, x.UserID, x.App, x.AppID, x.IP, x.Country, x.ClientApp = dims[dimUser], dims[dimUserID], dims[dimApp], dims[dimAppID], dims[dimIP], dims[dimCountry], dims[dimClientApp]
	x.SignInType, x.OS, x.Browser, x.TokenProtection = dims[dimSignInType], dims[dimOS], dims[dimBrowser], dims[dimTokenProtection]
	x.DeviceID, x.DeviceName, x.CAPolicies = dims[dimDeviceID], dims[dimDeviceName], dims[dimCAPolicies]
	return nil
}

// idString is the event's id as it was read.
func (x *xevent) idString() string {
	if x.idKind == idUUID {
		return formatUUID(&x.uuid)
	}
	return x.id
}

// dims are the event's dimensions in entry order.
func (k *kept) dims() [nDims]string {
	return [nDims]string{k.User, k.UserID, k.App, k.AppID, k.IP, k.Country, k.ClientApp, k.SignInType, k.OS, k.Browser, k.TokenProtection,
		k.DeviceID, k.DeviceName, k.CAPolicies}
}

// appendSortable appends v so that the bytes of escaped strings sort as the strings do,
// and a string is never a prefix of another's escaping: 0x00 is written 0x00 0xFF, and
// the end 0x00 0x01.
func appendSortable(b []byte, v string) []byte {
	for {
		i := strings.IndexByte(v, 0)
		if i < 0 {
			break
		}
		b = append(b, v[:i]...)
		b = append(b, 0, 0xFF)
		v = v[i+1:]
	}
	b = append(b, v...)
	return append(b, 0, 1)
}

// unescape reads one string written by appendSortable, and returns the bytes after it.
func unsortable(b []byte) (v []byte, rest []byte) {
	for i := 0; i+1 < len(b); i++ {
		if b[i] != 0 {
			v = append(v, b[i])
			continue
		}
		if b[i+1] == 1 {
			return v, b[i+2:]
		}
		v = append(v, 0)
		i++
	}
	return v, nil
}
