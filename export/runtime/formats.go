package runtime

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// File formats of the predict command.
const (
	formatCSV     = "csv"
	formatParquet = "parquet"
	formatArrow   = "arrow"  // Arrow IPC file format (input: either)
	formatArrows  = "arrows" // Arrow IPC stream format
)

// formatOfName is a format from a file name's extension, or "".
func formatOfName(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return formatCSV
	case ".parquet", ".pq":
		return formatParquet
	case ".arrow", ".feather", ".ipc":
		return formatArrow
	case ".arrows":
		return formatArrows
	}
	return ""
}

// checkFormat validates a --input-format or --output-format value.
func checkFormat(f string) error {
	switch f {
	case "", formatCSV, formatParquet, formatArrow, formatArrows:
		return nil
	case "arrow-stream", "stream":
		return nil
	}
	return fmt.Errorf("unknown format %q: want csv, parquet, arrow (IPC file) or arrows (IPC stream)", f)
}

// normFormat maps a format's aliases to its name.
func normFormat(f string) string {
	if f == "arrow-stream" || f == "stream" {
		return formatArrows
	}
	return f
}

// sniff names the format of data beginning with head: Parquet and Arrow
// files by their magic, an Arrow stream by its continuation marker, and
// CSV otherwise.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return formatParquet
	case bytes.HasPrefix(head, []byte("ARROW1")):
		return formatArrow
	case bytes.HasPrefix(head, []byte{0xff, 0xff, 0xff, 0xff}):
		return formatArrows
	}
	return formatCSV
}

// recordSource yields an input's records in order.
type recordSource interface {
	// Schema is the records' schema.
	Schema() *arrow.Schema
	// Next returns the next record, which the caller releases, or io.EOF
	// after the last.
	Next() (arrow.Record, error)
	// Close releases the source's resources.
	Close() error
}

// recordSink writes records of one schema.
type recordSink interface {
	Write(arrow.Record) error
	// Close finishes the output (a file's footer) without closing the
	// underlying writer.
	Close() error
}

// input is an opened predict input: the source and what to clean up.
type input struct {
	recordSource
	cleanup []func() error
}

// Close closes the source and removes any temporary file.
func (in *input) Close() error {
	err := in.recordSource.Close()
	for i := len(in.cleanup) - 1; i >= 0; i-- {
		if e := in.cleanup[i](); err == nil {
			err = e
		}
	}
	return err
}

// openInput opens name ("-" for stdin) in format (sniffed from the data
// when ""), yielding records of at most chunkRows rows. Parquet and the
// Arrow file format need random access, so from stdin they are first
// copied to a temporary file, removed on Close; CSV and Arrow streams
// are read as they arrive.
func (s *Scorer) openInput(name, format string, stdin io.Reader, chunkRows int) (*input, error) {
	in := &input{}
	var (
		r    io.Reader
		file *os.File
	)
	if name == "-" || name == "" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		in.cleanup = append(in.cleanup, f.Close)
		file, r = f, f
	}
	fail := func(err error) (*input, error) {
		for i := len(in.cleanup) - 1; i >= 0; i-- {
			in.cleanup[i]()
		}
		return nil, err
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(8)
	actual := sniff(head)
	if format == "" {
		format = actual
	}
	format = normFormat(format)
	if format == formatArrow && actual == formatArrows {
		// The arrow format reads both IPC layouts.
		format = formatArrows
	}
	// Random-access formats need a file; spool stdin to one.
	if (format == formatParquet || format == formatArrow) && file == nil {
		tmp, err := os.CreateTemp("", "scorer-input-*")
		if err != nil {
			return fail(fmt.Errorf("buffering stdin: %v", err))
		}
		in.cleanup = append(in.cleanup, func() error { return os.Remove(tmp.Name()) }, tmp.Close)
		if _, err := io.Copy(tmp, br); err != nil {
			return fail(fmt.Errorf("buffering stdin: %v", err))
		}
		file = tmp
	}
	var (
		src recordSource
		err error
	)
	switch format {
	case formatCSV:
		src, err = s.newCSVSource(br, chunkRows)
	case formatArrows:
		src, err = newStreamSource(br)
	case formatArrow:
		src, err = newFileSource(file)
	case formatParquet:
		src, err = openParquet(file, chunkRows, s.Inputs)
	}
	if err != nil {
		return fail(fmt.Errorf("reading %s input: %v", format, err))
	}
	in.recordSource = &chunker{recordSource: src, rows: int64(chunkRows)}
	return in, nil
}

// chunker slices a source's records to at most rows rows each, so a
// single huge record does not defeat streaming or parallel scoring.
type chunker struct {
	recordSource
	rows    int64
	pending arrow.Record
	off     int64
}

func (c *chunker) Next() (arrow.Record, error) {
	for c.pending == nil {
		rec, err := c.recordSource.Next()
		if err != nil {
			return nil, err
		}
		if rec.NumRows() <= c.rows {
			return rec, nil
		}
		c.pending, c.off = rec, 0
	}
	end := min(c.off+c.rows, c.pending.NumRows())
	out := c.pending.NewSlice(c.off, end)
	c.off = end
	if end == c.pending.NumRows() {
		c.pending.Release()
		c.pending = nil
	}
	return out, nil
}

func (c *chunker) Close() error {
	if c.pending != nil {
		c.pending.Release()
		c.pending = nil
	}
	return c.recordSource.Close()
}

// streamSource reads the Arrow IPC stream format.
type streamSource struct{ r *ipc.Reader }

func newStreamSource(r io.Reader) (*streamSource, error) {
	rd, err := ipc.NewReader(r, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, err
	}
	return &streamSource{rd}, nil
}

func (s *streamSource) Schema() *arrow.Schema { return s.r.Schema() }

func (s *streamSource) Next() (arrow.Record, error) {
	if !s.r.Next() {
		if err := s.r.Err(); err != nil && err != io.EOF {
			return nil, err
		}
		return nil, io.EOF
	}
	rec := s.r.Record()
	rec.Retain()
	return rec, nil
}

func (s *streamSource) Close() error { s.r.Release(); return nil }

// fileSource reads the Arrow IPC file format.
type fileSource struct {
	r *ipc.FileReader
	i int
}

func newFileSource(f *os.File) (*fileSource, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	rd, err := ipc.NewFileReader(f, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, err
	}
	return &fileSource{r: rd}, nil
}

func (s *fileSource) Schema() *arrow.Schema { return s.r.Schema() }

func (s *fileSource) Next() (arrow.Record, error) {
	if s.i >= s.r.NumRecords() {
		return nil, io.EOF
	}
	s.i++
	return s.r.RecordAt(s.i - 1)
}

func (s *fileSource) Close() error { return s.r.Close() }

// csvSource reads CSV with a header row. The scorer's inputs get their
// model's types (float64 for a Number, bool for a Boolean, utf8 for a
// Category or Text); every other column is utf8. An empty field or NA is null.
type csvSource struct {
	r      *csv.Reader
	schema *arrow.Schema
	rows   int
	done   bool
}

func (s *Scorer) newCSVSource(r io.Reader, chunkRows int) (*csvSource, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty CSV: want a header row")
	}
	if err != nil {
		return nil, err
	}
	kinds := make(map[string]Kind, len(s.Inputs))
	for _, c := range s.Inputs {
		kinds[c.Name] = c.Kind
	}
	fields := make([]arrow.Field, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		typ := arrow.DataType(arrow.BinaryTypes.String)
		if k, ok := kinds[h]; ok {
			switch k {
			case Number:
				typ = arrow.PrimitiveTypes.Float64
			case Boolean:
				typ = arrow.FixedWidthTypes.Boolean
			}
		}
		fields[i] = arrow.Field{Name: h, Type: typ, Nullable: true}
	}
	return &csvSource{r: cr, schema: arrow.NewSchema(fields, nil), rows: chunkRows}, nil
}

func (c *csvSource) Schema() *arrow.Schema { return c.schema }

func (c *csvSource) Next() (arrow.Record, error) {
	if c.done {
		return nil, io.EOF
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, c.schema)
	defer bld.Release()
	n := 0
	for n < c.rows {
		rec, err := c.r.Read()
		if err == io.EOF {
			c.done = true
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := c.r.FieldPos(0)
		for i, v := range rec {
			f := c.schema.Field(i)
			if v == "" || v == "NA" {
				bld.Field(i).AppendNull()
				continue
			}
			switch b := bld.Field(i).(type) {
			case *array.Float64Builder:
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, fmt.Errorf("line %d: column %q: %q is not a number", line, f.Name, v)
				}
				b.Append(x)
			case *array.BooleanBuilder:
				x, err := strconv.ParseBool(v)
				if err != nil {
					return nil, fmt.Errorf("line %d: column %q: %q is not a boolean", line, f.Name, v)
				}
				b.Append(x)
			case *array.StringBuilder:
				b.Append(v)
			}
		}
		n++
	}
	if n == 0 {
		return nil, io.EOF
	}
	return bld.NewRecord(), nil
}

func (c *csvSource) Close() error { return nil }

// csvSink writes records as CSV with a header row: nulls as empty fields,
// numbers in their shortest exact form, other values as Arrow shows them.
type csvSink struct {
	w    *csv.Writer
	row  []string
	head bool
}

func newCSVSink(w io.Writer, schema *arrow.Schema) (*csvSink, error) {
	s := &csvSink{w: csv.NewWriter(w), row: make([]string, schema.NumFields())}
	for i, f := range schema.Fields() {
		s.row[i] = f.Name
	}
	if err := s.w.Write(s.row); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *csvSink) Write(rec arrow.Record) error {
	cols := rec.Columns()
	for i := range int(rec.NumRows()) {
		for j, c := range cols {
			switch {
			case c.IsNull(i):
				s.row[j] = ""
			default:
				if f, ok := c.(*array.Float64); ok {
					// NaN is written as NaN, which reads back as NaN.
					v := f.Value(i)
					if math.IsNaN(v) {
						s.row[j] = "NaN"
						continue
					}
				}
				s.row[j] = c.ValueStr(i)
			}
		}
		if err := s.w.Write(s.row); err != nil {
			return err
		}
	}
	return s.w.Error()
}

func (s *csvSink) Close() error {
	s.w.Flush()
	return s.w.Error()
}

// ipcSink writes the Arrow IPC file or stream format.
type ipcSink struct {
	write func(arrow.Record) error
	close func() error
}

func (s *ipcSink) Write(rec arrow.Record) error { return s.write(rec) }
func (s *ipcSink) Close() error                 { return s.close() }

func newIPCSink(w io.Writer, schema *arrow.Schema, file bool) (*ipcSink, error) {
	if file {
		fw, err := ipc.NewFileWriter(&tellWriter{w: w}, ipc.WithSchema(schema), ipc.WithAllocator(memory.DefaultAllocator))
		if err != nil {
			return nil, err
		}
		return &ipcSink{fw.Write, fw.Close}, nil
	}
	sw := ipc.NewWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(memory.DefaultAllocator))
	return &ipcSink{sw.Write, sw.Close}, nil
}

// tellWriter counts what it writes so that the IPC file writer, which
// only asks for the current position, can write to a pipe or stdout.
type tellWriter struct {
	w   io.Writer
	pos int64
}

func (t *tellWriter) Write(b []byte) (int, error) {
	n, err := t.w.Write(b)
	t.pos += int64(n)
	return n, err
}

func (t *tellWriter) Seek(off int64, whence int) (int64, error) {
	if off != 0 || whence != io.SeekCurrent {
		return 0, errors.New("output is not seekable")
	}
	return t.pos, nil
}

// writerOnly hides a writer's Close from libraries that close what they
// write to, so stdout stays open.
type writerOnly struct{ io.Writer }

// newSink starts output in format for records of schema.
func newSink(w io.Writer, format string, schema *arrow.Schema) (recordSink, error) {
	w = writerOnly{w}
	switch normFormat(format) {
	case formatCSV:
		return newCSVSink(w, schema)
	case formatArrow:
		return newIPCSink(w, schema, true)
	case formatArrows:
		return newIPCSink(w, schema, false)
	case formatParquet:
		return newParquetSink(w, schema)
	}
	return nil, fmt.Errorf("unknown output format %q", format)
}
