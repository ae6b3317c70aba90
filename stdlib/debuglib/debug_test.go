package debuglib

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/luactest"
)

// debugInput and debugOutput: debug.debug's session, as lua5.3 prints
// it for `printf input | lua5.3 -e "debug.debug()"` (stderr and stdout
// together).
const debugInput = "x = 1\nprint(x)\nerror(\"e\")\nerror({})\nsyntax error here\nerror(42)\ncont\nprint(\"not run\")\n"

const debugOutput = "lua_debug> lua_debug> 1\nlua_debug> (debug command):1: e\nlua_debug> (null)\n" +
	"lua_debug> (debug command):1: syntax error near 'error'\nlua_debug> 42\nlua_debug> "

func TestDebugDebug(t *testing.T) {
	L := newState()
	var out bytes.Buffer
	L.SetOutput(&out, &out)
	in := strings.NewReader(debugInput)
	saved := Stdin
	Stdin = in
	defer func() { Stdin = saved }()
	if _, err := L.PCallValue(L.Globals().GetStr("debug").AsTable().GetStr("debug")); err != nil {
		t.Fatal(err)
	}
	if out.String() != debugOutput {
		t.Errorf("got %q\nwant %q", out.String(), debugOutput)
	}
	// Nothing after "cont" was consumed.
	rest := make([]byte, 100)
	n, _ := in.Read(rest)
	if string(rest[:n]) != "print(\"not run\")\n" {
		t.Errorf("debug.debug read past \"cont\": left %q", rest[:n])
	}
	// End of input ends the session too.
	out.Reset()
	Stdin = strings.NewReader("print(2)")
	L.PCallValue(L.Globals().GetStr("debug").AsTable().GetStr("debug"))
	if out.String() != "lua_debug> 2\nlua_debug> " {
		t.Errorf("at EOF: got %q", out.String())
	}
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("a", 300) + "\n"
	r := byteReader{strings.NewReader(long)}
	l1, _ := readLine(r)
	l2, _ := readLine(r)
	if len(l1) != 249 || l2 != strings.Repeat("a", 51)+"\n" {
		t.Errorf("fgets-like split: %d %q", len(l1), l2)
	}
}

// TestExternalHook: a hook set from Go is reported as "external hook".
func TestExternalHook(t *testing.T) {
	L := lua.NewState()
	dbg := Open(L)
	L.SetHook(func(*lua.State, int, int) {}, 1<<lua.HookCall|1<<lua.HookLine, 0)
	res := L.CallValue(dbg.GetStr("gethook"), lua.MultRet)
	if len(res) != 3 || !lua.RawEqual(res[0], lua.String("external hook")) || !lua.RawEqual(res[1], lua.String("cl")) || !lua.RawEqual(res[2], lua.Int(0)) {
		t.Errorf("gethook = %v", res)
	}
	L.SetHook(nil, 0, 0)
	res = L.CallValue(dbg.GetStr("gethook"), lua.MultRet)
	if !res[0].IsNil() || !lua.RawEqual(res[1], lua.String("")) {
		t.Errorf("gethook without hook = %v", res)
	}
}

// TestReferenceOutputs checks that the .out files are still what lua5.3
// prints, when lua5.3 is installed.
func TestReferenceOutputs(t *testing.T) {
	if _, err := exec.LookPath("lua5.3"); err != nil {
		t.Skip("lua5.3 not installed")
	}
	files, _ := filepath.Glob("testdata/*.lua")
	for _, f := range files {
		src, _ := os.ReadFile(f)
		want, _ := os.ReadFile(strings.TrimSuffix(f, ".lua") + ".out")
		got, _ := luactest.RunReference(".", string(src))
		if got != string(want) && !bytes.Contains(want, []byte("0x")) {
			t.Errorf("%s: lua5.3 now prints\n%s", f, luactest.Diff(string(want), got))
		}
	}
}
