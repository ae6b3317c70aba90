package worker

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestWatchdog arms, re-arms and disarms one watchdog in sequences like
// the HTTP engine's (one timer reused) and checks when it expires.
func TestWatchdog(t *testing.T) {
	tests := []struct {
		name       string
		steps      []time.Duration // successive set() calls; 0 disarms
		wantExpire bool
	}{
		{"armed", []time.Duration{30 * time.Millisecond}, true},
		{"disarmed", []time.Duration{30 * time.Millisecond, 0}, false},
		{"re-armed longer", []time.Duration{20 * time.Millisecond, time.Hour}, false},
		{"re-armed shorter", []time.Duration{time.Hour, 20 * time.Millisecond}, true},
		{"disarmed then armed", []time.Duration{time.Hour, 0, 20 * time.Millisecond}, true},
		{"many requests", []time.Duration{time.Hour, 0, time.Hour, 0, time.Hour, 0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var expired atomic.Bool
			var reported []time.Time
			w := newWatchdog(func(time.Duration) { expired.Store(true) }, func(d time.Time) { reported = append(reported, d) })
			for _, d := range tt.steps {
				w.set(d)
			}
			last := tt.steps[len(tt.steps)-1]
			if r := w.remaining(); (last == 0) != (r == 0) || r > last {
				t.Errorf("remaining = %v after set(%v)", r, last)
			}
			if len(reported) != len(tt.steps) || reported[len(reported)-1].IsZero() != (last == 0) {
				t.Errorf("reported deadlines %v", reported)
			}
			time.Sleep(120 * time.Millisecond)
			if expired.Load() != tt.wantExpire {
				t.Errorf("expired = %v, want %v", expired.Load(), tt.wantExpire)
			}
			w.set(0)
		})
	}
}
