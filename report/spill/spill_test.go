package spill

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

type rec struct{ key, pay string }

// sortAll adds recs to a sorter of the given limit and returns what it gives back.
func sortAll(t *testing.T, s *Sorter, recs []rec) []rec {
	t.Helper()
	for _, r := range recs {
		if err := s.Add([]byte(r.key), []byte(r.pay)); err != nil {
			t.Fatal(err)
		}
	}
	return drain(t, s)
}

func drain(t *testing.T, s *Sorter) []rec {
	t.Helper()
	it, err := s.Sort()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []rec
	for it.Next() {
		k, p := it.Record()
		out = append(out, rec{string(k), string(p)})
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func randomRecs(r *rand.Rand, n int) []rec {
	recs := make([]rec, n)
	for i := range recs {
		k := make([]byte, r.IntN(6))
		for j := range k {
			k[j] = byte('a' + r.IntN(3))
		}
		recs[i] = rec{string(k), fmt.Sprint(i)}
	}
	return recs
}

// want is the stable sort of recs by key, with only the first of each key when unique.
func want(recs []rec, unique bool) []rec {
	out := slices.Clone(recs)
	slices.SortStableFunc(out, func(a, b rec) int { return bytes.Compare([]byte(a.key), []byte(b.key)) })
	if unique {
		out = slices.CompactFunc(out, func(a, b rec) bool { return a.key == b.key })
	}
	return out
}

func TestSorterMatchesStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 10, 5000, 40000} {
		for _, unique := range []bool{false, true} {
			for _, limit := range []int64{1, 1 << 30} { // every 64 KiB a run; never
				b := NewBudget(1<<40, t.TempDir())
				s := NewSorter(b, limit, unique)
				recs := randomRecs(r, n)
				got := sortAll(t, s, recs)
				if w := want(recs, unique); !slices.Equal(got, w) {
					t.Fatalf("n=%d unique=%v limit=%d: %d records back, want %d (first difference at %d)", n, unique, limit, len(got), len(w), firstDiff(got, w))
				}
				if n == 40000 && limit == 1 && len(s.runs) < 2 {
					t.Fatalf("40,000 records with a tiny limit made %d runs", len(s.runs))
				}
				// Sorting again gives the same.
				if again := drain(t, s); !slices.Equal(again, got) {
					t.Fatalf("a second Sort differs")
				}
				b.Close()
			}
		}
	}
}

func firstDiff(a, b []rec) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// More runs than are merged at once are merged in passes, with the same result.
func TestSorterManyRuns(t *testing.T) {
	b := NewBudget(1<<40, t.TempDir())
	defer b.Close()
	s := NewSorter(b, 1, false)
	r := rand.New(rand.NewPCG(3, 4))
	recs := randomRecs(r, 3*maxFanIn*50)
	for i, rc := range recs {
		s.Add([]byte(rc.key), []byte(rc.pay))
		if i%50 == 49 {
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(s.runs) <= maxFanIn {
		t.Fatalf("%d runs, want more than %d", len(s.runs), maxFanIn)
	}
	if got := drain(t, s); !slices.Equal(got, want(recs, false)) {
		t.Fatal("a merge in passes differs from the stable sort")
	}
}

// Absorbed runs are read with their keys shifted, and sort after the absorber's records
// of equal key.
func TestSorterAbsorbShifts(t *testing.T) {
	b := NewBudget(1<<40, t.TempDir())
	defer b.Close()
	shift := func(key []byte, by int64) {
		binary.BigEndian.PutUint32(key, binary.BigEndian.Uint32(key)+uint32(by))
	}
	key := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	s, o := NewSorter(b, 1, false), NewSorter(b, 1, false)
	s.Shift, o.Shift = shift, shift
	for i := range 20000 {
		s.Add(key(uint32(i%7)), []byte("s"))
		o.Add(key(uint32(i%5)), []byte("o"))
	}
	o.Flush()
	o.Add(key(1), []byte("o-mem"))
	err := s.Absorb(o, 3, func(k, p []byte) error {
		k = slices.Clone(k)
		shift(k, 3)
		return s.Add(k, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, s)
	if len(got) != 40001 {
		t.Fatalf("%d records, want 40001", len(got))
	}
	var counts [10]map[string]int
	last := -1
	for _, r := range got {
		k := int(binary.BigEndian.Uint32([]byte(r.key)))
		if k < last {
			t.Fatalf("key %d after %d", k, last)
		}
		last = k
		if counts[k] == nil {
			counts[k] = map[string]int{}
		}
		if r.pay == "s" && counts[k]["o"]+counts[k]["o-mem"] > 0 {
			t.Fatalf("key %d: a record of the absorber after an absorbed one", k)
		}
		counts[k][r.pay]++
	}
	if counts[4]["s"] == 0 || counts[4]["o"] == 0 || counts[7]["o"] == 0 || counts[4]["o-mem"] != 1 || counts[7]["s"] != 0 {
		t.Fatalf("counts %v", counts)
	}
	if o.Len() != 0 || len(o.runs) != 0 {
		t.Fatal("the absorbed sorter is not empty")
	}
}

func TestBudgetClose(t *testing.T) {
	dir := t.TempDir()
	b := NewBudget(1, dir)
	s := NewSorter(b, 1, false)
	for range 10000 {
		s.Add([]byte("k"), make([]byte, 100))
	}
	if n, runs := b.Spilled(); n == 0 || runs == 0 {
		t.Fatalf("nothing spilled over a budget of 1 byte")
	}
	if b.Used() > 1<<20 {
		t.Fatalf("%d bytes held after spilling", b.Used())
	}
	tmp := b.Dir()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("%s is still there after Close: %v", tmp, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("%d entries left in the spill directory", len(ents))
	}
}
