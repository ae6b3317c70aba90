// Package master is the server's parent process: it opens the listeners,
// starts worker processes (re-executing its own binary), hands each job —
// an accepted connection, an interval tick, a main task — to an idle
// worker over its control socket, keeps every pool within its fork limits,
// enforces memory and time limits, logs the workers' stderr and shuts
// down on signals (API.md §1.4 and §2).
//
// The master never runs application code after start-up: it only keeps
// the pool descriptions that the main chunk's listen calls produced.
package master

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/config"
	"github.com/moonbridge-go/moonbridge/runtime/ipc"
	"github.com/moonbridge-go/moonbridge/runtime/logging"
)

// Options configure a master.
type Options struct {
	Pools []*config.Pool
	Log   *logging.Logger
	Stats bool // log worker starts and ends with pool counts

	// How a worker process is started: the master's own binary, its
	// arguments and environment; EnvPool is added per worker.
	Exe     string
	Args    []string
	Env     []string
	EnvPool string
	// WorkerName, if set, is argv[0] of the worker processes of a pool
	// (what ps shows), e.g. "server: worker (pool 1)".
	WorkerName func(pool int) string

	// RunWorker, when set, runs workers as goroutines in this process
	// instead of processes: it is the worker's whole life and returns its
	// exit code. stop asks it to end after its job; kill ends it at once.
	RunWorker func(pool int, wio WorkerIO) int

	// ShutdownTimeout bounds how long running jobs may take after SIGTERM.
	ShutdownTimeout time.Duration
	// Ready, if set, is called once every listener is open.
	Ready func()
	// Stopping, if set, is called once when the shutdown begins.
	Stopping func()
}

// Exit codes of Run, as the original's.
const (
	ExitOK      = 0
	ExitStartup = 3
	ExitRuntime = 4
)

// WorkerIO is what a goroutine worker gets from the master.
type WorkerIO struct {
	Link     ipc.Link
	Stderr   io.Writer
	Stop     <-chan struct{} // closed: end after the running job (SIGTERM)
	Kill     <-chan struct{} // closed: end at once
	Deadline *ipc.DeadlineSlot
}

// Master runs the pools.
type Master struct {
	opts       Options
	log        *logging.Logger
	pools      []*pool
	stopOnce   sync.Once
	stop       chan struct{} // closed: graceful shutdown
	kill       chan struct{} // closed: kill everything now
	killOnce   sync.Once
	wg         sync.WaitGroup
	relays     sync.WaitGroup // stderr relays: drained before "Server stopped"
	listeners  []*socketListener
	failed     atomic.Bool
	goroutines atomic.Int64

	holdMu sync.Mutex
	held   atomic.Pointer[holder] // made when a listener turns out to serve HTTP
}

// New opens every listener. An error names the listener that failed.
func New(opts Options) (*Master, error) {
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 60 * time.Second
	}
	m := &Master{opts: opts, log: opts.Log, stop: make(chan struct{}), kill: make(chan struct{})}
	for i, cfg := range opts.Pools {
		p := newPool(m, i, cfg)
		for li, lc := range cfg.Listeners {
			if lc.Proto != config.TCP && lc.Proto != config.Local {
				continue
			}
			l, err := openListener(lc, li)
			if err != nil {
				m.closeListeners()
				return nil, err
			}
			m.listeners = append(m.listeners, l)
			p.sockets = append(p.sockets, l)
		}
		m.pools = append(m.pools, p)
	}
	return m, nil
}

func (m *Master) closeListeners() {
	for _, l := range m.listeners {
		l.close()
	}
}

// Run serves until a signal or the end of a main task; it returns the
// process exit code.
func (m *Master) Run() int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	signal.Ignore(syscall.SIGPIPE)
	defer signal.Stop(sigs)
	go func() {
		graceful := 0
		for s := range sigs {
			switch s {
			case syscall.SIGHUP:
				m.log.Noticef("SIGHUP received: killing workers and exiting")
				m.Kill()
			default:
				graceful++
				if graceful == 1 {
					m.log.Noticef("%s received: no new connections, waiting for running jobs (up to %v; send it again to kill them)", signalName(s), m.opts.ShutdownTimeout)
					m.Shutdown()
				} else {
					m.log.Noticef("%s received again: killing workers", signalName(s))
					m.Kill()
				}
			}
		}
	}()
	for _, p := range m.pools {
		for _, l := range p.sockets {
			m.wg.Add(1)
			go func(p *pool, l *socketListener) {
				defer m.wg.Done()
				p.acceptLoop(l)
			}(p, l)
		}
	}
	// The pools are described before their goroutines start: describe
	// reads state that run then owns.
	m.log.Noticef("Server started (%d pool(s), %s workers)", len(m.pools), m.workerKind())
	for _, p := range m.pools {
		m.log.Noticef("pool #%d: %s", p.index+1, p.describe())
	}
	var poolsDone sync.WaitGroup
	for _, p := range m.pools {
		poolsDone.Add(1)
		go func(p *pool) {
			defer poolsDone.Done()
			p.run()
		}(p)
	}
	if m.opts.Ready != nil {
		m.opts.Ready()
	}
	poolsDone.Wait()
	m.closeListeners()
	m.wg.Wait()
	m.drainRelays(2 * time.Second)
	m.log.Noticef("Server stopped")
	if m.failed.Load() {
		return ExitRuntime
	}
	return ExitOK
}

// Shutdown stops accepting and lets running jobs finish.
func (m *Master) Shutdown() {
	m.stopOnce.Do(func() {
		if m.opts.Stopping != nil {
			m.opts.Stopping()
		}
		close(m.stop)
		m.closeListeners()
		m.holdMu.Lock()
		if h := m.held.Load(); h != nil {
			h.stop()
		}
		m.holdMu.Unlock()
		go func() {
			select {
			case <-time.After(m.opts.ShutdownTimeout):
				m.log.Warningf("Jobs still running %v after shutdown began: killing workers", m.opts.ShutdownTimeout)
				m.Kill()
			case <-m.kill:
			}
		}()
	})
}

// holder returns the holder of HTTP connections, making it on first
// use; nil once the server is shutting down (or if it cannot be made,
// which is logged: connections then go to workers at once).
func (m *Master) holder() *holder {
	if h := m.held.Load(); h != nil {
		return h
	}
	m.holdMu.Lock()
	defer m.holdMu.Unlock()
	if h := m.held.Load(); h != nil {
		return h
	}
	select {
	case <-m.stop:
		return nil
	default:
	}
	h, err := newHolder(m, m.holdLimit())
	if err != nil {
		m.log.Errorf("%v: connections go to workers before their request has arrived", err)
		return nil
	}
	m.held.Store(h)
	return h
}

// holdLimit is the most connections the master keeps while their
// requests arrive: what its descriptor limit leaves after the workers'
// control sockets, pipes and the listeners.
func (m *Master) holdLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 1000
	}
	reserve := uint64(256 + len(m.listeners))
	for _, p := range m.pools {
		reserve += 4 * uint64(p.cfg.MaxFork)
	}
	if rl.Cur < reserve+64 {
		return 64
	}
	return int(min(rl.Cur-reserve, 1<<20))
}

// Kill ends every worker at once.
func (m *Master) Kill() {
	m.Shutdown()
	m.killOnce.Do(func() { close(m.kill) })
}

// spawn starts one worker for pool p: a process, or a goroutine when the
// master runs goroutine workers.
func (m *Master) spawn(p *pool) (*workerProc, error) {
	if m.opts.RunWorker != nil {
		return m.spawnGoroutine(p)
	}
	ctrl, child, err := ipc.Pair()
	if err != nil {
		return nil, err
	}
	slot, slotFile, err := ipc.NewSharedDeadlineSlot()
	if err != nil {
		ctrl.Close()
		child.Close()
		return nil, err
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		ctrl.Close()
		child.Close()
		slot.Close()
		slotFile.Close()
		return nil, fmt.Errorf("stderr pipe: %w", err)
	}
	args := m.opts.Args
	if m.opts.WorkerName != nil && len(args) > 0 {
		args = append([]string{m.opts.WorkerName(p.index)}, args[1:]...)
	}
	cmd := &exec.Cmd{
		Path:       m.opts.Exe,
		Args:       args,
		Env:        append(append([]string(nil), m.opts.Env...), m.opts.EnvPool+"="+strconv.Itoa(p.index)),
		ExtraFiles: []*os.File{child, slotFile}, // descriptors 3 and 4
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     stderrW,
		SysProcAttr: &syscall.SysProcAttr{
			Setpgid:   true,            // terminal signals go to the master only
			Pdeathsig: syscall.SIGKILL, // no orphans if the master dies
		},
	}
	err = cmd.Start()
	child.Close()
	slotFile.Close()
	stderrW.Close()
	if err != nil {
		ctrl.Close()
		slot.Close()
		stderrR.Close()
		return nil, fmt.Errorf("start worker process: %w", err)
	}
	pid := cmd.Process.Pid
	w := &workerProc{
		pool: p, pid: pid, name: strconv.Itoa(pid), link: ctrl, state: starting, started: time.Now(), job: -1,
		readerDone: make(chan struct{}), deadline: slot,
		kill: func() { syscall.Kill(pid, syscall.SIGKILL) },
		term: func() { syscall.Kill(pid, syscall.SIGTERM) },
	}
	m.relays.Add(1)
	go m.relayStderr(p, w, stderrR)
	go m.relayMessages(p, w)
	go func() {
		err := cmd.Wait()
		p.events <- event{w: w, exited: true, status: cmd.ProcessState, waitErr: err}
	}()
	return w, nil
}

// spawnGoroutine starts a worker as a goroutine with a Lua state of its own.
// Its stderr is a pipe, as a worker process's is: the worker points the
// application's io.stderr and moonbridge_io.stderr at it, so that what
// the application writes there is logged with the worker's name.
func (m *Master) spawnGoroutine(p *pool) (*workerProc, error) {
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("stderr pipe of goroutine worker: %w", err)
	}
	masterEnd, workerEnd := ipc.ChanPair()
	stop, kill := make(chan struct{}), make(chan struct{})
	var stopOnce, killOnce sync.Once
	w := &workerProc{
		pool: p, name: "g" + strconv.FormatInt(m.goroutines.Add(1), 10), link: masterEnd,
		state: starting, started: time.Now(), job: -1, readerDone: make(chan struct{}),
		deadline: ipc.NewDeadlineSlot(),
		kill:     func() { killOnce.Do(func() { close(kill) }) },
		term:     func() { stopOnce.Do(func() { close(stop) }) },
	}
	m.relays.Add(1)
	go m.relayStderr(p, w, stderrR)
	go m.relayMessages(p, w)
	go func() {
		code := m.opts.RunWorker(p.index, WorkerIO{Link: workerEnd, Stderr: stderrW, Stop: stop, Kill: kill, Deadline: w.deadline})
		workerEnd.Close()
		stderrW.Close()
		p.events <- event{w: w, exited: true, code: code}
	}()
	return w, nil
}

// relayMessages turns a worker's messages into events. Only the pool loop
// closes the link, and only after this has returned (see reap), so a
// descriptor number is never reused under a reader.
func (m *Master) relayMessages(p *pool, w *workerProc) {
	defer close(w.readerDone)
	for {
		msg, err := w.link.Recv()
		if err != nil {
			return
		}
		p.events <- event{w: w, msg: msg}
	}
}

// drainRelays waits (at most limit) until every worker's stderr has been
// logged to its end, so that the last lines of ended workers are not lost
// at shutdown.
func (m *Master) drainRelays(limit time.Duration) {
	done := make(chan struct{})
	go func() {
		m.relays.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(limit):
	}
}

// relayStderr logs each line a worker writes to its stderr.
func (m *Master) relayStderr(p *pool, w *workerProc, r io.ReadCloser) {
	defer m.relays.Done()
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	level := logging.Notice
	prefix := fmt.Sprintf("pool #%d: ", p.index+1)
	if w.pid == 0 {
		prefix = fmt.Sprintf("pool #%d worker %s: ", p.index+1, w.name)
	}
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "stack traceback:") {
			level = logging.Notice
			switch {
			case strings.HasPrefix(line, "Error") || strings.HasPrefix(line, "Timeout"):
				level = logging.Error
			case strings.HasPrefix(line, "Connection closed after a client error"):
				// moonbridge_http: the client's fault, not the server's
				level = logging.Info
			}
		}
		m.log.Log(level, w.pid, prefix+line)
	}
	io.Copy(io.Discard, r)
}

// describeExit says how a worker ended; clean is true for exit code 0.
func describeExit(ev event) (string, bool) {
	if ev.status == nil {
		if ev.waitErr != nil {
			return fmt.Sprintf("ended (%v)", ev.waitErr), false
		}
		if ev.code == 0 {
			return "ended normally", true
		}
		return fmt.Sprintf("ended with error status %d", ev.code), false
	}
	st := ev.status
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Sprintf("killed by signal %d (%v)", int(ws.Signal()), ws.Signal()), false
	}
	if st.ExitCode() == 0 {
		return "exited normally", true
	}
	return fmt.Sprintf("exited with error status %d", st.ExitCode()), false
}

// residentBytes reads a process's resident memory from /proc.
func residentBytes(pid int) (int64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return 0, errors.New("short statm")
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return 0, err
	}
	return pages * int64(os.Getpagesize()), nil
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

func (m *Master) workerKind() string {
	if m.opts.RunWorker != nil {
		return "goroutine"
	}
	return "process"
}

// describe is the start-up line of a pool: its listeners (with the
// address each socket is bound to) and its worker limits.
func (p *pool) describe() string {
	var parts []string
	sockets := map[int]*socketListener{}
	for _, l := range p.sockets {
		sockets[l.index] = l
	}
	for i, lc := range p.cfg.Listeners {
		if l := sockets[i]; l != nil {
			parts = append(parts, l.describe())
		} else {
			parts = append(parts, lc.String())
		}
	}
	c := p.cfg
	text := strings.Join(parts, ", ") + fmt.Sprintf("; workers: pre_fork %d, min_fork %d, max_fork %d", c.PreFork, c.MinFork, c.MaxFork)
	if p.mainOnly {
		text = strings.Join(parts, ", ") + fmt.Sprintf("; one worker per main task (%d)", p.mainsLeft)
	}
	if c.IdleTimeout > 0 {
		text += fmt.Sprintf(", idle_timeout %v", c.IdleTimeout)
	}
	if c.MemoryLimit > 0 {
		text += fmt.Sprintf(", memory_limit %d bytes", c.MemoryLimit)
	}
	return text
}
