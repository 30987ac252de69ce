package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Array streams the first-axis rows of one .npy array (a file or an .npz
// member). It is not safe for concurrent use.
type Array struct {
	Header
	// Name identifies the array in errors: the file path, or
	// "MEMBER in FILE" for an .npz member.
	Name string

	r      io.Reader
	closer io.Closer
	where  string // "file" or "member", for truncation messages
	next   int    // next row to read
	size   int64  // bytes the source declares (header included), -1 if unknown
	buf    []byte
	// verifyEOF asks for a final read after the last row, so that a zip
	// member's checksum is verified and trailing bytes are detected.
	verifyEOF bool
}

// NewArray reads the header of an array from r. name is used in errors;
// size is the total number of bytes r holds (header included), or -1 when
// unknown, and lets truncation be reported before any data is read.
func NewArray(r io.Reader, name string, size int64) (*Array, error) {
	return newArray(r, nil, name, "input", size)
}

func newArray(r io.Reader, closer io.Closer, name, where string, size int64) (*Array, error) {
	h, err := ReadHeader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	a := &Array{Header: h, Name: name, r: r, closer: closer, where: where, size: size, verifyEOF: true}
	if size >= 0 {
		have := size - h.DataOffset
		if have < h.DataBytes() {
			return nil, a.truncated(have)
		}
		if have > h.DataBytes() {
			return nil, fmt.Errorf("%s: header says %s %s (%d bytes) but the %s holds %d bytes of data (%d too many; corrupted?)",
				name, h.ShapeString(), h.DType.Name(), h.DataBytes(), where, have, have-h.DataBytes())
		}
	}
	return a, nil
}

func (a *Array) truncated(have int64) error {
	return fmt.Errorf("%s: truncated: header says %s %s (%d bytes) but the %s holds %d",
		a.Name, a.ShapeString(), a.DType.Name(), a.DataBytes(), a.where, max(have, 0))
}

// Open opens a .npy file for streaming.
func Open(path string) (*Array, error) {
	return openFile(path, func(f *os.File, size int64) (*Array, error) {
		return newArray(bufio.NewReaderSize(f, 1<<16), f, path, "file", size)
	})
}

// Remaining returns the number of rows not read yet.
func (a *Array) Remaining() int { return a.Rows() - a.next }

// Close releases the underlying file or archive member.
func (a *Array) Close() error {
	if a.closer == nil {
		return nil
	}
	c := a.closer
	a.closer = nil
	return c.Close()
}

// readRows reads up to maxRows rows of raw bytes and returns them.
func (a *Array) readRows(maxRows int) ([]byte, int, error) {
	rem := a.Remaining()
	if rem <= 0 {
		return nil, 0, io.EOF
	}
	n := min(rem, maxRows)
	nb := n * a.RowLen() * a.DType.Size
	if cap(a.buf) < nb {
		a.buf = make([]byte, nb)
	}
	b := a.buf[:nb]
	got, err := io.ReadFull(a.r, b)
	if err != nil {
		have := int64(a.next)*int64(a.RowLen())*int64(a.DType.Size) + int64(got)
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			if a.size >= 0 {
				// The declared size was checked at open, so the stream
				// itself is damaged (for example corrupted DEFLATE data).
				return nil, 0, fmt.Errorf("%s: corrupted: the %s declares %d bytes of data but its stream ends after %d (damaged file or compressed data)",
					a.Name, a.where, a.size-a.DataOffset, have)
			}
			return nil, 0, a.truncated(have)
		}
		return nil, 0, fmt.Errorf("%s: reading rows %d..%d: %w", a.Name, a.next, a.next+n-1, err)
	}
	a.next += n
	if a.next == a.Rows() && a.verifyEOF {
		var one [1]byte
		k, err := io.ReadFull(a.r, one[:])
		switch {
		case k > 0:
			return nil, 0, fmt.Errorf("%s: header says %s %s (%d bytes) but more data follows (corrupted?)",
				a.Name, a.ShapeString(), a.DType.Name(), a.DataBytes())
		case err != nil && err != io.EOF:
			return nil, 0, fmt.Errorf("%s: %w", a.Name, err)
		}
	}
	return b, n, nil
}

func (a *Array) checkDst(dstLen int) (int, error) {
	rl := a.RowLen()
	if rl == 0 {
		return a.Remaining(), nil
	}
	if dstLen < rl {
		return 0, fmt.Errorf("%s: destination holds %d values, less than one row of %d", a.Name, dstLen, rl)
	}
	return dstLen / rl, nil
}

// ReadFloat64 reads as many whole rows as fit in dst (at most Remaining()),
// converted to float64, and returns the number of rows read. At the end of
// the array it returns 0, io.EOF. 64-bit integers beyond 2^53 are rounded.
func (a *Array) ReadFloat64(dst []float64) (int, error) {
	maxRows, err := a.checkDst(len(dst))
	if err != nil {
		return 0, err
	}
	b, n, err := a.readRows(maxRows)
	if err != nil {
		return 0, err
	}
	decodeFloat64(dst[:n*a.RowLen()], b, a.DType)
	return n, nil
}

// ReadInt64 reads as many whole rows as fit in dst, converted to int64.
// Floating-point values must be integers within the int64 range; the error
// otherwise names the row.
func (a *Array) ReadInt64(dst []int64) (int, error) {
	maxRows, err := a.checkDst(len(dst))
	if err != nil {
		return 0, err
	}
	first := a.next
	b, n, err := a.readRows(maxRows)
	if err != nil {
		return 0, err
	}
	if bad := decodeInt64(dst[:n*a.RowLen()], b, a.DType); bad >= 0 {
		row := first + bad/a.RowLen()
		return 0, fmt.Errorf("%s: row %d: value %v is not an integer in the int64 range", a.Name, row, a.floatAt(b, bad))
	}
	return n, nil
}

func (a *Array) floatAt(b []byte, i int) float64 {
	var v [1]float64
	s := a.DType.Size
	decodeFloat64(v[:], b[i*s:(i+1)*s], a.DType)
	return v[0]
}

// ReadAllFloat64 reads every remaining row into a new slice.
func (a *Array) ReadAllFloat64() ([]float64, error) {
	return readAll(a, a.ReadFloat64)
}

// ReadAllInt64 reads every remaining row into a new slice of int64.
func (a *Array) ReadAllInt64() ([]int64, error) {
	return readAll(a, a.ReadInt64)
}

// readAll reads every remaining row of a into a new slice with read
// (ReadFloat64 or ReadInt64), in chunks of about 1 MiB of file data so
// that the byte buffer stays small.
func readAll[T float64 | int64](a *Array, read func([]T) (int, error)) ([]T, error) {
	out := make([]T, int64(a.Remaining())*int64(a.RowLen()))
	chunk := max(1, (1<<20)/max(1, a.RowLen()*a.DType.Size))
	off := 0
	for a.Remaining() > 0 {
		end := min(len(out), off+chunk*a.RowLen())
		n, err := read(out[off:end])
		if err != nil {
			return nil, err
		}
		off += n * a.RowLen()
		if a.RowLen() == 0 {
			break
		}
	}
	return out, nil
}

// ReadFile reads a whole .npy file as float64 and returns the data and shape.
func ReadFile(path string) ([]float64, []int, error) {
	a, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer a.Close()
	data, err := a.ReadAllFloat64()
	if err != nil {
		return nil, nil, err
	}
	return data, a.Shape, nil
}

func byteOrder(dt DType) binary.ByteOrder {
	if dt.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// decodeFloat64 converts len(dst) items of src.
func decodeFloat64(dst []float64, src []byte, dt DType) {
	bo := byteOrder(dt)
	switch {
	case dt.Kind == 'f' && dt.Size == 8:
		if !dt.BigEndian {
			for i := range dst {
				dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))
			}
			return
		}
		for i := range dst {
			dst[i] = math.Float64frombits(bo.Uint64(src[8*i:]))
		}
	case dt.Kind == 'f' && dt.Size == 4:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(bo.Uint32(src[4*i:])))
		}
	default:
		decodeInteger(dst, src, dt)
	}
}

// decodeInt64 converts len(dst) items of src and returns the index of the
// first value that is not an integer in range (floats), or -1.
func decodeInt64(dst []int64, src []byte, dt DType) int {
	switch {
	case dt.Kind == 'f':
		var tmp [256]float64
		for off := 0; off < len(dst); off += len(tmp) {
			n := min(len(tmp), len(dst)-off)
			decodeFloat64(tmp[:n], src[off*dt.Size:], dt)
			for i, v := range tmp[:n] {
				// -2^63 is exact; 2^63 is not representable.
				if v != math.Trunc(v) || v < -9.223372036854775808e18 || v >= 9.223372036854775808e18 {
					return off + i
				}
				dst[off+i] = int64(v)
			}
		}
	case dt.Kind == 'u' && dt.Size == 8:
		decodeInteger(dst, src, dt)
		for i, v := range dst {
			if v < 0 { // above 2^63 - 1
				return i
			}
		}
	default:
		decodeInteger(dst, src, dt)
	}
	return -1
}

// decodeInteger converts len(dst) items of src of an integer or bool
// dtype (kinds i, u and b) to T, as Go's conversions do: exactly, except
// uint64 values above 2^63 - 1, which wrap to negative int64 (see
// decodeInt64) and round to the nearest float64.
func decodeInteger[T float64 | int64](dst []T, src []byte, dt DType) {
	bo := byteOrder(dt)
	switch {
	case dt.Kind == 'i' && dt.Size == 8:
		for i := range dst {
			dst[i] = T(int64(bo.Uint64(src[8*i:])))
		}
	case dt.Kind == 'i' && dt.Size == 4:
		for i := range dst {
			dst[i] = T(int32(bo.Uint32(src[4*i:])))
		}
	case dt.Kind == 'i' && dt.Size == 2:
		for i := range dst {
			dst[i] = T(int16(bo.Uint16(src[2*i:])))
		}
	case dt.Kind == 'i' && dt.Size == 1:
		for i := range dst {
			dst[i] = T(int8(src[i]))
		}
	case dt.Kind == 'u' && dt.Size == 8:
		for i := range dst {
			dst[i] = T(bo.Uint64(src[8*i:]))
		}
	case dt.Kind == 'u' && dt.Size == 4:
		for i := range dst {
			dst[i] = T(bo.Uint32(src[4*i:]))
		}
	case dt.Kind == 'u' && dt.Size == 2:
		for i := range dst {
			dst[i] = T(bo.Uint16(src[2*i:]))
		}
	case dt.Kind == 'u' && dt.Size == 1:
		for i := range dst {
			dst[i] = T(src[i])
		}
	case dt.Kind == 'b':
		for i := range dst {
			if src[i] != 0 {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	default:
		panic("npy: unsupported dtype " + dt.String()) // ParseDType refuses it first
	}
}
