package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// normQuantile is the standard normal quantile (for binormal ROC curves).
func normQuantile(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }

func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// binormalROC is the ROC of two unit-variance normals separated by d.
func binormalROC(label string, d float64, n int) ROC {
	r := ROC{Label: label, AUC: normCDF(d / math.Sqrt2)}
	for i := 0; i <= n; i++ {
		fpr := float64(i) / float64(n)
		tpr := 0.0
		switch {
		case i == n:
			tpr = 1
		case i > 0:
			tpr = normCDF(normQuantile(fpr) + d)
		}
		r.SignalEff = append(r.SignalEff, tpr)
		r.BackgroundEff = append(r.BackgroundEff, fpr)
	}
	return r
}

func logGrid(lo, hi float64, n int) []float64 {
	g := make([]float64, n)
	for i := range g {
		g[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	return g
}

// smearCurve is a plausible AUC(eps) bump: 0.5 at both ends, peak near
// 2 × nn.
func smearCurve(step, smearer, input, metric string, nn, height float64, mode string) Smearing {
	s := Smearing{Step: step, Smearer: smearer, Input: input, Metric: metric, MetricUnit: UnitNormalized, Axis: "eps",
		Mode: mode, Queries: 500, Signal: 247, Background: 253, GeVScale: 525, NNScale: nn, BandLevel: 0.68}
	for _, eps := range logGrid(nn/5, nn*30, 25) {
		u := math.Log(eps / (2 * nn))
		auc := 0.5 + height*math.Exp(-u*u/1.2)
		empty := 500 * math.Exp(-math.Pow(eps/nn, 2.3))
		if smearer == "gaussian" {
			empty = 0
		}
		rej := 2 + 30*(auc-0.5)*(auc-0.5)*40
		p := SmearPoint{X: eps, AUC: auc, AUCLo: auc - 0.015, AUCHi: auc + 0.015, Rejection: rej, RejectionLo: rej * 0.85, RejectionHi: rej * 1.2, Empty: math.Round(empty)}
		s.Points = append(s.Points, p)
	}
	s.Points[len(s.Points)/2].Rejection = math.Inf(1)
	for _, d := range []float64{0.4, 0.9, 1.3} {
		s.ROCs = append(s.ROCs, binormalROC(fmt.Sprintf("ε = %.3g", nn*d*3), d, 400))
	}
	return s
}

func knnCurve(step, input string, nn float64) Smearing {
	s := Smearing{Step: step, Smearer: "knn", Input: input, Metric: "semd", MetricUnit: UnitNormalized, Axis: "k", Mode: "kfold", Queries: 500, Signal: 247, Background: 253, GeVScale: 525, NNScale: nn}
	for _, k := range []float64{1, 2, 3, 5, 8, 13, 21, 34} {
		auc := 0.62 + 0.05*math.Log(k)/math.Log(34)*3
		s.Points = append(s.Points, SmearPoint{X: k, AUC: math.Min(auc, 0.78), AUCLo: math.NaN(), AUCHi: math.NaN(), Rejection: 3 + k/10, RejectionLo: math.NaN(), RejectionHi: math.NaN(), Radius: nn * math.Pow(k, 0.4)})
	}
	return s
}

func weibullPDF(x, k, lam float64) float64 {
	if x < 0 {
		return 0
	}
	return k / lam * math.Pow(x/lam, k-1) * math.Exp(-math.Pow(x/lam, k))
}

func weibullQ(p, k, lam float64) float64 { return lam * math.Pow(-math.Log(1-p), 1/k) }

// gumbel_l (minimum) with location mu, scale beta.
func gumbelLPDF(x, mu, beta float64) float64 {
	z := (x - mu) / beta
	return math.Exp(z-math.Exp(z)) / beta
}

func gumbelLQ(p, mu, beta float64) float64 { return mu + beta*math.Log(-math.Log(1-p)) }

// syntheticRun builds a Run with every section kind.
func syntheticRun() *Run {
	rng := rand.New(rand.NewPCG(7, 0x5eed))
	lognormal := func(n int, med, sig float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = med * math.Exp(sig*rng.NormFloat64())
		}
		return v
	}
	run := &Run{
		Notes: []string{"Synthetic run for the report tests <not physics>."},
		Provenance: Provenance{
			Workflow: "quark-gluon-smearing", File: "workflows/qg.yaml", FileSHA256: "3f2a9c0e1d7b4a5c6e8f90123456789abcdef0123456789abcdef0123456789a",
			Seed: 1, Output: "results/qg", Started: time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC), Seconds: 42.5,
			Version: "0.1.0", Host: "testhost", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPUs: 2,
			Steps: []Step{
				{Name: "jets", Kind: "reader", Plugin: "npz", Version: "0.1.0", Origin: "builtin", Params: map[string]any{"path": "data/small.npz", "max_jets": int64(500)}, Seconds: 0.2, CacheKey: "a1b2c3d4e5f60718293a4b5c6d7e8f90", Status: "ok"},
				{Name: "distances", Kind: "metric", Plugin: "semd", Version: "0.1.0", Origin: "builtin", Inputs: []string{"jets"}, Params: map[string]any{"beta": 1.0, "normalize": true, "w_max": math.NaN()}, Cached: true, Seconds: 3.1, CacheKey: "ffeeddccbbaa99887766", Status: "ok"},
				{Name: "tagger", Kind: "tagger", Plugin: "mlp", Version: "0.2.0", Origin: "/opt/plugins/smearflow-plugin-mlp", Inputs: []string{"jets"}, Params: map[string]any{"hidden": []any{64.0, 32.0}, "note": "<b>bold?</b>"}, Seconds: 12, CacheKey: "0123", Status: "ok"},
			},
		},
		Distances: []Distances{
			{Step: "distances", Metric: "semd", Unit: UnitNormalized, QQ: lognormal(3000, 0.03, 0.8), GG: lognormal(3000, 0.05, 0.7), QG: lognormal(3000, 0.06, 0.75)},
			{Step: "emd_distances", Metric: "emd", Unit: UnitNormalized, QQ: lognormal(2000, 0.12, 0.3), GG: lognormal(2000, 0.16, 0.3), QG: lognormal(2000, 0.17, 0.3), XScale: ScaleLinear},
		},
		Smearing: []Smearing{
			smearCurve("smeared", "ball", "distances", "semd", 0.0104, 0.25, "kfold"),
			smearCurve("gauss", "gaussian", "distances", "semd", 0.0104, 0.26, "kfold"),
			knnCurve("knn", "distances", 0.0104),
			smearCurve("emd_ball", "ball", "emd_distances", "emd", 0.05, 0.2, "kfold"),
			smearCurve("loo_ball", "ball", "", "semd", 0.0104, 0.3, "loo"),
			smearCurve("scan@folds=5", "ball", "distances", "semd", 0.0104, 0.24, "kfold"),
			smearCurve("scan@folds=10", "ball", "distances", "semd", 0.0104, 0.25, "kfold"),
		},
	}
	run.Smearing[4].Biased = true
	for _, i := range []int{3, 4, 5, 6} { // fewer figures: ROCs on the first two only
		run.Smearing[i].ROCs = nil
	}

	// Extremes: a Weibull sample with three fits.
	k, lam := 2.34, 0.0134
	vals := make([]float64, 500)
	for i := range vals {
		vals[i] = weibullQ(rng.Float64(), k, lam)
	}
	var eval []float64
	for i := 0; i <= 200; i++ {
		eval = append(eval, 0.04*float64(i)/200)
	}
	var probs []float64
	for i := 1; i < 50; i++ {
		probs = append(probs, float64(i)/50)
	}
	wb := Fit{Family: "weibull_min", N: 500, Params: []Param{{Name: "c", Value: k, StdErr: 0.073}, {Name: "loc", Value: 0, Fixed: true}, {Name: "scale", Value: lam, StdErr: 0.00027}},
		LogLik: 1945.82, AIC: -3887.65, KS: 0.031, KSPValue: 0.62, AD: 0.41, ADPValue: 0.55, Converged: true, Eval: eval, Probabilities: probs}
	gl := Fit{Family: "gumbel_l", N: 500, Params: []Param{{Name: "loc", Value: 0.0135, StdErr: 0.0003}, {Name: "scale", Value: 0.0055, StdErr: 0.0002}},
		LogLik: 1920.1, AIC: -3836.2, KS: 0.07, KSPValue: 0.01, AD: 3.2, ADPValue: math.NaN(), Converged: false, Message: "iteration limit", Eval: eval, Probabilities: probs}
	for _, x := range eval {
		wb.PDF = append(wb.PDF, weibullPDF(x, k, lam))
		gl.PDF = append(gl.PDF, gumbelLPDF(x, 0.0135, 0.0055))
	}
	for _, p := range probs {
		wb.Quantiles = append(wb.Quantiles, weibullQ(p, k, lam))
		gl.Quantiles = append(gl.Quantiles, gumbelLQ(p, 0.0135, 0.0055))
	}
	sc := &Scaling{Median: PowerLaw{Slope: -0.12007, SlopeErr: 0.02, Intercept: -3.7997}, Mean: PowerLaw{Slope: -0.16056, SlopeErr: 0.03, Intercept: -3.4345}, BandLevel: 0.68}
	for i, n := range []int{50, 100, 200, 400} {
		med := []float64{0.0137242, 0.0130783, 0.0121548, 0.0106563}[i]
		mean := []float64{0.017257, 0.015173, 0.014044, 0.012220}[i]
		sc.Points = append(sc.Points, LadderPoint{N: n, Median: med, MedianLo: med * 0.95, MedianHi: med * 1.05, Mean: mean, MeanLo: mean * 0.96, MeanHi: mean * 1.04,
			WeibullShape: []float64{2.03, 2.35, 2.13, 2.29}[i]})
	}
	run.Extremes = []Extremes{{Step: "nearest", Sample: "nearest-neighbour SEMD distance", Unit: UnitNormalized, Values: vals, Fits: []Fit{wb, gl}, Scaling: sc}}

	// Tagger.
	tg := Tagger{Step: "tagger", Plugin: "mlp"}
	for vi, name := range []string{"lowlevel", "expert", "both"} {
		v := TaggerVariant{Name: name, Seeds: []int64{1, 2, 3}}
		d := 0.9 + 0.15*float64(vi)
		for s := 0; s < 3; s++ {
			v.AUC = append(v.AUC, normCDF(d/math.Sqrt2)+0.003*float64(s-1))
			tc := TrainingCurve{Seed: int64(s + 1)}
			for e := 1; e <= 30; e++ {
				tc.Epoch = append(tc.Epoch, float64(e))
				tc.TrainLoss = append(tc.TrainLoss, 0.55+0.15*math.Exp(-float64(e)/6)-0.002*float64(e)+0.005*float64(s))
				tc.ValLoss = append(tc.ValLoss, 0.56+0.15*math.Exp(-float64(e)/6)+0.0004*float64(e*e)/10+0.005*float64(s))
			}
			v.Training = append(v.Training, tc)
		}
		r := binormalROC("seed 1", d, 500)
		v.ROC = &r
		tg.Variants = append(tg.Variants, v)
	}
	run.Taggers = []Tagger{tg}

	// Relevance.
	rel := Relevance{Step: "lrp", Rule: "epsilon (1e-6), bias excluded", Jets: 1000, MeanAbsOutput: 1.8, MeanAbsResidual: 2e-7, MeanLost: 0.01, FullAUC: 0.79}
	experts := []string{"mass", "multiplicity", "pT_D", "girth", "tau21", "C2", "D2", "z_g"}
	for i, n := range experts {
		rel.Features = append(rel.Features, FeatureRelevance{Name: n, MeanAbs: 0.5 / float64(i+1), Expert: true})
	}
	for i := 0; i < 24; i++ {
		rel.Features = append(rel.Features, FeatureRelevance{Name: fmt.Sprintf("%s_%d", []string{"z", "dy", "dphi"}[i%3], i/3), MeanAbs: 0.3 * math.Exp(-float64(i)/5)})
	}
	for _, kept := range []int{1, 2, 4, 8, 16, 32} {
		a := 0.79 - 0.12*math.Exp(-float64(kept)/3)
		rel.Reduced = append(rel.Reduced, ReducedPoint{Kept: kept, AUC: a, AUCLo: a - 0.01, AUCHi: a + 0.01})
	}
	run.Relevance = []Relevance{rel}

	run.Tables = []Table{{Title: "multiplicity sanity line", Caption: "AUC of -multiplicity <script>alert(1)</script>", Columns: []string{"score", "AUC"}, Rows: [][]string{{"multiplicity", "0.1826"}, {"-multiplicity", "0.8174"}}}}
	return run
}
