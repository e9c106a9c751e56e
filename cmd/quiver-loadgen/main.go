// Command quiver-loadgen is the HTTP load generator of quiver's benchmarks:
// it sends one fixed request body to a URL from a number of concurrent
// workers for a fixed duration and reports throughput and latency as JSON.
//
// Each worker holds one keep-alive connection and sends its next request as
// soon as it has read the previous answer in full, so the load is closed
// loop: the request rate is what the server sustains at that concurrency.
// Requests that end during the warm-up are not counted.
//
// Usage:
//
//	quiver-loadgen -url http://127.0.0.1:8080/predict -body rows.json \
//	    -connections 8 -duration 5s -warmup 500ms
//
// It writes one JSON object to standard output:
//
//	{"url": ..., "connections": 8, "duration_seconds": 5.0, "warmup_seconds": 0.5,
//	 "requests": N, "errors": 0, "first_error": "", "connections_opened": 8,
//	 "bytes_read": ..., "requests_per_second": ...,
//	 "latency_ms": {"mean": ..., "p50": ..., "p90": ..., "p99": ..., "max": ...}}
//
// A request is an error when it fails or its status is not 200; errors are
// counted, not timed. The command exits with status 1 when no request
// succeeded, 2 on bad flags.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// config holds the command's flags.
type config struct {
	url         string
	bodyPath    string
	contentType string
	connections int
	duration    time.Duration
	warmup      time.Duration
	timeout     time.Duration
}

// report is what the command prints.
type report struct {
	URL               string  `json:"url"`
	Connections       int     `json:"connections"`
	DurationSeconds   float64 `json:"duration_seconds"`
	WarmupSeconds     float64 `json:"warmup_seconds"`
	Requests          int     `json:"requests"`
	Errors            int     `json:"errors"`
	FirstError        string  `json:"first_error"`
	ConnectionsOpened int64   `json:"connections_opened"`
	BytesRead         int64   `json:"bytes_read"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	LatencyMs         latency `json:"latency_ms"`
}

// latency summarises the successful requests' latencies, in milliseconds.
type latency struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// worker is what one worker measured during the counted window.
type worker struct {
	latencies  []time.Duration
	errors     int
	firstError string
	bytesRead  int64
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "quiver-loadgen:", err)
		os.Exit(2)
	}
	body, err := os.ReadFile(cfg.bodyPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quiver-loadgen:", err)
		os.Exit(2)
	}
	r := run(cfg, body)
	out, err := json.Marshal(r)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quiver-loadgen:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
	if r.Requests == 0 {
		fmt.Fprintln(os.Stderr, "quiver-loadgen: no request succeeded:", r.FirstError)
		os.Exit(1)
	}
}

// parseFlags reads the command line.
func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("quiver-loadgen", flag.ContinueOnError)
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:8080/predict", "the URL to POST to")
	fs.StringVar(&cfg.bodyPath, "body", "", "file holding the request body, sent as is (required)")
	fs.StringVar(&cfg.contentType, "content-type", "application/json", "the requests' Content-Type")
	fs.IntVar(&cfg.connections, "connections", 8, "concurrent workers, one keep-alive connection each")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "how long to measure, after the warm-up")
	fs.DurationVar(&cfg.warmup, "warmup", 500*time.Millisecond, "how long to send requests before measuring")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "the limit of one request")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	case cfg.bodyPath == "":
		return cfg, fmt.Errorf("-body is required")
	case cfg.connections < 1:
		return cfg, fmt.Errorf("-connections must be at least 1, got %d", cfg.connections)
	case cfg.duration <= 0:
		return cfg, fmt.Errorf("-duration must be positive, got %s", cfg.duration)
	case cfg.warmup < 0:
		return cfg, fmt.Errorf("-warmup must not be negative, got %s", cfg.warmup)
	}
	return cfg, nil
}

// run drives the load and summarises it.
func run(cfg config, body []byte) report {
	var opened atomic.Int64
	dialer := &net.Dialer{Timeout: cfg.timeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			opened.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        cfg.connections,
		MaxIdleConnsPerHost: cfg.connections,
		MaxConnsPerHost:     cfg.connections,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: cfg.timeout}

	start := time.Now()
	countFrom := start.Add(cfg.warmup)
	stop := countFrom.Add(cfg.duration)
	workers := make([]worker, cfg.connections)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			w.loop(client, cfg, body, countFrom, stop)
		}(&workers[i])
	}
	wg.Wait()

	r := report{URL: cfg.url, Connections: cfg.connections, DurationSeconds: cfg.duration.Seconds(),
		WarmupSeconds: cfg.warmup.Seconds(), ConnectionsOpened: opened.Load()}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.latencies...)
		r.Errors += w.errors
		r.BytesRead += w.bytesRead
		if r.FirstError == "" {
			r.FirstError = w.firstError
		}
	}
	r.Requests = len(all)
	r.RequestsPerSecond = float64(len(all)) / cfg.duration.Seconds()
	r.LatencyMs = summarise(all)
	return r
}

// loop sends requests until stop, recording those that end in
// [countFrom, stop).
func (w *worker) loop(client *http.Client, cfg config, body []byte, countFrom, stop time.Time) {
	for {
		began := time.Now()
		if !began.Before(stop) {
			return
		}
		n, err := send(client, cfg, body)
		ended := time.Now()
		if ended.Before(countFrom) || !ended.Before(stop) {
			continue
		}
		if err != nil {
			w.errors++
			if w.firstError == "" {
				w.firstError = err.Error()
			}
			continue
		}
		w.latencies = append(w.latencies, ended.Sub(began))
		w.bytesRead += n
	}
}

// send makes one request and reads its answer in full, so that the
// connection goes back to the pool; it returns the answer's length.
func send(client *http.Client, cfg config, body []byte) (int64, error) {
	req, err := http.NewRequest(http.MethodPost, cfg.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", cfg.contentType)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return n, err
	}
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("status %d", resp.StatusCode)
	}
	return n, nil
}

// summarise returns the mean, percentiles (nearest rank) and maximum of the
// latencies in milliseconds; all zero when there are none. It sorts d.
func summarise(d []time.Duration) latency {
	if len(d) == 0 {
		return latency{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	ms := func(v time.Duration) float64 { return float64(v) / float64(time.Millisecond) }
	return latency{
		Mean: ms(sum) / float64(len(d)),
		P50:  ms(percentile(d, 50)),
		P90:  ms(percentile(d, 90)),
		P99:  ms(percentile(d, 99)),
		Max:  ms(d[len(d)-1]),
	}
}

// percentile returns the nearest-rank p-th percentile of sorted, non-empty d:
// the smallest value with at least p percent of the values at or below it.
func percentile(d []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(float64(len(d))*p/100)) - 1
	return d[max(0, min(rank, len(d)-1))]
}
