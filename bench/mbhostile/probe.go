package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// probeRequest is what every probe sends, each time on a new connection.
const probeRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

// maxProbeTime bounds a probe's schedule, whatever its caller does.
const maxProbeTime = 10 * time.Minute

// probe sends probeRequest on a new connection at a fixed rate (open
// loop: one goroutine per request, so a stalled request does not delay
// the next) and records every request as a sample.
type probe struct {
	addr     string
	interval time.Duration
	timeout  time.Duration
	base     time.Time
	mu       sync.Mutex
	samples  []sample
	stopCh   chan struct{}
	loopDone chan struct{}
	inFlight sync.WaitGroup
}

// startProbe starts sending rate requests per second to addr; a request
// succeeds with a complete 200 response within timeout of its intended
// send time.
func startProbe(addr string, rate int, timeout time.Duration) *probe {
	p := &probe{
		addr:     addr,
		interval: time.Second / time.Duration(rate),
		timeout:  timeout,
		base:     time.Now(),
		stopCh:   make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	go p.loop()
	return p
}

// now is the time since the probe started, on the samples' scale.
func (p *probe) now() time.Duration { return time.Since(p.base) }

func (p *probe) loop() {
	defer close(p.loopDone)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; time.Duration(i)*p.interval < maxProbeTime; i++ {
		at := time.Duration(i) * p.interval
		timer.Reset(time.Until(p.base.Add(at)))
		select {
		case <-p.stopCh:
			return
		case <-timer.C:
		}
		p.mu.Lock()
		p.samples = append(p.samples, sample{at: at})
		p.mu.Unlock()
		p.inFlight.Add(1)
		go p.request(i, at)
	}
}

// request sends request i and records its outcome.
func (p *probe) request(i int, at time.Duration) {
	defer p.inFlight.Done()
	fail := p.roundTrip(p.base.Add(at + p.timeout))
	lat := p.now() - at
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &p.samples[i]
	s.lat, s.ok, s.done, s.fail = lat, fail == "", true, fail
}

// roundTrip sends one request; it returns "" on success, else the kind
// of failure.
func (p *probe) roundTrip(deadline time.Time) string {
	d := net.Dialer{Deadline: deadline}
	conn, err := d.Dial("tcp", p.addr)
	if err != nil {
		return "connect " + errKind(err)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	if _, err := io.WriteString(conn, probeRequest); err != nil {
		return "send " + errKind(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return "response head " + errKind(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "response body " + errKind(err)
	}
	if resp.StatusCode != http.StatusOK {
		return "status " + resp.Status
	}
	return ""
}

// errKind names a network error briefly, for the failure counts.
func errKind(err error) string {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return "error (" + benchutil.OneLine(err.Error(), 60) + ")"
}

// snapshot copies the samples so far.
func (p *probe) snapshot() []sample {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sample(nil), p.samples...)
}

// stop schedules no more requests, waits for those in flight (at most the
// timeout) and returns every sample.
func (p *probe) stop() []sample {
	close(p.stopCh)
	<-p.loopDone
	p.inFlight.Wait()
	return p.snapshot()
}
