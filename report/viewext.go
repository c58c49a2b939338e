package report

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"

	"github.com/grantsweep/grantsweep/report/spill"
)

// extView is what a view computed from spilled runs reads again: the events in scope in
// input order (for the partial), and every row of every table in order.
type extView struct {
	events *spill.Sorter // key: input, offset, seq; payload: the event's record
	rows   *spill.Sorter // key: table, -events (unless by key), the key columns
}

func (x *extView) close() {
	x.events.Close()
	x.rows.Close()
}

// Tags of the distinct-value pairs: the cause's or family's users, apps and IPs.
const (
	pairCauseUsers = iota
	pairCauseApps
	pairCauseIPs
	pairFamilyUsers
	pairFamilyApps
	pairFamilyIPs
)

// computeExt computes the view from the spilled runs, in passes that each hold a sorter's
// share of the budget: the events sorted by id drop their copies, then (user, app, IP)
// pairs per cause and family give the distinct counts, the events in input order once
// more give the time breakdown's groups (its buckets fit the span of the events, known
// after the first pass), events grouped by each table's key give its rows, and the rows
// sorted give each table in order. The result is what computeMem gives.
func (s *Summary) computeExt(v *view) (err error) {
	nr := len(s.Rules.Rules)
	familyOf := s.familyOf()
	// Three sorters fill at once, each with a quarter of the budget (the events in memory
	// were spilled before): fewer runs, fewer merge passes.
	events := s.sorterOf(false, 4)
	pairs := s.sorterOf(true, 4)
	groups := s.sorterOf(false, 4)
	ext := &extView{events: events, rows: s.sorterOf(false, 4)}
	v.ext = ext
	defer func() {
		pairs.Close()
		groups.Close()
	}()

	// Pass 1: every event once, in order of id; the first copy (by input, offset and
	// position) of an id is the event, the others are duplicates.
	causeAcc := make([]acc, nr)
	famAcc := make([]acc, len(s.Rules.Families))
	var prevID, k, p []byte
	var x xevent
	havePrev := false
	err = s.ext.Each(func(key, pay []byte) error {
		idPart := key[:len(key)-keyTail]
		if s.Dedupe && idPart[0] != idNone && havePrev && bytes.Equal(idPart, prevID) {
			v.duplicates++
			return nil
		}
		prevID, havePrev = append(prevID[:0], idPart...), true
		if err := decodeRecord(key, pay, &x); err != nil {
			return err
		}
		v.inScope++
		// The event for the partial, in input order.
		k = binary.BigEndian.AppendUint32(k[:0], uint32(x.input))
		k = binary.BigEndian.AppendUint64(k, uint64(x.offset))
		k = binary.BigEndian.AppendUint64(k, uint64(x.seq))
		p = binary.AppendUvarint(p[:0], uint64(len(key)))
		p = append(p, key...)
		p = append(p, pay...)
		if err := events.Add(k, p); err != nil {
			return err
		}
		// Causes and families: events and times here, distinct values as pairs.
		e := entry{sec: x.sec, nsec: x.nsec}
		causeAcc[x.rule].count(&e)
		f := familyOf[x.rule]
		if f >= 0 {
			famAcc[f].count(&e)
		}
		for _, pv := range []struct {
			tag int
			v   string
		}{{pairCauseUsers, cmp.Or(x.User, x.UserID)}, {pairCauseApps, cmp.Or(x.App, x.AppID)}, {pairCauseIPs, x.IP}} {
			if pv.v == "" {
				continue
			}
			if err := addPair(pairs, &k, pv.tag, x.rule, pv.v); err != nil {
				return err
			}
			if f >= 0 {
				if err := addPair(pairs, &k, pv.tag+pairFamilyUsers, f, pv.v); err != nil {
					return err
				}
			}
		}
		// Tables: the event under each table's key, with the value it counts distinct;
		// the time breakdown's once the span of the events is known (pass 3).
		for ti := range tableDefs {
			if !tableDefs[ti].timed {
				if err := addGroup(groups, &k, &p, ti, tableDefs[ti].key, &x); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	// Pass 2: distinct users, apps and IPs per cause and family.
	distinct := make([][]int, pairFamilyIPs+1)
	for tag := range distinct {
		n := nr
		if tag >= pairFamilyUsers {
			n = len(s.Rules.Families)
		}
		distinct[tag] = make([]int, n)
	}
	err = pairs.Each(func(key, _ []byte) error {
		distinct[key[0]][binary.BigEndian.Uint16(key[1:])]++
		return nil
	})
	if err != nil {
		return err
	}
	for i, r := range s.Rules.Rules {
		cv := causeAcc[i].view(r.ID, r.Family, r.Label, r.Remediation)
		cv.users, cv.apps, cv.ips = distinct[pairCauseUsers][i], distinct[pairCauseApps][i], distinct[pairCauseIPs][i]
		v.causes = append(v.causes, cv)
	}
	for i, f := range s.Rules.Families {
		fv := famAcc[i].view(f.ID, f.ID, f.Label, "")
		fv.users, fv.apps, fv.ips = distinct[pairFamilyUsers][i], distinct[pairFamilyApps][i], distinct[pairFamilyIPs][i]
		v.families = append(v.families, fv)
	}

	// Pass 3, the events again, in input order: the time breakdown's groups, in buckets
	// that fit the span of the events.
	first, last := span(v.causes)
	buckets := newTimeBuckets(first, last, v.zone)
	var timed []int
	for ti := range tableDefs {
		if tableDefs[ti].timed {
			timed = append(timed, ti)
		}
	}
	err = s.eachKept(v, func(x *xevent) error {
		for _, ti := range timed {
			if err := addGroup(groups, &k, &p, ti, buckets.key, x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	// Pass 4: a row per table key, sorted as the table shows them.
	if err := s.groupRows(groups, ext.rows, nr); err != nil {
		return err
	}

	// Pass 5: the rows in order; the view keeps those it shows.
	for ti := range tableDefs {
		tv := tableView{def: &tableDefs[ti]}
		if tv.def.timed {
			tv.bucket = buckets
		}
		v.tables = append(v.tables, tv)
	}
	pcs := make([]*perCause, len(tableDefs))
	for ti := range pcs {
		pcs[ti] = newPerCause(nr, v.top)
	}
	err = ext.eachRow(nr, func(ti int, r row) {
		v.tables[ti].add(r, v.top)
		pcs[ti].add(r)
	})
	for ti := range pcs {
		v.tables[ti].perCause, v.tables[ti].pairs = pcs[ti].finish(), pcs[ti].pairs
	}
	return err
}

// addGroup adds event x to groups under table ti's key (by keyOf), then the value it
// counts distinct; k and p are scratch buffers.
func addGroup(groups *spill.Sorter, k, p *[]byte, ti int, keyOf func(*kept) []string, x *xevent) error {
	def := &tableDefs[ti]
	b := append((*k)[:0], byte(ti))
	for _, c := range keyOf(&x.kept) {
		b = appendSortable(b, c)
	}
	d := cmp.Or(x.User, x.UserID)
	if def.distinct == "apps" {
		d = cmp.Or(x.App, x.AppID)
	}
	b = appendSortable(b, d)
	*k = b
	*p = binary.BigEndian.AppendUint16((*p)[:0], uint16(x.rule))
	return groups.Add(b, *p)
}

func addPair(pairs *spill.Sorter, k *[]byte, tag, idx int, value string) error {
	b := append((*k)[:0], byte(tag))
	b = binary.BigEndian.AppendUint16(b, uint16(idx))
	b = append(b, value...)
	*k = b
	return pairs.Add(b, nil)
}

// groupRows reads the events grouped by table key (then by distinct value) and adds a
// row per group to rows: key table, -events unless the table sorts by key, the key
// columns; payload the distinct count and the events per cause.
func (s *Summary) groupRows(groups, rows *spill.Sorter, nr int) error {
	var (
		cur, lastValue []byte // the group's key (table and columns), the last distinct value
		events         int64
		nDistinct      int
		causes         = make([]int64, nr)
		k, p           []byte
		open           bool
	)
	flush := func() error {
		if !open {
			return nil
		}
		ti := int(cur[0])
		k = append(k[:0], cur[0])
		if !tableDefs[ti].byKey {
			k = binary.BigEndian.AppendUint64(k, ^uint64(events))
		}
		k = append(k, cur[1:]...)
		p = binary.AppendUvarint(p[:0], uint64(nDistinct))
		for ri := range causes {
			p = binary.AppendUvarint(p, uint64(causes[ri]))
			causes[ri] = 0
		}
		events, nDistinct, open = 0, 0, false
		return rows.Add(k, p)
	}
	err := groups.Each(func(key, pay []byte) error {
		ncols := len(tableDefs[key[0]].cols)
		groupLen := 1 + escapedLen(key[1:], ncols)
		value := key[groupLen:]
		if !open || !bytes.Equal(key[:groupLen], cur) {
			if err := flush(); err != nil {
				return err
			}
			cur = append(cur[:0], key[:groupLen]...)
			lastValue = lastValue[:0]
			open = true
		}
		events++
		causes[binary.BigEndian.Uint16(pay)]++
		if !bytes.Equal(value, emptyEscaped) && !bytes.Equal(value, lastValue) {
			nDistinct++
			lastValue = append(lastValue[:0], value...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// emptyEscaped is "" as appendSortable writes it.
var emptyEscaped = []byte{0, 1}

// escapedLen is the length of the first n strings written by appendSortable in b.
func escapedLen(b []byte, n int) int {
	at := 0
	for range n {
		for at+1 < len(b) && !(b[at] == 0 && b[at+1] == 1) {
			if b[at] == 0 {
				at++ // 0x00 0xFF
			}
			at++
		}
		at += 2
	}
	return at
}

// eachRow calls fn with every row of every table, each table's rows in order.
func (x *extView) eachRow(nr int, fn func(table int, r row)) error {
	return x.rows.Each(func(key, pay []byte) error {
		ti := int(key[0])
		def := &tableDefs[ti]
		rest := key[1:]
		var r row
		if !def.byKey {
			r.events = int64(^binary.BigEndian.Uint64(rest))
			rest = rest[8:]
		}
		r.key = make([]string, len(def.cols))
		for c := range r.key {
			var v []byte
			v, rest = unsortable(rest)
			r.key[c] = string(v)
		}
		n, w := binary.Uvarint(pay)
		r.distinct, pay = int(n), pay[w:]
		r.causes = make([]int64, nr)
		var sum int64
		for ri := range r.causes {
			n, w := binary.Uvarint(pay)
			if w <= 0 {
				return errors.New("report: a spilled row is cut short")
			}
			r.causes[ri], pay = int64(n), pay[w:]
			sum += int64(n)
		}
		if def.byKey {
			r.events = sum
		}
		fn(ti, r)
		return nil
	})
}

// eachKept calls fn with every event in scope, in input order: each entry with its
// string table, or, from spilled runs, each event read back.
func (s *Summary) eachKept(v *view, fn func(x *xevent) error) error {
	if v.ext == nil {
		var x xevent
		for _, e := range v.kept {
			x.kept = s.unpack(e)
			x.sec, x.nsec, x.rule, x.input, x.offset, x.seq = e.sec, e.nsec, int(e.rule), e.input, e.offset, e.seq
			x.idKind, x.uuid, x.id = e.id.kind, e.id.b, ""
			if e.id.kind == idString {
				x.id = s.strs[getIndex(&e.id.b)]
			}
			if err := fn(&x); err != nil {
				return err
			}
		}
		return nil
	}
	var x xevent
	return v.ext.events.Each(func(_, pay []byte) error {
		n, w := binary.Uvarint(pay)
		if w <= 0 || uint64(len(pay)-w) < n {
			return errors.New("report: a spilled event is cut short")
		}
		if err := decodeRecord(pay[w:w+int(n)], pay[w+int(n):], &x); err != nil {
			return err
		}
		return fn(&x)
	})
}

// tableCounts is the events of every row of a table by its first key column, over every
// row (not only those the view keeps).
func (s *Summary) tableCounts(v *view, table string) map[string]int64 {
	out := map[string]int64{}
	ti := -1
	for i := range tableDefs {
		if tableDefs[i].name == table {
			ti = i
		}
	}
	if v.ext == nil {
		for _, r := range v.tables[ti].all {
			out[r.key[0]] += r.events
		}
		return out
	}
	err := v.ext.eachRow(len(s.Rules.Rules), func(t int, r row) {
		if t == ti {
			out[r.key[0]] += r.events
		}
	})
	if err != nil {
		s.fail(err)
	}
	return out
}
