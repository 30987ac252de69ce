package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// rawNPY builds a .npy preamble around an arbitrary header dictionary.
func rawNPY(major byte, dict string) []byte {
	var b bytes.Buffer
	b.WriteString(Magic)
	b.WriteByte(major)
	b.WriteByte(0)
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(dict)))
	}
	b.WriteString(dict)
	return b.Bytes()
}

func TestReadHeader(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		dtype   DType
		shape   []int
		fortran bool
		wantErr string
	}{
		{name: "v1 float64 3-D", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (500, 101, 4), }   \n"),
			dtype: Float64, shape: []int{500, 101, 4}},
		{name: "v2 int32 1-D", in: rawNPY(2, "{'descr': '<i4', 'fortran_order': False, 'shape': (100,), }\n"),
			dtype: Int32, shape: []int{100}},
		{name: "v3 utf8 bool", in: rawNPY(3, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }\n"),
			dtype: Bool, shape: []int{3}},
		{name: "scalar", in: rawNPY(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n"),
			dtype: Float32, shape: []int{}},
		{name: "keys in any order, double quotes", in: rawNPY(1, `{"shape": (2, 3), "fortran_order": False, "descr": "<u8"}`),
			dtype: DType{Kind: 'u', Size: 8}, shape: []int{2, 3}},
		{name: "python 2 longs", in: rawNPY(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (7L, 2L), }"),
			dtype: Int64, shape: []int{7, 2}},
		{name: "native byte order", in: rawNPY(1, "{'descr': '=i2', 'fortran_order': False, 'shape': (5,)}"),
			dtype: Int16, shape: []int{5}},
		{name: "big endian", in: rawNPY(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (5,)}"),
			dtype: DType{Kind: 'f', Size: 8, BigEndian: true}, shape: []int{5}},
		{name: "pipe int8", in: rawNPY(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (5,)}"),
			dtype: Int8, shape: []int{5}},
		{name: "fortran 1-D is C order too", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (5,)}"),
			dtype: Float64, shape: []int{5}, fortran: true},
		{name: "zero-length", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4)}"),
			dtype: Float64, shape: []int{0, 4}},

		{name: "empty input", in: nil, wantErr: "bad magic"},
		{name: "bad magic", in: []byte("PK\x03\x04 this is a zip"), wantErr: "bad magic"},
		{name: "short preamble", in: []byte("\x93NUM"), wantErr: "truncated"},
		{name: "version 4", in: append([]byte(Magic), 4, 0, 0, 0, 0, 0), wantErr: "unsupported .npy format version 4.0"},
		{name: "version 1.1", in: append([]byte(Magic), 1, 1, 0, 0), wantErr: "version 1.1"},
		{name: "truncated header", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,)}")[:30], wantErr: "truncated: header says"},
		{name: "fortran 2-D", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (5, 2)}"), wantErr: "Fortran order"},
		{name: "complex dtype", in: rawNPY(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (5,)}"), wantErr: `unsupported dtype "<c16"`},
		{name: "object dtype", in: rawNPY(1, "{'descr': '|O', 'fortran_order': False, 'shape': (5,)}"), wantErr: `unsupported dtype "|O"`},
		{name: "float16", in: rawNPY(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (5,)}"), wantErr: `unsupported dtype "<f2"`},
		{name: "structured dtype", in: rawNPY(1, "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (5,)}"), wantErr: "structured"},
		{name: "missing shape", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': False}"), wantErr: `missing key "shape"`},
		{name: "extra key", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}"), wantErr: `unexpected key "x"`},
		{name: "duplicate key", in: rawNPY(1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}"), wantErr: "twice"},
		{name: "negative dim", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}"), wantErr: "non-negative"},
		{name: "shape overflow", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}"), wantErr: "too large"},
		{name: "fortran_order not bool", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}"), wantErr: "fortran_order"},
		{name: "garbage after dict", in: rawNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk"), wantErr: "after the dictionary"},
		{name: "unterminated string", in: rawNPY(1, "{'descr: <f8"), wantErr: "unterminated string"},
		{name: "not a dict", in: rawNPY(1, "(1, 2)"), wantErr: "not a dictionary"},
		{name: "non-ascii v1", in: rawNPY(1, "{'descr': '<f8\xff', 'fortran_order': False, 'shape': (1,)}"), wantErr: "not ASCII"},
		{name: "huge v2 length", in: append([]byte(Magic), 2, 0, 0xff, 0xff, 0xff, 0x7f), wantErr: "implausibly large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ReadHeader(bytes.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.DType != tc.dtype || !reflect.DeepEqual(h.Shape, tc.shape) || h.FortranOrder != tc.fortran {
				t.Fatalf("got dtype %v shape %v fortran %v, want %v %v %v", h.DType, h.Shape, h.FortranOrder, tc.dtype, tc.shape, tc.fortran)
			}
			if h.DataOffset != int64(len(tc.in)) {
				t.Fatalf("DataOffset = %d, want %d", h.DataOffset, len(tc.in))
			}
		})
	}
}

func TestBadMagicIsWrapped(t *testing.T) {
	_, err := ReadHeader(strings.NewReader("hello world"))
	if !errors.Is(err, ErrBadMagic) {
		t.Fatalf("error %v does not wrap ErrBadMagic", err)
	}
}

func TestEncodeHeaderLayout(t *testing.T) {
	for _, shape := range [][]int{{}, {0}, {7}, {500, 101, 4}, {20000, 138, 4}, {1 << 40, 2}, make([]int, 25000)} {
		for _, dt := range []DType{Float64, Int8, Bool} {
			b := EncodeHeader(dt, shape)
			if len(b)%64 != 0 || b[len(b)-1] != '\n' {
				t.Fatalf("shape %v: header of %d bytes, last byte %q: want a multiple of 64 ending in newline", shape, len(b), b[len(b)-1])
			}
			h, err := ReadHeader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("shape %v: re-reading our own header: %v", shape, err)
			}
			if h.DType != dt || len(h.Shape) != len(shape) || h.DataOffset != int64(len(b)) {
				t.Fatalf("shape %v: round trip gave %+v", shape, h)
			}
			if wantMajor := 1 + btoi(len(b) > 65535); h.Major != wantMajor {
				t.Fatalf("shape %v: version %d, want %d", shape, h.Major, wantMajor)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseDType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		name string
	}{
		{"<f8", "float64"}, {"<f4", "float32"}, {"<i8", "int64"}, {"<i4", "int32"}, {"<i2", "int16"},
		{"|i1", "int8"}, {"|u1", "uint8"}, {"|b1", "bool"}, {"<u4", "uint32"}, {"<u8", "uint64"},
		{"=f8", "float64"}, {">i4", "int32"}, {"<u2", "uint16"},
	} {
		dt, err := ParseDType(tc.in)
		if err != nil || dt.Name() != tc.name {
			t.Errorf("ParseDType(%q) = %v (%s), %v; want %s", tc.in, dt, dt.Name(), err, tc.name)
		}
	}
	for _, bad := range []string{"", "f8", "<f16", "<i3", "<b2", "<U10", "<M8", "xf8", "<f"} {
		if _, err := ParseDType(bad); err == nil {
			t.Errorf("ParseDType(%q) succeeded", bad)
		}
	}
}
