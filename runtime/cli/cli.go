// Package cli is the command line of `mbrun` and of every binary built by
// `mbbuild`: the original's options (API.md §6), logging, pid file,
// detaching into the background, and the choice between running as the
// master or, when re-executed with the worker marker, as a worker.
//
// It owns process-level concerns only; pools and workers live in
// runtime/master and runtime/worker.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/app"
	"github.com/moonbridge-go/moonbridge/runtime/config"
	"github.com/moonbridge-go/moonbridge/runtime/ipc"
	"github.com/moonbridge-go/moonbridge/runtime/logging"
	"github.com/moonbridge-go/moonbridge/runtime/master"
	"github.com/moonbridge-go/moonbridge/runtime/worker"
	"github.com/spf13/pflag"
	lua "github.com/yuin/gopher-lua"
)

// Options describe the program a command runs.
type Options struct {
	Command string      // program name in usage and messages
	Version string      // printed by --version
	Program app.Program // fixed program (built binaries); nil: the first argument is the script (mbrun)
}

// Exit codes, as the original's.
const (
	ExitOK             = 0
	ExitUsage          = 1
	ExitAlreadyRunning = 2
	ExitStartup        = 3
	ExitRuntime        = 4
)

// Environment markers of re-executed processes.
const (
	envDaemon = "MOONBRIDGE_DAEMON" // set in the detached process; its value is the fd of the start-up report pipe
)

type flags struct {
	background      bool
	debug           bool
	logFacility     string
	logIdent        string
	logFile         string
	pidFile         string
	stats           bool
	help            bool
	version         bool
	include         []string
	shutdownTimeout time.Duration
	workers         string
	accessLog       string
}

func parseFlags(args []string, opts Options, stderr io.Writer) (*flags, *pflag.FlagSet, error) {
	f := &flags{}
	fs := pflag.NewFlagSet(opts.Command, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(false) // everything after the script belongs to the application
	fs.BoolVarP(&f.background, "background", "b", false, "detach from the terminal and run in the background")
	fs.BoolVarP(&f.debug, "debug", "d", false, "log debug messages (implies --stats)")
	fs.StringVarP(&f.logFacility, "logfacility", "f", "", "log to syslog with this `FACILITY` (e.g. daemon, local0)")
	fs.StringVarP(&f.logIdent, "logident", "i", "", "log to syslog with this `IDENT`")
	fs.StringVarP(&f.logFile, "logfile", "l", "", "append the log to `FILE` (locked while running)")
	fs.StringVarP(&f.pidFile, "pidfile", "p", "", "write the process id to `FILE` (locked while running)")
	fs.BoolVarP(&f.stats, "stats", "s", false, "log worker starts and ends with pool counts")
	fs.BoolVarP(&f.help, "help", "h", false, "show this help")
	fs.BoolVar(&f.version, "version", false, "show the version")
	fs.StringVar(&f.workers, "workers", "processes", "`MODE` of the workers: processes (one process each, as the original) or goroutines (one Lua state each inside the master process: less memory per worker, no per-worker memory limit, one crash domain)")
	fs.StringVar(&f.accessLog, "access-log", "", "append one line per HTTP request to `FILE` (combined log format, then the request time in microseconds and the worker's pid); - writes it to the main log")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 60*time.Second, "`DURATION` running jobs may take after SIGTERM before workers are killed, e.g. 30s")
	if opts.Program == nil {
		fs.StringArrayVarP(&f.include, "include", "I", nil, "also search `DIR` for required modules (repeatable)")
	}
	err := fs.Parse(args)
	return f, fs, err
}

func usage(w io.Writer, opts Options, fs *pflag.FlagSet) {
	if opts.Program == nil {
		fmt.Fprintf(w, "Usage: %s [options] [--] app.lua [app arguments...]\n\n", opts.Command)
		fmt.Fprintf(w, "Runs a Moonbridge application from its Lua source.\n\nOptions:\n")
	} else {
		fmt.Fprintf(w, "Usage: %s [options] [--] [app arguments...]\n\n", opts.Command)
		fmt.Fprintf(w, "Runs the Moonbridge application %s.\n\nOptions:\n", opts.Program.Name())
	}
	fmt.Fprint(w, FlagUsages(fs))
	fmt.Fprintf(w, "\nExit status: 0 clean exit, 1 command-line error, 2 already running,\n3 start-up error, 4 run-time error.\n")
}

// Main runs the command with args (without the program name) and returns
// the process exit code.
func Main(args []string, opts Options) int {
	if opts.Command == "" {
		opts.Command = "mbrun"
	}
	f, fs, err := parseFlags(args, opts, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\nTry '%s --help' for more information.\n", opts.Command, err, opts.Command)
		return ExitUsage
	}
	if f.help {
		usage(os.Stdout, opts, fs)
		return ExitOK
	}
	if f.version {
		fmt.Println(opts.Version)
		return ExitOK
	}
	rest := fs.Args()
	prog := opts.Program
	if prog == nil {
		if len(rest) == 0 {
			fmt.Fprintf(os.Stderr, "%s: no application script given\nUsage: %s [options] [--] app.lua [app arguments...]\n", opts.Command, opts.Command)
			return ExitUsage
		}
		sp, err := app.NewSourceProgram(rest[0], f.include)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", opts.Command, err)
			return ExitStartup
		}
		prog, rest = sp, rest[1:]
	}

	if pool, ok := worker.PoolFromEnv(); ok {
		// argv[0] names the worker for ps (see WorkerName); top shows
		// the short name of the main thread.
		setComm(fmt.Sprintf("%s w%d", progName(), pool+1))
		// A worker process runs one Lua state on one goroutine: a second
		// processor only adds scheduler hand-offs around its system calls.
		if os.Getenv("GOMAXPROCS") == "" {
			goruntime.GOMAXPROCS(1)
		}
		// A worker's live heap is small, so the default GOGC=100 means a
		// collection every few hundred requests, each stealing the only
		// processor for a while: half as many cuts the latency tail.
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(200)
		}
		stop := startProfile()
		slot, err := ipc.MapDeadlineSlot(worker.DeadlineFD)
		if err != nil {
			fmt.Fprintf(os.Stderr, "Error: worker cannot map its deadline slot: %v\n", err)
			return ExitRuntime
		}
		ctrl, err := ipc.FromFD(worker.ControlFD)
		if err != nil {
			fmt.Fprintf(os.Stderr, "Error: worker cannot use its control socket: %v\n", err)
			return ExitRuntime
		}
		if path, ok := os.LookupEnv(envAccessLog); ok {
			os.Unsetenv(envAccessLog) // not for the application's child processes
			if err := workerAccessLog(path); err != nil {
				fmt.Fprintf(os.Stderr, "Error: worker cannot open the access log: %v\n", err)
				return ExitRuntime
			}
		}
		// Once idle for a second after a job, the worker returns its free
		// heap and the binary's pages to the kernel (runtime/worker/memory.go).
		code := worker.Run(worker.Options{Program: prog, Args: rest, Pool: pool, Control: worker.ReleaseWhenIdle(ctrl), Deadline: slot})
		stop()
		return code
	}
	if (f.logFacility != "" || f.logIdent != "") && f.logFile != "" {
		fmt.Fprintf(os.Stderr, "%s: --logfile cannot be combined with syslog (--logfacility/--logident)\n", opts.Command)
		return ExitUsage
	}
	if f.shutdownTimeout <= 0 {
		fmt.Fprintf(os.Stderr, "%s: --shutdown-timeout must be positive\n", opts.Command)
		return ExitUsage
	}
	if f.workers != "processes" && f.workers != "goroutines" {
		fmt.Fprintf(os.Stderr, "%s: --workers must be \"processes\" or \"goroutines\", not %q\n", opts.Command, f.workers)
		return ExitUsage
	}
	if f.background && os.Getenv(envDaemon) == "" {
		return detach(opts)
	}
	stop := startProfile()
	defer stop()
	if comm, err := os.ReadFile("/proc/self/comm"); err == nil && strings.TrimSpace(string(comm)) == "exe" {
		// Started again through /proc/self/exe (-b): keep the name.
		setComm(progName())
	}
	return runMaster(f, opts, prog, rest)
}

// envProfile names a directory where every process (master and workers)
// writes a CPU profile, cpu-PID.prof, when it ends normally: for finding
// hot paths with `go tool pprof`.
const envProfile = "MOONBRIDGE_CPUPROFILE"

func startProfile() (stop func()) {
	dir := os.Getenv(envProfile)
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.prof", os.Getpid())))
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", envProfile, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", envProfile, err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// runMaster is the master process: logging, pid file, main chunk, master loop.
func runMaster(f *flags, opts Options, prog app.Program, appArgs []string) int {
	report := startupReporter()
	notify := newNotifier()
	fail := func(code int, format string, a ...any) int {
		msg := fmt.Sprintf(format, a...)
		fmt.Fprintf(os.Stderr, "%s: %s\n", opts.Command, msg)
		report(code, msg)
		return code
	}

	level := logging.Info
	if f.debug {
		level = logging.Debug
		f.stats = true
	}
	var log *logging.Logger
	var err error
	switch {
	case f.logFile != "":
		log, err = logging.OpenFile(f.logFile, level)
		if errors.Is(err, logging.ErrLocked) {
			return fail(ExitAlreadyRunning, "already running: %v", err)
		}
	case f.logFacility != "" || f.logIdent != "" || f.background:
		// In the background there is no terminal: without a log file the
		// log goes to syslog, as the original's does.
		fac, ident := f.logFacility, f.logIdent
		if fac == "" {
			fac = "daemon"
		}
		if ident == "" {
			ident = opts.Command
		}
		log, err = logging.OpenSyslog(fac, ident, level)
		if err != nil && f.background && f.logFacility == "" && f.logIdent == "" {
			err = fmt.Errorf("--background without --logfile logs to syslog, but %w; give --logfile FILE", err)
		}
	default:
		log = logging.NewWriter(os.Stderr, level)
	}
	if err != nil {
		return fail(ExitStartup, "%v", err)
	}
	defer log.Close()

	if f.pidFile != "" {
		release, err := lockPidFile(f.pidFile)
		if errors.Is(err, errAlreadyRunning) {
			return fail(ExitAlreadyRunning, "%v", err)
		}
		if err != nil {
			return fail(ExitStartup, "%v", err)
		}
		defer release()
	}

	if strings.Contains(os.Getenv("GODEBUG"), "asyncpreemptoff=1") {
		log.Warningf("GODEBUG=asyncpreemptoff=1: a worker cannot stop itself when timeout() expires while its handler loops; the kernel kills it 30 ms after a deadline of up to a minute, the master 2 s after a longer one")
	}
	pools, err := collectPools(prog, appArgs)
	if err != nil {
		log.Errorf("%v", err)
		return fail(ExitStartup, "start-up failed: %v", firstLine(err.Error()))
	}
	env := os.Environ() // without NOTIFY_SOCKET (newNotifier)
	if f.accessLog != "" {
		f.accessLog = absPath(f.accessLog)
		closeAccess, err := masterAccessLog(f.accessLog, f.workers == "goroutines", log)
		if err != nil {
			log.Errorf("%v", err)
			return fail(ExitStartup, "%v", err)
		}
		defer closeAccess()
		env = append(env, envAccessLog+"="+f.accessLog)
	}
	var runWorker func(int, master.WorkerIO) int
	if f.workers == "goroutines" {
		runWorker = func(pool int, wio master.WorkerIO) int {
			return worker.Run(worker.Options{
				Program: prog, Args: appArgs, Pool: pool, Control: wio.Link, Stderr: wio.Stderr,
				Deadline: wio.Deadline, InProcess: true, Stop: wio.Stop, Kill: wio.Kill,
			})
		}
		for i, p := range pools {
			if p.MemoryLimit > 0 {
				log.Warningf("pool #%d: memory_limit is not enforced with --workers=goroutines (workers share one process)", i+1)
			}
		}
	} else if os.Getenv("GOMAXPROCS") == "" {
		// With worker processes the master only accepts and dispatches:
		// one processor spares it the thread hand-offs between its accept,
		// pool and control-socket goroutines (per connection, futex wake-
		// ups cost more than the work itself).
		goruntime.GOMAXPROCS(1)
	}
	m, err := master.New(master.Options{
		RunWorker:       runWorker,
		Pools:           pools,
		Log:             log,
		Stats:           f.stats,
		Exe:             selfExe(),
		Args:            os.Args,
		Env:             env,
		EnvPool:         worker.EnvPool,
		WorkerName:      func(pool int) string { return fmt.Sprintf("%s: worker (pool %d)", progName(), pool+1) },
		ShutdownTimeout: f.shutdownTimeout,
		Ready: func() {
			report(ExitOK, "")
			if err := notify.send(fmt.Sprintf("READY=1\nMAINPID=%d", os.Getpid())); err != nil {
				log.Warningf("%v", err)
			}
		},
		Stopping: func() { _ = notify.send("STOPPING=1") },
	})
	if err != nil {
		log.Errorf("%v", err)
		return fail(ExitStartup, "%v", err)
	}
	return m.Run()
}

// collectPools runs the main chunk in a throw-away state and returns the
// pools of its listen calls.
func collectPools(prog app.Program, args []string) ([]*config.Pool, error) {
	var pools []*config.Pool
	L := app.NewState(prog, app.Hooks{
		Listen: func(L *lua.LState) int {
			p, err := config.Parse(L.CheckTable(1))
			if err != nil {
				L.RaiseError("%s", err.Error())
			}
			pools = append(pools, p)
			return 0
		},
		Timeout: worker.TimeoutFunc(func() {
			fmt.Fprintf(os.Stderr, "Timeout expired while running the main chunk\n")
			os.Exit(ExitStartup)
		}),
	})
	defer L.Close()
	if err := app.RunMain(L, prog, args); err != nil {
		return nil, err
	}
	if len(pools) == 0 {
		return nil, fmt.Errorf("%s made no listen{...} call: nothing to serve", prog.Name())
	}
	return pools, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

var errAlreadyRunning = errors.New("already running")

// lockPidFile writes this process's pid into path and keeps it locked;
// another running instance holding the lock makes it fail.
func lockPidFile(path string) (release func(), err error) {
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open pid file: %w", err)
	}
	if err := syscall.Flock(int(fh.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fh.Close()
		if err == syscall.EWOULDBLOCK {
			other, _ := os.ReadFile(path)
			return nil, fmt.Errorf("%w: pid file %s is locked by process %s", errAlreadyRunning, path, strings.TrimSpace(string(other)))
		}
		return nil, fmt.Errorf("lock pid file %s: %w", path, err)
	}
	if err := fh.Truncate(0); err != nil {
		fh.Close()
		return nil, fmt.Errorf("write pid file: %w", err)
	}
	if _, err := fh.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		fh.Close()
		return nil, fmt.Errorf("write pid file: %w", err)
	}
	return func() {
		os.Remove(path)
		fh.Close()
	}, nil
}

// detach starts the server again as a background process in its own
// session and waits until it reports that it is serving (exit 0) or why it
// could not start (its exit code).
func detach(opts Options) int {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", opts.Command, err)
		return ExitStartup
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", opts.Command, err)
		return ExitStartup
	}
	cmd := &exec.Cmd{
		Path:        selfExe(),
		Args:        os.Args,
		Env:         append(os.Environ(), envDaemon+"=3"),
		Stdin:       devnull,
		Stdout:      devnull,
		Stderr:      devnull,
		ExtraFiles:  []*os.File{w},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: start background process: %v\n", opts.Command, err)
		return ExitStartup
	}
	w.Close()
	devnull.Close()
	msg, _ := io.ReadAll(r)
	line := strings.TrimSpace(string(msg))
	code, text, _ := strings.Cut(line, " ")
	n, err := strconv.Atoi(code)
	if err != nil {
		// The process ended without a word: it failed before reporting.
		st, _ := cmd.Process.Wait()
		fmt.Fprintf(os.Stderr, "%s: background process ended during start-up (%v)\n", opts.Command, st)
		return ExitStartup
	}
	if n != ExitOK {
		fmt.Fprintf(os.Stderr, "%s: %s\n", opts.Command, text)
		return n
	}
	cmd.Process.Release()
	return ExitOK
}

// startupReporter returns the function that tells a waiting foreground
// process (see detach) how start-up went; it does nothing when not detached.
func startupReporter() func(code int, msg string) {
	fdText := os.Getenv(envDaemon)
	os.Unsetenv(envDaemon)
	fd, err := strconv.Atoi(fdText)
	if err != nil {
		return func(int, string) {}
	}
	pipe := os.NewFile(uintptr(fd), "startup-report")
	syscall.CloseOnExec(fd)
	done := false
	return func(code int, msg string) {
		if done {
			return
		}
		done = true
		fmt.Fprintf(pipe, "%d %s\n", code, firstLine(msg))
		pipe.Close()
	}
}

// selfExe is the path that re-executes this binary: /proc/self/exe where
// /proc is mounted (it survives the file being replaced on disk), else the
// path the binary was started with (an empty chroot has no /proc).
func selfExe() string {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe"
	}
	if exe, err := os.Executable(); err == nil {
		return exe
	}
	return os.Args[0]
}

// progName is the name the server was started as (without directories);
// in a worker, the name before ": worker".
func progName() string {
	if len(os.Args) == 0 {
		return "moonbridge"
	}
	name, _, _ := strings.Cut(filepath.Base(os.Args[0]), ": worker")
	return name
}

// setComm sets the process's short name (the one top and ps -e show, at
// most 15 bytes: the start of name is cut, so a suffix such as the pool
// stays). Where /proc is missing it does nothing.
func setComm(name string) {
	if len(name) > 15 {
		name = name[len(name)-15:]
	}
	_ = os.WriteFile("/proc/self/comm", []byte(name), 0)
}
