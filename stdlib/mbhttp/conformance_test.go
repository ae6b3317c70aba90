package mbhttp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// echoScript reports what the module parsed, one "key=value" per line,
// sorted so that the output is deterministic.
const echoScript = `
local http = require "moonbridge_http"
return http.generate_handler({request_body_size_limit = 4096, idle_timeout = 2, stall_timeout = 1, request_header_timeout = 2, drain_timeout = 1}, function(req)
  local out = {}
  local function add(k, v) out[#out+1] = k .. "=" .. tostring(v) end
  if req.path == "headers" then
    add("ua", req.headers["user-agent"][1])
    add("csv", req.headers_csv_string["X-Multi"])
    add("value", req.headers_value["X-Multi"])
    add("flag", req.headers_flags["X-Multi"]["B"])
    add("noflag", req.headers_flags["X-Multi"]["z"])
    add("n", #req.headers_csv_table["x-multi"])
  end
  for k, v in pairs(req.get_params) do add("get." .. k, v) end
  for k, l in pairs(req.get_params_list) do add("getn." .. k, #l) end
  for k, v in pairs(req.cookies) do add("cookie." .. k, v) end
  if req.method == "POST" then
    for k, v in pairs(req.post_params) do add("post." .. k, v) end
    for k, l in pairs(req.post_params_list) do add("postn." .. k, #l) end
    for k, m in pairs(req.post_metadata or {}) do add("meta." .. k, tostring(m.file_name) .. "|" .. tostring(m.content_type)) end
  end
  table.sort(out)
  req:send_status("200 OK")
  req:send_header("Content-Type", "text/plain")
  req:send_data(table.concat(out, "\n"), "\n")
  return true
end)`

func TestParamsNetHTTP(t *testing.T) {
	s := startServer(t, echoScript)
	base := "http://" + s.addr
	form := url.Values{"a": {"1", "2"}, "b c": {"x&y"}}
	req, _ := http.NewRequest("POST", base+"/p?q=1&q=2&r=%41", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "sid=abc; theme=dark%20blue")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "cookie.sid=abc\ncookie.theme=dark blue\nget.q=1\nget.r=A\ngetn.q=2\ngetn.r=1\npost.a=1\npost.b c=x&y\npostn.a=2\npostn.b c=1\n"
	if string(body) != want {
		t.Errorf("got\n%s\nwant\n%s", body, want)
	}
}

func TestHeaderTables(t *testing.T) {
	s := startServer(t, echoScript)
	out := rawExchange(t, s.addr, "GET /headers HTTP/1.1\r\nHost: x\r\nUser-Agent: raw\r\nX-Multi: a, b\r\nx-multi: c\r\nConnection: close\r\n\r\n")
	for _, w := range []string{"ua=raw", "csv=a, b, c", "value=false", "flag=true", "noflag=false", "n=3"} {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
}

func TestMultipartUpload(t *testing.T) {
	s := startServer(t, echoScript)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("name", "Ada")
	mw.WriteField("name", "Grace")
	fw, _ := mw.CreateFormFile("file", "notes.txt")
	fw.Write([]byte("file contents\r\n--not-the-boundary"))
	mw.Close()
	resp, err := http.Post("http://"+s.addr+"/up", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, w := range []string{"post.name=Ada", "postn.name=2", "post.file=file contents\r\n--not-the-boundary", "meta.file=notes.txt|application/octet-stream", "meta.name=nil|nil"} {
		if !strings.Contains(string(body), w+"\n") {
			t.Errorf("missing %q in\n%s", w, body)
		}
	}
}

func TestProtocolErrors(t *testing.T) {
	s := startServer(t, echoScript)
	long := strings.Repeat("a", 2000)
	tests := []struct {
		name, req, status string
	}{
		{"no host", "GET / HTTP/1.1\r\n\r\n", "400"},
		{"http/0.9", "GET /\r\n\r\n", "505"},
		{"http/1.0 te", "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"},
		{"cl+te", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"},
		{"differing cl", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 4\r\n\r\nabcde", "400"},
		{"bad te", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "400"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", "400"},
		{"bare lf", "GET / HTTP/1.1\nHost: x\n\n", "400"},
		{"nul", "GET / HTTP/1.1\r\nHost: x\r\nX: \x00\r\n\r\n", "400"},
		{"expect", "POST / HTTP/1.1\r\nHost: x\r\nExpect: nonsense\r\nContent-Length: 1\r\n\r\nx", "417"},
		{"body too large", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", "413"},
		{"chunked too large", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n" + strings.Repeat("x", 0x2000) + "\r\n0\r\n\r\n", "413"},
		{"bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400"},
		{"chunk without crlf", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", "400"},
		{"unsupported media type", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", "415"},
		{"header timeout", "GET / HTTP/1.1\r\nHost: x\r\n", "408"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := rawExchange(t, s.addr, tt.req)
			if !strings.HasPrefix(out, "HTTP/1.1 "+tt.status+" ") {
				t.Fatalf("got %q, want status %s", firstLine(out), tt.status)
			}
			if !strings.Contains(out, "Connection: close\r\n") || !strings.Contains(out, "Content-Type: text/plain\r\n") {
				t.Errorf("error response not plain text with Connection: close:\n%s", out)
			}
			s.result(t)
		})
	}
	// Header and URI limits need a small header limit.
	s2 := startServer(t, `return require("moonbridge_http").generate_handler(function(r) r:send_status("200 OK") return true end, {request_header_size_limit = 1000})`)
	if out := rawExchange(t, s2.addr, "GET /"+long+" HTTP/1.1\r\nHost: x\r\n\r\n"); !strings.HasPrefix(out, "HTTP/1.1 414 ") {
		t.Errorf("long target: %q", firstLine(out))
	}
	if out := rawExchange(t, s2.addr, "GET / HTTP/1.1\r\nHost: x\r\nX: "+long+"\r\n\r\n"); !strings.HasPrefix(out, "HTTP/1.1 431 ") {
		t.Errorf("long header: %q", firstLine(out))
	}
	// Idle timeout on a connection that sends nothing.
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if out := readAll(t, c); !strings.HasPrefix(out, "HTTP/1.1 408 ") {
		t.Errorf("idle connection: %q", firstLine(out))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// statusScript answers with the status named in the path and checks the
// state rules of the request object.
const statusScript = `
local http = require "moonbridge_http"
return http.generate_handler(function(req)
  if req.path == "early-header" then
    local ok, err = pcall(req.send_header, req, "X", "y")
    req:send_status("200 OK")
    req:send_header("X-Error", (tostring(err):gsub("^.*: ", "")))
    return true
  elseif req.path == "info" then
    req:send_status("103 Early Hints")
    req:send_header("Link", "</a.css>")
    req:finish_headers()
    req:send_status("200 OK")
    req:send_header("Content-Length", 2)
    req:send_data("ok")
    return true
  elseif req.path == "fail" then
    error("handler exploded")
  elseif req.path == "monologue" then
    req:monologue()
    req:send_status("200 OK")
    req:send_data("bye")
    return true
  elseif req.path == "cl" then
    req:send_status("200 OK")
    req:send_header("Content-Length", 5)
    req:send_data("hel", "lo")
    return true
  end
  req:send_status(req.path .. " Status")
  if req.path == "200" then req:send_data("body") end
  return true
end)`

func TestStatusRules(t *testing.T) {
	s := startServer(t, statusScript)
	tests := []struct{ path, want, notWant string }{
		{"204", "HTTP/1.1 204 Status\r\n\r\n", "Transfer-Encoding"},
		{"304", "HTTP/1.1 304 Status\r\n\r\n", "Transfer-Encoding"},
		{"205", "HTTP/1.1 205 Status\r\nContent-Length: 0\r\n\r\n", "Transfer-Encoding"},
		{"200", "HTTP/1.1 200 Status\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n", ""},
		{"early-header", "X-Error: HTTP status has not been sent yet", ""},
		{"info", "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ""},
		{"cl", "Content-Length: 5\r\n\r\nhello", "chunked"},
		{"monologue", "Connection: close\r\n", ""},
	}
	for _, tt := range tests {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET /%s HTTP/1.1\r\nHost: x\r\n\r\nHEAD /200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", tt.path)
		out := withoutDate(readAll(t, c))
		c.Close()
		first := out
		if i := strings.LastIndex(out, "HTTP/1.1 200 Status\r\nTransfer-Encoding: chunked\r\nConnection: close"); i > 0 {
			first = out[:i]
		}
		if !strings.Contains(out, tt.want) || (tt.notWant != "" && strings.Contains(first, tt.notWant)) {
			t.Errorf("%s: got\n%q\nwant %q", tt.path, out, tt.want)
		}
		if tt.path != "monologue" {
			// The pipelined HEAD gets headers but no body.
			if !strings.HasSuffix(out, "HTTP/1.1 200 Status\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n") {
				t.Errorf("%s: HEAD response wrong in %q", tt.path, out)
			}
		}
		s.result(t)
	}
	// A handler error answers 500 and makes connect raise.
	out := rawExchange(t, s.addr, "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 500 ") {
		t.Errorf("handler error: %q", out)
	}
	r := s.result(t)
	if r.err == nil || !strings.Contains(r.err.Error(), "handler exploded") {
		t.Errorf("connect error %v, want the handler's error", r.err)
	}
}

// TestChunkedBodyWithTrailer sends a chunked body with extensions and a
// trailer, then a pipelined second request on the same connection.
func TestChunkedBodyWithTrailer(t *testing.T) {
	s := startServer(t, `
local http = require "moonbridge_http"
return http.generate_handler(function(req)
  local body = req.body
  req:send_status("200 OK")
  req:send_data("[", body, "]")
  return true
end)`)
	out := rawExchange(t, s.addr, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer-Field: v\r\n\r\n"+
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
	if !strings.Contains(out, "[hello world]") || !strings.Contains(out, "[abc]") {
		t.Errorf("got %q", out)
	}
}

// TestEarlyResponseDrain answers before the body arrives; the client keeps
// sending and must get the full response and no reset.
func TestEarlyResponseDrain(t *testing.T) {
	s := startServer(t, `
return require("moonbridge_http").generate_handler(function(req)
  req:send_status("403 Forbidden")
  req:send_data("no")
  return true
end)`)
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const size = 1 << 20
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
	done := make(chan error, 1)
	go func() {
		chunk := bytes.Repeat([]byte("z"), 64*1024)
		var err error
		for sent := 0; sent < size && err == nil; sent += len(chunk) {
			_, err = c.Write(chunk)
		}
		if err == nil {
			_, err = c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
		}
		done <- err
	}()
	out := readAll(t, c)
	if err := <-done; err != nil {
		t.Fatalf("client write failed (reset?): %v", err)
	}
	if strings.Count(out, "HTTP/1.1 403 Forbidden") != 2 {
		t.Errorf("want two 403 responses, got %q", out)
	}
}

// TestExpectContinueCurl uploads with curl, which waits for 100 Continue.
func TestExpectContinueCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed (apt-get install -y curl)")
	}
	s := startServer(t, streamScript)
	data := bytes.Repeat([]byte("0123456789"), 300000)
	sum := sha256.Sum256(data)
	cmd := exec.Command(curl, "-sS", "--max-time", "20", "-H", "Expect: 100-continue", "-F", "upload=@-;filename=d.bin;type=application/x-test", "http://"+s.addr+"/")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	want := fmt.Sprintf("upload d.bin application/x-test %d %s", len(data), hex.EncodeToString(sum[:]))
	if !strings.Contains(string(out), want) {
		t.Errorf("got %q, want %q", out, want)
	}
}

// streamScript streams the field "upload" and reports its size and SHA-256
// (computed in Lua-visible Go via a tiny helper: the size and a checksum
// the test can verify without holding the data).
const streamScript = `
local http = require "moonbridge_http"
return http.generate_handler(function(req)
  local info, size, hash = "", 0, sha256_new()
  req:stream_post_param("upload", function(chunk, name, meta)
    if name then info = name .. " " .. tostring(meta.file_name) .. " " .. tostring(meta.content_type) end
    if chunk then size = size + #chunk; hash:add(chunk) end
  end)
  req:send_status("200 OK")
  req:consume_input()
  req:send_data(info, " ", size, " ", hash:hex())
  return true
end)`

func TestLargeStreamedUpload(t *testing.T) {
	s := startServer(t, streamScript)
	const size = 40 << 20
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	h := sha256.New()
	go func() {
		fw, _ := mw.CreateFormFile("upload", "big.bin")
		block := make([]byte, 1<<16)
		for i := range block {
			block[i] = byte(i * 7)
		}
		for sent := 0; sent < size; sent += len(block) {
			block[0] = byte(sent >> 16)
			h.Write(block)
			fw.Write(block)
		}
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", "http://"+s.addr+"/", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	client.CloseIdleConnections()
	want := fmt.Sprintf("upload big.bin application/octet-stream %d %x", size, h.Sum(nil))
	if string(body) != want {
		t.Errorf("got %q, want %q", body, want)
	}
}
