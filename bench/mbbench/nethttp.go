package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

// serveNetHTTP is the comparison server: plain net/http doing what the Lua
// applications in bench/apps do. mbbench runs it as a separate process
// (itself with -serve-nethttp) so both sides' CPU is measured alike.
func serveNetHTTP(port string) int {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello World!\n")
	})
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%d %d\n", len(r.PostForm), len(r.PostForm.Get("f10")))
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		n, err := countUpload(r, "file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%d\n", n)
	})
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "net/http server: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: mux}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		srv.Close()
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "net/http server: %v\n", err)
		return 1
	}
	return 0
}

// countUpload streams a multipart body and counts the bytes of field name.
func countUpload(r *http.Request, name string) (int64, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	var total int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return 0, err
		}
		n, err := io.CopyBuffer(io.Discard, part, buf)
		if err != nil {
			return 0, fmt.Errorf("field %s: %w", strconv.Quote(part.FormName()), err)
		}
		if part.FormName() == name {
			total += n
		}
	}
}
