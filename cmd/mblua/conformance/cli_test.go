package conformance

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// cliCase is one command line run by both lua5.3 and mblua in testdata/cli.
type cliCase struct {
	name  string
	args  []string
	stdin string
	env   []string
	// prefix, when set, is all that is compared: stdout must start with it
	// in both runs (for output that names versions or paths).
	prefix string
}

var cliCases = []cliCase{
	{name: "e", args: []string{"-e", "print(1)"}},
	{name: "e-twice", args: []string{"-e", "x = 2", "-e", "print(x * 21)"}},
	{name: "e-syntax-error", args: []string{"-e", "print(("}},
	{name: "e-runtime-error", args: []string{"-e", "error('bad thing')"}},
	{name: "e-then-script", args: []string{"-e", "print('first')", "args.lua", "a"}},
	{name: "v", args: []string{"-v"}, prefix: "Lua 5.3"},
	{name: "l-module", args: []string{"-l", "climod", "-e", "print(CLIMOD_LOADED, climod.answer)"}, env: []string{"LUA_PATH=./?.lua"}},
	{name: "l-missing-module", args: []string{"-l", "nosuchmodule_xyz", "-e", "print(1)"}, env: []string{"LUA_PATH=./?.lua", "LUA_CPATH=./?.so"}},
	{name: "lua-path-default-marker", args: []string{"-e", "print(package.path)"}, env: []string{"LUA_PATH=./?.lua;;"}, prefix: "./?.lua;"},
	{name: "lua-init", args: []string{"-e", "print(INIT)"}, env: []string{"LUA_INIT=INIT = 'from LUA_INIT'"}},
	{name: "lua-init-5-3", args: []string{"-e", "print(INIT)"}, env: []string{"LUA_INIT=INIT = 1", "LUA_INIT_5_3=INIT = 53"}},
	{name: "E-ignores-env", args: []string{"-E", "-e", "print(INIT)"}, env: []string{"LUA_INIT=INIT = 1"}},
	{name: "stdin-dash", args: []string{"-"}, stdin: "print('from stdin', ...)\nprint(arg[0])\n"},
	{name: "stdin-dash-args", args: []string{"-", "x", "y"}, stdin: "print(...)\n"},
	{name: "stdin-no-args-not-tty", stdin: "print('piped', 6 * 7)\n"},
	{name: "stdin-lines", args: []string{"stdinread.lua"}, stdin: "one\ntwo\n\nfour"},
	{name: "script-args", args: []string{"args.lua", "a", "b c", "", "-x"}},
	{name: "script-args-after-e", args: []string{"-e", "y=1", "args.lua", "p"}},
	{name: "script-no-args", args: []string{"args.lua"}},
	{name: "double-dash", args: []string{"--", "args.lua", "z"}},
	{name: "exit-3", args: []string{"exit3.lua"}},
	{name: "exit-true", args: []string{"-e", "os.exit(true)"}},
	{name: "exit-false", args: []string{"-e", "os.exit(false)"}},
	{name: "exit-0", args: []string{"-e", "os.exit(0)"}},
	{name: "exit-255", args: []string{"-e", "os.exit(255)"}},
	{name: "exit-closes-stdout", args: []string{"-e", "io.write('no newline'); os.exit(1, true)"}},
	{name: "error-traceback", args: []string{"boom.lua"}},
	{name: "error-object-tostring", args: []string{"errtable.lua"}},
	{name: "error-object-table", args: []string{"errtableplain.lua"}},
	{name: "error-nil", args: []string{"errnil.lua"}},
	{name: "syntax-error", args: []string{"syntax.lua"}},
	{name: "missing-script", args: []string{"no_such_script.lua"}},
	{name: "unknown-option", args: []string{"-Q"}},
	{name: "e-missing-argument", args: []string{"-e"}},
	{name: "l-missing-argument", args: []string{"-l"}},
	{name: "print-tostring-error", args: []string{"-e", "print(setmetatable({}, {__tostring = function() return 1 end}))"}},
	{name: "arg-in-e", args: []string{"-e", "print(#arg, arg[1])", "args.lua", "q"}},
}

// cliPrefix marks the command line cases in testdata/known_failures.txt.
const cliPrefix = "cli/"

func TestCLI(t *testing.T) {
	known := knownFailures(t)
	names := map[string]bool{}
	for _, c := range cliCases {
		names[cliPrefix+c.name] = true
	}
	for name := range known {
		if strings.HasPrefix(name, cliPrefix) && !names[name] {
			t.Errorf("known_failures.txt lists %s, which is not a case of TestCLI", name)
		}
	}
	ref := referencePath()
	if ref == "" {
		t.Skipf("%s is not on PATH: the command line is compared against it live", reference)
	}
	bin := interpreter(t)
	if isReference(bin) {
		known = map[string]string{}
	}
	dir := filepath.Join(testdata, "cli")
	for _, c := range cliCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := Env(c.env...)
			want, err := Run(ref, dir, env, []byte(c.stdin), c.args...)
			if err != nil {
				t.Fatalf("%s: %v", reference, err)
			}
			got, err := Run(bin, dir, env, []byte(c.stdin), c.args...)
			if err != nil {
				t.Fatalf("%s: %v", bin, err)
			}
			var d string
			if c.prefix != "" {
				if !bytes.HasPrefix(want.Stdout, []byte(c.prefix)) {
					t.Fatalf("%s %q: stdout %q does not start with %q", reference, c.args, want.Stdout, c.prefix)
				}
				if !bytes.HasPrefix(got.Stdout, []byte(c.prefix)) {
					d = fmt.Sprintf("stdout %q does not start with %q\n", got.Stdout, c.prefix)
				}
			} else {
				d = Diff(want, got)
			}
			if d != "" {
				d = fmt.Sprintf("command line %q:\n%s", c.args, d)
			}
			ratchet(t, known, cliPrefix+c.name, d)
		})
	}
}
