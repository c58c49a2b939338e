package spill

import (
	"runtime/debug"
	"testing"
)

// TestPinRaisesSoftLimit: memory that cannot spill counts as held and raises the soft
// limit the budget owns, in whole MiB, and gives it back when released.
func TestPinRaisesSoftLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	b := NewBudget(10<<20, t.TempDir())
	b.SetSoftLimit(100 << 20)
	b.Pin(3<<20 + 5)
	if got := debug.SetMemoryLimit(-1); got != 103<<20 {
		t.Errorf("soft limit with 3 MiB pinned = %d, want %d", got, 103<<20)
	}
	if b.Used() != 3<<20+5 {
		t.Errorf("Used = %d, want the pinned bytes", b.Used())
	}
	b.Pin(-(3<<20 + 5))
	if got := debug.SetMemoryLimit(-1); got != 100<<20 {
		t.Errorf("soft limit after release = %d, want %d", got, 100<<20)
	}
	unowned := NewBudget(10<<20, t.TempDir())
	unowned.Pin(5 << 20)
	if got := debug.SetMemoryLimit(-1); got != 100<<20 {
		t.Errorf("a budget without a soft limit moved it to %d", got)
	}
}
