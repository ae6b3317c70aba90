package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// formPage is about the page examples/webapp answers at / (1.1 KB of
// HTML).
const formPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Moonbridge example</title><style>
body { font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-weight: 600; }
label { display: inline-block; min-width: 6em; }
input[type=text] { width: 20em; padding: .3em; }
input[type=submit] { padding: .4em 1.5em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3em .6em; text-align: left; }
</style></head><body>
<h1>Moonbridge example</h1>
<p id="visits">Visit number %d (counted in a cookie).</p>
<form id="form" method="post" action="/echo" enctype="multipart/form-data">
<p><label>Name <input type="text" name="name" id="name"></label></p>
<p><label>Comment <input type="text" name="comment" id="comment"></label></p>
<p><label><input type="checkbox" name="subscribe" id="subscribe" value="yes"> subscribe</label></p>
<p><label>File <input type="file" name="upload" id="upload"></label></p>
<p><input type="submit" id="submit" value="Send"></p>
</form>
<p><a href="/stream">streamed response</a></p>
</body></html>
`

// serveNetHTTP is the comparison server: a plain net/http server with no
// timeouts set (the defaults), answering / like the example application
// and reading the whole body of a POST to /echo. mbhostile runs it as a
// separate process (itself with -serve-nethttp PORT).
func serveNetHTTP(port string) int {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		visits := 1
		if c, err := r.Cookie("visits"); err == nil {
			if n, err := strconv.Atoi(c.Value); err == nil {
				visits = n + 1
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("Set-Cookie", fmt.Sprintf("visits=%d; Path=/; SameSite=Lax", visits))
		fmt.Fprintf(w, formPage, visits)
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><body><h1>You posted</h1><p>%d bytes</p></body></html>\n", n)
	})
	if err := benchutil.ServeNetHTTP(port, mux); err != nil {
		fmt.Fprintf(os.Stderr, "net/http server: %v\n", err)
		return 1
	}
	return 0
}
