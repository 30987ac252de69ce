package npy

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Archive is an open .npz file (a zip archive of .npy members). Several
// members may be streamed at the same time; Archive is not safe for
// concurrent use by several goroutines.
type Archive struct {
	// Path is the file name used in errors.
	Path string

	f       *os.File
	z       *zip.Reader
	members []*zip.File
}

// OpenNPZ opens an .npz archive. A truncated or damaged archive (one whose
// zip central directory is missing) gives an error saying which member is
// cut short and where.
func OpenNPZ(path string) (*Archive, error) {
	return openFile(path, func(f *os.File, size int64) (*Archive, error) {
		a, err := NewArchive(f, size, path)
		if err != nil {
			return nil, err
		}
		a.f = f
		return a, nil
	})
}

// openFile opens path and hands the file and its size to open; the file
// is closed when opening it or open fails, else owned by the result.
func openFile[T any](path string, open func(f *os.File, size int64) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return zero, err
	}
	v, err := open(f, st.Size())
	if err != nil {
		f.Close()
		return zero, err
	}
	return v, nil
}

// NewArchive reads an .npz archive from r, which holds size bytes. name is
// used in errors.
func NewArchive(r io.ReaderAt, size int64, name string) (*Archive, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, diagnoseZip(r, size, name, err)
	}
	a := &Archive{Path: name, z: z}
	for _, m := range z.File {
		if strings.HasSuffix(m.Name, "/") {
			continue // a directory entry
		}
		a.members = append(a.members, m)
	}
	return a, nil
}

// Names lists the arrays in archive order, without the ".npy" suffix.
func (a *Archive) Names() []string {
	out := make([]string, len(a.members))
	for i, m := range a.members {
		out[i] = strings.TrimSuffix(m.Name, ".npy")
	}
	return out
}

// Has reports whether the archive holds the named array (with or without ".npy").
func (a *Archive) Has(name string) bool { return a.lookup(name) != nil }

func (a *Archive) lookup(name string) *zip.File {
	for _, m := range a.members {
		if m.Name == name {
			return m
		}
	}
	for _, m := range a.members {
		if m.Name == name+".npy" {
			return m
		}
	}
	return nil
}

// Open opens the named array (with or without ".npy") for streaming.
func (a *Archive) Open(name string) (*Array, error) {
	m := a.lookup(name)
	if m == nil {
		return nil, fmt.Errorf("%s has no array %q (arrays: %s)", a.Path, name, strings.Join(a.Names(), ", "))
	}
	label := m.Name + " in " + a.Path
	rc, err := m.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, fmt.Errorf("%s: compression method %d is not supported (only stored and DEFLATE, as numpy.savez and savez_compressed write)", label, m.Method)
		}
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	var r io.Reader = rc
	if m.Method != zip.Store {
		r = bufio.NewReaderSize(rc, 1<<16)
	}
	arr, err := newArray(r, rc, label, "member", int64(m.UncompressedSize64))
	if err != nil {
		rc.Close()
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
			return nil, fmt.Errorf("%w (corrupted archive)", err)
		}
		return nil, err
	}
	return arr, nil
}

// Header returns the header of the named array without reading its data.
func (a *Archive) Header(name string) (Header, error) {
	arr, err := a.Open(name)
	if err != nil {
		return Header{}, err
	}
	defer arr.Close()
	return arr.Header, nil
}

// Close closes the archive's file (arrays opened from it must be closed first).
func (a *Archive) Close() error {
	if a.f == nil {
		return nil
	}
	f := a.f
	a.f = nil
	return f.Close()
}

// ReadNPZ reads every array of an .npz file as float64, keyed by name
// without ".npy", with their shapes.
func ReadNPZ(path string) (map[string][]float64, map[string][]int, error) {
	a, err := OpenNPZ(path)
	if err != nil {
		return nil, nil, err
	}
	defer a.Close()
	data := map[string][]float64{}
	shapes := map[string][]int{}
	for _, n := range a.Names() {
		arr, err := a.Open(n)
		if err != nil {
			return nil, nil, err
		}
		v, err := arr.ReadAllFloat64()
		arr.Close()
		if err != nil {
			return nil, nil, err
		}
		data[n], shapes[n] = v, arr.Shape
	}
	return data, shapes, nil
}

// diagnoseZip explains why an archive could not be opened: not a zip at
// all, a bare .npy file, or a zip cut short (walking the local headers to
// say which member is incomplete).
func diagnoseZip(r io.ReaderAt, size int64, name string, zerr error) error {
	var head [30]byte
	n, _ := r.ReadAt(head[:], 0)
	switch {
	case n == 0:
		return fmt.Errorf("%s: not an .npz archive: the file is empty", name)
	case n >= 6 && string(head[:6]) == Magic:
		return fmt.Errorf("%s: this is a single .npy array, not an .npz archive", name)
	case n < 4 || !bytes.Equal(head[:4], []byte("PK\x03\x04")):
		return fmt.Errorf("%s: not an .npz archive (not a zip file: starts with %q)", name, head[:min(n, 8)])
	}
	// Walk the local file headers.
	off := int64(0)
	var complete []string
	for {
		k, _ := r.ReadAt(head[:], off)
		if k >= 4 && (bytes.Equal(head[:4], []byte("PK\x01\x02")) || bytes.Equal(head[:4], []byte("PK\x05\x06"))) {
			break // reached the central directory: the members are complete
		}
		if k < 30 {
			if off >= size {
				break
			}
			return fmt.Errorf("%s: truncated: the zip archive ends at byte %d inside a member header (complete members: %s)",
				name, size, listOrNone(complete))
		}
		if !bytes.Equal(head[:4], []byte("PK\x03\x04")) {
			return fmt.Errorf("%s: corrupted zip archive: no member header at byte %d (%v)", name, off, zerr)
		}
		flags := binary.LittleEndian.Uint16(head[6:])
		csize := int64(binary.LittleEndian.Uint32(head[18:]))
		nameLen := int64(binary.LittleEndian.Uint16(head[26:]))
		extraLen := int64(binary.LittleEndian.Uint16(head[28:]))
		nm := make([]byte, nameLen)
		if k, _ := r.ReadAt(nm, off+30); int64(k) < nameLen {
			return fmt.Errorf("%s: truncated: the zip archive ends at byte %d inside a member header", name, size)
		}
		if csize == 0xFFFFFFFF { // zip64: the size is in the extra field
			extra := make([]byte, extraLen)
			r.ReadAt(extra, off+30+nameLen)
			for len(extra) >= 4 {
				id, sz := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
				if 4+sz > len(extra) {
					break
				}
				if id == 0x0001 && sz >= 16 {
					csize = int64(binary.LittleEndian.Uint64(extra[12:]))
				}
				extra = extra[4+sz:]
			}
		}
		if flags&0x8 != 0 {
			return fmt.Errorf("%s: truncated or corrupted zip archive: the zip directory at its end is missing or damaged (%v); the file is %d bytes", name, zerr, size)
		}
		start := off + 30 + nameLen + extraLen
		if start+csize > size {
			return fmt.Errorf("%s: truncated: the archive ends at byte %d but member %s needs %d stored bytes from byte %d (%d present); the zip directory is missing",
				name, size, nm, csize, start, max(0, size-start))
		}
		complete = append(complete, string(nm))
		off = start + csize
	}
	return fmt.Errorf("%s: truncated or corrupted zip archive: its central directory is missing or damaged (%v); complete members: %s",
		name, zerr, listOrNone(complete))
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
