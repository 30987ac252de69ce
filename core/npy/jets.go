package npy

import (
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/smearflow/smearflow/core/jet"
)

// WriteJets writes jets as an EnergyFlow .npz archive: X float64 of shape
// (N, M, 4) with rows (pt, y, phi, pid) zero-padded to the largest
// multiplicity M (at least 1); y float64 labels (1 = quark); "weight"
// float64 (N,) when any weight differs from 1; and every aux column as a
// float64 (N,) member named after it, in sorted order. X is streamed jet by
// jet, so no padded copy of the batch is built in memory. Aux columns named
// X, y or weight are refused.
func WriteJets(w io.Writer, j *jet.Jets, compressed bool) error {
	n := j.Len()
	if err := checkStructure(j); err != nil {
		return fmt.Errorf("npy: cannot write jets: %w", err)
	}
	for i, p := range j.Pt {
		if p == 0 {
			return fmt.Errorf("npy: cannot write jets: particle %d has pt = 0, which EnergyFlow files use for padding", i)
		}
	}
	m := 1
	for i := 0; i < n; i++ {
		m = max(m, j.Multiplicity(i))
	}
	z := NewNPZWriter(w, compressed)
	xw, err := z.Create("X", Float64, n, m, 4)
	if err != nil {
		return err
	}
	row := make([]float64, m*4)
	for i := 0; i < n; i++ {
		clear(row)
		v := j.Jet(i)
		for p := range v.Pt {
			row[4*p], row[4*p+1], row[4*p+2], row[4*p+3] = v.Pt[p], v.Y[p], v.Phi[p], float64(v.PID[p])
		}
		if err := xw.WriteFloat64(row); err != nil {
			return err
		}
	}
	if err := xw.Close(); err != nil {
		return err
	}
	labels := make([]float64, n)
	for i, l := range j.Label {
		labels[i] = float64(l)
	}
	if err := z.Add("y", labels); err != nil {
		return err
	}
	unit := true
	for _, w := range j.Weight {
		if w != 1 {
			unit = false
			break
		}
	}
	if !unit {
		if err := z.Add("weight", append([]float64(nil), j.Weight...)); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(j.Aux))
	for k := range j.Aux {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "X" || k == "y" || k == "weight" {
			return fmt.Errorf("npy: aux column %q clashes with a member of the EnergyFlow layout", k)
		}
		if len(j.Aux[k]) != n {
			return fmt.Errorf("npy: aux column %q has %d entries for %d jets", k, len(j.Aux[k]), n)
		}
		if err := z.Add(k, j.Aux[k]); err != nil {
			return err
		}
	}
	return z.Close()
}

// checkStructure checks the column lengths and offsets (not the values).
func checkStructure(j *jet.Jets) error {
	n := j.Len()
	np := len(j.Pt)
	if len(j.Y) != np || len(j.Phi) != np || len(j.PID) != np {
		return fmt.Errorf("particle columns have different lengths: pt %d, y %d, phi %d, pid %d", np, len(j.Y), len(j.Phi), len(j.PID))
	}
	if len(j.Label) != n || len(j.Weight) != n {
		return fmt.Errorf("%d jets but %d labels and %d weights", n, len(j.Label), len(j.Weight))
	}
	if n == 0 {
		return nil
	}
	if j.Offsets[0] != 0 || j.Offsets[n] != np {
		return fmt.Errorf("offsets run from %d to %d for %d particles", j.Offsets[0], j.Offsets[n], np)
	}
	for i := 0; i < n; i++ {
		if j.Offsets[i+1] < j.Offsets[i] {
			return fmt.Errorf("jet %d: offsets decrease", i)
		}
	}
	return nil
}

// WriteJetsFile writes jets to an .npz file (see WriteJets), atomically.
func WriteJetsFile(path string, j *jet.Jets, compressed bool) error {
	return writeAtomic(path, func(w io.Writer) error { return WriteJets(w, j, compressed) })
}

// WriteMatrix writes a rows×cols float64 matrix (row-major data) as .npy.
func WriteMatrix(w io.Writer, data []float64, rows, cols int) error {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		return fmt.Errorf("npy: matrix of %d×%d needs %d values, got %d", rows, cols, rows*cols, len(data))
	}
	return Write(w, data, rows, cols)
}

// WriteMatrixFile writes a rows×cols float64 matrix to a .npy file
// (distances.npy, scores.npy), atomically.
func WriteMatrixFile(path string, data []float64, rows, cols int) error {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		return fmt.Errorf("npy: %s: matrix of %d×%d needs %d values, got %d", path, rows, cols, rows*cols, len(data))
	}
	return WriteFile(path, data, rows, cols)
}

// EnergyFlowOptions names the members of an EnergyFlow archive. Empty
// XKey and YKey mean "X" and "y"; an empty WeightKey means every weight is
// 1; AuxKeys are (N,) members read as aux columns of the same name.
type EnergyFlowOptions struct {
	XKey, YKey string
	WeightKey  string
	AuxKeys    []string
}

// JetReader streams jets from an EnergyFlow .npz archive: X (N, M, 4) =
// (pt, y, phi, pid) float32 or float64, zero-padded (rows with pt == 0 are
// dropped wherever they are); y (N,) labels of any numeric dtype, each 0 or
// 1. Constituents keep their stored order and phi is not wrapped. Weights
// are 1 unless a weight member is named. The jets are not validated (see
// jet.Validate).
type JetReader struct {
	path   string
	arc    *Archive
	x, y   *Array
	w      *Array
	aux    []*Array
	auxKey []string
	n, m   int
	next   int

	xbuf, ybuf, wbuf []float64
	auxbuf           [][]float64
}

// OpenJets opens an EnergyFlow .npz archive and checks the shapes and
// dtypes of its members.
func OpenJets(path string, opt EnergyFlowOptions) (_ *JetReader, err error) {
	if opt.XKey == "" {
		opt.XKey = "X"
	}
	if opt.YKey == "" {
		opt.YKey = "y"
	}
	arc, err := OpenNPZ(path)
	if err != nil {
		return nil, err
	}
	r := &JetReader{path: path, arc: arc}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	if r.x, err = arc.Open(opt.XKey); err != nil {
		return nil, err
	}
	if s := r.x.Shape; len(s) != 3 || s[2] != 4 {
		return nil, fmt.Errorf("%s in %s has shape %s but must be (N, M, 4) with columns pt, y, phi, pid", opt.XKey, path, ShapeTuple(s))
	}
	if !r.x.DType.IsFloat() {
		return nil, fmt.Errorf("%s in %s has dtype %s but must be float32 or float64", opt.XKey, path, r.x.DType.Name())
	}
	r.n, r.m = r.x.Shape[0], r.x.Shape[1]
	col := func(key, what string) (*Array, error) {
		a, err := arc.Open(key)
		if err != nil {
			return nil, err
		}
		if len(a.Shape) != 1 {
			a.Close()
			return nil, fmt.Errorf("%s in %s has shape %s but %s must be (N,)", key, path, ShapeTuple(a.Shape), what)
		}
		if a.Shape[0] != r.n {
			a.Close()
			return nil, fmt.Errorf("%s in %s has %d entries but %s has %d jets", key, path, a.Shape[0], opt.XKey, r.n)
		}
		return a, nil
	}
	if r.y, err = col(opt.YKey, "labels"); err != nil {
		return nil, err
	}
	if opt.WeightKey != "" {
		if r.w, err = col(opt.WeightKey, "weights"); err != nil {
			return nil, err
		}
	}
	for _, k := range opt.AuxKeys {
		a, err := col(k, "an aux column")
		if err != nil {
			return nil, err
		}
		r.aux = append(r.aux, a)
		r.auxKey = append(r.auxKey, k)
	}
	return r, nil
}

// Len returns the number of jets N in the file.
func (r *JetReader) Len() int { return r.n }

// MaxMultiplicity returns M, the padded multiplicity of X.
func (r *JetReader) MaxMultiplicity() int { return r.m }

// Next returns the next batch of at most batch jets, or nil, io.EOF after
// the last one. Errors name the file and the jet row.
func (r *JetReader) Next(batch int) (*jet.Jets, error) {
	if r.next >= r.n {
		return nil, io.EOF
	}
	b := min(max(batch, 1), r.n-r.next)
	r.xbuf = grow(r.xbuf, b*r.m*4)
	r.ybuf = grow(r.ybuf, b)
	if _, err := r.x.ReadFloat64(r.xbuf); err != nil {
		return nil, err
	}
	if _, err := r.y.ReadFloat64(r.ybuf); err != nil {
		return nil, err
	}
	if r.w != nil {
		r.wbuf = grow(r.wbuf, b)
		if _, err := r.w.ReadFloat64(r.wbuf); err != nil {
			return nil, err
		}
	}
	if len(r.auxbuf) != len(r.aux) {
		r.auxbuf = make([][]float64, len(r.aux))
	}
	for k, a := range r.aux {
		r.auxbuf[k] = make([]float64, b) // handed to the batch, so not reused
		if _, err := a.ReadFloat64(r.auxbuf[k]); err != nil {
			return nil, err
		}
	}
	np := 0
	for i := 0; i < b*r.m; i++ {
		if r.xbuf[4*i] != 0 {
			np++
		}
	}
	j := &jet.Jets{
		Offsets: make([]int, 1, b+1),
		Pt:      make([]float64, 0, np), Y: make([]float64, 0, np),
		Phi: make([]float64, 0, np), PID: make([]int32, 0, np),
		Label: make([]int8, b), Weight: make([]float64, b),
	}
	for i := 0; i < b; i++ {
		row := r.next + i
		lab := r.ybuf[i]
		if lab != 0 && lab != 1 {
			return nil, fmt.Errorf("%s: jet %d: label %v is neither 1 (quark) nor 0 (gluon)", r.path, row, lab)
		}
		j.Label[i] = int8(lab)
		j.Weight[i] = 1
		if r.w != nil {
			j.Weight[i] = r.wbuf[i]
		}
		x := r.xbuf[i*r.m*4 : (i+1)*r.m*4]
		for p := 0; p < r.m; p++ {
			q := x[4*p : 4*p+4]
			if q[0] == 0 {
				continue
			}
			pid := q[3]
			if pid != math.Trunc(pid) || math.Abs(pid) > math.MaxInt32 {
				return nil, fmt.Errorf("%s: jet %d, particle row %d: pid %v is not an integer PDG id", r.path, row, p, pid)
			}
			j.Pt = append(j.Pt, q[0])
			j.Y = append(j.Y, q[1])
			j.Phi = append(j.Phi, q[2])
			j.PID = append(j.PID, int32(pid))
		}
		j.Offsets = append(j.Offsets, len(j.Pt))
	}
	if len(r.aux) > 0 {
		j.Aux = make(map[string][]float64, len(r.aux))
		for k, key := range r.auxKey {
			j.Aux[key] = r.auxbuf[k]
		}
	}
	r.next += b
	return j, nil
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// Close releases the archive.
func (r *JetReader) Close() error {
	for _, a := range append([]*Array{r.x, r.y, r.w}, r.aux...) {
		if a != nil {
			a.Close()
		}
	}
	return r.arc.Close()
}

// ReadJetsFile reads a whole EnergyFlow .npz archive (for example the
// jets.npz written by WriteJetsFile, with opt naming its weight and aux
// members) into memory.
func ReadJetsFile(path string, opt EnergyFlowOptions) (*jet.Jets, error) {
	r, err := OpenJets(path, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := &jet.Jets{}
	for {
		b, err := r.Next(4096)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		out.Concat(b)
	}
	return out, nil
}
