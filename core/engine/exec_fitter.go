package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// FitArtifact is the output of a fitter step: the fitted sample, one fit
// per family (the step's fitter first, then `compare`), curves for plots,
// and the scaling ladder when sizes were given.
type FitArtifact struct {
	SampleName string
	Sample     []float64
	Fits       []plugin.FitResult
	// Eval/Probabilities are where PDF/CDF and Quantiles were evaluated;
	// SampleQuantiles are the empirical quantiles at Probabilities.
	Eval, Probabilities, SampleQuantiles []float64
	// Ladder is nil without sizes.
	Ladder *evt.Scaling
	// From the input, for plots.
	Input, Metric string
	Normalized    bool
	GeVScale      float64
}

// Type implements Artifact.
func (a *FitArtifact) Type() plugin.ArtifactType { return plugin.ArtifactFit }

// Summary implements Artifact.
func (a *FitArtifact) Summary() map[string]any {
	out := map[string]any{"sample": a.SampleName, "n": len(a.Sample)}
	if len(a.Sample) > 0 {
		s := append([]float64(nil), a.Sample...)
		sort.Float64s(s)
		out["median"] = median(s)
		out["min"] = s[0]
	}
	var fits []any
	for _, f := range a.Fits {
		fits = append(fits, fitMap(f))
	}
	out["fits"] = fits
	if a.Ladder != nil {
		out["scaling_median_slope"] = a.Ladder.Median.Slope
		out["scaling_median_slope_err"] = a.Ladder.Median.SlopeErr
		out["scaling_median_dimension"] = a.Ladder.Median.Dimension
		out["scaling_mean_slope"] = a.Ladder.Mean.Slope
	}
	return out
}

func fitMap(f plugin.FitResult) map[string]any {
	params := map[string]any{}
	errs := map[string]any{}
	for _, p := range f.Params {
		params[p.Name] = p.Value
		if !p.Fixed {
			errs[p.Name] = p.StdErr
		}
	}
	return map[string]any{
		"family": f.Family, "n": f.N, "params": params, "stderr": errs, "loglik": f.LogLik, "aic": f.AIC,
		"ks": f.KS, "ks_pvalue": f.KSPValue, "ad": f.AD, "ad_pvalue": f.ADPValue,
		"converged": f.Converged, "message": f.Message,
	}
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func (e *Engine) runFitter(ctx context.Context, n *node, f plugin.Fitter, in Artifact, input string) (*FitArtifact, error) {
	hp := n.step.HostParams
	a := &FitArtifact{Input: input}
	var d *DistancesArtifact
	switch x := in.(type) {
	case *DistancesArtifact:
		d = x
		a.Metric, a.Normalized, a.GeVScale = d.Metric, d.Normalized, d.GeVScale
		which := hp.String("sample")
		if which == "column" {
			return nil, fmt.Errorf("sample: column needs a table input, but %q produces distances", input)
		}
		nn, err := e.fitterNN(ctx, d, which, hp.String("reference"), hp.Int("folds"))
		if err != nil {
			return nil, err
		}
		ref := map[string]string{"loo": "leave-one-out", "kfold": fmt.Sprintf("other folds of %d", hp.Int("folds"))}[hp.String("reference")]
		labels := d.Jets.Jets.Label
		for k, q := range nn.Queries {
			l := labels[q]
			switch which {
			case "nn":
				a.Sample = append(a.Sample, nn.Dist[k])
			case "nn_quark", "nn_gluon":
				if (which == "nn_quark") == (l == jet.Quark) {
					a.Sample = append(a.Sample, nn.Dist[k])
				}
			case "nn_to_quark":
				a.Sample = append(a.Sample, nn.DistS[k])
			case "nn_to_gluon":
				a.Sample = append(a.Sample, nn.DistB[k])
			}
		}
		a.SampleName = map[string]string{
			"nn": "nearest-neighbour distance", "nn_quark": "nearest-neighbour distance of quark jets",
			"nn_gluon": "nearest-neighbour distance of gluon jets", "nn_to_quark": "distance to the nearest quark jet",
			"nn_to_gluon": "distance to the nearest gluon jet",
		}[which] + " (" + ref + ")"
	case *TableArtifact:
		col := hp.String("column")
		if hp.String("sample") != "column" || col == "" {
			return nil, fmt.Errorf("a table input needs sample: column and column: NAME (columns: %v)", x.Table.Names())
		}
		v, err := x.Table.Floats(col)
		if err != nil {
			return nil, err
		}
		a.SampleName = col
		a.Sample = append([]float64(nil), v...)
	default:
		return nil, fmt.Errorf("input %q is a %s artifact; a fitter needs distances or a table", input, in.Type())
	}
	if len(a.Sample) == 0 {
		return nil, fmt.Errorf("the sample to fit is empty")
	}
	for i, x := range a.Sample {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("sample value %d is %v; refusing to fit non-finite values", i, x)
		}
	}
	sorted := append([]float64(nil), a.Sample...)
	sort.Float64s(sorted)
	a.Eval = evalGrid(sorted, 200)
	a.Probabilities, a.SampleQuantiles = qqPoints(sorted, 400)
	req := plugin.FitRequest{Params: n.step.Params, Seed: n.step.Seed, Samples: []plugin.Sample{{Name: a.SampleName, Values: a.Sample}}, Eval: a.Eval, Probabilities: a.Probabilities}
	fits, err := f.Fit(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.step.PluginName, err)
	}
	if len(fits) != 1 {
		return nil, fmt.Errorf("%s returned %d fits for 1 sample", n.step.PluginName, len(fits))
	}
	a.Fits = append(a.Fits, fits[0])
	for _, c := range n.step.Compare {
		cf, ok := c.Plugin.(plugin.Fitter)
		if !ok {
			return nil, fmt.Errorf("compare: %s is not a fitter", c.Name)
		}
		req.Params = c.Params
		fits, err := cf.Fit(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", c.Name, err)
		}
		if len(fits) != 1 {
			return nil, fmt.Errorf("compare %s returned %d fits for 1 sample", c.Name, len(fits))
		}
		a.Fits = append(a.Fits, fits[0])
	}
	if hp.Has("sizes") && len(hp.Ints("sizes")) > 0 {
		if d == nil {
			return nil, fmt.Errorf("sizes (the scaling ladder) need a distances input")
		}
		lad, err := e.ladder(ctx, n, d, hp.Ints("sizes"))
		if err != nil {
			return nil, fmt.Errorf("scaling ladder: %w", err)
		}
		a.Ladder = lad
	}
	return a, nil
}

// fitterNN returns the nearest-neighbour distances a fitter samples. The
// metric step already found every jet's leave-one-out nearest-neighbour
// distance (d.NN); when that is all the sample needs it is used as is,
// otherwise a pass over the reference sets computes them.
func (e *Engine) fitterNN(ctx context.Context, d *DistancesArtifact, which, reference string, folds int) (*neighbors.NN, error) {
	if reference == "loo" && len(d.NN) == d.Len() && (which == "nn" || which == "nn_quark" || which == "nn_gluon") {
		q := make([]int32, d.Len())
		for i := range q {
			q[i] = int32(i)
		}
		return &neighbors.NN{Queries: q, Dist: d.NN}, nil
	}
	return e.nearest(ctx, d, reference, folds)
}

// nearest returns every jet's nearest-neighbour distances (overall and per
// class) within its reference set: every other jet (loo) or the other
// folds (kfold).
func (e *Engine) nearest(ctx context.Context, d *DistancesArtifact, reference string, folds int) (*neighbors.NN, error) {
	space, err := d.Space(ctx)
	if err != nil {
		return nil, err
	}
	js := d.Jets.Jets
	cfg := neighbors.Config{Mode: neighbors.LOO, Workers: e.opts.Threads}
	if reference == "kfold" {
		cfg.Mode, cfg.Folds = neighbors.KFold, folds
	}
	setup, err := neighbors.Prepare(space.Len(), js.Label, js.Weight, cfg)
	if err != nil {
		return nil, err
	}
	nn, _, err := neighbors.Nearest(ctx, space, setup, cfg)
	return nn, err
}

func (e *Engine) ladder(ctx context.Context, n *node, d *DistancesArtifact, sizes []int64) (*evt.Scaling, error) {
	hp := n.step.HostParams
	total := d.Len()
	sz := append([]int64(nil), sizes...)
	slices.Sort(sz)
	sz = slices.Compact(sz)
	reps := hp.Int("repeats")
	prefix := hp.String("ladder_subsets") == "prefix"
	if prefix {
		reps = 1
	}
	space, err := d.Space(ctx)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(n.step.Seed), 0x6c6164646572))
	var in []evt.LadderInput
	for _, s := range sz {
		N := int(s)
		if N > total {
			return nil, fmt.Errorf("size %d is larger than the %d jets available", N, total)
		}
		var subsets [][]int
		for r := 0; r < reps; r++ {
			if prefix {
				sub := make([]int, N)
				for i := range sub {
					sub[i] = i
				}
				subsets = append(subsets, sub)
			} else {
				subsets = append(subsets, rng.Perm(total)[:N])
			}
		}
		plugin.ReportProgress(ctx, int64(len(in)), int64(len(sz)), fmt.Sprintf("ladder N=%d", N))
		dist, _, err := neighbors.SubsetNearest(ctx, space, subsets, neighbors.Config{Workers: e.opts.Threads})
		if err != nil {
			return nil, err
		}
		in = append(in, evt.LadderInput{N: N, Distances: dist})
	}
	return evt.FitScaling(ctx, in, evt.ScalingOptions{NBoot: hp.Int("n_boot_ladder"), Seed: uint64(n.step.Seed), Workers: e.opts.Threads})
}

// evalGrid returns m points spanning the sample with a 5% margin.
func evalGrid(sorted []float64, m int) []float64 {
	lo, hi := sorted[0], sorted[len(sorted)-1]
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = 0.05 * math.Abs(hi)
	}
	a, b := lo-pad, hi+pad
	if lo >= 0 && a < 0 {
		a = 0
	}
	out := make([]float64, m)
	for i := range out {
		out[i] = a + (b-a)*float64(i)/float64(m-1)
	}
	return out
}

// qqPoints returns plotting positions (k-0.5)/n for at most m order
// statistics spread over the sample and those order statistics.
func qqPoints(sorted []float64, m int) (probs, quantiles []float64) {
	n := len(sorted)
	if m > n {
		m = n
	}
	for i := 0; i < m; i++ {
		k := i
		if m < n {
			k = int(math.Round(float64(i) * float64(n-1) / float64(m-1)))
		}
		probs = append(probs, (float64(k)+0.5)/float64(n))
		quantiles = append(quantiles, sorted[k])
	}
	return
}

// LadderTable returns the scaling ladder as a table (ladder.csv).
func (a *FitArtifact) LadderTable() *table.Table {
	if a.Ladder == nil {
		return nil
	}
	L := a.Ladder
	var N, reps, count, med, medLo, medHi, mean, meanLo, meanHi, shape, shapeErr, scale, slope, dim []float64
	for i, p := range L.Points {
		N = append(N, float64(p.N))
		reps = append(reps, float64(p.Reps))
		count = append(count, float64(p.Count))
		med, medLo, medHi = append(med, p.Median), append(medLo, p.MedianBand.Lo), append(medHi, p.MedianBand.Hi)
		mean, meanLo, meanHi = append(mean, p.Mean), append(meanLo, p.MeanBand.Lo), append(meanHi, p.MeanBand.Hi)
		c, ce, sc := math.NaN(), math.NaN(), math.NaN()
		if p.Weibull != nil && p.Weibull.Converged {
			if v, ok := p.Weibull.Param("c"); ok {
				c, ce = v.Value, v.StdErr
			}
			if v, ok := p.Weibull.Param("scale"); ok {
				sc = v.Value
			}
		}
		shape, shapeErr, scale = append(shape, c), append(shapeErr, ce), append(scale, sc)
		s, dm := math.NaN(), math.NaN()
		if i < len(L.Median.Local) {
			s, dm = L.Median.Local[i].Slope, L.Median.Local[i].Dimension
		}
		slope, dim = append(slope, s), append(dim, dm)
	}
	return table.New().AddFloat("N", N).AddFloat("repeats", reps).AddFloat("count", count).
		AddFloat("median", med).AddFloat("median_lo", medLo).AddFloat("median_hi", medHi).
		AddFloat("mean", mean).AddFloat("mean_lo", meanLo).AddFloat("mean_hi", meanHi).
		AddFloat("weibull_c", shape).AddFloat("weibull_c_err", shapeErr).AddFloat("weibull_scale", scale).
		AddFloat("local_slope_to_next", slope).AddFloat("local_dimension_to_next", dim)
}

func (a *FitArtifact) save(dir string) error { return saveGob(dir, "fit.gob", a) }

func loadFit(dir string) (*FitArtifact, error) {
	var a FitArtifact
	if err := loadGob(dir, "fit.gob", &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func (a *FitArtifact) export(dir string) ([]string, error) {
	var fits []any
	for _, f := range a.Fits {
		fits = append(fits, fitMap(f))
	}
	doc := map[string]any{"sample": a.SampleName, "n": len(a.Sample), "families": fits}
	if a.Ladder != nil {
		doc["scaling"] = map[string]any{
			"median": powerLawMap(a.Ladder.Median), "mean": powerLawMap(a.Ladder.Mean),
			"n_boot": a.Ladder.NBoot, "level": a.Ladder.Level,
		}
	}
	files := []string{"fit.json", "sample.csv"}
	if err := writeJSON(filepath.Join(dir, "fit.json"), jsonSafe(doc)); err != nil {
		return nil, err
	}
	if err := writeCSV(filepath.Join(dir, "sample.csv"), table.New().AddFloat("value", a.Sample)); err != nil {
		return nil, err
	}
	if t := a.LadderTable(); t != nil {
		if err := writeCSV(filepath.Join(dir, "ladder.csv"), t); err != nil {
			return nil, err
		}
		files = append(files, "ladder.csv")
	}
	return files, nil
}

func powerLawMap(p evt.PowerLaw) map[string]any {
	var local []any
	for _, l := range p.Local {
		local = append(local, map[string]any{"n1": l.N1, "n2": l.N2, "slope": l.Slope, "dimension": l.Dimension, "band": []float64{l.Band.Lo, l.Band.Hi}})
	}
	return map[string]any{"slope": p.Slope, "slope_err": p.SlopeErr, "intercept": p.Intercept, "intercept_err": p.InterceptErr,
		"dimension": p.Dimension, "slope_band": []float64{p.SlopeBand.Lo, p.SlopeBand.Hi}, "local": local}
}
