package worker

import (
	"math"
	"sync"
	"syscall"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// watchdog implements the global timeout() (API.md §3): an armed deadline
// after which the whole worker process ends, whatever Lua is doing.
type watchdog struct {
	mu       sync.Mutex
	deadline time.Time                // zero: disarmed
	timer    *time.Timer              // made on first use, then reset
	expire   func(late time.Duration) // ends the worker; called on the timer's goroutine with the time since the deadline
	report   func(deadline time.Time) // publishes the deadline for the master's backstop; zero time = disarmed
	hard     *hardStop                // the process's kernel timer (worker processes only); nil: none
}

func newWatchdog(expire func(late time.Duration), report func(time.Time)) *watchdog {
	return &watchdog{expire: expire, report: report}
}

// remaining is the time left, 0 when disarmed.
func (w *watchdog) remaining() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.remainingLocked()
}

func (w *watchdog) remainingLocked() time.Duration {
	if w.deadline.IsZero() {
		return 0
	}
	if r := time.Until(w.deadline); r > 0 {
		return r
	}
	return time.Nanosecond // expired, the process is about to end
}

// set arms the watchdog for d (0 disarms) and returns the previous time left.
func (w *watchdog) set(d time.Duration) time.Duration {
	w.mu.Lock()
	prev := w.remainingLocked()
	switch {
	case d <= 0:
		w.deadline = time.Time{}
		if w.timer != nil {
			w.timer.Stop()
		}
	case w.timer == nil:
		w.deadline = time.Now().Add(d)
		w.timer = time.AfterFunc(d, w.fire)
	default:
		// One timer for the worker's life: the HTTP engine arms and
		// disarms the watchdog on every request. A stale expiry finds
		// the deadline moved and does nothing (fire).
		w.deadline = time.Now().Add(d)
		w.timer.Reset(d)
	}
	if d > 0 && d <= sysmonMaxSleep {
		w.hard.set(d + hardGrace)
	} else {
		w.hard.set(0)
	}
	deadline := w.deadline
	w.mu.Unlock()
	if d > 0 && d <= sysmonMaxSleep {
		wakeSysmon()
	}
	if w.report != nil {
		w.report(deadline)
	}
	return prev
}

// sysmonMaxSleep is the longest the Go runtime's sysmon thread sleeps
// when every processor is idle (forcegcperiod/2 in runtime/proc.go).
const sysmonMaxSleep = time.Minute

// wakeSysmon makes sure that the runtime's sysmon thread is awake, so that
// the watchdog's timer fires while Lua code runs without a pause.
//
// A worker runs with GOMAXPROCS=1 and makes the system calls of its
// request path as raw calls (runtime/rawsys), which never wake sysmon.
// When the worker was idle, sysmon sleeps until the timer that was due
// first when it went to sleep, or up to a minute. A handler that then
// arms timeout(1) and loops without a pause is never preempted: the only
// processor never runs the scheduler, so the timer never fires (measured:
// the master's backstop killed such a worker after 3 s, every time). A
// system call made through entersyscall wakes sysmon, which then preempts
// the looping goroutine every 10 ms; the scheduler runs expired timers at
// each preemption (measured: the worker ends 1–20 ms after the deadline).
//
// Deadlines further away than sysmon's longest sleep need no wake-up: it
// wakes by itself before they are due, and stays awake while the
// processor is busy. The HTTP module arms response_timeout (an hour by
// default) for every request, which therefore costs no system call.
func wakeSysmon() {
	syscall.Syscall(syscall.SYS_GETPPID, 0, 0, 0)
}

func (w *watchdog) fire() {
	w.mu.Lock()
	deadline := w.deadline
	w.mu.Unlock()
	if late := time.Since(deadline); !deadline.IsZero() && late >= 0 {
		w.mu.Lock()
		w.hard.set(0) // the worker ends itself: let it say so
		w.mu.Unlock()
		w.expire(late)
	}
}

// disarm is called whenever a prepare or connect handler returns.
func (w *watchdog) disarm() {
	w.mu.Lock()
	armed := !w.deadline.IsZero()
	w.mu.Unlock()
	if armed {
		w.set(0)
	}
}

func seconds(d time.Duration) lua.LNumber { return lua.LNumber(d.Seconds()) }

func toDuration(n lua.LNumber) time.Duration {
	f := float64(n)
	if f <= 0 || math.IsNaN(f) {
		return 0
	}
	if f > float64(math.MaxInt64)/float64(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	d := time.Duration(f * float64(time.Second))
	if d <= 0 {
		d = 1
	}
	return d
}

// luaTimeout is the global timeout(seconds [, func, ...]).
func (w *watchdog) luaTimeout(L *lua.LState) int {
	if L.GetTop() == 0 || (L.GetTop() == 1 && L.Get(1) == lua.LNil) {
		L.Push(seconds(w.remaining()))
		return 1
	}
	var d time.Duration
	switch v := L.Get(1).(type) {
	case lua.LNumber:
		if v < 0 {
			L.ArgError(1, "timeout must be a non-negative number")
		}
		d = toDuration(v)
	case lua.LBool:
		if bool(v) {
			L.ArgError(1, "number or false expected")
		}
	case *lua.LNilType:
	default:
		L.ArgError(1, "number expected, got "+v.Type().String())
	}
	if L.GetTop() < 2 || L.Get(2) == lua.LNil {
		L.Push(seconds(w.set(d)))
		return 1
	}
	fn := L.CheckFunction(2)
	// Nested limit: it can only shorten the outer one.
	outer := w.remaining()
	started := time.Now()
	if outer > 0 && (d == 0 || d > outer) {
		d = outer
	}
	w.set(d)
	nargs := L.GetTop() - 2
	base := L.GetTop()
	L.Push(fn)
	for i := 3; i <= base; i++ {
		L.Push(L.Get(i))
	}
	err := L.PCall(nargs, lua.MultRet, nil)
	// Restore the outer limit, less the time spent inside.
	if outer > 0 {
		left := outer - time.Since(started)
		if left <= 0 {
			left = time.Nanosecond
		}
		w.set(left)
	} else {
		w.set(0)
	}
	if err != nil {
		if apiErr, ok := err.(*lua.ApiError); ok {
			L.Error(apiErr.Object, 0)
		}
		L.RaiseError("%s", err.Error())
	}
	return L.GetTop() - base
}
