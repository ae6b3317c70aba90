package mbio

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// selfSigned makes a certificate for localhost/127.0.0.1 and returns
// the certificate and key in PEM.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// TestTLSEchoBetweenHandles runs a TLS server and client on the two ends
// of a socketpair inside one Lua state, using blocking and _nb forms.
func TestTLSEchoBetweenHandles(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600)
	os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600)
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := NewSocket(fds[0])
	cli, _ := NewSocket(fds[1])
	defer srv.Reset()
	defer cli.Reset()
	L := newState(t)
	L.SetGlobal("srv", srv.Value(L))
	L.SetGlobal("cli", cli.Value(L))
	L.SetGlobal("dir", lua.LString(dir))
	L.SetGlobal("ca", lua.LString(certPEM))
	runLua(t, L, nil, `
		local io = moonbridge_io
		local sconf = assert(io.tlsconf{mode = "server", cert_file = dir .. "/cert.pem", key_file = dir .. "/key.pem"})
		local cconf = assert(io.tlsconf{mode = "client", ca_mem = ca})
		assert(srv:starttls(sconf) == srv)
		assert(cli:starttls(cconf, "localhost") == cli)
		cli:write("hello "):flush("tls\n")
		local line, st = srv:read(nil, "\n")
		assert(line == "hello tls\n" and st == "term", tostring(line) .. tostring(st))
		local big = string.rep("0123456789abcdef", 65536)
		assert(srv:write_nb(big) >= 0)
		local got, parts = 0, {}
		while got < #big do
			local d, s = cli:read_nb(#big - got)
			assert(d, s)
			parts[#parts + 1] = d
			got = got + #d
			if s == "block" then
				assert(srv:flush_nb() >= 0)
				io.poll({[cli] = true}, {[srv] = true}, 5)
			end
		end
		assert(table.concat(parts) == big, "bulk data differs")
		assert(srv:finish())
		local d, s = cli:read()
		assert(d == "" and s == "eof", "eof after finish: " .. tostring(s))

		local ok, err = pcall(io.tlsconf, {mode = "server"})
		assert(not ok and err:find("needs cert_file"), err)
		ok, err = pcall(io.tlsconf, {mode = "peer"})
		assert(not ok and err:find("mode"), err)
		ok, err = pcall(io.tlsconf, {mode = "client", cafile = "x"})
		assert(not ok and err:find("unknown tlsconf option cafile"), err)
		local c, msg = io.tlsconf{mode = "client", ca_file = dir .. "/missing.pem"}
		assert(c == nil and msg:find("missing.pem"), tostring(msg))
	`)
}

// TestTLSServerWithGoClient serves TLS from a handle made by NewSocket to
// Go's TLS client; a second client that does not trust the certificate
// makes the handle's read fail with the handshake error.
func TestTLSServerWithGoClient(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	result := make(chan error, 1)
	go func() {
		c, err := tls.Dial("tcp4", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if err != nil {
			result <- err
			return
		}
		defer c.Close()
		c.Write([]byte("ping\n"))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err == nil && line != "PONG ping\n" {
			err = &net.AddrError{Err: "unexpected reply " + line}
		}
		result <- err
	}()
	h := acceptHandle(t, ln)
	L := newState(t)
	L.SetGlobal("cert", lua.LString(certPEM))
	L.SetGlobal("key", lua.LString(keyPEM))
	runLua(t, L, h, `
		local conf = assert(moonbridge_io.tlsconf{mode = "server", cert_mem = cert, key_mem = key})
		assert(sock:starttls(conf))
		local line = assert(sock:read_call(function(s) moonbridge_io.poll({[s] = true}, nil, 5) end, nil, "\n"))
		assert(sock:flush("PONG ", line))
		sock:close()
	`)
	if err := <-result; err != nil {
		t.Fatalf("Go TLS client: %v", err)
	}

	go func() {
		c, err := tls.Dial("tcp4", ln.Addr().String(), &tls.Config{ServerName: "localhost"})
		if err == nil {
			c.Close()
		}
	}()
	h2 := acceptHandle(t, ln)
	runLua(t, L, h2, `
		local conf = assert(moonbridge_io.tlsconf{mode = "server", cert_mem = cert, key_mem = key})
		assert(sock:starttls(conf))
		local d, err = sock:read()
		assert(d == nil and err:find("TLS handshake failed"), "untrusted client: " .. tostring(err))
		assert(select(2, sock:read()) == "Previous read error")
	`)
}

func acceptHandle(t *testing.T, ln net.Listener) *Handle {
	t.Helper()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.(*net.TCPConn).File()
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewSocket(fd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Reset() })
	return h
}

// TestTLSClientToGoServer connects with tcpconnect and starttls (client
// mode, name taken from tcpconnect's host) to Go's TLS server.
func TestTLSClientToGoServer(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp4", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				c.Write([]byte("echo:" + line))
			}()
		}
	}()
	L := newState(t)
	L.SetGlobal("ca", lua.LString(certPEM))
	L.SetGlobal("port", lua.LNumber(ln.Addr().(*net.TCPAddr).Port))
	runLua(t, L, nil, `
		local io = moonbridge_io
		local c = assert(io.tcpconnect("127.0.0.1", port))
		assert(c:starttls(assert(io.tlsconf{mode = "client", ca_mem = ca})))
		assert(c:set_nodelay(true) and c:get_nodelay() == true)
		c:flush("hi\n")
		local co = coroutine.wrap(function() return c:read_yield(nil, "\n") end)
		local a, b = co()
		while a == c do io.poll({[c] = true}, nil, 5); a, b = co() end
		assert(a == "echo:hi\n" and b == "term", tostring(a))
		c:close()
		-- without the CA the server is not trusted
		local u = assert(io.tcpconnect("127.0.0.1", port))
		u:starttls(assert(io.tlsconf{mode = "client"}))
		local d, err = u:read()
		assert(d == nil and err:find("TLS handshake failed"), tostring(err))
	`)
}
