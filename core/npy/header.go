package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Magic is the 6-byte prefix of every .npy file.
const Magic = "\x93NUMPY"

// maxHeaderLen bounds the header dictionary we accept (numpy itself refuses
// headers above 10000 bytes unless told otherwise).
const maxHeaderLen = 1 << 20

// DType is a numeric numpy dtype: a kind ('f' float, 'i' signed int, 'u'
// unsigned int, 'b' bool), an item size in bytes and a byte order.
type DType struct {
	Kind      byte
	Size      int
	BigEndian bool
}

// The dtypes the writers produce (little-endian, as numpy writes on x86 and ARM).
var (
	Float64 = DType{Kind: 'f', Size: 8}
	Float32 = DType{Kind: 'f', Size: 4}
	Int64   = DType{Kind: 'i', Size: 8}
	Int32   = DType{Kind: 'i', Size: 4}
	Int16   = DType{Kind: 'i', Size: 2}
	Int8    = DType{Kind: 'i', Size: 1}
	Uint8   = DType{Kind: 'u', Size: 1}
	Bool    = DType{Kind: 'b', Size: 1}
)

// ParseDType parses a numpy dtype string such as "<f8", "|u1", "=i4" or
// ">f4". '=' (native) is taken as little-endian.
func ParseDType(descr string) (DType, error) {
	if len(descr) < 3 {
		return DType{}, fmt.Errorf("unsupported dtype %q", descr)
	}
	var dt DType
	switch descr[0] {
	case '<', '=', '|':
	case '>':
		dt.BigEndian = true
	default:
		return DType{}, fmt.Errorf("unsupported dtype %q (no byte-order prefix)", descr)
	}
	dt.Kind = descr[1]
	size, err := strconv.Atoi(descr[2:])
	if err != nil {
		return DType{}, fmt.Errorf("unsupported dtype %q", descr)
	}
	dt.Size = size
	ok := false
	switch dt.Kind {
	case 'f':
		ok = size == 4 || size == 8
	case 'i', 'u':
		ok = size == 1 || size == 2 || size == 4 || size == 8
	case 'b':
		ok = size == 1
	}
	if !ok {
		return DType{}, fmt.Errorf("unsupported dtype %q (supported: float32/64, int8/16/32/64, uint8/16/32/64, bool)", descr)
	}
	if dt.Size == 1 {
		dt.BigEndian = false
	}
	return dt, nil
}

// String returns the numpy dtype string ("<f8", "|b1", ">i4").
func (d DType) String() string {
	o := "<"
	switch {
	case d.Size == 1:
		o = "|"
	case d.BigEndian:
		o = ">"
	}
	return o + string(d.Kind) + strconv.Itoa(d.Size)
}

// Name returns the numpy type name ("float64", "int32", "bool").
func (d DType) Name() string {
	switch d.Kind {
	case 'f':
		return "float" + strconv.Itoa(8*d.Size)
	case 'i':
		return "int" + strconv.Itoa(8*d.Size)
	case 'u':
		return "uint" + strconv.Itoa(8*d.Size)
	case 'b':
		return "bool"
	}
	return d.String()
}

// IsFloat reports whether the dtype is a floating-point type.
func (d DType) IsFloat() bool { return d.Kind == 'f' }

// Header is the parsed header of a .npy array.
type Header struct {
	Major, Minor int    // format version (1.0, 2.0 or 3.0)
	Descr        string // dtype string as written
	DType        DType
	FortranOrder bool
	Shape        []int // empty for a scalar
	// DataOffset is the number of bytes before the data (magic, version,
	// header length and header).
	DataOffset int64
}

// Len returns the number of elements (1 for a scalar).
func (h Header) Len() int64 {
	n := int64(1)
	for _, s := range h.Shape {
		n *= int64(s)
	}
	return n
}

// DataBytes returns the size of the data in bytes.
func (h Header) DataBytes() int64 { return h.Len() * int64(h.DType.Size) }

// Rows returns the length of the first axis (1 for a scalar).
func (h Header) Rows() int {
	if len(h.Shape) == 0 {
		return 1
	}
	return h.Shape[0]
}

// RowLen returns the number of elements in one first-axis row (1 for 1-D
// arrays and scalars).
func (h Header) RowLen() int {
	n := 1
	for _, s := range h.Shape[min(1, len(h.Shape)):] {
		n *= s
	}
	return n
}

// ShapeString formats the shape as "20000×138×4" ("scalar" for a scalar).
func (h Header) ShapeString() string {
	if len(h.Shape) == 0 {
		return "scalar"
	}
	parts := make([]string, len(h.Shape))
	for i, s := range h.Shape {
		parts[i] = strconv.Itoa(s)
	}
	return strings.Join(parts, "×")
}

// ShapeTuple formats the shape as a Python tuple: "(500, 101, 4)", "(500,)", "()".
func ShapeTuple(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = strconv.Itoa(s)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// ErrBadMagic is wrapped by ReadHeader's error when the input does not start
// with the .npy magic string.
var ErrBadMagic = errors.New("not a .npy array (bad magic)")

// ReadHeader reads and parses a .npy header from r, leaving r at the first
// byte of data. Errors do not name the source; callers add it.
func ReadHeader(r io.Reader) (Header, error) {
	var pre [10]byte
	if n, err := io.ReadFull(r, pre[:8]); err != nil {
		if n == 0 {
			return Header{}, fmt.Errorf("%w: input is empty", ErrBadMagic)
		}
		return Header{}, fmt.Errorf("truncated: only %d bytes, not even a .npy preamble", n)
	}
	if string(pre[:6]) != Magic {
		return Header{}, fmt.Errorf("%w: starts with %q, want %q", ErrBadMagic, pre[:6], Magic)
	}
	h := Header{Major: int(pre[6]), Minor: int(pre[7])}
	var hlen int
	switch h.Major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return Header{}, fmt.Errorf("truncated in the .npy preamble")
		}
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
		h.DataOffset = 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Header{}, fmt.Errorf("truncated in the .npy preamble")
		}
		u := binary.LittleEndian.Uint32(b[:])
		if u > maxHeaderLen {
			return Header{}, fmt.Errorf("header length %d is implausibly large (corrupted file?)", u)
		}
		hlen = int(u)
		h.DataOffset = 12
	default:
		return Header{}, fmt.Errorf("unsupported .npy format version %d.%d (supported: 1.0, 2.0, 3.0)", h.Major, h.Minor)
	}
	if h.Minor != 0 {
		return Header{}, fmt.Errorf("unsupported .npy format version %d.%d (supported: 1.0, 2.0, 3.0)", h.Major, h.Minor)
	}
	buf := make([]byte, hlen)
	if n, err := io.ReadFull(r, buf); err != nil {
		return Header{}, fmt.Errorf("truncated: header says %d header bytes but only %d follow", hlen, n)
	}
	h.DataOffset += int64(hlen)
	if h.Major < 3 {
		for _, c := range buf {
			if c >= 0x80 {
				return Header{}, fmt.Errorf("header of a version %d.0 file is not ASCII (corrupted file?)", h.Major)
			}
		}
	} else if !utf8.Valid(buf) {
		return Header{}, fmt.Errorf("header of a version 3.0 file is not valid UTF-8")
	}
	if err := parseHeaderDict(string(buf), &h); err != nil {
		return Header{}, err
	}
	return h, nil
}

// parseHeaderDict parses the Python dict literal of a .npy header.
func parseHeaderDict(s string, h *Header) error {
	p := &pyParser{s: s}
	v, err := p.value(0)
	if err != nil {
		return fmt.Errorf("bad header %s: %v", quoteShort(s), err)
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return fmt.Errorf("bad header %s: unexpected %s after the dictionary", quoteShort(s), quoteShort(p.s[p.i:]))
	}
	d, ok := v.(pyDict)
	if !ok {
		return fmt.Errorf("bad header %s: not a dictionary", quoteShort(s))
	}
	var seen [3]bool
	for _, kv := range d {
		switch kv.key {
		case "descr":
			seen[0] = true
			ds, ok := kv.val.(string)
			if !ok {
				return fmt.Errorf("unsupported dtype %s: structured and record dtypes are not supported", pyRepr(kv.val))
			}
			dt, err := ParseDType(ds)
			if err != nil {
				return err
			}
			h.Descr, h.DType = ds, dt
		case "fortran_order":
			seen[1] = true
			b, ok := kv.val.(bool)
			if !ok {
				return fmt.Errorf("bad header: fortran_order is %s, want True or False", pyRepr(kv.val))
			}
			h.FortranOrder = b
		case "shape":
			seen[2] = true
			t, ok := kv.val.(pyTuple)
			if !ok {
				return fmt.Errorf("bad header: shape is %s, want a tuple of integers", pyRepr(kv.val))
			}
			h.Shape = make([]int, len(t))
			for i, e := range t {
				n, ok := e.(int64)
				if !ok || n < 0 {
					return fmt.Errorf("bad header: shape %s has a dimension that is not a non-negative integer", pyRepr(kv.val))
				}
				h.Shape[i] = int(n)
			}
		default:
			return fmt.Errorf("bad header: unexpected key %q", kv.key)
		}
	}
	for i, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[i] {
			return fmt.Errorf("bad header %s: missing key %q", quoteShort(s), k)
		}
	}
	// Guard against element counts or byte sizes that overflow int64.
	total := uint64(1)
	for _, n := range h.Shape {
		if n == 0 {
			total = 0
			break
		}
	}
	if total != 0 {
		limit := uint64(math.MaxInt64) / uint64(h.DType.Size)
		for _, n := range h.Shape {
			if total > limit/uint64(n) {
				return fmt.Errorf("bad header: shape %s is too large", ShapeTuple(h.Shape))
			}
			total *= uint64(n)
		}
	}
	if h.FortranOrder && len(h.Shape) > 1 {
		return fmt.Errorf("array of shape %s is stored in Fortran order; only C order is supported (save it with numpy.ascontiguousarray)", ShapeTuple(h.Shape))
	}
	return nil
}

func quoteShort(s string) string {
	s = strings.TrimRight(s, " \n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return strconv.Quote(s)
}

// A tiny parser for the Python literals numpy writes in headers: dicts,
// tuples, lists, strings, integers (with an optional L suffix), True,
// False and None.
type pyParser struct {
	s string
	i int
}

type pyKV struct {
	key string
	val any
}
type (
	pyDict  []pyKV
	pyTuple []any
	pyList  []any
)

const maxDepth = 32

func (p *pyParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *pyParser) errf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: "+format, append([]any{p.i}, args...)...)
}

func (p *pyParser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errf("nested too deeply")
	}
	p.skipSpace()
	if p.i >= len(p.s) {
		return nil, p.errf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		var d pyDict
		for {
			p.skipSpace()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return d, nil
			}
			k, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, p.errf("dictionary key is not a string")
			}
			p.skipSpace()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, p.errf("want ':' after key %q", ks)
			}
			p.i++
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			for _, kv := range d {
				if kv.key == ks {
					return nil, p.errf("key %q appears twice", ks)
				}
			}
			d = append(d, pyKV{ks, v})
			if err := p.sep('}'); err != nil {
				return nil, err
			}
		}
	case c == '(' || c == '[':
		closer := byte(')')
		if c == '[' {
			closer = ']'
		}
		p.i++
		var items []any
		for {
			p.skipSpace()
			if p.i < len(p.s) && p.s[p.i] == closer {
				p.i++
				if closer == ')' {
					return pyTuple(items), nil
				}
				return pyList(items), nil
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
			if err := p.sep(closer); err != nil {
				return nil, err
			}
		}
	case c == '\'' || c == '"':
		p.i++
		start := p.i
		for p.i < len(p.s) && p.s[p.i] != c {
			if p.s[p.i] == '\\' {
				return nil, p.errf("escape sequences in strings are not supported")
			}
			p.i++
		}
		if p.i >= len(p.s) {
			return nil, p.errf("unterminated string")
		}
		str := p.s[start:p.i]
		p.i++
		return str, nil
	case c >= '0' && c <= '9' || c == '-' || c == '+':
		start := p.i
		p.i++
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		n, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
		if err != nil {
			return nil, p.errf("bad integer %q", p.s[start:p.i])
		}
		if p.i < len(p.s) && (p.s[p.i] == 'L' || p.s[p.i] == 'l') {
			p.i++ // Python 2 long
		}
		return n, nil
	default:
		for _, w := range []struct {
			word string
			val  any
		}{{"True", true}, {"False", false}, {"None", nil}} {
			if strings.HasPrefix(p.s[p.i:], w.word) {
				p.i += len(w.word)
				return w.val, nil
			}
		}
		return nil, p.errf("unexpected %s", quoteShort(p.s[p.i:min(len(p.s), p.i+20)]))
	}
}

// sep consumes ',' or sees the closer (without consuming it).
func (p *pyParser) sep(closer byte) error {
	p.skipSpace()
	if p.i >= len(p.s) {
		return p.errf("unexpected end, want ',' or %q", closer)
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return nil
	case closer:
		return nil
	}
	return p.errf("want ',' or %q, got %q", closer, p.s[p.i])
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return "'" + x + "'"
	case int64:
		return strconv.FormatInt(x, 10)
	case pyTuple:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		if len(x) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case pyList:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case pyDict:
		parts := make([]string, len(x))
		for i, kv := range x {
			parts[i] = "'" + kv.key + "': " + pyRepr(kv.val)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// EncodeHeader returns the complete .npy header (magic, version, length,
// dictionary and padding) for a C-order array, laid out as numpy.save does:
// keys sorted, room for the first dimension to grow, padded with spaces and
// terminated by '\n' so that the data starts at a multiple of 64 bytes.
// Version 1.0 is used unless the header needs more than 65535 bytes.
func EncodeHeader(dt DType, shape []int) []byte {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", dt.String(), ShapeTuple(shape))
	if len(shape) > 0 {
		// numpy's GROWTH_AXIS_MAX_DIGITS = 21 spare characters for the first axis.
		dict += strings.Repeat(" ", max(0, 21-len(strconv.Itoa(shape[0]))))
	}
	wrap := func(prefix int) (int, int) {
		hlen := len(dict) + 1
		// As numpy: 1 to 64 spaces (64 when already aligned).
		pad := 64 - (prefix+hlen)%64
		return hlen, pad
	}
	major, prefix := 1, 10
	hlen, pad := wrap(prefix)
	if hlen+pad > math.MaxUint16 {
		major, prefix = 2, 12
		hlen, pad = wrap(prefix)
	}
	out := make([]byte, 0, prefix+hlen+pad)
	out = append(out, Magic...)
	out = append(out, byte(major), 0)
	if major == 1 {
		out = binary.LittleEndian.AppendUint16(out, uint16(hlen+pad))
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(hlen+pad))
	}
	out = append(out, dict...)
	for range pad {
		out = append(out, ' ')
	}
	return append(out, '\n')
}
