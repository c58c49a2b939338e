package blob

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/parse/blob/azurite"
)

// counting records the requests a Store sends.
type counting struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (c *counting) Do(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r)
	c.mu.Unlock()
	return http.DefaultClient.Do(r)
}

func (c *counting) lists() (n int, prefixes []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.reqs {
		if r.URL.Query().Get("comp") == "list" {
			n++
			prefixes = append(prefixes, r.URL.Query().Get("prefix"))
		}
	}
	return n, prefixes
}

// TestListingPrunes: a nightly --since over a year of hourly blobs lists about a day, and
// a listing without a window asks only for the glob's literal prefix.
func TestListingPrunes(t *testing.T) {
	emu := azurite.Start(t)
	const container = "insights-logs-signinlogs"
	total := 0
	// Of every day of the year its noon, and every hour of the last day.
	for h := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC); h.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); h = h.Add(time.Hour) {
		if h.Hour() != 12 && h.Before(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) {
			continue
		}
		emu.Upload(t, container, fmt.Sprintf("tenantId=x/y=%d/m=%02d/d=%02d/h=%02d/m=00/PT1H.json", h.Year(), h.Month(), h.Day(), h.Hour()), []byte("{}\n"))
		total++
	}
	emu.Upload(t, "other", "x.json", []byte("{}\n"))
	env := func(string) string { return emu.ConnString() }
	ctx := context.Background()
	arg := emu.Service + "/" + container + "/tenantId=x/**/PT1H.json"

	var all counting
	blobs, pruned, err := New(Options{Transport: &all, Getenv: env}).Expand(ctx, arg)
	if err != nil {
		t.Fatal(err)
	}
	if len(blobs) != total || len(pruned) != 0 {
		t.Fatalf("without a window: %d blobs, %d pruned; want %d, 0", len(blobs), len(pruned), total)
	}
	if n, prefixes := all.lists(); n != 1 || prefixes[0] != "tenantId=x/" {
		t.Errorf("without a window: %d listings, of prefixes %q; want one of tenantId=x/", n, prefixes)
	}

	var win counting
	w := parse.Window{Since: time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)}
	blobs, pruned, err = New(Options{Transport: &win, Getenv: env, Window: w}).Expand(ctx, arg)
	if err != nil {
		t.Fatal(err)
	}
	if len(blobs) != 23 {
		t.Errorf("with --since: %d blobs, want the 23 hours of the window", len(blobs))
	}
	for _, b := range blobs {
		if !strings.Contains(b.Name, "/y=2026/m=11/d=30/") || strings.Contains(b.Name, "h=00") || b.Size != 3 {
			t.Errorf("with --since: listed %s (%d bytes)", b.Name, b.Size)
		}
	}
	if len(pruned) != 1+10+29+1 || !strings.HasSuffix(pruned[0], "/tenantId=x/y=2025/") {
		t.Errorf("pruned %d folders (%v...), want 41 from y=2025", len(pruned), pruned[:min(2, len(pruned))])
	}
	// tenantId=x/, y=2026/, m=11/, d=30/, and each of the 23 hours with its m=00/.
	if n, prefixes := win.lists(); n > 4+2*23 {
		t.Errorf("with --since: %d listings, want at most %d: %q", n, 4+2*23, prefixes)
	}
}

// TestReadAt reads a blob at random through the cache of blocks and as a stream.
func TestReadAt(t *testing.T) {
	emu := azurite.Start(t)
	data := make([]byte, 3*blockSize+12345)
	for i := range data {
		data[i] = byte(i * 7)
	}
	emu.Upload(t, "blocks", "big.bin", data)
	var reqs counting
	s := New(Options{Transport: &reqs, Getenv: func(string) string { return emu.ConnString() }})
	blobs, _, err := s.Expand(context.Background(), emu.Service+"/blocks/big.bin")
	if err != nil || len(blobs) != 1 || blobs[0].Size != int64(len(data)) {
		t.Fatalf("%v %v", blobs, err)
	}
	r, err := s.Open(context.Background(), blobs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, c := range []struct{ off, n int }{{0, 10}, {blockSize - 5, 10}, {2*blockSize + 1, blockSize + 100}, {len(data) - 8, 8}, {5, 5}} {
		p := make([]byte, c.n)
		n, err := r.ReadAt(p, int64(c.off))
		if n != c.n || err != nil || string(p) != string(data[c.off:c.off+c.n]) {
			t.Errorf("ReadAt(%d, %d) = %d, %v", c.off, c.n, n, err)
		}
	}
	if n, err := r.ReadAt(make([]byte, 10), int64(len(data)-4)); n != 4 || err != io.EOF {
		t.Errorf("ReadAt past the end = %d, %v", n, err)
	}
	gets := 0
	for _, q := range reqs.reqs {
		if q.Method == http.MethodGet && q.URL.Query().Get("comp") == "" {
			gets++
		}
	}
	if gets != 4 { // blocks 0, 1, 2 and 3, each once
		t.Errorf("%d ranged requests, want 4 (one per block)", gets)
	}
	r2, _ := s.Open(context.Background(), blobs[0])
	got, err := io.ReadAll(r2)
	r2.Close()
	if err != nil || string(got) != string(data) {
		t.Errorf("streamed %d bytes, %v", len(got), err)
	}
}

// TestListingSkipsLakeFolders: a Data Lake's folder entries (blobs of no bytes marked
// hdi_isfolder) are no inputs; an empty blob that is no folder is one.
func TestListingSkipsLakeFolders(t *testing.T) {
	emu := azurite.Start(t)
	yes := "true"
	emu.UploadWith(t, "lake", "signins", nil, map[string]*string{"hdi_isfolder": &yes})
	emu.UploadWith(t, "lake", "signins/date=2026-11-24", nil, map[string]*string{"hdi_isfolder": &yes})
	emu.Upload(t, "lake", "signins/date=2026-11-24/part-0.parquet", []byte("PAR1"))
	emu.Upload(t, "lake", "signins/date=2026-11-24/empty.json", nil)
	// Listed flat, and a folder at a time (with a window).
	for _, w := range []parse.Window{{}, {Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}} {
		s := New(Options{Endpoint: emu.Service, Window: w, Getenv: func(string) string { return emu.ConnString() }})
		blobs, _, err := s.Expand(context.Background(), "az://"+azurite.Account+"/lake/signins")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, b := range blobs {
			names = append(names, b.Name[strings.LastIndex(b.Name, "/")+1:])
		}
		if strings.Join(names, " ") != "empty.json part-0.parquet" {
			t.Errorf("window %v: listed %q", w, names)
		}
	}
}
