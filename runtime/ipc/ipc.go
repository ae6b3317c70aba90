// Package ipc is the control channel between the master and one worker
// process: a SOCK_SEQPACKET socket pair carrying one small message per
// packet, plus a file descriptor for connection jobs (SCM_RIGHTS).
//
// The whole protocol:
//
//	master → worker
//	  'c' listener:u16 + fd   serve this connection with connect(socket)
//	  'i' listener:u16        run connect{interval=name}
//	  'm' listener:u16        run connect{main=name}
//	  't'                     terminate: run finish() and exit
//	worker → master
//	  'R'                     ready: prepare() is done or the last job ended and the worker stays
//	  'G'                     goodbye: the last job ended and the worker exits (connect did not return true)
//
// Besides the socket pair, a worker shares one int64 with the master, its
// timeout() deadline (DeadlineSlot), so that arming a timeout costs no
// message.
//
// The package knows nothing of Lua or pools; it must not block on anything
// but the socket it was given.
package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

// Kind is the first byte of a message.
type Kind byte

// Message kinds; see the package comment.
const (
	Conn      Kind = 'c'
	Interval  Kind = 'i'
	Main      Kind = 'm'
	Terminate Kind = 't'
	Ready     Kind = 'R'
	Goodbye   Kind = 'G'
)

// Msg is one control message.
type Msg struct {
	Kind     Kind
	Listener int // Conn, Interval, Main
	FD       int // Conn: the received descriptor (owned by the receiver); -1 otherwise
}

// Channel is one end of a control socket pair. The master's end is
// non-blocking and waits through Go's network poller, so a master with many
// workers does not hold an OS thread per worker. A worker's end blocks in
// recvmsg: the worker has nothing else to do, and one system call per
// message beats a failed attempt, an epoll wait and a second attempt.
type Channel struct {
	fd     int
	f      *os.File        // poller-registered end; nil for a blocking end
	rc     syscall.RawConn // of f
	closed atomic.Bool
	oob    []byte // Recv's control-message buffer (one reader per end)
}

// Pair makes a connected socket pair; the first end stays in the master, the
// second is inherited by the worker (passed through exec's ExtraFiles).
func Pair() (*Channel, *os.File, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("control socket pair: %w", err)
	}
	c, err := newChannel(fds[0])
	if err != nil {
		syscall.Close(fds[1])
		return nil, nil, err
	}
	return c, os.NewFile(uintptr(fds[1]), "worker-control"), nil
}

// FromFD wraps an inherited descriptor (in the worker) as a blocking end.
// It is marked close-on-exec so that programs the worker starts do not keep
// the master's end from seeing the worker go.
func FromFD(fd int) (*Channel, error) {
	syscall.CloseOnExec(fd)
	if err := syscall.SetNonblock(fd, false); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	return &Channel{fd: fd}, nil
}

func newChannel(fd int) (*Channel, error) {
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("control socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "control")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	return &Channel{fd: fd, f: f, rc: rc}, nil
}

// Close closes this end; a Recv waiting on it returns ErrClosed.
func (c *Channel) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	if c.f == nil {
		return syscall.Close(c.fd)
	}
	return c.f.Close()
}

// io runs one attempt of a system call on the descriptor: directly on a
// blocking end, through the poller (retrying on EAGAIN) otherwise.
func (c *Channel) io(write bool, attempt func(fd int) error) error {
	if c.f == nil {
		for {
			err := attempt(c.fd)
			if err != syscall.EINTR {
				return err
			}
		}
	}
	var aerr error
	try := func(fd uintptr) bool {
		for {
			aerr = attempt(int(fd))
			if aerr != syscall.EINTR {
				return aerr != syscall.EAGAIN
			}
		}
	}
	var err error
	if write {
		err = c.rc.Write(try)
	} else {
		err = c.rc.Read(try)
	}
	if err != nil {
		return err
	}
	return aerr
}

// Link is one end of a control channel: a socket pair between processes
// (Channel) or Go channels between goroutines (ChanPair).
type Link interface {
	// Send sends one message. For Conn it transfers the ownership of m.FD:
	// after a successful Send the sender must not use or close it.
	Send(m Msg) error
	// Recv blocks for the next message; ErrClosed when the other end is gone.
	Recv() (Msg, error)
	// Close ends this side; the other side's Recv then returns ErrClosed.
	Close() error
}

// Send implements Link: the descriptor of a Conn message is passed along
// with SCM_RIGHTS and then closed here.
func (c *Channel) Send(m Msg) error {
	var buf [3]byte
	buf[0] = byte(m.Kind)
	n := 1
	switch m.Kind {
	case Conn, Interval, Main:
		binary.LittleEndian.PutUint16(buf[1:], uint16(m.Listener))
		n = 3
	}
	var oob []byte
	if m.Kind == Conn {
		oob = syscall.UnixRights(m.FD)
	}
	err := c.io(true, func(fd int) error {
		return syscall.Sendmsg(fd, buf[:n], oob, nil, syscall.MSG_NOSIGNAL)
	})
	if err != nil {
		if c.closed.Load() || errors.Is(err, os.ErrClosed) {
			return ErrClosed
		}
		return fmt.Errorf("send %q to control socket: %w", m.Kind, err)
	}
	if m.Kind == Conn {
		syscall.Close(m.FD)
	}
	return nil
}

// ErrClosed is returned by Recv when the other end has gone.
var ErrClosed = errors.New("control socket closed by peer")

// Recv implements Link.
func (c *Channel) Recv() (Msg, error) {
	var buf [16]byte
	if c.oob == nil {
		c.oob = make([]byte, syscall.CmsgSpace(4*4))
	}
	oob := c.oob
	var n, oobn int
	err := c.io(false, func(fd int) (err error) {
		n, oobn, _, _, err = syscall.Recvmsg(fd, buf[:], oob, syscall.MSG_CMSG_CLOEXEC)
		return err
	})
	if err != nil {
		if c.closed.Load() || errors.Is(err, os.ErrClosed) {
			return Msg{}, ErrClosed
		}
		return Msg{}, fmt.Errorf("receive from control socket: %w", err)
	}
	if n == 0 {
		return Msg{}, ErrClosed
	}
	m := Msg{Kind: Kind(buf[0]), FD: -1}
	if oobn > 0 {
		fds, err := parseRights(oob[:oobn])
		if err != nil {
			return Msg{}, err
		}
		if len(fds) > 0 {
			m.FD = fds[0]
			for _, extra := range fds[1:] {
				syscall.Close(extra)
			}
		}
	}
	switch m.Kind {
	case Conn, Interval, Main:
		if n < 3 {
			return m, fmt.Errorf("short %q message (%d bytes)", m.Kind, n)
		}
		m.Listener = int(binary.LittleEndian.Uint16(buf[1:]))
	case Terminate, Ready, Goodbye:
	default:
		if m.FD >= 0 {
			syscall.Close(m.FD)
		}
		return m, fmt.Errorf("unknown control message %q", m.Kind)
	}
	if m.Kind == Conn && m.FD < 0 {
		return m, fmt.Errorf("connection message without a descriptor")
	}
	if m.Kind != Conn && m.FD >= 0 {
		syscall.Close(m.FD)
		m.FD = -1
	}
	return m, nil
}

func parseRights(oob []byte) ([]int, error) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parse control message: %w", err)
	}
	var fds []int
	for _, cm := range msgs {
		if cm.Header.Level == syscall.SOL_SOCKET && cm.Header.Type == syscall.SCM_RIGHTS {
			r, err := syscall.ParseUnixRights(&cm)
			if err != nil {
				return nil, fmt.Errorf("parse passed descriptors: %w", err)
			}
			fds = append(fds, r...)
		}
	}
	return fds, nil
}

// ChanPair makes a connected pair of in-process links, for workers that
// run as goroutines. Descriptors are handed over as they are.
func ChanPair() (Link, Link) {
	ab := make(chan Msg, 16)
	ba := make(chan Msg, 16)
	aDone := make(chan struct{})
	bDone := make(chan struct{})
	a := &chanLink{in: ba, out: ab, done: aDone, peerDone: bDone}
	b := &chanLink{in: ab, out: ba, done: bDone, peerDone: aDone}
	return a, b
}

type chanLink struct {
	in, out        chan Msg
	done, peerDone chan struct{}
	once           sync.Once
}

func (l *chanLink) Send(m Msg) error {
	select {
	case <-l.done:
		return ErrClosed
	case <-l.peerDone:
		return ErrClosed
	default:
	}
	select {
	case l.out <- m:
		return nil
	case <-l.peerDone:
		return ErrClosed
	case <-l.done:
		return ErrClosed
	}
}

func (l *chanLink) Recv() (Msg, error) {
	select {
	case m := <-l.in:
		return m, nil
	case <-l.peerDone:
		// Deliver what was sent before the peer closed.
		select {
		case m := <-l.in:
			return m, nil
		default:
			return Msg{}, ErrClosed
		}
	case <-l.done:
		return Msg{}, ErrClosed
	}
}

func (l *chanLink) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}
