package mbhttp

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/stdlib/mbio"
	lua "github.com/yuin/gopher-lua"
)

// connectResult is what one connect call ended with.
type connectResult struct {
	ret lua.LValue
	err error
}

// testServer runs a Lua script that returns a connect function (usually
// from http.generate_handler) and serves each accepted TCP connection with
// it on one goroutine, as a worker process would.
type testServer struct {
	addr    string
	results chan connectResult
	ln      net.Listener
	wg      sync.WaitGroup
}

func startServer(t *testing.T, script string) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{addr: ln.Addr().String(), results: make(chan connectResult, 100), ln: ln}
	L := lua.NewState()
	mbio.Open(L)
	Open(L)
	registerTestHelpers(L)
	if err := L.DoString(script); err != nil {
		t.Fatalf("test script: %v", err)
	}
	connect, ok := L.Get(-1).(*lua.LFunction)
	if !ok {
		t.Fatalf("test script returned %s, not a function", L.Get(-1).Type())
	}
	L.Pop(1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer L.Close()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f, err := c.(*net.TCPConn).File()
			c.Close()
			if err != nil {
				s.results <- connectResult{err: err}
				continue
			}
			fd, err := syscall.Dup(int(f.Fd()))
			f.Close()
			if err != nil {
				s.results <- connectResult{err: err}
				continue
			}
			h, err := mbio.NewSocket(fd)
			if err != nil {
				s.results <- connectResult{err: err}
				continue
			}
			ud := h.Value(L)
			err = L.CallByParam(lua.P{Fn: connect, NRet: 1, Protect: true}, ud)
			var ret lua.LValue = lua.LNil
			if err == nil {
				ret = L.Get(-1)
				L.Pop(1)
				h.Close()
			} else {
				h.Reset()
			}
			s.results <- connectResult{ret: ret, err: err}
		}
	}()
	t.Cleanup(func() {
		// Idle keep-alive connections would hold connect until idle_timeout.
		http.DefaultClient.CloseIdleConnections()
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// result waits for the outcome of the next finished connect call.
func (s *testServer) result(t *testing.T) connectResult {
	t.Helper()
	select {
	case r := <-s.results:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("connect did not return within 10s")
	}
	return connectResult{}
}

// rawExchange sends req on a new connection, half-closes nothing, and
// reads everything the server sends until it closes (or 5s pass).
func rawExchange(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	return readAll(t, c)
}

func readAll(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var sb strings.Builder
	buf := make([]byte, 65536)
	for {
		n, err := c.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}

// helloScript answers every request with a small text built from the request.
const helloScript = `
local http = require "moonbridge_http"
return http.generate_handler(function(req)
  req:send_status("200 OK")
  req:send_header("Content-Type", "text/plain")
  req:send_data("method=", req.method, " path=", req.path, " query=", req.query)
  return true
end)`

// registerTestHelpers defines sha256_new() in L: an object with :add(s)
// and :hex(), so upload tests can check data without keeping it.
func registerTestHelpers(L *lua.LState) {
	mt := L.NewTable()
	methods := L.NewTable()
	L.SetFuncs(methods, map[string]lua.LGFunction{
		"add": func(L *lua.LState) int {
			L.CheckUserData(1).Value.(hash.Hash).Write([]byte(L.CheckString(2)))
			return 0
		},
		"hex": func(L *lua.LState) int {
			L.Push(lua.LString(hex.EncodeToString(L.CheckUserData(1).Value.(hash.Hash).Sum(nil))))
			return 1
		},
	})
	mt.RawSetString("__index", methods)
	L.SetGlobal("sha256_new", L.NewFunction(func(L *lua.LState) int {
		ud := L.NewUserData()
		ud.Value = sha256.New()
		L.SetMetatable(ud, mt)
		L.Push(ud)
		return 1
	}))
}

// dateHeader matches the Date header every final response carries.
var dateHeader = regexp.MustCompile(`Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n`)

// withoutDate removes the Date headers from a raw response, for exact
// comparisons.
func withoutDate(s string) string { return dateHeader.ReplaceAllString(s, "") }
