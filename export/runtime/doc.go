// Package runtime is what goes inside an exported scorer: the code that
// reads rows, hands them to a compiled model and writes its outputs, for
// every interface of an artifact. It holds no training code and imports
// nothing of the engine or the estimators, so that scorers stay small and
// build for any GOOS/GOARCH.
//
// A generated model provides a Scorer: its input and output columns and a
// Score function over columnar batches (numbers as float64 with NaN for
// missing, categories as codes into the model's dictionary, text as codes
// into the batch's strings).
package runtime

// Interfaces: Main runs the command line (predict, serve, stream, schema,
// metadata); Handler is the HTTP API; PredictRecord, BatchFromRecord and
// RecordFromResult are the Arrow entry points the C ABI builds on.
//
// Build tags trade features for binary size (stripped linux/amd64 sizes
// of the toy scorer: about 31 MB with everything, 10 MB with noparquet,
// 7 MB with noparquet,noserve):
//
//   - noparquet leaves out Parquet input and output, whose reader and
//     writer bring Arrow's compute kernels, Flight, gRPC and codecs;
//   - noserve leaves out the serve command and net/http.
//
// On wasip1, which has no listening sockets, serve is always left out.
