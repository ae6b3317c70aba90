package mbio

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"

	lua "github.com/yuin/gopher-lua"
)

// TLS design: crypto/tls needs a blocking net.Conn, while a handle needs a
// descriptor it can read, write and poll without blocking. starttls moves
// the connection's descriptor into a net.Conn run by two goroutines and
// gives the handle one end of a socketpair instead; the goroutines pump
// plaintext between the socketpair and the tls.Conn. Every handle method
// and poll then works unchanged on the socketpair end.

// tlsLink connects a handle to its TLS pump.
type tlsLink struct {
	mu      sync.Mutex
	err     error
	closing atomic.Bool
	conn    net.Conn // the real connection
	tc      *tls.Conn
}

// failure returns the error that ended the TLS session, if any.
func (t *tlsLink) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

func (t *tlsLink) fail(err error) {
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
}

// stop is called just before the handle closes its end: the pump then
// closes the TLS session after sending what it has.
func (t *tlsLink) stop() { t.closing.Store(true) }

// reset makes the real connection end with a TCP RST.
func (t *tlsLink) reset() {
	t.closing.Store(true)
	if tc, ok := t.conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	t.conn.Close()
}

// control runs fn with the real connection's descriptor.
func (t *tlsLink) control(fn func(fd int) error) error {
	sc, ok := t.conn.(syscall.Conn)
	if !ok {
		return errors.New("connection has no descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// prefixConn returns prefix (bytes the handle had already read) before
// reading from the connection.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// tlsConf is the value made by moonbridge_io.tlsconf.
type tlsConf struct {
	server bool
	cfg    *tls.Config
}

// StartTLS runs TLS over the handle's socket, as server or client per
// conf; serverName (client only) overrides the name checked in the
// server's certificate. Output is flushed first; input already buffered is
// handed to TLS.
func (h *Handle) startTLS(conf *tlsConf, serverName string) error {
	if h.closed {
		return ErrWriteClosed
	}
	if h.tls != nil {
		return errors.New("TLS already started on this handle")
	}
	if !h.isSock || h.fd < 0 || h.finished {
		return errors.New("TLS needs an open socket")
	}
	if err := h.Flush(); err != nil {
		return err
	}
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("starttls: socketpair: %w", err)
	}
	var conn net.Conn
	if h.file != nil {
		conn, err = net.FileConn(h.file) // duplicates the descriptor
	} else { // a standard descriptor that is a socket
		conn, err = fileConnDup(h.fd)
	}
	if err != nil {
		syscall.Close(sp[0])
		syscall.Close(sp[1])
		return fmt.Errorf("starttls: %w", err)
	}
	f2 := os.NewFile(uintptr(sp[1]), "tls-pump")
	inner, err := net.FileConn(f2)
	f2.Close()
	if err != nil {
		syscall.Close(sp[0])
		conn.Close()
		return fmt.Errorf("starttls: %w", err)
	}
	// the handle's descriptor now lives on in conn only
	if h.file != nil {
		h.file.Close()
	} else {
		h.own.release()
		syscall.Close(h.fd)
	}
	setNonblock(sp[0], true)
	h.fd = sp[0]
	h.toggleNB = false
	h.owned = true
	h.own = newFdOwner(sp[0])
	h.file, h.rc, h.ioFn = nil, nil, nil
	pc := &prefixConn{Conn: conn, prefix: append([]byte(nil), h.rbuf[h.rout:h.rin]...)}
	h.rin, h.rout = 0, 0
	var tc *tls.Conn
	if conf.server {
		tc = tls.Server(pc, conf.cfg)
	} else {
		cfg := conf.cfg.Clone()
		if serverName != "" {
			cfg.ServerName = serverName
		} else if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
			cfg.ServerName = h.connectHost
		}
		tc = tls.Client(pc, cfg)
	}
	link := &tlsLink{conn: conn, tc: tc}
	h.tls = link
	go link.pump(inner.(*net.UnixConn))
	return nil
}

// fileConnDup returns a net.Conn on a duplicate of fd, a socket the
// handle does not own through an *os.File.
func fileConnDup(fd int) (net.Conn, error) {
	d, err := syscall.Dup(fd)
	if err != nil {
		return nil, err
	}
	syscall.CloseOnExec(d)
	f := os.NewFile(uintptr(d), "tls-socket")
	defer f.Close()
	return net.FileConn(f)
}

// pump moves plaintext between the handle's socketpair and the TLS
// session until both directions ended.
func (t *tlsLink) pump(inner *net.UnixConn) {
	if err := t.tc.Handshake(); err != nil {
		t.fail(fmt.Errorf("TLS handshake failed: %w", err))
		inner.Close()
		t.conn.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // network -> handle
		defer wg.Done()
		_, err := io.Copy(inner, t.tc)
		if err != nil && !t.closing.Load() {
			t.fail(fmt.Errorf("TLS read: %w", err))
			inner.Close()
			return
		}
		inner.CloseWrite()
	}()
	_, err := io.Copy(t.tc, inner) // handle -> network
	if err != nil && !t.closing.Load() {
		t.fail(fmt.Errorf("TLS write: %w", err))
	}
	if t.closing.Load() || err != nil {
		t.tc.Close()
	} else {
		t.tc.CloseWrite()
	}
	wg.Wait()
	inner.Close()
	t.tc.Close()
}

func checkTLSConf(L *lua.LState, n int) *tlsConf {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if c, ok := ud.Value.(*tlsConf); ok {
			return c
		}
	}
	L.ArgError(n, "moonbridge_io tlsconf expected, got "+typeName(L.Get(n)))
	return nil
}

func luaStartTLS(L *lua.LState) int {
	h := CheckHandle(L, 1)
	conf := checkTLSConf(L, 2)
	name := L.OptString(3, "")
	if err := h.startTLS(conf, name); err != nil {
		return pushIOError(L, err)
	}
	L.Push(L.Get(1))
	return 1
}

var tlsConfKeys = map[string]bool{
	"mode": true, "cert_file": true, "key_file": true, "cert_mem": true, "key_mem": true,
	"ca_file": true, "ca_path": true, "ca_mem": true, "verify_client": true, "verify_server": true,
}

// luaTLSConf implements tlsconf{mode=..., cert_file=..., ...}.
func luaTLSConf(L *lua.LState) int {
	t := L.CheckTable(1)
	t.ForEach(func(k, _ lua.LValue) {
		if ks, ok := k.(lua.LString); !ok || !tlsConfKeys[string(ks)] {
			L.ArgError(1, fmt.Sprintf("unknown tlsconf option %s", lua.LVAsString(k)))
		}
	})
	str := func(key string) string {
		v := t.RawGetString(key)
		if v == lua.LNil {
			return ""
		}
		s, ok := v.(lua.LString)
		if !ok {
			L.ArgError(1, fmt.Sprintf("option %q is expected to be a string", key))
		}
		return string(s)
	}
	conf := &tlsConf{cfg: &tls.Config{MinVersion: tls.VersionTLS12}}
	switch str("mode") {
	case "server":
		conf.server = true
	case "client":
	default:
		L.ArgError(1, `option "mode" must be "server" or "client"`)
	}
	fail := func(err error) int {
		L.Push(lua.LNil)
		L.Push(lua.LString("tlsconf: " + err.Error()))
		return 2
	}
	certPEM, keyPEM := []byte(str("cert_mem")), []byte(str("key_mem"))
	if f := str("cert_file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fail(err)
		}
		certPEM = b
	}
	if f := str("key_file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fail(err)
		}
		keyPEM = b
	}
	if len(certPEM) > 0 || len(keyPEM) > 0 {
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return fail(fmt.Errorf("certificate/key: %w", err))
		}
		conf.cfg.Certificates = []tls.Certificate{cert}
	} else if conf.server {
		L.ArgError(1, "server mode needs cert_file/key_file or cert_mem/key_mem")
	}
	var pool *x509.CertPool
	addPEM := func(b []byte, what string) error {
		if pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(b) {
			return fmt.Errorf("no certificate found in %s", what)
		}
		return nil
	}
	if m := str("ca_mem"); m != "" {
		if err := addPEM([]byte(m), "ca_mem"); err != nil {
			return fail(err)
		}
	}
	if f := str("ca_file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fail(err)
		}
		if err := addPEM(b, f); err != nil {
			return fail(err)
		}
	}
	if d := str("ca_path"); d != "" {
		entries, err := os.ReadDir(d)
		if err != nil {
			return fail(err)
		}
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join(d, e.Name())); err == nil && !e.IsDir() {
				addPEM(b, e.Name()) // files without certificates are skipped
			}
		}
	}
	if conf.server {
		conf.cfg.ClientCAs = pool
		switch v := t.RawGetString("verify_client").(type) {
		case *lua.LNilType:
		case lua.LBool:
			if v {
				conf.cfg.ClientAuth = tls.RequireAndVerifyClientCert
			}
		case lua.LString:
			switch v {
			case "required":
				conf.cfg.ClientAuth = tls.RequireAndVerifyClientCert
			case "optional":
				conf.cfg.ClientAuth = tls.VerifyClientCertIfGiven
			case "none":
			default:
				L.ArgError(1, `option "verify_client" must be a boolean, "required", "optional" or "none"`)
			}
		default:
			L.ArgError(1, `option "verify_client" must be a boolean, "required", "optional" or "none"`)
		}
	} else {
		conf.cfg.RootCAs = pool // nil: the system's roots
		if v := t.RawGetString("verify_server"); v != lua.LNil {
			b, ok := v.(lua.LBool)
			if !ok {
				L.ArgError(1, `option "verify_server" is expected to be a boolean`)
			}
			conf.cfg.InsecureSkipVerify = !bool(b)
		}
	}
	ud := L.NewUserData()
	ud.Value = conf
	ud.Metatable = stateOf(L).tlsconfMT
	L.Push(ud)
	return 1
}
