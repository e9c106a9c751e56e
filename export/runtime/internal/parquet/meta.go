package parquet

// Physical types.
const (
	typeBoolean   = 0
	typeInt32     = 1
	typeInt64     = 2
	typeFloat     = 4
	typeDouble    = 5
	typeByteArray = 6
)

var typeNames = [...]string{"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"}

// Repetitions.
const (
	repRequired = 0
	repOptional = 1
	repRepeated = 2
)

// Converted types (the legacy annotations) this package reads or writes.
const (
	convUTF8     = 0
	convList     = 3
	convEnum     = 4
	convDate     = 6
	convTSMillis = 9
	convTSMicros = 10
	convUint8    = 11
	convUint16   = 12
	convUint32   = 13
	convUint64   = 14
	convInt8     = 15
	convInt16    = 16
	convInt32    = 17
	convInt64    = 18
	convJSON     = 19
	convNone     = -1
)

// Encodings.
const (
	encPlain         = 0
	encPlainDict     = 2
	encRLE           = 3
	encDeltaBinary   = 5
	encDeltaLength   = 6
	encDeltaByteArr  = 7
	encRLEDict       = 8
	encByteStreamSpl = 9
)

var encodingNames = map[int32]string{0: "PLAIN", 2: "PLAIN_DICTIONARY", 3: "RLE", 4: "BIT_PACKED",
	5: "DELTA_BINARY_PACKED", 6: "DELTA_LENGTH_BYTE_ARRAY", 7: "DELTA_BYTE_ARRAY", 8: "RLE_DICTIONARY", 9: "BYTE_STREAM_SPLIT"}

// Codecs.
const (
	codecNone   = 0
	codecSnappy = 1
	codecGzip   = 2
	codecLZ4    = 5
	codecZstd   = 6
	codecLZ4Raw = 7
)

var codecNames = [...]string{"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"}

// Page types; index pages are skipped.
const (
	pageData   = 0
	pageDict   = 2
	pageDataV2 = 3
)

// logical is the part of a LogicalType annotation this package uses.
type logical struct {
	kind     int16 // the union's field id; 0 when absent
	bitWidth int8  // INTEGER
	signed   bool  // INTEGER
	utc      bool  // TIMESTAMP: isAdjustedToUTC
	unit     int16 // TIMESTAMP: 1 millis, 2 micros, 3 nanos
}

// LogicalType union members.
const (
	logString    = 1
	logList      = 3
	logEnum      = 4
	logDate      = 6
	logTimestamp = 8
	logInteger   = 10
	logJSON      = 12
)

type schemaElement struct {
	typ         int32 // -1 for groups
	repetition  int32
	name        string
	numChildren int32
	converted   int32
	logical     logical
}

type columnMeta struct {
	typ              int32
	codec            int32
	numValues        int64
	compressedSize   int64
	uncompressedSize int64 // written, not read
	dataOffset       int64
	dictOffset       int64
}

type rowGroup struct {
	columns []columnMeta
	numRows int64
}

type fileMeta struct {
	schema    []schemaElement
	numRows   int64
	rowGroups []rowGroup
}

func (d *tdec) fileMeta() *fileMeta {
	m := &fileMeta{}
	d.fields(func(id int16, typ byte) bool {
		switch {
		case id == 2 && typ == ctList:
			m.schema = listOf(d, d.schemaElement)
		case id == 3 && typ == ctI64:
			m.numRows = d.varint()
		case id == 4 && typ == ctList:
			m.rowGroups = listOf(d, d.rowGroup)
		default:
			return false
		}
		return true
	})
	return m
}

func (d *tdec) schemaElement() schemaElement {
	s := schemaElement{typ: -1, converted: convNone}
	d.fields(func(id int16, typ byte) bool {
		switch {
		case id == 1 && typ == ctI32:
			s.typ = d.i32()
		case id == 3 && typ == ctI32:
			s.repetition = d.i32()
		case id == 4 && typ == ctBinary:
			s.name = d.str()
		case id == 5 && typ == ctI32:
			s.numChildren = d.i32()
		case id == 6 && typ == ctI32:
			s.converted = d.i32()
		case id == 10 && typ == ctStruct:
			s.logical = d.logical()
		default:
			return false
		}
		return true
	})
	return s
}

func (d *tdec) logical() logical {
	var l logical
	d.fields(func(id int16, typ byte) bool {
		if typ != ctStruct {
			return false
		}
		l.kind = id
		d.fields(func(f int16, typ byte) bool {
			switch {
			case id == logInteger && f == 1 && typ == ctByte:
				l.bitWidth = int8(d.byte())
			case id == logInteger && f == 2:
				l.signed = d.boolean(typ)
			case id == logTimestamp && f == 1:
				l.utc = d.boolean(typ)
			case id == logTimestamp && f == 2 && typ == ctStruct:
				d.fields(func(u int16, _ byte) bool { l.unit = u; return false })
			default:
				return false
			}
			return true
		})
		return true
	})
	return l
}

func (d *tdec) rowGroup() rowGroup {
	var g rowGroup
	d.fields(func(id int16, typ byte) bool {
		switch {
		case id == 1 && typ == ctList:
			g.columns = listOf(d, d.columnChunk)
		case id == 3 && typ == ctI64:
			g.numRows = d.varint()
		default:
			return false
		}
		return true
	})
	return g
}

// columnChunk reads a ColumnChunk for the ColumnMetaData it holds.
func (d *tdec) columnChunk() columnMeta {
	var c columnMeta
	d.fields(func(id int16, typ byte) bool {
		if id == 3 && typ == ctStruct {
			c = d.columnMeta()
			return true
		}
		return false
	})
	return c
}

func (d *tdec) columnMeta() columnMeta {
	c := columnMeta{typ: -1}
	d.fields(func(id int16, typ byte) bool {
		switch {
		case id == 1 && typ == ctI32:
			c.typ = d.i32()
		case id == 4 && typ == ctI32:
			c.codec = d.i32()
		case id == 5 && typ == ctI64:
			c.numValues = d.varint()
		case id == 7 && typ == ctI64:
			c.compressedSize = d.varint()
		case id == 9 && typ == ctI64:
			c.dataOffset = d.varint()
		case id == 11 && typ == ctI64:
			c.dictOffset = d.varint()
		default:
			return false
		}
		return true
	})
	return c
}

type pageHeader struct {
	typ              int32
	uncompressedSize int32
	compressedSize   int32
	numValues        int32
	encoding         int32
	defEncoding      int32 // v1
	repEncoding      int32 // v1
	numNulls         int32 // v2
	defLength        int32 // v2
	repLength        int32 // v2
	compressed       bool  // v2: whether the values are compressed
}

func (d *tdec) pageHeader() pageHeader {
	h := pageHeader{typ: -1, compressed: true}
	// The three kinds of page header share the fields this reader needs.
	sub := func() {
		d.fields(func(id int16, typ byte) bool {
			switch {
			case id == 1 && typ == ctI32:
				h.numValues = d.i32()
			case h.typ == pageDataV2 && typ == ctI32 && id >= 2 && id <= 6:
				v := d.i32()
				switch id {
				case 2:
					h.numNulls = v
				case 4:
					h.encoding = v
				case 5:
					h.defLength = v
				case 6:
					h.repLength = v
				}
			case h.typ == pageDataV2 && id == 7:
				h.compressed = d.boolean(typ)
			case h.typ != pageDataV2 && id == 2 && typ == ctI32:
				h.encoding = d.i32()
			case h.typ == pageData && id == 3 && typ == ctI32:
				h.defEncoding = d.i32()
			case h.typ == pageData && id == 4 && typ == ctI32:
				h.repEncoding = d.i32()
			default:
				return false
			}
			return true
		})
	}
	d.fields(func(id int16, typ byte) bool {
		switch {
		case id == 1 && typ == ctI32:
			h.typ = d.i32()
		case id == 2 && typ == ctI32:
			h.uncompressedSize = d.i32()
		case id == 3 && typ == ctI32:
			h.compressedSize = d.i32()
		case (id == 5 && h.typ == pageData || id == 7 && h.typ == pageDict || id == 8 && h.typ == pageDataV2) && typ == ctStruct:
			sub()
		default:
			return false
		}
		return true
	})
	return h
}
