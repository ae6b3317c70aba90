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
//
// # Decisions where the original's behaviour is not specified
//
//   - Params tables (get_params, post_params, cookies, ...) are plain Lua
//     tables filled when first read, so pairs() and next() work on them
//     without __pairs support.
//   - Indexing a *_list table (get_params_list, post_params_list,
//     post_metadata_list) with an unknown name returns a fresh empty list;
//     the list is not stored, so it never shows up in pairs().
//   - request.headers keys are the lower-cased header names; indexing with
//     any spelling finds the same list. headers_flags tokens are
//     lower-cased too and absent tokens read as false.
//   - A handler that returns without having sent a status gets a
//     "500 Internal Server Error" answer and the connect call raises an
//     error ("request handler returned without sending a response
//     status"), which ends the worker like any handler error. A handler
//     error answers 500 first when no status was sent yet, then closes.
//   - A request body that is not a form (or has no Content-Type) is
//     drained after the response unless the application read it
//     (request.body, stream_request_body, ...). Only reading post_params
//     (or the other post_* fields) on such a body answers 415.
//   - Protocol errors (400, 408, 413, 414, 415, 417, 431, 505) are answered
//     as plain text with Connection: close, then the rest of the input is
//     drained for at most drain_timeout before the socket is closed.
//   - Between two requests of a persistent connection the engine waits for
//     idle_timeout (408 when it runs out) and also wakes up when the worker
//     is told to terminate (SIGTERM): the connection is then closed without
//     an answer. A response started after SIGTERM says Connection: close and
//     no further request is read from that connection.
//   - Every wait for the client, reading or writing, is bounded by
//     stall_timeout: a client that accepts no response data for that long
//     gets its connection reset and the connect call fails with an error.
//   - Response bytes are collected in the engine and handed to the socket
//     handle at the latest when the response ends, on request:flush() and on
//     request:finish_headers(), so one response usually leaves in one write.
//     An application that writes to request.socket itself must call
//     request:flush() (or finish_headers()) first to keep the order.
//   - The engine's state for a connection (request metatables, buffers) is
//     reused by the next connect call of the same handler in the same Lua
//     state. On a request object of an earlier request or connection,
//     fields not read before are nil and method calls raise an error.
//     The basic fields (socket, method, host, path, query) are served from
//     the connection while the request is current and copied into the
//     object when its request ends if Lua read or stored any field of it;
//     only an object Lua never looked into reads them as nil afterwards.
package mbhttp
