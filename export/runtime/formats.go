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

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/ipc"
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
	Schema() *columnar.Schema
	// Next returns the next record, or io.EOF after the last.
	Next() (*columnar.Record, error)
	// Close releases the source's resources.
	Close() error
}

// recordSink writes records of one schema.
type recordSink interface {
	Write(*columnar.Record) error
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
		var rd *ipc.Reader
		if rd, err = ipc.NewReader(br); err == nil {
			src = streamSource{rd}
		}
	case formatArrow:
		src, err = newFileSource(file)
	case formatParquet:
		src, err = openParquet(file, chunkRows, s.Inputs)
	}
	if err != nil {
		return fail(fmt.Errorf("reading %s input: %v", format, err))
	}
	in.recordSource = &chunker{recordSource: src, rows: chunkRows}
	return in, nil
}

// chunker slices a source's records to at most rows rows each, so a
// single huge record does not defeat streaming or parallel scoring.
type chunker struct {
	recordSource
	rows    int
	pending *columnar.Record
	off     int
}

func (c *chunker) Next() (*columnar.Record, error) {
	for c.pending == nil {
		rec, err := c.recordSource.Next()
		if err != nil {
			return nil, err
		}
		if rec.Len <= c.rows {
			return rec, nil
		}
		c.pending, c.off = rec, 0
	}
	end := min(c.off+c.rows, c.pending.Len)
	out := c.pending.Slice(c.off, end)
	c.off = end
	if end == c.pending.Len {
		c.pending = nil
	}
	return out, nil
}

// streamSource reads the Arrow IPC stream format.
type streamSource struct{ *ipc.Reader }

func (streamSource) Close() error { return nil }

// fileSource reads the Arrow IPC file format.
type fileSource struct {
	f *ipc.File
	i int
}

func newFileSource(f *os.File) (*fileSource, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	rd, err := ipc.OpenFile(f, fi.Size())
	if err != nil {
		return nil, err
	}
	return &fileSource{f: rd}, nil
}

func (s *fileSource) Schema() *columnar.Schema { return s.f.Schema() }

func (s *fileSource) Next() (*columnar.Record, error) {
	if s.i >= s.f.NumRecords() {
		return nil, io.EOF
	}
	s.i++
	return s.f.Record(s.i - 1)
}

func (s *fileSource) Close() error { return nil }

// csvSource reads CSV with a header row. The scorer's inputs get their
// model's types (float64 for a Number, bool for a Boolean, utf8 for a
// Category or Text); every other column is utf8. An empty field or NA is null.
type csvSource struct {
	r      *csv.Reader
	schema *columnar.Schema
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
	fields := make([]columnar.Field, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		typ := columnar.StringType
		if k, ok := kinds[h]; ok {
			switch k {
			case Number:
				typ = columnar.Float64Type
			case Boolean:
				typ = columnar.BoolType
			}
		}
		fields[i] = columnar.Field{Name: h, Type: typ, Nullable: true}
	}
	return &csvSource{r: cr, schema: &columnar.Schema{Fields: fields}, rows: chunkRows}, nil
}

func (c *csvSource) Schema() *columnar.Schema { return c.schema }

// csvColumn gathers a CSV column's fields of a chunk.
type csvColumn struct {
	typ    *columnar.Type
	floats []float64
	bools  []bool
	text   *columnar.StringBuilder
	nulls  []int
}

func (c *csvSource) Next() (*columnar.Record, error) {
	if c.done {
		return nil, io.EOF
	}
	cols := make([]csvColumn, len(c.schema.Fields))
	for i, f := range c.schema.Fields {
		cols[i].typ = f.Type
		if f.Type.ID == columnar.String {
			cols[i].text = columnar.NewStringBuilder(0)
		}
	}
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
			col := &cols[i]
			null := v == "" || v == "NA"
			if null {
				col.nulls = append(col.nulls, n)
			}
			switch col.typ.ID {
			case columnar.Float64:
				x := math.NaN()
				if !null {
					if x, err = strconv.ParseFloat(v, 64); err != nil {
						return nil, fmt.Errorf("line %d: column %q: %q is not a number", line, c.schema.Fields[i].Name, v)
					}
				}
				col.floats = append(col.floats, x)
			case columnar.Bool:
				x := false
				if !null {
					if x, err = strconv.ParseBool(v); err != nil {
						return nil, fmt.Errorf("line %d: column %q: %q is not a boolean", line, c.schema.Fields[i].Name, v)
					}
				}
				col.bools = append(col.bools, x)
			default:
				if null {
					col.text.AppendNull()
				} else {
					col.text.Append(v)
				}
			}
		}
		n++
	}
	if n == 0 {
		return nil, io.EOF
	}
	rec := &columnar.Record{Schema: c.schema, Len: n, Cols: make([]*columnar.Array, len(cols))}
	for i, col := range cols {
		rec.Cols[i] = col.array(n)
	}
	return rec, nil
}

// array returns the column's n values.
func (col *csvColumn) array(n int) *columnar.Array {
	if col.text != nil {
		return col.text.Array()
	}
	valid := columnar.NewValidity(n)
	for _, i := range col.nulls {
		valid.SetNull(i)
	}
	bitmap, nulls := valid.Bitmap()
	if col.typ.ID == columnar.Float64 {
		return columnar.FromValues(col.typ, col.floats, bitmap, nulls)
	}
	b := columnar.NewBoolBuilder(n)
	for i, v := range col.bools {
		if v {
			b.Set(i)
		}
	}
	for _, i := range col.nulls {
		b.SetNull(i)
	}
	return b.Array()
}

func (c *csvSource) Close() error { return nil }

// csvSink writes records as CSV with a header row: nulls as empty fields,
// numbers in their shortest exact form, other values as
// columnar.Array.ValueString shows them.
type csvSink struct {
	w   *csv.Writer
	row []string
}

func newCSVSink(w io.Writer, schema *columnar.Schema) (*csvSink, error) {
	s := &csvSink{w: csv.NewWriter(w), row: make([]string, len(schema.Fields))}
	for i, f := range schema.Fields {
		s.row[i] = f.Name
	}
	if err := s.w.Write(s.row); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *csvSink) Write(rec *columnar.Record) error {
	for i := range rec.Len {
		for j, c := range rec.Cols {
			if c.IsNull(i) {
				s.row[j] = ""
			} else {
				// NaN is written as NaN, which reads back as NaN.
				s.row[j] = c.ValueString(i)
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

// newSink starts output in format for records of schema.
func newSink(w io.Writer, format string, schema *columnar.Schema) (recordSink, error) {
	switch normFormat(format) {
	case formatCSV:
		return newCSVSink(w, schema)
	case formatArrow:
		return ipc.NewFileWriter(w, schema)
	case formatArrows:
		return ipc.NewWriter(w, schema)
	case formatParquet:
		return newParquetSink(w, schema)
	}
	return nil, fmt.Errorf("unknown output format %q", format)
}
