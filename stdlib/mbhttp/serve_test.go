package mbhttp

import (
	"io"
	"net/http"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestHelloNetHTTP(t *testing.T) {
	s := startServer(t, helloScript)
	client := &http.Client{}
	for i := 0; i < 3; i++ {
		resp, err := client.Get("http://" + s.addr + "/a/b?x=1")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "method=GET path=a/b query=?x=1" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
		if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
			t.Errorf("transfer encoding %v, want chunked", resp.TransferEncoding)
		}
	}
	client.CloseIdleConnections()
	r := s.result(t)
	if r.err != nil || r.ret != lua.LTrue {
		t.Fatalf("connect returned %v, %v; want true (three requests on one connection)", r.ret, r.err)
	}
}

func TestRawPipelined(t *testing.T) {
	s := startServer(t, helloScript)
	out := rawExchange(t, s.addr, "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two?q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if strings.Count(out, "HTTP/1.1 200 OK\r\n") != 2 || !strings.Contains(out, "path=one query=") || !strings.Contains(out, "path=two query=?q") {
		t.Fatalf("pipelined responses wrong:\n%s", out)
	}
	if !strings.Contains(out, "Connection: close\r\n") {
		t.Errorf("second response lacks Connection: close:\n%s", out)
	}
	s.result(t)
}
