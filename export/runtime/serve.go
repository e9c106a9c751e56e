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
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// arrowStream is the media type of the Arrow IPC stream format.
const arrowStream = "application/vnd.apache.arrow.stream"

// DefaultMaxBodyBytes is the request size limit of serve and Handler
// when none is given.
const DefaultMaxBodyBytes = 32 << 20

// Handler returns the scorer's HTTP API:
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
// A body over maxBodyBytes (DefaultMaxBodyBytes when not positive) gets
// 413; malformed JSON, a missing column, a value of the wrong type or
// input the model rejects get 400; a wrong method 405; all with a JSON
// body {"error": "..."}. A panic while serving a request gets 500 and
// leaves the server running. Unseen categories are scored, not errors.
func (s *Scorer) Handler(maxBodyBytes int64) http.Handler {
	if maxBodyBytes <= 0 {
		maxBodyBytes = DefaultMaxBodyBytes
	}
	mux := http.NewServeMux()
	get := func(body func() []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				httpError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use GET", r.Method, r.URL.Path))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(append(body(), '\n'))
		}
	}
	mux.Handle("/health", get(func() []byte { return []byte(`{"status":"ok"}`) }))
	mux.Handle("/schema", get(s.SchemaJSON))
	mux.Handle("/metadata", get(s.MetadataJSON))
	mux.HandleFunc("/predict", func(w http.ResponseWriter, r *http.Request) {
		s.servePredict(w, r, maxBodyBytes)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %s; see /predict, /health, /schema, /metadata", r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				httpError(w, http.StatusInternalServerError, fmt.Sprintf("internal error: %v", v))
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// httpError answers status with {"error": msg}.
func httpError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	w.Write(append(errorJSON(msg), '\n'))
}

// statusOf is the HTTP status for a scoring error: 500 for a model's
// panic or a malformed scorer, 400 for everything the client can fix.
func statusOf(err error) int {
	var pe *PanicError
	if errors.As(err, &pe) {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

func (s *Scorer) servePredict(w http.ResponseWriter, r *http.Request, maxBodyBytes int64) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		httpError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s /predict: use POST", r.Method))
		return
	}
	if _, err := s.prepare(); err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	// The whole body is read first, within the limit, so that a body
	// too large is told apart from a malformed one.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit))
			return
		}
		httpError(w, http.StatusBadRequest, fmt.Sprintf("reading body: %v", err))
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == arrowStream {
		s.predictArrow(w, body)
		return
	}
	rows, err := ParseRows(body)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := s.scoreRows(rows)
	if err != nil {
		httpError(w, statusOf(err), err.Error())
		return
	}
	out, err := s.AppendJSON(make([]byte, 0, 64*res.N+2), res)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(out, '\n'))
}

func (s *Scorer) scoreRows(rows []Row) (*Result, error) {
	b, err := s.BatchFromRows(rows)
	if err != nil {
		return nil, err
	}
	return s.ScoreBatch(b)
}

// predictArrow answers an Arrow IPC stream body with the scored stream,
// built in memory first so that an error in any batch is a clean 400.
func (s *Scorer) predictArrow(w http.ResponseWriter, body []byte) {
	rd, err := ipc.NewReader(bytes.NewReader(body), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("reading Arrow IPC stream: %v", err))
		return
	}
	defer rd.Release()
	schema, err := s.OutputSchema(rd.Schema())
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	var out bytes.Buffer
	wr := ipc.NewWriter(&out, ipc.WithSchema(schema), ipc.WithAllocator(memory.DefaultAllocator))
	var first int64
	for rd.Next() {
		rec := rd.Record()
		scored, err := s.PredictRecord(rec)
		if err != nil {
			httpError(w, statusOf(err), fmt.Sprintf("rows %d to %d: %v", first, first+rec.NumRows()-1, err))
			return
		}
		first += rec.NumRows()
		err = wr.Write(scored)
		scored.Release()
		if err != nil {
			httpError(w, http.StatusInternalServerError, err.Error())
			return
		}
	}
	if err := rd.Err(); err != nil && err != io.EOF {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("reading Arrow IPC stream: %v", err))
		return
	}
	if err := wr.Close(); err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", arrowStream)
	w.Write(out.Bytes())
}

// serveCommand implements serve: it listens until SIGINT or SIGTERM, then
// stops accepting connections and lets requests in progress finish (for
// at most the write timeout plus five seconds).
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return s.serve(ctx, *addr, *maxBody, *readTimeout, *writeTimeout, stderr)
}

// serve serves the Handler on addr until ctx is done, then shuts down
// gracefully. It logs the address it listens on to logw.
func (s *Scorer) serve(ctx context.Context, addr string, maxBody int64, readTimeout, writeTimeout time.Duration, logw io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.Handler(maxBody),
		ReadTimeout:       readTimeout,
		ReadHeaderTimeout: min(readTimeout, 10*time.Second),
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 16,
	}
	fmt.Fprintf(logw, "%s: serving on %s\n", s.Name, ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), writeTimeout+5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if serr := <-served; serr != nil && serr != http.ErrServerClosed && err == nil {
		err = serr
	}
	fmt.Fprintf(logw, "%s: stopped\n", s.Name)
	return err
}
