// Package runtime is what goes inside an exported scorer: the code that
// reads rows, hands them to a compiled model and writes its outputs, for
// every interface of an artifact. It holds no training code and imports
// nothing of the engine or the estimators, so that scorers stay small and
// build for any GOOS/GOARCH.
//
// A generated model provides a Scorer: its input and output columns and a
// Score function over columnar batches (numbers as float64 with NaN for
// missing, categories as codes into the model's dictionary, text as codes
// into the batch's strings, vectors as their numbers row after row). Its
// working memory comes from Buffers, kept between calls.
package runtime

// Interfaces: Main runs the command line (predict, serve, stream, schema,
// metadata); Serve is the HTTP API; PredictRecord, BatchFromRecord and
// RecordFromResult are the columnar entry points, which the arrowgo
// package offers over arrow-go records to the C ABI and the Go target.
//
// The runtime holds records in the Arrow layout with the small columnar
// package and reads and writes Arrow IPC with internal/ipc, rather than
// with arrow-go, whose array, IPC and JSON packages would add about four
// megabytes to every executable.
//
// Parquet input and output use a small reader and writer of flat tables
// (internal/parquet) rather than a full Parquet library, which would
// bring some 22 MB of compute kernels, RPC and codecs into every scorer.
//
// Serve answers HTTP/1.1 with a small server of its own (internal/http1)
// rather than net/http, whose TLS, HTTP/2 and client would add some
// 3.5 MB. The noserve build tag leaves out the serve command and the
// network stack (stripped linux/amd64 sizes of the toy scorer: about
// 3.9 MB with everything, 3.2 MB with noserve). On wasip1, which has no
// listening sockets, serve is always left out.
