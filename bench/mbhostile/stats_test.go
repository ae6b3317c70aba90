package main

import (
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

func TestQuantile(t *testing.T) {
	tests := []struct {
		name string
		lats []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one value", []time.Duration{7 * ms}, 0.99, 7 * ms},
		{"median of odd count", []time.Duration{3 * ms, 1 * ms, 2 * ms}, 0.5, 2 * ms},
		{"median of even count is the lower", []time.Duration{4 * ms, 1 * ms, 3 * ms, 2 * ms}, 0.5, 2 * ms},
		{"p99 of 100 is the 99th", seq(100), 0.99, 99 * ms},
		{"p99 of 1000 is the 990th", seq(1000), 0.99, 990 * ms},
		{"max", seq(10), 1, 10 * ms},
		{"failures sort last", []time.Duration{failed, 1 * ms, failed, 2 * ms}, 0.5, 2 * ms},
		{"quantile on a failure", []time.Duration{failed, 1 * ms, failed, 2 * ms}, 0.99, failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quantile(tt.lats, tt.q); got != tt.want {
				t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

// seq is 1 ms, 2 ms, ... n ms, shuffled a little.
func seq(n int) []time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		d[(i*7)%n] = time.Duration(i+1) * ms
	}
	if n%7 == 0 {
		panic("seq: n must not be a multiple of 7")
	}
	return d
}

// probes builds samples 10 ms apart from a pattern: '+' a success taking
// 5 ms, 's' a success taking 500 ms, '-' a failure, '.' not finished.
func probes(pattern string) []sample {
	out := make([]sample, len(pattern))
	for i, c := range pattern {
		s := sample{at: time.Duration(i) * 10 * ms, done: c != '.'}
		switch c {
		case '+':
			s.ok, s.lat = true, 5*ms
		case 's':
			s.ok, s.lat = true, 500*ms
		case '-':
			s.fail, s.lat = "connect timeout", 2*time.Second
		}
		out[i] = s
	}
	return out
}

func TestRecovery(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		end     time.Duration
		need    int
		want    time.Duration
		found   bool
	}{
		{"at once", "++++++++++", 0, 10, 5 * ms, true},
		{"too few", "+++++++++", 0, 10, 0, false},
		{"after failures", "---+++", 0, 3, 35 * ms, true},
		{"a failure restarts the run", "++-+++", 0, 3, 35 * ms, true},
		{"samples before the end do not count", "+++--+++", 30 * ms, 3, 25 * ms, true},
		{"slow first success counts to its answer", "s+++", 0, 4, 500 * ms, true},
		{"an unfinished sample stops the scan", "-+.+++", 0, 3, 0, false},
		{"unfinished samples after a run do not matter", "+++...", 0, 3, 5 * ms, true},
		{"all failed", "------", 0, 1, 0, false},
		{"nothing after the end", "+++", time.Second, 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := recovery(probes(tt.pattern), tt.end, tt.need)
			if got != tt.want || found != tt.found {
				t.Errorf("recovery(%q, %v, %d) = %v, %v; want %v, %v", tt.pattern, tt.end, tt.need, got, found, tt.want, tt.found)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name          string
		pattern       string
		from, to      time.Duration
		n, ok         int
		p50, p99, max time.Duration
		okPct         string
	}{
		{"empty window", "+++", time.Second, 2 * time.Second, 0, 0, 0, 0, 0, "-"},
		{"all ok", "++++", 0, time.Second, 4, 4, 5 * ms, 5 * ms, 5 * ms, "100.0% of 4"},
		{"window bounds: [from, to)", "--++--", 20 * ms, 40 * ms, 2, 2, 5 * ms, 5 * ms, 5 * ms, "100.0% of 2"},
		{"half failed", "+-+-", 0, time.Second, 4, 2, 5 * ms, failed, failed, "50.0% of 4"},
		{"mostly failed", "+---", 0, time.Second, 4, 1, failed, failed, failed, "25.0% of 4"},
		{"unfinished are left out", "+s..", 0, time.Second, 2, 2, 5 * ms, 500 * ms, 500 * ms, "100.0% of 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := summarize(probes(tt.pattern), tt.from, tt.to)
			if s.n != tt.n || s.ok != tt.ok || s.p50 != tt.p50 || s.p99 != tt.p99 || s.max != tt.max || s.okPct() != tt.okPct {
				t.Errorf("summarize(%q) = n %d ok %d p50 %v p99 %v max %v %q; want n %d ok %d p50 %v p99 %v max %v %q",
					tt.pattern, s.n, s.ok, s.p50, s.p99, s.max, s.okPct(), tt.n, tt.ok, tt.p50, tt.p99, tt.max, tt.okPct)
			}
			if fails := s.n - s.ok; fails > 0 && s.fails["connect timeout"] != fails {
				t.Errorf("fails = %v, want %d connect timeouts", s.fails, fails)
			}
		})
	}
}

func TestToolStatus(t *testing.T) {
	report := func(connected, closed string) string {
		return "\x1b[1;32mpending:     \x1b[1;32m        0\n" +
			"\x1b[1;32mconnected:   \x1b[1;32m        " + connected + "\n" +
			"\x1b[1;32merror:       \x1b[1;32m        0\n" +
			"\x1b[1;32mclosed:      \x1b[1;32m        " + closed + "\n" +
			"\x1b[1;32mservice available:\x1b[1;32m   \x1b[1;32mYES\x1b[0m\n"
	}
	tests := []struct{ name, out, want string }{
		{"nothing", "", "no status printed"},
		{"last report wins", report("10", "0") + report("950", "50"), "950 connected, 50 closed, 0 errors at the last report"},
		{"exit status", report("1000", "0") + "Test ended on 21th second\nExit status:\x1b[1;36m Hit test time limit\n\x1b[0m",
			"1000 connected, 0 closed, 0 errors at the last report; Hit test time limit"},
		{"stopped by halt", report("3", "1") + "Exit status:\x1b[1;36m Cancelled by user\n", "3 connected, 1 closed, 0 errors at the last report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := toolStatus(tt.out); got != tt.want {
				t.Errorf("toolStatus = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestChangedFiles(t *testing.T) {
	tests := []struct {
		name, status string
		n            int
		want         string
	}{
		{"none", "", 3, ""},
		{"first line starts with a space", " M b/x.go\nM  a/y.go\n?? c/\n", 3, "a/y.go, b/x.go, c/"},
		{"more than n", " M d\n M c\n M b\n M a\n", 2, "a, b, 2 more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(changedFiles(tt.status, tt.n), ", "); got != tt.want {
				t.Errorf("changedFiles = %q, want %q", got, tt.want)
			}
		})
	}
}
