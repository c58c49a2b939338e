package parse

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"reflect"
	"strings"
)

// walkRecord is the one judge of whether a record's bytes are JSON, for the prefilter and
// the full decoder alike, so that a malformed record is skipped on every path. It checks
// raw against RFC 8259 (as strictly as the decoder's JSON library: no trailing commas, no
// leading zeros, no raw control characters in strings, nothing after the value), and,
// when rec is not nil, reads into rec the members that decide a record's code, time,
// wording and kind (lightMember), at the top level and in "properties", exactly as the
// decoder would read them.
//
// It returns sure false when the record is valid but read in a way only the decoder can
// settle: a member name escaped or not ASCII (the decoder folds Unicode), one of those
// members given twice (the decoder merges or keeps the last), a dynamic member given as
// JSON text that must itself be decoded, or "properties" that is not an object. The
// prefilter then hands the record to the decoder; nothing it counts is decided
// differently from the decoder.
//
// It is walkRecordSlow written as one loop over the bytes, since it is asked of every
// record: a stack of bits for the containers instead of recursion, a table for the class
// of a byte, strings skipped sixteen bytes at a time (stringStops), and names looked up
// (walkNames) only in the objects that are read. FuzzWalkTwins holds it to the same
// answers as its slow twin: sure, an error or none, and every member read.
func walkRecord(raw []byte, rec *jsonRecord) (sure bool, err error) {
	b := raw
	i := 0
	for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
		i++
	}
	if i == len(b) || b[i] != '{' {
		return false, walkError(i, "a record is an object")
	}
	var (
		depth  = 1                        // of the innermost open container; the record is 1
		arrays [maxDepth/64 + 1]uint64    // bit d: the container at depth d is an array
		lvs    [readDepth + 1]level       // level of the object at depth d (levelOther for an array)
		recs   [readDepth + 1]*jsonRecord // where the members of that object go
		seen   [readDepth + 1]uint32      // members of that object read so far
		pend   [readDepth + 2]lightMember // member whose value is the container at depth d
		pendAt [readDepth + 2]int         // and where that value starts
		lv     = levelTop                 // lvs[depth], or levelOther deeper
		r      = rec                      // recs[depth]
		m      lightMember                // member whose value is being walked
		start  int                        // where its value (or a name) starts
		plain  bool                       // the name just walked is printable ASCII without escapes
		n      int
		c      byte
	)
	if rec == nil {
		lv = levelOther
	}
	lvs[1], recs[1] = lv, rec
	sure = true
	i++

object: // just past '{'
	for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
		i++
	}
	if i < len(b) && b[i] == '}' {
		goto closed
	}

name: // at a member name
	if i == len(b) || b[i] != '"' {
		return false, walkError(i, "expected a member name")
	}
	start = i
	i++
	plain = true
nameBytes:
	// Sixteen bytes at a time, the first stop found without a branch: most names end
	// within the first sixteen, where a branch on which eight would be a guess.
	for i+16 <= len(b) {
		x, y := binary.LittleEndian.Uint64(b[i:i+8]), binary.LittleEndian.Uint64(b[i+8:i+16])
		p := bits.TrailingZeros64(nameStops(x)) >> 3 // 8: none
		p += bits.TrailingZeros64(nameStops(y)) >> 3 & -(p >> 3)
		if p < 16 {
			i += p
			goto nameStop
		}
		i += 16
	}
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i : i+8])
		if s := nameStops(x); s != 0 {
			i += bits.TrailingZeros64(s) >> 3
			goto nameStop
		}
		i += 8
	}
	for i < len(b) && walkPlain[b[i]] {
		i++
	}
	if i == len(b) {
		return false, walkError(i, "string not closed")
	}
nameStop:
	switch c = b[i]; {
	case c == '"':
		i++
	case c == '\\':
		plain = false
		if n = escapeLen(b, i); n == 0 {
			return false, walkError(i, "invalid escape")
		}
		i += n
		goto nameBytes
	case c < 0x20:
		return false, walkError(i, "control character in a string")
	default: // not ASCII
		plain = false
		i++
		goto nameBytes
	}
	m = memberNone
	if lv != levelOther {
		if !plain {
			sure = false // escaped or not ASCII: the decoder folds it
		} else if n = i - start - 2; n >= 2 {
			// The slot of walkNames tells at once whether the name can be one that is
			// read (its length among them) and which.
			t := 0
			if lv == levelStatus {
				t = 1
			}
			if e := &walkNames[t][nameSlot(n, b[start+1], b[start+2])]; e.shared {
				if n < 32 && memberLengths&(1<<n) != 0 {
					m = foldedMember(b[start+1:i-1], lv)
				}
			} else if len(e.name) == n && e.foldEqual(b[start+1:i-1]) {
				m = e.m
			}
			if m != memberNone && m != memberDynamic { // several names: not read, duplicates harmless
				if seen[depth]&(1<<m) != 0 {
					sure = false
				}
				seen[depth] |= 1 << m
			}
		}
	}
	for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
		i++
	}
	if i == len(b) || b[i] != ':' {
		return false, walkError(i, "expected ':' after a member name")
	}
	i++
	for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
		i++
	}
	switch m {
	case memberProperties:
		m = memberNone
		if i < len(b) && b[i] == '{' && lv == levelTop {
			if r.Properties == nil {
				r.Properties = &jsonRecord{}
			}
			depth++
			arrays[0] &^= 1 << depth
			pend[depth] = memberNone
			lv, r = levelProps, r.Properties
			lvs[depth], recs[depth], seen[depth] = lv, r, 0
			i++
			goto object
		}
		if i+4 > len(b) || string(b[i:i+4]) != "null" {
			sure = false // not an object (or properties within properties): the decoder says
		}
	case memberStatus:
		if i < len(b) && b[i] == '{' {
			m = memberNone
			r.Status.OK = true
			depth++
			arrays[0] &^= 1 << depth
			pend[depth] = memberNone
			lv = levelStatus // its members go to r.Status.V
			lvs[depth], recs[depth], seen[depth] = lv, r, 0
			i++
			goto object
		}
		// A status given as JSON text: read as a dynamic member is (dynamicText).
	}

value: // at a value
	if i == len(b) {
		return false, walkError(i, "expected a value")
	}
	start = i
	switch walkClass[b[i]] {
	case classString:
		i++
	valueBytes:
		for i+16 <= len(b) {
			x, y := binary.LittleEndian.Uint64(b[i:i+8]), binary.LittleEndian.Uint64(b[i+8:i+16])
			p := bits.TrailingZeros64(stringStops(x)) >> 3 // 8: none
			p += bits.TrailingZeros64(stringStops(y)) >> 3 & -(p >> 3)
			if p < 16 {
				i += p
				goto valueStop
			}
			i += 16
		}
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i : i+8])
			if s := stringStops(x); s != 0 {
				i += bits.TrailingZeros64(s) >> 3
				goto valueStop
			}
			i += 8
		}
		for i < len(b) && walkInString[b[i]] {
			i++
		}
		if i == len(b) {
			return false, walkError(i, "string not closed")
		}
	valueStop:
		switch c = b[i]; {
		case c == '"':
			i++
		case c == '\\':
			if n = escapeLen(b, i); n == 0 {
				return false, walkError(i, "invalid escape")
			}
			i += n
			goto valueBytes
		default:
			return false, walkError(i, "control character in a string")
		}
	case classNumber:
		if b[i] == '-' {
			i++
		}
		if i < len(b) && b[i] == '0' {
			i++
		} else {
			n = i
			for i < len(b) && '0' <= b[i] && b[i] <= '9' {
				i++
			}
			if i == n {
				return false, walkError(i, "invalid number")
			}
		}
		if i < len(b) && b[i] == '.' {
			i++
			n = i
			for i < len(b) && '0' <= b[i] && b[i] <= '9' {
				i++
			}
			if i == n {
				return false, walkError(i, "invalid number")
			}
		}
		if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
			i++
			if i < len(b) && (b[i] == '+' || b[i] == '-') {
				i++
			}
			n = i
			for i < len(b) && '0' <= b[i] && b[i] <= '9' {
				i++
			}
			if i == n {
				return false, walkError(i, "invalid number")
			}
		}
	case classObject, classArray:
		if depth++; depth > maxDepth {
			return false, walkError(i, fmt.Sprintf("nesting deeper than %d", maxDepth))
		}
		if depth < len(pend) {
			pend[depth], pendAt[depth] = m, start
			if depth < len(lvs) {
				lvs[depth] = levelOther
			}
		}
		m, lv = memberNone, levelOther
		if b[i] == '{' {
			arrays[depth>>6] &^= 1 << (depth & 63)
			i++
			goto object
		}
		arrays[depth>>6] |= 1 << (depth & 63)
		i++
		for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
			i++
		}
		if i < len(b) && b[i] == ']' {
			goto closed
		}
		goto value
	case classTrue:
		if len(b)-i < 4 || string(b[i:i+4]) != "true" {
			return false, walkError(i, "invalid literal")
		}
		i += 4
	case classFalse:
		if len(b)-i < 5 || string(b[i:i+5]) != "false" {
			return false, walkError(i, "invalid literal")
		}
		i += 5
	case classNull:
		if len(b)-i < 4 || string(b[i:i+4]) != "null" {
			return false, walkError(i, "invalid literal")
		}
		i += 4
	default:
		return false, walkError(i, fmt.Sprintf("unexpected %q where a value belongs", b[i]))
	}

after: // just past a value within the container at depth
	if m != memberNone {
		if m == memberDynamic || m == memberStatus {
			if b[start] == '"' && !dynamicText(r, m, b[start:i]) {
				sure = false // JSON text within a string that only the decoder can settle
			}
		} else {
			setLight(r, m, b[start:i])
		}
		m = memberNone
	}
	for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
		i++
	}
	if i == len(b) {
		return false, walkError(i, "container not closed")
	}
	c = b[i]
	if arrays[depth>>6]>>(depth&63)&1 != 0 {
		switch c {
		case ',':
			i++
			for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
				i++
			}
			goto value
		case ']':
			goto closed
		}
		return false, walkError(i, fmt.Sprintf("unexpected %q after an array element", c))
	}
	switch c {
	case ',':
		i++
		for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
			i++
		}
		goto name
	case '}':
		goto closed
	}
	return false, walkError(i, fmt.Sprintf("unexpected %q after a member", c))

closed: // at the '}' or ']' that closes the container at depth
	i++
	if depth--; depth == 0 {
		for i < len(b) && b[i] <= ' ' && walkSpace[b[i]] {
			i++
		}
		if i != len(b) {
			return false, walkError(i, fmt.Sprintf("unexpected %q after the record", b[i]))
		}
		return sure, nil
	}
	if depth < len(lvs) {
		lv, r = lvs[depth], recs[depth]
		m, start = pend[depth+1], pendAt[depth+1]
	}
	goto after
}

// readDepth is the depth of the deepest object whose members walkRecord reads: a status
// within properties within the record.
const readDepth = 3

// walkNames holds the names walkRecord reads, in lower case, by nameSlot: [0] those of a
// record (recordMember), [1] those of a status object (statusMember). They are the
// members of jsonRecord and jsonStatus that those functions know, found at start-up, so
// that the names stay where they are, in recordMember and statusMember and the structs.
var walkNames [2][64]walkName

type walkName struct {
	name   string
	m      lightMember
	shared bool      // more than one name has the slot, or one that foldEqual cannot compare
	words  [4]uint64 // name, eight bytes to a word, in the order of the bytes
	last   uint64    // its last eight bytes, or four
}

// nameSlot is where a name of n bytes (two or more), the first two c0 and c1, would be
// in walkNames.
func nameSlot(n int, c0, c1 byte) int { return (n + int(c0|0x20)*2 + int(c1|0x20)) & 63 }

// foldEqual reports whether key, of four bytes or more and as long as e.name, is e.name
// with any letter in upper case. Setting the bit 0x20 of each byte folds the upper-case
// letters and nothing else that can equal the lower-case letters of e.name.
func (e *walkName) foldEqual(key []byte) bool {
	const fold = lo8 * 0x20
	n := len(key)
	if n < 8 {
		return binary.LittleEndian.Uint32(key)|0x20202020 == uint32(e.words[0]) &&
			uint64(binary.LittleEndian.Uint32(key[n-4:])|0x20202020) == e.last
	}
	for j := 0; j < (n-1)/8; j++ {
		if binary.LittleEndian.Uint64(key[8*j:])|fold != e.words[j] {
			return false
		}
	}
	return binary.LittleEndian.Uint64(key[n-8:])|fold == e.last
}

// foldedMember is the slow way of walkNames: fold the name, ask the level's switch.
func foldedMember(key []byte, lv level) lightMember {
	var name [32]byte
	for j, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		name[j] = c
	}
	if lv == levelStatus {
		return statusMember(string(name[:len(key)]))
	}
	return recordMember(string(name[:len(key)]))
}

func init() {
	for _, rt := range []reflect.Type{reflect.TypeFor[jsonRecord](), reflect.TypeFor[jsonStatus]()} {
		for f := range rt.Fields() {
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" {
				name = tag
			}
			name = strings.ToLower(name)
			for t, m := range [2]lightMember{recordMember(name), statusMember(name)} {
				if m == memberNone {
					continue
				}
				// A name read of fewer than two bytes would fail here, in every test:
				// walkRecord looks up only names of two bytes or more.
				e := &walkNames[t][nameSlot(len(name), name[0], name[1])]
				if e.name == name && e.m == m {
					continue // a name of both structs (additionalDetails): one entry
				}
				if e.name != "" || len(name) < 4 || len(name) > 8*len(e.words) || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz") != "" {
					e.shared = true
				}
				e.name, e.m = name, m
				var padded [8 * len(e.words)]byte
				copy(padded[:], name)
				for j := range e.words {
					e.words[j] = binary.LittleEndian.Uint64(padded[8*j:])
				}
				if len(name) >= 8 {
					e.last = binary.LittleEndian.Uint64([]byte(name[len(name)-8:]))
				} else if len(name) >= 4 {
					e.last = uint64(binary.LittleEndian.Uint32([]byte(name[len(name)-4:])))
				}
			}
		}
	}
}

func walkError(i int, what string) error {
	return fmt.Errorf("%w: %s at byte %d of the record", ErrSyntax, what, i)
}

const lo8 = 0x0101010101010101

// stringStops has the high bit set in the first byte of x (eight bytes of a string, in
// order) that is a quote, a backslash or a control character, and possibly in bytes after
// it: the borrows of the subtractions only follow a true stop.
//
// A byte's high bit is set by a subtraction that borrows from it: x-0x20 from a control
// character, q-1 from a quote (q = 0), s-1 from a backslash, and from nothing else not
// above 0x7F; the bytes above 0x7F (high bit of x) are no stops, and are cleared.
func stringStops(x uint64) uint64 {
	q := x ^ lo8*'"'
	s := x ^ lo8*'\\'
	return ((q - lo8) | (s - lo8) | (x - lo8*0x20)) &^ x & (lo8 * 0x80)
}

// nameStops is stringStops with the bytes above 0x7F as stops too.
func nameStops(x uint64) uint64 {
	q := x ^ lo8*'"'
	s := x ^ lo8*'\\'
	return ((q - lo8) | (s - lo8) | (x - lo8*0x20) | x) & (lo8 * 0x80)
}

// escapeLen is the length of the valid escape at b[i] ('\\'), 0 if it is not one.
func escapeLen(b []byte, i int) int {
	if i+1 == len(b) {
		return 0
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
			return 0
		}
		return 6
	}
	return 0
}

// The classes of the first byte of a value.
const (
	classNone uint8 = iota
	classString
	classObject
	classArray
	classNumber
	classTrue
	classFalse
	classNull
)

var (
	walkSpace    [256]bool  // JSON whitespace
	walkPlain    [256]bool  // printable ASCII but '"' and '\\': a name's bytes that need no look
	walkInString [256]bool  // those, and bytes not ASCII: a value's bytes that need no look
	walkClass    [256]uint8 // class of the first byte of a value
)

func init() {
	for _, c := range []byte(" \t\n\r") {
		walkSpace[c] = true
	}
	for c := 0x20; c < 0x100; c++ {
		walkInString[c] = c != '"' && c != '\\'
		walkPlain[c] = walkInString[c] && c < 0x80
	}
	walkClass['"'] = classString
	walkClass['{'] = classObject
	walkClass['['] = classArray
	walkClass['-'] = classNumber
	for c := '0'; c <= '9'; c++ {
		walkClass[c] = classNumber
	}
	walkClass['t'] = classTrue
	walkClass['f'] = classFalse
	walkClass['n'] = classNull
}
