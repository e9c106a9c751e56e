package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(i + 1)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50}, {90, 90}, {99, 99}, {100, 100}, {0, 1}, {0.5, 1}} {
		if got := percentile(d, c.p); got != c.want {
			t.Errorf("percentile(1..100, %g) = %d, want %d", c.p, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("percentile of one value = %d, want 7", got)
	}
}

func TestParseFlagsRejectsBadValues(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-body", "b.json", "-connections", "0"},
		{"-body", "b.json", "-duration", "0s"},
		{"-body", "b.json", "-warmup", "-1s"},
		{"-body", "b.json", "extra"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted bad flags", args)
		}
	}
	cfg, err := parseFlags([]string{"-body", "b.json", "-connections", "3", "-duration", "2s"})
	if err != nil || cfg.connections != 3 || cfg.duration != 2*time.Second || cfg.bodyPath != "b.json" {
		t.Errorf("parseFlags: %+v, %v", cfg, err)
	}
}

func TestRunCountsRequestsErrorsAndConnections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) == "bad" {
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, `[{"p":0.5}]`)
	}))
	defer srv.Close()
	cfg := config{url: srv.URL, contentType: "application/json", connections: 2, duration: 200 * time.Millisecond,
		warmup: 20 * time.Millisecond, timeout: 5 * time.Second}
	r := run(cfg, []byte("[]"))
	if r.Requests == 0 || r.Errors != 0 || r.ConnectionsOpened > 2 || r.LatencyMs.P99 <= 0 ||
		r.LatencyMs.P50 > r.LatencyMs.P99 || r.LatencyMs.P99 > r.LatencyMs.Max {
		t.Errorf("good requests: %+v", r)
	}
	if r.BytesRead != int64(r.Requests*len(`[{"p":0.5}]`)) {
		t.Errorf("bytes read %d for %d requests", r.BytesRead, r.Requests)
	}
	r = run(cfg, []byte("bad"))
	if r.Requests != 0 || r.Errors == 0 || r.FirstError != "status 400" {
		t.Errorf("bad requests: %+v", r)
	}
}
