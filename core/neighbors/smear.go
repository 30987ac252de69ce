package neighbors

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/core/table"
)

// SmearConfig configures Smear: the engine (reference sets, tiles,
// workers) and the bootstrap bands of the per-point AUC and rejection.
type SmearConfig struct {
	Config
	// Bootstrap: replicates (0 = no bands), confidence, seed, and the
	// signal efficiency of the rejection (0 = 0.5).
	Bootstrap roc.BootstrapConfig
}

// SmearConfigFromHostParams reads the smearer host parameters
// (`reference`, `folds`, `shuffle_folds`, `n_boot`, `confidence`) with the
// workflow seed (used for the fold shuffle and the bootstrap).
func SmearConfigFromHostParams(p plugin.Params, seed uint64) (SmearConfig, error) {
	c, err := ConfigFromHostParams(p, seed)
	if err != nil {
		return SmearConfig{}, err
	}
	sc := SmearConfig{Config: c, Bootstrap: roc.BootstrapConfig{N: 200, Confidence: 0.68, Seed: seed, SigEff: 0.5}}
	if p.Has("n_boot") {
		sc.Bootstrap.N = p.Int("n_boot")
	}
	if p.Has("confidence") {
		sc.Bootstrap.Confidence = p.Float("confidence")
	}
	return sc, nil
}

// PointResult summarises the scores at one point of the smearer's axis.
type PointResult struct {
	Value float64 // the axis value (eps, or k)
	// AUC of the pooled scores of all queries (Mann–Whitney, ties 1/2,
	// query weights) and its bootstrap band.
	AUC     float64
	AUCBand roc.Band
	// Rejection is 1/eff_b at the first ROC point with eff_s >= SigEff
	// (+Inf when eff_b = 0 there), with its band and the point itself.
	Rejection     float64
	RejectionBand roc.Band
	FPRAt, TPRAt  float64
	ThresholdAt   float64
	// Empty counts queries scored without information (empty balls);
	// MeanCount is the unweighted mean of the smearer's Counts over the
	// queries (NaN when it reports none); Full counts queries whose count
	// equals the weight of their whole reference set (N_s + N_b; exact for
	// integer weights). ScoreOne and ScoreZero count scores exactly 1 and 0.
	Empty, Full         int
	MeanCount           float64
	ScoreOne, ScoreZero int
	// KRadius is, on a k axis (kNN), the median over the queries of the
	// distance to the k-th nearest reference jet (metric units; queries
	// with fewer than k reference jets are left out; NaN if none has k):
	// the radius at which kNN can be compared with smearers scanning a
	// radius. 0 on other axes.
	KRadius float64
}

// Result is the outcome of Smear: everything a scores artifact needs
// (auc.csv through Table, scores.npy through Scores).
type Result struct {
	Plugin     string // kind/name@version of the smearer
	Axis, Unit string
	Points     []float64
	Setup      *Setup // mode, query jets, folds, normalisers per query
	// Labels and Weights of the queries (aligned with Setup.Queries).
	Labels  []int8
	Weights []float64
	// Scores, Empty and Counts are query-major: len(Queries)×len(Points)
	// (Counts is nil when the smearer reports none).
	Scores []float64
	Empty  []bool
	Counts []float64
	// kRadius holds, on a k axis, every query's distance to its k-th
	// nearest reference jet at every point (query-major; NaN when the
	// reference set is smaller than k), nil otherwise.
	kRadius []float64
	// PerPoint holds the AUC, rejection and population summaries.
	PerPoint []PointResult
	SigEff   float64
	// Biased is set for the leave-one-out modes; BiasNote says why.
	Biased   bool
	BiasNote string
	Stats    *Stats
}

// Smear runs a smearer over a space: Prepare the reference sets, Plan the
// smearer (params must be resolved against its spec), compute the
// neighbour summaries (Run), Smear every batch, and summarise every point
// with roc (AUC, rejection, bootstrap bands) and population counts.
// weights may be nil (all 1).
func Smear(ctx context.Context, space plugin.Space, labels []int8, weights []float64, cfg SmearConfig, sm plugin.Smearer, params plugin.Params) (*Result, error) {
	info := sm.Info()
	setup, err := Prepare(space.Len(), labels, weights, cfg.Config)
	if err != nil {
		return nil, err
	}
	plan, err := sm.Plan(params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", info.ID(), err)
	}
	nq, m := len(setup.Queries), len(plan.Points)
	if m == 0 {
		return nil, fmt.Errorf("%s: the plan has no points", info.ID())
	}
	res := &Result{
		Plugin: fmt.Sprintf("%s@%s", info.ID(), info.Version), Axis: plan.Axis, Unit: plan.Unit,
		Points: plan.Points, Setup: setup,
		Labels: make([]int8, nq), Weights: make([]float64, nq),
		Scores: make([]float64, nq*m), Empty: make([]bool, nq*m),
	}
	res.Biased, res.BiasNote = setup.Mode.Biased()
	for k, q := range setup.Queries {
		res.Labels[k], res.Weights[k] = setup.labels[q], setup.weights[q]
	}
	off := 0
	res.Stats, err = Run(ctx, space, setup, cfg.Config, plan.Needs, func(b *plugin.NeighborBatch) error {
		sb, err := sm.Smear(ctx, params, b)
		if err != nil {
			return fmt.Errorf("%s: %w", info.ID(), err)
		}
		n := len(b.Queries)
		if len(sb.Scores) != n*m || len(sb.Empty) != n*m || (sb.Counts != nil && len(sb.Counts) != n*m) {
			return fmt.Errorf("%s: returned %d scores, %d empty flags and %d counts for %d queries × %d points", info.ID(), len(sb.Scores), len(sb.Empty), len(sb.Counts), n, m)
		}
		for i, x := range sb.Scores {
			if math.IsNaN(x) {
				return fmt.Errorf("%s: score of jet %d at %s = %v is NaN", info.ID(), b.Queries[i/m], plan.Axis, plan.Points[i%m])
			}
		}
		copy(res.Scores[off*m:], sb.Scores)
		copy(res.Empty[off*m:], sb.Empty)
		if plan.Axis == "k" && b.KOffsets != nil {
			if res.kRadius == nil {
				res.kRadius = make([]float64, nq*m)
			}
			kthDistances(res.kRadius[off*m:(off+n)*m], b, plan.Points)
		}
		if sb.Counts != nil {
			if res.Counts == nil {
				if off != 0 {
					return fmt.Errorf("%s: counts reported for some batches only", info.ID())
				}
				res.Counts = make([]float64, nq*m)
			}
			copy(res.Counts[off*m:], sb.Counts)
		} else if res.Counts != nil {
			return fmt.Errorf("%s: counts reported for some batches only", info.ID())
		}
		off += n
		return nil
	})
	if err != nil {
		return nil, err
	}
	if off != nq {
		return nil, fmt.Errorf("neighbors: internal error: %d of %d queries scored", off, nq)
	}
	if err := res.summarise(cfg); err != nil {
		return nil, err
	}
	return res, nil
}

// summarise fills PerPoint, one goroutine per point up to cfg.Workers.
func (res *Result) summarise(cfg SmearConfig) error {
	nq, m := len(res.Labels), len(res.Points)
	bc := cfg.Bootstrap
	if bc.SigEff == 0 {
		bc.SigEff = 0.5
	}
	res.SigEff = bc.SigEff
	res.PerPoint = make([]PointResult, m)
	errs := make([]error, m)
	workers := cfg.Config.withDefaults().Workers
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for p := 0; p < m; p++ {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			col := make([]float64, nq)
			pr := PointResult{Value: res.Points[p], MeanCount: math.NaN()}
			var sumCount float64
			for q := 0; q < nq; q++ {
				x := res.Scores[q*m+p]
				col[q] = x
				switch x {
				case 1:
					pr.ScoreOne++
				case 0:
					pr.ScoreZero++
				}
				if res.Empty[q*m+p] {
					pr.Empty++
				}
				if res.Counts != nil {
					c := res.Counts[q*m+p]
					sumCount += c
					if c == res.Setup.NormS[q]+res.Setup.NormB[q] {
						pr.Full++
					}
				}
			}
			if res.Counts != nil && nq > 0 {
				pr.MeanCount = sumCount / float64(nq)
			}
			if res.kRadius != nil {
				pr.KRadius = medianFinite(res.kRadius, p, m)
			}
			s, err := roc.New(res.Labels, col, res.Weights)
			if err == nil {
				pr.AUC, err = s.AUC()
			}
			var pt roc.Point
			if err == nil {
				pt, err = s.At(bc.SigEff)
			}
			if err != nil {
				errs[p] = fmt.Errorf("%s = %v: %w", res.Axis, res.Points[p], err)
				return
			}
			pr.Rejection, pr.FPRAt, pr.TPRAt, pr.ThresholdAt = pt.Rejection, pt.FPR, pt.TPR, pt.Threshold
			bands, err := s.Bootstrap(bc)
			if err != nil {
				errs[p] = fmt.Errorf("%s = %v: %w", res.Axis, res.Points[p], err)
				return
			}
			pr.AUCBand, pr.RejectionBand = bands.AUC, bands.Rejection
			res.PerPoint[p] = pr
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// kthDistances writes into out (query-major, len(b.Queries)×len(ks)) each
// query's distance to its k-th nearest reference jet for every k of ks
// (NaN when its list is shorter than k). The lists are sorted by distance;
// the points of a k axis are integers (a fractional k is truncated).
func kthDistances(out []float64, b *plugin.NeighborBatch, ks []float64) {
	m := len(ks)
	for q := range b.Queries {
		list := b.KList[b.KOffsets[q]:b.KOffsets[q+1]]
		for p, kf := range ks {
			k := int(kf)
			out[q*m+p] = math.NaN()
			if k >= 1 && k <= len(list) {
				out[q*m+p] = list[k-1].Distance
			}
		}
	}
}

// medianFinite returns the median of the non-NaN values of column p of the
// query-major matrix v with m columns (NaN if there are none).
func medianFinite(v []float64, p, m int) float64 {
	var col []float64
	for i := p; i < len(v); i += m {
		if !math.IsNaN(v[i]) {
			col = append(col, v[i])
		}
	}
	slices.Sort(col)
	return roc.Quantile(col, 0.5) // NaN for no values
}

// Best returns the index of the point with the highest AUC (the first one
// on ties).
func (res *Result) Best() int {
	best := 0
	for p, pr := range res.PerPoint {
		if pr.AUC > res.PerPoint[best].AUC {
			best = p
		}
	}
	return best
}

// Table returns the per-point summary (auc.csv): the axis column (named
// after the axis, e.g. eps or k), auc, auc_lo, auc_hi, rejection50,
// rejection50_lo, rejection50_hi (named rejection<percent> after the signal
// efficiency), fpr_at, tpr_at, threshold_at, empty, full, mean_count,
// n_score_1, n_score_0, and on a k axis median_k_radius.
func (res *Result) Table() *table.Table {
	m := len(res.PerPoint)
	col := func(f func(PointResult) float64) []float64 {
		out := make([]float64, m)
		for p, pr := range res.PerPoint {
			out[p] = f(pr)
		}
		return out
	}
	rej := "rejection" + strconv.FormatFloat(100*res.SigEff, 'g', -1, 64)
	t := table.New()
	t.AddFloat(res.Axis, append([]float64(nil), res.Points...))
	if res.Unit != "" {
		t.Columns[0].Unit = res.Unit
	}
	t.AddFloat("auc", col(func(p PointResult) float64 { return p.AUC }))
	t.AddFloat("auc_lo", col(func(p PointResult) float64 { return p.AUCBand.Lo }))
	t.AddFloat("auc_hi", col(func(p PointResult) float64 { return p.AUCBand.Hi }))
	t.AddFloat(rej, col(func(p PointResult) float64 { return p.Rejection }))
	t.AddFloat(rej+"_lo", col(func(p PointResult) float64 { return p.RejectionBand.Lo }))
	t.AddFloat(rej+"_hi", col(func(p PointResult) float64 { return p.RejectionBand.Hi }))
	t.AddFloat("fpr_at", col(func(p PointResult) float64 { return p.FPRAt }))
	t.AddFloat("tpr_at", col(func(p PointResult) float64 { return p.TPRAt }))
	t.AddFloat("threshold_at", col(func(p PointResult) float64 { return p.ThresholdAt }))
	t.AddFloat("empty", col(func(p PointResult) float64 { return float64(p.Empty) }))
	t.AddFloat("full", col(func(p PointResult) float64 { return float64(p.Full) }))
	t.AddFloat("mean_count", col(func(p PointResult) float64 { return p.MeanCount }))
	t.AddFloat("n_score_1", col(func(p PointResult) float64 { return float64(p.ScoreOne) }))
	t.AddFloat("n_score_0", col(func(p PointResult) float64 { return float64(p.ScoreZero) }))
	if res.kRadius != nil {
		t.AddFloat("median_k_radius", col(func(p PointResult) float64 { return p.KRadius }))
	}
	return t
}

// Score returns the score of query k at point p.
func (res *Result) Score(k, p int) float64 { return res.Scores[k*len(res.Points)+p] }

// ScoreColumn returns the scores of every query at point p.
func (res *Result) ScoreColumn(p int) []float64 {
	m := len(res.Points)
	out := make([]float64, len(res.Labels))
	for k := range out {
		out[k] = res.Scores[k*m+p]
	}
	return out
}

// Curve returns the full ROC curve at point p (for plots).
func (res *Result) Curve(p int) (*roc.Curve, error) {
	return roc.ROC(res.Labels, res.ScoreColumn(p), res.Weights)
}
