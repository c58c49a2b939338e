package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMainProcess is the program itself when a test starts this test binary with
// GRANTSWEEP_TEST_MAIN set to its arguments (separated by newlines); it is skipped otherwise.
func TestMainProcess(t *testing.T) {
	args, ok := os.LookupEnv("GRANTSWEEP_TEST_MAIN")
	if !ok {
		t.Skip("runs only as a child process of TestInterrupt")
	}
	os.Args = append([]string{"grantsweep"}, strings.Split(args, "\n")...)
	main() // exits
}

// TestInterrupt: Ctrl-C (SIGINT) stops a sweep reading a FIFO whose writer never
// finishes, within a second, with exit 1.
func TestInterrupt(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	fifo := mkfifo(t)
	release := make(chan struct{})
	defer close(release)
	wrote := make(chan struct{})
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		w.Write(data) // then nothing, and no end
		close(wrote)
		<-release
	}()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	cmd.Env = append(os.Environ(), "GRANTSWEEP_TEST_MAIN=sweep\n"+fifo)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wrote:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the program did not read the FIFO")
	}
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitError || !strings.Contains(stderr.String(), "context canceled") {
			t.Errorf("after SIGINT: %v, stderr %q; want exit %d saying the run was cancelled", err, stderr.String(), exitError)
		}
	case <-time.After(time.Second):
		cmd.Process.Signal(syscall.SIGKILL)
		t.Fatal("the program went on a second after SIGINT")
	}
}
