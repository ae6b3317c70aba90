package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/moonbridge-go/moonbridge/runtime/logging"
	"github.com/moonbridge-go/moonbridge/stdlib/mbhttp"
)

// envAccessLog passes --access-log to worker processes.
const envAccessLog = "MOONBRIDGE_ACCESS_LOG"

// openAccessFile opens the access log for appending. Every line is one
// write(2) on an O_APPEND descriptor, so the lines of several worker
// processes never mix.
func openAccessFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open access log: %w", err)
	}
	return f, nil
}

// masterAccessLog checks at start-up that the access log can be opened
// (a relative path is made absolute, so that workers find the same file)
// and, for goroutine workers, which share this process, turns it on here.
func masterAccessLog(path string, inProcess bool, log *logging.Logger) (closeFn func(), err error) {
	if path == "-" {
		if inProcess {
			mbhttp.SetAccessLog(func(line []byte) { log.Infof("access: %s", line[:len(line)-1]) })
		}
		return func() {}, nil
	}
	f, err := openAccessFile(path)
	if err != nil {
		return nil, err
	}
	if !inProcess {
		f.Close()
		return func() {}, nil
	}
	mbhttp.SetAccessLog(fileAccessLog(f))
	return func() { mbhttp.SetAccessLog(nil); f.Close() }, nil
}

// workerAccessLog turns the access log on in a worker process: to the
// file, or with "-" to stderr, which the master puts into its log.
func workerAccessLog(path string) error {
	if path == "-" {
		var buf []byte
		mbhttp.SetAccessLog(func(line []byte) {
			buf = append(append(buf[:0], "access: "...), line...)
			os.Stderr.Write(buf)
		})
		return nil
	}
	f, err := openAccessFile(path)
	if err != nil {
		return err
	}
	mbhttp.SetAccessLog(fileAccessLog(f))
	return nil
}

func fileAccessLog(f *os.File) mbhttp.AccessLogFunc {
	return func(line []byte) { f.Write(line) }
}

// absPath makes a relative path absolute against the working directory.
func absPath(p string) string {
	if p == "" || p == "-" || filepath.IsAbs(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
