package root

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go-hep.org/x/hep/groot"
	"go-hep.org/x/hep/groot/riofs"
	"go-hep.org/x/hep/groot/rtree"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// DefaultBatchSize is the number of jets per emitted batch when the request
// leaves it to the plugin.
const DefaultBatchSize = 1024

type config struct {
	files        []string
	tree         string
	pt, y, eta   string
	phi, pid     string
	fixedLabel   int8 // -1: from labelBranch
	labelBranch  string
	weight       string
	unknownError bool
	sort         bool
}

func configFromParams(p plugin.Params) (config, error) {
	c := config{
		tree: p.String(ParamTree), pt: p.String(ParamPtBranch), y: p.String(ParamYBranch), eta: p.String(ParamEtaBranch),
		phi: p.String(ParamPhiBranch), pid: p.String(ParamPIDBranch), labelBranch: p.String(ParamLabelBranch),
		weight: p.String(ParamWeightBranch), unknownError: p.String(ParamUnknownMass) == "error", sort: p.Bool(ParamSort),
		fixedLabel: -1,
	}
	switch {
	case c.y == "" && c.eta == "":
		return c, &plugin.ParamError{Param: ParamYBranch, Msg: "give y_branch (rapidity) or eta_branch (pseudorapidity)"}
	case c.y != "" && c.eta != "":
		return c, &plugin.ParamError{Param: ParamEtaBranch, Msg: fmt.Sprintf("give only one of y_branch (%q) and eta_branch (%q)", c.y, c.eta)}
	case c.pt == "":
		return c, &plugin.ParamError{Param: ParamPtBranch, Msg: "is empty"}
	case c.phi == "":
		return c, &plugin.ParamError{Param: ParamPhiBranch, Msg: "is empty"}
	}
	switch p.String(ParamLabel) {
	case "quark":
		c.fixedLabel = jet.Quark
	case "gluon":
		c.fixedLabel = jet.Gluon
	default:
		if c.labelBranch == "" {
			return c, &plugin.ParamError{Param: ParamLabelBranch, Msg: "is empty but label is branch (set label to quark or gluon to label every jet)"}
		}
	}
	var err error
	if p.String(ParamPath) == "" {
		return c, &plugin.ParamError{Param: ParamPath, Msg: "is empty"}
	}
	c.files, err = selection.ParamFiles(ParamPath, p.String(ParamPath))
	return c, err
}

// treeClasses are the ROOT classes read as trees.
var treeClasses = map[string]bool{"TTree": true, "TNtuple": true, "TNtupleD": true}

// listKeys describes the top-level objects of a file, e.g. `jets (TTree), h (TH1F)`.
func listKeys(f *riofs.File) string {
	seen := map[string]bool{}
	var out []string
	for _, k := range f.Keys() {
		if seen[k.Name()] {
			continue
		}
		seen[k.Name()] = true
		out = append(out, fmt.Sprintf("%s (%s)", k.Name(), k.ClassName()))
	}
	if len(out) == 0 {
		return "the file has no objects"
	}
	return "objects in the file: " + strings.Join(out, ", ")
}

// findTree returns the named tree, or the file's only tree when name is "".
func findTree(f *riofs.File, file, name string) (rtree.Tree, error) {
	if name == "" {
		var trees []string
		seen := map[string]bool{}
		for _, k := range f.Keys() {
			if treeClasses[k.ClassName()] && !seen[k.Name()] {
				seen[k.Name()] = true
				trees = append(trees, k.Name())
			}
		}
		switch len(trees) {
		case 0:
			return nil, fmt.Errorf("%s: no TTree in the file (%s)", file, listKeys(f))
		case 1:
			name = trees[0]
		default:
			return nil, fmt.Errorf("%s: %d trees (%s): set the parameter %s", file, len(trees), strings.Join(trees, ", "), ParamTree)
		}
	}
	obj, err := riofs.Dir(f).Get(name)
	if err != nil {
		return nil, fmt.Errorf("%s: no tree %q (parameter %s); %s", file, name, ParamTree, listKeys(f))
	}
	t, ok := obj.(rtree.Tree)
	if !ok {
		return nil, fmt.Errorf("%s: %q is a %s, not a TTree (parameter %s); %s", file, name, obj.Class(), ParamTree, listKeys(f))
	}
	return t, nil
}

// jaggedFloat returns a function appending the current entry's values of a
// jagged float or integer branch, converted to float64.
func jaggedFloat(v any) (func(dst []float64) []float64, bool) {
	switch x := v.(type) {
	case *[]float64:
		return func(dst []float64) []float64 { return append(dst[:0], *x...) }, true
	case *[]float32:
		return func(dst []float64) []float64 { return convert(dst[:0], *x) }, true
	case *[]int32:
		return func(dst []float64) []float64 { return convert(dst[:0], *x) }, true
	case *[]int64:
		return func(dst []float64) []float64 { return convert(dst[:0], *x) }, true
	case *[]int16:
		return func(dst []float64) []float64 { return convert(dst[:0], *x) }, true
	case *[]int8:
		return func(dst []float64) []float64 { return convert(dst[:0], *x) }, true
	case *[]uint8:
		return func(dst []float64) []float64 { return convert(dst[:0], *x) }, true
	case *[]uint16:
		return func(dst []float64) []float64 { return convert(dst[:0], *x) }, true
	case *[]uint32:
		return func(dst []float64) []float64 { return convert(dst[:0], *x) }, true
	}
	return nil, false
}

func convert[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | float32](dst []float64, src []T) []float64 {
	for _, s := range src {
		dst = append(dst, float64(s))
	}
	return dst
}

// scalar returns a function reading the current entry's value of a scalar
// numeric or bool branch as float64.
func scalar(v any) (func() float64, bool) {
	switch x := v.(type) {
	case *float64:
		return func() float64 { return *x }, true
	case *float32:
		return func() float64 { return float64(*x) }, true
	case *int64:
		return func() float64 { return float64(*x) }, true
	case *int32:
		return func() float64 { return float64(*x) }, true
	case *int16:
		return func() float64 { return float64(*x) }, true
	case *int8:
		return func() float64 { return float64(*x) }, true
	case *uint64:
		return func() float64 { return float64(*x) }, true
	case *uint32:
		return func() float64 { return float64(*x) }, true
	case *uint16:
		return func() float64 { return float64(*x) }, true
	case *uint8:
		return func() float64 { return float64(*x) }, true
	case *bool:
		return func() float64 {
			if *x {
				return 1
			}
			return 0
		}, true
	}
	return nil, false
}

// fileReader reads the jets of one file.
type fileReader struct {
	cfg   config
	file  string
	index int
	tree  rtree.Tree
	vars  []rtree.ReadVar

	pt, yeta, phi, pid func([]float64) []float64
	label, weight      func() float64

	bufPt, bufY, bufPhi, bufPID []float64
	order                       []int
	ptS, yS, phiS               []float64
	pidS                        []int32
}

func branchNames(t rtree.Tree) string {
	var names []string
	for _, b := range t.Branches() {
		names = append(names, b.Name())
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func (fr *fileReader) setup() error {
	all := rtree.NewReadVars(fr.tree)
	find := func(param, name string) (any, error) {
		for _, rv := range all {
			if rv.Name == name {
				fr.vars = append(fr.vars, rv)
				return rv.Value, nil
			}
		}
		return nil, fmt.Errorf("%s: tree %q has no branch %q (parameter %s); branches: %s", fr.file, fr.tree.Name(), name, param, branchNames(fr.tree))
	}
	jagged := func(param, name string) (func([]float64) []float64, error) {
		v, err := find(param, name)
		if err != nil {
			return nil, err
		}
		f, ok := jaggedFloat(v)
		if !ok {
			return nil, fmt.Errorf("%s: branch %q (parameter %s) holds %T values, want a jagged array (x[n] or std::vector) of float32 or float64", fr.file, name, param, v)
		}
		return f, nil
	}
	scal := func(param, name string) (func() float64, error) {
		v, err := find(param, name)
		if err != nil {
			return nil, err
		}
		f, ok := scalar(v)
		if !ok {
			return nil, fmt.Errorf("%s: branch %q (parameter %s) holds %T values, want a scalar number or bool", fr.file, name, param, v)
		}
		return f, nil
	}
	var err error
	if fr.pt, err = jagged(ParamPtBranch, fr.cfg.pt); err != nil {
		return err
	}
	if fr.cfg.y != "" {
		fr.yeta, err = jagged(ParamYBranch, fr.cfg.y)
	} else {
		fr.yeta, err = jagged(ParamEtaBranch, fr.cfg.eta)
	}
	if err != nil {
		return err
	}
	if fr.phi, err = jagged(ParamPhiBranch, fr.cfg.phi); err != nil {
		return err
	}
	if fr.cfg.pid != "" {
		if fr.pid, err = jagged(ParamPIDBranch, fr.cfg.pid); err != nil {
			return err
		}
	}
	if fr.cfg.fixedLabel < 0 {
		if fr.label, err = scal(ParamLabelBranch, fr.cfg.labelBranch); err != nil {
			return err
		}
	}
	if fr.cfg.weight != "" {
		if fr.weight, err = scal(ParamWeightBranch, fr.cfg.weight); err != nil {
			return err
		}
	}
	return nil
}

// entry appends the jet of the current tree entry to batch.
func (fr *fileReader) entry(entry int64, batch *jet.Jets) error {
	where := func() string { return fmt.Sprintf("%s: entry %d", fr.file, entry) }
	fr.bufPt = fr.pt(fr.bufPt)
	fr.bufY = fr.yeta(fr.bufY)
	fr.bufPhi = fr.phi(fr.bufPhi)
	n := len(fr.bufPt)
	if len(fr.bufY) != n || len(fr.bufPhi) != n {
		return fmt.Errorf("%s: jagged branches differ in length: %s %d, %s %d, %s %d", where(),
			fr.cfg.pt, n, fr.cfg.y+fr.cfg.eta, len(fr.bufY), fr.cfg.phi, len(fr.bufPhi))
	}
	fr.pidS = fr.pidS[:0]
	if fr.pid != nil {
		fr.bufPID = fr.pid(fr.bufPID)
		if len(fr.bufPID) != n {
			return fmt.Errorf("%s: jagged branches differ in length: %s %d, %s %d", where(), fr.cfg.pt, n, fr.cfg.pid, len(fr.bufPID))
		}
		for i, v := range fr.bufPID {
			if v != math.Trunc(v) || math.Abs(v) > math.MaxInt32 {
				return fmt.Errorf("%s: constituent %d: pid %v is not a 32-bit integer", where(), i, v)
			}
			fr.pidS = append(fr.pidS, int32(v))
		}
	} else {
		for range n {
			fr.pidS = append(fr.pidS, 0)
		}
	}
	if fr.cfg.eta != "" {
		for i, eta := range fr.bufY {
			m := 0.0
			if fr.pid != nil {
				var ok bool
				m, ok = jet.Mass(fr.pidS[i])
				if !ok && fr.cfg.unknownError {
					return fmt.Errorf("%s: constituent %d: no tabulated mass for pid %d to convert pseudorapidity to rapidity (set %s: massless to take it massless)", where(), i, fr.pidS[i], ParamUnknownMass)
				}
			}
			fr.bufY[i] = EtaToRapidity(fr.bufPt[i], eta, m)
		}
	}
	label := fr.cfg.fixedLabel
	if fr.label != nil {
		switch v := fr.label(); v {
		case 0:
			label = jet.Gluon
		case 1:
			label = jet.Quark
		default:
			return fmt.Errorf("%s: label %v in branch %q is neither 1 (quark) nor 0 (gluon)", where(), v, fr.cfg.labelBranch)
		}
	}
	w := 1.0
	if fr.weight != nil {
		w = fr.weight()
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("%s: weight %v in branch %q is not a finite non-negative number", where(), w, fr.cfg.weight)
		}
	}
	fr.order = fr.order[:0]
	for i := range n {
		fr.order = append(fr.order, i)
	}
	if fr.cfg.sort {
		slices.SortStableFunc(fr.order, func(a, b int) int {
			switch pa, pb := fr.bufPt[a], fr.bufPt[b]; {
			case pa > pb:
				return -1
			case pa < pb:
				return 1
			}
			return 0
		})
	}
	if len(batch.Offsets) == 0 {
		batch.Offsets = append(batch.Offsets, 0)
	}
	for _, i := range fr.order {
		batch.Pt = append(batch.Pt, fr.bufPt[i])
		batch.Y = append(batch.Y, fr.bufY[i])
		batch.Phi = append(batch.Phi, fr.bufPhi[i])
		batch.PID = append(batch.PID, fr.pidS[i])
	}
	batch.Offsets = append(batch.Offsets, len(batch.Pt))
	batch.Label = append(batch.Label, label)
	batch.Weight = append(batch.Weight, w)
	batch.Aux[AuxEntry] = append(batch.Aux[AuxEntry], float64(entry))
	batch.Aux[AuxFileIndex] = append(batch.Aux[AuxFileIndex], float64(fr.index))
	return nil
}

// EtaToRapidity converts the pseudorapidity of a particle of transverse
// momentum pt and mass m to its rapidity:
// y = asinh(pt sinh(eta) / sqrt(pt^2 + m^2)); for m = 0, y = eta.
func EtaToRapidity(pt, eta, m float64) float64 {
	if m == 0 {
		return eta
	}
	return math.Asinh(pt * math.Sinh(eta) / math.Sqrt(pt*pt+m*m))
}

func newBatch() *jet.Jets {
	return &jet.Jets{Offsets: []int{0}, Aux: map[string][]float64{AuxEntry: nil, AuxFileIndex: nil}}
}

var errStop = errors.New("selection full")

// Read streams the jets of every input file through the shared selection
// and emits them in batches of req.BatchSize (0: DefaultBatchSize).
// Parameters missing from req.Params take their defaults.
func (*Reader) Read(ctx context.Context, req plugin.ReadRequest, emit func(*jet.Jets) error) error {
	p, err := Spec().Resolve(map[string]any(req.Params))
	if err != nil {
		return fmt.Errorf("root reader: %w", err)
	}
	cfg, err := configFromParams(p)
	if err != nil {
		return fmt.Errorf("root reader: %w", err)
	}
	sel, err := selection.New(p, req.Seed, p.String(ParamPath))
	if err != nil {
		return fmt.Errorf("root reader: %w", err)
	}
	batchSize := req.BatchSize
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	meta := map[string]string{"reader": Name, "path": p.String(ParamPath), "files": strings.Join(cfg.files, ",")}
	flush := sel.Feeder("root reader: ", meta, emit)
	read := 0
	for fi, file := range cfg.files {
		if sel.Done() {
			break
		}
		sel.SetSource(file)
		n, err := readFile(ctx, cfg, fi, file, batchSize, flush, sel)
		read += n
		if err != nil {
			return err
		}
		plugin.ReportProgress(ctx, int64(fi+1), int64(len(cfg.files)), fmt.Sprintf("%s: %d jets", filepath.Base(file), n))
	}
	rest, err := sel.Finish()
	if err != nil {
		return fmt.Errorf("root reader: %w", err)
	}
	if rest.Len() > 0 {
		rest.Meta = meta
		return emit(rest)
	}
	return nil
}

// readFile streams one file's tree; it returns the number of entries read.
func readFile(ctx context.Context, cfg config, index int, file string, batchSize int, flush func(*jet.Jets) error, sel *selection.Selector) (int, error) {
	f, err := groot.Open(file)
	if err != nil {
		return 0, fmt.Errorf("root reader: %s: %w", file, err)
	}
	defer f.Close()
	tree, err := findTree(f, file, cfg.tree)
	if err != nil {
		return 0, fmt.Errorf("root reader: %w", err)
	}
	fr := &fileReader{cfg: cfg, file: file, index: index, tree: tree}
	if err := fr.setup(); err != nil {
		return 0, fmt.Errorf("root reader: %w", err)
	}
	r, err := rtree.NewReader(tree, fr.vars)
	if err != nil {
		return 0, fmt.Errorf("root reader: %s: %w", file, err)
	}
	defer r.Close()
	batch := newBatch()
	n := 0
	var cbErr error // an error of ours, already naming the file and entry
	err = r.Read(func(rc rtree.RCtx) error {
		if err := ctx.Err(); err != nil {
			cbErr = err
			return err
		}
		if err := fr.entry(rc.Entry, batch); err != nil {
			cbErr = fmt.Errorf("root reader: %w", err)
			return cbErr
		}
		n++
		if batch.Len() >= batchSize {
			if err := flush(batch); err != nil {
				cbErr = err
				return err
			}
			batch = newBatch()
			if sel.Done() {
				cbErr = errStop
				return errStop
			}
		}
		return nil
	})
	switch {
	case cbErr == errStop:
		return n, nil
	case cbErr != nil:
		return n, cbErr
	case err != nil:
		return n, fmt.Errorf("root reader: %s: reading entry %d of tree %q: %w", file, n, tree.Name(), err)
	}
	return n, flush(batch)
}
