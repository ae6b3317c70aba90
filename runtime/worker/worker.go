// Package worker is the life of one worker process ("cloned Lua machine"):
// it runs the application's main chunk up to its listen calls, picks its
// pool, then runs prepare, connect per job and finish (API.md §1.3),
// talking to the master only through its control socket (runtime/ipc).
//
// A worker never accepts connections itself and never forks; the master
// decides everything about the pool. Its stderr is read by the master and
// logged with the worker's pid.
package worker

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/app"
	"github.com/moonbridge-go/moonbridge/runtime/config"
	"github.com/moonbridge-go/moonbridge/runtime/ipc"
	"github.com/moonbridge-go/moonbridge/stdlib/mbio"
	lua "github.com/yuin/gopher-lua"
)

// Environment of a worker process, set by the master when it starts one.
const (
	EnvPool    = "MOONBRIDGE_WORKER" // index of the pool (0-based) the worker serves
	ControlFD  = 3                   // the inherited control socket
	DeadlineFD = 4                   // the inherited deadline slot (ipc.DeadlineSlot)
	ExitError  = 1                   // a Lua error ended the worker
	ExitLimits = 2                   // timeout() expired
)

// Options say what a worker runs.
type Options struct {
	Program  app.Program
	Args     []string // the application's arguments ("..." of the main chunk)
	Pool     int
	Control  ipc.Link
	Stderr   io.Writer
	Deadline *ipc.DeadlineSlot // where timeout() deadlines are published for the master; may be nil

	// InProcess marks a goroutine worker: it shares the process with the
	// master and other workers, so it installs no signal handlers, never
	// exits the process, and ends its goroutine where a process worker
	// would end its process.
	InProcess bool
	Stop      <-chan struct{} // InProcess: closed to ask for an end after the running job (SIGTERM)
	Kill      <-chan struct{} // InProcess: closed to end the worker at once
}

type worker struct {
	opts     Options
	L        *lua.LState
	pool     *config.Pool
	dog      *watchdog
	sigterm  atomic.Bool
	listened []*config.Pool

	handoffs map[int]*handoff // per listener (handoff.go)
}

// Run is the whole life of a worker; it returns the process exit code.
func Run(opts Options) int {
	w := &worker{opts: opts}
	if w.opts.Stderr == nil {
		w.opts.Stderr = os.Stderr
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var timedOut atomic.Bool
	// abortWaits ends the moonbridge_io waits of a goroutine worker's Lua
	// state (set once the state exists): the context stops Lua code, but
	// a read blocked in Go would otherwise hold the goroutine.
	var abortWaits atomic.Pointer[func()]
	stop := func() {
		cancel()
		if f := abortWaits.Load(); f != nil {
			(*f)()
		}
	}
	expire := func(late time.Duration) {
		fmt.Fprintf(w.opts.Stderr, "Timeout expired: worker terminated by timeout() (%.1f ms after the deadline)\n", float64(late.Microseconds())/1000)
		if !opts.InProcess {
			os.Exit(ExitLimits)
		}
		// A goroutine worker ends its Lua state, not the process.
		timedOut.Store(true)
		stop()
	}
	if opts.InProcess {
		go func() {
			select {
			case <-opts.Stop:
				w.sigterm.Store(true)
				mbio.NotifySigterm()
			case <-ctx.Done():
			}
		}()
		go func() {
			select {
			case <-opts.Kill:
				stop()
			case <-ctx.Done():
			}
		}()
	} else {
		signal.Ignore(syscall.SIGPIPE, syscall.SIGINT, syscall.SIGHUP)
		terms := make(chan os.Signal, 1)
		signal.Notify(terms, syscall.SIGTERM)
		go func() {
			for range terms {
				w.sigterm.Store(true)
				mbio.NotifySigterm()
			}
		}()
	}

	w.dog = newWatchdog(expire, func(deadline time.Time) {
		var ns int64
		if !deadline.IsZero() {
			ns = deadline.UnixNano()
		}
		if w.opts.Deadline != nil {
			w.opts.Deadline.Store(ns)
		}
	})

	if !opts.InProcess {
		w.dog.hard = newHardStop()
	}
	w.L = app.NewState(opts.Program, app.Hooks{Listen: w.listen, Timeout: w.dog.luaTimeout})
	defer w.L.Close()
	defer w.dog.set(0)
	if opts.InProcess {
		// The VM checks the context between instructions: kill and
		// timeout() interrupt running Lua code, and abortWaits its waits.
		w.L.SetContext(ctx)
		if f, ok := opts.Stderr.(*os.File); ok {
			if err := app.RedirectStderr(w.L, f); err != nil {
				w.logf("Warning: %v: the application's io.stderr writes to the process's stderr", err)
			}
		}
		f := mbio.AbortFunc(w.L)
		abortWaits.Store(&f)
		if ctx.Err() != nil {
			f() // killed while the state was being made
		}
	}
	code := w.serve()
	if timedOut.Load() {
		return ExitLimits
	}
	return code
}

// serve runs the main chunk, prepare, the jobs and finish.
func (w *worker) serve() int {
	opts := w.opts
	if err := app.RunMain(w.L, opts.Program, opts.Args); err != nil {
		w.logf("Error in main chunk of worker: %v", err)
		return ExitError
	}
	w.L.SetGlobal("listen", lua.LNil)
	if opts.Pool < 0 || opts.Pool >= len(w.listened) {
		w.logf("Main chunk made %d listen call(s) in this worker, but the master started it for pool #%d: the main chunk must make the same listen calls in every process", len(w.listened), opts.Pool+1)
		return ExitError
	}
	w.pool = w.listened[opts.Pool]
	w.listened = nil
	if !opts.InProcess {
		if w.pool.MemoryLimit > 0 {
			debug.SetMemoryLimit(w.pool.MemoryLimit * 9 / 10)
		}
		debug.FreeOSMemory()
		releaseStartupPages()
	}

	if w.pool.Prepare != nil {
		if err := w.call("prepare", w.pool.Prepare); err != nil {
			return ExitError
		}
	}
	if err := opts.Control.Send(ipc.Msg{Kind: ipc.Ready}); err != nil {
		return 0 // the master is gone
	}
	for {
		if w.sigterm.Load() {
			return w.finish()
		}
		msg, err := opts.Control.Recv()
		if err != nil {
			if err != ipc.ErrClosed {
				w.logf("Worker control channel: %v", err)
			}
			return 0 // master gone: exit quietly, no orphans
		}
		var arg lua.LValue
		var sock *mbio.Handle
		switch msg.Kind {
		case ipc.Terminate:
			return w.finish()
		case ipc.Conn:
			tcp := msg.Listener >= 0 && msg.Listener < len(w.pool.Listeners) &&
				w.pool.Listeners[msg.Listener].Proto == config.TCP
			sock, err = mbio.NewAcceptedSocket(msg.FD, tcp)
			if err != nil {
				syscall.Close(msg.FD)
				w.logf("Cannot use passed connection: %v", err)
				if err := opts.Control.Send(ipc.Msg{Kind: ipc.Ready}); err != nil {
					return 0
				}
				continue
			}
			sock.Preload(msg.Data)
			sock.SetHandoff(w.handoffFor(msg.Listener))
			arg = sock.Value(w.L)
		case ipc.Interval, ipc.Main:
			if msg.Listener < 0 || msg.Listener >= len(w.pool.Listeners) {
				w.logf("Master sent a job for unknown listener #%d", msg.Listener+1)
				return ExitError
			}
			t := w.L.NewTable()
			key := "interval"
			if msg.Kind == ipc.Main {
				key = "main"
			}
			t.RawSetString(key, lua.LString(w.pool.Listeners[msg.Listener].Name))
			arg = t
		default:
			w.logf("Unexpected control message %q", msg.Kind)
			continue
		}
		keep, err := w.connect(arg)
		if sock != nil {
			if err != nil {
				sock.Reset()
			} else {
				sock.Close()
			}
		}
		if err != nil {
			return ExitError
		}
		if !keep {
			code := w.finish()
			_ = opts.Control.Send(ipc.Msg{Kind: ipc.Goodbye})
			return code
		}
		if err := opts.Control.Send(ipc.Msg{Kind: ipc.Ready}); err != nil {
			return 0
		}
	}
}

func (w *worker) listen(L *lua.LState) int {
	p, err := config.Parse(L.CheckTable(1))
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	w.listened = append(w.listened, p)
	return 0
}

// connect runs the pool's connect handler; keep is true only when it
// returned exactly true.
func (w *worker) connect(arg lua.LValue) (keep bool, err error) {
	L := w.L
	L.Push(w.pool.Connect)
	L.Push(arg)
	err = L.PCall(1, 1, nil)
	w.dog.disarm()
	if err != nil {
		w.logf("Error in connect function: %v", err)
		return false, err
	}
	ret := L.Get(-1)
	L.Pop(1)
	return ret == lua.LTrue, nil
}

// call runs prepare or finish; errors are logged with their traceback.
func (w *worker) call(what string, fn *lua.LFunction) error {
	w.L.Push(fn)
	err := w.L.PCall(0, 0, nil)
	w.dog.disarm()
	if err != nil {
		w.logf("Error in %s function: %v", what, err)
	}
	return err
}

func (w *worker) finish() int {
	if w.pool.Finish != nil {
		if err := w.call("finish", w.pool.Finish); err != nil {
			return ExitError
		}
	}
	return 0
}

func (w *worker) logf(format string, a ...any) {
	fmt.Fprintf(w.opts.Stderr, format+"\n", a...)
}

// PoolFromEnv reads the pool index a worker process was started for; ok is
// false in a process that is not a worker.
func PoolFromEnv() (pool int, ok bool) {
	v, ok := os.LookupEnv(EnvPool)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1, true
	}
	return n, true
}
