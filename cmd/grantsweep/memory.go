package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/report/spill"
)

// defaultMemory is the memory budget of a sweep or merge without --memory or GOMEMLIMIT.
const defaultMemory = 64 << 20

// minMemory is the smallest --memory taken; tests lower it to spill small inputs.
var minMemory int64 = 16 << 20

// runtimeLimit is set by main: the budget sets the garbage collector's soft limit of the
// process (tests, which run many commands in one process, leave theirs alone).
var runtimeLimit bool

// memoryOptions are --memory and --spill-dir (sweep, merge).
type memoryOptions struct {
	memory   string
	spillDir string
}

func (o *memoryOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.memory, "memory", "", "a memory budget of `SIZE` for the whole process, such as 64MiB, 256MiB or 1GiB (default 64MiB, or GOMEMLIMIT when set): in-scope events beyond it spill to disk")
	fs.StringVar(&o.spillDir, "spill-dir", "", "make the temporary directory for spilled events in `DIR` (default the system's; removed on exit)")
}

// budget is the run's memory budget. Five sixteenths of it hold in-scope events and the
// pages parquet-go holds of the row groups being read (parse.Input.SetHold: they grow
// with a file's row groups, up to 7 MB a worker for groups of 122,880 rows), and the
// garbage collector's soft limit is five eighths of it unless GOMEMLIMIT sets one: the
// rest is the program's code and stacks, the readers' fixed buffers and the counts (measured:
// a sweep of 300,000 distinct events peaked at 75 MiB of 64 with half for events and a
// limit of three quarters, at 61 MiB with these). The caller closes it, which removes
// what was spilled; so does an interrupt (see cleanup).
func (o *memoryOptions) budget(cmd string) (*spill.Budget, int64, error) {
	total := int64(defaultMemory)
	_, envLimit := os.LookupEnv("GOMEMLIMIT")
	switch {
	case o.memory != "":
		n, err := parseSize(o.memory)
		if err != nil {
			return nil, 0, usageError("%s: --memory: %v", cmd, err)
		}
		if n < minMemory {
			return nil, 0, usageError("%s: --memory %s: want at least %s (the program itself needs that)", cmd, o.memory, formatSize(minMemory))
		}
		total = n
	case envLimit:
		if n := debug.SetMemoryLimit(-1); n > 0 && n < 1<<50 {
			total = n
		}
	}
	soft := runtimeLimit && !envLimit
	if o.spillDir != "" {
		if fi, err := os.Stat(o.spillDir); err != nil || !fi.IsDir() {
			if err == nil {
				err = fmt.Errorf("not a directory")
			}
			return nil, 0, usageError("%s: --spill-dir %s: %v", cmd, o.spillDir, err)
		}
	}
	b := spill.NewBudget(total/16*5, o.spillDir)
	if soft {
		b.SetSoftLimit(total / 8 * 5) // raised by what cannot spill (the audit join's change records)
	}
	registerCleanup(b)
	return b, total, nil
}

// reportSpill says on stderr how much was spilled, if anything was.
func reportSpill(stderr io.Writer, b *spill.Budget, total int64) {
	if n, runs := b.Spilled(); n > 0 {
		fmt.Fprintf(stderr, "grantsweep: spilled %s in %s to %s (memory budget %s)\n", plural(n, "byte"), plural(int64(runs), "run"), b.Dir(), formatSize(total))
	}
}

// closeBudget removes what the budget spilled.
func closeBudget(b *spill.Budget) {
	b.Close()
	cleanups.Lock()
	delete(cleanups.budgets, b)
	cleanups.Unlock()
}

// cleanups are the budgets whose spill directories an interrupt that ends the process
// at once must remove.
var cleanups = struct {
	sync.Mutex
	budgets map[*spill.Budget]bool
}{budgets: map[*spill.Budget]bool{}}

func registerCleanup(b *spill.Budget) {
	cleanups.Lock()
	cleanups.budgets[b] = true
	cleanups.Unlock()
}

// cleanup removes every spill directory still open.
func cleanup() {
	cleanups.Lock()
	defer cleanups.Unlock()
	for b := range cleanups.budgets {
		b.Close()
	}
}

// parseSize reads a size: a number of bytes, or one with a unit: KiB, MiB, GiB, TiB (and
// K, M, G, T for them), or KB, MB, GB, TB (powers of 1000).
func parseSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("%q is not a size (such as 64MiB, 512MB or 2GiB)", v)
	}
	mult := map[string]float64{"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tib": 1 << 40,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12}[strings.ToLower(unit)]
	if mult == 0 {
		return 0, fmt.Errorf("%q: unknown unit %q (want KiB, MiB, GiB, TiB, or KB, MB, GB, TB)", v, unit)
	}
	n := f * mult
	if n >= 1<<62 {
		return 0, fmt.Errorf("%q is too large", v)
	}
	return int64(n), nil
}

// formatSize writes a size for people: 64 MiB, 1.5 GiB.
func formatSize(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', -1, 64) + " GiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + " MiB"
	}
	if n == 1 {
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
