package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// clockTicks is USER_HZ, the unit of CPU times in /proc (fixed at 100 in
// the Linux ABI).
const clockTicks = 100

var pageSize = int64(os.Getpagesize())

// procTree is a server's process tree: the process the benchmark started
// and every process below it (the workers).
type procTree struct{ root int }

// pids returns root followed by its descendants.
func (t procTree) pids() []int { return benchutil.TreePids(t.root) }

// procStat is one process's CPU ticks (own, and of waited-for children) and
// resident set.
type procStat struct {
	cpu, childCPU int64
	rss           int64 // bytes
}

func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// The command name may contain spaces; fields restart after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no ')'", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime..cstime are fields 14..17, rss is 24.
	if len(f) < 22 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	num := func(field int) int64 {
		n, _ := strconv.ParseInt(f[field-3], 10, 64)
		return n
	}
	return procStat{
		cpu:      num(14) + num(15),
		childCPU: num(16) + num(17),
		rss:      num(24) * pageSize,
	}, nil
}

// treeSample is the state of a whole tree at one moment.
type treeSample struct {
	cpuTicks  int64 // root (with its reaped children) plus live descendants
	rss       int64 // sum over the tree, bytes
	maxRSS    int64 // largest single descendant (worker), bytes
	processes int
}

func (t procTree) sample() treeSample {
	var s treeSample
	for i, pid := range t.pids() {
		st, err := readProcStat(pid)
		if err != nil {
			continue // ended between listing and reading
		}
		s.processes++
		s.cpuTicks += st.cpu
		s.rss += st.rss
		if i == 0 {
			s.cpuTicks += st.childCPU
		} else if st.rss > s.maxRSS {
			s.maxRSS = st.rss
		}
	}
	return s
}

// usage is what a server used during a measurement.
type usage struct {
	cpu           time.Duration
	others        time.Duration // CPU used by processes other than the server and mbbench
	client        time.Duration // mbbench's own CPU
	peakRSS       int64         // largest sum over the tree seen, bytes
	peakWorkerRSS int64         // largest single worker seen, bytes
}

// sampler watches a tree's memory at an interval between start and stop.
type sampler struct {
	tree     procTree
	interval time.Duration
	begin    treeSample
	busy0    int64 // machine-wide busy ticks at the start
	client0  time.Duration
	stopCh   chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	peak     int64
	peakW    int64
}

func startSampler(tree procTree, interval time.Duration) *sampler {
	s := &sampler{tree: tree, interval: interval, stopCh: make(chan struct{}), done: make(chan struct{})}
	s.busy0 = busyTicks()
	s.client0 = selfCPU()
	s.begin = tree.sample()
	s.note(s.begin)
	go func() {
		defer close(s.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-s.stopCh:
				return
			case <-tick.C:
				s.note(tree.sample())
			}
		}
	}()
	return s
}

func (s *sampler) note(t treeSample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak = max(s.peak, t.rss)
	s.peakW = max(s.peakW, t.maxRSS)
}

func (s *sampler) stop() usage {
	close(s.stopCh)
	<-s.done
	end := s.tree.sample()
	busy := time.Duration(busyTicks()-s.busy0) * time.Second / clockTicks
	client := selfCPU() - s.client0
	s.note(end)
	s.mu.Lock()
	defer s.mu.Unlock()
	u := usage{
		cpu:           time.Duration(end.cpuTicks-s.begin.cpuTicks) * time.Second / clockTicks,
		client:        client,
		peakRSS:       s.peak,
		peakWorkerRSS: s.peakW,
	}
	u.others = max(busy-u.cpu-u.client, 0)
	return u
}

// busyTicks is the machine's non-idle CPU time from the first line of
// /proc/stat (user, nice, system, irq, softirq, steal), 0 if unreadable.
func busyTicks() int64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		busy += n
	}
	return busy
}

// selfCPU is mbbench's own CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
