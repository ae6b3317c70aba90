package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
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
	if err := benchutil.ServeNetHTTP(port, mux); err != nil {
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
