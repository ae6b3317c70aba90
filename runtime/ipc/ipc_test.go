package ipc

import (
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/rawsys"
)

func TestRoundTrip(t *testing.T) {
	master, workerFile, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer workerFile.Close()
	worker := workerEnd(t, workerFile)
	defer worker.Close()

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()

	dup, err := syscall.Dup(int(w.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	dup2, err := syscall.Dup(int(w.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	times := HoldTimes{Idle: 65 * time.Second, Header: 1500 * time.Millisecond}
	tests := []struct {
		from, to *Channel
		msg      Msg
	}{
		{master, worker, Msg{Kind: Conn, Listener: 7, FD: dup, Data: []byte(strings.Repeat("GET / HTTP/1.1\r\n", MaxData/16))}},
		{master, worker, Msg{Kind: Interval, Listener: 65535, FD: -1}},
		{master, worker, Msg{Kind: Main, Listener: 0, FD: -1}},
		{master, worker, Msg{Kind: Terminate, FD: -1}},
		{worker, master, Msg{Kind: Ready, FD: -1}},
		{worker, master, Msg{Kind: Goodbye, FD: -1}},
		{worker, master, Msg{Kind: Hold, Listener: 3, FD: -1, Times: times}},
		{worker, master, Msg{Kind: Hold, Listener: 1, FD: -1, Times: HoldTimes{Idle: -1, Header: 0}}},
		{worker, master, Msg{Kind: Park, Listener: 2, FD: dup2, Times: times}},
	}
	for _, tc := range tests {
		if err := tc.from.Send(tc.msg); err != nil {
			t.Fatalf("send %c: %v", tc.msg.Kind, err)
		}
		got, err := tc.to.Recv()
		if err != nil {
			t.Fatalf("recv %c: %v", tc.msg.Kind, err)
		}
		if got.Kind != tc.msg.Kind || got.Listener != tc.msg.Listener || got.Times != tc.msg.Times || string(got.Data) != string(tc.msg.Data) {
			t.Errorf("got %+v, want %+v", got, tc.msg)
		}
		if tc.msg.Kind == Conn || tc.msg.Kind == Park {
			if got.FD < 0 {
				t.Fatalf("expected a new descriptor, got %d", got.FD)
			}
			// The passed descriptor is the pipe's write end: prove it by writing through it.
			if _, err := syscall.Write(got.FD, []byte("x")); err != nil {
				t.Fatalf("write through passed fd: %v", err)
			}
			syscall.Close(got.FD)
			b := make([]byte, 1)
			if n, err := r.Read(b); n != 1 || err != nil || b[0] != 'x' {
				t.Fatalf("read from pipe: %d %v %q", n, err, b)
			}
		} else if got.FD != -1 {
			t.Errorf("unexpected descriptor %d", got.FD)
		}
	}
}

func TestClosedAndGarbage(t *testing.T) {
	master, workerFile, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	// Garbage: unknown kind and a truncated message.
	for _, raw := range [][]byte{{'z'}, {'c', 1}} {
		if err := syscall.Sendmsg(int(workerFile.Fd()), raw, nil, nil, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := master.Recv(); err == nil {
			t.Errorf("message %q: expected an error", raw)
		}
	}
	workerFile.Close()
	if _, err := master.Recv(); err != ErrClosed {
		t.Errorf("after close: got %v, want ErrClosed", err)
	}
}

func TestSendTransfersDescriptor(t *testing.T) {
	master, workerFile, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer workerFile.Close()
	fds := make([]int, 2)
	if err := syscall.Pipe(fds); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	if err := master.Send(Msg{Kind: Conn, FD: fds[1]}); err != nil {
		t.Fatal(err)
	}
	// The sender's copy is closed after a successful send.
	if _, err := syscall.Write(fds[1], []byte("x")); err != syscall.EBADF {
		t.Errorf("write to the sent descriptor: %v, want EBADF", err)
	}
	w := workerEnd(t, workerFile)
	defer w.Close()
	got, err := w.Recv()
	if err != nil || got.FD < 0 {
		t.Fatalf("recv: %+v %v", got, err)
	}
	syscall.Close(got.FD)
}

func TestChanPair(t *testing.T) {
	a, b := ChanPair()
	msgs := []Msg{{Kind: Conn, Listener: 3, FD: 42, Data: []byte("GET")}, {Kind: Ready, FD: -1}, {Kind: Park, Listener: 1, FD: 7, Times: HoldTimes{Idle: time.Second, Header: -1}}}
	for _, m := range msgs {
		if err := a.Send(m); err != nil {
			t.Fatal(err)
		}
		got, err := b.Recv()
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Errorf("got %+v %v, want %+v", got, err, m)
		}
	}
	// Messages sent before Close are still delivered, then ErrClosed.
	if err := b.Send(Msg{Kind: Goodbye, FD: -1}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if got, err := a.Recv(); err != nil || got.Kind != Goodbye {
		t.Errorf("after close: %+v %v", got, err)
	}
	if _, err := a.Recv(); err != ErrClosed {
		t.Errorf("got %v, want ErrClosed", err)
	}
	if err := a.Send(Msg{Kind: Terminate}); err != ErrClosed {
		t.Errorf("send to closed peer: %v", err)
	}
}

func TestSharedDeadlineSlot(t *testing.T) {
	master, f, err := NewSharedDeadlineSlot()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	// The worker side maps its own copy of the descriptor, as after exec.
	dup, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	worker, err := MapDeadlineSlot(dup)
	if err != nil {
		t.Fatal(err)
	}
	defer worker.Close()
	for _, v := range []int64{0, 1234567890123456789, -1, 0} {
		worker.Store(v)
		if got := master.Load(); got != v {
			t.Errorf("master sees %d, worker stored %d", got, v)
		}
	}
	for _, on := range []bool{true, false, true} {
		master.SetCrowded(on)
		if worker.Crowded() != on || worker.Load() != 0 {
			t.Errorf("worker sees crowded %v, deadline %d; master set %v", worker.Crowded(), worker.Load(), on)
		}
	}
	mem := NewDeadlineSlot()
	mem.Store(42)
	mem.SetCrowded(true)
	if mem.Load() != 42 || !mem.Crowded() || mem.Close() != nil {
		t.Errorf("in-memory slot")
	}
}

// workerEnd opens the worker's end as a worker process would, on a
// duplicate of the inherited descriptor.
func workerEnd(t *testing.T, f *os.File) *Channel {
	t.Helper()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	c, err := FromFD(fd)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCloseWakesRecv(t *testing.T) {
	master, workerFile, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer workerFile.Close()
	done := make(chan error, 1)
	go func() {
		_, err := master.Recv()
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	master.Close()
	select {
	case err := <-done:
		if err != ErrClosed {
			t.Errorf("Recv after Close: %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake a waiting Recv")
	}
}

// TestParseRights checks the control-data walk: the first descriptor is
// returned, every other one passed is closed, and a broken record is an
// error.
func TestParseRights(t *testing.T) {
	pipe := func() (int, int) {
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(p[0]); syscall.Close(p[1]) })
		return p[0], p[1]
	}
	isOpen := func(fd int) bool {
		_, err := fcntlGetfd(fd)
		return err == nil
	}
	a, b := pipe()
	c, d := pipe()
	tests := []struct {
		name    string
		oob     []byte
		want    int
		closed  []int
		wantErr bool
	}{
		{"none", nil, -1, nil, false},
		{"one", syscall.UnixRights(a), a, nil, false},
		{"two in one record", syscall.UnixRights(a, b), a, []int{b}, false},
		{"two records", append(syscall.UnixRights(c), syscall.UnixRights(d)...), c, []int{d}, false},
		{"bad length", []byte{200, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}, -1, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRights(tt.oob)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("parseRights = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
			for _, fd := range tt.closed {
				if isOpen(fd) {
					t.Errorf("descriptor %d passed after the first was not closed", fd)
				}
			}
			if got >= 0 && !isOpen(got) {
				t.Errorf("returned descriptor %d is closed", got)
			}
		})
	}
}

func fcntlGetfd(fd int) (int, error) {
	return rawsys.Retry(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
}
