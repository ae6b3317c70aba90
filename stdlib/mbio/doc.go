// Package mbio implements the moonbridge_io Lua module (API.md §4): buffered
// handles for sockets, pipes and stdio with blocking, non-blocking (_nb),
// callback (_call) and coroutine (_yield) forms, poll, client and listening
// sockets, child processes and TLS.
//
// I/O runs on non-blocking file descriptors with the package's own
// buffers. Every descriptor a handle or listener owns is held by an
// *os.File so that Go's network poller watches it: the non-blocking forms
// make the raw system call once, the blocking forms and timed waits make
// it inside the file's RawConn (so a waiting goroutine holds no OS thread
// and no readiness edge is lost). poll over many descriptors uses an epoll
// instance that is itself watched by the poller. The process's shared
// stdin/stdout/stderr are not taken over; they are switched to
// non-blocking mode only for the duration of one attempt.
//
// A Handle belongs to the goroutine that runs its Lua state: it is not safe
// for concurrent use, and this package must never call back into Lua from
// another goroutine. The package must not install signal handlers or reap
// children it did not start; the worker runtime owns process-wide state.
package mbio
