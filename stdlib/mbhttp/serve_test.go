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

// TestRequestObjectFields checks the basic fields of request objects: read
// while current, kept by an object Lua used once its request is over, and
// the socket field is the connection's handle.
func TestRequestObjectFields(t *testing.T) {
	s := startServer(t, `
		local http = require "moonbridge_http"
		local previous
		return http.generate_handler(function(req)
			local out = {}
			assert(req.socket == req.socket and req.socket ~= nil, "socket")
			if previous then
				out[#out+1] = "previous=" .. tostring(previous.method) .. " " .. tostring(previous.path) ..
					" " .. tostring(previous.query) .. " " .. tostring(previous.host) ..
					" " .. tostring(previous.socket == req.socket)
			end
			out[#out+1] = "now=" .. req.method .. " " .. req.path .. " " .. req.query .. " " .. req.host
			req.mine = "kept"
			assert(req.mine == "kept")
			previous = req
			req:send_status("200 OK")
			req:send_data(table.concat(out, ";"))
			req:finish()
			return true
		end)
	`)
	out := rawExchange(t, s.addr, "GET /a?1 HTTP/1.1\r\nHost: h1\r\n\r\n"+
		"POST /b HTTP/1.1\r\nHost: h2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	for _, want := range []string{
		"now=GET a ?1 h1",
		"previous=GET a ?1 h1 true;now=POST b  h2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("responses lack %q:\n%s", want, out)
		}
	}
	s.result(t)
}
