package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

// eventsOptions are the flags of "grantsweep events".
type eventsOptions struct {
	filterOptions
	storageOptions
	format   string
	output   string
	tz       string
	noDedupe bool
	strict   bool
	noFilter bool
	rules    string
	mode     string
	input    string
	noFollow bool
	csvBOM   bool
}

// eventColumns are the columns of grantsweep events, in order.
var eventColumns = []string{"time", "event_id", "correlation_id", "user", "user_id", "app", "app_id", "resource", "ip", "country",
	"client_app", "os", "browser", "sign_in_type", "incoming_token_type", "token_protection", "token_protection_code",
	"error_code", "family", "cause", "rule", "evidence", "file", "line", "offset",
	"explained_by_kind", "explained_by_activity", "explained_by_actor", "explained_by_time", "explained_by_audit_id"}

func (o *eventsOptions) addFlags(fs *pflag.FlagSet) {
	choiceVar(fs, &o.format, "format", "FORMAT", "csv", []string{"csv", "jsonl"}, "output format")
	fs.StringVarP(&o.output, "output", "o", "", "write to `FILE` (atomically) instead of standard output")
	fs.BoolVar(&o.csvBOM, "csv-bom", false, "start the CSV with a UTF-8 byte order mark, for Excel on Windows")
	fs.StringVar(&o.tz, "tz", "UTC", "time `ZONE` for the time column (JSON Lines stays RFC 3339 in this zone)")
	fs.BoolVar(&o.noDedupe, "no-dedupe", false, "list every copy of an event, even with an id seen before")
	fs.BoolVar(&o.strict, "strict", false, "exit 4 when any record was skipped or any input could not be read (the rows are still written)")
	addRulesFlags(fs, &o.rules, &o.mode)
	o.filterOptions.addFlags(fs)
	addInputFormatFlag(fs, &o.input)
	addNoFollowFlag(fs, &o.noFollow)
	o.storageOptions.addFlags(fs)
	fs.BoolVar(&o.noFilter, "no-prefilter", false, "decode every record instead of counting out-of-scope ones from their bytes (slower; the result is the same)")
}

// runEvents lists the in-scope events behind the numbers, one per row, with the rule and
// the evidence that decided each: the same events that sweep counts in in_scope, because
// both read every input through report.Select, in the same order, and de-duplicate by
// the same rule (report.Deduper). Each row says the directory change that explains it
// (explained_by_*), which the audit records of any input, read before or after it, can
// give: the rows are held (in memory up to a part of eventsBuffer, beyond it in sorted
// runs on disk, as sweep spills its events) until every input is read, then written in
// the order they were read, each attributed.
func runEvents(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o eventsOptions
	fs := newFlagSet("events", stderr)
	o.addFlags(fs)
	helpOn(fs, "events", stdout)
	if err := parseFlags(fs, "events", args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("events: give at least one PATH")
	}
	if o.format != "csv" && o.format != "jsonl" {
		return usageError("events: --format must be csv or jsonl, not %q", o.format)
	}
	if o.csvBOM && o.format != "csv" {
		return usageError("events: --csv-bom is for --format csv")
	}
	if err := checkInputFormat(o.input); err != nil {
		return err
	}
	set, err := loadRules(o.rules, o.mode)
	if err != nil {
		return err
	}
	loc, err := loadZone(o.tz)
	if err != nil {
		return err
	}
	if err := checkOutput(o.output); err != nil { // before anything is read
		return err
	}
	filter, redactor, err := o.filterOptions.resolve(set, time.Now(), loc)
	if err != nil {
		return err
	}
	x, err := expandInputs(ctx, fs.Args(), o.noFollow, o.storageOptions, windowOf(filter), stderr)
	if err != nil {
		return err
	}
	paths, failed := x.paths, x.failed
	reportPruned(stderr, x.pruned)
	sel := &report.Selection{Rules: set, Filter: filter, Redactor: redactor, Decode: o.noFilter}
	var dedupe *report.Deduper
	if !o.noDedupe {
		dedupe = report.NewDeduper()
	}
	var skipped, records, listed int64
	var removed report.Removed // what the filters removed, for the hint when nothing is listed
	var firstSkip report.Skip
	sink := report.Sink{Skip: func(e *parse.RecordError) {
		if skipped++; skipped == 1 {
			firstSkip = report.NewSkip(e)
		}
	}}
	attr := report.NewAttribution(set)
	sink.Audit = attr.Audit
	budget := spill.NewBudget(eventsBuffer, "")
	defer budget.Close()
	rows := spill.NewSorter(budget, eventsBuffer/4, false)
	defer rows.Close()
	read := 0
	err = writeOutput(o.output, stdout, func(w io.Writer) error {
		out := newEventWriter(w, o.format, loc)
		for _, path := range inputPaths(paths) {
			if err := ctx.Err(); err != nil {
				return err
			}
			in, err := openInput(ctx, path, stdin, x.store, parse.OpenOptions{Format: o.input, Context: ctx})
			if auth := authOf(err); auth != nil {
				return auth
			}
			if err != nil {
				fmt.Fprintf(stderr, "grantsweep: %v (skipped)\n", err)
				failed++
				continue
			}
			if read++; read == 1 {
				out.header(o.csvBOM)
			}
			var werr error // from writing a row, which ends the command
			sink.Record = func(ev *parse.Event, m rules.Match, inScope bool) error {
				if !inScope || !dedupe.First(ev.ID) {
					return nil
				}
				listed++
				werr = out.hold(rows, listed, ev, set, m, in.Name)
				return werr
			}
			var n report.Counts
			n, err = selectContained(in, sel, sink)
			records += n.Records
			removed.Add(n.Removed)
			in.Close()
			if werr != nil {
				return werr
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if auth := authOf(err); auth != nil {
				return auth
			}
			if err != nil {
				fmt.Fprintf(stderr, "grantsweep: %v (what was read before counts)\n", err)
				failed++
			}
		}
		if read == 0 {
			if len(x.pruned) == 0 {
				return errNothingRead // nothing is written: a file given with -o keeps what it held
			}
			out.header(o.csvBOM) // every input was pruned: no row, and no failure
		}
		if err := out.writeHeld(rows, attr); err != nil {
			return err
		}
		return out.flush()
	})
	if errors.Is(err, errNothingRead) {
		return errNothingRead // as sweep says it, whatever the output
	}
	if err != nil {
		return err
	}
	if hint := filter.EmptyHint(removed, records, loc); listed == 0 && hint != "" {
		fmt.Fprintf(stderr, "grantsweep: %s\n", hint) // as sweep says it, before the skips
	}
	if skipped > 0 {
		reportSkipped(stderr, skipped, firstSkip)
	}
	if o.strict && (skipped > 0 || failed > 0) {
		return strictError(skipped, failed)
	}
	return nil
}

// selectContained is report.Select with a panic inside the input (a decoder bug) turned
// into that input's error, as sweep's jobs do: the command goes on with the next input.
func selectContained(in *parse.Input, sel *report.Selection, sink report.Sink) (n report.Counts, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s: internal error: %v (please report it)", in.Name, v)
		}
	}()
	if eventsHook != nil {
		eventsHook(in.Name)
	}
	return report.Select(in, sel, sink)
}

// eventsHook, when set (by tests), runs inside each input's selection.
var eventsHook func(path string)

// errNothingRead: no input could be opened.
var errNothingRead = errors.New("nothing could be read")

// reportSkipped says on stderr how many records were skipped as undecodable, and where
// the first was, in the words sweep uses.
func reportSkipped(stderr io.Writer, n int64, first report.Skip) {
	fmt.Fprintf(stderr, "grantsweep: %s skipped as undecodable; first at %s:%d (offset %d): %s\n",
		plural(n, "record"), first.Path, first.Line, first.Offset, first.Reason)
}

type eventWriter struct {
	bw     *bufio.Writer
	cw     *csv.Writer
	format string
	loc    *time.Location
}

func newEventWriter(w io.Writer, format string, loc *time.Location) *eventWriter {
	e := &eventWriter{bw: bufio.NewWriter(w), format: format, loc: loc}
	if format == "csv" {
		e.cw = csv.NewWriter(e.bw)
	}
	return e
}

// header writes the CSV header (after a byte order mark with bom), once an input could
// be opened.
func (e *eventWriter) header(bom bool) {
	if e.cw != nil {
		if bom {
			e.bw.WriteString(utf8BOM)
		}
		e.cw.Write(eventColumns)
	}
}

// eventsBuffer is the memory the rows of grantsweep events are held in before they go
// to disk, until every input is read.
const eventsBuffer = 256 << 20

// eventRecord is one row of grantsweep events in JSON Lines.
type eventRecord struct {
	Time          string           `json:"time"`
	EventID       string           `json:"event_id"`
	CorrelationID string           `json:"correlation_id"`
	User          string           `json:"user"`
	UserID        string           `json:"user_id"`
	App           string           `json:"app"`
	AppID         string           `json:"app_id"`
	Resource      string           `json:"resource"`
	IP            string           `json:"ip"`
	Country       string           `json:"country"`
	ClientApp     string           `json:"client_app"`
	OS            string           `json:"os"`
	Browser       string           `json:"browser"`
	SignInType    string           `json:"sign_in_type"`
	TokenType     string           `json:"incoming_token_type"`
	TP            string           `json:"token_protection"`
	TPCode        int              `json:"token_protection_code"`
	Code          int              `json:"error_code"`
	Family        string           `json:"family"`
	Cause         string           `json:"cause"`
	Rule          int              `json:"rule"`
	Evidence      []rules.Evidence `json:"evidence"`
	File          string           `json:"file"`
	Line          int              `json:"line"`
	Offset        int64            `json:"offset"`
	ByKind        string           `json:"explained_by_kind"`
	ByActivity    string           `json:"explained_by_activity"`
	ByActor       string           `json:"explained_by_actor"`
	ByTime        string           `json:"explained_by_time"`
	ByAuditID     string           `json:"explained_by_audit_id"`
}

// heldRow is a row held until every input is read: the record, and what the audit join
// reads of its event.
type heldRow struct {
	Rec        eventRecord `json:"r"`
	RuleIndex  int         `json:"i"`
	Time       time.Time   `json:"t"`
	DeviceID   string      `json:"d,omitempty"`
	DeviceName string      `json:"n,omitempty"`
	CAPolicies string      `json:"p,omitempty"`
}

// hold keeps the row of an event, the n-th listed, in rows.
func (e *eventWriter) hold(rows *spill.Sorter, n int64, ev *parse.Event, set *rules.Set, m rules.Match, file string) error {
	r := set.Rules[m.Rule]
	t := ""
	if !ev.Time.IsZero() {
		t = ev.Time.In(e.loc).Format(time.RFC3339Nano)
	}
	h := heldRow{Rec: eventRecord{t, ev.ID, ev.CorrelationID, ev.User, ev.UserID, ev.App, ev.AppID, ev.Resource, ev.IP, ev.Country, ev.ClientApp,
		ev.OS, ev.Browser, ev.SignInType, ev.IncomingTokenType, ev.TokenProtection, ev.TokenProtectionCode, ev.ErrorCode,
		r.Family, r.ID, m.Rule + 1, m.Evidence, file, ev.Pos.Line, ev.Pos.Offset, "", "", "", "", ""},
		RuleIndex: m.Rule, Time: ev.Time, DeviceID: ev.DeviceID, DeviceName: ev.DeviceName, CAPolicies: ev.CAPolicies}
	b, err := json.Marshal(&h)
	if err != nil {
		return err
	}
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(n))
	if err := rows.Add(k[:], b); err != nil {
		return fmt.Errorf("holding the rows until every input is read: %w", err)
	}
	return nil
}

// writeHeld writes the rows held, in the order they were read, each with the change
// that explains it.
func (e *eventWriter) writeHeld(rows *spill.Sorter, attr *report.Attribution) error {
	var h heldRow
	return rows.Each(func(_, b []byte) error {
		h = heldRow{}
		if err := json.Unmarshal(b, &h); err != nil {
			return fmt.Errorf("reading the rows held: %w", err)
		}
		ev := parse.Event{Time: h.Time, User: h.Rec.User, UserID: h.Rec.UserID, DeviceID: h.DeviceID, DeviceName: h.DeviceName, CAPolicies: h.CAPolicies}
		if x, ok := attr.Explain(&ev, h.RuleIndex); ok {
			h.Rec.ByKind, h.Rec.ByActivity, h.Rec.ByActor, h.Rec.ByAuditID = x.Kind, x.Activity, x.Actor, x.AuditID
			if !x.Time.IsZero() {
				h.Rec.ByTime = x.Time.In(e.loc).Format(time.RFC3339Nano)
			}
		}
		return e.write(&h.Rec)
	})
}

func (e *eventWriter) write(rec *eventRecord) error {
	if e.format == "jsonl" {
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		e.bw.Write(b)
		return e.bw.WriteByte('\n')
	}
	var evidence []string
	for _, x := range rec.Evidence {
		s := x.Field + "=" + x.Value
		if x.Phrase != "" {
			s = fmt.Sprintf("%s=%q (has %q)", x.Field, x.Value, x.Phrase)
		}
		evidence = append(evidence, s)
	}
	return e.cw.Write(report.SafeCells(rec.Time, rec.EventID, rec.CorrelationID, rec.User, rec.UserID, rec.App, rec.AppID, rec.Resource, rec.IP, rec.Country,
		rec.ClientApp, rec.OS, rec.Browser, rec.SignInType, rec.TokenType, rec.TP, strconv.Itoa(rec.TPCode),
		strconv.Itoa(rec.Code), rec.Family, rec.Cause, strconv.Itoa(rec.Rule), strings.Join(evidence, "; "), rec.File,
		strconv.Itoa(rec.Line), strconv.FormatInt(rec.Offset, 10), rec.ByKind, rec.ByActivity, rec.ByActor, rec.ByTime, rec.ByAuditID))
}

func (e *eventWriter) flush() error {
	if e.cw != nil {
		e.cw.Flush()
		if err := e.cw.Error(); err != nil {
			return err
		}
	}
	return e.bw.Flush()
}
