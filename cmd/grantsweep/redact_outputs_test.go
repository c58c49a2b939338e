package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// quotingTexts writes a JSON Lines file of real sign-ins (samples/graph/signIns.jsonl)
// whose failure texts quote their own UPN, user id and IP, and another person's.
func quotingTexts(t *testing.T) string {
	t.Helper()
	f, err := os.Open(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		status, _ := rec["status"].(map[string]any)
		if code, _ := status["errorCode"].(float64); code == 0 {
			continue
		}
		n++
		rec["id"] = fmt.Sprintf("0000feed-0000-4000-8000-%012d", n) // not a copy of the sample's event
		upn, uid, ip := rec["userPrincipalName"], rec["userId"], rec["ipAddress"]
		if s, _ := upn.(string); email.FindString(s) != s {
			// Not a UPN Entra allows (samples/ has one made to inject a formula): its
			// user column is redacted, but a text cannot tell it from its words.
			upn = "dana.quoted@contoso.com"
		}
		status["failureReason"] = fmt.Sprintf("Revoked: carol.hidden@fabrikam.example via 2001:db8:beef::42, 198.51.100.250 for %s (%s) from %s.", upn, uid, ip)
		status["additionalDetails"] = fmt.Sprintf("Client IP %s, user %s, seen by 198.51.100.250", ip, upn)
		rec["resultDescription"] = fmt.Sprintf("User %s from %s", upn, ip)
		b, _ := json.Marshal(rec)
		out.Write(append(b, '\n'))
	}
	path := filepath.Join(t.TempDir(), "quoting.jsonl")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	// jsonIdentity finds a user, user id or address member in JSON, also inside JSON text.
	jsonIdentity = regexp.MustCompile(`(?i)\\?"(?:userPrincipalName|userId|ipAddress)\\?"\s*:\s*\\?"([^"\\]+)`)
	// jsonText finds a failure text member.
	jsonText = regexp.MustCompile(`(?i)\\?"(?:failureReason|additionalDetails|resultDescription)\\?"\s*:\s*\\?"([^"\\]+)`)
	email    = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)
	address  = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b`)
)

// identities extracts from the text inputs under paths (gzip included) every UPN, user id
// and IP address their records hold, and every e-mail address and IP address their
// failure texts quote.
func identities(t *testing.T, paths ...string) []string {
	t.Helper()
	var out []string
	read := func(path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if strings.HasSuffix(path, ".csv") {
			r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
			r.LazyQuotes, r.FieldsPerRecord = true, -1
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for i, h := range rows[0] {
				switch strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(strings.TrimSpace(h), " [UTC]"), " ", "")) {
				case "userid", "username", "userprincipalname", "ipaddress":
					for _, row := range rows[1:] {
						if i < len(row) && row[i] != "" {
							out = append(out, row[i])
						}
					}
				}
			}
		}
		for _, m := range jsonIdentity.FindAllSubmatch(b, -1) {
			out = append(out, string(m[1]))
		}
		for _, m := range jsonText.FindAllSubmatch(b, -1) {
			for _, re := range []*regexp.Regexp{email, address} {
				for _, x := range re.FindAll(m[1], -1) {
					out = append(out, string(x))
				}
			}
		}
		for _, x := range email.FindAll(b, -1) {
			out = append(out, string(x))
		}
	}
	for _, p := range paths {
		filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && !strings.HasSuffix(path, ".parquet") {
				read(path)
			}
			return err
		})
	}
	for i, s := range out {
		s = strings.ToLower(s)
		if local, _, ok := strings.Cut(s, "@"); ok {
			s = local + "@" // the domain is kept on purpose
		}
		out[i] = s
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// leaks returns the identities that out holds, as it is, with HTML entities decoded, and
// with the quotes of JSON and CSV undone.
func leaks(out string, ids []string) []string {
	out = strings.ToLower(out)
	plain := html.UnescapeString(out)
	unquoted := strings.NewReplacer(`\"`, `"`, `""`, `"`).Replace(out)
	var found []string
	for _, id := range ids {
		if strings.Contains(out, id) || strings.Contains(plain, id) || strings.Contains(unquoted, id) {
			found = append(found, id)
		}
	}
	return found
}

// TestRedactEveryOutput: with --redact, no UPN, user id or IP address of the input, and
// none that its failure texts quote, appears in any format of sweep (--out files
// included) or of events.
func TestRedactEveryOutput(t *testing.T) {
	quoting := quotingTexts(t)
	ids := identities(t, samplesDir, quoting)
	for _, must := range []string{"carol.hidden@", "2001:db8:beef::42", "198.51.100.250", "meganb@", "=hyperlink("} {
		if !slices.Contains(ids, must) {
			t.Fatalf("the inputs' identities %q lack %q", ids, must)
		}
	}
	// The test can fail: without --redact, the outputs hold them.
	plain := mustRun(t, "sweep", "--format", "json", "--top", "0", samplesDir, quoting)
	if found := leaks(plain, ids); len(found) != len(ids) {
		t.Fatalf("without --redact only %d of %d identities show (missing: %q): the extraction is wrong", len(found), len(ids),
			slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(found, id) }))
	}

	redact := []string{"--redact", "--redact-key", "k", "--top", "0"}
	outputs := map[string]string{}
	for _, format := range []string{"table", "csv", "markdown", "json", "html"} {
		outputs["sweep --format "+format] = mustRun(t, append(append([]string{"sweep", "--format", format}, redact...), samplesDir, quoting)...)
		dir := filepath.Join(t.TempDir(), "out")
		mustRun(t, append(append([]string{"sweep", "--format", format, "-o", filepath.Join(t.TempDir(), "x"), "--out", dir}, redact...), samplesDir, quoting)...)
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			b, _ := os.ReadFile(filepath.Join(dir, f.Name()))
			outputs[fmt.Sprintf("sweep --format %s --out: %s", format, f.Name())] = string(b)
		}
	}
	events := map[string]string{}
	for _, format := range []string{"csv", "jsonl"} {
		events["events --format "+format] = mustRun(t, "events", "--format", format, "--redact", "--redact-key", "k", samplesDir, quoting)
	}
	// Texts are redacted from what they hold alone, so the prefilter, which decodes
	// only the texts of records out of scope, changes nothing that it does not change
	// without --redact (TestPrefilterChangesNothing).
	slow := mustRun(t, append([]string{"sweep", "--format", "json", "--no-prefilter"}, append(redact, samplesDir, quoting)...)...)
	plainSlow := mustRun(t, "sweep", "--format", "json", "--top", "0", "--no-prefilter", samplesDir, quoting)
	switch {
	case plain != plainSlow:
		t.Log("the prefilter changes the summary without --redact too: not compared with it")
	case slow != outputs["sweep --format json"]:
		t.Error("with --redact, the prefilter changes the summary")
	}
	for name, out := range outputs {
		if found := leaks(out, ids); len(found) > 0 {
			t.Errorf("%s holds %q", name, found)
		}
	}
	var inEvidence []string
	for name, out := range events {
		rest, evidence := splitEvidence(t, name, out)
		if found := leaks(rest, ids); len(found) > 0 {
			t.Errorf("%s holds %q", name, found)
		}
		if found := leaks(evidence, ids); len(found) > 0 {
			inEvidence = append(inEvidence, fmt.Sprintf("%s: %q", name, found))
		}
	}
	// The evidence quotes the failure text as classification read it: report.Select
	// redacts the match with the event (Redactor.ApplyMatch).
	if len(inEvidence) > 0 {
		t.Errorf("the evidence of events holds identities:\n%s", strings.Join(inEvidence, "\n"))
	}
}

// splitEvidence separates the evidence of events output from its other columns.
func splitEvidence(t *testing.T, name, out string) (rest, evidence string) {
	t.Helper()
	var r, e strings.Builder
	if strings.HasSuffix(name, "csv") {
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %d rows, %v", name, len(rows), err)
		}
		col := slices.Index(rows[0], "evidence")
		for _, row := range rows {
			e.WriteString(row[col] + "\n")
			r.WriteString(strings.Join(slices.Delete(row, col, col+1), ",") + "\n")
		}
		return r.String(), e.String()
	}
	for line := range strings.Lines(out) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ev, _ := json.Marshal(rec["evidence"])
		e.Write(append(ev, '\n'))
		delete(rec, "evidence")
		b, _ := json.Marshal(rec)
		r.Write(append(b, '\n'))
	}
	return r.String(), e.String()
}
