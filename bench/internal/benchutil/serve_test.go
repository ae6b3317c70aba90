package benchutil

import (
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// ServeNetHTTP serves until the process gets SIGTERM, then returns nil.
func TestServeNetHTTP(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- ServeNetHTTP(strconv.Itoa(port), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hi")
		}))
	}()
	url := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/"
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("ServeNetHTTP returned early: %v", err)
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "hi" {
				t.Fatalf("body %q, want %q", body, "hi")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not answering: %v", err)
		}
	}
	// The server answers, so its signal handler is installed.
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeNetHTTP after SIGTERM = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeNetHTTP still serving 5 s after SIGTERM")
	}
}

func TestServeNetHTTPPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	if err := ServeNetHTTP(port, http.NotFoundHandler()); err == nil {
		t.Error("ServeNetHTTP on a port in use: no error")
	}
}
