package syntax

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	for _, c := range errorCases {
		if codegenError(c.want) {
			continue
		}
		_, err := Parse([]byte(c.src), c.src)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Parse(%.80q):\n got  %q\n want %q", c.src, got, c.want)
		}
	}
}

// codegenError reports whether msg is one of the errors that belong to the
// code generator (goto and break resolution), which Parse does not report.
func codegenError(msg string) bool {
	return strings.Contains(msg, "not inside a loop") ||
		strings.Contains(msg, "no visible label") ||
		strings.Contains(msg, "jumps into the scope")
}

// luaQuote writes s as a Lua string literal made of decimal escapes.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestErrorsLive checks every expectation of errorCases against lua5.3 when
// it is on PATH.
func TestErrorsLive(t *testing.T) {
	lua, err := exec.LookPath("lua5.3")
	if err != nil {
		t.Skip("lua5.3 not on PATH")
	}
	var in strings.Builder
	for _, c := range errorCases {
		in.WriteString(luaQuote(c.src))
		in.WriteByte('\n')
	}
	script := `for l in io.lines() do
  local s = load("return " .. l)()
  local f, err = load(s)
  io.write((err and tostring(err) or ""):gsub("\\", "\\\\"):gsub("\n", "\\n"), "\n")
end`
	cmd := exec.Command(lua, "-e", script)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<20)
	for _, c := range errorCases {
		if !sc.Scan() {
			t.Fatal("short output from lua5.3")
		}
		want := strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(sc.Text())
		if want != c.want {
			t.Errorf("lua5.3 says %.80q gives %q; the table says %q", c.src, want, c.want)
		}
	}
}
