package rules

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestKQLTimespan(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{14 * 24 * time.Hour, "14d"}, {36 * time.Hour, "36h"}, {90 * time.Minute, "90m"}, {30 * time.Second, "30s"},
		{1500 * time.Millisecond, "1500ms"}, {3 * time.Microsecond, "3microsecond"}, {250 * time.Nanosecond, "2tick"}, {0, "0d"},
		{-2 * time.Hour, "-2h"},
	} {
		if got := kqlTimespan(tt.d); got != tt.want {
			t.Errorf("kqlTimespan(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	var b strings.Builder
	if err := Default().WriteKQL(&b, Since{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); !errors.Is(err, ErrSince) || b.Len() != 0 {
		t.Errorf("WriteKQL of year 10000 = %v, wrote %d bytes; want ErrSince and nothing", err, b.Len())
	}
}
