package conformance

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
)

// Result is what one run of an interpreter produced.
type Result struct {
	Stdout []byte
	Stderr []byte
	Status int // exit status; -1 when the process did not exit normally
}

// header is the first line of every .out file.
const header = "# lua5.3 (Lua 5.3.6) output; regenerate: go test ./cmd/mblua/conformance -run TestConformance -update\n"

// Encode renders r in the .out format:
//
//	# lua5.3 (Lua 5.3.6) output; regenerate: ...
//	== stdout N bytes ==
//	<exactly N bytes of stdout>
//	== stderr M bytes ==
//	<exactly M bytes of stderr>
//	== exit status S ==
//
// Each block of bytes is followed by one newline that is not part of it, so
// that the file stays readable even when an output does not end in a newline.
func (r Result) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "== stdout %d bytes ==\n", len(r.Stdout))
	b.Write(r.Stdout)
	b.WriteString("\n")
	fmt.Fprintf(&b, "== stderr %d bytes ==\n", len(r.Stderr))
	b.Write(r.Stderr)
	b.WriteString("\n")
	fmt.Fprintf(&b, "== exit status %d ==\n", r.Status)
	return b.Bytes()
}

var (
	blockRe  = regexp.MustCompile(`^== (stdout|stderr) (\d+) bytes ==\n`)
	statusRe = regexp.MustCompile(`^== exit status (-?\d+) ==\n$`)
)

// Decode parses the format written by Encode.
func Decode(data []byte) (Result, error) {
	var r Result
	if !bytes.HasPrefix(data, []byte("#")) {
		return r, fmt.Errorf("missing header line")
	}
	data = data[bytes.IndexByte(data, '\n')+1:]
	for _, name := range []string{"stdout", "stderr"} {
		m := blockRe.FindSubmatch(data)
		if m == nil || string(m[1]) != name {
			return r, fmt.Errorf("expected the %s block", name)
		}
		n, err := strconv.Atoi(string(m[2]))
		if err != nil {
			return r, err
		}
		data = data[len(m[0]):]
		if len(data) < n+1 || data[n] != '\n' {
			return r, fmt.Errorf("%s block shorter than %d bytes", name, n)
		}
		block := append([]byte(nil), data[:n]...)
		if name == "stdout" {
			r.Stdout = block
		} else {
			r.Stderr = block
		}
		data = data[n+1:]
	}
	m := statusRe.FindSubmatch(data)
	if m == nil {
		return r, fmt.Errorf("expected the exit status line at the end")
	}
	r.Status, _ = strconv.Atoi(string(m[1]))
	return r, nil
}

// Lines counts the lines of stdout and stderr together (a last line without
// a newline counts too); the suite reports it as its number of checks.
func (r Result) Lines() int {
	return countLines(r.Stdout) + countLines(r.Stderr)
}

func countLines(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// Diff describes the first difference between want and got (the expected and
// the actual result) in a short unified-diff style, or returns "" when they
// are equal.
func Diff(want, got Result) string {
	var b bytes.Buffer
	if want.Status != got.Status {
		fmt.Fprintf(&b, "exit status: want %d, got %d\n", want.Status, got.Status)
	}
	diffBlock(&b, "stdout", want.Stdout, got.Stdout)
	diffBlock(&b, "stderr", want.Stderr, got.Stderr)
	return b.String()
}

// diffContext is how many equal lines Diff shows before the first difference, and
// shown how many lines of each side it shows from there.
const (
	diffContext = 3
	shown       = 8
)

func diffBlock(b *bytes.Buffer, name string, want, got []byte) {
	if bytes.Equal(want, got) {
		return
	}
	wl := splitLines(want)
	gl := splitLines(got)
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	fmt.Fprintf(b, "--- %s want (lua5.3)\n+++ %s got\n@@ first difference at line %d (want %d lines, got %d) @@\n",
		name, name, i+1, len(wl), len(gl))
	for j := max(0, i-diffContext); j < i; j++ {
		fmt.Fprintf(b, " %s\n", wl[j])
	}
	for j := i; j < len(wl) && j < i+shown; j++ {
		fmt.Fprintf(b, "-%s\n", wl[j])
	}
	if len(wl) > i+shown {
		fmt.Fprintf(b, "-... (%d more)\n", len(wl)-i-shown)
	}
	for j := i; j < len(gl) && j < i+shown; j++ {
		fmt.Fprintf(b, "+%s\n", gl[j])
	}
	if len(gl) > i+shown {
		fmt.Fprintf(b, "+... (%d more)\n", len(gl)-i-shown)
	}
}

// splitLines splits b into lines, marking a last line that lacks its newline
// and quoting lines that are too long or not printable, so that a diff stays
// short and shows invisible differences.
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		var line string
		if i < 0 {
			line = string(b) + " (no newline at end)"
			b = nil
		} else {
			line = string(b[:i])
			b = b[i+1:]
		}
		if len(line) > 200 {
			line = line[:200] + "...(cut)"
		}
		if !printable(line) {
			line = strconv.Quote(line)
		}
		out = append(out, line)
	}
	return out
}

func printable(s string) bool {
	for _, c := range []byte(s) {
		if (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}
