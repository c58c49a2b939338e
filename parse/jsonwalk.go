package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// walkRecordSlow is walkRecord's slow twin: the same walk by recursive descent, one
// method per token, kept so that FuzzWalkTwins can compare the two on any bytes.
func walkRecordSlow(raw []byte, rec *jsonRecord) (sure bool, err error) {
	w := walker{b: raw, sure: true}
	w.space()
	if w.i == len(w.b) || w.b[w.i] != '{' {
		return false, w.errorf("a record is an object")
	}
	if err := w.object(levelTop, rec); err != nil {
		return false, err
	}
	w.space()
	if w.i != len(w.b) {
		return false, w.errorf("unexpected %q after the record", w.b[w.i])
	}
	return w.sure, nil
}

// validJSON checks raw as walkRecord does, reading nothing.
func validJSON(raw []byte) error {
	_, err := walkRecord(raw, nil)
	return err
}

// maxDepth bounds nesting, below the decoder library's own limit, so that the two never
// disagree on a deep record.
const maxDepth = 512

type walker struct {
	b     []byte
	i     int
	depth int
	sure  bool
}

type level int

const (
	levelTop    level = iota // the record
	levelProps               // its "properties" (Azure Monitor)
	levelStatus              // a status object
	levelOther               // anything else: checked, not read
)

// lightMember names the members walkRecord reads; memberNone is any other.
type lightMember int

const (
	memberNone lightMember = iota
	memberCreatedDateTime
	memberTime
	memberTimeGenerated
	memberResultType
	memberResultDescription
	memberCategory
	memberType
	memberUserPrincipalName
	memberAppID
	memberStatus
	memberProperties
	memberActivityDisplayName // marks a directory audit record (kind)
	memberErrorCode           // in a status object
	memberFailureReason
	memberAdditionalDetails
	memberDynamic // decoded from JSON text when given as a string: checked, not read
)

// recordMember says what walkRecord does with a member of a record (top level or
// properties), by its lower-case name: the names are jsonRecord's (a test checks them
// against its struct tags). A switch, not a map: it is asked of every member.
func recordMember(name string) lightMember {
	switch name {
	case "createddatetime":
		return memberCreatedDateTime
	case "time":
		return memberTime
	case "timegenerated":
		return memberTimeGenerated
	case "resulttype":
		return memberResultType
	case "resultdescription":
		return memberResultDescription
	case "category":
		return memberCategory
	case "type":
		return memberType
	case "userprincipalname":
		return memberUserPrincipalName
	case "appid":
		return memberAppID
	case "status":
		return memberStatus
	case "properties":
		return memberProperties
	case "activitydisplayname":
		return memberActivityDisplayName
	case "devicedetail", "location", "locationdetails", "tokenprotectionstatusdetails", "signineventtypes":
		return memberDynamic
	}
	return memberNone
}

// memberLengths has bit n set when a member of recordMember or statusMember has n
// letters: names of other lengths need no look.
const memberLengths = 1<<4 | 1<<5 | 1<<6 | 1<<8 | 1<<9 | 1<<10 | 1<<12 | 1<<13 | 1<<15 | 1<<16 | 1<<17 | 1<<19 | 1<<28

// statusMember is recordMember for the members of a status object.
func statusMember(name string) lightMember {
	switch name {
	case "errorcode":
		return memberErrorCode
	case "failurereason":
		return memberFailureReason
	case "additionaldetails":
		return memberAdditionalDetails
	}
	return memberNone
}

func (w *walker) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at byte %d of the record", ErrSyntax, fmt.Sprintf(format, args...), w.i)
}

func (w *walker) space() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// object checks the object at i ('{'), reading the members of lv into rec.
func (w *walker) object(lv level, rec *jsonRecord) error {
	if w.depth++; w.depth > maxDepth {
		return w.errorf("nesting deeper than %d", maxDepth)
	}
	err := w.members(lv, rec)
	w.depth--
	return err
}

func (w *walker) members(lv level, rec *jsonRecord) error {
	w.i++ // '{'
	w.space()
	if w.i < len(w.b) && w.b[w.i] == '}' {
		w.i++
		return nil
	}
	var seen uint32   // members of lv read so far: a second one is the decoder's to settle
	var name [32]byte // longer names are none of ours
	for {
		if w.i == len(w.b) || w.b[w.i] != '"' {
			return w.errorf("expected a member name")
		}
		start := w.i
		plain, err := w.str()
		if err != nil {
			return err
		}
		m := memberNone
		if lv != levelOther && rec != nil {
			key := w.b[start+1 : w.i-1]
			if !plain {
				w.sure = false // escaped or not ASCII: the decoder folds it
			} else if len(key) < 32 && memberLengths&(1<<len(key)) != 0 {
				for j, c := range key {
					if 'A' <= c && c <= 'Z' {
						c += 'a' - 'A'
					}
					name[j] = c
				}
				if lv == levelStatus {
					m = statusMember(string(name[:len(key)]))
				} else {
					m = recordMember(string(name[:len(key)]))
				}
				if m != memberNone && m != memberDynamic { // several names: not read, duplicates harmless
					if seen&(1<<m) != 0 {
						w.sure = false
					}
					seen |= 1 << m
				}
			}
		}
		w.space()
		if w.i == len(w.b) || w.b[w.i] != ':' {
			return w.errorf("expected ':' after a member name")
		}
		w.i++
		w.space()
		if err := w.member(lv, m, rec); err != nil {
			return err
		}
		if done, err := w.after('}', "object", "a member"); done || err != nil {
			return err
		}
	}
}

// after moves past what follows an element of a container (closed by close): a ','
// and blanks, or the closing byte (done).
func (w *walker) after(close byte, container, element string) (done bool, err error) {
	w.space()
	if w.i == len(w.b) {
		return false, w.errorf("%s not closed", container)
	}
	switch w.b[w.i] {
	case ',':
		w.i++
		w.space()
		return false, nil
	case close:
		w.i++
		return true, nil
	}
	return false, w.errorf("unexpected %q after %s", w.b[w.i], element)
}

// member checks the value at i of member m of an object of level lv, and reads it.
func (w *walker) member(lv level, m lightMember, rec *jsonRecord) error {
	start := w.i
	switch m {
	case memberNone:
		return w.value()
	case memberProperties:
		switch {
		case w.i < len(w.b) && w.b[w.i] == '{' && lv == levelTop:
			if rec.Properties == nil {
				rec.Properties = &jsonRecord{}
			}
			return w.object(levelProps, rec.Properties)
		case w.i+4 <= len(w.b) && string(w.b[w.i:w.i+4]) == "null":
		default:
			w.sure = false // not an object (or properties within properties): the decoder says
		}
		return w.value()
	case memberStatus:
		if w.i < len(w.b) && w.b[w.i] == '{' {
			rec.Status.OK = true
			return w.object(levelStatus, rec) // its members go to rec.Status.V
		}
		fallthrough
	case memberDynamic:
		if err := w.value(); err != nil {
			return err
		}
		if w.b[start] == '"' && !dynamicText(rec, m, w.b[start:w.i]) {
			w.sure = false // JSON text within a string that only the decoder can settle
		}
		return nil
	}
	if err := w.value(); err != nil {
		return err
	}
	setLight(rec, m, w.b[start:w.i])
	return nil
}

// setLight sets member m of rec (or of its status) from its valid JSON value v.
func setLight(rec *jsonRecord, m lightMember, v []byte) {
	var t jsonText
	t.UnmarshalJSON(v) // valid JSON: cannot fail
	switch m {
	case memberCreatedDateTime:
		rec.CreatedDateTime = t
	case memberTime:
		rec.Time = t
	case memberTimeGenerated:
		rec.TimeGenerated = t
	case memberResultType:
		rec.ResultType = t
	case memberResultDescription:
		rec.ResultDescription = t
	case memberCategory:
		rec.Category = t
	case memberType:
		rec.Type = t
	case memberUserPrincipalName:
		rec.UserPrincipalName = t
	case memberAppID:
		rec.AppID = t
	case memberActivityDisplayName:
		rec.ActivityDisplayName = t
	case memberErrorCode:
		rec.Status.V.ErrorCode = t
	case memberFailureReason:
		rec.Status.V.FailureReason = t
	case memberAdditionalDetails:
		rec.Status.V.AdditionalDetails = t
	}
}

// unquoteBufs hold the unquoted text of dynamic members, reused.
var unquoteBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// unquote appends to dst the text of a JSON string's contents, checked valid, exactly as
// encoding/json unquotes it (which the decoder's dynamic types call): escapes decoded, a
// surrogate pair joined, a lone surrogate and each byte of invalid UTF-8 as U+FFFD.
func unquote(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			switch e := s[i+1]; e {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := hex4(s[i+2:])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if d := utf16.DecodeRune(r, hex4(s[i+2:])); d != utf8.RuneError {
							dst = utf8.AppendRune(dst, d)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, e)
			}
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
		}
	}
	return dst
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// dynamicText reads a dynamic member (status, deviceDetail, location, ...) given as a
// JSON string (quotes included), as the decoder's dynamic types do: the string's text,
// when it opens an object (or, for signInEventTypes, an array), is JSON the decoder
// decodes in turn, and a record whose text is not JSON is one the decoder rejects. The
// text is checked by the same walk; a status's members are read into rec. It reports
// false when only the decoder can settle the member (text that is not JSON, names
// escaped or given twice within it).
func dynamicText(rec *jsonRecord, m lightMember, str []byte) bool {
	inner := str[1 : len(str)-1]
	if bytes.IndexByte(inner, '\\') >= 0 || !utf8.Valid(inner) {
		buf := unquoteBufs.Get().(*[]byte)
		defer unquoteBufs.Put(buf)
		*buf = unquote((*buf)[:0], inner)
		inner = *buf
	}
	text := bytes.TrimSpace(inner)
	if len(text) == 0 || text[0] != '{' && text[0] != '[' {
		return true // no JSON text: the decoder reads nothing from it (or the text itself)
	}
	w := walker{b: text, sure: true}
	switch {
	case text[0] == '{' && m == memberStatus && rec != nil:
		// Its members go to rec.Status.V, as an object's do; on a failure the record
		// goes to the decoder, and rec with it.
		if w.object(levelStatus, rec) != nil {
			return false
		}
		rec.Status.OK = true
	case text[0] == '{' || text[0] == '[':
		if w.value() != nil {
			return false
		}
	}
	w.space()
	return w.sure && w.i == len(w.b)
}

// value checks one JSON value at i and moves past it.
func (w *walker) value() error {
	if w.i == len(w.b) {
		return w.errorf("expected a value")
	}
	switch c := w.b[w.i]; {
	case c == '"':
		_, err := w.str()
		return err
	case c == '{':
		return w.object(levelOther, nil)
	case c == '[':
		return w.array()
	case c == '-' || '0' <= c && c <= '9':
		return w.number()
	case c == 't':
		return w.literal("true")
	case c == 'f':
		return w.literal("false")
	case c == 'n':
		return w.literal("null")
	default:
		return w.errorf("unexpected %q where a value belongs", c)
	}
}

func (w *walker) array() error {
	if w.depth++; w.depth > maxDepth {
		return w.errorf("nesting deeper than %d", maxDepth)
	}
	err := w.elements()
	w.depth--
	return err
}

func (w *walker) elements() error {
	w.i++ // '['
	w.space()
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
		return nil
	}
	for {
		if err := w.value(); err != nil {
			return err
		}
		if done, err := w.after(']', "array", "an array element"); done || err != nil {
			return err
		}
	}
}

func (w *walker) literal(lit string) error {
	if len(w.b)-w.i < len(lit) || string(w.b[w.i:w.i+len(lit)]) != lit {
		return w.errorf("invalid literal")
	}
	w.i += len(lit)
	return nil
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (w *walker) number() error {
	b, i := w.b, w.i
	if b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		w.i = i
		return w.errorf("invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			w.i = i
			return w.errorf("invalid number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			w.i = i
			return w.errorf("invalid number")
		}
	}
	w.i = i
	return nil
}

// str checks the string at i ('"') and moves past its closing quote. plain reports a
// string of printable ASCII without escapes.
func (w *walker) str() (plain bool, err error) {
	b := w.b
	i := w.i + 1
	plain = true
	for {
		// The bulk of a record is string bytes: find the next quote at once, then check
		// the bytes before it eight at a time for a backslash, a control character or
		// a byte that is not ASCII; a string with none of them ends at that quote.
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			w.i = len(b)
			return false, w.errorf("string not closed")
		}
		end := i + q
		for i+8 <= end && plainWord(b[i:i+8]) {
			i += 8
		}
		for i < end {
			c := b[i]
			if c == '\\' || c < 0x20 || c >= 0x80 {
				break
			}
			i++
		}
		if i == end {
			w.i = end + 1
			return plain, nil
		}
		// Something to look at before the quote.
		switch c := b[i]; {
		case c == '\\':
			plain = false
			if i+1 == len(b) {
				w.i = i
				return false, w.errorf("string not closed")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					w.i = i
					return false, w.errorf("invalid \\u escape")
				}
				i += 6
			default:
				w.i = i
				return false, w.errorf("invalid escape %q", b[i+1])
			}
		case c < 0x20:
			w.i = i
			return false, w.errorf("control character in a string")
		default: // not ASCII
			plain = false
			i++
		}
	}
}

// plainWord reports whether none of eight bytes (of a string, before its closing quote)
// is a backslash, below 0x20 or above 0x7F.
func plainWord(p []byte) bool {
	x := binary.LittleEndian.Uint64(p)
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	below := (x - lo*0x20) &^ x // bytes below 0x20 (a borrow only follows a true one)
	slash := ((x ^ lo*'\\') - lo) &^ (x ^ lo*'\\')
	return (below|slash|x)&hi == 0
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
