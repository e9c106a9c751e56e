package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// continuation marks the start of a message since Arrow 0.15; before,
// messages started with their length.
const continuation = 0xFFFFFFFF

// magic starts and ends a file; padded to 8 bytes at the start.
const magic = "ARROW1"

// maxMetadata bounds the metadata of one message.
const maxMetadata = 1 << 30

// Reader reads the Arrow IPC stream format: a schema, then record
// batches and the dictionaries they use.
type Reader struct {
	src    *source
	schema *columnar.Schema
	nodes  []*fieldNode
	dicts  *dictMemo
	err    error
	// inFile is set when the stream follows a file's magic, marked when
	// its messages start with the continuation marker.
	inFile, marked bool
}

// source is a stream being read, with the number of bytes left in it
// when its reader says (-1 when it does not).
type source struct {
	r    io.Reader
	left int64
}

func (s *source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.left >= 0 {
		s.left -= int64(n)
	}
	return n, err
}

// read reads n bytes into 8-aligned memory: at once when the source is
// known to hold them, otherwise as they arrive.
func (s *source) read(n int64) ([]byte, error) {
	if n > maxLen {
		return nil, fmt.Errorf("arrow ipc: message of %d bytes", n)
	}
	if s.left >= n {
		b := columnar.MakeAligned[byte](int(n))
		_, err := io.ReadFull(s, b)
		return b, noEOF(err)
	}
	return readGrowing(s, int(n))
}

// NewReader reads the schema that starts an Arrow IPC stream from r. It
// also reads streams from before Arrow 0.15, whose messages lack the
// continuation marker, and the stream inside a file in the file format,
// read from its start. It fails when r does not start with a schema
// message or the schema holds a type this package does not read (such
// as unions), naming the field.
func NewReader(r io.Reader) (*Reader, error) {
	src := &source{r: r, left: -1}
	switch s := r.(type) {
	case interface{ Len() int }: // bytes.Reader, bytes.Buffer, strings.Reader
		src.left = int64(s.Len())
	case io.Seeker:
		if cur, err := s.Seek(0, io.SeekCurrent); err == nil {
			if end, err := s.Seek(0, io.SeekEnd); err == nil {
				if _, err := s.Seek(cur, io.SeekStart); err != nil {
					return nil, fmt.Errorf("arrow ipc: %w", err)
				}
				src.left = end - cur
			}
		}
	}
	rd := &Reader{src: src}
	msg, _, err := rd.readMessage(true)
	if err == io.EOF {
		return nil, errors.New("arrow ipc: empty stream, without a schema")
	}
	if err != nil {
		return nil, err
	}
	if msg.kind != hdrSchema {
		return nil, errors.New("arrow ipc: stream does not start with a schema")
	}
	if rd.schema, rd.nodes, err = decodeSchema(msg.header); err != nil {
		return nil, err
	}
	if rd.dicts, err = newDictMemo(rd.nodes); err != nil {
		return nil, err
	}
	return rd, nil
}

// Schema returns the stream's schema, which every record shares.
func (rd *Reader) Schema() *columnar.Schema { return rd.schema }

// Next returns the next record batch, after reading the dictionary
// batches before it. It returns io.EOF after the last batch, at the
// end-of-stream marker or the end of the input; an error when the input
// is truncated or corrupt, or a record uses a dictionary not yet sent.
// After an error Next returns it again.
func (rd *Reader) Next() (*columnar.Record, error) {
	for rd.err == nil {
		msg, body, err := rd.readMessage(false)
		if err != nil {
			rd.err = err
			break
		}
		switch msg.kind {
		case hdrSchema:
			rd.err = errors.New("arrow ipc: a second schema in the stream")
		case hdrDictionaryBatch:
			rd.err = rd.dicts.apply(msg.header, body, true)
		case hdrRecordBatch:
			cols, n, err := decodeBatch(msg.header, body, rd.nodes, rd.dicts)
			if err != nil {
				rd.err = err
				break
			}
			return &columnar.Record{Schema: rd.schema, Len: n, Cols: cols}, nil
		}
	}
	return nil, rd.err
}

// readMessage reads the next message and its body; io.EOF at the end of
// the stream. The first message may follow a file's magic.
func (rd *Reader) readMessage(first bool) (*message, []byte, error) {
	var word [4]byte
	if _, err := io.ReadFull(rd.src, word[:]); err != nil {
		if err == io.EOF {
			return nil, nil, io.EOF
		}
		return nil, nil, fmt.Errorf("arrow ipc: reading a message: %w", err)
	}
	if first && string(word[:]) == magic[:4] {
		var rest [4]byte
		if _, err := io.ReadFull(rd.src, rest[:]); err != nil || string(rest[:]) != magic[4:]+"\x00\x00" {
			return nil, nil, errors.New("arrow ipc: stream starts with neither a message nor a file's magic")
		}
		if _, err := io.ReadFull(rd.src, word[:]); err != nil {
			return nil, nil, fmt.Errorf("arrow ipc: reading a message: %w", noEOF(err))
		}
		rd.inFile = true
	}
	n := binary.LittleEndian.Uint32(word[:])
	if first {
		rd.marked = n == continuation
	} else if rd.inFile && rd.marked && n != continuation {
		// The footer, which follows the stream in a file; writers
		// other than this package's do not end the stream first.
		return nil, nil, io.EOF
	}
	if n == continuation {
		if _, err := io.ReadFull(rd.src, word[:]); err != nil {
			return nil, nil, fmt.Errorf("arrow ipc: reading a message: %w", noEOF(err))
		}
		n = binary.LittleEndian.Uint32(word[:])
	}
	if n == 0 {
		return nil, nil, io.EOF
	}
	if n > maxMetadata {
		return nil, nil, fmt.Errorf("arrow ipc: message metadata of %d bytes", int32(n))
	}
	meta, err := rd.src.read(int64(n))
	if err != nil {
		return nil, nil, fmt.Errorf("arrow ipc: reading a message: %w", err)
	}
	msg, err := parseMessage(meta)
	if err != nil {
		return nil, nil, err
	}
	body, err := rd.src.read(msg.bodyLen)
	if err != nil {
		return nil, nil, fmt.Errorf("arrow ipc: reading a message body of %d bytes: %w", msg.bodyLen, err)
	}
	return msg, body, nil
}
