// Package roc computes receiver operating characteristic (ROC) curves, the
// area under them (AUC) with ties counted 1/2, background rejection at a
// signal efficiency, and seeded bootstrap bands, for weighted binary
// samples.
//
// Conventions (identical to scikit-learn 1.2, checked against
// reference/roc/ of the shared reference values):
//
//   - Label 1 is signal (quark, the positive class), label 0 background.
//   - Samples of weight 0 are dropped before the curve is built, so no ROC
//     point appears at their score (sklearn's roc_curve does the same).
//   - The curve has one point per distinct score, thresholds decreasing,
//     preceded by the point (0, 0) whose threshold is +Inf (sklearn 1.2
//     writes max(score)+1 there; newer versions +Inf). A point is (fraction
//     of background weight with score >= threshold, fraction of signal
//     weight with score >= threshold): roc_curve(drop_intermediate=False).
//   - AUC is the weighted Mann–Whitney statistic
//     sum_{i sig, j bkg} w_i w_j [1(s_i > s_j) + 1/2 1(s_i = s_j)] / (W_s W_b),
//     computed in O(n log n) by sorting once. It equals the trapezoidal area
//     under the curve (to an ulp).
//   - Background rejection at signal efficiency e is 1/fpr at the first
//     point (highest threshold) with tpr >= e, without interpolation; +Inf
//     when fpr = 0 there.
//   - With only one class (after dropping zero weights) the AUC and the
//     rejection are undefined: the functions return NaN and an
//     *UndefinedError, never a number.
package roc

import (
	"errors"
	"fmt"
	"math"
)

// UndefinedError reports that an AUC or rejection is undefined because the
// sample has no (positive-weight) jet of one class.
type UndefinedError struct {
	Missing string // "signal" or "background"
}

// Error implements error.
func (e *UndefinedError) Error() string {
	return fmt.Sprintf("roc: AUC undefined: the sample has no %s jet with positive weight (only one class present)", e.Missing)
}

// IsUndefined reports whether err says the AUC is undefined (one class only).
func IsUndefined(err error) bool {
	var u *UndefinedError
	return errors.As(err, &u)
}

// Sample is a validated, ranked binary sample: jets sorted once by score
// (descending, ties by index) and grouped by equal score, with weights and
// classes stored in rank order so that AUC, curve, rejection and bootstrap
// replicates are sequential O(n) walks. A Sample is immutable and safe for
// concurrent use.
type Sample struct {
	n      int       // samples given to New
	orig   []int32   // rank -> original index (positive-weight samples only)
	rw     []float64 // weight by rank
	rsig   []bool    // label == 1 by rank
	gend   []int32   // group g covers ranks [gend[g-1], gend[g]) (gend[-1] = 0)
	scores []float64 // score of each group (distinct, decreasing)
	ws, wb float64   // total signal and background weight (summed in rank order)
	sigR   []int32   // ranks of positive-weight signal samples
	bkgR   []int32   // ranks of positive-weight background samples
	sigZ   int       // zero-weight signal samples (drawn by the bootstrap, contribute nothing)
	bkgZ   int       // zero-weight background samples
}

// New validates and ranks a sample. labels must be 0 or 1; scores must
// not be NaN (±Inf is allowed); weights may be nil (all 1) or must be
// finite and >= 0. Errors name the offending index. The sort is a radix
// sort, O(n).
func New(labels []int8, scores, weights []float64) (*Sample, error) {
	n := len(labels)
	if len(scores) != n {
		return nil, fmt.Errorf("roc: %d labels but %d scores", n, len(scores))
	}
	if weights != nil && len(weights) != n {
		return nil, fmt.Errorf("roc: %d labels but %d weights", n, len(weights))
	}
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("roc: %d samples is more than this package supports (%d)", n, math.MaxInt32)
	}
	s := &Sample{n: n}
	keys := make([]uint64, 0, n)
	idx := make([]uint32, 0, n) // original index, bit 31 = signal
	nsig := 0
	for i := 0; i < n; i++ {
		if labels[i] != 0 && labels[i] != 1 {
			return nil, fmt.Errorf("roc: label of sample %d is %d (want 0 = background or 1 = signal)", i, labels[i])
		}
		if math.IsNaN(scores[i]) {
			return nil, fmt.Errorf("roc: score of sample %d is NaN", i)
		}
		if weights != nil {
			w := weights[i]
			if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
				return nil, fmt.Errorf("roc: weight of sample %d is %v (want finite and >= 0)", i, w)
			}
			if w == 0 { // dropped, as sklearn does
				if labels[i] == 1 {
					s.sigZ++
				} else {
					s.bkgZ++
				}
				continue
			}
		}
		keys = append(keys, descKey(scores[i]))
		idx = append(idx, uint32(i)|uint32(labels[i])<<31)
		nsig += int(labels[i])
	}
	keys, idx = sortDesc(keys, idx)
	m := len(idx)
	s.orig = make([]int32, m)
	s.rw = make([]float64, m)
	s.rsig = make([]bool, m)
	s.sigR = make([]int32, 0, nsig)
	s.bkgR = make([]int32, 0, m-nsig)
	s.gend = make([]int32, 0, m)
	s.scores = make([]float64, 0, m)
	for r, x := range idx {
		i := int32(x &^ (1 << 31))
		s.orig[r] = i
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		s.rw[r] = w
		if x>>31 == 1 {
			s.rsig[r] = true
			s.ws += w
			s.sigR = append(s.sigR, int32(r))
		} else {
			s.wb += w
			s.bkgR = append(s.bkgR, int32(r))
		}
		if r > 0 && keys[r] != keys[r-1] {
			s.gend = append(s.gend, int32(r))
			s.scores = append(s.scores, keyScore(keys[r-1]))
		}
	}
	if m > 0 {
		s.gend = append(s.gend, int32(m))
		s.scores = append(s.scores, keyScore(keys[m-1]))
	}
	return s, nil
}

// Len returns the number of samples given to New (including zero weights).
func (s *Sample) Len() int { return s.n }

// Distinct returns the number of distinct scores among positive-weight
// samples (the number of ROC points minus one).
func (s *Sample) Distinct() int { return len(s.gend) }

// Totals returns the total signal and background weight.
func (s *Sample) Totals() (sig, bkg float64) { return s.ws, s.wb }

func (s *Sample) defined(ws, wb float64) error {
	if !(ws > 0) {
		return &UndefinedError{Missing: "signal"}
	}
	if !(wb > 0) {
		return &UndefinedError{Missing: "background"}
	}
	return nil
}

// AUC returns the weighted Mann–Whitney AUC with ties counted 1/2, or NaN
// and an *UndefinedError when one class is missing.
func (s *Sample) AUC() (float64, error) {
	return s.auc(nil)
}

// auc walks the groups once. mult, when non-nil, multiplies every weight
// (bootstrap replicate multiplicities).
func (s *Sample) auc(mult []int32) (float64, error) {
	var above, num, ws, wb float64 // above: signal weight at higher scores
	lo := int32(0)
	for _, hi := range s.gend {
		var gs, gb float64
		for r := lo; r < hi; r++ {
			w := s.rw[r]
			if mult != nil {
				w *= float64(mult[r])
			}
			if s.rsig[r] {
				gs += w
			} else {
				gb += w
			}
		}
		num += gb * (above + 0.5*gs)
		above += gs
		ws += gs
		wb += gb
		lo = hi
	}
	if err := s.defined(ws, wb); err != nil {
		return math.NaN(), err
	}
	return num / (ws * wb), nil
}

// Curve is a ROC curve: FPR[k], TPR[k] are the background and signal
// efficiencies of the cut score >= Thresholds[k]. Thresholds decrease;
// index 0 is the (0, 0) point with threshold +Inf. FPR (TPR) is NaN when
// the sample has no background (signal) weight, as in sklearn.
type Curve struct {
	FPR, TPR, Thresholds []float64
}

// Len returns the number of points.
func (c *Curve) Len() int { return len(c.Thresholds) }

// Curve returns the ROC curve (one point per distinct score, plus the
// initial (0, 0) point). It does not fail for a one-class sample: the rate
// of the missing class is NaN, as sklearn returns.
func (s *Sample) Curve() *Curve {
	m := len(s.gend) + 1
	c := &Curve{FPR: make([]float64, m), TPR: make([]float64, m), Thresholds: make([]float64, m)}
	c.Thresholds[0] = math.Inf(1)
	var tps, fps float64
	lo := int32(0)
	for g, hi := range s.gend {
		for r := lo; r < hi; r++ {
			if s.rsig[r] {
				tps += s.rw[r]
			} else {
				fps += s.rw[r]
			}
		}
		c.TPR[g+1] = rate(tps, s.ws)
		c.FPR[g+1] = rate(fps, s.wb)
		c.Thresholds[g+1] = s.scores[g]
		lo = hi
	}
	c.TPR[0], c.FPR[0] = rate(0, s.ws), rate(0, s.wb)
	return c
}

func rate(x, total float64) float64 {
	if total == 0 {
		return math.NaN()
	}
	return x / total
}

// Point is one point of a ROC curve selected by a signal efficiency.
type Point struct {
	Index     int     // index into the Curve
	FPR, TPR  float64 // background and signal efficiency there
	Threshold float64 // the score cut (score >= Threshold)
	Rejection float64 // 1/FPR; +Inf when FPR = 0
}

// At returns the first point (highest threshold) with TPR >= sigEff and the
// background rejection 1/FPR there (no interpolation). It returns an
// *UndefinedError when a class is missing.
func (c *Curve) At(sigEff float64) (Point, error) {
	if math.IsNaN(sigEff) || sigEff < 0 || sigEff > 1 {
		return Point{}, fmt.Errorf("roc: signal efficiency %v is outside [0, 1]", sigEff)
	}
	for k := range c.TPR {
		if math.IsNaN(c.TPR[k]) {
			return Point{}, &UndefinedError{Missing: "signal"}
		}
		if math.IsNaN(c.FPR[k]) {
			return Point{}, &UndefinedError{Missing: "background"}
		}
		if c.TPR[k] >= sigEff {
			return Point{Index: k, FPR: c.FPR[k], TPR: c.TPR[k], Threshold: c.Thresholds[k], Rejection: 1 / c.FPR[k]}, nil
		}
	}
	return Point{}, fmt.Errorf("roc: no point reaches signal efficiency %v", sigEff)
}

// At returns the ROC point at signal efficiency sigEff (see Curve.At)
// without building the whole curve.
func (s *Sample) At(sigEff float64) (Point, error) {
	if math.IsNaN(sigEff) || sigEff < 0 || sigEff > 1 {
		return Point{}, fmt.Errorf("roc: signal efficiency %v is outside [0, 1]", sigEff)
	}
	if err := s.defined(s.ws, s.wb); err != nil {
		return Point{}, err
	}
	if 0 >= sigEff {
		return Point{Index: 0, Threshold: math.Inf(1), Rejection: math.Inf(1)}, nil
	}
	fpr, k, ok := s.walkAt(nil, s.ws, s.wb, sigEff)
	if !ok {
		return Point{}, fmt.Errorf("roc: no point reaches signal efficiency %v", sigEff)
	}
	return Point{Index: k + 1, FPR: fpr, TPR: s.tprAt(k), Threshold: s.scores[k], Rejection: 1 / fpr}, nil
}

// tprAt recomputes the TPR after group k (rarely needed: only for At).
func (s *Sample) tprAt(k int) float64 {
	var tps float64
	for r := int32(0); r < s.gend[k]; r++ {
		if s.rsig[r] {
			tps += s.rw[r]
		}
	}
	return tps / s.ws
}

// walkAt returns the FPR at the first group whose cumulative TPR reaches
// sigEff, and the group index.
func (s *Sample) walkAt(mult []int32, ws, wb, sigEff float64) (float64, int, bool) {
	var tps, fps float64
	lo := int32(0)
	for g, hi := range s.gend {
		for r := lo; r < hi; r++ {
			w := s.rw[r]
			if mult != nil {
				w *= float64(mult[r])
			}
			if s.rsig[r] {
				tps += w
			} else {
				fps += w
			}
		}
		if tps/ws >= sigEff {
			return fps / wb, g, true
		}
		lo = hi
	}
	return 0, 0, false
}

// AUC is a convenience for New(labels, scores, weights) followed by AUC.
func AUC(labels []int8, scores, weights []float64) (float64, error) {
	s, err := New(labels, scores, weights)
	if err != nil {
		return math.NaN(), err
	}
	return s.AUC()
}

// ROC is a convenience for New(labels, scores, weights) followed by Curve.
func ROC(labels []int8, scores, weights []float64) (*Curve, error) {
	s, err := New(labels, scores, weights)
	if err != nil {
		return nil, err
	}
	return s.Curve(), nil
}
