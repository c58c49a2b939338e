package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
)

// startProfiles starts a CPU profile and arranges a heap profile, as the flags ask. The
// first returned function writes the heap profile (after reading, to show what reading
// keeps); the second ends both, the CPU profile covering the reports too. Each does its
// work once; later calls do nothing.
func startProfiles(cpu, mem string) (heap, stop func(), err error) {
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return nil, nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		cpuFile = f
	}
	heap = sync.OnceFunc(func() {
		if mem != "" {
			if f, err := os.Create(mem); err == nil {
				runtime.GC()
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
	})
	stop = sync.OnceFunc(func() {
		heap()
		if cpuFile != nil {
			pprof.StopCPUProfile()
			cpuFile.Close()
		}
	})
	return heap, stop, nil
}
