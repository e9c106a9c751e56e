package runtime

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// chunkJob is one chunk of the input on its way through the pipeline.
type chunkJob struct {
	first int64 // index of the chunk's first row in the input
	rec   *columnar.Record
	done  chan chunkResult // buffered 1: whoever finishes it never blocks
}

type chunkResult struct {
	out *columnar.Record
	err error
}

// errAborted marks chunks dropped because an earlier one failed.
var errAborted = errors.New("aborted")

// predictChunks scores src's records on up to threads goroutines and
// hands the outputs to sink in input order, holding at most about
// 2·threads chunks in memory at once. It returns the first error: from
// reading, scoring (a panic included) or sink, whose row range it names.
// All goroutines it starts have ended when it returns.
func (s *Scorer) predictChunks(src recordSource, sink func(*columnar.Record) error, threads int) error {
	threads = max(threads, 1)
	var (
		jobs  = make(chan *chunkJob)
		order = make(chan *chunkJob, threads) // bounds chunks in flight
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)

	// The reader sends each chunk first to order, so the writer sees
	// chunks in input order, then to a worker.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		var first int64
		for {
			rec, err := safeNext(src)
			if err == io.EOF {
				return
			}
			j := &chunkJob{first: first, rec: rec, done: make(chan chunkResult, 1)}
			if err != nil {
				j.done <- chunkResult{err: fmt.Errorf("reading input after row %d: %w", first, err)}
			}
			select {
			case order <- j:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
			first += int64(rec.Len)
			select {
			case jobs <- j:
			case <-stop:
				j.done <- chunkResult{err: errAborted}
				return
			}
		}
	}()

	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				select {
				case <-stop:
					j.done <- chunkResult{err: errAborted}
					continue
				default:
				}
				out, err := s.predictChunk(j.rec)
				if err != nil {
					err = fmt.Errorf("rows %d to %d: %w", j.first, j.first+int64(j.rec.Len)-1, err)
				}
				j.done <- chunkResult{out, err}
			}
		}()
	}

	var err error
	for j := range order {
		r := <-j.done
		if err == nil {
			err = r.err
			if err == nil {
				err = sink(r.out)
			}
			if err != nil {
				close(stop)
			}
		}
	}
	wg.Wait()
	return err
}

// safeNext is src.Next with a panic turned into an error: the readers
// should fail cleanly on corrupt input, and a bug in one must not crash
// the scorer.
func safeNext(src recordSource) (rec *columnar.Record, err error) {
	defer func() {
		if v := recover(); v != nil {
			rec, err = nil, fmt.Errorf("reader panicked: %v", v)
		}
	}()
	return src.Next()
}

// predictChunk is PredictRecord with a panic anywhere (conversion
// included) turned into an error.
func (s *Scorer) predictChunk(rec *columnar.Record) (out *columnar.Record, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, &PanicError{Value: v}
		}
	}()
	return s.PredictRecord(rec)
}
