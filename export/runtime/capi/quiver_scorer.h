/*
 * quiver_scorer.h: the C interface of a quiver model exported as a shared
 * library (libNAME.so, .dylib or .dll, built with go build -buildmode=c-shared).
 *
 * The library holds one fitted model. It reads input rows either as a
 * row-major matrix of doubles (quiver_predict_matrix) or as an Arrow record
 * batch through the Arrow C Data Interface (quiver_predict_arrow), and
 * writes the model's outputs. quiver_schema_json describes the columns.
 *
 * Threads. Every function is reentrant and may be called from any number
 * of threads at once; scoring runs on the calling thread and the library
 * starts no threads of its own for it (the Go runtime inside the library
 * keeps its own few service threads). The first call waits until the Go
 * runtime has started. A process can hold only one Go runtime, so load at
 * most one quiver library (or other Go c-shared library) per process.
 *
 * Errors. The predict functions return QUIVER_OK (0) on success and a
 * quiver_status code otherwise. When their error argument is not NULL they
 * set *error to NULL on success and, on failure, to a NUL-terminated
 * message allocated with malloc, which the caller frees with quiver_free.
 * A failure inside the library (a Go panic) is reported as
 * QUIVER_ERR_INTERNAL rather than aborting the process. So is a read of
 * unmapped memory past the end of a buffer shorter than its length
 * argument, where Go code reads it (the matrix); a buffer that is short
 * but mapped is read as garbage, and a bad pointer inside an Arrow array
 * may crash. The Go runtime's fatal errors (out of memory) abort.
 *
 * Signals. Like every Go c-shared library, the library installs handlers
 * for synchronous signals (SIGSEGV, SIGBUS, SIGFPE) and forwards those not
 * raised by Go code to the handlers installed before it was loaded.
 */
#ifndef QUIVER_SCORER_H
#define QUIVER_SCORER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface; quiver_abi_version returns it. */
#define QUIVER_ABI_VERSION 1

/*
 * The Arrow C Data Interface structures, as the Arrow project specifies
 * them (https://arrow.apache.org/docs/format/CDataInterface.html). The
 * guard lets this header be included with Arrow's own abi.h.
 */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

/* What the predict functions return. */
enum quiver_status {
  /* Success: every output was written. */
  QUIVER_OK = 0,
  /*
   * A bad argument: a NULL pointer, a negative row count, a column count
   * other than quiver_n_inputs(), an output buffer too short, an Arrow
   * array that is not a struct array or already released.
   */
  QUIVER_ERR_ARGUMENT = 1,
  /*
   * A bad input value: a Boolean other than 0, 1 or NaN, a category code
   * that is not a code of the column, an Arrow input column that is absent
   * or of a type the model cannot read.
   */
  QUIVER_ERR_INPUT = 2,
  /* The model rejected a row it cannot score (the message says why). */
  QUIVER_ERR_MODEL = 3,
  /* A failure inside the library, or no model in it: a bug to report. */
  QUIVER_ERR_INTERNAL = 4
};

/* quiver_abi_version returns QUIVER_ABI_VERSION of the library's header. */
int quiver_abi_version(void);

/*
 * quiver_n_inputs returns the number of input columns of the model, the
 * column count quiver_predict_matrix expects, or -1 if the library holds
 * no model (a broken build).
 */
int64_t quiver_n_inputs(void);

/*
 * quiver_n_outputs returns the number of output columns of the model, or
 * -1 if the library holds no model.
 */
int64_t quiver_n_outputs(void);

/*
 * quiver_schema_json returns a JSON object describing the model:
 *
 *   {"name": "gbdt",
 *    "inputs":  [{"name": ..., "kind": "number"|"boolean"|"category",
 *                 "type": <Arrow type in training>,
 *                 "categories": [...]   (category inputs)}, ...],
 *    "outputs": [{"name": ..., "kind": "float"|"label",
 *                 "type": <Arrow type>,
 *                 "labels": [...], "label_type": ...  (label outputs)}, ...]}
 *
 * Inputs and outputs are listed in the order of quiver_predict_matrix's
 * columns. The string is static: it stays valid for the life of the
 * library and must not be freed or modified. It is "null" if the library
 * holds no model.
 */
const char* quiver_schema_json(void);

/*
 * quiver_metadata_json returns the JSON object describing the model's
 * training ("{}" when there is none). Static, like quiver_schema_json.
 */
const char* quiver_metadata_json(void);

/*
 * quiver_predict_matrix scores rows given as a row-major rows x cols matrix
 * x, cols == quiver_n_inputs(), column j holding input j of the schema:
 *
 *   number:   any double; NaN is missing.
 *   boolean:  0, 1, or NaN for missing; any other value is an error.
 *   category: the category's code, its index in the input's "categories"
 *             (0, 1, 2, ...); NaN or -1 for missing; -2 for a value that
 *             is not among the categories (unseen), which the model scores
 *             as it does an unseen value in any other interface. Any other
 *             value (a fraction, a code past the last category, another
 *             negative number) is QUIVER_ERR_INPUT, so that a mismatched
 *             category dictionary fails rather than scoring wrong rows.
 *   text:     a matrix cannot hold text: a model with a text input
 *             (text feature steps) fails with QUIVER_ERR_INPUT here and
 *             takes its rows through quiver_predict_arrow.
 *   vector:   nor a vector (a network's fixed-size list feature): such a
 *             model fails with QUIVER_ERR_INPUT here too, as does one with
 *             a text output (a text column a pipeline passes on).
 *
 * It writes out as a row-major rows x quiver_n_outputs() matrix: a float
 * output as is, a boolean output as 0 or 1 (NaN for missing), a label
 * output as its class code (the index into the output's "labels", as a
 * double), NaN for a row the model gives no class. out_len, the number of doubles at out, must be at least
 * rows * quiver_n_outputs(); only that many are written. rows may be 0,
 * and x and out NULL when it is; cols must still match.
 *
 * It returns QUIVER_OK, or QUIVER_ERR_ARGUMENT, QUIVER_ERR_INPUT (the
 * message names the row and column), QUIVER_ERR_MODEL or
 * QUIVER_ERR_INTERNAL with the message in *error (see above). When it
 * fails with rows > 0 and out not NULL (and the library holds a model),
 * the first min(out_len, rows * quiver_n_outputs()) values of out are
 * NaN, so that no partial result passes as a prediction.
 *
 * Rows are scored in chunks of 4096 and a model numbers rows within its
 * chunk, so a model's message about a row past the first chunk is
 * prefixed with the chunk's rows ("rows 4096 to 8191: row 5: ...").
 */
int quiver_predict_matrix(const double* x, int64_t rows, int64_t cols,
                          double* out, int64_t out_len, char** error);

/*
 * quiver_predict_arrow scores an Arrow record batch: in is a struct array
 * (with in_schema its struct type) whose fields include the model's inputs
 * by name, in any order; fields the model does not read are passed through.
 * A number input may be any integer or floating-point type; a boolean
 * input bool, or a number holding only 0 and 1; a category input utf8,
 * large_utf8, utf8_view or a dictionary of those (or an integer or bool
 * field, read as its values' text); a vector input a fixed_size_list of
 * its "width" numbers. Nulls are missing values, and a string that is not
 * among the categories is unseen.
 *
 * On success it fills out and out_schema with a struct array of the input
 * fields followed by the model's outputs: a float output as float64, a
 * label output as a field of its "label_type" (null for a row the model
 * gives no class), a text output as utf8. An input field named like an output is left out, so
 * that scoring scored data replaces its outputs. The caller owns out and
 * out_schema and releases each through its release callback; the
 * library ignores what they held before the call. The library takes ownership of in and in_schema whenever they
 * are not NULL and not already released: they are released (their release
 * set to NULL) when the call returns, successful or not, though in's
 * buffers may live on inside out until out is released. On failure out and
 * out_schema are left released (release == NULL).
 *
 * It returns QUIVER_OK, or QUIVER_ERR_ARGUMENT (a NULL or released
 * argument, an in_schema that is not a struct), QUIVER_ERR_INPUT (a
 * missing input field or one of the wrong type), QUIVER_ERR_MODEL or
 * QUIVER_ERR_INTERNAL with the message in *error.
 */
int quiver_predict_arrow(struct ArrowArray* in, struct ArrowSchema* in_schema,
                         struct ArrowArray* out, struct ArrowSchema* out_schema,
                         char** error);

/* quiver_free frees a message returned in *error; it ignores NULL. */
void quiver_free(void* p);

#ifdef __cplusplus
}
#endif

#endif /* QUIVER_SCORER_H */
