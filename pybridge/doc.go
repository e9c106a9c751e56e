// Package pybridge is the only package gopy sees: a small surface of
// functions over ints, floats and strings through which the Python package
// drives the engine.
//
// The rules that keep the bridge safe (see DESIGN.md):
//
//   - every function returns (T, error), because gopy leaks a C string per
//     call for functions that return only an error;
//   - every function recovers from panics and returns them as errors, since a
//     Go panic would otherwise kill the Python process;
//   - errors carry their kind as a prefix ("ValueError: ..."), from which the
//     Python layer picks the exception class;
//   - there are no callbacks into Python: fits run as jobs that Python polls
//     (JobWait, JobProgress) and cancels (JobCancel);
//   - Arrow data crosses as the addresses of C Stream Interface structs, and
//     buffers handed to Python live on the C heap.
package pybridge
