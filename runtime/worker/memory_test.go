package worker

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/ipc"
)

// TestReleaseWhenIdle: the release runs once per idle period after a
// Ready, never while a job runs or while jobs keep coming, and not again
// without a message in between.
func TestReleaseWhenIdle(t *testing.T) {
	const delay = 100 * time.Millisecond
	master, end := ipc.ChanPair()
	var releases atomic.Int32
	w := newIdleLink(end, delay, func() { releases.Add(1) })
	ready := func() {
		t.Helper()
		if err := w.Send(ipc.Msg{Kind: ipc.Ready}); err != nil {
			t.Fatal(err)
		}
		if _, err := master.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	job := func() {
		t.Helper()
		if err := master.Send(ipc.Msg{Kind: ipc.Interval, FD: -1}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(n int32, what string) {
		t.Helper()
		if got := releases.Load(); got != n {
			t.Fatalf("%s: %d releases, want %d", what, got, n)
		}
	}

	ready() // start-up done
	time.Sleep(3 * delay)
	expect(1, "idle after start-up")
	time.Sleep(3 * delay)
	expect(1, "still idle, nothing received")

	job() // a job longer than the delay
	time.Sleep(3 * delay)
	expect(1, "during a long job")
	ready()
	time.Sleep(3 * delay)
	expect(2, "idle after the job")

	// Jobs faster than the delay: no release until they stop (checked
	// only if this goroutine was never held up for most of the delay).
	var longest time.Duration
	last := time.Now()
	for i := 0; i < 20; i++ {
		job()
		ready()
		time.Sleep(delay / 10)
		longest = max(longest, time.Since(last))
		last = time.Now()
	}
	if longest < delay/2 {
		expect(2, "while jobs keep coming")
	} else {
		t.Logf("gaps up to %v between jobs: not checked", longest)
		releases.Store(2)
	}
	time.Sleep(3 * delay)
	expect(3, "idle after the jobs")
}
