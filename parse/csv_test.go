package parse

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestCSVHeaders(t *testing.T) {
	// Trailing and doubled spaces, odd case, a duplicate column, a BOM.
	data := "\xEF\xBB\xBFDate (UTC),Request ID,Username,Application ID ,Incoming token type,SIGN-IN  ERROR CODE,Failure reason,Location,Incoming token type,Status\n" +
		`2025-12-04T08:19:41Z,r1,Adele@Contoso.com,app-1,Refresh token,70000,"Provided grant is invalid or malformed.","Seattle, Washington, US",,Failure` + "\n"
	evs, recErrs, format, fatal := read(t, "NonInteractiveSignIns_2025-12-04.csv", []byte(data))
	if fatal != nil || len(recErrs) > 0 || len(evs) != 1 || format != "csv/portal" {
		t.Fatalf("events %d, errors %v %v, format %s", len(evs), recErrs, fatal, format)
	}
	ev := evs[0]
	want := Event{Time: time.Date(2025, 12, 4, 8, 19, 41, 0, time.UTC), ID: "r1", User: "adele@contoso.com", AppID: "app-1",
		IncomingTokenType: "Refresh token", ErrorCode: 70000, FailureReason: "Provided grant is invalid or malformed.",
		Country: "US", SignInType: "nonInteractiveUser", Pos: Position{Line: 2, Offset: int64(strings.Index(data, "2025"))}}
	if ev != want {
		t.Errorf("event\n got %+v\nwant %+v", ev, want)
	}
}

func TestCSVLogAnalytics(t *testing.T) {
	data := "TimeGenerated [UTC],CreatedDateTime [UTC],ResultType,ResultDescription,Status,DeviceDetail,LocationDetails,TokenProtectionStatusDetails,UserPrincipalName,Id,Type\n" +
		`"9/19/2023, 1:45:17.287 PM","9/19/2023, 1:43:02.100 PM",50173,"The provided grant has expired due to it being revoked","{""errorCode"":50173,""additionalDetails"":""x""}","{""operatingSystem"":""Ios""}","{""countryOrRegion"":""DE""}","{""signInSessionStatus"":""unbound"",""signInSessionStatusCode"":1008}",u@x.example,i1,AADNonInteractiveUserSignInLogs` + "\n"
	evs, recErrs, format, fatal := read(t, "export.csv", []byte(data))
	if fatal != nil || len(recErrs) > 0 || len(evs) != 1 || format != "csv/log-analytics" {
		t.Fatalf("events %d, errors %v %v, format %s", len(evs), recErrs, fatal, format)
	}
	ev := evs[0]
	if !ev.Time.Equal(time.Date(2023, 9, 19, 13, 43, 2, 100e6, time.UTC)) || ev.ErrorCode != 50173 || ev.AdditionalDetails != "x" ||
		ev.OS != "Ios" || ev.Country != "DE" || ev.TokenProtection != "unbound" || ev.TokenProtectionCode != 1008 ||
		ev.SignInType != "nonInteractiveUser" || ev.ResultDescription == "" {
		t.Errorf("event = %+v", ev)
	}
}

// TestCSVBadRows: a broken row is skipped with its line and offset; the rest is read; a
// row cut short at the end of the file is reported too.
func TestCSVBadRows(t *testing.T) {
	rows := []string{
		"Request ID,Sign-in error code,Failure reason",
		"a,70000,ok",
		`b,70000,bad "quote`,
		"c,50173,ok",
		"d,70000",
		`e,70000,"cut off`,
	}
	data := strings.Join(rows, "\n")
	evs, recErrs, _, fatal := read(t, "bad.csv", []byte(data))
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	if fatal != nil || strings.Join(ids, ",") != "a,c" {
		t.Fatalf("ids %v, fatal %v; want a,c", ids, fatal)
	}
	wantLines := []int{3, 5, 6}
	if len(recErrs) != len(wantLines) {
		t.Fatalf("record errors %v, want %d", recErrs, len(wantLines))
	}
	for i, re := range recErrs {
		off := int64(len(strings.Join(rows[:wantLines[i]-1], "\n")) + 1)
		if re.Line != wantLines[i] || re.Offset != off {
			t.Errorf("record error %v, want line %d offset %d", re, wantLines[i], off)
		}
	}
	if !errors.Is(recErrs[1], ErrTruncated) {
		t.Errorf("short row error %v, want ErrTruncated", recErrs[1])
	}
}

// TestTruncatedGzip: what was decompressed counts, and one error names the file and says
// where the stream broke.
func TestTruncatedGzip(t *testing.T) {
	var plain bytes.Buffer
	for i := range 2000 {
		plain.WriteString(graphRec(strings.Repeat("x", i%7+1), 70000) + "\n")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	zw.Close()
	cut := gz.Bytes()[:gz.Len()/2]
	evs, _, _, fatal := read(t, "cut.json.gz", cut)
	if len(evs) == 0 || len(evs) >= 2000 {
		t.Errorf("read %d records from half a gzip stream", len(evs))
	}
	if fatal == nil || !strings.Contains(fatal.Error(), "cut.json.gz") || !strings.Contains(fatal.Error(), "gzip stream broken after") {
		t.Errorf("error %v, want one naming cut.json.gz and where the gzip stream broke", fatal)
	}
}

// TestInputFormatForced: an input detection cannot place is read when its format is
// given; gzip is still peeled off; a wrong format is an error naming the input.
func TestInputFormatForced(t *testing.T) {
	data := []byte("ResultType,Operator\n70000,alice\n0,bob\n") // one known column: not detected
	if _, err := NewInput(io.NopCloser(bytes.NewReader(data)), "x.csv"); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("auto: %v, want ErrUnknownFormat", err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	for name, in := range map[string][]byte{"x.csv": data, "x.csv.gz": z.Bytes()} {
		input, err := NewInputAs(io.NopCloser(bytes.NewReader(in)), name, "csv")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var codes []int
		for ev, err := range input.Events() {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			codes = append(codes, ev.ErrorCode)
		}
		if len(codes) != 2 || codes[0] != 70000 || codes[1] != 0 {
			t.Errorf("%s as csv: codes %v, want [70000 0]", name, codes)
		}
	}
	input, err := NewInputAs(io.NopCloser(bytes.NewReader(data)), "x.csv", "parquet")
	if err == nil {
		for _, err = range input.Events() {
			if err != nil {
				break
			}
		}
	}
	if err == nil || !strings.Contains(err.Error(), "x.csv") {
		t.Errorf("csv read as parquet: %v, want an error naming the input", err)
	}
}
