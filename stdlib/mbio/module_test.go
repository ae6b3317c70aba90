package mbio

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

func TestPollTimeoutAndReadiness(t *testing.T) {
	h, peer := socketPair(t)
	L := newState(t)
	runLua(t, L, h, `
		local io = moonbridge_io
		local r = pack(io.poll({[sock] = true}, nil, 0.01))
		assert(r.n == 2 and r[1] == false and r[2] == "Timeout", "timeout: " .. tostring(r[2]))
		r = pack(io.poll({[sock] = true}, nil, 0.01, false))
		assert(r.n == 3 and r[1] == false and r[2] == "Timeout" and r[3] == false, "3 values")
		r = pack(io.poll(nil, nil, -1))
		assert(r[1] == false and r[2] == "Timeout", "negative timeout")
		assert(io.poll(nil, {[sock] = true}, 1) == true, "socket writable")
		assert(io.poll({[sock] = false}, nil, 0) == false, "false value is not in the set")
		local ok, err = pcall(io.poll, {[42] = true})
		assert(not ok and err:find("handles, listeners or children"), err)
		ok, err = pcall(io.poll, "x")
		assert(not ok and err:find("#1"), err)
	`)
	peer.Write([]byte("ab"))
	runLua(t, L, h, `
		assert(moonbridge_io.poll({[sock] = true}, nil, 5) == true, "readable")
		assert(sock:read(1) == "a")
		-- one byte is buffered now: poll must not wait for the OS
		assert(moonbridge_io.poll({[sock] = true}, nil, 0) == true, "buffered data")
	`)
}

func TestPollSigterm(t *testing.T) {
	defer func() {
		sigtermCaught.Store(false)
		sigtermReceived.Store(false)
	}()
	L := newState(t)
	runLua(t, L, nil, `
		local r = pack(moonbridge_io.poll(nil, nil, 0.01, true))
		assert(r[2] == "Timeout" and r[3] == false, "before catch_sigterm")
		moonbridge_io.catch_sigterm()
	`)
	if !SigtermCaught() {
		t.Fatal("SigtermCaught() = false after catch_sigterm()")
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		NotifySigterm()
	}()
	runLua(t, L, nil, `
		local r = pack(moonbridge_io.poll(nil, nil, 30, true))
		assert(r.n == 3 and r[1] == false and r[2] == "SIGTERM received" and r[3] == true,
			"sigterm: " .. tostring(r[2]))
		-- without the 4th argument SIGTERM does not end the poll
		r = pack(moonbridge_io.poll(nil, nil, 0.01))
		assert(r[2] == "Timeout")
	`)
}

func TestTimerefGetpid(t *testing.T) {
	L := newState(t)
	L.SetGlobal("gopid", lua.LNumber(os.Getpid()))
	runLua(t, L, nil, `
		local io = require "moonbridge_io"
		assert(io == moonbridge_io)
		assert(io.getpid() == gopid)
		local t0 = io.timeref()
		io.poll(nil, nil, 0.05)
		local dt = io.timeref(t0)
		assert(dt >= 0.04 and dt < 30, "elapsed " .. dt)
		assert(io.timeref() >= t0)
		assert(io.stdout:write_nb("") == 0)
		assert(tostring(io.stdin):find("handle"))
	`)
}

func TestTCPConnectListen(t *testing.T) {
	for _, tc := range []struct{ host, field, ip string }{
		{"127.0.0.1", "remote_ip4", "127.0.0.1"},
		{"::1", "remote_ip6", "::1"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			ln, err := net.Listen("tcp", net.JoinHostPort(tc.host, "0"))
			if err != nil {
				t.Skipf("no %s: %v", tc.host, err)
			}
			port := ln.Addr().(*net.TCPAddr).Port
			ln.Close()
			L := newState(t)
			L.SetGlobal("host", lua.LString(tc.host))
			L.SetGlobal("port", lua.LNumber(port))
			L.SetGlobal("field", lua.LString(tc.field))
			L.SetGlobal("ip", lua.LString(tc.ip))
			runLua(t, L, nil, `
				local io = moonbridge_io
				local l = assert(io.tcplisten(host, port))
				local r = pack(l:accept_nb())
				assert(r[1] == false and r[2] == "No incoming connection pending", tostring(r[2]))
				local c = assert(io.tcpconnect(host, port))
				assert(c[field] == ip and c.remote_tcpport == port, "client fields")
				assert(io.poll({[l] = true}, nil, 5), "listener readable")
				local s = assert(l:accept())
				assert(s[field] == ip and s.local_tcpport == port and s.remote_tcpport == c.local_tcpport)
				c:write("hello\n"):flush()
				assert(s:read(nil, "\n") == "hello\n")
				s:flush("back")
				s:finish()
				local d, st = c:read()
				assert(d == "back" and st == "eof", d)
				c:close(); s:close()
				assert(l:close() == true)
				local ok, err = pcall(l.accept, l)
				assert(not ok and err:find("closed listener"))
				-- nothing listens any more
				local h, msg = io.tcpconnect(host, port)
				assert(h == nil and msg:find("refused"), tostring(msg))
				h = assert(io.tcpconnect_nb(host, port))
				io.poll({[h] = true}, nil, 5)
				local d2, e2 = h:read()
				assert(d2 == nil and e2:find("refused"), tostring(e2))
				assert(select(2, h:read()) == "Previous read error")
				local ok2, err2 = pcall(io.tcpconnect, host, 70000)
				assert(not ok2 and err2:find("#2"), err2)
			`)
		})
	}
}

func TestTCPConnectHostName(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	L := newState(t)
	L.SetGlobal("port", lua.LNumber(ln.Addr().(*net.TCPAddr).Port))
	runLua(t, L, nil, `
		local c = assert(moonbridge_io.tcpconnect("localhost", port))
		assert(c:read() == "hi")
		local h, err = moonbridge_io.tcpconnect("no-such-host.invalid", port)
		assert(h == nil and type(err) == "string")
	`)
}

func TestLocalConnectListen(t *testing.T) {
	L := newState(t)
	L.SetGlobal("path", lua.LString(filepath.Join(t.TempDir(), "sock")))
	runLua(t, L, nil, `
		local io = moonbridge_io
		local l = assert(io.locallisten(path))
		local c = assert(io.localconnect(path))
		local s = assert(l:accept())
		assert(s.remote_ip4 == nil and s.remote_ip6 == nil)
		c:flush("x\n")
		assert(s:read(nil, "\n") == "x\n")
		local n = assert(io.localconnect_nb(path))
		assert(l:accept())
		local h, err = io.localconnect(path .. ".missing")
		assert(h == nil and err:find("no such file"), tostring(err))
		local ok, err2 = pcall(io.localconnect, string.rep("p", 200))
		assert(not ok and err2:find("#1"), err2)
	`)
}

func TestExec(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	L := newState(t)
	runLua(t, L, nil, `
		local io = moonbridge_io
		local c = assert(io.exec("sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"))
		assert(type(c.pid) == "number" and c.pid > 0)
		local r = pack(c:wait_nb())
		assert(r[1] == false and r[2] == "Process is still running")
		c.stdin:write("hello child\n"):finish()
		assert(c.stdout:read() == "HELLO CHILD\n")
		assert(c.stderr:read() == "oops\n")
		assert(c:wait() == 3)
		local ok, err = pcall(c.wait, c)
		assert(not ok and err:find("already collected"))

		-- a killed child reports the negative signal number
		local k = assert(io.exec("sleep", "30"))
		assert(k:kill() == k)
		assert(k:wait() == -9)
		local k2 = assert(io.exec("sleep", "30"))
		k2:kill(15)
		assert(k2:wait() == -15)

		-- a child in poll's input set wakes poll when it ends
		local q = assert(io.exec("sh", "-c", "exit 0"))
		assert(io.poll({[q] = true}, nil, 10) == true)
		assert(q:wait_nb() == 0)

		-- wait_yield in a coroutine
		local y = assert(io.exec("sh", "-c", "sleep 0.05; exit 7"))
		local co = coroutine.wrap(function() return y:wait_yield() end)
		local v, mode = co()
		while v == y do
			assert(mode == "r")
			io.poll({[y] = true}, nil, 10)
			v, mode = co()
		end
		assert(v == 7, tostring(v))
		local w = assert(io.exec("sh", "-c", "exit 5"))
		assert(w:wait_call(function(ch) io.poll({[ch] = true}, nil, 10) end) == 5)

		-- writing to a child that is gone fails without killing us
		local g = assert(io.exec("true"))
		g:wait()
		local res, msg = g.stdin:flush("data")
		assert(res == nil and msg:find("broken pipe"), tostring(msg))

		local none, emsg = io.exec("/nonexistent/program")
		assert(none == nil and emsg:find("nonexistent"), tostring(emsg))
		local ok2, err2 = pcall(io.exec)
		assert(not ok2 and err2:find("#1"))
		ok2, err2 = pcall(k.kill, k)
		assert(not ok2 and err2:find("already collected"))
	`)
}

// TestExecDroppedChildIsReaped drops a running child's Lua value and
// checks the finalizer killed and reaped it.
func TestExecDroppedChildIsReaped(t *testing.T) {
	L := newState(t)
	runLua(t, L, nil, `
		local c = assert(moonbridge_io.exec("sleep", "30"))
		droppedpid = c.pid
		c = nil
	`)
	pid := int(L.GetGlobal("droppedpid").(lua.LNumber))
	L.SetGlobal("droppedpid", lua.LNil)
	L.SetTop(0)
	for i := 0; i < 200; i++ {
		runtime.GC()
		if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
			return // gone, not even a zombie
		}
		time.Sleep(10 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	t.Fatalf("child %d still exists after its value was dropped", pid)
}

func TestSocketOptions(t *testing.T) {
	h, _ := tcpPair(t, "tcp4", "127.0.0.1:0")
	L := newState(t)
	runLua(t, L, h, `
		assert(sock:get_nodelay() == true, "nodelay on by default")
		assert(sock:set_nodelay(false) == true)
		assert(sock:get_nodelay() == false)
		assert(sock:set_keepalive(true))
		assert(sock:get_keepalive() == true)
		assert(sock:set_keepalive(false))
		assert(sock:get_keepalive() == false)
		assert(sock:set_rcvbuf(65536))
		assert(sock:get_rcvbuf() >= 65536, sock:get_rcvbuf())
		assert(sock:set_sndbuf(32768))
		assert(sock:get_sndbuf() >= 32768)
		local ok, err = pcall(sock.set_nodelay, sock, 1)
		assert(not ok and err:find("#2"), err)
		local c = moonbridge_io.exec("true")
		local r, msg = c.stdout:get_rcvbuf()
		assert(r == nil and msg:find("not a socket"))
		c:wait()
	`)
}

func TestHandleGCClosesFd(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[1])
	func() {
		h, err := NewSocket(fds[0])
		if err != nil {
			t.Fatal(err)
		}
		_ = h
	}()
	for i := 0; i < 100; i++ {
		runtime.GC()
		// the peer sees EOF once the dropped handle's fd is closed
		syscall.SetNonblock(fds[1], true)
		n, err := syscall.Read(fds[1], make([]byte, 1))
		if n == 0 && err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("dropped handle's descriptor was not closed")
}
