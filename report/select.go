package report

import (
	"errors"
	"strings"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

// Selection says which records of the inputs a report covers and how they are shaped. It
// drives [Select], the one per-record pipeline that the summary ([Summary.Read]) and the
// event listing (grantsweep events) share, so that their counts cannot disagree.
type Selection struct {
	Rules    *rules.Set
	Filter   *Filter   // the records selected; nil: all
	Redactor *Redactor // pseudonymizes users and IPs of the selected records; nil: none
	Decode   bool      // decode every record: no prefilter (a check that it changes nothing)
}

// Sink receives what [Select] reads from one input.
type Sink struct {
	// Record gets every selected record, in input order, classified (m and inScope) and
	// redacted. ev is valid only during the call: keep a copy of what is needed. An error
	// ends the read, and Select returns it as it is.
	Record func(ev *parse.Event, m rules.Match, inScope bool) error
	// Skip gets every record that could not be decoded; nil: they are only counted.
	Skip func(e *parse.RecordError)
	// Other gets the category of every record that is not a sign-in (parse.Event.Other)
	// nor a directory audit record; nil: they are only counted.
	Other func(category string)
	// Audit gets every directory audit record (Other "AuditLogs" with its Audit), of any
	// activity, redacted; a is valid only during the call. Audit records are never
	// filtered: a change before the filter's window explains failures in it, and a
	// change's actor and target are not the failure's user or app. nil: only counted.
	Audit func(a *parse.Audit)
}

// Counts is what one input gave a selection: every record read is in exactly one of them.
type Counts struct {
	Records  int64   // decoded and selected
	Skipped  int64   // could not be decoded
	Filtered int64   // decoded but outside the filter
	Removed  Removed // the Filtered records by the condition that removed each
	Other    int64   // not sign-ins (parse.Event.Other) nor audit records: neither classified nor filtered
	Audit    int64   // directory audit records, every activity: never filtered
}

// Select reads every record of in through sel and hands each selected one to sink: it
// lets the decoder count out-of-scope records from their bytes (the prefilter) unless sel
// decodes everything or its filter looks at fields the prefilter leaves out, classifies
// each record, keeps those the filter selects, and pseudonymizes them. A record that could
// not be decoded goes to sink.Skip, one that is not a sign-in to sink.Other, and the rest
// goes on. An error that ends the input early, or one from sink.Record, ends the read and
// is returned; what was read before it is counted.
func Select(in *parse.Input, sel *Selection, sink Sink) (Counts, error) {
	var n Counts
	if !sel.Decode && !sel.Filter.NeedsAllFields() {
		in.SetCodeFilter(sel.Rules.MayMatch)
	}
	// One event handed to every sink.Record call: a pointer passed through a func value
	// escapes, and taking the loop variable's address would allocate it for every record.
	cur := new(parse.Event)
	var audit parse.Audit // the redacted copy handed to sink.Audit
	for ev, err := range in.Events() {
		if err != nil {
			var re *parse.RecordError
			if !errors.As(err, &re) {
				return n, err
			}
			n.Skipped++
			if sink.Skip != nil {
				sink.Skip(re)
			}
			continue
		}
		if ev.Audit != nil && ev.Other == "AuditLogs" { // a directory change: never filtered
			n.Audit++
			if sink.Audit != nil {
				a := ev.Audit
				if sel.Redactor != nil {
					audit = *a
					audit.Targets = append(audit.Targets[:0], a.Targets...)
					sel.Redactor.ApplyAudit(&audit)
					a = &audit
				}
				sink.Audit(a)
			}
			continue
		}
		if ev.Other != "" { // not a sign-in: counted by its category, never classified or listed
			n.Other++
			if sink.Other != nil {
				sink.Other(ev.Other)
			}
			continue
		}
		m, inScope := sel.Rules.Classify(&ev)
		if c := sel.Filter.Rejects(&ev, sel.Rules, m, inScope); c >= 0 {
			n.Filtered++
			n.Removed.count(c, ev.Time)
			continue
		}
		n.Records++
		sel.Redactor.ApplyMatch(&ev, &m)
		*cur = ev
		if err := sink.Record(cur, m, inScope); err != nil {
			return n, err
		}
	}
	return n, nil
}

// NewSkip is the sample the summary keeps, and the listing reports, of a record that
// could not be decoded.
func NewSkip(e *parse.RecordError) Skip {
	return Skip{Path: e.File, Line: e.Line, Offset: e.Offset, Reason: e.Err.Error()}
}

// Deduper applies the summary's de-duplication rule to a stream of in-scope events read
// in input order: the first copy of an event id counts and later copies are duplicates;
// an event without an id always counts. Its key is the summary's (see eventID): a UUID as
// Entra writes it by its 16 bytes, any other id as it was read. A nil Deduper
// de-duplicates nothing (--no-dedupe).
type Deduper struct {
	uuids map[[16]byte]struct{}
	other map[string]struct{}
}

// NewDeduper returns a Deduper that has seen no event.
func NewDeduper() *Deduper {
	return &Deduper{uuids: map[[16]byte]struct{}{}, other: map[string]struct{}{}}
}

// First reports whether an in-scope event with this id counts: it has none, or it is
// the first with it.
func (d *Deduper) First(id string) bool {
	if d == nil || id == "" {
		return true
	}
	if u, ok := parseUUID(id); ok {
		if _, dup := d.uuids[u]; dup {
			return false
		}
		d.uuids[u] = struct{}{}
		return true
	}
	if _, dup := d.other[id]; dup {
		return false
	}
	d.other[strings.Clone(id)] = struct{}{} // do not keep the decoder's larger buffers alive
	return true
}
