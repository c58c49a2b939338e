package parse

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// walkTwinsAgree requires that walkRecord and its slow twin give the same answer on raw:
// the same sure, an error in the same cases (one that wraps ErrSyntax), and the same
// members read, whether or not they read any.
func walkTwinsAgree(t *testing.T, raw []byte) {
	t.Helper()
	var fast, slow jsonRecord
	fastSure, fastErr := walkRecord(raw, &fast)
	slowSure, slowErr := walkRecordSlow(raw, &slow)
	if fastSure != slowSure || (fastErr == nil) != (slowErr == nil) {
		t.Fatalf("walkRecord(%q) = %v, %v; slow twin: %v, %v", raw, fastSure, fastErr, slowSure, slowErr)
	}
	if fastErr != nil && !errors.Is(fastErr, ErrSyntax) {
		t.Fatalf("walkRecord(%q): error %v does not wrap ErrSyntax", raw, fastErr)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("walkRecord(%q) read\n%+v\nslow twin read\n%+v", raw, fast, slow)
	}
	if fast.Properties != nil && !reflect.DeepEqual(*fast.Properties, *slow.Properties) {
		t.Fatalf("walkRecord(%q) read properties\n%+v\nslow twin read\n%+v", raw, *fast.Properties, *slow.Properties)
	}
	fastSure, fastErr = walkRecord(raw, nil)
	slowSure, slowErr = walkRecordSlow(raw, nil)
	if fastSure != slowSure || (fastErr == nil) != (slowErr == nil) {
		t.Fatalf("walkRecord(%q, nil) = %v, %v; slow twin: %v, %v", raw, fastSure, fastErr, slowSure, slowErr)
	}
}

// allTwinSeeds are records that take every branch of the walk: the hostile spellings and
// malformed records of prefilter_test.go, and twinSeeds.
func allTwinSeeds() []string {
	out := slices.Clone(twinSeeds)
	for _, h := range hostileSpellings {
		out = append(out, h.raw)
	}
	return append(out, malformedRecords...)
}

// twinSeeds are the edges of the grammar and of the fast string skip (eight bytes at a
// time, and the bytes left over).
var twinSeeds = []string{
	`{"Id":"a","Status":"{\"errorCode\":70008,\"failureReason\":\"x\"}","ResultType":"70008","Category":"AuditLogs"}`,
	// The grammar's edges.
	``, ` `, `{`, `}`, `[]`, `{}`, ` {} `, `{} x`, `{"":0}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{,}`,
	`{"a":[]}`, `{"a":[,]}`, `{"a":[1,]}`, `{"a":[[[]]]}`, `{"a":{"b":{"c":{"d":{}}}}}`,
	`{"a":-}`, `{"a":-0}`, `{"a":-01}`, `{"a":1.}`, `{"a":1.5e}`, `{"a":1E+9}`, `{"a":0e-0}`,
	`{"a":true,"b":false,"c":null}`, `{"a":nul}`, `{"a":fals}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`,
	`{"a":"\`, `{"a":"\"`, `{"a":"\"\\\/\b\f\n\r\t\u00e9"}`, "{\"a\":\"\x7f\x80\xff\"}",
	`{"a":"12345678\"12345678"}`, "{\"a\":\"1234567\x01\"}", `{"a":"1234567`, `{"123456789":1}`,
	// Members read, and the ways they are not.
	`{"createdDateTime":"2026-01-01T00:00:00Z","status":{"errorCode":0,"failureReason":"Other.","additionalDetails":"x"},"appId":"a","userPrincipalName":"u"}`,
	`{"time":"t","category":"SignInLogs","properties":{"resultType":0,"resultDescription":null,"status":{"errorCode":50126},"properties":{"a":1}}}`,
	`{"TimeGenerated":"t","Type":"SigninLogs","ResultType":"0","Status":"{\"errorCode\":0}","DeviceDetail":" [1]","LocationDetails":"\u007b}"}`,
	`{"properties":[1],"status":7,"time":{"a":1},"type":[true],"category":"x","category":"y"}`,
	`{"properties":null,"properties":{"time":"a"},"properties":{"time":"b"}}`,
	`{"status":{"errorCode":{"a":[1,{"b":2}]},"failureReason":["x"]},"time":"a","time":{}}`,
	`{"time":"a","time":{"x":"unclosed"`, `{"time":"a","time":["x",]}`, `{"status":{"errorCode":"1","errorCode":[}}`,
	`{"properties":{"status":{"errorCode":[1],"x":{"errorCode":2}}},"x":{"status":{"errorCode":3}}}`,
	`{"STATUS":{"ERRORCODE":1},"Properties":{"STATUS":{"errorcode":2}}}`,
	`{"t\u0069me":"a"}`, "{\"tim\xc3\xa9\":\"a\"}", `{"tokenProtectionStatusDetails":"{}","signInEventTypes":"[\"x\"]"}`,
	`{"location":{"city":"x"},"locationDetails":"  {","deviceDetail":"\u005b"}`,
	// Directory audit records: activityDisplayName is read, at the top level and in
	// properties, in any case, once.
	`{"id":"a","category":"UserManagement","activityDisplayName":"Delete user","targetResources":[{"type":"User"}]}`,
	`{"category":"AuditLogs","properties":{"ActivityDisplayName":"Delete device","activityDateTime":"t"}}`,
	`{"activityDisplayName":"a","ACTIVITYDISPLAYNAME":"b"}`, `{"activity\u0044isplayName":"a"}`,
	`{"activityDisplayName":7,"properties":{"activityDisplayName":{"a":[1]}}}`, `{"activityDisplayName":null,"status":{"activityDisplayName":"x"}}`,
	strings.Repeat(`{"a":`, maxDepth-1) + `1` + strings.Repeat(`}`, maxDepth-1),
	strings.Repeat(`{"a":`, maxDepth) + `1` + strings.Repeat(`}`, maxDepth),
	`{"a":` + strings.Repeat(`[`, maxDepth-1) + strings.Repeat(`]`, maxDepth-1) + `}`,
	`{"a":` + strings.Repeat(`[`, maxDepth) + strings.Repeat(`]`, maxDepth) + `}`,
	`{"a":` + strings.Repeat(`[{"b":`, 100) + `0` + strings.Repeat(`}]`, 100) + `}`,
}

// walkSamples are the JSON of the samples and the shared corpus: every line that opens
// an object, each whole file that is one, and the records of files that hold them in an
// array (as written, blanks and all).
func walkSamples(tb testing.TB) [][]byte {
	var out [][]byte
	seen := make(map[string]bool)
	add := func(b []byte) {
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	for _, root := range []string{"../samples", "../../shared/corpus", "../../shared/audit-corpus", "testdata/audit"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if ext := filepath.Ext(p); ext != ".json" && ext != ".jsonl" && ext != ".log" {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for line := range bytes.Lines(data) {
				line = bytes.TrimSuffix(bytes.TrimSpace(line), []byte(","))
				if bytes.HasPrefix(line, []byte("{")) {
					add(line)
				}
			}
			var whole json.RawMessage
			if json.Unmarshal(data, &whole) != nil {
				return nil
			}
			if whole[0] == '{' {
				add(whole)
			}
			var wrapper map[string]json.RawMessage
			if json.Unmarshal(whole, &wrapper) == nil {
				for _, v := range wrapper {
					for _, o := range objectsIn(v) {
						add(o)
					}
				}
			}
			for _, o := range objectsIn(whole) {
				add(o)
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// objectsIn returns the objects of a JSON array, none if it is not one.
func objectsIn(v json.RawMessage) [][]byte {
	var elems []json.RawMessage
	if json.Unmarshal(v, &elems) != nil {
		return nil
	}
	var out [][]byte
	for _, e := range elems {
		if len(e) > 0 && e[0] == '{' {
			out = append(out, e)
		}
	}
	return out
}

func TestWalkTwins(t *testing.T) {
	for _, s := range allTwinSeeds() {
		walkTwinsAgree(t, []byte(s))
	}
	for _, line := range walkSamples(t) {
		walkTwinsAgree(t, line)
		// Prefixes of a record, every 13th: strings, numbers and containers cut anywhere.
		for n := 0; n < len(line) && len(line) < 8000; n += 13 {
			walkTwinsAgree(t, line[:n])
		}
	}
	for _, s := range allTwinSeeds() {
		for n := range len(s) {
			walkTwinsAgree(t, []byte(s[:n]))
		}
	}
}

// FuzzWalkTwins: on any bytes, walkRecord and its slow twin agree (walkTwinsAgree).
func FuzzWalkTwins(f *testing.F) {
	for _, s := range allTwinSeeds() {
		f.Add([]byte(s))
	}
	for _, line := range walkSamples(f) {
		if len(line) < 16000 { // whole files are tested in TestWalkTwins: too slow to mutate
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) { walkTwinsAgree(t, raw) })
}

// TestWalkNames: every name walkRecord reads has a slot of its own in walkNames (a shared
// slot is still read right, the slow way), and is found there in any case.
func TestWalkNames(t *testing.T) {
	n := 0
	for lv, tab := range walkNames {
		for _, e := range tab {
			if e.name == "" {
				continue
			}
			n++
			if e.shared {
				t.Errorf("walkNames[%d]: %q shares its slot", lv, e.name)
			}
			for _, key := range []string{e.name, strings.ToUpper(e.name), strings.ToUpper(e.name[:1]) + e.name[1:]} {
				want := recordMember(e.name)
				if lv == 1 {
					want = statusMember(e.name)
				}
				if !e.foldEqual([]byte(key)) || e.m != want {
					t.Errorf("walkNames[%d]: %q is not found as %v", lv, key, want)
				}
			}
		}
	}
	if n == 0 {
		t.Error("walkNames is empty")
	}
}

// TestStringStops: the lowest stop of stringStops and nameStops is the first byte that
// needs a look, for every byte in every place among bytes that need none, and for words
// of random bytes.
func TestStringStops(t *testing.T) {
	first := func(w [8]byte, name bool) int {
		for k, c := range w {
			if c == '"' || c == '\\' || c < 0x20 || name && c >= 0x80 {
				return k
			}
		}
		return 8
	}
	check := func(w [8]byte) {
		x := binary.LittleEndian.Uint64(w[:])
		if got, want := bits.TrailingZeros64(stringStops(x))>>3, first(w, false); got != want {
			t.Fatalf("stringStops(% x): first stop %d, want %d", w, got, want)
		}
		if got, want := bits.TrailingZeros64(nameStops(x))>>3, first(w, true); got != want {
			t.Fatalf("nameStops(% x): first stop %d, want %d", w, got, want)
		}
	}
	for c := range 256 {
		for k := range 8 {
			for _, fill := range []byte{'a', 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff} {
				var w [8]byte
				for j := range w {
					w[j] = fill
				}
				w[k] = byte(c)
				check(w)
				if k < 7 {
					w[k+1] = 0 // a stop after the first: borrows must not move the first
					check(w)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	edges := []byte{0, 0x01, 0x1f, 0x20, 0x21, '"', 0x23, '\\', 0x7f, 0x80, 0xa2, 0xdc, 0xff}
	for range 1 << 20 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rng.Uint64())
		check(w)
		for j := range w {
			w[j] = edges[rng.IntN(len(edges))]
		}
		check(w)
	}
}
