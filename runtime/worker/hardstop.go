package worker

import (
	"os"
	"syscall"
	"time"
	"unsafe"
)

// hardGrace is how long after a timeout() deadline the kernel kills a
// worker process whose own timer has not ended it yet.
const hardGrace = 30 * time.Millisecond

// hardStop is a POSIX timer of the worker process that sends it SIGKILL
// (timer_create with SIGEV_SIGNAL): it ends a worker whose Go timer could
// not run in time (a loaded machine delays the thread that preempts the
// looping handler: measured up to 670 ms beside two CPU hogs and other
// work) without any thread of the process having to be scheduled. The
// master recognises such a death by the deadline in the worker's slot and
// logs it as a timeout.
//
// It is armed only for deadlines of up to a minute (sysmonMaxSleep), so
// the HTTP module's hourly response_timeout per request costs no system
// call; arming and disarming are raw system calls that never block.
type hardStop struct {
	id    int32
	armed bool
}

// sigevent is struct sigevent of the Linux ABI (64 bytes).
type sigevent struct {
	value  uintptr
	signo  int32
	notify int32
	_      [16]int32
}

const sigevSignal = 0 // SIGEV_SIGNAL

// EnvNoHardStop set to 1 turns the kernel timer off (the master's 2 s
// backstop then remains): for testing that backstop.
const EnvNoHardStop = "MOONBRIDGE_NO_KERNEL_TIMER"

// newHardStop creates the timer, or returns nil where that fails.
func newHardStop() *hardStop {
	if os.Getenv(EnvNoHardStop) == "1" {
		return nil
	}
	ev := sigevent{signo: int32(syscall.SIGKILL), notify: sigevSignal}
	var id int32
	_, _, errno := syscall.RawSyscall(syscall.SYS_TIMER_CREATE, uintptr(1) /* CLOCK_MONOTONIC */, uintptr(unsafe.Pointer(&ev)), uintptr(unsafe.Pointer(&id)))
	if errno != 0 {
		return nil
	}
	return &hardStop{id: id}
}

// itimerspec is struct itimerspec: interval, then value.
type itimerspec struct {
	interval syscall.Timespec
	value    syscall.Timespec
}

// set arms the timer to fire once after d, or disarms it for d <= 0.
func (h *hardStop) set(d time.Duration) {
	if h == nil || (d <= 0 && !h.armed) {
		return
	}
	var spec itimerspec
	if d > 0 {
		spec.value = syscall.NsecToTimespec(int64(d))
	}
	_, _, errno := syscall.RawSyscall6(syscall.SYS_TIMER_SETTIME, uintptr(h.id), 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	if errno == 0 {
		h.armed = d > 0
	}
}
