package ipc

import (
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// DeadlineSlot is one int64 shared between the master and a worker: the
// worker stores its timeout() deadline there (Unix ns, 0 when disarmed) and
// the master reads it for its backstop check. Arming a timeout, which the
// HTTP module does for every request, then costs no system call.
//
// A second word goes the other way: the master sets it while jobs of the
// worker's pool wait for a worker (Crowded), so that a worker waiting for
// the next request of a keep-alive connection gives the connection back
// to the master at once.
//
// Between processes the slot is a page of a memfd mapped by both; for
// goroutine workers it is plain memory.
type DeadlineSlot struct {
	v       *int64
	crowded *int32
	mem     []byte
}

// NewDeadlineSlot makes a slot in memory only (goroutine workers).
func NewDeadlineSlot() *DeadlineSlot { return &DeadlineSlot{v: new(int64), crowded: new(int32)} }

// NewSharedDeadlineSlot makes a slot backed by a memfd; the file is handed
// to the worker process, which maps it with MapDeadlineSlot.
func NewSharedDeadlineSlot() (*DeadlineSlot, *os.File, error) {
	f, err := anonymousFile()
	if err != nil {
		return nil, nil, err
	}
	fd := f.Fd()
	if err := f.Truncate(int64(os.Getpagesize())); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("size deadline slot: %w", err)
	}
	slot, err := mapSlot(int(fd))
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return slot, f, nil
}

// MapDeadlineSlot maps the slot the master passed as descriptor fd.
func MapDeadlineSlot(fd int) (*DeadlineSlot, error) {
	syscall.CloseOnExec(fd)
	slot, err := mapSlot(fd)
	syscall.Close(fd)
	return slot, err
}

func mapSlot(fd int) (*DeadlineSlot, error) {
	mem, err := syscall.Mmap(fd, 0, os.Getpagesize(), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map deadline slot: %w", err)
	}
	return &DeadlineSlot{v: (*int64)(unsafe.Pointer(&mem[0])), crowded: (*int32)(unsafe.Pointer(&mem[8])), mem: mem}, nil
}

// Store sets the deadline (Unix ns; 0: disarmed).
func (s *DeadlineSlot) Store(ns int64) { atomic.StoreInt64(s.v, ns) }

// Load reads the deadline.
func (s *DeadlineSlot) Load() int64 { return atomic.LoadInt64(s.v) }

// SetCrowded tells the worker whether jobs of its pool wait for a worker.
func (s *DeadlineSlot) SetCrowded(on bool) {
	var v int32
	if on {
		v = 1
	}
	atomic.StoreInt32(s.crowded, v)
}

// Crowded reports whether jobs of the worker's pool wait for a worker.
func (s *DeadlineSlot) Crowded() bool { return atomic.LoadInt32(s.crowded) != 0 }

// Close unmaps a shared slot.
func (s *DeadlineSlot) Close() error {
	if s.mem == nil {
		return nil
	}
	mem := s.mem
	s.mem = nil
	return syscall.Munmap(mem)
}

// anonymousFile is a file with no name: a memfd where the system call
// number is known, else an unlinked temporary file.
func anonymousFile() (*os.File, error) {
	if sysMemfdCreate != 0 {
		name := []byte("moonbridge-deadline\x00")
		fd, _, errno := syscall.Syscall(sysMemfdCreate, uintptr(unsafe.Pointer(&name[0])), 0x0001 /* MFD_CLOEXEC */, 0)
		if errno == 0 {
			return os.NewFile(fd, "deadline-slot"), nil
		}
	}
	f, err := os.CreateTemp("", "moonbridge-deadline-")
	if err != nil {
		return nil, fmt.Errorf("deadline slot file: %w", err)
	}
	os.Remove(f.Name())
	return f, nil
}
