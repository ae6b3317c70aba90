package mbio

import (
	"io"
	"testing"
)

// BenchmarkReadLineWrite measures one request-sized exchange through the
// Go API: read a line, write a small response, flush.
func BenchmarkReadLineWrite(b *testing.B) {
	h, peer := socketPair(b)
	go io.Copy(io.Discard, peer)
	line := []byte("GET / HTTP/1.1\r\n")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		peer.Write(line)
		if _, _, err := h.ReadNB(-1, '\n'); err != nil {
			b.Fatal(err)
		}
		h.WriteString("HTTP/1.1 200 OK\r\n")
		h.WriteString("Content-Length: 0\r\n\r\n")
		if err := h.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}
