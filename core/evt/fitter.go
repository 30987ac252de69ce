package evt

import (
	"context"
	"fmt"
	"math"
	"runtime"

	"github.com/smearflow/smearflow/core/plugin"
)

// FitterConfig says how a fitter plugin fits the samples of a request.
type FitterConfig struct {
	Family  Family
	Options Options
	// NBoot is the number of parametric-bootstrap replicates for the KS
	// and AD p-values (0: not computed, the p-values are NaN).
	NBoot int
	// Workers bounds the bootstrap goroutines (<= 0: GOMAXPROCS); results
	// do not depend on it.
	Workers int
}

// NBootParam is the "n_boot" parameter every fitter plugin declares: the
// number of parametric-bootstrap replicates (FitterConfig.NBoot).
var NBootParam = plugin.ParamSpec{Name: "n_boot", Type: plugin.TypeInt, Default: int64(200), Min: plugin.Bound(0), Max: plugin.Bound(100000),
	Doc: "parametric-bootstrap replicates (each refitted) for the KS and Anderson-Darling p-values; 0 disables them (p-values NaN)."}

// LocParam is the "loc" parameter of the fitter plugins whose location
// is 0 unless freed ("fixed" or "free"; see FreeLoc).
var LocParam = plugin.ParamSpec{Name: "loc", Type: plugin.TypeString, Default: "fixed", Enum: []string{"fixed", "free"},
	Doc: "fixed: the location is held at 0 (2 parameters c, scale; every value must be > 0). " +
		"free: the location is fitted too and must stay below min(x)."}

// FreeLoc returns the Options of a fit whose "loc" parameter (LocParam)
// is resolved in p.
func FreeLoc(p plugin.Params) Options { return Options{FreeLoc: p.String("loc") == "free"} }

// FitPlugin implements plugin.Fitter.Fit for the fitter plugin called
// name whose parameters are spec: it resolves req.Params against spec,
// builds the configuration with config and fits every sample with
// FitSamples. Errors are prefixed "fitter/<name>: ".
func FitPlugin(ctx context.Context, name string, spec plugin.Spec, req plugin.FitRequest, config func(plugin.Params) FitterConfig) ([]plugin.FitResult, error) {
	params, err := spec.Resolve(req.Params)
	if err != nil {
		return nil, fmt.Errorf("fitter/%s: %w", name, err)
	}
	res, err := FitSamples(ctx, config(params), req)
	if err != nil {
		return nil, fmt.Errorf("fitter/%s: %w", name, err)
	}
	return res, nil
}

// FitSamples implements plugin.Fitter.Fit for one family: every sample of
// req is fitted (one FitResult per sample, in order), its goodness of fit
// is bootstrapped with seed DeriveSeed(req.Seed, sample index), and the
// fitted PDF and CDF at req.Eval and quantiles at req.Probabilities are
// filled in. A sample that cannot be fitted (ErrInput) fails the whole
// request with an error naming it. A fit without a maximum is returned
// with Converged = false and a Message; its standard errors and p-values
// are NaN and PDF, CDF and Quantiles are nil.
func FitSamples(ctx context.Context, cfg FitterConfig, req plugin.FitRequest) ([]plugin.FitResult, error) {
	if _, err := ParseFamily(string(cfg.Family)); err != nil {
		return nil, err
	}
	if cfg.NBoot < 0 {
		return nil, fmt.Errorf("evt: parameter \"n_boot\" must be >= 0, got %d", cfg.NBoot)
	}
	if len(req.Samples) == 0 {
		return nil, fmt.Errorf("evt: %s fit request has no samples", cfg.Family)
	}
	for i, x := range req.Eval {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("evt: fit request Eval[%d] = %v is not finite", i, x)
		}
	}
	for i, p := range req.Probabilities {
		if !(p > 0 && p < 1) {
			return nil, fmt.Errorf("evt: fit request Probabilities[%d] = %v is not in (0, 1)", i, p)
		}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]plugin.FitResult, 0, len(req.Samples))
	for si, s := range req.Samples {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := Fit(cfg.Family, s.Values, cfg.Options)
		if err != nil {
			return nil, fmt.Errorf("sample %q (#%d): %w", s.Name, si, err)
		}
		fr := plugin.FitResult{
			Sample: s.Name, Family: string(r.Family), N: r.N,
			LogLik: r.LogLik, AIC: r.AIC, KS: r.KS, AD: r.AD,
			KSPValue: math.NaN(), ADPValue: math.NaN(),
			Converged: r.Converged, Message: r.Message,
		}
		for _, p := range r.Params {
			fr.Params = append(fr.Params, plugin.Estimate{Name: p.Name, Value: p.Value, StdErr: p.StdErr, Fixed: p.Fixed})
		}
		if r.Converged {
			if cfg.NBoot > 0 {
				pv, err := r.BootstrapGOF(ctx, cfg.NBoot, DeriveSeed(uint64(req.Seed), si), workers)
				if err != nil {
					return nil, fmt.Errorf("sample %q (#%d): bootstrap: %w", s.Name, si, err)
				}
				fr.KSPValue, fr.ADPValue = pv.KS, pv.AD
				note := fmt.Sprintf("p-values from %d parametric-bootstrap replicates", cfg.NBoot)
				if pv.Failed > 0 {
					note += fmt.Sprintf(" (%d failed refits excluded)", pv.Failed)
				}
				fr.Message = joinMsg(fr.Message, note)
			}
			fr.PDF = make([]float64, len(req.Eval))
			fr.CDF = make([]float64, len(req.Eval))
			for i, x := range req.Eval {
				fr.PDF[i] = r.Dist.PDF(x)
				fr.CDF[i] = r.Dist.CDF(x)
			}
			fr.Quantiles = make([]float64, len(req.Probabilities))
			for i, p := range req.Probabilities {
				fr.Quantiles[i] = r.Dist.Quantile(p)
			}
		}
		out = append(out, fr)
	}
	return out, nil
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
