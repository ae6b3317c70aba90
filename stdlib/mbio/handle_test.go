package mbio

import (
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// newState returns a Lua state with the standard libraries and
// moonbridge_io opened.
func newState(t *testing.T) *lua.LState {
	t.Helper()
	L := lua.NewState()
	Open(L)
	if err := L.DoString("function pack(...) return {n = select('#', ...), ...} end"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(L.Close)
	return L
}

// socketPair returns a handle on one end of a Unix socketpair and a
// net.Conn on the other end.
func socketPair(t testing.TB) (*Handle, net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewSocket(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fds[1]), "peer")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Reset(); c.Close() })
	return h, c
}

// tcpPair returns a handle made by NewSocket from an accepted TCP
// connection on addr (127.0.0.1 or ::1) and the client side.
func tcpPair(t testing.TB, network, addr string) (*Handle, net.Conn) {
	t.Helper()
	return tcpPairWith(t, network, addr, NewSocket)
}

// tcpPairWith is tcpPair with the handle made by newSock from a
// non-blocking, close-on-exec descriptor.
func tcpPairWith(t testing.TB, network, addr string, newSock func(fd int) (*Handle, error)) (*Handle, net.Conn) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	defer ln.Close()
	client, err := net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	f, err := sc.(*net.TCPConn).File()
	sc.Close()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	h, err := newSock(fd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Reset(); client.Close() })
	return h, client
}

func TestGoRead(t *testing.T) {
	tests := []struct {
		name       string
		input      string
		closeAfter bool
		maxlen     int
		term       int
		want       string
		status     string
	}{
		{"line", "hello\nworld", false, -1, '\n', "hello\n", StatusTerm},
		{"maxlen", "hello world", false, 5, -1, "hello", StatusMaxlen},
		{"maxlen before terminator", "hello world\n", false, 3, '\n', "hel", StatusMaxlen},
		{"terminator at maxlen", "abc\ndef", false, 4, '\n', "abc\n", StatusTerm},
		{"zero maxlen", "abc", false, 0, -1, "", StatusMaxlen},
		{"eof", "partial", true, -1, '\n', "partial", StatusEOF},
		{"eof no limit", "all of it", true, -1, -1, "all of it", StatusEOF},
		{"long line over buffers", strings.Repeat("x", 3*readBufSize+17) + "\n", false, -1, '\n', strings.Repeat("x", 3*readBufSize+17) + "\n", StatusTerm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, peer := socketPair(t)
			go func() {
				io.WriteString(peer, tt.input)
				if tt.closeAfter {
					peer.(*net.UnixConn).CloseWrite()
				}
			}()
			got, status, err := h.Read(tt.maxlen, tt.term)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if string(got) != tt.want || status != tt.status {
				t.Fatalf("Read = %q, %q; want %q, %q", trunc(got), status, trunc([]byte(tt.want)), tt.status)
			}
		})
	}
}

func trunc(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

func TestGoWriteFlushFinish(t *testing.T) {
	h, peer := tcpPair(t, "tcp4", "127.0.0.1:0")
	if err := h.WriteString("abc"); err != nil {
		t.Fatal(err)
	}
	if h.Pending() != 3 {
		t.Fatalf("Pending = %d after small write, want 3 (buffered)", h.Pending())
	}
	if err := h.Write([]byte("def")); err != nil {
		t.Fatal(err)
	}
	if err := h.Flush(); err != nil {
		t.Fatal(err)
	}
	if h.Pending() != 0 {
		t.Fatalf("Pending = %d after flush", h.Pending())
	}
	big := strings.Repeat("0123456789", 100000)
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(peer)
		done <- string(b)
	}()
	if err := h.WriteString(big); err != nil {
		t.Fatal(err)
	}
	if err := h.Finish(); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != "abcdef"+big {
		t.Fatalf("peer got %d bytes, want %d", len(got), 6+len(big))
	}
	if err := h.WriteString("x"); err != ErrWriteFinished {
		t.Fatalf("write after finish: %v, want %v", err, ErrWriteFinished)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if !h.Closed() {
		t.Fatal("Closed() = false after Close")
	}
	if err := h.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := h.Read(-1, -1); err != ErrReadClosed {
		t.Fatalf("read after close: %v", err)
	}
}

// TestGoAddressFields checks the address fields of a handle, read at once
// (NewSocket) or on first use (NewAcceptedSocket, also after Lua closed
// the handle), and fields Lua stores on a handle.
func TestGoAddressFields(t *testing.T) {
	accepted := func(fd int) (*Handle, error) { return NewAcceptedSocket(fd, true) }
	for _, tc := range []struct {
		name, network, addr, ipField, otherField, ip string
		newSock                                      func(int) (*Handle, error)
		closeFirst                                   bool
	}{
		{"tcp4", "tcp4", "127.0.0.1:0", "remote_ip4", "remote_ip6", "127.0.0.1", NewSocket, false},
		{"tcp6", "tcp6", "[::1]:0", "remote_ip6", "remote_ip4", "::1", NewSocket, false},
		{"tcp4 accepted", "tcp4", "127.0.0.1:0", "remote_ip4", "remote_ip6", "127.0.0.1", accepted, false},
		{"tcp6 accepted", "tcp6", "[::1]:0", "remote_ip6", "remote_ip4", "::1", accepted, false},
		{"accepted, read after close", "tcp4", "127.0.0.1:0", "remote_ip4", "remote_ip6", "127.0.0.1", accepted, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, peer := tcpPairWith(t, tc.network, tc.addr, tc.newSock)
			L := newState(t)
			L.SetGlobal("sock", h.Value(L))
			if h.Value(L) != L.GetGlobal("sock") {
				t.Fatal("Value returned a different value on the second call")
			}
			port := peer.LocalAddr().(*net.TCPAddr).Port
			lport := peer.RemoteAddr().(*net.TCPAddr).Port
			fn, err := L.LoadString(`
				local ipf, otherf, ip, port, lport, closeFirst = ...
				if closeFirst then assert(sock:close()) end
				assert(sock[ipf] == ip, "ip: " .. tostring(sock[ipf]))
				assert(sock[otherf] == nil, otherf .. ": " .. tostring(sock[otherf]))
				assert(sock.remote_tcpport == port, "remote port " .. tostring(sock.remote_tcpport))
				assert(sock.local_tcpport == lport, "local port " .. tostring(sock.local_tcpport))
				assert(sock[ipf:gsub("remote", "local")] == ip)
				assert(sock.no_such_field == nil)
				assert(type(sock.read) == "function")
				sock.custom = 42
				assert(sock.custom == 42)
				sock[1] = "one"
				assert(sock[1] == "one")
				sock.remote_tcpport = "mine"
				assert(sock.remote_tcpport == "mine")
				sock.custom = nil
				assert(sock.custom == nil)
			`)
			if err != nil {
				t.Fatal(err)
			}
			L.Push(fn)
			for _, v := range []lua.LValue{lua.LString(tc.ipField), lua.LString(tc.otherField), lua.LString(tc.ip),
				lua.LNumber(port), lua.LNumber(lport), lua.LBool(tc.closeFirst)} {
				L.Push(v)
			}
			if err := L.PCall(6, 0, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestGoResetSendsRST(t *testing.T) {
	h, peer := tcpPair(t, "tcp4", "127.0.0.1:0")
	h.WriteString("unsent")
	if err := h.Reset(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	_, err := peer.Read(buf)
	if err == nil || !strings.Contains(err.Error(), "reset") {
		t.Fatalf("peer read after Reset: %v, want connection reset", err)
	}
}

func TestGoWritePeerGone(t *testing.T) {
	h, peer := tcpPair(t, "tcp4", "127.0.0.1:0")
	peer.(*net.TCPConn).SetLinger(0)
	peer.Close()
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = h.WriteString(strings.Repeat("x", 65536))
		if err == nil {
			err = h.Flush()
		}
	}
	if err == nil {
		t.Fatal("writing to a reset peer did not fail")
	}
	if err2 := h.Flush(); err2 != ErrPreviousWrite {
		t.Fatalf("flush after failed write: %v, want %v", err2, ErrPreviousWrite)
	}
}

func TestGoWaitReadable(t *testing.T) {
	h, peer := socketPair(t)
	ok, err := h.WaitReadable(0)
	if err != nil || ok {
		t.Fatalf("WaitReadable on idle socket = %v, %v", ok, err)
	}
	io.WriteString(peer, "x\ny\n")
	ok, err = h.WaitReadable(-1)
	if err != nil || !ok {
		t.Fatalf("WaitReadable = %v, %v", ok, err)
	}
	if _, _, err := h.Read(-1, '\n'); err != nil {
		t.Fatal(err)
	}
	if h.Buffered() != 2 {
		t.Fatalf("Buffered = %d, want 2", h.Buffered())
	}
	n, status, err := h.Drain(-1, '\n')
	if n != 2 || status != StatusTerm || err != nil {
		t.Fatalf("Drain = %d, %q, %v", n, status, err)
	}
}

func TestGoReadNB(t *testing.T) {
	h, peer := socketPair(t)
	data, status, err := h.ReadNB(-1, '\n')
	if err != nil || status != StatusBlock || len(data) != 0 {
		t.Fatalf("ReadNB on idle socket = %q, %q, %v", data, status, err)
	}
	io.WriteString(peer, "GET / HTTP/1.1\r\nHost")
	if ok, _ := h.WaitReadable(5 * time.Second); !ok {
		t.Fatal("not readable")
	}
	data, status, err = h.ReadNB(100, '\n')
	if err != nil || status != StatusTerm || string(data) != "GET / HTTP/1.1\r\n" {
		t.Fatalf("ReadNB = %q, %q, %v", data, status, err)
	}
	data, status, err = h.ReadNB(100, '\n')
	if err != nil || status != StatusBlock || string(data) != "Host" {
		t.Fatalf("ReadNB partial = %q, %q, %v", data, status, err)
	}
	peer.Close()
	h.WaitReadable(5 * time.Second)
	data, status, err = h.ReadNB(100, '\n')
	if err != nil || status != StatusEOF || len(data) != 0 {
		t.Fatalf("ReadNB at EOF = %q, %q, %v", data, status, err)
	}
}

// TestFlushBytesNB checks that the caller may reuse its buffer as soon as
// FlushBytesNB returns, whether the socket took all of it or only a part
// (the rest is copied), and that queued output keeps its order.
func TestFlushBytesNB(t *testing.T) {
	tests := []struct {
		name   string
		queued string // written with WriteStringNB first
		size   int
	}{
		{"small, all sent", "", 100},
		{"after queued output", "head:", 100},
		{"larger than the socket buffers", "", 16 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, peer := tcpPair(t, "tcp4", "127.0.0.1:0")
			buf := make([]byte, tt.size)
			for i := range buf {
				buf[i] = byte('a' + i%26)
			}
			want := tt.queued + string(buf)
			if tt.queued != "" {
				if _, err := h.WriteStringNB(tt.queued); err != nil {
					t.Fatal(err)
				}
			}
			pending, err := h.FlushBytesNB(buf)
			if err != nil {
				t.Fatal(err)
			}
			for i := range buf {
				buf[i] = 'X' // the caller reuses its buffer at once
			}
			got := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(io.LimitReader(peer, int64(len(want))))
				got <- b
			}()
			for i := 0; pending > 0 && i < 10000; i++ {
				if _, err := h.WaitWritable(5 * time.Second); err != nil {
					t.Fatal(err)
				}
				if pending, err = h.FlushNB(); err != nil {
					t.Fatal(err)
				}
			}
			if pending != 0 {
				t.Fatalf("%d bytes still pending", pending)
			}
			if b := <-got; string(b) != want {
				t.Fatalf("peer got %d bytes, want %d (first difference matters: the buffer was reused)", len(b), len(want))
			}
		})
	}
}
