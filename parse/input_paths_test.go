package parse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// signInLines is the first lines of the Graph JSON Lines sample, the records that
// testdata/paths/signins-20.jsonl.bz2 holds (made with bzip2 -9).
func signInLines(t *testing.T, n int) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "samples", "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	return bytes.Join(lines[:n], nil)
}

// TestExpandSymlinks: a link named as PATH is followed; links inside a walk are followed
// (each real file once, a directory loop walked once) unless NoFollow, which names each;
// a glob that matches directories walks them.
func TestExpandSymlinks(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"data/a.json", "data/sub/b.json", "walk/x.json", "walk/.h/y.json"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte("{}\n"), 0o644)
	}
	for link, target := range map[string]string{
		"dl":                 "data",
		"walk/link-to-data":  "../data",
		"walk/loop":          ".",
		"walk/filelink.json": "../data/a.json",
		"walk/.hidden":       "../data",
		"walk/dangling.json": "nowhere.json",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	rel := func(paths []string) string {
		var out []string
		for _, p := range paths {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return strings.Join(out, " ")
	}
	at := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	for _, tt := range []struct {
		name       string
		args       []string
		noFollow   bool
		want       string
		unfollowed string
		errs       int
	}{
		{"link to a directory named", []string{at("dl")}, false, "dl/a.json dl/sub/b.json", "", 0},
		{"link to a directory, slash", []string{at("dl") + "/"}, false, "dl/a.json dl/sub/b.json", "", 0},
		{"links in a walk followed, loop once, file once", []string{at("walk")}, false,
			"walk/filelink.json walk/link-to-data/sub/b.json walk/x.json", "", 1},
		{"a directory and a link to it: read once", []string{at("dl"), at("data")}, false, "data/a.json data/sub/b.json", "", 0},
		{"same, other order", []string{at("data"), at("dl")}, false, "data/a.json data/sub/b.json", "", 0},
		{"no-follow names each link", []string{at("walk")}, true, "walk/x.json",
			"walk/dangling.json walk/filelink.json walk/link-to-data walk/loop", 0},
		{"no-follow still follows a link named", []string{at("dl")}, true, "dl/a.json dl/sub/b.json", "", 0},
		{"glob matching directories walks them", []string{at("d*")}, false, "data/a.json data/sub/b.json", "", 0},
		{"glob matching a directory by **", []string{at("**/sub")}, false, "data/sub/b.json", "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			paths, unfollowed, errs := ExpandWith(tt.args, ExpandOptions{NoFollow: tt.noFollow})
			if got := rel(paths); got != tt.want || len(errs) != tt.errs {
				t.Errorf("ExpandWith(%v) = %q, %v; want %q and %d errors", tt.args, got, errs, tt.want, tt.errs)
			}
			if got := rel(unfollowed); got != tt.unfollowed {
				t.Errorf("ExpandWith(%v) did not follow %q, want %q", tt.args, got, tt.unfollowed)
			}
			if tt.noFollow {
				return
			}
			if paths, errs := Expand(tt.args); rel(paths) != tt.want || len(errs) != tt.errs {
				t.Errorf("Expand(%v) = %q, %v; want %q and %d errors", tt.args, rel(paths), errs, tt.want, tt.errs)
			}
		})
	}
}

// TestCompressionLayers: zstd and bzip2 are read, xz is named; a broken zstd stream says
// where it broke.
func TestCompressionLayers(t *testing.T) {
	plain := signInLines(t, 20)
	var zs bytes.Buffer
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(plain)
	zw.Close()
	bz, err := os.ReadFile(filepath.Join("testdata", "paths", "signins-20.jsonl.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	want, _, _, err := read(t, "plain.jsonl", plain)
	if err != nil || len(want) != 20 {
		t.Fatalf("plain: %d events, %v", len(want), err)
	}
	for _, tt := range []struct {
		name, format string
		data         []byte
	}{
		{"x.jsonl.zst", "zstd+json/lines", zs.Bytes()},
		{"x.jsonl.bz2", "bzip2+json/lines", bz},
	} {
		evs, recErrs, format, fatal := read(t, tt.name, tt.data)
		if fatal != nil || len(recErrs) > 0 || len(evs) != len(want) || format != tt.format {
			t.Errorf("%s: %d events, %v, %v, format %q; want %d events as %s", tt.name, len(evs), recErrs, fatal, format, len(want), tt.format)
			continue
		}
		for i := range evs {
			if digest(evs[i]) != digest(want[i]) {
				t.Errorf("%s: event %d = %s, want %s", tt.name, i, digest(evs[i]), digest(want[i]))
			}
		}
	}
	xz := append([]byte{0xFD, '7', 'z', 'X', 'Z', 0}, bytes.Repeat([]byte{0x5a}, 100)...)
	if _, _, _, err := read(t, "x.jsonl.xz", xz); err == nil || !strings.Contains(err.Error(), "x.jsonl.xz: unsupported compression: xz (decompress it first)") {
		t.Errorf("xz: %v, want unsupported compression: xz naming the input", err)
	}
	cut := zs.Bytes()[:zs.Len()/2]
	evs, _, _, fatal := read(t, "cut.jsonl.zst", cut)
	if len(evs) >= 20 || fatal == nil || !strings.Contains(fatal.Error(), "cut.jsonl.zst") || !strings.Contains(fatal.Error(), "zstd stream broken after") {
		t.Errorf("half a zstd stream: %d events, error %v; want fewer than 20 and one naming the input and where zstd broke", len(evs), fatal)
	}
	bad := bytes.Clone(zs.Bytes())
	for i := 20; i < len(bad)-20; i += 7 {
		bad[i] ^= 0x55
	}
	if _, _, _, fatal := read(t, "bad.jsonl.zst", bad); fatal == nil || !strings.Contains(fatal.Error(), "zstd stream broken after") {
		t.Errorf("corrupt zstd stream: error %v, want one saying where zstd broke", fatal)
	}
}

// TestDescribeQuotesNothing: an input of unknown format is described, never quoted:
// its bytes may be personal data (--redact) or terminal escapes.
func TestDescribeQuotesNothing(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"users.txt", "alice.secret@contoso.com 203.0.113.201 revoked\nbob@contoso.com 198.51.100.7\n", "text whose first line (46 bytes) is neither JSON nor a CSV header"},
		{"esc.txt", "\x1b]0;owned\x07\x1b[2J hello\n", "text whose first line"},
		{"bin.dat", "\x00\x01alice.secret@contoso.com", "binary data"},
		{"notutf8.dat", "\x80\x81 alice.secret@contoso.com\xc0", "binary data"},
		{"x.csv", "alice.secret@contoso.com,203.0.113.201,a,b\n", "CSV without a sign-in header row"},
	} {
		_, _, _, err := read(t, tt.name, []byte(tt.data))
		if err == nil || !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrUnknownFormat saying %q", tt.name, err, tt.want)
			continue
		}
		msg := err.Error()
		for _, leak := range []string{"alice", "203.0", "\x1b", "owned", "hello", "\x07"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: error %q quotes the input's bytes (%q)", tt.name, msg, leak)
			}
		}
	}
}

// TestForcedFormatMismatch: with --input-format, an input plainly not in that format is
// an error when it is opened, before any decoding, saying why.
func TestForcedFormatMismatch(t *testing.T) {
	portal, err := os.ReadFile(filepath.Join("..", "samples", "portal", "NonInteractiveSignIns_2026-11-24_2026-11-25.csv"))
	if err != nil {
		t.Fatal(err)
	}
	pq, err := os.ReadFile(filepath.Join("..", "samples", "adx", "AADNonInteractiveUserSignInLogs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	jsonl := signInLines(t, 3)
	for _, tt := range []struct {
		name, format string
		data         []byte
		want         string // "" for no error at open
	}{
		{"portal.csv", "parquet", portal, "portal.csv: not Parquet: no PAR1 magic (it looks like CSV)"},
		{"portal.csv", "json", portal, "portal.csv: not JSON: first byte 'D' (it looks like CSV)"},
		{"x.jsonl", "csv", jsonl, "x.jsonl: not CSV: no header row naming a sign-in column (it looks like JSON)"},
		{"x.jsonl", "parquet", jsonl, "x.jsonl: not Parquet: no PAR1 magic (it looks like JSON)"},
		{"x.parquet", "json", pq, "x.parquet: not JSON: first byte 'P' (it looks like Parquet)"},
		{"bin", "json", []byte("\x00\x01\x02"), "bin: not JSON: first byte 0x00"},
		{"portal.csv", "csv", portal, ""},
		{"x.jsonl", "json", jsonl, ""},
		{"x.parquet", "parquet", pq, ""},
		{"empty", "parquet", nil, ""}, // an empty file is fine in any format
		{"one-column.csv", "csv", []byte("ResultType,Operator\n70000,alice\n"), ""},
	} {
		in, err := NewInputAs(io.NopCloser(bytes.NewReader(tt.data)), tt.name, tt.format)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s as %s: %v, want no error", tt.name, tt.format, err)
			} else {
				in.Close()
			}
			continue
		}
		if err == nil {
			in.Close()
			t.Errorf("%s as %s: opened, want %q", tt.name, tt.format, tt.want)
			continue
		}
		if err.Error() != tt.want || !errors.Is(err, ErrNotFormat) {
			t.Errorf("%s as %s: %q, want %q (ErrNotFormat)", tt.name, tt.format, err, tt.want)
		}
	}
}

// TestOpenContextFIFO: a FIFO is opened once and read as a stream (Parquet spooled); a
// context that ends stops the reading of one whose writer never finishes, at once.
func TestOpenContextFIFO(t *testing.T) {
	pq, err := os.ReadFile(filepath.Join("..", "samples", "adx", "AADNonInteractiveUserSignInLogs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		data   []byte
		format string
	}{
		{"jsonl", signInLines(t, 20), "json/lines"},
		{"parquet", pq, "parquet"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "fifo")
			if err := makeFIFO(fifo); err != nil {
				t.Skip("no FIFOs here:", err)
			}
			go func() {
				w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err == nil {
					w.Write(tt.data)
					w.Close()
				}
			}()
			done := make(chan string, 1)
			go func() {
				in, err := OpenWith(fifo, nil, OpenOptions{Context: context.Background()})
				if err != nil {
					done <- err.Error()
					return
				}
				defer in.Close()
				n := 0
				for _, err := range in.Events() {
					if err != nil {
						done <- err.Error()
						return
					}
					n++
				}
				if n == 0 || !strings.HasPrefix(in.Format(), tt.format) {
					done <- "no events or format " + in.Format()
				}
				done <- ""
			}()
			select {
			case msg := <-done:
				if msg != "" {
					t.Fatal(msg)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("reading a FIFO did not finish")
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := makeFIFO(fifo); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		release := make(chan struct{})
		defer close(release)
		go func() {
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer w.Close()
			w.Write(signInLines(t, 3)) // then nothing more, and no end
			<-release
		}()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			// Opening waits for 8 KiB or the end to detect the format: 3 lines are
			// less, so it is the open that the context's end interrupts.
			in, err := OpenWith(fifo, nil, OpenOptions{Context: ctx})
			if err != nil {
				done <- err
				return
			}
			defer in.Close()
			var last error
			for _, err := range in.Events() {
				if err != nil {
					last = err
				}
			}
			done <- last
		}()
		time.Sleep(100 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), fifo) {
				t.Errorf("error %v, want context.Canceled naming the input", err)
			}
		case <-time.After(time.Second):
			t.Fatal("reading went on a second after the context ended")
		}
	})
}
