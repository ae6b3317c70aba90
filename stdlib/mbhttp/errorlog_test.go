package mbhttp

import (
	"strings"
	"testing"
	"time"
)

// TestHandlerErrorLog: a failing request handler is logged once, with its
// message as raised and one traceback that leads to the failing line.
func TestHandlerErrorLog(t *testing.T) {
	s := startMbrun(t, "conformance.lua", 2)
	out, _ := exchange(s.addr(s.ports[0]), "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", 10*time.Second)
	if !strings.HasPrefix(out, "HTTP/1.1 500 ") {
		t.Errorf("response %q, want 500", out)
	}
	var log string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if log = s.log.String(); strings.Contains(log, "exited with error status") {
			break
		}
	}
	if n := strings.Count(log, "stack traceback:"); n != 1 {
		t.Errorf("%d tracebacks, want 1:\n%s", n, log)
	}
	if strings.Count(log, "Error in connect function: ") != 1 || strings.Contains(log, "error in HTTP request handler") ||
		strings.Contains(log, "function:  ") {
		t.Errorf("the error message is not logged once, as raised:\n%s", log)
	}
	if !strings.Contains(log, "conformance.lua:62: in function") {
		t.Errorf("the traceback does not lead to the failing line:\n%s", log)
	}
}
