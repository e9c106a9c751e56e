package runtime

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	goruntime "runtime"
	"strings"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// Main runs the scorer's command line with os.Args and exits: status 0 on
// success, 1 on an error and 2 on a usage error, with a one-line message
// on stderr (never a panic trace). Generated code calls it from main.
func Main(s *Scorer) {
	os.Exit(Run(s, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usage is the command line's help.
const usage = `usage: %[1]s COMMAND [FLAGS]

Scores rows with the %[2]s model.

commands:
  predict   score a file: CSV, Parquet or Arrow IPC in, the same formats out
            (the input's columns followed by the model's outputs)
  serve     HTTP server: POST /predict (JSON or Arrow IPC stream), GET /health,
            GET /schema, GET /metadata
  stream    JSON lines: one row object per line on stdin, one object of
            outputs per line on stdout; a bad line yields {"error": "..."}
            and scoring goes on
  schema    print the model's inputs and outputs as JSON
  metadata  print the model's training metadata as JSON

Run '%[1]s COMMAND --help' for a command's flags.
`

// usageError is a command-line mistake: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Run runs the command line args (without the program name) with the
// given standard streams and returns the exit status: 0 on success, 1 on
// an error, 2 on a usage error, after writing a one-line message to
// stderr. A panic is reported the same way. Main is Run with the
// process's arguments and streams.
func Run(s *Scorer, args []string, stdin io.Reader, stdout, stderr io.Writer) (status int) {
	prog := s.Name
	if prog == "" {
		prog = "scorer"
	}
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(stderr, "%s: internal error: %v\n", prog, v)
			status = 1
		}
	}()
	if len(args) == 0 {
		fmt.Fprintf(stderr, "%s: no command; run '%s --help'\n", prog, prog)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(stdout, usage, prog, s.Name)
		return 0
	case "predict":
		err = s.predictCommand(rest, stdin, stdout, stderr)
	case "serve":
		err = s.serveCommand(rest, stdout, stderr)
	case "stream":
		err = s.streamCommand(rest, stdin, stdout, stderr)
	case "schema":
		err = noFlags(cmd, rest, stdout, stderr)
		if err == nil {
			_, err = stdout.Write(append(s.SchemaJSON(), '\n'))
		}
	case "metadata":
		err = noFlags(cmd, rest, stdout, stderr)
		if err == nil {
			_, err = stdout.Write(append(bytes.TrimSpace(s.MetadataJSON()), '\n'))
		}
	default:
		err = usageError{fmt.Sprintf("unknown command %q; run '%s --help'", cmd, prog)}
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(stderr, "%s: %s\n", prog, msg)
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

// newFlags returns a flag set whose errors Run reports on one line and
// whose --help prints to stdout.
func newFlags(name, help string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: %s\n", help)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args, turning mistakes into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func noFlags(cmd string, args []string, stdout, _ io.Writer) error {
	return parseFlags(newFlags(cmd, cmd, stdout), args)
}

// predictCommand implements predict.
func (s *Scorer) predictCommand(args []string, stdin io.Reader, stdout, _ io.Writer) error {
	fs := newFlags("predict", "predict [-i FILE|-] [-o FILE|-] [--input-format F] [--output-format F] [--threads N] [--chunk-rows N]\n\n"+
		"Formats: csv, parquet, arrow (Arrow IPC file; as input also a stream), arrows (Arrow IPC stream).\n"+
		"The input format comes from the flag, else the file extension, else the data's first bytes;\n"+
		"the output format from the flag, else the output's extension, else the input's format.\n"+
		"Parquet and Arrow files read from stdin are first copied to a temporary file.\n"+
		"In CSV an empty field or NA is missing.", stdout)
	in := fs.String("i", "-", "input file, - for stdin")
	out := fs.String("o", "-", "output file, - for stdout")
	inFmt := fs.String("input-format", "", "input format: csv, parquet, arrow or arrows")
	outFmt := fs.String("output-format", "", "output format: csv, parquet, arrow or arrows")
	threads := fs.Int("threads", goruntime.GOMAXPROCS(0), "chunks scored at once")
	chunkRows := fs.Int("chunk-rows", 65536, "rows per chunk")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *threads < 1:
		return usageError{"predict: --threads must be at least 1"}
	case *chunkRows < 1:
		return usageError{"predict: --chunk-rows must be at least 1"}
	}
	for _, f := range []string{*inFmt, *outFmt} {
		if err := checkFormat(f); err != nil {
			return usageError{"predict: " + err.Error()}
		}
	}
	if _, err := s.prepare(); err != nil {
		return err
	}
	format := *inFmt
	if format == "" && *in != "-" {
		format = formatOfName(*in)
	}
	src, err := s.openInput(*in, format, stdin, *chunkRows)
	if err != nil {
		return err
	}
	defer src.Close()

	oformat := normFormat(*outFmt)
	if oformat == "" && *out != "-" {
		oformat = formatOfName(*out)
	}
	if oformat == "" {
		switch src.recordSource.(*chunker).recordSource.(type) {
		case *csvSource:
			oformat = formatCSV
		case streamSource:
			oformat = formatArrows
		case *fileSource:
			oformat = formatArrow
		default:
			oformat = formatParquet
		}
	}
	schema, err := s.OutputSchema(src.Schema())
	if err != nil {
		return err
	}

	var (
		w       io.Writer = stdout
		outFile *os.File
	)
	if *out != "-" {
		if outFile, err = os.Create(*out); err != nil {
			return err
		}
		defer outFile.Close()
		w = outFile
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	err = s.writePredictions(src, bw, oformat, schema, *threads)
	if err == nil {
		err = bw.Flush()
	}
	if outFile != nil {
		if cerr := outFile.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			// A partial output would pass for a finished one.
			os.Remove(*out)
		}
	}
	return err
}

func (s *Scorer) writePredictions(src recordSource, w io.Writer, format string, schema *columnar.Schema, threads int) error {
	sink, err := newSink(w, format, schema)
	if err != nil {
		return err
	}
	err = s.predictChunks(src, sink.Write, threads)
	if cerr := sink.Close(); err == nil {
		err = cerr
	}
	return err
}

// streamCommand implements stream: it reads JSON lines from stdin until
// EOF and writes one line per input line, flushed at once, so it can
// serve as a pipe to another process. Blank lines are skipped. A line
// that is not a row object, or that the model cannot score, yields an
// {"error": "..."} line and scoring goes on; the command fails only when
// it cannot read or write.
func (s *Scorer) streamCommand(args []string, stdin io.Reader, stdout, _ io.Writer) error {
	fs := newFlags("stream", "stream < rows.jsonl\n\n"+
		"Reads one JSON row object per line and writes one JSON object of the outputs per line;\n"+
		"a bad line yields {\"error\": \"...\"} and scoring goes on.", stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := s.prepare()
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(stdin, 1<<16)
	w := bufio.NewWriter(stdout)
	var buf []byte
	for lineNo := 1; ; lineNo++ {
		line, rerr := r.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return rerr
		}
		if len(bytes.TrimSpace(line)) > 0 {
			buf = buf[:0]
			out, err := s.scoreLine(p, line, buf)
			if err != nil {
				out = errorJSON(fmt.Sprintf("line %d: %v", lineNo, err))
			}
			buf = out
			if _, err := w.Write(append(out, '\n')); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
	}
}

// scoreLine scores one JSON row object, appending its outputs to buf.
func (s *Scorer) scoreLine(p *prepared, line, buf []byte) ([]byte, error) {
	b, err := s.decodeJSON(line, true)
	if err != nil {
		return nil, err
	}
	res := s.NewResult(1)
	if err := s.score(b, res); err != nil {
		return nil, err
	}
	return s.appendJSONRow(buf, p, res, 0)
}
