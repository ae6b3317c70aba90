package master

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/config"
	"github.com/moonbridge-go/moonbridge/runtime/ipc"
	"github.com/moonbridge-go/moonbridge/runtime/logging"
)

// tick is how often a pool checks its forks, delays, limits and schedules.
const tick = 25 * time.Millisecond

// timeoutGrace is how long past a worker's reported timeout() deadline the
// master waits before killing it itself (the worker's own timer comes first).
const timeoutGrace = 2 * time.Second

// killShutdown is why workers are killed by a forced shutdown.
const killShutdown = "server is shutting down"

type workerState int

const (
	starting workerState = iota // running the main chunk and prepare
	idle                        // waiting for a job
	busy                        // running connect
	leaving                     // told to terminate, or said goodbye
)

type workerProc struct {
	pool        *pool
	pid         int    // process workers; 0 for goroutine workers
	name        string // for logs: the pid, or "g<n>" for a goroutine worker
	link        ipc.Link
	kill        func() // end it at once
	term        func() // ask it to stop after its job (SIGTERM)
	readerDone  chan struct{}
	onIdleStack bool // closed when relayMessages has returned
	state       workerState
	started     time.Time
	idleSince   time.Time
	job         int               // listener index of the running job, -1 when none
	jobKind     ipc.Kind          // kind of the running job
	deadline    *ipc.DeadlineSlot // the worker's timeout() deadline
	killed      string            // why the master killed it, for the exit log
	sigterm     bool              // SIGTERM already sent
}

type event struct {
	w       *workerProc
	msg     ipc.Msg
	exited  bool
	status  *os.ProcessState // process workers
	waitErr error
	code    int // goroutine workers: the worker's exit code
}

// job is work waiting for an idle worker.
type job struct {
	kind     ipc.Kind
	listener int
	fd       int    // Conn only
	data     []byte // Conn: request bytes the holder read already
	held     bool   // Conn: released by the holder, which counts it until it is dispatched
}

type intervalState struct {
	listener int
	next     time.Time
	queued   bool // waiting in the job queue or running
}

type pool struct {
	m         *Master
	index     int
	cfg       *config.Pool
	sockets   []*socketListener
	conns     chan job      // accepted connections, from the accept loops
	demand    chan struct{} // an accept loop waits with a connection (wakes run)
	events    chan event    // from the worker goroutines
	waiting   atomic.Int32
	workers   map[*workerProc]struct{}
	idle      []*workerProc // stack of idle workers, most recent last (may hold stale entries)
	queue     []job
	intervals []*intervalState
	mainsLeft int // main jobs not finished yet
	nextFork  time.Time
	stopping  bool
	mainOnly  bool
	// goroutines: the workers are goroutines, which fork_delay does not
	// pace (forkForDemand); startingN counts workers still starting.
	goroutines bool
	startingN  int
	deferred   []event // events that came while reap waited for a reader

	// Connections whose requests have arrived in the holder, for run to
	// queue (readyCh wakes it).
	readyMu sync.Mutex
	ready   []job
	readyCh chan struct{}
	// crowded: jobs wait for a worker; every worker's slot says so, so
	// that workers give idle keep-alive connections back to the master.
	crowded bool
}

func newPool(m *Master, index int, cfg *config.Pool) *pool {
	p := &pool{
		m: m, index: index, cfg: cfg,
		conns:      make(chan job),
		demand:     make(chan struct{}, 1),
		readyCh:    make(chan struct{}, 1),
		events:     make(chan event, 64),
		workers:    map[*workerProc]struct{}{},
		mainOnly:   cfg.MainOnly(),
		goroutines: m.opts.RunWorker != nil,
	}
	now := time.Now()
	for i, l := range cfg.Listeners {
		switch l.Proto {
		case config.Interval:
			p.intervals = append(p.intervals, &intervalState{listener: i, next: now.Add(l.Delay)})
		case config.Main:
			p.queue = append(p.queue, job{kind: ipc.Main, listener: i, fd: -1})
			p.mainsLeft++
		}
	}
	return p
}

func (p *pool) logf(format string, a ...any) {
	p.m.log.Infof("pool #%d: "+format, append([]any{p.index + 1}, a...)...)
}

func (p *pool) statsf(format string, a ...any) {
	if p.m.opts.Stats {
		idle, busy, starting := p.counts()
		p.m.log.Infof("pool #%d: "+format+" (workers: %d idle, %d busy, %d starting)",
			append(append([]any{p.index + 1}, a...), idle, busy, starting)...)
	}
}

func (p *pool) counts() (idleN, busyN, startingN int) {
	for w := range p.workers {
		switch w.state {
		case idle:
			idleN++
		case busy, leaving:
			busyN++
		case starting:
			startingN++
		}
	}
	return
}

// acceptLoop accepts connections on one listener and hands them to the
// pool loop, which takes them only when a worker is idle: meanwhile further
// connections wait in the kernel's listen queue. Once the listener is
// known to serve HTTP, it hands them to the holder instead, as fast as
// they come (up to the holder's limit), and the pool gets them when their
// requests have arrived.
func (p *pool) acceptLoop(l *socketListener) {
	for {
		if l.hold.Load() != nil {
			if h := p.m.holder(); h != nil && !h.room() {
				select {
				case <-p.m.stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				continue
			}
		}
		fd, err := l.accept()
		if err != nil {
			if isClosed(err) {
				return
			}
			select {
			case <-p.m.stop:
				return
			default:
			}
			// EMFILE and friends: log, back off, keep the listener.
			p.m.log.Errorf("pool #%d: accept on %v: %v", p.index+1, l.cfg, err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if t := l.hold.Load(); t != nil {
			if h := p.m.holder(); h != nil {
				h.add(fd, p, l.index, *t, true)
				continue
			}
		}
		p.waiting.Add(1)
		select {
		case p.demand <- struct{}{}:
		default:
		}
		select {
		case p.conns <- job{kind: ipc.Conn, listener: l.index, fd: fd}:
			p.waiting.Add(-1)
		case <-p.m.stop:
			p.waiting.Add(-1)
			syscall.Close(fd)
			return
		}
	}
}

func isClosed(err error) bool { return errors.Is(err, os.ErrClosed) }

// run is the pool's loop; it returns when the pool has no worker left
// after a shutdown.
func (p *pool) run() {
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	stop := p.m.stop
	kill := p.m.kill
	// The first pre_fork and min_fork workers start at once: the server
	// listens already, and a client should not wait for fork_delay.
	initial := max(p.cfg.PreFork, p.cfg.MinFork)
	if p.mainOnly {
		initial = p.mainsLeft
	}
	for i := 0; i < initial && len(p.workers) < p.maxWorkers(); i++ {
		if !p.fork() {
			break
		}
	}
	if !p.goroutines && !time.Now().Before(p.nextFork) {
		p.nextFork = time.Now().Add(p.cfg.ForkDelay)
	}
	for {
		for len(p.deferred) > 0 {
			ev := p.deferred[0]
			p.deferred = p.deferred[1:]
			p.handle(ev)
		}
		if p.stopping && len(p.workers) == 0 {
			p.dropQueue()
			return
		}
		var conns chan job
		if !p.stopping && p.idleWorker() != nil && len(p.queue) == 0 {
			conns = p.conns
		}
		select {
		case j := <-conns:
			p.queue = append(p.queue, j)
		case <-p.readyCh:
			p.readyMu.Lock()
			p.queue = append(p.queue, p.ready...)
			clear(p.ready) // no request bytes kept alive by the spare capacity
			p.ready = p.ready[:0]
			p.readyMu.Unlock()
		case ev := <-p.events:
			p.handle(ev)
		case <-p.demand:
		case <-ticker.C:
			p.maintain(time.Now())
		case <-stop:
			stop = nil
			p.beginShutdown()
		case <-kill:
			kill = nil
			p.killAll(killShutdown)
		}
		p.dispatch()
		p.forkForDemand()
		p.updateCrowded()
		if p.stopping && len(p.workers) == 0 {
			p.dropQueue()
			return
		}
	}
}

func (p *pool) maxWorkers() int {
	if p.mainOnly {
		return p.mainsLeft
	}
	return p.cfg.MaxFork
}

// idleWorker returns the idle worker that became idle last (its caches are
// warm, and the others can reach exit_delay), or nil. The idle stack may
// hold workers that are no longer idle; they are dropped here.
func (p *pool) idleWorker() *workerProc {
	for n := len(p.idle); n > 0; n = len(p.idle) {
		w := p.idle[n-1]
		if _, alive := p.workers[w]; alive && w.state == idle {
			return w
		}
		w.onIdleStack = false
		p.idle = p.idle[:n-1]
	}
	return nil
}

// becameIdle records that w waits for a job.
func (p *pool) becameIdle(w *workerProc) {
	w.state = idle
	w.idleSince = time.Now()
	if !w.onIdleStack {
		w.onIdleStack = true
		p.idle = append(p.idle, w)
	}
}

// dispatch hands queued jobs to idle workers.
func (p *pool) dispatch() {
	for len(p.queue) > 0 {
		if p.stopping && p.queue[0].kind != ipc.Main {
			p.dropQueue()
			return
		}
		w := p.idleWorker()
		if w == nil {
			return
		}
		j := p.queue[0]
		err := w.link.Send(ipc.Msg{Kind: j.kind, Listener: j.listener, FD: j.fd, Data: j.data})
		if err != nil {
			// The worker is gone; its exit event follows. Try another one.
			w.state = leaving
			continue
		}
		if j.held {
			p.m.held.Load().dispatched()
		}
		p.queue[0] = job{}
		p.queue = p.queue[1:]
		w.state = busy
		w.job = j.listener
		w.jobKind = j.kind
		if p.m.log.Enabled(logging.Debug) {
			p.m.log.Debugf("pool #%d: %s job for %v given to worker %s", p.index+1, kindName(j.kind), p.cfg.Listeners[j.listener], w.name)
		}
	}
}

func kindName(k ipc.Kind) string {
	switch k {
	case ipc.Conn:
		return "connection"
	case ipc.Interval:
		return "interval"
	case ipc.Main:
		return "main"
	}
	return string(k)
}

func (p *pool) dropQueue() {
	p.readyMu.Lock()
	p.queue = append(p.queue, p.ready...)
	p.ready = nil
	p.readyMu.Unlock()
	for _, j := range p.queue {
		if j.fd >= 0 {
			syscall.Close(j.fd)
		}
		if j.held {
			p.m.held.Load().dispatched()
		}
	}
	p.queue = nil
}

// updateCrowded tells the workers whether jobs wait for a worker.
func (p *pool) updateCrowded() {
	crowded := len(p.queue) > 0 || p.waiting.Load() > 0
	if crowded == p.crowded {
		return
	}
	p.crowded = crowded
	for w := range p.workers {
		w.deadline.SetCrowded(crowded)
	}
}

// addReady queues a connection whose request has arrived in the holder.
func (p *pool) addReady(j job) {
	p.readyMu.Lock()
	p.ready = append(p.ready, j)
	p.readyMu.Unlock()
	select {
	case p.readyCh <- struct{}{}:
	default:
	}
}

// holdHTTP makes the holder take the new connections of a listener that
// a worker found to serve HTTP, with the timeouts of its handler.
func (p *pool) holdHTTP(listener int, times ipc.HoldTimes) bool {
	if p.stopping || p.m.holder() == nil {
		return false
	}
	for _, l := range p.sockets {
		if l.index != listener {
			continue
		}
		if old := l.hold.Swap(&times); old == nil || *old != times {
			p.logf("%s serves HTTP: new connections wait in the master until their request has arrived (%s)", l.cfg, describeTimes(times))
		}
		return true
	}
	return false
}

func describeTimes(t ipc.HoldTimes) string {
	d := func(x time.Duration) string {
		if x < 0 {
			return "none"
		}
		return x.String()
	}
	return "idle_timeout " + d(t.Idle) + ", request_header_timeout " + d(t.Header)
}

// park holds a keep-alive connection a worker gave back between two
// requests.
func (p *pool) park(m ipc.Msg) {
	if !p.holdHTTP(m.Listener, m.Times) {
		syscall.Close(m.FD)
		return
	}
	p.m.holder().add(m.FD, p, m.Listener, m.Times, false)
}

// fork starts a worker; it reports false (and delays the next fork by
// fork_error_delay) when the worker could not be started.
func (p *pool) fork() bool {
	w, err := p.m.spawn(p)
	if err != nil {
		p.m.log.Errorf("pool #%d: %v", p.index+1, err)
		p.nextFork = time.Now().Add(p.cfg.ForkErrorDelay)
		return false
	}
	p.workers[w] = struct{}{}
	w.deadline.SetCrowded(p.crowded)
	p.startingN++
	p.statsf("worker %s started", w.name)
	return true
}

// forkForDemand starts a goroutine worker at once when a connection waits
// and no worker is idle or starting. A goroutine worker costs a Lua state,
// not a process: fork_delay does not pace it (fork_error_delay does), so
// a large max_fork really serves that many slow clients.
func (p *pool) forkForDemand() {
	if !p.goroutines || p.stopping || p.mainOnly || p.startingN > 0 || len(p.workers) >= p.cfg.MaxFork {
		return
	}
	if (p.waiting.Load() == 0 && len(p.queue) == 0) || p.idleWorker() != nil {
		return
	}
	if time.Now().Before(p.nextFork) {
		return
	}
	p.fork()
}

// started records that w has finished starting (or ended while starting).
func (p *pool) started(w *workerProc) {
	if w.state == starting {
		p.startingN--
	}
}

// handle reacts to a worker's message or exit.
func (p *pool) handle(ev event) {
	w := ev.w
	if ev.exited {
		p.reap(w, ev)
		return
	}
	switch ev.msg.Kind {
	case ipc.Hold:
		p.holdHTTP(ev.msg.Listener, ev.msg.Times)
		return
	case ipc.Park:
		p.park(ev.msg)
		return
	}
	if _, alive := p.workers[w]; !alive {
		return // a message read before the worker's end was reaped
	}
	if ev.msg.Kind == ipc.Ready || ev.msg.Kind == ipc.Goodbye {
		p.started(w)
	}
	switch ev.msg.Kind {
	case ipc.Ready:
		p.jobDone(w)
		if p.stopping || w.state == leaving {
			p.terminate(w)
			return
		}
		p.becameIdle(w)
	case ipc.Goodbye:
		p.jobDone(w)
		w.state = leaving
	}
}

// jobDone does the bookkeeping of the end of a worker's job.
func (p *pool) jobDone(w *workerProc) {
	if w.job < 0 {
		return
	}
	switch w.jobKind {
	case ipc.Interval:
		for _, iv := range p.intervals {
			if iv.listener == w.job {
				iv.queued = false
				if !p.cfg.Listeners[w.job].Strict {
					iv.next = time.Now().Add(p.cfg.Listeners[w.job].Delay)
				}
			}
		}
	case ipc.Main:
		p.mainsLeft--
		p.logf("main task %q ended: shutting down the server", p.cfg.Listeners[w.job].Name)
		go p.m.Shutdown()
	}
	w.job = -1
}

func (p *pool) reap(w *workerProc, ev event) {
	desc, clean := describeExit(ev)
	job := w.job
	if job >= 0 && w.jobKind == ipc.Main {
		// A worker that ends during a main task failed (a Lua error, timeout(),
		// a limit): the server exits with the run-time error code, so that
		// a service manager sees the failure. Killed by a forced shutdown
		// (a second SIGTERM, SIGHUP), it was the operator's choice.
		if w.killed != killShutdown {
			p.m.failed.Store(true)
		}
		clean = false
	}
	if ws, ok := exitSignal(ev); ok && ws == syscall.SIGKILL && w.killed == "" {
		// Not killed by us: a worker process's kernel timer (runtime/worker,
		// hardStop) kills it shortly after its timeout() deadline when its
		// own timer could not run in time.
		if d := w.deadline.Load(); d != 0 && time.Now().After(time.Unix(0, d)) {
			late := time.Since(time.Unix(0, d))
			p.m.log.Log(logging.Error, w.pid, fmt.Sprintf("pool #%d: Timeout expired: worker %s terminated by timeout() (killed by its kernel timer; %.1f ms after the deadline when reaped)",
				p.index+1, w.name, float64(late.Microseconds())/1000))
		}
	}
	fail := appFailure(w, ev, clean)
	p.started(w)
	p.jobDone(w)
	delete(p.workers, w)
	// The worker has ended, so its end of the link is closed and the
	// reader returns promptly once it has handed over what it read:
	// events are taken meanwhile (the reader may wait for room in
	// p.events, as when many workers end at once) and handled later.
	for reading := true; reading; {
		select {
		case <-w.readerDone:
			reading = false
		case ev := <-p.events:
			p.deferred = append(p.deferred, ev)
		}
	}
	w.link.Close()
	w.deadline.Close()
	switch {
	case w.killed != "":
		p.m.log.Log(logging.Warning, w.pid, fmt.Sprintf("pool #%d: worker %s %s: %s", p.index+1, w.name, desc, w.killed))
	case !clean:
		p.m.log.Log(logging.Error, w.pid, fmt.Sprintf("pool #%d: worker %s %s", p.index+1, w.name, desc))
	default:
		p.statsf("worker %s %s", w.name, desc)
	}
	if fail {
		if next := time.Now().Add(p.cfg.ForkErrorDelay); next.After(p.nextFork) {
			p.nextFork = next
		}
	}
	if w.state == starting && !clean && len(p.workers) == 0 && p.mainOnly {
		p.m.failed.Store(true)
		go p.m.Shutdown()
	}
}

// appFailure reports whether a worker's end was a failure of the
// application, which fork_error_delay paces: it failed while starting
// (main chunk, prepare), it ended with an error status (a Lua error,
// timeout()), or a limit ended it (the master's kill, or its own kernel
// timer's SIGKILL after its timeout() deadline). A client's misbehaviour
// ends only a connection, never a worker; a worker killed from outside
// the server or by a forced shutdown is replaced at the usual pace.
func appFailure(w *workerProc, ev event, clean bool) bool {
	switch {
	case clean:
		return false
	case w.state == starting:
		return true
	case w.killed != "":
		return w.killed != killShutdown
	}
	if ev.status != nil {
		if ws, ok := ev.status.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			d := w.deadline.Load()
			return ws.Signal() == syscall.SIGKILL && d != 0 && time.Now().After(time.Unix(0, d))
		}
	}
	return true
}

// maintain forks and retires workers and enforces limits and schedules.
func (p *pool) maintain(now time.Time) {
	// Interval schedules.
	if !p.stopping {
		for _, iv := range p.intervals {
			if iv.queued || now.Before(iv.next) {
				continue
			}
			iv.queued = true
			if p.cfg.Listeners[iv.listener].Strict {
				d := p.cfg.Listeners[iv.listener].Delay
				for !iv.next.After(now) {
					iv.next = iv.next.Add(d)
				}
			}
			p.queue = append(p.queue, job{kind: ipc.Interval, listener: iv.listener, fd: -1})
		}
	}

	// Limits.
	for w := range p.workers {
		if p.cfg.MemoryLimit > 0 && w.killed == "" && w.pid > 0 {
			if rss, err := residentBytes(w.pid); err == nil && rss > p.cfg.MemoryLimit {
				p.killWorker(w, fmt.Sprintf("memory limit exceeded (%d bytes resident, limit %d)", rss, p.cfg.MemoryLimit))
			}
		}
		if d := w.deadline.Load(); d != 0 && w.killed == "" && now.After(time.Unix(0, d).Add(timeoutGrace)) {
			p.killWorker(w, "timeout() expired and the worker did not stop by itself")
		}
	}
	if p.stopping {
		return
	}

	// Retire idle workers: surplus ones after exit_delay, any after idle_timeout.
	idleN, busyN, startingN := p.counts()
	total := idleN + busyN + startingN
	if !p.mainOnly {
		var idles []*workerProc
		for w := range p.workers {
			if w.state == idle {
				idles = append(idles, w)
			}
		}
		sort.Slice(idles, func(i, j int) bool { return idles[i].idleSince.Before(idles[j].idleSince) })
		for _, w := range idles {
			idleFor := now.Sub(w.idleSince)
			switch {
			case p.cfg.IdleTimeout > 0 && idleFor >= p.cfg.IdleTimeout:
				p.statsf("worker %s idle for %v: terminating", w.name, idleFor.Round(time.Millisecond))
			case idleN > p.cfg.PreFork && total > p.cfg.MinFork && idleFor >= p.cfg.ExitDelay:
				p.statsf("worker %s not needed for %v: terminating", w.name, idleFor.Round(time.Millisecond))
			default:
				continue
			}
			p.terminate(w)
			idleN--
			total--
		}
	}

	// Fork when a worker is needed: processes one per fork_delay,
	// goroutine workers all that are needed at once.
	if p.mainOnly {
		return
	}
	for total < p.cfg.MaxFork && !now.Before(p.nextFork) {
		spare := idleN + startingN
		need := total < p.cfg.MinFork || spare < p.cfg.PreFork ||
			(spare == 0 && (p.waiting.Load() > 0 || len(p.queue) > 0))
		if !need || !p.fork() {
			return
		}
		total++
		startingN++
		if !p.goroutines {
			p.nextFork = now.Add(p.cfg.ForkDelay)
		}
	}
}

func (p *pool) terminate(w *workerProc) {
	w.state = leaving
	if err := w.link.Send(ipc.Msg{Kind: ipc.Terminate}); err != nil {
		w.kill()
	}
}

func (p *pool) killWorker(w *workerProc, why string) {
	w.killed = why
	w.kill()
}

func (p *pool) beginShutdown() {
	p.stopping = true
	p.dropQueue()
	for w := range p.workers {
		switch w.state {
		case idle:
			p.terminate(w)
		case busy, starting:
			// A busy worker finishes its job; SIGTERM wakes applications
			// that wait in poll() after catch_sigterm().
			if !w.sigterm {
				w.sigterm = true
				w.term()
			}
		}
	}
}

func (p *pool) killAll(why string) {
	for w := range p.workers {
		if w.killed == "" {
			p.killWorker(w, why)
		}
	}
}

// exitSignal is the signal that ended a worker process, if one did.
func exitSignal(ev event) (syscall.Signal, bool) {
	if ev.status == nil {
		return 0, false
	}
	if ws, ok := ev.status.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal(), true
	}
	return 0, false
}
