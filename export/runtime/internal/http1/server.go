package http1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is a request with its whole body.
type Request struct {
	Method string
	// Path is the request target's path ("/predict"), without its query.
	Path   string
	Header textproto.MIMEHeader
	Body   []byte

	http10 bool
}

// Response is a handler's answer. The server adds Content-Length, and
// leaves the body out for a HEAD request.
type Response struct {
	Status      int
	ContentType string
	// Allow lists the methods a 405 answer allows.
	Allow string
	Body  []byte
}

// Server serves HTTP/1.1 with Handler. Handler, Fail and MaxBodyBytes
// must be set; a zero MaxHeaderBytes or timeout means none.
type Server struct {
	// Handler answers each well-formed request; a panic in it is answered
	// by Fail with status 500, and the server goes on.
	Handler func(*Request) Response
	// Fail answers a request the server rejects itself (malformed, too
	// large, a panicking handler), with its status and a message.
	Fail func(status int, msg string) Response

	MaxHeaderBytes int   // request line and headers, about
	MaxBodyBytes   int64 // a larger body gets 413 and the connection closes
	// ReadTimeout bounds reading a request; WriteTimeout reading,
	// handling and answering it; IdleTimeout the wait for the next
	// request on a kept-alive connection.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration

	mu      sync.Mutex
	ln      net.Listener
	conns   map[net.Conn]bool // true while a request is in progress
	closing bool
	wg      sync.WaitGroup // the connections' goroutines
}

// ErrServerClosed is what Serve returns after Shutdown.
var ErrServerClosed = errors.New("http1: server closed")

// Serve accepts connections on ln and serves each on a goroutine of its
// own until Shutdown, when it returns ErrServerClosed; it returns any
// other error of ln's Accept, and fails when the server lacks a handler
// or a body limit. It closes ln.
func (s *Server) Serve(ln net.Listener) error {
	if s.Handler == nil || s.Fail == nil || s.MaxBodyBytes <= 0 {
		ln.Close()
		return errors.New("http1: a server needs Handler, Fail and a positive MaxBodyBytes")
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.ln = ln
	if s.conns == nil {
		s.conns = map[net.Conn]bool{}
	}
	s.mu.Unlock()
	defer ln.Close()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and the like: wait, as the
				// condition may pass.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			c.Close()
			return ErrServerClosed
		}
		s.conns[c] = false
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

// Shutdown stops accepting connections, closes idle ones, and waits for
// requests in progress to be answered, or for ctx to end, when it closes
// the rest and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	if s.ln != nil {
		s.ln.Close()
	}
	for c, busy := range s.conns {
		if !busy {
			c.Close()
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// setBusy marks c busy or idle, reporting false when the server is
// shutting down and c should close instead.
func (s *Server) setBusy(c net.Conn, busy bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = busy
	return true
}

// limitReader reads from r until n bytes are read, then reports
// errTooLarge: the header limit, reset for each request.
type limitReader struct {
	r io.Reader
	n int64
}

var errTooLarge = errors.New("too large")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// deadline is d from now, or none for d of zero.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// serveConn answers c's requests in turn until the client or a failed
// request closes it, or the server shuts down.
func (s *Server) serveConn(c net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
		s.wg.Done()
	}()
	lr := &limitReader{r: c}
	br := bufio.NewReaderSize(lr, 4<<10)
	bw := bufio.NewWriterSize(c, 4<<10)
	for first := true; ; first = false {
		wait := s.IdleTimeout
		if first {
			wait = s.ReadTimeout
		}
		lr.n = math.MaxInt64
		c.SetReadDeadline(deadline(wait))
		if _, err := br.Peek(1); err != nil || !s.setBusy(c, true) {
			return
		}
		c.SetReadDeadline(deadline(s.ReadTimeout))
		c.SetWriteDeadline(deadline(s.WriteTimeout))
		lr.n = int64(s.MaxHeaderBytes)
		if s.MaxHeaderBytes <= 0 {
			lr.n = math.MaxInt64
		}
		req, keep, resp := s.readRequest(br, bw, lr)
		if resp == nil {
			r := s.handle(req)
			resp = &r
		}
		head := req != nil && req.Method == "HEAD"
		if err := writeResponse(bw, resp, head, keep, req != nil && req.http10); err != nil {
			return
		}
		if !keep {
			lingeringClose(c)
			return
		}
		if !s.setBusy(c, false) {
			return
		}
	}
}

// lingeringClose ends c's sending and reads what the client still sends
// (a body the server refused, say) for a while before c closes: closing
// with unread data resets the connection, and a client still sending
// would lose the answer.
func lingeringClose(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(time.Second))
	io.CopyN(io.Discard, c, 64<<20)
}

// handle runs the handler, answering a panic with 500.
func (s *Server) handle(req *Request) (resp Response) {
	defer func() {
		if v := recover(); v != nil {
			resp = s.Fail(500, fmt.Sprintf("internal error: %v", v))
		}
	}()
	return s.Handler(req)
}

// readRequest reads a request from br. It returns the request and
// whether the connection may serve another, or the answer to a request
// the server rejects (with the request when its line was read).
func (s *Server) readRequest(br *bufio.Reader, bw *bufio.Writer, lr *limitReader) (*Request, bool, *Response) {
	fail := func(req *Request, status int, msg string) (*Request, bool, *Response) {
		r := s.Fail(status, msg)
		return req, false, &r
	}
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return fail(nil, 431, "request line too large")
		}
		return fail(nil, 400, "malformed request line")
	}
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || method == "" || strings.ContainsAny(method, "\t") {
		return fail(nil, 400, fmt.Sprintf("malformed request line %q", line))
	}
	var keep bool
	switch proto {
	case "HTTP/1.1":
		keep = true
	case "HTTP/1.0":
	default:
		return fail(nil, 505, fmt.Sprintf("unsupported protocol %q; use HTTP/1.1", proto))
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return fail(nil, 400, fmt.Sprintf("malformed request target %q", target))
	}
	req := &Request{Method: method, Path: u.Path, http10: proto == "HTTP/1.0"}
	req.Header, err = tp.ReadMIMEHeader()
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return fail(req, 431, "request headers too large")
		}
		return fail(req, 400, "malformed request headers")
	}
	lr.n = math.MaxInt64
	for _, v := range req.Header.Values("Connection") {
		for _, opt := range strings.Split(v, ",") {
			switch strings.ToLower(strings.TrimSpace(opt)) {
			case "close":
				keep = false
			case "keep-alive":
				keep = keep || proto == "HTTP/1.0"
			}
		}
	}

	te := req.Header.Values("Transfer-Encoding")
	cl := req.Header.Values("Content-Length")
	switch {
	case len(te) > 0 && len(cl) > 0:
		return fail(req, 400, "a request may not have both Transfer-Encoding and Content-Length")
	case len(te) > 0:
		if len(te) != 1 || !strings.EqualFold(strings.TrimSpace(te[0]), "chunked") {
			return fail(req, 501, fmt.Sprintf("unsupported Transfer-Encoding %q", strings.Join(te, ", ")))
		}
		if err = continue100(req, bw); err == nil {
			req.Body, err = readChunked(br, s.MaxBodyBytes)
		}
	case len(cl) > 0:
		n, perr := strconv.ParseInt(cl[0], 10, 64)
		for _, v := range cl[1:] {
			if v != cl[0] {
				perr = errors.New("differ")
			}
		}
		if perr != nil || n < 0 || strings.HasPrefix(cl[0], "+") {
			return fail(req, 400, fmt.Sprintf("malformed Content-Length %q", strings.Join(cl, ", ")))
		}
		if n > s.MaxBodyBytes {
			return fail(req, 413, fmt.Sprintf("request body is larger than %d bytes", s.MaxBodyBytes))
		}
		if err = continue100(req, bw); err == nil {
			req.Body = make([]byte, n)
			_, err = io.ReadFull(br, req.Body)
		}
	}
	switch {
	case errors.Is(err, errTooLarge):
		return fail(req, 413, fmt.Sprintf("request body is larger than %d bytes", s.MaxBodyBytes))
	case err != nil:
		return fail(req, 400, fmt.Sprintf("reading body: %v", err))
	}
	return req, keep, nil
}

// continue100 tells a client that waits for it to send the body.
func continue100(req *Request, bw *bufio.Writer) error {
	if !strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
		return nil
	}
	bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
	return bw.Flush()
}

// readChunked reads a chunked body of at most limit bytes, and its
// trailer, which it drops.
func readChunked(br *bufio.Reader, limit int64) ([]byte, error) {
	var body []byte
	tp := textproto.NewReader(br)
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return nil, err
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseUint(strings.TrimSpace(size), 16, 63)
		if err != nil {
			return nil, fmt.Errorf("malformed chunk size %q", line)
		}
		if n == 0 {
			if _, err := tp.ReadMIMEHeader(); err != nil {
				return nil, fmt.Errorf("malformed trailer: %v", err)
			}
			return body, nil
		}
		if int64(len(body))+int64(n) > limit {
			return nil, errTooLarge
		}
		start := len(body)
		body = append(body, make([]byte, n)...)
		if _, err := io.ReadFull(br, body[start:]); err != nil {
			return nil, err
		}
		if crlf, err := tp.ReadLine(); err != nil || crlf != "" {
			return nil, errors.New("malformed chunk: no CRLF after its data")
		}
	}
}

// reasons are the reason phrases of the statuses the server answers.
var reasons = map[int]string{
	100: "Continue", 200: "OK", 400: "Bad Request", 404: "Not Found",
	405: "Method Not Allowed", 413: "Content Too Large", 431: "Request Header Fields Too Large",
	500: "Internal Server Error", 501: "Not Implemented", 505: "HTTP Version Not Supported",
}

// writeResponse writes resp, without its body for a HEAD request, and
// tells the client whether the connection stays open: an HTTP/1.0 client
// assumes not unless told.
func writeResponse(bw *bufio.Writer, resp *Response, head, keep, http10 bool) error {
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", resp.Status, reasons[resp.Status])
	if resp.ContentType != "" {
		fmt.Fprintf(bw, "Content-Type: %s\r\n", resp.ContentType)
	}
	if resp.Allow != "" {
		fmt.Fprintf(bw, "Allow: %s\r\n", resp.Allow)
	}
	switch {
	case !keep:
		bw.WriteString("Connection: close\r\n")
	case http10:
		bw.WriteString("Connection: keep-alive\r\n")
	}
	fmt.Fprintf(bw, "Content-Length: %d\r\n\r\n", len(resp.Body))
	if !head {
		bw.Write(resp.Body)
	}
	return bw.Flush()
}
