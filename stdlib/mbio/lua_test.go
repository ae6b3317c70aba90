package mbio

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// runLua runs script with the global sock set to h.
func runLua(t *testing.T, L *lua.LState, h *Handle, script string) {
	t.Helper()
	if h != nil {
		L.SetGlobal("sock", h.Value(L))
	}
	if err := L.DoString(script); err != nil {
		t.Fatalf("Lua: %v", err)
	}
}

func TestLuaReadForms(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		eof    bool
		script string
	}{
		{"read line and rest", "one\ntwo\nrest", true, `
			local d, s = sock:read(nil, "\n"); assert(d == "one\n" and s == "term", d)
			d, s = sock:read(2); assert(d == "tw" and s == "maxlen", d)
			d, s = sock:read(); assert(d == "o\nrest" and s == "eof", d)
			d, s = sock:read(); assert(d == "" and s == "eof")`},
		{"drain counts", "abcdef\nxyz", true, `
			local n, s = sock:drain(nil, "\n"); assert(n == 7 and s == "term", n)
			n, s = sock:drain(100); assert(n == 3 and s == "eof", n)`},
		{"read_nb partial then block", "abc", false, `
			local d, s = sock:read_nb(10)
			while d == "" and s == "block" do d, s = sock:read_nb(10) end
			assert(d == "abc" and s == "block", d .. "/" .. s)
			d, s = sock:read_nb(); assert(d == "" and s == "block")`},
		{"drain_nb", "abcd", false, `
			local n, s = sock:drain_nb(2)
			while n == 0 and s == "block" do n, s = sock:drain_nb(2) end
			assert(n == 2 and s == "maxlen", n .. s)
			n, s = sock:drain_nb(10); assert(n == 2 and s == "block", n .. s)`},
		{"read_call with poll", "line one\nline two\n", false, `
			local calls = 0
			local function wait(h, mode)
				assert(h == sock and mode == "r")
				calls = calls + 1
				assert(moonbridge_io.poll({[h] = true}, nil, 5))
			end
			local d, s = sock:read_call(wait, nil, "\n"); assert(d == "line one\n" and s == "term", d)
			d, s = sock:read_call(wait, 100, "\n"); assert(d == "line two\n" and s == "term", d)`},
		{"read_yield in coroutine", "ping\n", false, `
			local co = coroutine.wrap(function() return sock:read_yield(nil, "\n") end)
			local a, b = co()
			while a == sock do
				assert(b == "r")
				moonbridge_io.poll({[sock] = true}, nil, 5)
				a, b = co()
			end
			assert(a == "ping\n" and b == "term", tostring(a))`},
		{"bad arguments", "", false, `
			local ok, err = pcall(sock.read, sock, nil, "ab"); assert(not ok and err:find("single byte expected"), err)
			ok, err = pcall(sock.read, sock, {}); assert(not ok and err:find("#1") or err:find("number expected"), err)
			ok, err = pcall(sock.write, sock, "a", {}); assert(not ok and err:find("string expected"), err)
			ok, err = pcall(sock.read_call, sock, 5); assert(not ok and err:find("function expected"), err)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, peer := socketPair(t)
			go func() {
				time.Sleep(20 * time.Millisecond)
				io.WriteString(peer, tt.input)
				if tt.eof {
					peer.(*net.UnixConn).CloseWrite()
				}
			}()
			runLua(t, newState(t), h, tt.script)
		})
	}
}

func TestLuaWriteForms(t *testing.T) {
	h, peer := socketPair(t)
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(peer)
		got <- string(b)
	}()
	runLua(t, newState(t), h, `
		assert(sock:write("a", 1, "b") == sock)
		assert(sock:write_nb("c") == 0)
		assert(sock:flush("d") == sock)
		assert(sock:flush_nb("e") == 0)
		assert(sock:write_call(function() error("must not wait") end, "f") == sock)
		assert(sock:flush_yield("g") == sock)
		assert(sock:finish() == true)
		local ok, err = pcall(sock.write, sock, "x")
		assert(not ok and err:find("finished"), err)
		assert(sock:close() == true)
		ok, err = pcall(sock.close, sock)
		assert(not ok and err:find("closed"), err)
	`)
	if s := <-got; s != "a1bcdefg" {
		t.Fatalf("peer got %q", s)
	}
}

// TestLuaWriteNBBackpressure fills the socket until write_nb reports
// buffered bytes, then drains them with flush_call while the peer reads.
func TestLuaWriteNBBackpressure(t *testing.T) {
	h, peer := socketPair(t)
	L := newState(t)
	runLua(t, L, h, `
		chunk = string.rep("z", 65536)
		total, left = 0, 0
		for i = 1, 1000 do
			left = sock:flush_nb(chunk)
			total = total + #chunk
			if left > 0 then break end
		end
		assert(left > 0, "write_nb never blocked")
	`)
	total := int(L.GetGlobal("total").(lua.LNumber))
	got := make(chan int)
	go func() {
		n, _ := io.Copy(io.Discard, peer)
		got <- int(n)
	}()
	runLua(t, L, h, `
		local waits = 0
		assert(sock:flush_call(function(s, m) assert(m == "w"); waits = waits + 1; moonbridge_io.poll(nil, {[s] = true}, 5) end) == sock)
		assert(sock:flush_nb() == 0)
		sock:close()
	`)
	if n := <-got; n != total {
		t.Fatalf("peer got %d bytes, want %d", n, total)
	}
	_ = strings.Repeat
}

func TestLuaDrainYieldWriteYieldReset(t *testing.T) {
	h, peer := socketPair(t)
	go func() {
		time.Sleep(20 * time.Millisecond)
		io.WriteString(peer, "0123456789\nabc")
	}()
	L := newState(t)
	runLua(t, L, h, `
		local function drive(f)
			local co = coroutine.create(f)
			local res
			while true do
				res = pack(coroutine.resume(co))
				assert(res[1], res[2])
				if coroutine.status(co) == "dead" then break end
				assert(res[2] == sock and (res[3] == "r" or res[3] == "w"))
				if res[3] == "r" then moonbridge_io.poll({[sock] = true}, nil, 5)
				else moonbridge_io.poll(nil, {[sock] = true}, 5) end
			end
			return res[2], res[3]
		end
		local n, s = drive(function() return sock:drain_yield(nil, "\n") end)
		assert(n == 11 and s == "term", tostring(n) .. tostring(s))
		local calls = 0
		n, s = sock:drain_call(function() calls = calls + 1; moonbridge_io.poll({[sock] = true}, nil, 5) end, 3)
		assert(n == 3 and s == "maxlen")
		local r = drive(function() return sock:write_yield(string.rep("w", 100000)) end)
		assert(r == sock)
		assert(sock:reset() == true)
		local ok, err = pcall(sock.read, sock)
		assert(not ok and err:find("closed"), err)
		ok, err = pcall(sock.reset, sock)
		assert(not ok and err:find("closed"), err)
	`)
}

func TestLuaCloseWithTimeout(t *testing.T) {
	h, peer := tcpPair(t, "tcp4", "127.0.0.1:0")
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(peer)
		got <- string(b)
	}()
	runLua(t, newState(t), h, `
		sock:write("bye")
		assert(sock:close(2) == true)
		local ok, err = pcall(sock.close, sock, -1)
		assert(not ok and err:find("#1") or err:find("non%-negative"), err)
	`)
	if s := <-got; s != "bye" {
		t.Fatalf("peer got %q", s)
	}
}
