// Package config turns the table given to the Lua function listen{...} into
// a validated pool description (API.md §2).
//
// It only reads Lua values; it opens no socket and starts no process. Error
// messages name the option or listener at fault, in the original's words
// (for example `Option "fork_delay" is expected to be a non-negative number`).
package config

import (
	"fmt"
	"math"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Proto is the kind of a listener.
type Proto int

// Listener kinds of API.md §2.
const (
	TCP Proto = iota
	Local
	Interval
	Main
)

func (p Proto) String() string {
	switch p {
	case TCP:
		return "tcp"
	case Local:
		return "local"
	case Interval:
		return "interval"
	case Main:
		return "main"
	}
	return fmt.Sprintf("proto(%d)", int(p))
}

// MaxListeners is the largest number of listeners one listen call may have.
const MaxListeners = 100

// Listener is one entry of the array part of listen{...}.
type Listener struct {
	Proto  Proto
	Host   string        // tcp: host name or address ("::" by default)
	Port   int           // tcp
	Path   string        // local: socket file
	Name   string        // interval and main: the name passed to connect
	Delay  time.Duration // interval: time between runs
	Strict bool          // interval: keep a fixed schedule
}

// String describes the listener for log messages.
func (l Listener) String() string {
	switch l.Proto {
	case TCP:
		return fmt.Sprintf("tcp %s port %d", l.Host, l.Port)
	case Local:
		return fmt.Sprintf("local socket %q", l.Path)
	case Interval:
		return fmt.Sprintf("interval %q every %v", l.Name, l.Delay)
	case Main:
		return fmt.Sprintf("main %q", l.Name)
	}
	return l.Proto.String()
}

// Pool is one listen{...} call: its listeners and the options of its workers.
type Pool struct {
	Listeners      []Listener
	PreFork        int
	MinFork        int
	MaxFork        int
	ForkDelay      time.Duration
	ForkErrorDelay time.Duration
	ExitDelay      time.Duration
	IdleTimeout    time.Duration // 0: none
	MemoryLimit    int64         // bytes; 0: none

	// The handlers; only meaningful in the Lua state that parsed the pool.
	Prepare *lua.LFunction
	Connect *lua.LFunction
	Finish  *lua.LFunction
}

// MainOnly reports whether every listener of the pool is a main listener;
// such a pool runs exactly one worker per listener and forks no others.
func (p *Pool) MainOnly() bool {
	for _, l := range p.Listeners {
		if l.Proto != Main {
			return false
		}
	}
	return true
}

// Error is a bad argument to listen{...}.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Parse validates the argument of listen{...} and applies the defaults.
func Parse(t *lua.LTable) (*Pool, error) {
	p := &Pool{}
	n := t.Len()
	if n == 0 {
		return nil, errorf("No listener supplied")
	}
	if n > MaxListeners {
		return nil, errorf("Too many listeners (%d given, at most %d allowed)", n, MaxListeners)
	}
	for i := 1; i <= n; i++ {
		lt, ok := t.RawGetInt(i).(*lua.LTable)
		if !ok {
			return nil, errorf("Listener #%d is expected to be a table, got %s", i, t.RawGetInt(i).Type())
		}
		l, err := parseListener(i, lt)
		if err != nil {
			return nil, err
		}
		p.Listeners = append(p.Listeners, l)
	}
	// Every non-array key must be a known option: a typo should not pass silently.
	var bad error
	t.ForEach(func(k, _ lua.LValue) {
		if bad != nil {
			return
		}
		if kn, ok := k.(lua.LNumber); ok && float64(kn) == math.Trunc(float64(kn)) && kn >= 1 && int(kn) <= n {
			return
		}
		ks, ok := k.(lua.LString)
		if !ok || !knownOption[string(ks)] {
			bad = errorf("Unknown option %s in listen{...}", lua.LVAsString(k))
			if !ok {
				bad = errorf("Unexpected key of type %s in listen{...}", k.Type())
			}
		}
	})
	if bad != nil {
		return nil, bad
	}

	var err error
	if p.PreFork, err = intOption(t, "pre_fork", 1); err != nil {
		return nil, err
	}
	if p.MinFork, err = intOption(t, "min_fork", max(p.PreFork, 2)); err != nil {
		return nil, err
	}
	if p.MaxFork, err = intOption(t, "max_fork", max(p.MinFork, 16)); err != nil {
		return nil, err
	}
	if p.MinFork < p.PreFork {
		return nil, errorf(`Option "min_fork" must be greater than or equal to option "pre_fork"`)
	}
	if p.MaxFork < p.MinFork {
		return nil, errorf(`Option "max_fork" must be greater than or equal to option "min_fork"`)
	}
	if p.MaxFork < 1 {
		return nil, errorf(`Option "max_fork" must be at least 1`)
	}
	if p.ForkDelay, err = durationOption(t, "fork_delay", 0.25); err != nil {
		return nil, err
	}
	if p.ForkErrorDelay, err = durationOption(t, "fork_error_delay", 2); err != nil {
		return nil, err
	}
	p.ForkErrorDelay = max(p.ForkErrorDelay, p.ForkDelay)
	if p.ExitDelay, err = durationOption(t, "exit_delay", 60); err != nil {
		return nil, err
	}
	if p.IdleTimeout, err = durationOption(t, "idle_timeout", 0); err != nil {
		return nil, err
	}
	switch v := t.RawGetString("memory_limit").(type) {
	case *lua.LNilType:
	case lua.LBool:
		if bool(v) {
			return nil, errorf(`Option "memory_limit" is expected to be a positive number or false`)
		}
	case lua.LNumber:
		if v <= 0 || math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
			return nil, errorf(`Option "memory_limit" is expected to be a positive number`)
		}
		p.MemoryLimit = int64(v)
	default:
		return nil, errorf(`Option "memory_limit" is expected to be a positive number`)
	}
	if p.Prepare, err = funcOption(t, "prepare", false); err != nil {
		return nil, err
	}
	if p.Connect, err = funcOption(t, "connect", true); err != nil {
		return nil, err
	}
	if p.Finish, err = funcOption(t, "finish", false); err != nil {
		return nil, err
	}
	return p, nil
}

var knownOption = map[string]bool{
	"pre_fork": true, "min_fork": true, "max_fork": true, "fork_delay": true,
	"fork_error_delay": true, "exit_delay": true, "idle_timeout": true,
	"memory_limit": true, "prepare": true, "connect": true, "finish": true,
}

func parseListener(i int, t *lua.LTable) (Listener, error) {
	var l Listener
	proto, ok := t.RawGetString("proto").(lua.LString)
	if !ok {
		if t.RawGetString("proto") == lua.LNil {
			return l, errorf(`Listener #%d has no "proto" field`, i)
		}
		return l, errorf(`Field "proto" of listener #%d is expected to be a string`, i)
	}
	switch string(proto) {
	case "tcp":
		l.Proto = TCP
		l.Host = "::"
		switch h := t.RawGetString("host").(type) {
		case *lua.LNilType:
		case lua.LString:
			l.Host = string(h)
		default:
			return l, errorf(`Field "host" of listener #%d is expected to be a string`, i)
		}
		port, ok := t.RawGetString("port").(lua.LNumber)
		if !ok || float64(port) != math.Trunc(float64(port)) || port < 1 || port > 65535 {
			if t.RawGetString("port") == lua.LNil {
				return l, errorf(`Listener #%d (tcp) has no "port" field`, i)
			}
			return l, errorf(`Field "port" of listener #%d is expected to be an integer between 1 and 65535`, i)
		}
		l.Port = int(port)
	case "local":
		l.Proto = Local
		path, ok := t.RawGetString("path").(lua.LString)
		if !ok {
			return l, errorf(`Field "path" of listener #%d (local) is expected to be a string`, i)
		}
		if len(path) == 0 || len(path) > 107 {
			return l, errorf(`Field "path" of listener #%d is empty or longer than the 107 bytes a local socket path may have`, i)
		}
		l.Path = string(path)
	case "interval":
		l.Proto = Interval
		name, err := nameField(i, t)
		if err != nil {
			return l, err
		}
		l.Name = name
		d, ok := t.RawGetString("delay").(lua.LNumber)
		if !ok || !(d > 0) || math.IsInf(float64(d), 0) {
			return l, errorf(`Field "delay" of listener #%d (interval) is expected to be a positive number`, i)
		}
		l.Delay = seconds(float64(d))
		switch s := t.RawGetString("strict").(type) {
		case *lua.LNilType:
		case lua.LBool:
			l.Strict = bool(s)
		default:
			return l, errorf(`Field "strict" of listener #%d is expected to be a boolean`, i)
		}
	case "main":
		l.Proto = Main
		name, err := nameField(i, t)
		if err != nil {
			return l, err
		}
		l.Name = name
	default:
		return l, errorf(`Unknown protocol %q in listener #%d (expected "tcp", "local", "interval" or "main")`, string(proto), i)
	}
	return l, nil
}

func nameField(i int, t *lua.LTable) (string, error) {
	switch n := t.RawGetString("name").(type) {
	case *lua.LNilType:
		return "", nil
	case lua.LString:
		return string(n), nil
	default:
		return "", errorf(`Field "name" of listener #%d is expected to be a string`, i)
	}
}

func intOption(t *lua.LTable, name string, def int) (int, error) {
	switch v := t.RawGetString(name).(type) {
	case *lua.LNilType:
		return def, nil
	case lua.LBool:
		if !bool(v) {
			return 0, nil
		}
	case lua.LNumber:
		if v >= 0 && float64(v) == math.Trunc(float64(v)) && v < 1<<31 {
			return int(v), nil
		}
	}
	return 0, errorf(`Option "%s" is expected to be a non-negative integer`, name)
}

func durationOption(t *lua.LTable, name string, def float64) (time.Duration, error) {
	switch v := t.RawGetString(name).(type) {
	case *lua.LNilType:
		return seconds(def), nil
	case lua.LBool:
		if !bool(v) {
			return 0, nil
		}
	case lua.LNumber:
		if v >= 0 && !math.IsInf(float64(v), 0) {
			return seconds(float64(v)), nil
		}
	}
	return 0, errorf(`Option "%s" is expected to be a non-negative number`, name)
}

func funcOption(t *lua.LTable, name string, required bool) (*lua.LFunction, error) {
	switch v := t.RawGetString(name).(type) {
	case *lua.LNilType:
		if required {
			return nil, errorf(`Option "%s" is required and must be a function`, name)
		}
		return nil, nil
	case *lua.LFunction:
		return v, nil
	}
	return nil, errorf(`Option "%s" is expected to be a function`, name)
}

func seconds(s float64) time.Duration {
	if s > float64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}
