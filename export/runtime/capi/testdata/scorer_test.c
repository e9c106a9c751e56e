/*
 * scorer_test.c drives a quiver shared library through quiver_scorer.h for
 * capi's tests. It reads commands from stdin, runs each against the
 * library and prints what came back, for the Go test to compare with the
 * scorer's own results:
 *
 *   info
 *   matrix NAME ROWS COLS OUT_LEN FLAGS  then ROWS*COLS values ("nan")
 *   arrow NAME ROWS NCOLS FLAGS          then per column: NAME TYPE and
 *                                        ROWS values ("null"); TYPE is
 *                                        f64, i64, bool or utf8
 *   threads THREADS ROWS
 *
 * FLAGS is "-" or a comma-separated list of nullx, nullout, nullerr
 * (matrix) or nullin, nullschema, nullout, nullerr, released, notstruct
 * (arrow).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiver_scorer.h"

static int has_flag(const char* flags, const char* flag) {
  size_t n = strlen(flag);
  for (const char* p = flags; (p = strstr(p, flag)) != NULL; p += n) {
    if ((p == flags || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
  }
  return 0;
}

static void print_double(double v) {
  if (isnan(v)) {
    printf(" nan");
  } else {
    printf(" %.17g", v);
  }
}

/* report prints a call's status and message and frees the message. */
static void report(const char* name, int status, char* err) {
  printf("case %s %d\n", name, status);
  if (err != NULL) {
    printf("error %s\n", err);
    quiver_free(err);
  }
}

static void info(void) {
  printf("abi %d\n", quiver_abi_version());
  printf("inputs %lld\n", (long long)quiver_n_inputs());
  printf("outputs %lld\n", (long long)quiver_n_outputs());
  printf("schema %s\n", quiver_schema_json());
  printf("metadata %s\n", quiver_metadata_json());
}

static void matrix(void) {
  char name[128], flags[128], tok[64];
  long long rows, cols, out_len;
  if (scanf("%127s %lld %lld %lld %127s", name, &rows, &cols, &out_len, flags) != 5) exit(2);
  long long nx = rows > 0 && cols > 0 ? rows * cols : 0;
  double* x = malloc(sizeof(double) * (size_t)(nx > 0 ? nx : 1));
  for (long long i = 0; i < nx; i++) {
    if (scanf("%63s", tok) != 1) exit(2);
    x[i] = strtod(tok, NULL);
  }
  /* A sentinel shows which values the library wrote. */
  double* out = malloc(sizeof(double) * (size_t)(out_len > 0 ? out_len : 1));
  for (long long i = 0; i < out_len; i++) out[i] = -7;
  char* err = NULL;
  int status = quiver_predict_matrix(has_flag(flags, "nullx") ? NULL : x, rows, cols,
                                     has_flag(flags, "nullout") ? NULL : out, out_len,
                                     has_flag(flags, "nullerr") ? NULL : &err);
  report(name, status, err);
  printf("out");
  for (long long i = 0; i < out_len; i++) print_double(out[i]);
  printf("\n");
  free(x);
  free(out);
}

/* Input arrays built by hand; releases counts their parents' releases. */
static int releases;

static void release_child(struct ArrowArray* a) {
  for (int64_t i = 0; i < a->n_buffers; i++) free((void*)a->buffers[i]);
  free(a->buffers);
  a->release = NULL;
}

static void release_parent(struct ArrowArray* a) {
  for (int64_t i = 0; i < a->n_children; i++) {
    struct ArrowArray* c = a->children[i];
    if (c->release != NULL) c->release(c);
    free(c);
  }
  free(a->children);
  free(a->buffers);
  a->release = NULL;
  releases++;
}

static void release_schema(struct ArrowSchema* s) {
  for (int64_t i = 0; i < s->n_children; i++) {
    struct ArrowSchema* c = s->children[i];
    if (c->release != NULL) c->release(c);
    free(c);
  }
  free(s->children);
  free((void*)s->name);
  s->release = NULL;
}

static void set_bit(uint8_t* bits, int64_t i) { bits[i / 8] |= (uint8_t)(1u << (i % 8)); }
static int get_bit(const uint8_t* bits, int64_t i) { return bits == NULL || (bits[i / 8] >> (i % 8)) & 1; }

/* read_column reads one column's NAME TYPE and values into a child array
 * and its schema. */
static void read_column(int64_t rows, struct ArrowArray* a, struct ArrowSchema* s) {
  char name[128], type[16], tok[128];
  if (scanf("%127s %15s", name, type) != 2) exit(2);
  memset(a, 0, sizeof *a);
  memset(s, 0, sizeof *s);
  s->name = strdup(name);
  s->flags = ARROW_FLAG_NULLABLE;
  s->release = release_schema;
  a->length = rows;
  a->release = release_child;
  int utf8 = strcmp(type, "utf8") == 0;
  a->n_buffers = utf8 ? 3 : 2;
  a->buffers = calloc(3, sizeof(void*));
  uint8_t* valid = calloc((size_t)rows / 8 + 1, 1);
  size_t width = strcmp(type, "bool") == 0 ? 0 : utf8 ? sizeof(int32_t) : 8;
  void* values = calloc((size_t)rows + 1, width ? width : 1);
  char* data = calloc(1, 1);
  size_t ndata = 0;
  for (int64_t i = 0; i < rows; i++) {
    if (scanf("%127s", tok) != 1) exit(2);
    int null = strcmp(tok, "null") == 0;
    if (null) {
      a->null_count++;
    } else {
      set_bit(valid, i);
    }
    if (strcmp(type, "f64") == 0) {
      s->format = "g";
      ((double*)values)[i] = null ? 0 : strtod(tok, NULL);
    } else if (strcmp(type, "i64") == 0) {
      s->format = "l";
      ((int64_t*)values)[i] = null ? 0 : strtoll(tok, NULL, 10);
    } else if (strcmp(type, "bool") == 0) {
      s->format = "b";
      if (!null && strcmp(tok, "1") == 0) set_bit(values, i);
    } else if (utf8) {
      s->format = "u";
      if (!null) {
        size_t n = strlen(tok);
        data = realloc(data, ndata + n + 1);
        memcpy(data + ndata, tok, n);
        ndata += n;
      }
      ((int32_t*)values)[i + 1] = (int32_t)ndata;
    } else {
      exit(2);
    }
  }
  if (rows == 0) s->format = strcmp(type, "f64") == 0 ? "g" : strcmp(type, "i64") == 0 ? "l" : strcmp(type, "bool") == 0 ? "b" : "u";
  a->buffers[0] = valid;
  a->buffers[1] = values;
  if (utf8) {
    a->buffers[2] = data;
  } else {
    free(data);
  }
}

static void print_column(const struct ArrowArray* a, const struct ArrowSchema* s) {
  printf("col %s %s", s->name, s->format);
  const uint8_t* valid = a->null_count == 0 ? NULL : a->buffers[0];
  for (int64_t k = 0; k < a->length; k++) {
    int64_t i = a->offset + k;
    if (!get_bit(valid, i)) {
      printf(" null");
    } else if (strcmp(s->format, "g") == 0) {
      print_double(((const double*)a->buffers[1])[i]);
    } else if (strcmp(s->format, "l") == 0) {
      printf(" %lld", (long long)((const int64_t*)a->buffers[1])[i]);
    } else if (strcmp(s->format, "b") == 0) {
      printf(" %d", get_bit(a->buffers[1], i));
    } else if (strcmp(s->format, "u") == 0) {
      const int32_t* off = a->buffers[1];
      printf(" %.*s", (int)(off[i + 1] - off[i]), (const char*)a->buffers[2] + off[i]);
    } else {
      printf(" ?");
    }
  }
  printf("\n");
}

static void arrow(void) {
  char name[128], flags[128];
  long long rows, ncols;
  if (scanf("%127s %lld %lld %127s", name, &rows, &ncols, flags) != 4) exit(2);
  struct ArrowArray in;
  struct ArrowSchema in_schema;
  memset(&in, 0, sizeof in);
  memset(&in_schema, 0, sizeof in_schema);
  in.length = rows;
  in.n_buffers = 1;
  in.buffers = calloc(1, sizeof(void*));
  in.n_children = ncols;
  in.children = calloc((size_t)ncols + 1, sizeof(struct ArrowArray*));
  in.release = release_parent;
  in_schema.format = has_flag(flags, "notstruct") ? "i" : "+s";
  in_schema.name = strdup("");
  in_schema.n_children = ncols;
  in_schema.children = calloc((size_t)ncols + 1, sizeof(struct ArrowSchema*));
  in_schema.release = release_schema;
  for (long long j = 0; j < ncols; j++) {
    in.children[j] = malloc(sizeof(struct ArrowArray));
    in_schema.children[j] = malloc(sizeof(struct ArrowSchema));
    read_column(rows, in.children[j], in_schema.children[j]);
  }
  if (has_flag(flags, "released")) in.release(&in);
  int before = releases;

  /* Garbage in out shows that the library does not read it. */
  struct ArrowArray out;
  struct ArrowSchema out_schema;
  memset(&out, 0xA5, sizeof out);
  memset(&out_schema, 0xA5, sizeof out_schema);
  char* err = NULL;
  int status = quiver_predict_arrow(has_flag(flags, "nullin") ? NULL : &in,
                                    has_flag(flags, "nullschema") ? NULL : &in_schema,
                                    has_flag(flags, "nullout") ? NULL : &out,
                                    has_flag(flags, "nullout") ? NULL : &out_schema,
                                    has_flag(flags, "nullerr") ? NULL : &err);
  report(name, status, err);
  printf("in_released %d %d\n", in.release == NULL, in_schema.release == NULL);
  if (has_flag(flags, "nullin") && in.release != NULL) in.release(&in);
  if (has_flag(flags, "nullschema") && in_schema.release != NULL) in_schema.release(&in_schema);
  if (!has_flag(flags, "nullout")) {
    printf("out_released %d %d\n", out.release == NULL, out_schema.release == NULL);
  }
  if (status == QUIVER_OK) {
    printf("rows %lld %s\n", (long long)out.length, out_schema.format);
    for (int64_t j = 0; j < out.n_children && j < out_schema.n_children; j++) {
      print_column(out.children[j], out_schema.children[j]);
    }
    out.release(&out);
    out_schema.release(&out_schema);
  }
  /* The input's buffers may live in the output until it is released. */
  printf("parent_releases %d\n", releases - before);
}

/* threads: several threads score the same matrix at once and must agree
 * with a serial run. */
struct job {
  const double* x;
  const double* want;
  int64_t rows, nout;
  int ok;
};

static void* run_job(void* p) {
  struct job* j = p;
  double* out = malloc(sizeof(double) * (size_t)(j->rows * j->nout));
  j->ok = 1;
  for (int k = 0; k < 20; k++) {
    char* err = NULL;
    if (quiver_predict_matrix(j->x, j->rows, 3, out, j->rows * j->nout, &err) != QUIVER_OK) {
      j->ok = 0;
      quiver_free(err);
    } else if (memcmp(out, j->want, sizeof(double) * (size_t)(j->rows * j->nout)) != 0) {
      j->ok = 0;
    }
  }
  free(out);
  return NULL;
}

static void threads(void) {
  int nthreads;
  long long rows;
  if (scanf("%d %lld", &nthreads, &rows) != 2 || nthreads > 64) exit(2);
  int64_t nout = quiver_n_outputs();
  double* x = malloc(sizeof(double) * (size_t)rows * 3);
  double* want = malloc(sizeof(double) * (size_t)(rows * nout));
  for (long long i = 0; i < rows; i++) {
    x[3 * i] = (double)(i % 61) * 0.1 - 3;
    x[3 * i + 1] = (double)(i % 2);
    x[3 * i + 2] = (double)(i % 5) - 2; /* -2 (unseen) to 2 */
  }
  char* err = NULL;
  int status = quiver_predict_matrix(x, rows, 3, want, rows * nout, &err);
  report("threads", status, err);
  pthread_t t[64];
  struct job jobs[64];
  for (int k = 0; k < nthreads; k++) {
    jobs[k] = (struct job){x, want, rows, nout, 0};
    pthread_create(&t[k], NULL, run_job, &jobs[k]);
  }
  int ok = 1;
  for (int k = 0; k < nthreads; k++) {
    pthread_join(t[k], NULL);
    ok &= jobs[k].ok;
  }
  printf("threads_agree %d\n", ok);
  free(x);
  free(want);
}

int main(void) {
  char cmd[32];
  while (scanf("%31s", cmd) == 1) {
    if (strcmp(cmd, "info") == 0) {
      info();
    } else if (strcmp(cmd, "matrix") == 0) {
      matrix();
    } else if (strcmp(cmd, "arrow") == 0) {
      arrow();
    } else if (strcmp(cmd, "threads") == 0) {
      threads();
    } else {
      fprintf(stderr, "unknown command %s\n", cmd);
      return 2;
    }
    fflush(stdout);
  }
  return 0;
}
