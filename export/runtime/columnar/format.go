package columnar

import (
	"encoding/base64"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// ValueString returns value i of a as text, the way a CSV file holds it:
// numbers in their shortest exact form (NaN as "NaN"), booleans as true
// or false, strings as they are, binary values in base64, dates as
// 2006-01-02, times of day as 15:04:05.999999999, timestamps as
// 2006-01-02 15:04:05.999999999 with a Z or offset for a zoned one,
// durations as a count with their unit, decimals with their scale (as
// 123.45, or as 12345E-1000 when the scale would take over 100 zeros),
// dictionary values as their value, and nested values as JSON-like text.
// A null is "".
func (a *Array) ValueString(i int) string {
	return string(a.AppendValue(nil, i))
}

// AppendValue appends ValueString(i) to b.
func (a *Array) AppendValue(b []byte, i int) []byte {
	if a.IsNull(i) {
		return b
	}
	t := a.Type
	switch t.ID {
	case Bool:
		return strconv.AppendBool(b, a.Bool(i))
	case Int8:
		return strconv.AppendInt(b, int64(Values[int8](a)[i]), 10)
	case Int16:
		return strconv.AppendInt(b, int64(Values[int16](a)[i]), 10)
	case Int32:
		return strconv.AppendInt(b, int64(Values[int32](a)[i]), 10)
	case Int64:
		return strconv.AppendInt(b, Values[int64](a)[i], 10)
	case Uint8:
		return strconv.AppendUint(b, uint64(Values[uint8](a)[i]), 10)
	case Uint16:
		return strconv.AppendUint(b, uint64(Values[uint16](a)[i]), 10)
	case Uint32:
		return strconv.AppendUint(b, uint64(Values[uint32](a)[i]), 10)
	case Uint64:
		return strconv.AppendUint(b, Values[uint64](a)[i], 10)
	case Float16:
		return appendFloat(b, float64(HalfToFloat32(Values[uint16](a)[i])), 32)
	case Float32:
		return appendFloat(b, float64(Values[float32](a)[i]), 32)
	case Float64:
		return appendFloat(b, Values[float64](a)[i], 64)
	case String, LargeString:
		return append(b, a.Bytes(i)...)
	case Binary, LargeBinary:
		return base64.StdEncoding.AppendEncode(b, a.Bytes(i))
	case FixedSizeBinary:
		off := (a.Offset + i) * t.Size
		return base64.StdEncoding.AppendEncode(b, a.Buffers[1][off:off+t.Size])
	case Date32:
		return time.Unix(int64(Values[int32](a)[i])*86400, 0).UTC().AppendFormat(b, "2006-01-02")
	case Date64:
		return time.UnixMilli(Values[int64](a)[i]).UTC().AppendFormat(b, "2006-01-02")
	case Time32:
		return appendClock(b, int64(Values[int32](a)[i]), t.Unit)
	case Time64:
		return appendClock(b, Values[int64](a)[i], t.Unit)
	case Timestamp:
		return appendTimestamp(b, Values[int64](a)[i], t)
	case Duration:
		b = strconv.AppendInt(b, Values[int64](a)[i], 10)
		return append(b, t.Unit.String()...)
	case Decimal128, Decimal256:
		words := t.ByteWidth() / 8
		v := Values[uint64](&Array{Type: Uint64Type, Len: words, Offset: (a.Offset + i) * words, Buffers: a.Buffers})
		return appendDecimal(b, v, int(t.Scale))
	case Dictionary:
		k := a.Index(i)
		if k < 0 || k >= a.Dict.Len {
			return append(b, "<index out of range>"...)
		}
		return a.Dict.AppendValue(b, k)
	case List, LargeList, Map:
		lo, hi := a.ListRange(i)
		return appendList(b, a.Children[0], lo, hi)
	case FixedSizeList:
		lo, hi := a.ListRange(i)
		return appendList(b, a.Children[0], lo, hi)
	case Struct:
		b = append(b, '{')
		for k, c := range a.Children {
			if k > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendQuote(b, t.Fields[k].Name)
			b = append(b, ": "...)
			b = appendNested(b, c, i)
		}
		return append(b, '}')
	}
	return append(b, "<"+t.String()+">"...)
}

// appendList appends values lo to hi−1 of child as a bracketed list.
func appendList(b []byte, child *Array, lo, hi int) []byte {
	b = append(b, '[')
	for k := lo; k < hi; k++ {
		if k > lo {
			b = append(b, ", "...)
		}
		b = appendNested(b, child, k)
	}
	return append(b, ']')
}

// appendNested appends value i of a nested array: a null as null, text
// quoted.
func appendNested(b []byte, a *Array, i int) []byte {
	switch {
	case a.IsNull(i):
		return append(b, "null"...)
	case a.Type.ID == String || a.Type.ID == LargeString:
		return strconv.AppendQuote(b, a.Str(i))
	}
	return a.AppendValue(b, i)
}

func appendFloat(b []byte, v float64, size int) []byte {
	if math.IsNaN(v) {
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, size)
}

// unitsPerSecond is how many of unit make a second.
func unitsPerSecond(u TimeUnit) int64 {
	return [...]int64{1, 1e3, 1e6, 1e9}[u&3]
}

// appendClock appends a time of day, v units since midnight.
func appendClock(b []byte, v int64, u TimeUnit) []byte {
	per := unitsPerSecond(u)
	return time.Unix(v/per, (v%per)*(1e9/per)).UTC().AppendFormat(b, "15:04:05.999999999")
}

// appendTimestamp appends a timestamp in its zone, or as UTC wall time
// when it has none (or one this build cannot load).
func appendTimestamp(b []byte, v int64, t *Type) []byte {
	per := unitsPerSecond(t.Unit)
	sec, frac := v/per, v%per
	if frac < 0 {
		sec, frac = sec-1, frac+per
	}
	tm := time.Unix(sec, frac*(1e9/per)).UTC()
	if t.TimeZone == "" {
		return tm.AppendFormat(b, "2006-01-02 15:04:05.999999999")
	}
	if loc, err := time.LoadLocation(t.TimeZone); err == nil {
		tm = tm.In(loc)
	}
	return tm.AppendFormat(b, "2006-01-02 15:04:05.999999999Z07:00")
}

// maxDecimalPad is the most zeros appendDecimal pads a decimal with; a
// scale that needs more is written as an exponent. Arrow's precisions
// reach 76 digits, so no decimal Arrow allows needs one.
const maxDecimalPad = 100

// appendDecimal appends the two's-complement little-endian integer in
// words, divided by 10^scale: as 123.45 or 12300, or, when that takes
// more than maxDecimalPad zeros besides the digits, as the integer and
// an exponent of ten, 12345E-1000 or 12345E+1000.
func appendDecimal(b []byte, words []uint64, scale int) []byte {
	mag := append([]uint64(nil), words...)
	neg := mag[len(mag)-1]>>63 == 1
	if neg {
		carry := uint64(1)
		for k := range mag {
			mag[k], carry = bits.Add64(^mag[k], 0, carry)
		}
	}
	// Divide by 10^19 repeatedly, most significant word first.
	var chunks []uint64
	for {
		zero := true
		var rem uint64
		for k := len(mag) - 1; k >= 0; k-- {
			mag[k], rem = bits.Div64(rem, mag[k], 1e19)
			zero = zero && mag[k] == 0
		}
		chunks = append(chunks, rem)
		if zero {
			break
		}
	}
	var digits []byte
	digits = strconv.AppendUint(digits, chunks[len(chunks)-1], 10)
	for k := len(chunks) - 2; k >= 0; k-- {
		s := strconv.FormatUint(chunks[k], 10)
		digits = append(digits, strings.Repeat("0", 19-len(s))+s...)
	}
	if neg {
		b = append(b, '-')
	}
	if pad := max(-scale, scale-len(digits)); pad > maxDecimalPad {
		// So many zeros that the scale is not a decimal's but a hostile
		// file's: the digits and an exponent, so the text stays short.
		b = append(b, digits...)
		b = append(b, 'E')
		if scale < 0 {
			b = append(b, '+')
		}
		return strconv.AppendInt(b, int64(-scale), 10)
	}
	if scale <= 0 {
		b = append(b, digits...)
		return append(b, strings.Repeat("0", -scale)...)
	}
	if len(digits) <= scale {
		digits = append([]byte(strings.Repeat("0", scale-len(digits)+1)), digits...)
	}
	b = append(b, digits[:len(digits)-scale]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-scale:]...)
}

// HalfToFloat32 converts an IEEE 754 half-precision value, given by its
// bits, to float32.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		// Subnormal: normalise the mantissa.
		e := -14
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | uint32(e+127)<<23 | mant<<13)
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | mant<<13)
}
