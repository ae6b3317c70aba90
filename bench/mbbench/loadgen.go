package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ioTimeout bounds every request of the load generator: a server that stops
// answering makes the run fail instead of hanging it.
const ioTimeout = 10 * time.Second

// loadSpec describes one load run against one server.
type loadSpec struct {
	addr        string        // host:port on loopback
	request     []byte        // the complete request, sent as is
	conns       int           // concurrent connections (one request in flight on each)
	closeEach   bool          // a new connection per request (the request says Connection: close)
	expectBody  []byte        // every response body must equal this; nil: any body
	warmup      time.Duration // load before the measurement, not counted
	duration    time.Duration // measured time (upper bound)
	maxRequests int64         // measured requests (upper bound); 0: no bound
	rate        float64       // total requests per second; 0: as fast as possible
	onMeasure   func()        // called when the measurement starts (server counters)
}

// loadResult is the measured part of a load run.
type loadResult struct {
	requests int64         // answered with status 200 and the expected body
	errors   int64         // failed requests (any phase)
	firstErr error         // the first failure, for the report
	elapsed  time.Duration // measured time
	latency  histogram     // from the intended send time to the end of the response
	service  histogram     // from the actual send time to the end of the response
}

func (r *loadResult) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

// loadClient is one connection's worth of load.
type loadClient struct {
	spec     *loadSpec
	phase    *atomic.Int32
	done     atomic.Int64 // measured successful requests, polled by run
	errors   int64
	firstErr error
	latency  histogram
	service  histogram
	conn     net.Conn
	br       *bufio.Reader
	resp     response
	_        [64]byte // keep the polled counters of neighbours on separate cache lines
}

// runLoad drives spec's load and returns what it measured.
func runLoad(spec loadSpec) (*loadResult, error) {
	if spec.conns <= 0 {
		return nil, fmt.Errorf("load on %s: %d connections", spec.addr, spec.conns)
	}
	var phase atomic.Int32
	clients := make([]*loadClient, spec.conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		c := &loadClient{spec: &spec, phase: &phase}
		clients[i] = c
		var interval, offset time.Duration
		if spec.rate > 0 {
			interval = time.Duration(float64(spec.conns) / spec.rate * float64(time.Second))
			offset = interval * time.Duration(i) / time.Duration(spec.conns)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.loop(start.Add(offset), interval)
		}()
	}

	time.Sleep(spec.warmup)
	if spec.onMeasure != nil {
		spec.onMeasure()
	}
	measureStart := time.Now()
	phase.Store(phaseMeasure)
	deadline := measureStart.Add(spec.duration)
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if spec.maxRequests > 0 {
			var n int64
			for _, c := range clients {
				n += c.done.Load()
			}
			if n >= spec.maxRequests {
				break
			}
		}
	}
	phase.Store(phaseStop)
	elapsed := time.Since(measureStart)
	wg.Wait()

	res := &loadResult{elapsed: elapsed}
	for _, c := range clients {
		res.requests += c.done.Load()
		res.errors += c.errors
		if res.firstErr == nil {
			res.firstErr = c.firstErr
		}
		res.latency.merge(&c.latency)
		res.service.merge(&c.service)
	}
	return res, nil
}

// loop sends requests until the run stops. With an interval it follows a
// fixed schedule starting at next (open loop: latency counts from the
// intended send time, so a slow server cannot hide its queueing); without
// one it sends the next request as soon as the previous one is answered.
func (c *loadClient) loop(next time.Time, interval time.Duration) {
	defer c.closeConn()
	for c.phase.Load() != phaseStop {
		if interval > 0 {
			if wait := time.Until(next); wait > 0 {
				time.Sleep(wait)
			}
		} else {
			next = time.Now()
		}
		sent := time.Now()
		err := c.roundTrip()
		end := time.Now()
		latency, service := end.Sub(next), end.Sub(sent)
		if interval > 0 {
			next = next.Add(interval)
		}
		phase := c.phase.Load()
		if err != nil {
			if phase == phaseStop {
				return
			}
			c.errors++
			if c.firstErr == nil {
				c.firstErr = err
			}
			c.closeConn()
			time.Sleep(10 * time.Millisecond) // no busy loop against a failing server
			continue
		}
		if phase == phaseMeasure {
			c.done.Add(1)
			c.latency.add(latency)
			c.service.add(service)
		}
	}
}

// roundTrip sends the request and reads the whole response.
func (c *loadClient) roundTrip() error {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.spec.addr, ioTimeout)
		if err != nil {
			return fmt.Errorf("connect to %s: %w", c.spec.addr, err)
		}
		c.conn = conn
		if c.br == nil {
			c.br = bufio.NewReaderSize(conn, 16<<10)
		} else {
			c.br.Reset(conn)
		}
	}
	if err := c.conn.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		return fmt.Errorf("set deadline: %w", err)
	}
	if _, err := c.conn.Write(c.spec.request); err != nil {
		return fmt.Errorf("send request: %w", err)
	}
	if err := readResponse(c.br, &c.resp); err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if c.resp.status != 200 {
		c.closeConn()
		return fmt.Errorf("status %d, body %.200q", c.resp.status, c.resp.body)
	}
	if c.spec.expectBody != nil && !bytes.Equal(c.resp.body, c.spec.expectBody) {
		c.closeConn()
		return fmt.Errorf("unexpected body %.200q, want %q", c.resp.body, c.spec.expectBody)
	}
	if c.spec.closeEach && !c.resp.close {
		c.closeConn()
		return errors.New("server kept the connection open after Connection: close")
	}
	if c.resp.close {
		// Wait for the server's FIN so the server, not the client, holds
		// the TIME_WAIT state and ephemeral ports are not used up.
		if _, err := c.br.ReadByte(); err != io.EOF {
			c.closeConn()
			return fmt.Errorf("data or error after a closing response: %v", err)
		}
		c.closeConn()
	}
	return nil
}

func (c *loadClient) closeConn() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}
