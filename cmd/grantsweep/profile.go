package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
)

// startProfiles starts a CPU profile and arranges a heap profile, as the flags ask. Both
// files are created here, so that one that cannot be is an error before the sweep. The
// first returned function writes the heap profile (after reading, to show what reading
// keeps) and returns its error; the second ends both, the CPU profile covering the
// reports too. Each does its work once; later calls do nothing.
func startProfiles(cpu, mem string) (heap func() error, stop func(), err error) {
	var memFile *os.File
	if mem != "" {
		if memFile, err = os.Create(mem); err != nil {
			return nil, nil, fmt.Errorf("--memprofile: %w", err)
		}
	}
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			if memFile != nil {
				memFile.Close()
				os.Remove(mem)
			}
			return nil, nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		cpuFile = f
	}
	heap = sync.OnceValue(func() error {
		if memFile == nil {
			return nil
		}
		runtime.GC()
		err := pprof.WriteHeapProfile(memFile)
		if cerr := memFile.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		return nil
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
