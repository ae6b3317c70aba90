package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// sample is one probe request. Samples are kept in the order the probe
// scheduled them; at is the intended send time (from the probe's start),
// so a slow dial or a late goroutine counts against the server.
type sample struct {
	at   time.Duration // intended send time, from the probe's start
	lat  time.Duration // from the intended send time to the end of the response (or the failure)
	ok   bool          // a complete 200 response within the probe's timeout
	done bool          // the request has finished (either way)
	fail string        // kind of failure, for the log
}

// failed is the latency given to failed samples in quantiles: they sort
// after every success.
const failed = time.Duration(math.MaxInt64)

// summary is what the table shows of the samples of one window.
type summary struct {
	n, ok         int
	p50, p99, max time.Duration // failed when the quantile falls on a failure
	fails         map[string]int
}

func (s summary) okPct() string {
	if s.n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%% of %d", 100*float64(s.ok)/float64(s.n), s.n)
}

// summarize takes the finished samples whose intended send time lies in
// [from, to).
func summarize(samples []sample, from, to time.Duration) summary {
	s := summary{fails: map[string]int{}}
	var lats []time.Duration
	for _, x := range samples {
		if !x.done || x.at < from || x.at >= to {
			continue
		}
		s.n++
		if x.ok {
			s.ok++
			lats = append(lats, x.lat)
		} else {
			s.fails[x.fail]++
			lats = append(lats, failed)
		}
	}
	s.p50, s.p99, s.max = quantile(lats, 0.50), quantile(lats, 0.99), quantile(lats, 1)
	return s
}

// quantile is the nearest-rank quantile q (0 < q <= 1) of lats: the
// smallest value with at least q of the values at or below it; 0 for no
// values. It sorts lats.
func quantile(lats []time.Duration, q float64) time.Duration {
	if len(lats) == 0 {
		return 0
	}
	slices.Sort(lats)
	rank := int(math.Ceil(q*float64(len(lats)))) - 1
	return lats[min(max(rank, 0), len(lats)-1)]
}

// recovery finds the first run of need consecutive successful samples
// scheduled at or after end (in schedule order) and returns the time from
// end to the completion of the run's first request. found is false while
// no such run exists among the finished samples; the scan stops at the
// first unfinished one, so a result never changes as more samples finish.
func recovery(samples []sample, end time.Duration, need int) (d time.Duration, found bool) {
	run := 0
	var first sample
	for _, x := range samples {
		if x.at < end {
			continue
		}
		if !x.done {
			return 0, false
		}
		if !x.ok {
			run = 0
			continue
		}
		if run == 0 {
			first = x
		}
		if run++; run == need {
			return max(first.at+first.lat-end, 0), true
		}
	}
	return 0, false
}

// latCell formats a latency for the table.
func latCell(d time.Duration, n int) string {
	switch {
	case n == 0:
		return "-"
	case d == failed:
		return "failed"
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
