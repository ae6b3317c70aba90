package iolib

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"unsafe"
)

// Buffering modes (setvbuf).
const (
	bufNo = iota
	bufFull
	bufLine
)

// bufferSize is the default buffer size (BUFSIZ, LUAL_BUFFERSIZE).
const bufferSize = 8192

type streamKind uint8

const (
	kindFile streamKind = iota // io.open, io.tmpfile: fclose
	kindPipe                   // io.popen: pclose
	kindStd                    // io.stdin/stdout/stderr: never closed
)

// stream is a C stdio FILE: one buffer shared by reads and writes, which
// is flushed before reading and whose read-ahead is given back to the
// file before writing or seeking, so that reads, writes and seeks on one
// file interleave as they do in C.
type stream struct {
	owner *ioState
	f     *os.File  // the file, when there is one (seek, close)
	w     io.Writer // where writes go when f is nil (a standard stream)
	kind  streamKind
	cmd   *exec.Cmd // kindPipe: the command, waited for on close

	readable, writable bool
	closed             bool

	mode, size int
	rbuf       []byte // read-ahead: rbuf[rpos:rend] is unread
	rpos, rend int
	wbuf       []byte // written, not yet flushed

	err error // the error indicator (ferror), with errno
}

// ioState is what the io library keeps per Lua state.
type ioState struct {
	mu                    sync.Mutex
	files                 map[*stream]struct{} // open streams, for FlushAll
	stdin, stdout, stderr *stream
	printer               *printWriter
}

func (st *ioState) add(s *stream) {
	st.mu.Lock()
	st.files[s] = struct{}{}
	st.mu.Unlock()
}

func (st *ioState) remove(s *stream) {
	st.mu.Lock()
	delete(st.files, s)
	st.mu.Unlock()
}

func newStream(owner *ioState, f *os.File, kind streamKind, readable, writable bool) *stream {
	return &stream{owner: owner, f: f, kind: kind, readable: readable, writable: writable, mode: bufFull, size: bufferSize}
}

var errBadFD = syscall.EBADF

// isTerminal reports whether f is a terminal (isatty).
func isTerminal(f *os.File) bool {
	var t syscall.Termios
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return e == 0
}

// Writing.

func (s *stream) rawWrite(p []byte) error {
	var err error
	if s.f != nil {
		_, err = s.f.Write(p)
	} else {
		_, err = s.w.Write(p)
	}
	return err
}

// flush writes out the write buffer (fflush).
func (s *stream) flush() error {
	if len(s.wbuf) == 0 {
		return nil
	}
	err := s.rawWrite(s.wbuf)
	s.wbuf = s.wbuf[:0]
	if err != nil {
		s.err = err
	}
	return err
}

// dropReadAhead gives the unread part of the read buffer back to the
// file (by seeking back) before a write or a seek.
func (s *stream) dropReadAhead() {
	if n := s.rend - s.rpos; n > 0 && s.f != nil {
		s.f.Seek(int64(-n), io.SeekCurrent)
	}
	s.rpos, s.rend = 0, 0
}

func (s *stream) write(p []byte) error {
	if !s.writable {
		s.err = errBadFD
		return errBadFD
	}
	if s.rend > s.rpos {
		s.dropReadAhead()
	}
	if s.mode == bufNo {
		if err := s.flush(); err != nil {
			return err
		}
		if err := s.rawWrite(p); err != nil {
			s.err = err
			return err
		}
		return nil
	}
	s.wbuf = append(s.wbuf, p...)
	if len(s.wbuf) >= s.size || (s.mode == bufLine && bytes.IndexByte(p, '\n') >= 0) {
		return s.flush()
	}
	return nil
}

// Reading.

// fill reads more input into the read buffer; it returns false at end
// of file or on error (recorded in s.err).
func (s *stream) fill() bool {
	if !s.readable {
		s.err = errBadFD
		return false
	}
	if len(s.wbuf) > 0 {
		if s.flush() != nil {
			return false
		}
	}
	if s.mode != bufFull && s.owner != nil {
		// glibc flushes the line-buffered output streams before
		// reading from a line-buffered or unbuffered one (a prompt
		// written to a terminal appears before the input is read).
		s.owner.flushLineBuffered()
	}
	size := s.size
	if s.mode == bufNo || size < 1 {
		size = 1
	}
	if cap(s.rbuf) < size {
		s.rbuf = make([]byte, size)
	}
	s.rbuf = s.rbuf[:size]
	if s.f == nil {
		s.err = errBadFD
		return false
	}
	for {
		n, err := s.f.Read(s.rbuf)
		if n > 0 {
			s.rpos, s.rend = 0, n
			return true
		}
		if err == io.EOF {
			return false
		}
		if err != nil {
			s.err = err
			return false
		}
	}
}

// getc returns the next byte, or -1 at end of file or on error.
func (s *stream) getc() int {
	if s.rpos >= s.rend && !s.fill() {
		return -1
	}
	c := s.rbuf[s.rpos]
	s.rpos++
	return int(c)
}

// ungetc puts back the byte getc just returned.
func (s *stream) ungetc(c int) {
	if c >= 0 {
		s.rpos--
	}
}

// readLine reads up to and including '\n' (not included when chop).
// ok is false when nothing at all was read.
func (s *stream) readLine(chop bool) (line []byte, ok bool) {
	for {
		if s.rpos >= s.rend && !s.fill() {
			return line, len(line) > 0
		}
		buf := s.rbuf[s.rpos:s.rend]
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			end := i + 1
			if chop {
				end = i
			}
			line = append(line, buf[:end]...)
			s.rpos += i + 1
			return line, true
		}
		line = append(line, buf...)
		s.rpos = s.rend
	}
}

// readChars reads up to n bytes.
func (s *stream) readChars(n int64) []byte {
	var out []byte
	for int64(len(out)) < n {
		if s.rpos >= s.rend && !s.fill() {
			break
		}
		buf := s.rbuf[s.rpos:s.rend]
		if rem := n - int64(len(out)); int64(len(buf)) > rem {
			buf = buf[:rem]
		}
		out = append(out, buf...)
		s.rpos += len(buf)
	}
	return out
}

// readAll reads to the end of the file.
func (s *stream) readAll() []byte {
	var out []byte
	for {
		if s.rpos >= s.rend && !s.fill() {
			return out
		}
		out = append(out, s.rbuf[s.rpos:s.rend]...)
		s.rpos = s.rend
	}
}

// Seeking.

func (s *stream) seek(off int64, whence int) (int64, error) {
	if err := s.flush(); err != nil {
		return 0, err
	}
	if s.f == nil {
		return 0, syscall.ESPIPE
	}
	if whence == io.SeekCurrent {
		off -= int64(s.rend - s.rpos)
	}
	pos, err := s.f.Seek(off, whence)
	if err != nil {
		return 0, err
	}
	s.rpos, s.rend = 0, 0
	return pos, nil
}

func (s *stream) setvbuf(mode, size int) {
	s.flush()
	s.mode, s.size = mode, size
}

// Closing.

// closeFile closes a kindFile or kindPipe stream; for a pipe it returns
// how the command ended.
func (s *stream) closeFile() (signaled bool, code int, err error) {
	if s.owner != nil {
		s.owner.remove(s)
	}
	ferr := s.flush()
	s.closed = true
	s.rpos, s.rend = 0, 0
	cerr := s.f.Close()
	if s.kind == kindPipe {
		werr := s.cmd.Wait()
		if s.cmd.ProcessState == nil {
			return false, 0, werr
		}
		signaled, code = statusOf(s.cmd.ProcessState)
		return signaled, code, nil
	}
	if ferr != nil {
		return false, 0, ferr
	}
	return false, 0, cerr
}

// finalize closes a stream that became unreachable (the userdata's
// cleanup). It runs on another goroutine and touches only the stream.
func finalize(s *stream) {
	if s.closed || s.kind == kindStd {
		return
	}
	s.closeFile()
}

func (st *ioState) flushLineBuffered() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s := st.stdout; s != nil && s.mode == bufLine {
		s.flush()
	}
	for s := range st.files {
		if s.mode == bufLine && !s.closed {
			s.flush()
		}
	}
}
