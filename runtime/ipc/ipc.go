// Package ipc is the control channel between the master and one worker
// process: a SOCK_SEQPACKET socket pair carrying one small message per
// packet, plus a file descriptor for connection jobs (SCM_RIGHTS).
//
// The whole protocol:
//
//	master → worker
//	  'c' listener:u16 data + fd
//	                          serve this connection with connect(socket); data
//	                          (up to MaxData bytes) was read from it already
//	  'i' listener:u16        run connect{interval=name}
//	  'm' listener:u16        run connect{main=name}
//	  't'                     terminate: run finish() and exit
//	worker → master
//	  'R'                     ready: prepare() is done or the last job ended and the worker stays
//	  'G'                     goodbye: the last job ended and the worker exits (connect did not return true)
//	  'H' listener:u16 idle:u32 header:u32
//	                          this listener's connections speak HTTP: hold each
//	                          new one until its request has arrived (times in ms,
//	                          0xFFFFFFFF for none)
//	  'P' listener:u16 idle:u32 header:u32 + fd
//	                          park this keep-alive connection: hold it until its
//	                          next request has arrived
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
	"math"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/moonbridge-go/moonbridge/runtime/rawsys"
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
	Hold      Kind = 'H'
	Park      Kind = 'P'
)

// Msg is one control message.
type Msg struct {
	Kind     Kind
	Listener int       // Conn, Interval, Main, Hold, Park
	FD       int       // Conn, Park: the received descriptor (owned by the receiver); -1 otherwise
	Times    HoldTimes // Hold, Park
	Data     []byte    // Conn: bytes the master read from the connection already (at most MaxData)
}

// HoldTimes are how long the master holds an HTTP connection (Hold, Park):
// Idle until the first byte of a request, Header from that byte until the
// request has arrived. A negative duration means no limit. They travel as
// whole milliseconds.
type HoldTimes struct {
	Idle, Header time.Duration
}

const noLimit = math.MaxUint32

func appendMillis(b []byte, d time.Duration) []byte {
	ms := uint64(noLimit)
	if d >= 0 {
		ms = min(uint64(d/time.Millisecond), noLimit-1)
	}
	return binary.LittleEndian.AppendUint32(b, uint32(ms))
}

func getMillis(b []byte) time.Duration {
	ms := binary.LittleEndian.Uint32(b)
	if ms == noLimit {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

// MaxData is the most bytes a Conn message carries.
const MaxData = 64 << 10

// carriesFD reports whether messages of kind k come with a descriptor.
func carriesFD(k Kind) bool { return k == Conn || k == Park }

// Channel is one end of a control socket pair. Both ends are non-blocking
// and wait through Go's network poller, so a master with many workers does
// not hold an OS thread per worker. The messages themselves are sent and
// received with raw system calls (package rawsys): a worker that wakes for
// a job does not wake the Go runtime's sysmon thread as well.
type Channel struct {
	fd     int
	f      *os.File        // poller-registered end
	rc     syscall.RawConn // of f
	closed atomic.Bool
	oob    []byte // Recv's control-message buffer (one reader per end)
	in     []byte // Recv's message buffer
	large  bool   // the worker's end: messages may carry MaxData bytes
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

// FromFD wraps an inherited descriptor (in the worker). It is marked
// close-on-exec so that programs the worker starts do not keep the
// master's end from seeing the worker go.
func FromFD(fd int) (*Channel, error) {
	syscall.CloseOnExec(fd)
	c, err := newChannel(fd)
	if c != nil {
		c.large = true
	}
	return c, err
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
	return c.f.Close()
}

// io makes attempts of a non-blocking system call on the descriptor
// until it no longer reports EAGAIN, waiting through the poller.
func (c *Channel) io(write bool, attempt func(fd int) error) error {
	var aerr error
	try := func(fd uintptr) bool {
		aerr = attempt(int(fd))
		return aerr != syscall.EAGAIN
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
	// Send sends one message. For Conn and Park it transfers the ownership
	// of m.FD: after a successful Send the sender must not use or close it.
	Send(m Msg) error
	// Recv blocks for the next message; ErrClosed when the other end is gone.
	Recv() (Msg, error)
	// Close ends this side; the other side's Recv then returns ErrClosed.
	Close() error
}

// Send implements Link: the descriptor of a Conn message is passed along
// with SCM_RIGHTS and then closed here.
func (c *Channel) Send(m Msg) error {
	if len(m.Data) > MaxData {
		return fmt.Errorf("send %q to control socket: %d bytes of data (at most %d)", m.Kind, len(m.Data), MaxData)
	}
	buf := append(make([]byte, 0, 11+len(m.Data)), byte(m.Kind))
	switch m.Kind {
	case Conn, Interval, Main:
		buf = binary.LittleEndian.AppendUint16(buf, uint16(m.Listener))
		if m.Kind == Conn {
			buf = append(buf, m.Data...)
		}
	case Hold, Park:
		buf = binary.LittleEndian.AppendUint16(buf, uint16(m.Listener))
		buf = appendMillis(buf, m.Times.Idle)
		buf = appendMillis(buf, m.Times.Header)
	}
	var oob []byte
	if carriesFD(m.Kind) {
		oob = syscall.UnixRights(m.FD)
	}
	err := c.io(true, func(fd int) error {
		_, err := rawsys.Sendmsg(fd, buf, oob, syscall.MSG_NOSIGNAL)
		return err
	})
	if err != nil {
		if c.closed.Load() || errors.Is(err, os.ErrClosed) {
			return ErrClosed
		}
		return fmt.Errorf("send %q to control socket: %w", m.Kind, err)
	}
	if carriesFD(m.Kind) {
		rawsys.Close(m.FD)
	}
	return nil
}

// ErrClosed is returned by Recv when the other end has gone.
var ErrClosed = errors.New("control socket closed by peer")

// Recv implements Link.
func (c *Channel) Recv() (Msg, error) {
	if c.oob == nil {
		c.oob = make([]byte, syscall.CmsgSpace(4*4))
		size := 16
		if c.large {
			size += MaxData
		}
		c.in = make([]byte, size)
	}
	buf := c.in
	oob := c.oob
	var n, oobn int
	err := c.io(false, func(fd int) (err error) {
		n, oobn, _, err = rawsys.Recvmsg(fd, buf, oob, syscall.MSG_CMSG_CLOEXEC)
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
		fd, err := parseRights(oob[:oobn])
		if err != nil {
			if fd >= 0 {
				syscall.Close(fd)
			}
			return Msg{}, err
		}
		m.FD = fd
	}
	switch m.Kind {
	case Conn, Interval, Main:
		if n < 3 {
			return m, fmt.Errorf("short %q message (%d bytes)", m.Kind, n)
		}
		m.Listener = int(binary.LittleEndian.Uint16(buf[1:]))
		if m.Kind == Conn && n > 3 {
			m.Data = append([]byte(nil), buf[3:n]...)
		}
	case Hold, Park:
		if n < 11 {
			return m, fmt.Errorf("short %q message (%d bytes)", m.Kind, n)
		}
		m.Listener = int(binary.LittleEndian.Uint16(buf[1:]))
		m.Times = HoldTimes{Idle: getMillis(buf[3:]), Header: getMillis(buf[7:])}
	case Terminate, Ready, Goodbye:
	default:
		if m.FD >= 0 {
			syscall.Close(m.FD)
		}
		return m, fmt.Errorf("unknown control message %q", m.Kind)
	}
	if carriesFD(m.Kind) && m.FD < 0 {
		return m, fmt.Errorf("%q message without a descriptor", m.Kind)
	}
	if !carriesFD(m.Kind) && m.FD >= 0 {
		syscall.Close(m.FD)
		m.FD = -1
	}
	return m, nil
}

// parseRights returns the first descriptor passed in the control data oob
// (-1 if none) and closes any others. It walks the cmsghdr records itself:
// syscall.ParseSocketControlMessage allocates on every message.
func parseRights(oob []byte) (int, error) {
	first := -1
	hdr := int(unsafe.Sizeof(syscall.Cmsghdr{}))
	for len(oob) >= hdr {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < hdr || l > len(oob) {
			return first, fmt.Errorf("parse control message: bad length %d", l)
		}
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_RIGHTS {
			for data := oob[syscall.CmsgLen(0):l]; len(data) >= 4; data = data[4:] {
				fd := int(*(*int32)(unsafe.Pointer(&data[0])))
				if first < 0 {
					first = fd
				} else {
					syscall.Close(fd)
				}
			}
		}
		next := syscall.CmsgSpace(l - syscall.CmsgLen(0))
		if next >= len(oob) {
			break
		}
		oob = oob[next:]
	}
	return first, nil
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
