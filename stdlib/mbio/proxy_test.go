package mbio

import (
	"crypto/sha256"
	"io"
	"math/rand"
	"net"
	"os"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestCoroutineProxy moves 20 MiB each way through testdata/proxy.lua,
// running in a Lua state against a real client and backend on loopback.
func TestCoroutineProxy(t *testing.T) {
	const size = 20 << 20
	up := make([]byte, size)
	down := make([]byte, size)
	rand.New(rand.NewSource(1)).Read(up)
	rand.New(rand.NewSource(2)).Read(down)

	backendLn, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer backendLn.Close()
	backendGot := make(chan [32]byte, 1)
	go func() {
		c, err := backendLn.Accept()
		if err != nil {
			backendGot <- [32]byte{}
			return
		}
		wrote := make(chan struct{})
		defer func() { <-wrote; c.Close() }()
		go func() {
			c.Write(down)
			c.(*net.TCPConn).CloseWrite()
			close(wrote)
		}()
		h := sha256.New()
		io.Copy(h, c)
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		backendGot <- sum
	}()

	client, peer := tcpPair(t, "tcp4", "127.0.0.1:0")
	clientGot := make(chan [32]byte, 1)
	go func() {
		go func() {
			peer.Write(up)
			peer.(*net.TCPConn).CloseWrite()
		}()
		h := sha256.New()
		io.Copy(h, peer)
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		clientGot <- sum
	}()

	src, err := os.ReadFile("testdata/proxy.lua")
	if err != nil {
		t.Fatal(err)
	}
	L := newState(t)
	L.SetGlobal("backend_port", lua.LNumber(backendLn.Addr().(*net.TCPAddr).Port))
	L.SetGlobal("client", client.Value(L))
	runLua(t, L, nil, string(src))

	if got := <-backendGot; got != sha256.Sum256(up) {
		t.Fatal("backend received different bytes than the client sent")
	}
	if got := <-clientGot; got != sha256.Sum256(down) {
		t.Fatal("client received different bytes than the backend sent")
	}
}
