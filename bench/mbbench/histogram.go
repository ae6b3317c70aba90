package main

import (
	"math/bits"
	"time"
)

// histogram counts durations in log-linear buckets: exact below 32 ns, then
// 16 buckets per power of two, so a quantile is off by at most about 3%.
type histogram struct {
	counts [1024]uint64
	total  uint64
}

func bucketOf(ns uint64) int {
	if ns < 32 {
		return int(ns)
	}
	shift := bits.Len64(ns) - 5
	return shift*16 + int(ns>>uint(shift))
}

// bucketValue is the middle of bucket i.
func bucketValue(i int) uint64 {
	if i < 32 {
		return uint64(i)
	}
	shift := i/16 - 1
	m := uint64(i - shift*16)
	return m<<uint(shift) + (uint64(1)<<uint(shift))/2
}

func (h *histogram) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.total++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
}

// quantile returns the duration below which the fraction q of the samples
// lie (0 when there are none).
func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q * float64(h.total))
	if rank >= h.total {
		rank = h.total - 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			return time.Duration(bucketValue(i))
		}
	}
	return 0
}
