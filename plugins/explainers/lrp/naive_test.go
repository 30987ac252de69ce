package lrp

import "github.com/smearflow/smearflow/core/nn"

// This file keeps the direct transcription of the rules of
// README-analysis.md (every z_jk materialised, then summed), against which
// the optimised propagation of lrp.go is checked on larger networks
// (TestFastMatchesNaive).

// layerNaive maps the relevance rOut of a dense layer's outputs to its inputs
// (rIn) with the configured rule; a are the layer inputs, z the true
// pre-activations (with bias).
func (e *Explainer) layerNaive(ly *nn.Layer, a, z, rOut, rIn []float64) LayerReport {
	in, out := ly.In, ly.Out
	w, b := ly.W, ly.B
	cfg := e.cfg
	num := make([]float64, in*out) // num[j*out+k]: the rule's contribution of input j to output k
	den := make([]float64, 2*out)
	bias := func(v float64) float64 {
		if cfg.BiasIncluded {
			return v
		}
		return 0
	}
	var rep LayerReport
	clear(rIn)
	for _, v := range rOut {
		rep.Out += v
	}
	// Contributions and denominators.
	switch cfg.Rule {
	case LRP0, Epsilon:
		for j := 0; j < in; j++ {
			for k := 0; k < out; k++ {
				num[j*out+k] = a[j] * w[j*out+k]
			}
		}
		sums(num, in, out, den[:out], func(k int) float64 { return bias(b[k]) })
		if cfg.Rule == Epsilon {
			for k, s := range den[:out] {
				if s >= 0 {
					den[k] = s + cfg.Epsilon
				} else {
					den[k] = s - cfg.Epsilon
				}
			}
		}
	case Gamma:
		for j := 0; j < in; j++ {
			for k := 0; k < out; k++ {
				wjk := w[j*out+k]
				num[j*out+k] = a[j] * (wjk + cfg.Gamma*max(wjk, 0))
			}
		}
		sums(num, in, out, den[:out], func(k int) float64 { return bias(b[k] + cfg.Gamma*max(b[k], 0)) })
	case GammaGeneralized:
		for j := 0; j < in; j++ {
			for k := 0; k < out; k++ {
				zjk := a[j] * w[j*out+k]
				switch {
				case z[k] > 0:
					num[j*out+k] = zjk + cfg.Gamma*max(zjk, 0)
				case z[k] < 0:
					num[j*out+k] = zjk + cfg.Gamma*min(zjk, 0)
				default:
					num[j*out+k] = 0
				}
			}
		}
		sums(num, in, out, den[:out], func(k int) float64 {
			switch {
			case z[k] > 0:
				return bias(b[k] + cfg.Gamma*max(b[k], 0))
			case z[k] < 0:
				return bias(b[k] + cfg.Gamma*min(b[k], 0))
			}
			return 0
		})
		for k := range out {
			if z[k] == 0 {
				den[k] = 0 // passes nothing
			}
		}
	case ZPlus, AlphaBeta:
		// num holds z_jk; positive and negative parts are split below.
		for j := 0; j < in; j++ {
			for k := 0; k < out; k++ {
				num[j*out+k] = a[j] * w[j*out+k]
			}
		}
		pos, neg := den[:out], den[out:2*out]
		for k := range out {
			pos[k], neg[k] = 0, 0
		}
		for j := 0; j < in; j++ {
			for k := 0; k < out; k++ {
				v := num[j*out+k]
				pos[k] += max(v, 0)
				neg[k] += min(v, 0)
			}
		}
		for k := range out {
			pos[k] += bias(max(b[k], 0))
			neg[k] += bias(min(b[k], 0))
		}
		alpha, beta := 1.0, 0.0
		if cfg.Rule == AlphaBeta {
			alpha, beta = cfg.Alpha, cfg.Beta
		}
		for k, rk := range rOut {
			cp, cn := 0.0, 0.0
			if pos[k] != 0 {
				cp = alpha * rk / pos[k]
			}
			if neg[k] != 0 && beta != 0 {
				cn = beta * rk / neg[k]
			}
			if pos[k] == 0 && (neg[k] == 0 || beta == 0) && rk != 0 {
				rep.Dropped += rk
				rep.DroppedUnits++
			}
			pos[k], neg[k] = cp, cn
		}
		for j := 0; j < in; j++ {
			s := 0.0
			for k := 0; k < out; k++ {
				v := num[j*out+k]
				s += max(v, 0)*pos[k] - min(v, 0)*neg[k]
			}
			rIn[j] = s
		}
		for _, v := range rIn {
			rep.In += v
		}
		return rep
	}
	// Shared tail of the single-denominator rules: c_k = R_k / den_k.
	for k, rk := range rOut {
		if den[k] == 0 {
			if rk != 0 {
				rep.Dropped += rk
				rep.DroppedUnits++
			}
			continue
		}
		den[k] = rk / den[k]
	}
	for j := 0; j < in; j++ {
		s := 0.0
		row := num[j*out : (j+1)*out]
		for k, c := range den[:out] {
			s += row[k] * c
		}
		rIn[j] = s
	}
	for _, v := range rIn {
		rep.In += v
	}
	return rep
}

// sums writes den[k] = Σ_j num[j*out+k] + extra(k).
func sums(num []float64, in, out int, den []float64, extra func(k int) float64) {
	clear(den)
	for j := 0; j < in; j++ {
		row := num[j*out : (j+1)*out]
		for k := range den {
			den[k] += row[k]
		}
	}
	for k := range den {
		den[k] += extra(k)
	}
}
