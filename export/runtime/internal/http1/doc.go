// Package http1 is a small HTTP/1.1 server for a scorer's serve command:
// requests whose bodies are read whole within a limit, answered whole,
// over persistent connections.
//
// The standard library's server brings TLS, HTTP/2 and a client with it,
// some 3.5 MB of every scorer executable; a scorer needs none of them.
// What it does need is here: Content-Length and chunked request bodies,
// Expect: 100-continue, keep-alive and pipelined requests, limits on the
// header and body sizes, read, write and idle timeouts, and a graceful
// shutdown that lets requests in progress finish.
package http1
