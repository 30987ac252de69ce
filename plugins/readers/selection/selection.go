// Package selection implements the jet selection options shared by every
// reader plugin: per-class and total counts (first N or a seeded random
// subsample), a jet pT window and rapidity cut, a seeded train/test split
// and validation. A reader appends Spec() to its parameter spec, builds a
// Selector with New, passes every batch it reads through Add (emitting what
// Add returns) and finally emits what Finish returns.
//
// Order of the cuts, per jet: validation, pT window, |y| cut, split, then
// the class counts (quarks, gluons) and max_jets. Jet pT and rapidity are
// those of the massless four-vector sum of the constituents (E-scheme,
// every constituent taken massless), computed only when a cut needs them.
//
// Every kept jet gets the aux column "source_index": its position (from 0)
// in the reader's input stream, counting every jet read, before any cut,
// across all files of the stream. An existing column of that name is
// overwritten.
package selection

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// Parameter names.
const (
	ParamMaxJets      = "max_jets"
	ParamQuarks       = "quarks"
	ParamGluons       = "gluons"
	ParamPtMin        = "pt_min"
	ParamPtMax        = "pt_max"
	ParamAbsYMax      = "abs_y_max"
	ParamSample       = "sample"
	ParamSplit        = "split"
	ParamTestFraction = "test_fraction"
	ParamValidate     = "validate"
)

// SourceIndex is the name of the aux column holding each kept jet's
// position in the input stream.
const SourceIndex = "source_index"

// All is the value of quarks or gluons that keeps every jet of the class.
const All = -1

// Spec returns the selection parameters, to append to a reader's spec.
func Spec() plugin.Spec {
	return plugin.Spec{
		{Name: ParamMaxJets, Type: plugin.TypeInt, Default: int64(0), Min: plugin.Bound(0),
			Doc: "Keep at most this many jets in total, after the class counts (0 = no limit)."},
		{Name: ParamQuarks, Type: plugin.TypeInt, Default: int64(All), Min: plugin.Bound(-1),
			Doc: "Number of quark jets (label 1) to keep: -1 = all of them, 0 = none, N = at most N."},
		{Name: ParamGluons, Type: plugin.TypeInt, Default: int64(All), Min: plugin.Bound(-1),
			Doc: "Number of gluon jets (label 0) to keep: -1 = all of them, 0 = none, N = at most N."},
		{Name: ParamPtMin, Type: plugin.TypeFloat, Default: 0.0, Min: plugin.Bound(0), Unit: "GeV",
			Doc: "Keep jets with pT >= pt_min, pT being that of the massless four-vector sum of the constituents (0 = no lower cut)."},
		{Name: ParamPtMax, Type: plugin.TypeFloat, Min: plugin.Bound(0), Unit: "GeV",
			Doc: "Keep jets with pT <= pt_max (same pT as pt_min); absent = no upper cut."},
		{Name: ParamAbsYMax, Type: plugin.TypeFloat, Default: 0.0, Min: plugin.Bound(0),
			Doc: "Keep jets with |y| <= abs_y_max, y being the rapidity of the massless four-vector sum of the constituents (0 = no cut)."},
		{Name: ParamSample, Type: plugin.TypeString, Default: "first", Enum: []string{"first", "random"},
			Doc: "How the counts are filled: first = the first jets in file order; random = a seeded uniform random subsample (reservoir sampling, memory bounded by the counts), returned in file order."},
		{Name: ParamSplit, Type: plugin.TypeString, Default: "all", Enum: []string{"all", "train", "test"},
			Doc: "Keep all jets, or only the train or test part of a seeded split: each jet is assigned from a hash of (seed, source index), so train and test are complementary for the same seed and input."},
		{Name: ParamTestFraction, Type: plugin.TypeFloat, Default: 0.2, Min: plugin.Bound(0), Max: plugin.Bound(1),
			Doc: "Probability that a jet is assigned to the test part of the split."},
		{Name: ParamValidate, Type: plugin.TypeBool, Default: true,
			Doc: "Refuse jets with NaN/Inf values, non-positive pt, no particles or bad labels, naming the file and jet index; false passes them on unchecked."},
	}
}

type splitMode int

const (
	splitAll splitMode = iota
	splitTrain
	splitTest
)

// Selector applies a selection to a stream of batches. It is not safe for
// concurrent use.
type Selector struct {
	seed         int64
	maxJets      int
	caps         [2]int // per label (0 gluon, 1 quark); All or >= 0
	ptMin, ptMax float64
	ptCut        bool
	absYMax      float64
	random       bool // sampling with a reservoir (some count is finite)
	split        splitMode
	testFraction float64
	validate     bool

	source      string
	sourceStart int
	read        int
	kept        int
	keptClass   [2]int

	// removal counters
	byPt, byY, bySplit, byMax, bySample int
	byClass                             [2]int

	// random sampling
	rng  *rand.Rand
	res  [2]reservoir
	pool *jet.Jets
	live int
}

// New builds a selector from resolved parameters (Spec's parameters; any
// that are absent take their defaults). seed drives the random subsample
// and the split; source names the input in errors and the summary.
func New(p plugin.Params, seed int64, source string) (*Selector, error) {
	s := &Selector{seed: seed, source: source, ptMax: math.Inf(1), testFraction: 0.2, validate: true, caps: [2]int{All, All}}
	var err error
	getInt := func(name string, def int) int {
		if !p.Has(name) || err != nil {
			return def
		}
		switch v := p[name].(type) {
		case int64:
			return int(v)
		case int:
			return v
		}
		err = &plugin.ParamError{Param: name, Msg: fmt.Sprintf("want an integer, got %T", p[name])}
		return def
	}
	getFloat := func(name string, def float64) float64 {
		if !p.Has(name) || err != nil {
			return def
		}
		switch v := p[name].(type) {
		case float64:
			return v
		case int64:
			return float64(v)
		case int:
			return float64(v)
		}
		err = &plugin.ParamError{Param: name, Msg: fmt.Sprintf("want a number, got %T", p[name])}
		return def
	}
	getString := func(name, def string) string {
		if !p.Has(name) || err != nil {
			return def
		}
		v, ok := p[name].(string)
		if !ok {
			err = &plugin.ParamError{Param: name, Msg: fmt.Sprintf("want a string, got %T", p[name])}
		}
		return v
	}
	s.maxJets = getInt(ParamMaxJets, 0)
	s.caps[jet.Quark] = getInt(ParamQuarks, All)
	s.caps[jet.Gluon] = getInt(ParamGluons, All)
	s.ptMin = getFloat(ParamPtMin, 0)
	s.ptMax = getFloat(ParamPtMax, math.Inf(1))
	s.absYMax = getFloat(ParamAbsYMax, 0)
	sample := getString(ParamSample, "first")
	split := getString(ParamSplit, "all")
	s.testFraction = getFloat(ParamTestFraction, 0.2)
	if p.Has(ParamValidate) && err == nil {
		b, ok := p[ParamValidate].(bool)
		if !ok {
			err = &plugin.ParamError{Param: ParamValidate, Msg: fmt.Sprintf("want a bool, got %T", p[ParamValidate])}
		}
		s.validate = b
	}
	if err != nil {
		return nil, err
	}
	switch {
	case s.maxJets < 0:
		return nil, &plugin.ParamError{Param: ParamMaxJets, Msg: fmt.Sprintf("%d is negative (0 = no limit)", s.maxJets)}
	case s.caps[jet.Quark] < All:
		return nil, &plugin.ParamError{Param: ParamQuarks, Msg: fmt.Sprintf("%d is below -1 (-1 = all)", s.caps[jet.Quark])}
	case s.caps[jet.Gluon] < All:
		return nil, &plugin.ParamError{Param: ParamGluons, Msg: fmt.Sprintf("%d is below -1 (-1 = all)", s.caps[jet.Gluon])}
	case math.IsNaN(s.ptMin) || s.ptMin < 0:
		return nil, &plugin.ParamError{Param: ParamPtMin, Msg: fmt.Sprintf("%v must be a non-negative number of GeV", s.ptMin)}
	case math.IsNaN(s.ptMax) || s.ptMax < s.ptMin:
		return nil, &plugin.ParamError{Param: ParamPtMax, Msg: fmt.Sprintf("%v GeV is below pt_min = %v GeV", s.ptMax, s.ptMin)}
	case math.IsNaN(s.absYMax) || s.absYMax < 0:
		return nil, &plugin.ParamError{Param: ParamAbsYMax, Msg: fmt.Sprintf("%v must be non-negative (0 = no cut)", s.absYMax)}
	case math.IsNaN(s.testFraction) || s.testFraction < 0 || s.testFraction > 1:
		return nil, &plugin.ParamError{Param: ParamTestFraction, Msg: fmt.Sprintf("%v is not in [0, 1]", s.testFraction)}
	}
	s.ptCut = s.ptMin > 0 || !math.IsInf(s.ptMax, 1)
	switch sample {
	case "first":
	case "random":
		s.random = s.maxJets > 0 || s.caps[0] > 0 || s.caps[1] > 0
	default:
		return nil, &plugin.ParamError{Param: ParamSample, Msg: fmt.Sprintf("value %q is not one of first, random", sample)}
	}
	switch split {
	case "all":
	case "train":
		s.split = splitTrain
	case "test":
		s.split = splitTest
	default:
		return nil, &plugin.ParamError{Param: ParamSplit, Msg: fmt.Sprintf("value %q is not one of all, train, test", split)}
	}
	if s.random {
		s.rng = rand.New(rand.NewPCG(uint64(seed), 0x5e1ec7))
		s.pool = &jet.Jets{}
		for c := range s.res {
			switch {
			case s.caps[c] > 0:
				s.res[c] = reservoir{capacity: s.caps[c], byV: false}
			case s.caps[c] == All && s.maxJets > 0:
				s.res[c] = reservoir{capacity: s.maxJets, byV: true}
			case s.caps[c] == All:
				s.res[c] = reservoir{capacity: -1}
			}
		}
	}
	return s, nil
}

// SetSource names the input that the following batches come from (for a
// reader that concatenates several files). Jet indices in errors are then
// counted from the start of that source.
func (s *Selector) SetSource(source string) {
	s.source = source
	s.sourceStart = s.read
}

// Done reports that the selection is full, so a reader may stop reading:
// only possible when taking the first jets (not with sample: random).
func (s *Selector) Done() bool {
	if s.random {
		return false
	}
	if s.maxJets > 0 && s.kept >= s.maxJets {
		return true
	}
	return s.caps[0] >= 0 && s.caps[1] >= 0 && s.keptClass[0] >= s.caps[0] && s.keptClass[1] >= s.caps[1]
}

// Kept returns the number of jets selected so far (for random sampling,
// the number currently held).
func (s *Selector) Kept() int {
	if s.random {
		return s.live
	}
	return s.kept
}

// Add passes one batch through the selection and returns the jets kept
// from it, in order, with the source_index column (an empty, non-nil batch
// when none are kept; always empty with sample: random, whose jets come
// from Finish). Add takes ownership of batch: it may return it, with the
// column added, when every jet is kept. Validation errors name the source
// and the jet's index in it.
func (s *Selector) Add(batch *jet.Jets) (*jet.Jets, error) {
	n := batch.Len()
	if n == 0 {
		return &jet.Jets{}, nil
	}
	if s.validate {
		if err := batch.Validate(); err != nil {
			return nil, s.validationError(err)
		}
	}
	keep := make([]int, 0, n)
	var offer []int // random mode: jets accepted into a reservoir
	for i := 0; i < n; i++ {
		idx := s.read + i
		v := batch.Jet(i)
		if s.ptCut || s.absYMax > 0 {
			p4 := v.FourMomentum(false)
			if s.ptCut {
				if pt := p4.Pt(); !(pt >= s.ptMin && pt <= s.ptMax) {
					s.byPt++
					continue
				}
			}
			if s.absYMax > 0 {
				if y := p4.Rapidity(); !(math.Abs(y) <= s.absYMax) {
					s.byY++
					continue
				}
			}
		}
		if s.split != splitAll && s.isTest(idx) != (s.split == splitTest) {
			s.bySplit++
			continue
		}
		c := classOf(v.Label)
		if s.caps[c] == 0 {
			s.byClass[c]++
			continue
		}
		if s.random {
			u, w := s.rng.Uint64(), s.rng.Uint64()
			if s.res[c].accepts(u, w) {
				offer = append(offer, i)
				s.res[c].push(entry{u: u, v: w, src: idx, pool: s.pool.Len() + len(offer) - 1})
			}
			continue
		}
		if s.caps[c] > 0 && s.keptClass[c] >= s.caps[c] {
			s.byClass[c]++
			continue
		}
		if s.maxJets > 0 && s.kept >= s.maxJets {
			s.byMax++
			continue
		}
		s.kept++
		s.keptClass[c]++
		keep = append(keep, i)
	}
	first := s.read
	s.read += n
	if s.random {
		if len(offer) > 0 {
			sub := batch.Subset(offer)
			setSourceIndex(sub, offer, first)
			s.pool.Concat(sub)
			s.live = s.res[0].len() + s.res[1].len()
			if s.pool.Len() > 2*s.live+1024 {
				s.compact()
			}
		}
		return &jet.Jets{}, nil
	}
	if len(keep) == 0 {
		return &jet.Jets{}, nil
	}
	out := batch
	if len(keep) < n {
		out = batch.Subset(keep)
	}
	setSourceIndex(out, keep, first)
	return out, nil
}

func classOf(label int8) int {
	if label == jet.Quark {
		return 1
	}
	return 0
}

func setSourceIndex(j *jet.Jets, rows []int, first int) {
	col := make([]float64, len(rows))
	for k, r := range rows {
		col[k] = float64(first + r)
	}
	if j.Aux == nil {
		j.Aux = map[string][]float64{}
	}
	j.Aux[SourceIndex] = col
}

func (s *Selector) validationError(err error) error {
	var ve *jet.ValidationError
	if !errors.As(err, &ve) || ve.Jet < 0 {
		return fmt.Errorf("%s: batch starting at jet %d: %w", s.source, s.read-s.sourceStart, err)
	}
	idx := s.read + ve.Jet
	where := fmt.Sprintf("jet %d", idx-s.sourceStart)
	if s.sourceStart > 0 {
		where += fmt.Sprintf(" (jet %d of the input stream)", idx)
	}
	if ve.Particle >= 0 {
		where += fmt.Sprintf(", particle %d", ve.Particle)
	}
	return fmt.Errorf("%s: %s: %s", s.source, where, ve.Reason)
}

// isTest assigns a jet to the test part: a splitmix64 hash of the seed and
// the source index, mapped to [0, 1), is below test_fraction.
func (s *Selector) isTest(idx int) bool {
	h := splitmix64(uint64(s.seed) ^ splitmix64(uint64(idx)+0x7e57))
	return float64(h>>11)*0x1p-53 < s.testFraction
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// compact drops evicted jets from the sampling pool.
func (s *Selector) compact() {
	var idx []int
	for c := range s.res {
		for k := range s.res[c].h {
			idx = append(idx, s.res[c].h[k].pool)
			s.res[c].h[k].pool = len(idx) - 1
		}
	}
	s.pool = s.pool.Subset(idx)
}

// Finish returns the jets held back (the random subsample, in stream
// order, with source_index), or an empty batch when jets were returned by
// Add. It is an error if the selection is empty; the error lists how many
// jets each cut removed.
func (s *Selector) Finish() (*jet.Jets, error) {
	out := &jet.Jets{}
	if s.random {
		var all []entry
		for c := range s.res {
			all = append(all, s.res[c].h...)
		}
		if s.maxJets > 0 && len(all) > s.maxJets {
			// Uniformly maxJets of the class samples: the smallest second keys.
			slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.v, b.v) })
			s.bySample += len(all) - s.maxJets
			all = all[:s.maxJets]
		}
		slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.src, b.src) })
		idx := make([]int, len(all))
		for k, e := range all {
			idx[k] = e.pool
		}
		passed := s.res[0].seen + s.res[1].seen
		s.bySample += passed - len(s.res[0].h) - len(s.res[1].h)
		out = s.pool.Subset(idx)
		s.kept = out.Len()
		s.keptClass[0], s.keptClass[1] = 0, 0
		for _, l := range out.Label {
			s.keptClass[classOf(l)]++
		}
		s.pool, s.res = nil, [2]reservoir{}
		s.random = false // Finish is done; Kept and Summary report the result
	}
	if s.kept == 0 {
		if s.read == 0 {
			return nil, fmt.Errorf("%s: no jets were read", s.source)
		}
		return nil, fmt.Errorf("%s: the selection kept no jets: %s", s.source, s.counts())
	}
	return out, nil
}

// Summary describes the selection, e.g. "read 20000 jets, kept 4000
// (1000 quark, 3000 gluon); removed 120 by the pT window [500, 550] GeV,
// 15880 by max_jets = 4000".
func (s *Selector) Summary() string {
	return s.counts()
}

func (s *Selector) counts() string {
	var b strings.Builder
	fmt.Fprintf(&b, "read %d jets, kept %d", s.read, s.Kept())
	if !s.random {
		fmt.Fprintf(&b, " (%d quark, %d gluon)", s.keptClass[1], s.keptClass[0])
	} else {
		b.WriteString(" so far (random subsample, final after Finish)")
	}
	var parts []string
	add := func(n int, why string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, why))
		}
	}
	add(s.byPt, fmt.Sprintf("by the pT window [%s, %s] GeV", fmtNum(s.ptMin), fmtNum(s.ptMax)))
	add(s.byY, fmt.Sprintf("by |y| <= %s", fmtNum(s.absYMax)))
	add(s.bySplit, fmt.Sprintf("by split = %s (test_fraction %s)", [...]string{"all", "train", "test"}[s.split], fmtNum(s.testFraction)))
	add(s.byClass[1], fmt.Sprintf("by quarks = %d", s.caps[1]))
	add(s.byClass[0], fmt.Sprintf("by gluons = %d", s.caps[0]))
	add(s.byMax, fmt.Sprintf("by max_jets = %d", s.maxJets))
	add(s.bySample, "by random subsampling to the requested counts")
	if len(parts) > 0 {
		b.WriteString("; removed ")
		b.WriteString(strings.Join(parts, ", "))
	}
	return b.String()
}

func fmtNum(x float64) string {
	if math.IsInf(x, 1) {
		return "inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// reservoir keeps the capacity entries with the smallest key (u, or v when
// byV) in a max-heap; capacity -1 keeps everything.
type reservoir struct {
	capacity int
	byV      bool
	h        []entry
	seen     int
}

type entry struct {
	u, v uint64
	src  int // stream index
	pool int // row in the sampling pool
}

func (r *reservoir) key(e entry) uint64 {
	if r.byV {
		return e.v
	}
	return e.u
}

func (r *reservoir) len() int { return len(r.h) }

// accepts counts the jet as seen and reports whether it enters the
// reservoir (push must follow when it does).
func (r *reservoir) accepts(u, v uint64) bool {
	r.seen++
	if r.capacity < 0 || len(r.h) < r.capacity {
		return true
	}
	k := u
	if r.byV {
		k = v
	}
	return k < r.key(r.h[0])
}

func (r *reservoir) push(e entry) {
	if r.capacity < 0 || len(r.h) < r.capacity {
		r.h = append(r.h, e)
		r.up(len(r.h) - 1)
		return
	}
	r.h[0] = e
	r.down(0)
}

func (r *reservoir) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if r.key(r.h[p]) >= r.key(r.h[i]) {
			return
		}
		r.h[p], r.h[i] = r.h[i], r.h[p]
		i = p
	}
}

func (r *reservoir) down(i int) {
	n := len(r.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if rr := l + 1; rr < n && r.key(r.h[rr]) > r.key(r.h[l]) {
			m = rr
		}
		if r.key(r.h[i]) >= r.key(r.h[m]) {
			return
		}
		r.h[i], r.h[m] = r.h[m], r.h[i]
		i = m
	}
}
