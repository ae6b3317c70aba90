package mbio

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// osThreads returns the number of OS threads of this process.
func osThreads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// TestBlockingWaitsHoldNoThread parks many goroutines in every kind of
// blocking wait (read, WaitReadable, WaitWritable on a full socket, a
// poll over a handle and the SIGTERM pipe) and checks they do not each
// hold an OS thread, then wakes them all.
func TestBlockingWaitsHoldNoThread(t *testing.T) {
	const n = 48    // per kind of wait
	var idle [2]int // a pipe nobody writes to, as the SIGTERM pipe
	if err := syscall.Pipe2(idle[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(idle[0])
	defer syscall.Close(idle[1])
	before := osThreads(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	var peers []net.Conn
	var fulls []*Handle
	for i := 0; i < n; i++ {
		h, peer := socketPair(t)
		peers = append(peers, peer)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if d, st, err := h.Read(-1, '\n'); err != nil || string(d) != "go\n" || st != StatusTerm {
				errs <- fmt.Errorf("read = %q, %q, %v", d, st, err)
			}
		}()
		h2, peer2 := socketPair(t)
		peers = append(peers, peer2)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := h2.WaitReadable(time.Minute); !ok || err != nil {
				errs <- fmt.Errorf("WaitReadable = %v, %v", ok, err)
			}
		}()
		h3, peer3 := socketPair(t)
		peers = append(peers, peer3)
		fulls = append(fulls, h3)
		for left := 0; left == 0; {
			var err error
			if left, err = h3.WriteStringNB(strings.Repeat("f", 65536)); err != nil {
				t.Fatal(err)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := h3.WaitWritable(time.Minute); !ok || err != nil {
				errs <- fmt.Errorf("WaitWritable = %v, %v", ok, err)
			}
		}()
		h4, peer4 := socketPair(t)
		peers = append(peers, peer4)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fds := [3]pollFd{{fd: int32(h4.Fd()), events: pollIn}, {fd: -1}, {fd: int32(idle[0]), events: pollIn}}
			if n, err := ppoll(nil, fds[:], time.Minute); n != 1 || err != nil || fds[0].revents&pollIn == 0 || fds[2].revents != 0 {
				errs <- fmt.Errorf("ppoll = %d, %v, revents %#x %#x", n, err, fds[0].revents, fds[2].revents)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // let them all park
	during := osThreads(t)
	for i, p := range peers {
		if i%4 == 2 {
			go io.Copy(io.Discard, p)
			continue
		}
		io.WriteString(p, "go\n")
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a wait ended wrongly: %v", err)
	}
	if during-before > n/2 {
		t.Fatalf("%d goroutines in blocking waits: %d OS threads before, %d while waiting", 4*n, before, during)
	}
	for _, h := range fulls {
		if err := h.Flush(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWaitTimeoutsClearDeadline checks timed waits time out and leave no
// deadline behind for the blocking forms that follow.
func TestWaitTimeoutsClearDeadline(t *testing.T) {
	h, peer := socketPair(t)
	if ok, err := h.WaitReadable(30 * time.Millisecond); ok || err != nil {
		t.Fatalf("WaitReadable on idle socket = %v, %v", ok, err)
	}
	var sent int
	for left := 0; left == 0; {
		var err error
		left, err = h.WriteStringNB(strings.Repeat("w", 65536))
		if err != nil {
			t.Fatal(err)
		}
		sent += 65536
	}
	if ok, err := h.WaitWritable(30 * time.Millisecond); ok || err != nil {
		t.Fatalf("WaitWritable on full socket = %v, %v", ok, err)
	}
	got := make(chan int64)
	go func() {
		time.Sleep(80 * time.Millisecond)
		n, _ := io.Copy(io.Discard, peer)
		got <- n
	}()
	go func() {
		time.Sleep(80 * time.Millisecond)
		io.WriteString(peer, "late\n")
	}()
	// both sides block longer than the earlier timeouts
	if err := h.Flush(); err != nil {
		t.Fatalf("Flush after a timed-out WaitWritable: %v", err)
	}
	d, st, err := h.Read(-1, '\n')
	if err != nil || string(d) != "late\n" || st != StatusTerm {
		t.Fatalf("Read after a timed-out WaitReadable = %q, %q, %v", d, st, err)
	}
	h.Finish()
	if n := <-got; n != int64(sent) {
		t.Fatalf("peer got %d bytes, want %d", n, sent)
	}
}

// TestReadBufferReuse checks that a closed handle returns its read buffer
// and that an idle one does not keep it.
func TestReadBufferReuse(t *testing.T) {
	h, peer := socketPair(t)
	io.WriteString(peer, "a\nb")
	h.WaitReadable(5 * time.Second)
	if d, _, _ := h.ReadNB(-1, '\n'); string(d) != "a\n" {
		t.Fatalf("ReadNB = %q", d)
	}
	if h.rbuf == nil {
		t.Fatal("no read buffer while data is buffered")
	}
	if d, st, _ := h.ReadNB(-1, '\n'); string(d) != "b" || st != StatusBlock {
		t.Fatalf("ReadNB = %q, %q", d, st)
	}
	if h.rbuf != nil {
		t.Fatal("an idle handle (all data consumed, read would block) keeps its read buffer")
	}
	io.WriteString(peer, "c\n")
	h.WaitReadable(5 * time.Second)
	if d, _, _ := h.ReadNB(-1, '\n'); string(d) != "c\n" {
		t.Fatalf("ReadNB = %q", d)
	}
	h.Close()
	if h.rbuf != nil {
		t.Fatal("closed handle keeps its read buffer")
	}

	// many connections in turn share few buffers
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	const conns = 200
	for i := 0; i < conns; i++ {
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		syscall.Write(fds[1], []byte("GET / HTTP/1.1\r\n"))
		h, err := NewSocket(fds[0])
		if err != nil {
			t.Fatal(err)
		}
		if d, _, err := h.Read(-1, '\n'); err != nil || len(d) != 16 {
			t.Fatalf("Read = %q, %v", d, err)
		}
		h.Close()
		syscall.Close(fds[1])
	}
	runtime.ReadMemStats(&ms1)
	if per := (ms1.TotalAlloc - ms0.TotalAlloc) / conns; per > readBufSize/2 {
		t.Fatalf("%d bytes allocated per connection, read buffers are not reused", per)
	}
}

// TestPollSameHandleBothSets puts one handle into the input and the output
// set and a child's pid descriptor next to it.
func TestPollSameHandleBothSets(t *testing.T) {
	h, peer := socketPair(t)
	L := newState(t)
	runLua(t, L, h, `
		local io = moonbridge_io
		assert(io.poll({[sock] = true}, {[sock] = true}, 5) == true, "writable")
		local c = assert(io.exec("sleep", "30"))
		local r = pack(io.poll({[sock] = true, [c] = true}, nil, 0.05))
		assert(r[1] == false and r[2] == "Timeout", tostring(r[2]))
		c:kill()
		assert(io.poll({[sock] = true, [c] = true}, nil, 10) == true, "child ended")
		assert(c:wait() == -9)
	`)
	go func() {
		time.Sleep(30 * time.Millisecond)
		peer.Write([]byte("x"))
	}()
	runLua(t, L, h, `
		local ok = moonbridge_io.poll({[sock] = true}, nil, 10)
		assert(ok == true and sock:read_nb() == "x")
	`)
}

// TestPpollNotPollable checks descriptors the network poller cannot watch:
// a regular file is always ready, as ppoll(2) has it.
func TestPpollNotPollable(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "regular")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	sc.Control(func(fd uintptr) {
		fds := []pollFd{{fd: int32(fd), events: pollIn}}
		n, err := ppoll(nil, fds, time.Minute)
		if n != 1 || err != nil || fds[0].revents&pollIn == 0 {
			t.Errorf("ppoll on a regular file = %d, %v, revents %#x", n, err, fds[0].revents)
		}
	})
}

// TestConcurrentPollers runs Lua states in parallel goroutines, each
// polling its own handles (as goroutine workers do), under -race too.
func TestConcurrentPollers(t *testing.T) {
	const states = 8
	var wg sync.WaitGroup
	for i := 0; i < states; i++ {
		h, peer := socketPair(t)
		L := lua.NewState()
		Open(L)
		t.Cleanup(L.Close)
		L.SetGlobal("sock", h.Value(L))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				peer.Write([]byte("ping\n"))
				var line [5]byte
				if _, err := io.ReadFull(peer, line[:]); err != nil || !bytes.Equal(line[:], []byte("pong\n")) {
					t.Errorf("peer read %q, %v", line, err)
					return
				}
			}
			peer.Close()
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := L.DoString(`
				local io = moonbridge_io
				local got = ""
				while true do
					assert(io.poll({[sock] = true}, nil, 10), "poll timed out")
					local line, st = sock:read_nb(nil, "\n")
					if st == "eof" then break end
					got = got .. line
					if st == "term" then
						assert(got == "ping\n", got)
						got = ""
						sock:flush("pong\n")
					end
				end
			`)
			if err != nil {
				t.Errorf("Lua: %v", err)
			}
		}()
	}
	wg.Wait()
}

// TestWaitInputOrSigterm checks the SIGTERM-aware wait of a handle: data,
// timeout, and NotifySigterm waking every waiter without any of them
// holding an OS thread.
func TestWaitInputOrSigterm(t *testing.T) {
	defer func() {
		sigtermCaught.Store(false)
		sigtermReceived.Store(false)
	}()
	sigtermReceived.Store(false)
	h, peer := socketPair(t)
	ready, sig, err := h.waitInputOrSigterm(30 * time.Millisecond)
	if ready || sig || err != nil {
		t.Fatalf("idle wait = %v, %v, %v; want a timeout", ready, sig, err)
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		io.WriteString(peer, "x")
	}()
	ready, sig, err = h.waitInputOrSigterm(time.Minute)
	if !ready || sig || err != nil {
		t.Fatalf("wait for data = %v, %v, %v", ready, sig, err)
	}
	if d, _, _ := h.ReadNB(-1, -1); string(d) != "x" {
		t.Fatalf("ReadNB = %q", d)
	}

	const n = 64
	before := osThreads(t)
	var wg sync.WaitGroup
	results := make(chan string, n)
	for i := 0; i < n; i++ {
		h, _ := socketPair(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			timeout := time.Minute
			if i%2 == 0 {
				timeout = -1
			}
			ready, sig, err := h.waitInputOrSigterm(timeout)
			results <- fmt.Sprint(ready, sig, err)
		}()
	}
	time.Sleep(200 * time.Millisecond)
	during := osThreads(t)
	NotifySigterm()
	wg.Wait()
	close(results)
	for r := range results {
		if r != "false true <nil>" {
			t.Errorf("wait woken by SIGTERM returned %s", r)
		}
	}
	if during-before > n/2 {
		t.Fatalf("%d goroutines waiting: %d OS threads before, %d while waiting", n, before, during)
	}
	// after SIGTERM, waits return at once
	if _, sig, _ := h.waitInputOrSigterm(time.Minute); !sig {
		t.Fatal("wait after SIGTERM did not report it")
	}
	// and the deadline is gone: a blocking read still waits for data
	go func() {
		time.Sleep(30 * time.Millisecond)
		io.WriteString(peer, "y\n")
	}()
	if d, _, err := h.Read(-1, '\n'); string(d) != "y\n" || err != nil {
		t.Fatalf("Read after a SIGTERM wake-up = %q, %v", d, err)
	}
}

// TestWaitThenRead checks that what a wait for input takes from the
// socket (data, end of file, a reset) is what the next reads return, for a
// handle waiting through the pooled waiter (first waits) and through the
// poller registration (later waits).
func TestWaitThenRead(t *testing.T) {
	tests := []struct {
		name      string
		waitsDone int // earlier waits: pooledWaits or more means the poller
		peer      func(c *net.TCPConn)
		want      string // data the reads return before the end
		wantErr   bool   // the read after the data fails (reset)
	}{
		{"data then EOF, pooled", 0, func(c *net.TCPConn) { c.Write([]byte("abc")); c.Close() }, "abc", false},
		{"EOF only, pooled", 0, func(c *net.TCPConn) { c.Close() }, "", false},
		{"reset, pooled", 0, func(c *net.TCPConn) { c.SetLinger(0); c.Close() }, "", true},
		{"data then EOF, poller", pooledWaits, func(c *net.TCPConn) { c.Write([]byte("xyz")); c.Close() }, "xyz", false},
		{"EOF only, poller", pooledWaits, func(c *net.TCPConn) { c.Close() }, "", false},
		{"reset, poller", pooledWaits, func(c *net.TCPConn) { c.SetLinger(0); c.Close() }, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, peer := tcpPairWith(t, "tcp4", "127.0.0.1:0", func(fd int) (*Handle, error) { return NewAcceptedSocket(fd, true) })
			h.waits = tt.waitsDone
			go func() {
				time.Sleep(20 * time.Millisecond) // let the wait start first
				tt.peer(peer.(*net.TCPConn))
			}()
			ready, sig, err := h.waitInputOrSigterm(5 * time.Second)
			if !ready || sig || err != nil {
				t.Fatalf("wait = %v, %v, %v; want ready", ready, sig, err)
			}
			var got []byte
			for i := 0; i < 10; i++ {
				d, status, err := h.Read(-1, -1)
				got = append(got, d...)
				if err != nil {
					if !tt.wantErr {
						t.Fatalf("read: %v", err)
					}
					break
				}
				if status == StatusEOF {
					if tt.wantErr {
						t.Fatalf("read ended with EOF, want an error")
					}
					break
				}
			}
			if string(got) != tt.want {
				t.Fatalf("read %q, want %q", got, tt.want)
			}
		})
	}
}
