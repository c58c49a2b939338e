package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse/blob/azurite"
)

// The storage tests run sweep, events and merge against Azurite, the Azure Storage
// emulator, which the tests' helper starts (parse/blob/azurite): the samples are uploaded
// in the diagnostic-settings layout, and the remote runs must give what the local runs
// over the same files give, byte for byte (the inputs' names aside).

const storageContainer = "insights-logs-signinlogs"

// sampleLayout lays the samples out as diagnostic settings do, spread over four days and
// several hours of November 2026: blob name (and local path below the container) ->
// sample file.
func sampleLayout(t *testing.T) map[string]string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(samplesDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	layout := map[string]string{}
	for i, f := range files {
		rel, _ := filepath.Rel(samplesDir, f)
		flat := strings.NewReplacer("/", "_", "=", "-").Replace(filepath.ToSlash(rel))
		name := fmt.Sprintf("tenantId=4f1e2d3c/y=2026/m=11/d=%02d/h=%02d/m=00/%s", 22+i%4, i*5%24, flat)
		layout[name] = f
	}
	return layout
}

// storageFixture is Azurite with the samples uploaded, and the same files on disk.
type storageFixture struct {
	emu   *azurite.Emulator
	local string // the container's copy on disk
}

func newStorageFixture(t *testing.T) *storageFixture {
	t.Helper()
	emu := azurite.Start(t)
	local := filepath.Join(t.TempDir(), storageContainer)
	for name, f := range sampleLayout(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(local, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		emu.Upload(t, storageContainer, name, data)
	}
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", emu.ConnString())
	old, oldN := storageRetry, storageRetries
	storageRetry, storageRetries = time.Millisecond, 0
	t.Cleanup(func() { storageRetry, storageRetries = old, oldN })
	return &storageFixture{emu: emu, local: local}
}

var shardRE = regexp.MustCompile(`"shard": ?"sha256:[0-9a-f]+"`)

// sameAsLocal requires the remote output, with remote (the argument's form of the
// container) read as the local copy, to be the local output byte for byte; the partial's
// shard, a hash of the inputs' names, aside.
func sameAsLocal(t *testing.T, what, local, remote, localOut, remoteOut string) {
	t.Helper()
	got := strings.ReplaceAll(remoteOut, remote, local+string(filepath.Separator))
	got, want := shardRE.ReplaceAllString(got, `"shard":"X"`), shardRE.ReplaceAllString(localOut, `"shard":"X"`)
	if got != want {
		t.Errorf("%s: the remote output differs from the local one\nremote:\n%s\nlocal:\n%s", what, clip(got), clip(want))
	}
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "..."
	}
	return s
}

func TestStorageRoundTrip(t *testing.T) {
	fx := newStorageFixture(t)
	pathStyle := fx.emu.Service + "/" + storageContainer + "/"
	endpoint := "--storage-endpoint=" + fx.emu.Service
	forms := []struct{ name, arg, display string }{
		{"path-style prefix", pathStyle, pathStyle},
		{"path-style glob", pathStyle + "**/*", pathStyle},
		{"az glob", "az://" + azurite.Account + "/" + storageContainer + "/tenantId=*/**", "az://" + azurite.Account + "/" + storageContainer + "/"},
		{"abfss prefix", "abfss://" + storageContainer + "@" + azurite.Account + ".dfs.core.windows.net/tenantId=4f1e2d3c", "abfss://" + storageContainer + "@" + azurite.Account + ".dfs.core.windows.net/"},
	}
	windows := []struct {
		name  string
		flags []string
	}{
		{"pruning off", nil},
		{"pruning on", []string{"--since", "2026-11-23T00:00:00Z", "--until", "2026-11-24T00:00:00Z"}},
	}
	for _, w := range windows {
		args := append([]string{"sweep", "--format", "json", "--workers", "3", endpoint}, w.flags...)
		localOut, localErr, code := runCLI(t, "", append(args, fx.local)...)
		if code != 0 {
			t.Fatalf("%s: local sweep exited %d: %s", w.name, code, localErr)
		}
		if !strings.Contains(localOut, "gzip+json") || !strings.Contains(localOut, `"parquet`) {
			t.Fatalf("%s: the samples hold no gzip or no Parquet input:\n%s", w.name, clip(localOut))
		}
		pruned := strings.Contains(localErr, "pruned 2 partition folders")
		if pruned != (w.flags != nil) {
			t.Errorf("%s: local stderr says of pruning: %q", w.name, localErr)
		}
		validate(t, localOut) // the schema takes the inputs of format "pruned"
		if entry := `{"path":"` + fx.local + `","format":"pruned","records":0,"skipped":0,"other_records":0,"audit_records":0,"pruned":2}`; strings.Contains(localOut, entry) != pruned {
			t.Errorf("%s: the summary's inputs have the pruned entry %s: %v", w.name, entry, !pruned)
		}
		for _, form := range forms {
			out, errOut, code := runCLI(t, "", append(args, form.arg)...)
			if code != 0 {
				t.Errorf("%s, %s: remote sweep exited %d: %s", w.name, form.name, code, errOut)
				continue
			}
			if strings.Contains(errOut, "pruned 2 partition folders") != pruned {
				t.Errorf("%s, %s: stderr says of pruning %q; the local sweep %q", w.name, form.name, errOut, localErr)
			}
			// The pruned entry names the argument as given: read it as the local one.
			out = strings.Replace(out, `"path":"`+form.arg+`","format":"pruned"`, `"path":"`+fx.local+`","format":"pruned"`, 1)
			sameAsLocal(t, w.name+", "+form.name, fx.local, form.display, localOut, out)
		}
	}
}

func TestStorageEventsAndMerge(t *testing.T) {
	fx := newStorageFixture(t)
	remote := fx.emu.Service + "/" + storageContainer + "/"
	localOut, localErr, code := runCLI(t, "", "events", "--format", "jsonl", fx.local)
	if code != 0 {
		t.Fatalf("local events exited %d: %s", code, localErr)
	}
	out, errOut, code := runCLI(t, "", "events", "--format", "jsonl", remote)
	if code != 0 {
		t.Fatalf("remote events exited %d: %s", code, errOut)
	}
	if strings.Count(localOut, "\n") < 10 {
		t.Fatalf("events listed too little to compare:\n%s", localOut)
	}
	// The file column names the input, with its escapes as JSON writes them.
	sameAsLocal(t, "events", fx.local, remote, localOut, out)

	// merge reads summaries from the storage account as from disk.
	dir := t.TempDir()
	var shards []string
	for i, day := range []string{"d=22", "d=23"} {
		sum, errOut, code := runCLI(t, "", "sweep", "--format", "json", filepath.Join(fx.local, "tenantId=4f1e2d3c", "y=2026", "m=11", day))
		if code != 0 {
			t.Fatalf("sweep of %s exited %d: %s", day, code, errOut)
		}
		p := filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		os.WriteFile(p, []byte(sum), 0o644)
		shards = append(shards, p)
		fx.emu.Upload(t, "summaries", fmt.Sprintf("nightly/shard%d.json", i), []byte(sum))
	}
	want, errOut, code := runCLI(t, "", append([]string{"merge", "--format", "json"}, shards...)...)
	if code != 0 {
		t.Fatalf("local merge exited %d: %s", code, errOut)
	}
	got, errOut, code := runCLI(t, "", "merge", "--format", "json", fx.emu.Service+"/summaries/nightly/*.json")
	if code != 0 {
		t.Fatalf("remote merge exited %d: %s", code, errOut)
	}
	if got != want {
		t.Errorf("remote merge differs from the local one:\n%s\nwant:\n%s", clip(got), clip(want))
	}
}

func TestStorageAuthFailure(t *testing.T) {
	fx := newStorageFixture(t)
	bad := strings.Replace(fx.emu.ConnString(), azurite.Key[:10], "AAAAAAAAAA", 1)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", bad)
	_, errOut, code := runCLI(t, "", "sweep", fx.emu.Service+"/"+storageContainer+"/")
	if code != 1 {
		t.Errorf("exit %d, want 1: %s", code, errOut)
	}
	if n := strings.Count(errOut, "\n"); n != 1 || !strings.Contains(errOut, "storage account "+azurite.Account) ||
		!strings.Contains(errOut, "the account key of AZURE_STORAGE_CONNECTION_STRING") || !strings.Contains(errOut, "403") {
		t.Errorf("want one line naming the account, the credential and the refusal, got %d lines:\n%s", n, errOut)
	}
}

// faultProxy stands between grantsweep and Azurite on loopback: it answers 503 to a
// share of the requests and cuts a share of the responses mid-body, by a fixed pattern
// (request n of every cycle, counted per path), or, for the blobs whose names contain
// doom, every time. The cycle is counted per path, not over all requests, so that no
// blob meets more faults in a row than the pattern has: with one count for all, the
// workers' requests can fall into step and one blob take every fault, past its retries.
type faultProxy struct {
	target string
	every  int64  // 503 for every every-th request of a path (0: none)
	cut    int64  // cut every cut-th response of a path with a body mid-body (0: none)
	doom   string // the requests for blobs whose names contain it always fail
	doomBy string // "503", "cut" or "stall"
	mu     sync.Mutex
	n      map[string]int64 // requests so far, by path
	faults atomic.Int64
	addr   string
}

func startFaultProxy(t *testing.T, target string, p *faultProxy) *faultProxy {
	t.Helper()
	p.target = target
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = l.Addr().String()
	srv := &http.Server{Handler: p, ErrorLog: log.New(io.Discard, "", 0)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		wg.Wait()
	})
	return p
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.n == nil {
		p.n = map[string]int64{}
	}
	p.n[r.URL.Path]++
	n := p.n[r.URL.Path]
	p.mu.Unlock()
	doomed := p.doom != "" && strings.Contains(r.URL.Path, p.doom) && r.Method == http.MethodGet && r.URL.Query().Get("comp") == ""
	if doomed && p.doomBy == "stall" {
		<-r.Context().Done() // until the client gives up
		return
	}
	if (p.every > 0 && n%p.every == 0) || (doomed && p.doomBy == "503") {
		p.faults.Add(1)
		w.Header().Set("x-ms-error-code", "ServerBusy")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+p.target+r.URL.RequestURI(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	out.ContentLength = r.ContentLength
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	cut := resp.ContentLength > 1 && r.Method == http.MethodGet && ((p.cut > 0 && n%p.cut == 0) || (doomed && p.doomBy == "cut"))
	w.WriteHeader(resp.StatusCode)
	if cut {
		p.faults.Add(1)
		// A doomed blob's first response gives half its bytes, the retries' none: the
		// retries make no progress, and run out.
		half := resp.ContentLength / 2
		if doomed && r.Header.Get("x-ms-range")+r.Header.Get("Range") != "" {
			half = 0
		}
		io.CopyN(w, resp.Body, half)
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-body
	}
	io.Copy(w, resp.Body)
}

// TestStorageBlobTimeout: a blob whose responses stall is given up at its deadline, named,
// and the others are read.
func TestStorageBlobTimeout(t *testing.T) {
	fx := newStorageFixture(t)
	px := startFaultProxy(t, fx.emu.Addr, &faultProxy{doom: "signIns.jsonl", doomBy: "stall"})
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", azurite.ConnString(px.addr))
	remote := "http://" + px.addr + "/" + azurite.Account + "/" + storageContainer + "/"
	out, errOut, code := runCLI(t, "", "sweep", "--format", "json", "--blob-timeout", "2s", remote)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "graph_signIns.jsonl: deadline of 2s per blob passed (--blob-timeout)") {
		t.Errorf("the stalled blob is not named with its deadline:\n%s", errOut)
	}
	if strings.Count(out, `"error":`) != 1 || !strings.Contains(out, `"format":"gzip+json`) {
		t.Errorf("want the stalled blob failed and the others read:\n%s", clip(out))
	}
}

func TestStorageFaults(t *testing.T) {
	fx := newStorageFixture(t)
	local, localErr, code := runCLI(t, "", "sweep", "--format", "json", fx.local)
	if code != 0 {
		t.Fatalf("local sweep exited %d: %s", code, localErr)
	}

	t.Run("within retries", func(t *testing.T) {
		px := startFaultProxy(t, fx.emu.Addr, &faultProxy{every: 3, cut: 4})
		t.Setenv("AZURE_STORAGE_CONNECTION_STRING", azurite.ConnString(px.addr))
		remote := "http://" + px.addr + "/" + azurite.Account + "/" + storageContainer + "/"
		for _, workers := range []string{"1", "4"} {
			out, errOut, code := runCLI(t, "", "sweep", "--format", "json", "--workers", workers, remote)
			if code != 0 {
				t.Fatalf("workers %s: exit %d: %s", workers, code, errOut)
			}
			sameAsLocal(t, "faults within retries, workers "+workers, fx.local, remote, local, out)
		}
		if px.faults.Load() < 5 {
			t.Errorf("the proxy made only %d faults: the test proves little", px.faults.Load())
		}
	})

	for _, by := range []string{"503", "cut"} {
		t.Run("past retries by "+by, func(t *testing.T) {
			doom := "signIns.jsonl" // graph_signIns.jsonl
			px := startFaultProxy(t, fx.emu.Addr, &faultProxy{doom: doom, doomBy: by})
			t.Setenv("AZURE_STORAGE_CONNECTION_STRING", azurite.ConnString(px.addr))
			remote := "http://" + px.addr + "/" + azurite.Account + "/" + storageContainer + "/"
			out, errOut, code := runCLI(t, "", "sweep", "--format", "json", remote)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var failedLines []string
			for l := range strings.Lines(errOut) {
				if strings.Contains(l, doom) && !strings.Contains(l, "skipped as undecodable") {
					failedLines = append(failedLines, l)
				}
			}
			if len(failedLines) != 1 {
				t.Fatalf("want the doomed blob named once on stderr, got:\n%s", errOut)
			}
			want := map[string]string{"503": "HTTP 503 ServerBusy", "cut": "connection dropped mid-blob"}[by]
			if !strings.Contains(failedLines[0], want) {
				t.Errorf("the failed blob's line says %q, want %q", failedLines[0], want)
			}
			// Named and counted in the summary's inputs, with an error; the others read.
			m := regexp.MustCompile(`\{"path":"[^"]*` + regexp.QuoteMeta(doom) + `","format":"[^"]*","records":(\d+),[^\n]*"error":"[^"]+"\}`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("the summary's inputs do not name the failed blob with an error:\n%s", clip(out))
			}
			if by == "503" && m[1] != "0" {
				t.Errorf("a blob refused at every try read %s records", m[1])
			}
			if by == "cut" && m[1] == "0" {
				t.Errorf("the records read before the blob broke were not counted")
			}
			if strings.Count(out, `"error":`) != 1 {
				t.Errorf("other inputs failed too:\n%s", clip(out))
			}
			_, _, code = runCLI(t, "", "sweep", "--format", "json", "--strict", remote)
			if code != 4 {
				t.Errorf("--strict: exit %d, want 4", code)
			}
		})
	}
}

// TestProgressCountsListedSizes: the progress line's total takes the remote inputs' sizes
// from their listing.
func TestProgressCountsListedSizes(t *testing.T) {
	var buf strings.Builder
	p, err := startProgress("always", &buf, []string{"az://a/c/x.json"})
	if err != nil || p == nil {
		t.Fatalf("no progress: %v", err)
	}
	p.addSizes(map[string]int64{"az://a/c/x.json": 5_000_000})
	p.read.Store(2_500_000)
	p.draw(time.Second)
	p.finish()
	if out := buf.String(); !strings.Contains(out, " 50%") || !strings.Contains(out, "2.5 MB of 5.0 MB") {
		t.Errorf("progress line %q", out)
	}
}
