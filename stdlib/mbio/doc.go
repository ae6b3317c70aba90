// Package mbio implements the moonbridge_io Lua module (API.md §4): buffered
// handles for sockets, pipes and stdio with blocking, non-blocking (_nb),
// callback (_call) and coroutine (_yield) forms, poll, client and listening
// sockets, child processes and TLS.
//
// All I/O runs on raw non-blocking file descriptors with the package's own
// buffers and ppoll(2); it does not use Go's network poller, so that every
// form of every method shares one code path. A Handle belongs to the
// goroutine that runs its Lua state: it is not safe for concurrent use, and
// this package must never call back into Lua from another goroutine.
// The package must not install signal handlers or reap children it did not
// start; the worker runtime owns process-wide state.
package mbio
