package main

import (
	"io"
	"net"
	"testing"
	"time"
)

// closeAll closes every tracked connection, ends the context, and from
// then on track refuses new connections.
func TestConnGroup(t *testing.T) {
	var g connGroup
	g.init()
	kept, keptPeer := net.Pipe()
	gone, gonePeer := net.Pipe()
	defer keptPeer.Close()
	defer gonePeer.Close()
	for _, c := range []net.Conn{kept, gone} {
		if !g.track(c) {
			t.Fatal("track refused a connection before closeAll")
		}
	}
	g.untrack(gone)
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		<-g.ctx.Done()
	}()
	g.closeAll()
	if _, err := kept.Read(make([]byte, 1)); err != io.ErrClosedPipe {
		t.Errorf("tracked connection after closeAll: read error %v, want io.ErrClosedPipe", err)
	}
	gone.SetDeadline(time.Now()) // an open pipe fails at once with a timeout
	if _, err := gone.Read(make([]byte, 1)); err == io.ErrClosedPipe {
		t.Error("untracked connection was closed by closeAll")
	}
	gone.Close()
	late, latePeer := net.Pipe()
	defer late.Close()
	defer latePeer.Close()
	if g.track(late) {
		t.Error("track accepted a connection after closeAll")
	}
}
