package http1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// echo answers a request with its method, path and body.
func echo(r *Request) Response {
	if r.Path == "/panic" {
		panic("boom")
	}
	return Response{Status: 200, ContentType: "text/plain", Body: []byte(r.Method + " " + r.Path + " " + string(r.Body))}
}

func fail(status int, msg string) Response {
	return Response{Status: status, ContentType: "text/plain", Body: []byte("error: " + msg)}
}

// start serves srv on a loopback port until the test ends and returns
// the address.
func start(t *testing.T, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

func newServer() *Server {
	return &Server{Handler: echo, Fail: fail, MaxHeaderBytes: 1 << 12, MaxBodyBytes: 64, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, IdleTimeout: 2 * time.Second}
}

// exchange sends raw on a new connection, closes its writing half, and
// returns everything the server answers until it closes.
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	out, _ := io.ReadAll(c)
	return string(out)
}

func TestRequests(t *testing.T) {
	addr := start(t, newServer())
	for _, tc := range []struct {
		name, raw string
		want      []string // in order
		not       string
	}{
		{"get", "GET /health?x=1 HTTP/1.1\r\nHost: a\r\n\r\n",
			[]string{"HTTP/1.1 200 OK\r\n", "Content-Length: 12\r\n", "\r\nGET /health "}, "Connection: close"},
		{"pipelined", "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n\r\n",
			[]string{"POST /a abc", "HTTP/1.1 200 OK", "GET /b "}, ""},
		{"head", "HEAD /h HTTP/1.1\r\n\r\n", []string{"Content-Length: 8\r\n\r\n"}, "HEAD /h"},
		{"chunked", "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n",
			[]string{"200 OK", "POST /c abcde"}, ""},
		{"continue", "POST /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
			[]string{"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK", "POST /e hi"}, ""},
		{"length too large", "POST /p HTTP/1.1\r\nContent-Length: 65\r\n\r\n" + strings.Repeat("x", 65),
			[]string{"413 Content Too Large", "Connection: close", "larger than 64 bytes"}, "POST /p"},
		{"chunks too large", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + strings.Repeat("x", 64) + "\r\n1\r\nx\r\n0\r\n\r\n",
			[]string{"413", "larger than 64 bytes"}, "POST /p"},
		{"length and chunked", "POST /p HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", []string{"400 Bad Request", "both"}, ""},
		{"two lengths", "POST /p HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", []string{"400", "malformed Content-Length"}, ""},
		{"negative length", "POST /p HTTP/1.1\r\nContent-Length: -1\r\n\r\n", []string{"400", "malformed Content-Length"}, ""},
		{"gzip", "POST /p HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", []string{"501 Not Implemented"}, ""},
		{"bad chunk", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", []string{"400", "malformed chunk size"}, ""},
		{"short body", "POST /p HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc", []string{"400", "reading body"}, ""},
		{"garbage", "hello\r\n\r\n", []string{"400 Bad Request", "malformed request line"}, ""},
		{"bad target", "GET nope HTTP/1.1\r\n\r\n", []string{"400", "malformed request target"}, ""},
		{"http2", "GET / HTTP/2.0\r\n\r\n", []string{"505"}, ""},
		{"bad header", "GET / HTTP/1.1\r\nno colon here\r\n\r\n", []string{"400", "malformed request headers"}, ""},
		{"header too large", "GET / HTTP/1.1\r\nX: " + strings.Repeat("y", 10000) + "\r\n\r\n", []string{"431"}, ""},
		{"line too large", "GET /" + strings.Repeat("y", 10000) + " HTTP/1.1\r\n\r\n", []string{"431"}, ""},
		{"http/1.0", "GET /old HTTP/1.0\r\n\r\n", []string{"200 OK", "Connection: close", "GET /old"}, ""},
		{"http/1.0 keep-alive", "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n",
			[]string{"Connection: keep-alive", "GET /a", "Connection: close", "GET /b"}, ""},
		{"close", "GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n", []string{"Connection: close", "GET /a"}, "GET /b"},
		{"panic", "GET /panic HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n", []string{"500 Internal Server Error", "internal error: boom", "200 OK", "GET /after"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := exchange(t, addr, tc.raw)
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("answer %q lacks %q (after the earlier parts)", out, w)
				}
				rest = rest[i+len(w):]
			}
			if tc.not != "" && strings.Contains(out, tc.not) {
				t.Errorf("answer %q holds %q", out, tc.not)
			}
		})
	}
}

// TestClient checks the server against the standard library's client:
// keep-alive reuse, concurrent requests, a body of unknown length.
func TestClient(t *testing.T) {
	addr := start(t, newServer())
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	errs := make(chan error, 20)
	for g := range 20 {
		go func() {
			body := io.MultiReader(strings.NewReader(fmt.Sprint(g)), strings.NewReader("!")) // no length: chunked
			resp, err := client.Post("http://"+addr+"/x", "text/plain", body)
			if err != nil {
				errs <- err
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := fmt.Sprintf("POST /x %d!", g); string(b) != want {
				errs <- fmt.Errorf("%q, want %q", b, want)
				return
			}
			errs <- nil
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestShutdown checks that Shutdown closes idle connections at once,
// lets a request in progress finish, and that Serve then returns.
func TestShutdown(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{})
	srv := newServer()
	srv.Handler = func(r *Request) Response {
		if r.Path == "/slow" {
			close(entered)
			<-release
		}
		return echo(r)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /a HTTP/1.1\r\n\r\n")
	idleR := bufio.NewReader(idle)
	resp, err := http.ReadResponse(idleR, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v %v", resp, err)
	}
	io.ReadAll(resp.Body)

	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	io.WriteString(busy, "GET /slow HTTP/1.1\r\n\r\n")
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(context.Background()) }()

	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idleR.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("the idle connection was not closed: %d bytes, %v", n, err)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned %v before the request in progress finished", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	busy.SetReadDeadline(time.Now().Add(5 * time.Second))
	out, _ := io.ReadAll(busy)
	if !strings.Contains(string(out), "GET /slow") {
		t.Errorf("the request in progress got %q", out)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
}

// TestReadTimeout checks that a client that stops halfway through its
// headers is cut off.
func TestReadTimeout(t *testing.T) {
	srv := newServer()
	srv.ReadTimeout = 100 * time.Millisecond
	addr := start(t, srv)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost:")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	out, _ := io.ReadAll(c)
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("the connection stayed open %v", waited)
	}
	if strings.Contains(string(out), "200") {
		t.Errorf("a partial request was answered: %q", out)
	}
}

func TestServeNeedsLimits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Server{Handler: echo, Fail: fail}).Serve(ln); err == nil || !strings.Contains(err.Error(), "MaxBodyBytes") {
		t.Errorf("Serve without a body limit: %v", err)
	}
}

// FuzzReadRequest checks that no input panics the request reader, that
// every input gives a request or an answer, and that a body never
// exceeds the limit.
func FuzzReadRequest(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\n\r\n",
		"POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
		"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
	} {
		f.Add(seed)
	}
	srv := newServer()
	f.Fuzz(func(t *testing.T, raw string) {
		lr := &limitReader{r: strings.NewReader(raw), n: int64(srv.MaxHeaderBytes)}
		req, keep, resp := srv.readRequest(bufio.NewReader(lr), bufio.NewWriter(io.Discard), lr)
		switch {
		case req == nil && resp == nil:
			t.Fatal("neither a request nor an answer")
		case resp != nil && keep:
			t.Error("a rejected request keeps its connection")
		case req != nil && int64(len(req.Body)) > srv.MaxBodyBytes:
			t.Errorf("a body of %d bytes, over the limit", len(req.Body))
		}
	})
}

// TestRefusedBodyStillAnswered sends a body far over the limit in full
// before reading the answer, as simple clients do: the 413 must arrive,
// not a reset connection.
func TestRefusedBodyStillAnswered(t *testing.T) {
	addr := start(t, newServer())
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		body := strings.Repeat("x", 4<<20)
		if _, err := io.WriteString(c, fmt.Sprintf("POST /p HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s", len(body), body)); err != nil {
			t.Fatalf("sending: %v", err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("reading the answer: %v", err)
		}
		if resp.StatusCode != 413 {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
		c.Close()
	}
}
