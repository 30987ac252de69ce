package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/internal/sharedtest"
)

func TestRoundTripNPY(t *testing.T) {
	tests := []struct {
		name  string
		data  any
		shape []int
		want  []float64
	}{
		{"float64 matrix", []float64{1.5, -2, math.Inf(1), math.SmallestNonzeroFloat64, 0, math.MaxFloat64}, []int{2, 3},
			[]float64{1.5, -2, math.Inf(1), math.SmallestNonzeroFloat64, 0, math.MaxFloat64}},
		{"float32", []float32{0.1, -3}, nil, []float64{float64(float32(0.1)), -3}},
		{"int64", []int64{-1 << 40, 7}, nil, []float64{-1 << 40, 7}},
		{"int32 3-D", []int32{1, -2, 3, -4, 5, -6, 7, -8}, []int{2, 2, 2}, []float64{1, -2, 3, -4, 5, -6, 7, -8}},
		{"int16", []int16{-32768, 32767}, nil, []float64{-32768, 32767}},
		{"int8", []int8{-128, 127, 0}, nil, []float64{-128, 127, 0}},
		{"uint8", []uint8{0, 255}, nil, []float64{0, 255}},
		{"bool", []bool{true, false, true}, nil, []float64{1, 0, 1}},
		{"scalar", []float64{42}, []int{}, []float64{42}},
		{"empty", []float64{}, []int{0, 4}, []float64{}},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".npy")
			if err := WriteFile(path, tc.data, tc.shape...); err != nil {
				t.Fatal(err)
			}
			got, shape, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantShape := tc.shape
			if wantShape == nil {
				wantShape = []int{len(tc.want)}
			}
			if !reflect.DeepEqual(shape, wantShape) {
				t.Fatalf("shape %v, want %v", shape, wantShape)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("data %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWriteRefusesWrongCount(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, []float64{1, 2, 3}, 2, 2); err == nil || !strings.Contains(err.Error(), "needs 4 values but 3") {
		t.Fatalf("error = %v", err)
	}
	if err := Write(&b, []float64{1, 2, 3}, 1, 2); err == nil || !strings.Contains(err.Error(), "holds 2 values but 3") {
		t.Fatalf("error = %v", err)
	}
	if err := Write(&b, []string{"a"}); err == nil || !strings.Contains(err.Error(), "unsupported data type") {
		t.Fatalf("error = %v", err)
	}
	a, _ := NewWriter(&b, Int8, 2)
	if err := a.WriteFloat64([]float64{1, 200}); err == nil || !strings.Contains(err.Error(), "cannot be stored as int8") {
		t.Fatalf("error = %v", err)
	}
}

func TestStreamingBatches(t *testing.T) {
	// 37 rows of 3 values read in batches of every size gives the same data.
	data := make([]float64, 37*3)
	for i := range data {
		data[i] = float64(i) * 0.5
	}
	var buf bytes.Buffer
	if err := Write(&buf, data, 37, 3); err != nil {
		t.Fatal(err)
	}
	for batch := 1; batch <= 40; batch++ {
		a, err := NewArray(bytes.NewReader(buf.Bytes()), "mem", int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		dst := make([]float64, batch*3+2) // room for batch rows (plus a partial row, ignored)
		for {
			n, err := a.ReadFloat64(dst)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if n > batch {
				t.Fatalf("read %d rows into room for %d", n, batch)
			}
			got = append(got, dst[:n*3]...)
		}
		if !reflect.DeepEqual(got, data) {
			t.Fatalf("batch %d: data differs", batch)
		}
	}
	a, _ := NewArray(bytes.NewReader(buf.Bytes()), "mem", -1)
	if _, err := a.ReadFloat64(make([]float64, 2)); err == nil || !strings.Contains(err.Error(), "less than one row") {
		t.Fatalf("error = %v", err)
	}
}

func TestBigEndianAndInt64(t *testing.T) {
	var b bytes.Buffer
	b.Write(rawNPY(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,)}"))
	binary.Write(&b, binary.BigEndian, []float64{1.25, -3})
	a, err := NewArray(&b, "be", -1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.ReadAllFloat64()
	if err != nil || !reflect.DeepEqual(got, []float64{1.25, -3}) {
		t.Fatalf("got %v, %v", got, err)
	}

	var c bytes.Buffer
	Write(&c, []float64{0, 1, 2.5})
	a, _ = NewArray(&c, "labels.npy", -1)
	if _, err := a.ReadAllInt64(); err == nil || !strings.Contains(err.Error(), "labels.npy: row 2: value 2.5 is not an integer") {
		t.Fatalf("error = %v", err)
	}
}

func TestNPZRoundTrip(t *testing.T) {
	for _, compressed := range []bool{false, true} {
		var b bytes.Buffer
		z := NewNPZWriter(&b, compressed)
		if err := z.Add("X", []float32{1, 2, 3, 4, 5, 6}, 1, 3, 2); err != nil {
			t.Fatal(err)
		}
		if err := z.Add("y.npy", []int32{1}); err != nil {
			t.Fatal(err)
		}
		if err := z.Add("y", []int32{1}); err == nil {
			t.Fatal("writing y twice succeeded")
		}
		if err := z.Add("flags", []bool{true}); err != nil {
			t.Fatal(err)
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		arc, err := NewArchive(bytes.NewReader(b.Bytes()), int64(b.Len()), "mem.npz")
		if err != nil {
			t.Fatal(err)
		}
		if got := arc.Names(); !reflect.DeepEqual(got, []string{"X", "y", "flags"}) {
			t.Fatalf("names %v", got)
		}
		for _, name := range []string{"X", "X.npy"} {
			x, err := arc.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			v, err := x.ReadAllFloat64()
			if err != nil || !reflect.DeepEqual(v, []float64{1, 2, 3, 4, 5, 6}) || x.ShapeString() != "1×3×2" || x.DType != Float32 {
				t.Fatalf("compressed=%v %s: %v %v %s %v", compressed, name, v, err, x.ShapeString(), x.DType)
			}
			x.Close()
		}
		y, _ := arc.Open("y")
		if v, err := y.ReadAllInt64(); err != nil || !reflect.DeepEqual(v, []int64{1}) {
			t.Fatalf("y = %v, %v", v, err)
		}
		if _, err := arc.Open("Y"); err == nil || !strings.Contains(err.Error(), `mem.npz has no array "Y" (arrays: X, y, flags)`) {
			t.Fatalf("error = %v", err)
		}
	}
}

func TestWriterIsDeterministic(t *testing.T) {
	write := func() []byte {
		var b bytes.Buffer
		z := NewNPZWriter(&b, true)
		z.Add("a", []float64{1, 2, 3})
		z.Close()
		return b.Bytes()
	}
	if !bytes.Equal(write(), write()) {
		t.Fatal("two writes of the same archive differ")
	}
}

// TestSharedFiles reads the shared samples (data/README.md lists their
// contents) and the reference matrix (reference/README-analysis.md).
func TestSharedFiles(t *testing.T) {
	t.Run("small", func(t *testing.T) {
		p := sharedtest.Path(t, "data/pythia8-qg-small.npz")
		arc, err := OpenNPZ(p)
		if err != nil {
			t.Fatal(err)
		}
		defer arc.Close()
		if got := arc.Names(); !reflect.DeepEqual(got, []string{"X", "y", "jets"}) {
			t.Fatalf("members %v", got)
		}
		h, _ := arc.Header("X")
		if h.ShapeString() != "500×101×4" || h.DType != Float64 {
			t.Fatalf("X is %s %s", h.ShapeString(), h.DType.Name())
		}
		// Our header for the same array is byte-identical to numpy's.
		raw := rawMember(t, p, "X.npy", 128)
		if want := EncodeHeader(Float64, []int{500, 101, 4}); !bytes.Equal(raw, want) {
			t.Fatalf("numpy header\n%q\nours\n%q", raw, want)
		}
		y, _ := arc.Open("y")
		labels, err := y.ReadAllInt64()
		if err != nil {
			t.Fatal(err)
		}
		q := 0
		for _, l := range labels {
			q += int(l)
		}
		if q != 247 {
			t.Fatalf("%d quarks, want 247", q)
		}
		x, _ := arc.Open("X")
		all, err := x.ReadAllFloat64()
		if err != nil {
			t.Fatal(err)
		}
		np := 0
		for i := 0; i < len(all); i += 4 {
			if all[i] != 0 {
				np++
			}
		}
		if np != 21605 {
			t.Fatalf("%d constituents, want 21605", np)
		}
	})
	t.Run("dev streamed", func(t *testing.T) {
		if testing.Short() {
			t.Skip("short")
		}
		p := sharedtest.Path(t, "data/pythia8-qg-dev.npz")
		arc, err := OpenNPZ(p)
		if err != nil {
			t.Fatal(err)
		}
		defer arc.Close()
		x, _ := arc.Open("X")
		if x.ShapeString() != "20000×138×4" {
			t.Fatalf("X is %s", x.ShapeString())
		}
		buf := make([]float64, 1000*138*4)
		np, rows := 0, 0
		for {
			n, err := x.ReadFloat64(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows += n
			for i := 0; i < n*138*4; i += 4 {
				if buf[i] != 0 {
					np++
				}
			}
		}
		if rows != 20000 || np != 865226 {
			t.Fatalf("%d rows, %d constituents; want 20000, 865226", rows, np)
		}
	})
	t.Run("herwig int32 labels", func(t *testing.T) {
		p := sharedtest.Path(t, "data/herwig-zjet-100.npz")
		arc, err := OpenNPZ(p)
		if err != nil {
			t.Fatal(err)
		}
		defer arc.Close()
		y, _ := arc.Open("y")
		if y.DType != Int32 || y.Descr != "<i4" {
			t.Fatalf("y dtype %v", y.DType)
		}
		v, err := y.ReadAllInt64()
		if err != nil {
			t.Fatal(err)
		}
		q := 0
		for _, l := range v {
			q += int(l)
		}
		if len(v) != 100 || q != 50 {
			t.Fatalf("%d labels, %d quarks; want 100, 50", len(v), q)
		}
	})
	t.Run("semd matrix", func(t *testing.T) {
		p := sharedtest.Path(t, "reference/smearing/semd_matrix_500.npy")
		d, shape, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(shape, []int{500, 500}) {
			t.Fatalf("shape %v", shape)
		}
		lo, hi := math.Inf(1), 0.0
		for i := 0; i < 500; i++ {
			if d[i*500+i] != 0 {
				t.Fatalf("diagonal %d = %v", i, d[i*500+i])
			}
			for j := 0; j < 500; j++ {
				if d[i*500+j] != d[j*500+i] {
					t.Fatalf("not symmetric at (%d, %d)", i, j)
				}
				if i != j {
					lo, hi = min(lo, d[i*500+j]), max(hi, d[i*500+j])
				}
			}
		}
		// README-analysis.md: off-diagonal range 0.005229 to 0.29234.
		if math.Abs(lo-0.005229) > 5e-7 || math.Abs(hi-0.29234) > 5e-6 {
			t.Fatalf("off-diagonal range %v..%v, want 0.005229..0.29234", lo, hi)
		}
		// Writing it back gives the same bytes as the reference file.
		var b bytes.Buffer
		if err := WriteMatrix(&b, d, 500, 500); err != nil {
			t.Fatal(err)
		}
		orig, _ := os.ReadFile(p)
		if !bytes.Equal(b.Bytes(), orig) {
			t.Fatal("rewritten matrix differs from the reference file")
		}
	})
}

// rawMember returns the first n bytes of a member, read with archive/zip.
func rawMember(t *testing.T, path, member string, n int) []byte {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	rc, err := z.Open(member)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b := make([]byte, n)
	if _, err := io.ReadFull(rc, b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTruncatedAndCorrupted(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A member whose header promises more than it holds (valid zip).
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("X.npy")
	w.Write(EncodeHeader(Float64, []int{20000, 138, 4}))
	w.Write(make([]byte, 1234))
	zw.Close()
	shortMember := write("short-member.npz", zb.Bytes())

	var good bytes.Buffer
	z := NewNPZWriter(&good, false)
	z.Add("X", make([]float64, 3000), 100, 30)
	z.Add("y", make([]float64, 100))
	z.Close()
	goodZip := good.Bytes()

	var comp bytes.Buffer
	z = NewNPZWriter(&comp, true)
	vals := make([]float64, 30000)
	for i := range vals {
		vals[i] = math.Sin(float64(i))
	}
	z.Add("X", vals, 1000, 30)
	z.Close()
	flipped := append([]byte(nil), comp.Bytes()...)
	flipped[len(flipped)/3] ^= 0xff

	storedFlip := append([]byte(nil), goodZip...)
	storedFlip[300] ^= 0x01

	var npyb bytes.Buffer
	Write(&npyb, make([]float64, 500*500), 500, 500)
	npyBytes := npyb.Bytes()

	// Numpy-written archive (sizes in the local headers) cut short.
	var numpyStyle []byte
	if p, err := filepath.Abs(filepath.Join(sharedtest.SharedDir(), "data", "pythia8-qg-small.npz")); err == nil {
		numpyStyle, _ = os.ReadFile(p)
	}

	tests := []struct {
		name    string
		npz     bool
		content []byte
		skip    bool
		want    string // substring of the error
	}{
		{name: "member shorter than header", npz: true, want: "X.npy in " + shortMember + ": truncated: header says 20000×138×4 float64 (88320000 bytes) but the member holds 1234"},
		{name: "npy cut in data", content: npyBytes[:5000], want: "truncated: header says 500×500 float64 (2000000 bytes) but the file holds 4872"},
		{name: "npy cut in header", content: npyBytes[:50], want: "truncated: header says 118 header bytes but only 40 follow"},
		{name: "npy with trailing bytes", content: append(append([]byte(nil), npyBytes...), 1, 2, 3), want: "3 too many"},
		{name: "npy bad magic", content: append([]byte("\x93NUMPX"), npyBytes[6:]...), want: "bad magic"},
		{name: "empty npz", npz: true, content: []byte{}, want: "the file is empty"},
		{name: "not a zip", npz: true, content: []byte("hello, this is text"), want: "not a zip file"},
		{name: "npy given as npz", npz: true, content: npyBytes, want: "single .npy array, not an .npz archive"},
		{name: "zip cut short", npz: true, content: goodZip[:len(goodZip)-200], want: "truncated or corrupted zip archive: the zip directory at its end is missing or damaged"},
		{name: "numpy zip cut in X", npz: true, content: cut(numpyStyle, 300000), skip: numpyStyle == nil,
			want: "truncated: the archive ends at byte 300000 but member X.npy needs 529691 stored bytes from byte 55 (299945 present)"},
		{name: "numpy zip cut in y", npz: true, content: cut(numpyStyle, 529746+100), skip: numpyStyle == nil,
			want: "member y.npy needs 280 stored bytes"},
		{name: "stored data corrupted", npz: true, content: storedFlip, want: "X.npy in " + filepath.Join(dir, "stored-data-corrupted.npz") + ": zip: checksum error"},
		{name: "compressed data corrupted", npz: true, content: flipped, want: ": corrupted: the member declares 240000 bytes of data but its stream ends after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("shared sample not available")
			}
			var err error
			if tc.npz {
				p := shortMember
				if tc.content != nil {
					p = write(strings.ReplaceAll(tc.name, " ", "-")+".npz", tc.content)
				}
				_, _, err = ReadNPZ(p)
			} else {
				p := write(strings.ReplaceAll(tc.name, " ", "-")+".npy", tc.content)
				_, _, err = ReadFile(p)
				if err != nil && !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not name the file", err)
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func cut(b []byte, n int) []byte {
	if n > len(b) {
		return nil
	}
	return b[:n]
}

// TestTruncatedStream covers a stream whose size is unknown up front: the
// truncation is found while reading and reported with the bytes present.
func TestTruncatedStream(t *testing.T) {
	var b bytes.Buffer
	Write(&b, make([]float64, 40), 10, 4)
	short := b.Bytes()[:b.Len()-8*4-3]
	a, err := NewArray(bytes.NewReader(short), "s.npy", -1)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]float64, 4*4)
	var last error
	for last == nil {
		_, last = a.ReadFloat64(buf)
	}
	if want := "s.npy: truncated: header says 10×4 float64 (320 bytes) but the input holds 285"; last.Error() != want {
		t.Fatalf("error = %q, want %q", last, want)
	}
}
