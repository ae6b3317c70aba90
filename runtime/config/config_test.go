package config

import (
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// parse evaluates a Lua table constructor and parses it as listen's argument.
func parse(t *testing.T, constructor string) (*Pool, error) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString("return " + constructor); err != nil {
		t.Fatalf("bad test table %s: %v", constructor, err)
	}
	return Parse(L.CheckTable(-1))
}

func TestDefaults(t *testing.T) {
	p, err := parse(t, `{ {proto="tcp", port=8080}, connect=function() end }`)
	if err != nil {
		t.Fatal(err)
	}
	want := Pool{PreFork: 1, MinFork: 2, MaxFork: 16, ForkDelay: 250 * time.Millisecond,
		ForkErrorDelay: 2 * time.Second, ExitDelay: 60 * time.Second}
	if p.PreFork != want.PreFork || p.MinFork != want.MinFork || p.MaxFork != want.MaxFork ||
		p.ForkDelay != want.ForkDelay || p.ForkErrorDelay != want.ForkErrorDelay ||
		p.ExitDelay != want.ExitDelay || p.IdleTimeout != 0 || p.MemoryLimit != 0 {
		t.Errorf("defaults: %+v", p)
	}
	l := p.Listeners[0]
	if l.Proto != TCP || l.Host != "::" || l.Port != 8080 {
		t.Errorf("listener: %+v", l)
	}
	if p.Connect == nil || p.Prepare != nil || p.Finish != nil {
		t.Errorf("handlers: %+v", p)
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name  string
		table string
		check func(*Pool) bool
	}{
		{"derived min and max", `{ {proto="tcp", port=1}, pre_fork=20, connect=print }`,
			func(p *Pool) bool { return p.MinFork == 20 && p.MaxFork == 20 }},
		{"false is zero", `{ {proto="tcp", port=1}, fork_delay=false, exit_delay=false, connect=print }`,
			func(p *Pool) bool { return p.ForkDelay == 0 && p.ExitDelay == 0 && p.ForkErrorDelay == 2*time.Second }},
		{"error delay never below fork delay", `{ {proto="tcp", port=1}, fork_delay=5, connect=print }`,
			func(p *Pool) bool { return p.ForkErrorDelay == 5*time.Second }},
		{"fractions", `{ {proto="interval", delay=0.5, strict=true, name="x"}, idle_timeout=1.5, connect=print }`,
			func(p *Pool) bool {
				l := p.Listeners[0]
				return l.Proto == Interval && l.Delay == 500*time.Millisecond && l.Strict && l.Name == "x" && p.IdleTimeout == 1500*time.Millisecond
			}},
		{"memory limit", `{ {proto="main"}, memory_limit=1048576, connect=print }`,
			func(p *Pool) bool { return p.MemoryLimit == 1<<20 && p.MainOnly() }},
		{"local", `{ {proto="local", path="/tmp/x.sock"}, connect=print }`,
			func(p *Pool) bool {
				return p.Listeners[0].Proto == Local && p.Listeners[0].Path == "/tmp/x.sock" && !p.MainOnly()
			}},
		{"handlers", `{ {proto="tcp", host="127.0.0.1", port=65535}, prepare=print, finish=print, connect=print }`,
			func(p *Pool) bool { return p.Prepare != nil && p.Finish != nil && p.Listeners[0].Host == "127.0.0.1" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parse(t, tc.table)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(p) {
				t.Errorf("unexpected pool %+v", p)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ table, want string }{
		{`{ connect=print }`, "No listener supplied"},
		{`{ 1, connect=print }`, "Listener #1 is expected to be a table"},
		{`{ {port=1}, connect=print }`, `Listener #1 has no "proto" field`},
		{`{ {proto=1}, connect=print }`, `Field "proto" of listener #1 is expected to be a string`},
		{`{ {proto="udp"}, connect=print }`, `Unknown protocol "udp" in listener #1`},
		{`{ {proto="tcp"}, connect=print }`, `Listener #1 (tcp) has no "port" field`},
		{`{ {proto="tcp", port=70000}, connect=print }`, `Field "port" of listener #1 is expected to be an integer between 1 and 65535`},
		{`{ {proto="tcp", port=1.5}, connect=print }`, `Field "port"`},
		{`{ {proto="tcp", port=1, host=true}, connect=print }`, `Field "host" of listener #1`},
		{`{ {proto="local"}, connect=print }`, `Field "path" of listener #1 (local)`},
		{`{ {proto="local", path=string.rep("x", 200)}, connect=print }`, `107 bytes`},
		{`{ {proto="interval"}, connect=print }`, `Field "delay" of listener #1 (interval) is expected to be a positive number`},
		{`{ {proto="interval", delay=0}, connect=print }`, `Field "delay"`},
		{`{ {proto="interval", delay=1, strict="yes"}, connect=print }`, `Field "strict"`},
		{`{ {proto="main", name=5}, connect=print }`, `Field "name" of listener #1`},
		{`{ {proto="tcp", port=1} }`, `Option "connect" is required`},
		{`{ {proto="tcp", port=1}, connect=5 }`, `Option "connect" is expected to be a function`},
		{`{ {proto="tcp", port=1}, connect=print, prepare="x" }`, `Option "prepare" is expected to be a function`},
		{`{ {proto="tcp", port=1}, connect=print, fork_delay=-1 }`, `Option "fork_delay" is expected to be a non-negative number`},
		{`{ {proto="tcp", port=1}, connect=print, exit_delay="1" }`, `Option "exit_delay" is expected to be a non-negative number`},
		{`{ {proto="tcp", port=1}, connect=print, pre_fork=1.5 }`, `Option "pre_fork" is expected to be a non-negative integer`},
		{`{ {proto="tcp", port=1}, connect=print, max_fork=true }`, `Option "max_fork" is expected to be a non-negative integer`},
		{`{ {proto="tcp", port=1}, connect=print, pre_fork=3, min_fork=2 }`, `Option "min_fork" must be greater than or equal to option "pre_fork"`},
		{`{ {proto="tcp", port=1}, connect=print, min_fork=5, max_fork=4 }`, `Option "max_fork" must be greater than or equal to option "min_fork"`},
		{`{ {proto="tcp", port=1}, connect=print, pre_fork=0, min_fork=0, max_fork=0 }`, `Option "max_fork" must be at least 1`},
		{`{ {proto="tcp", port=1}, connect=print, memory_limit=-5 }`, `Option "memory_limit" is expected to be a positive number`},
		{`{ {proto="tcp", port=1}, connect=print, memory_limit=true }`, `Option "memory_limit"`},
		{`{ {proto="tcp", port=1}, connect=print, fork_dealy=1 }`, `Unknown option fork_dealy`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, err := parse(t, tc.table)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: got %v, want %q", tc.table, err, tc.want)
			}
		})
	}
}

func TestTooManyListeners(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < MaxListeners+1; i++ {
		b.WriteString(`{proto="main"},`)
	}
	b.WriteString("connect=print}")
	if _, err := parse(t, b.String()); err == nil || !strings.Contains(err.Error(), "Too many listeners") {
		t.Errorf("got %v", err)
	}
}
