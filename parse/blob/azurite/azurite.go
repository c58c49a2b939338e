// Package azurite starts Azurite, the Azure Storage emulator, for tests: its blob service
// on 127.0.0.1 with a free port and a temporary folder, stopped when the test ends. It
// installs nothing: .ci/run installs the npm package azurite and exports AZURITE_BLOB, the
// path of its azurite-blob. Without it, a test skips, except in CI (CI set), where it fails.
package azurite

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// Account and Key are the emulator's well-known development account and its key (the
// same in every copy of Azurite, published with it).
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Emulator is a running Azurite blob service.
type Emulator struct {
	Addr    string // 127.0.0.1:PORT
	Service string // http://127.0.0.1:PORT/devstoreaccount1
	client  *azblob.Client
}

// ConnString is the connection string of the emulator's account at addr (the emulator's
// own address, or a proxy's in front of it).
func ConnString(addr string) string {
	return "DefaultEndpointsProtocol=http;AccountName=" + Account + ";AccountKey=" + Key + ";BlobEndpoint=http://" + addr + "/" + Account + ";"
}

// ConnString is the connection string of the emulator's account.
func (e *Emulator) ConnString() string { return ConnString(e.Addr) }

// binary finds azurite-blob: $AZURITE_BLOB, the repository's .ci/node_modules, or PATH.
func binary() string {
	if p := os.Getenv("AZURITE_BLOB"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	_, file, _, _ := runtime.Caller(0)
	local := filepath.Join(filepath.Dir(file), "..", "..", "..", ".ci", "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(local); err == nil {
		return local
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p
	}
	return ""
}

// Start starts the emulator for the test t and stops it when t ends.
func Start(t testing.TB) *Emulator {
	t.Helper()
	bin := binary()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("azurite-blob not found (.ci/run installs it and sets AZURITE_BLOB): the storage tests cannot run")
		}
		t.Skip("azurite-blob not found: install it with .ci/run, or npm install azurite, to run the storage tests")
	}
	port := freePort(t)
	dir := t.TempDir()
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port), "--location", dir,
		"--silent", "--skipApiVersionCheck", "--loose")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting azurite: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(60 * time.Second) // node starts slowly on a busy machine
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("azurite exited before listening: %v\n%s", err, logs.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("azurite did not listen on %s within a minute\n%s", addr, logs.String())
		}
	}
	e := &Emulator{Addr: addr, Service: "http://" + addr + "/" + Account}
	client, err := azblob.NewClientFromConnectionString(e.ConnString(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.client = client
	return e
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Upload writes data as the blob name in container, creating the container when needed.
func (e *Emulator) Upload(t testing.TB, container, name string, data []byte) {
	t.Helper()
	e.UploadWith(t, container, name, data, nil)
}

// UploadWith is Upload with the blob's metadata (a Data Lake's folder entry is a blob of
// no bytes with hdi_isfolder=true).
func (e *Emulator) UploadWith(t testing.TB, container, name string, data []byte, metadata map[string]*string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.client.CreateContainer(ctx, container, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		t.Fatalf("creating container %s: %v", container, err)
	}
	if _, err := e.client.UploadBuffer(ctx, container, name, data, &azblob.UploadBufferOptions{Metadata: metadata}); err != nil {
		t.Fatalf("uploading %s/%s: %v", container, name, err)
	}
}

// UploadDir uploads every file below dir into container, named by its path below dir
// with slashes, under prefix.
func (e *Emulator) UploadDir(t testing.TB, container, prefix, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		e.Upload(t, container, prefix+filepath.ToSlash(rel), data)
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
