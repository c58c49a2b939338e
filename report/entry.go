package report

import (
	"cmp"
	"encoding/hex"
	"errors"
	"iter"
	"strings"
	"time"

	"github.com/grantsweep/grantsweep/parse"
)

// entry is one in-scope event as the summary keeps it, in 112 bytes: its dimensions are
// indexes in the summary's string table (users, apps and addresses repeat across events)
// and its id is 16 bytes when it is a UUID as Entra writes them. A sweep of 5 GB of logs
// with 3% in scope keeps 100,000 of them: 10 MB.
type entry struct {
	sec    int64 // time, Unix seconds
	nsec   int32 // its nanoseconds; -1: the event has no time
	rule   int32
	input  int32 // index in Inputs, for ordering and drill-down
	tpCode int32 // TokenProtectionCode
	offset int64 // in its input
	seq    int64 // its position among records of the same offset: its line, or its index in a partial
	id     eventID
	dims   [nDims]uint32 // indexes in Summary.strs
}

// The dimensions an entry keeps, in the order of entry.dims.
const (
	dimUser = iota
	dimUserID
	dimApp
	dimAppID
	dimIP
	dimCountry
	dimClientApp
	dimSignInType
	dimOS
	dimBrowser
	dimTokenProtection
	dimDeviceID // what a directory change joins on (see rules.Failure)
	dimDeviceName
	dimCAPolicies
	nDims
)

// eventID is an event's id: a UUID's 16 bytes, another id's index in the string table,
// or none. Equal ids of one summary are equal eventIDs, so it is a de-duplication key.
type eventID struct {
	kind uint8 // idNone, idUUID or idString
	b    [16]byte
}

const (
	idNone = iota
	idUUID
	idString
)

// kept is an entry with its dimensions looked up, as the view reads it.
type kept struct {
	Time                                             time.Time
	User, UserID, App, AppID, IP, Country, ClientApp string
	SignInType, OS, Browser, TokenProtection         string
	DeviceID, DeviceName, CAPolicies                 string
	TokenProtectionCode                              int
}

// intern returns v's index in the string table, adding it.
func (s *Summary) intern(v string) uint32 {
	if v == "" {
		return 0
	}
	if i, ok := s.strIndex[v]; ok {
		return i
	}
	v = strings.Clone(v) // do not keep the decoder's larger buffers alive
	i := uint32(len(s.strs))
	s.strs = append(s.strs, v)
	s.strIndex[v] = i
	s.grow(int64(len(v)) + stringCost)
	return i
}

// pack makes the entry of an in-scope event; dims are in dimension order.
func (s *Summary) pack(t time.Time, id string, dims *[nDims]string, tpCode, rule, input int, offset, seq int64) entry {
	e := entry{nsec: -1, rule: int32(rule), input: int32(input), tpCode: int32(tpCode), offset: offset, seq: seq, id: s.eventID(id)}
	if !t.IsZero() {
		e.sec, e.nsec = t.Unix(), int32(t.Nanosecond())
	}
	for i, v := range dims {
		e.dims[i] = s.intern(v)
	}
	return e
}

// packEvent makes the entry of a classified, in-scope event of the input being read.
func (s *Summary) packEvent(ev *parse.Event, rule int) entry {
	dims := [nDims]string{ev.User, ev.UserID, ev.App, ev.AppID, ev.IP, ev.Country, ev.ClientApp,
		ev.SignInType, ev.OS, ev.Browser, ev.TokenProtection, ev.DeviceID, ev.DeviceName, ev.CAPolicies}
	seq := int64(ev.Pos.Line)
	if in := len(s.Inputs); s.lastInput == in && s.lastOffset == ev.Pos.Offset && seq <= s.lastSeq {
		// Two events at one position (decoders give none: an API caller may): the later
		// goes after, so that every path orders them alike.
		seq = s.lastSeq + 1
	}
	s.lastInput, s.lastOffset, s.lastSeq = len(s.Inputs), ev.Pos.Offset, seq
	return s.pack(ev.Time, ev.ID, &dims, ev.TokenProtectionCode, rule, len(s.Inputs), ev.Pos.Offset, seq)
}

func (s *Summary) eventID(id string) eventID {
	if id == "" {
		return eventID{}
	}
	if u, ok := parseUUID(id); ok {
		return eventID{kind: idUUID, b: u}
	}
	var e eventID
	e.kind = idString
	putIndex(&e.b, s.intern(id))
	return e
}

func putIndex(b *[16]byte, i uint32) {
	b[0], b[1], b[2], b[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
}

func getIndex(b *[16]byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// idString is the id as it was read.
func (s *Summary) idString(e *entry) string {
	switch e.id.kind {
	case idUUID:
		return formatUUID(&e.id.b)
	case idString:
		return s.strs[getIndex(&e.id.b)]
	}
	return ""
}

// time is the entry's time; zero when it has none.
func (e *entry) time() time.Time {
	if e.nsec < 0 {
		return time.Time{}
	}
	return time.Unix(e.sec, int64(e.nsec)).UTC()
}

// order compares e and o by input, offset and position: the order of de-duplication.
func (e *entry) order(o *entry) int {
	return cmp.Or(cmp.Compare(e.input, o.input), cmp.Compare(e.offset, o.offset), cmp.Compare(e.seq, o.seq))
}

// before reports whether e's time is before o's; both have one.
func (e *entry) before(o *entry) bool {
	return e.sec < o.sec || e.sec == o.sec && e.nsec < o.nsec
}

// userKey is the user an event counts for (the UPN, or the id when there is none), as
// an index in the string table; appKey the same for the app.
func (e *entry) userKey() uint32 { return cmp.Or(e.dims[dimUser], e.dims[dimUserID]) }

func (e *entry) appKey() uint32 { return cmp.Or(e.dims[dimApp], e.dims[dimAppID]) }

// unpack looks an entry's dimensions up.
func (s *Summary) unpack(e *entry) kept {
	d := &e.dims
	return kept{Time: e.time(), User: s.strs[d[dimUser]], UserID: s.strs[d[dimUserID]], App: s.strs[d[dimApp]],
		AppID: s.strs[d[dimAppID]], IP: s.strs[d[dimIP]], Country: s.strs[d[dimCountry]],
		ClientApp: s.strs[d[dimClientApp]], SignInType: s.strs[d[dimSignInType]], OS: s.strs[d[dimOS]],
		Browser: s.strs[d[dimBrowser]], TokenProtection: s.strs[d[dimTokenProtection]], TokenProtectionCode: int(e.tpCode),
		DeviceID: s.strs[d[dimDeviceID]], DeviceName: s.strs[d[dimDeviceName]], CAPolicies: s.strs[d[dimCAPolicies]]}
}

// mergeEvents moves o's events to s, their strings moved to s's table and their inputs
// moved by shift (o's inputs follow s's). o's events are taken, not copied: o is left
// without them, its spilled runs and copies dropped included.
func (s *Summary) mergeEvents(o *Summary, shift int) {
	s.dropView()
	o.dropView()
	s.dropped += o.dropped
	o.dropped = 0
	if o.ext != nil {
		s.makeExt()
		var k []byte
		err := s.ext.Absorb(o.ext, int64(shift), func(key, payload []byte) error {
			k = append(k[:0], key...)
			shiftInput(k, int64(shift))
			return s.ext.Add(k, payload)
		})
		if err := errors.Join(o.spillErr, err); err != nil {
			s.fail(err)
		}
		o.ext = nil
	}
	input := func(i int) int { return i + shift }
	remap := make([]uint32, len(o.strs))
	for i, v := range o.strs {
		remap[i] = s.intern(v)
	}
	for e := range o.events.all() {
		e.input = int32(input(int(e.input)))
		for i, v := range e.dims {
			e.dims[i] = remap[v]
		}
		if e.id.kind == idString {
			putIndex(&e.id.b, remap[getIndex(&e.id.b)])
		}
	}
	for _, c := range o.events.chunks {
		if len(c) == eventChunk { // a full chunk moves as it is
			s.events.chunks = append(s.events.chunks, c)
			s.events.n += len(c)
			continue
		}
		for i := range c { // a part-filled one is copied: a chunk per input would stay
			s.events.add(c[i])
		}
	}
	s.grow(int64(o.events.n) * entryCost)
	o.events, o.seen = eventList{}, nil
	o.grow(-o.held)
	s.maybeSpill()
}

// eventList holds a summary's entries in chunks, so that growing never copies them (nor
// holds the old and the new copy at once) and merging moves whole chunks.
type eventList struct {
	chunks [][]entry
	n      int
}

const eventChunk = 1024 // entries in a full chunk: about 100 KB

// add adds e and returns where it is kept: entries never move. The first chunks are
// small (an input of a few events takes a few hundred bytes), then eventChunk each.
func (l *eventList) add(e entry) *entry {
	if k := len(l.chunks); k == 0 || len(l.chunks[k-1]) == cap(l.chunks[k-1]) {
		size := eventChunk
		if k < 8 && (k == 0 || cap(l.chunks[k-1]) < eventChunk) {
			size = min(eventChunk, 8<<k) // 8, 16, ... 1024
		}
		l.chunks = append(l.chunks, make([]entry, 0, size))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, e)
	l.n++
	return &(*last)[len(*last)-1]
}

// all yields every entry in the order they were added.
func (l *eventList) all() iter.Seq[*entry] {
	return func(yield func(*entry) bool) {
		for _, c := range l.chunks {
			for i := range c {
				if !yield(&c[i]) {
					return
				}
			}
		}
	}
}

// parseUUID reads a UUID written as Entra writes them, lower-case hex in 8-4-4-4-12
// groups; any other spelling is not one, so that the id is given back as it was read.
func parseUUID(v string) (u [16]byte, ok bool) {
	if len(v) != 36 || v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; i += 2 { // every group has an even number of digits
		if v[i] == '-' {
			i-- // the next pair starts after the dash
			continue
		}
		hi, lo := unhex(v[i]), unhex(v[i+1])
		if hi < 0 || lo < 0 {
			return u, false
		}
		u[j] = byte(hi<<4 | lo)
		j++
	}
	return u, true
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	}
	return -1
}

func formatUUID(u *[16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}
