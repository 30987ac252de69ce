package npy

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzReadHeader feeds arbitrary bytes to the header parser and the row
// reader. Seeds live in testdata/fuzz/FuzzReadHeader (run with
// go test -fuzz=FuzzReadHeader ./core/npy). Nothing may panic, and a
// header that parses must survive EncodeHeader and parse to the same
// dtype and shape.
func FuzzReadHeader(f *testing.F) {
	f.Add(rawNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n"))
	f.Add(append(EncodeHeader(Int32, []int{3}), make([]byte, 12)...))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := ReadHeader(bytes.NewReader(in))
		if err != nil {
			return
		}
		if h.DataOffset > int64(len(in)) || h.DataBytes() < 0 {
			t.Fatalf("DataOffset %d, DataBytes %d for %d input bytes", h.DataOffset, h.DataBytes(), len(in))
		}
		enc := EncodeHeader(h.DType, h.Shape)
		h2, err := ReadHeader(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("re-encoded header does not parse: %v\n%q", err, enc)
		}
		if h2.DType != h.DType || !reflect.DeepEqual(h2.Shape, h.Shape) {
			t.Fatalf("re-encoded header differs: %+v vs %+v", h2, h)
		}
		// With the size known, the reader only reads what the input holds.
		a, err := NewArray(bytes.NewReader(in), "fuzz", int64(len(in)))
		if err != nil {
			return
		}
		if _, err := a.ReadAllFloat64(); err != nil {
			t.Fatalf("data of the declared size fails to read: %v", err)
		}
		a, _ = NewArray(bytes.NewReader(in), "fuzz", int64(len(in)))
		a.ReadAllInt64() // may fail on non-integral floats, must not panic
	})
}
