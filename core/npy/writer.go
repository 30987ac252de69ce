package npy

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ArrayWriter streams the data of one .npy array after its header. The
// number of values written must match the shape; Close checks it.
type ArrayWriter struct {
	dt      DType
	shape   []int
	name    string
	w       io.Writer
	want    int64
	written int64
	buf     []byte
	closed  bool
	onClose func() error
}

// NewWriter writes the header of a C-order array of the given dtype and
// shape to w and returns a writer for its data. Supported dtypes: Float64,
// Float32, Int64, Int32, Int16, Int8, Uint8 and Bool.
func NewWriter(w io.Writer, dt DType, shape ...int) (*ArrayWriter, error) {
	return newWriter(w, "array", dt, shape)
}

func newWriter(w io.Writer, name string, dt DType, shape []int) (*ArrayWriter, error) {
	if err := checkWritable(dt); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	want := int64(1)
	for _, s := range shape {
		if s < 0 {
			return nil, fmt.Errorf("%s: negative dimension in shape %s", name, ShapeTuple(shape))
		}
		want *= int64(s)
	}
	if _, err := w.Write(EncodeHeader(dt, shape)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &ArrayWriter{dt: dt, shape: append([]int(nil), shape...), name: name, w: w, want: want}, nil
}

func checkWritable(dt DType) error {
	if dt.BigEndian && dt.Size > 1 {
		return fmt.Errorf("writing big-endian dtype %s is not supported", dt)
	}
	switch dt {
	case Float64, Float32, Int64, Int32, Int16, Int8, Uint8, Bool:
		return nil
	}
	return fmt.Errorf("writing dtype %s is not supported", dt)
}

// WriteFloat64 appends values converted to the array's dtype. Conversion
// to an integer or bool dtype requires integral values in range (0 or 1
// for bool); float32 rounds to nearest.
func (a *ArrayWriter) WriteFloat64(v []float64) error {
	if err := a.room(len(v)); err != nil {
		return err
	}
	for len(v) > 0 {
		n := min(len(v), 8192)
		b := a.scratch(n)
		if err := a.encodeFloats(b, v[:n]); err != nil {
			return err
		}
		if _, err := a.w.Write(b); err != nil {
			return fmt.Errorf("%s: %w", a.name, err)
		}
		a.written += int64(n)
		v = v[n:]
	}
	return nil
}

// Write appends a slice whose Go element type is the array's dtype
// ([]float64 for Float64, []int32 for Int32, []bool for Bool, ...), or a
// []float64 for any dtype (converted as by WriteFloat64).
func (a *ArrayWriter) Write(data any) error {
	if f, ok := data.([]float64); ok {
		return a.WriteFloat64(f)
	}
	dt, n, err := sliceInfo(data)
	if err != nil {
		return fmt.Errorf("%s: %w", a.name, err)
	}
	if dt != a.dt {
		return fmt.Errorf("%s: cannot write %T to an array of dtype %s", a.name, data, a.dt.Name())
	}
	if err := a.room(n); err != nil {
		return err
	}
	b := a.scratch(n)
	encodeSlice(b, data)
	if _, err := a.w.Write(b); err != nil {
		return fmt.Errorf("%s: %w", a.name, err)
	}
	a.written += int64(n)
	return nil
}

func (a *ArrayWriter) room(n int) error {
	if a.closed {
		return fmt.Errorf("%s: write after Close", a.name)
	}
	if a.written+int64(n) > a.want {
		return fmt.Errorf("%s: shape %s holds %d values but %d were written", a.name, ShapeTuple(a.shape), a.want, a.written+int64(n))
	}
	return nil
}

func (a *ArrayWriter) scratch(n int) []byte {
	nb := n * a.dt.Size
	if cap(a.buf) < nb {
		a.buf = make([]byte, nb)
	}
	return a.buf[:nb]
}

func (a *ArrayWriter) encodeFloats(b []byte, v []float64) error {
	le := binary.LittleEndian
	switch a.dt {
	case Float64:
		for i, x := range v {
			le.PutUint64(b[8*i:], math.Float64bits(x))
		}
		return nil
	case Float32:
		for i, x := range v {
			le.PutUint32(b[4*i:], math.Float32bits(float32(x)))
		}
		return nil
	}
	lo, hi := -math.Ldexp(1, 8*a.dt.Size-1), math.Ldexp(1, 8*a.dt.Size-1)
	if a.dt == Uint8 {
		lo, hi = 0, 256
	}
	if a.dt == Bool {
		lo, hi = 0, 2
	}
	for i, x := range v {
		if x != math.Trunc(x) || x < lo || x >= hi {
			return fmt.Errorf("%s: value %v at position %d cannot be stored as %s", a.name, x, a.written+int64(i), a.dt.Name())
		}
		switch a.dt.Size {
		case 8:
			le.PutUint64(b[8*i:], uint64(int64(x)))
		case 4:
			le.PutUint32(b[4*i:], uint32(int32(x)))
		case 2:
			le.PutUint16(b[2*i:], uint16(int16(x)))
		case 1:
			if a.dt.Kind == 'i' {
				b[i] = byte(int8(x))
			} else {
				b[i] = byte(uint8(x))
			}
		}
	}
	return nil
}

// Close checks that the whole shape was written.
func (a *ArrayWriter) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	if a.written != a.want {
		return fmt.Errorf("%s: shape %s needs %d values but %d were written", a.name, ShapeTuple(a.shape), a.want, a.written)
	}
	if a.onClose != nil {
		return a.onClose()
	}
	return nil
}

func sliceInfo(data any) (DType, int, error) {
	switch v := data.(type) {
	case []float64:
		return Float64, len(v), nil
	case []float32:
		return Float32, len(v), nil
	case []int64:
		return Int64, len(v), nil
	case []int32:
		return Int32, len(v), nil
	case []int16:
		return Int16, len(v), nil
	case []int8:
		return Int8, len(v), nil
	case []uint8:
		return Uint8, len(v), nil
	case []bool:
		return Bool, len(v), nil
	}
	return DType{}, 0, fmt.Errorf("unsupported data type %T (want []float64, []float32, []int64, []int32, []int16, []int8, []uint8 or []bool)", data)
}

func encodeSlice(b []byte, data any) {
	le := binary.LittleEndian
	switch v := data.(type) {
	case []float64:
		for i, x := range v {
			le.PutUint64(b[8*i:], math.Float64bits(x))
		}
	case []float32:
		for i, x := range v {
			le.PutUint32(b[4*i:], math.Float32bits(x))
		}
	case []int64:
		for i, x := range v {
			le.PutUint64(b[8*i:], uint64(x))
		}
	case []int32:
		for i, x := range v {
			le.PutUint32(b[4*i:], uint32(x))
		}
	case []int16:
		for i, x := range v {
			le.PutUint16(b[2*i:], uint16(x))
		}
	case []int8:
		for i, x := range v {
			b[i] = byte(x)
		}
	case []uint8:
		copy(b, v)
	case []bool:
		for i, x := range v {
			b[i] = 0
			if x {
				b[i] = 1
			}
		}
	}
}

// Write writes data as one .npy array of the given shape (the product of
// shape must equal len(data); no shape means 1-D). The dtype follows the Go
// type: []float64 → <f8, []float32 → <f4, []int64 → <i8, []int32 → <i4,
// []int16 → <i2, []int8 → |i1, []uint8 → |u1, []bool → |b1.
func Write(w io.Writer, data any, shape ...int) error {
	dt, n, err := sliceInfo(data)
	if err != nil {
		return err
	}
	if shape == nil {
		shape = []int{n}
	}
	a, err := NewWriter(w, dt, shape...)
	if err != nil {
		return err
	}
	if err := a.Write(data); err != nil {
		return err
	}
	return a.Close()
}

// WriteFile writes data as a .npy file (see Write). The file is written to
// a temporary name in the same folder and renamed, so a reader never sees
// a partial file.
func WriteFile(path string, data any, shape ...int) error {
	return writeAtomic(path, func(w io.Writer) error { return Write(w, data, shape...) })
}

// writeAtomic writes through a buffered temporary file and renames it.
func writeAtomic(path string, fill func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = fill(bw); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}

// zipEpoch is the modification time written for every member, so that
// archives are byte-for-byte reproducible (numpy writes the same date).
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// NPZWriter writes an .npz archive, one member at a time.
type NPZWriter struct {
	zw         *zip.Writer
	compressed bool
	open       *ArrayWriter
	names      map[string]bool
}

// NewNPZWriter starts an .npz archive on w. With compressed = true members
// are DEFLATE-compressed (numpy.savez_compressed), otherwise stored
// (numpy.savez). Call Close to finish the archive.
func NewNPZWriter(w io.Writer, compressed bool) *NPZWriter {
	return &NPZWriter{zw: zip.NewWriter(w), compressed: compressed, names: map[string]bool{}}
}

// Create starts member NAME.npy with the given dtype and shape and returns
// a writer for its data; the previous member must be closed first.
func (z *NPZWriter) Create(name string, dt DType, shape ...int) (*ArrayWriter, error) {
	if z.open != nil && !z.open.closed {
		return nil, fmt.Errorf("npz: member %q is still open", z.open.name)
	}
	name = strings.TrimSuffix(name, ".npy")
	if name == "" || strings.ContainsAny(name, "/\\") {
		return nil, fmt.Errorf("npz: bad array name %q", name)
	}
	if z.names[name] {
		return nil, fmt.Errorf("npz: array %q written twice", name)
	}
	z.names[name] = true
	method := zip.Store
	if z.compressed {
		method = zip.Deflate
	}
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: method, Modified: zipEpoch})
	if err != nil {
		return nil, err
	}
	a, err := newWriter(w, name+".npy", dt, shape)
	if err != nil {
		return nil, err
	}
	z.open = a
	return a, nil
}

// Add writes one whole member (see Write for the dtype of each Go type).
func (z *NPZWriter) Add(name string, data any, shape ...int) error {
	dt, n, err := sliceInfo(data)
	if err != nil {
		return fmt.Errorf("npz: array %q: %w", name, err)
	}
	if shape == nil {
		shape = []int{n}
	}
	a, err := z.Create(name, dt, shape...)
	if err != nil {
		return err
	}
	if err := a.Write(data); err != nil {
		return err
	}
	return a.Close()
}

// Close finishes the archive (it does not close the underlying writer).
func (z *NPZWriter) Close() error {
	if z.open != nil && !z.open.closed {
		if err := z.open.Close(); err != nil {
			return err
		}
	}
	return z.zw.Close()
}

// WriteNPZFile writes an .npz file with one member per entry of arrays, in
// the order of names (every name must be a key of arrays); shapes gives
// each member's shape (1-D when absent). The file is written atomically.
func WriteNPZFile(path string, compressed bool, names []string, arrays map[string]any, shapes map[string][]int) error {
	return writeAtomic(path, func(w io.Writer) error {
		z := NewNPZWriter(w, compressed)
		for _, n := range names {
			data, ok := arrays[n]
			if !ok {
				return fmt.Errorf("no data for array %q", n)
			}
			if err := z.Add(n, data, shapes[n]...); err != nil {
				return err
			}
		}
		return z.Close()
	})
}
