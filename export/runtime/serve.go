//go:build !wasip1 && !noserve

package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/quiver-ml/quiver/export/runtime/internal/http1"
	"github.com/quiver-ml/quiver/export/runtime/internal/ipc"
)

// arrowStream is the media type of the Arrow IPC stream format.
const arrowStream = "application/vnd.apache.arrow.stream"

// DefaultMaxBodyBytes is the request size limit of serve when none is
// given.
const DefaultMaxBodyBytes = 32 << 20

// ServeConfig holds Serve's limits; a zero field takes its default.
type ServeConfig struct {
	// MaxBodyBytes is the largest request body accepted
	// (DefaultMaxBodyBytes by default); a larger one gets 413.
	MaxBodyBytes int64
	// ReadTimeout bounds reading a request (30 s by default);
	// WriteTimeout reading, scoring and answering it (60 s).
	ReadTimeout, WriteTimeout time.Duration
}

// Serve answers the scorer's HTTP API on ln until ctx is done, then stops
// accepting connections and lets requests in progress finish, for at
// most the write timeout plus five seconds. It logs the address it
// listens on to logw. The API:
//
//   - POST /predict with a JSON body, an array of row objects or
//     {"rows": [...]}, answers a JSON array of objects of the outputs (a
//     label as its typed value, null for NaN); with Content-Type
//     application/vnd.apache.arrow.stream it reads an Arrow IPC stream
//     and answers one, the input's columns followed by the outputs. Any
//     other Content-Type is read as JSON.
//   - GET /health answers {"status": "ok"}.
//   - GET /schema answers the inputs and outputs (SchemaJSON).
//   - GET /metadata answers Scorer.Metadata.
//
// A body over the size limit gets 413; malformed JSON, a missing column,
// a value of the wrong type or input the model rejects get 400; a wrong
// method 405; all with a JSON body {"error": "..."}. A panic while
// serving a request gets 500 and leaves the server running. Unseen
// categories are scored, not errors. Serve fails when the scorer is
// malformed or ln fails.
func (s *Scorer) Serve(ctx context.Context, ln net.Listener, c ServeConfig, logw io.Writer) error {
	if _, err := s.prepare(); err != nil {
		ln.Close()
		return err
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 60 * time.Second
	}
	srv := &http1.Server{
		Handler:        s.answer,
		Fail:           failure,
		MaxHeaderBytes: 1 << 16,
		MaxBodyBytes:   c.MaxBodyBytes,
		ReadTimeout:    c.ReadTimeout,
		WriteTimeout:   c.WriteTimeout,
		IdleTimeout:    2 * time.Minute,
	}
	fmt.Fprintf(logw, "%s: serving on %s\n", s.Name, ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), c.WriteTimeout+5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serr := <-served; serr != nil && serr != http1.ErrServerClosed && err == nil {
		err = serr
	}
	fmt.Fprintf(logw, "%s: stopped\n", s.Name)
	return err
}

// answer routes a request to its endpoint.
func (s *Scorer) answer(r *http1.Request) http1.Response {
	get := func(body []byte) http1.Response {
		if r.Method != "GET" && r.Method != "HEAD" {
			resp := failure(405, fmt.Sprintf("%s %s: use GET", r.Method, r.Path))
			resp.Allow = "GET, HEAD"
			return resp
		}
		return http1.Response{Status: 200, ContentType: "application/json", Body: append(body, '\n')}
	}
	switch r.Path {
	case "/health":
		return get([]byte(`{"status":"ok"}`))
	case "/schema":
		return get(s.SchemaJSON())
	case "/metadata":
		return get(bytes.Clone(s.MetadataJSON()))
	case "/predict":
		if r.Method != "POST" {
			resp := failure(405, fmt.Sprintf("%s /predict: use POST", r.Method))
			resp.Allow = "POST"
			return resp
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == arrowStream {
			return s.predictArrow(r.Body)
		}
		return s.predictJSON(r.Body)
	}
	return failure(404, fmt.Sprintf("no such endpoint %s; see /predict, /health, /schema, /metadata", r.Path))
}

// failure answers status with {"error": msg}.
func failure(status int, msg string) http1.Response {
	return http1.Response{Status: status, ContentType: "application/json", Body: append(errorJSON(msg), '\n')}
}

// statusOf is the HTTP status for a scoring error: 500 for a model's
// panic or a malformed scorer, 400 for everything the client can fix.
func statusOf(err error) int {
	var pe *PanicError
	if errors.As(err, &pe) {
		return 500
	}
	return 400
}

// predictJSON answers JSON rows with their outputs.
func (s *Scorer) predictJSON(body []byte) http1.Response {
	b, err := s.BatchFromJSON(body)
	if err != nil {
		return failure(statusOf(err), err.Error())
	}
	res, err := s.ScoreBatch(b)
	if err != nil {
		return failure(statusOf(err), err.Error())
	}
	out, err := s.AppendJSON(make([]byte, 0, 64*res.N+2), res)
	if err != nil {
		return failure(500, err.Error())
	}
	return http1.Response{Status: 200, ContentType: "application/json", Body: append(out, '\n')}
}

// predictArrow answers an Arrow IPC stream body with the scored stream,
// built in memory first so that an error in any batch is a clean 400.
func (s *Scorer) predictArrow(body []byte) http1.Response {
	rd, err := ipc.NewReader(bytes.NewReader(body))
	if err != nil {
		return failure(400, fmt.Sprintf("reading Arrow IPC stream: %v", err))
	}
	schema, err := s.OutputSchema(rd.Schema())
	if err != nil {
		return failure(500, err.Error())
	}
	var out bytes.Buffer
	wr, err := ipc.NewWriter(&out, schema)
	if err != nil {
		return failure(500, err.Error())
	}
	first := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return failure(400, fmt.Sprintf("reading Arrow IPC stream: %v", err))
		}
		scored, err := s.PredictRecord(rec)
		if err != nil {
			return failure(statusOf(err), fmt.Sprintf("rows %d to %d: %v", first, first+rec.Len-1, err))
		}
		first += rec.Len
		if err := wr.Write(scored); err != nil {
			return failure(500, err.Error())
		}
	}
	if err := wr.Close(); err != nil {
		return failure(500, err.Error())
	}
	return http1.Response{Status: 200, ContentType: arrowStream, Body: out.Bytes()}
}

// serveCommand implements serve: it listens until SIGINT or SIGTERM.
func (s *Scorer) serveCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [--addr :8080] [--max-body-bytes N] [--read-timeout D] [--write-timeout D]", stdout)
	addr := fs.String("addr", ":8080", "address to listen on")
	maxBody := fs.Int64("max-body-bytes", DefaultMaxBodyBytes, "largest request body accepted; larger ones get 413")
	readTimeout := fs.Duration("read-timeout", 30*time.Second, "time allowed to read a request")
	writeTimeout := fs.Duration("write-timeout", 60*time.Second, "time allowed to read, score and answer a request")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *maxBody < 1 {
		return usageError{"serve: --max-body-bytes must be positive"}
	}
	if _, err := s.prepare(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return s.Serve(ctx, ln, ServeConfig{MaxBodyBytes: *maxBody, ReadTimeout: *readTimeout, WriteTimeout: *writeTimeout}, stderr)
}
