// Package mbhttp implements the moonbridge_http Lua module (API.md §5): it
// turns a Lua request handler into a connect function that serves
// HTTP/1.1 on a moonbridge_io socket, with persistent connections,
// pipelining, chunked bodies, urlencoded and multipart forms and the
// limits and timeouts of the original Moonbridge module.
//
// The protocol work (request line, header section, chunked framing, form
// parsing, response framing) is done in Go; Lua code only sees the request
// object of API.md. The package does not own the socket's lifetime beyond
// one connect call, never starts goroutines, and must not keep Lua values
// across Lua states.
package mbhttp
