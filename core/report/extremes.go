package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bestFit returns the family with the smallest finite AIC and its ΔAIC to
// the next best ("n/a" when there is none).
func bestFit(fits []Fit) (string, string) {
	idx := make([]int, 0, len(fits))
	for i, f := range fits {
		if !math.IsNaN(f.AIC) && !math.IsInf(f.AIC, 0) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return "n/a", "n/a"
	}
	sort.SliceStable(idx, func(a, b int) bool { return fits[idx[a]].AIC < fits[idx[b]].AIC })
	if len(idx) == 1 {
		return fits[idx[0]].Family, "n/a"
	}
	return fits[idx[0]].Family, num(fits[idx[1]].AIC-fits[idx[0]].AIC, 4)
}

func paramString(ps []Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		if p.Fixed {
			parts[i] = p.Name + " = " + num(p.Value, 6) + " (fixed)"
		} else {
			parts[i] = p.Name + " = " + pm(p.Value, p.StdErr, 6)
		}
	}
	return strings.Join(parts, ", ")
}

func (b *builder) extremes(e *Extremes) error {
	s := b.open([]string{"extremes", e.Step}, "Extreme values: "+e.Step)
	vals, bad := finiteSorted(e.Values)
	what := e.Sample
	if what == "" {
		what = "fitted sample"
	}
	intro := fmt.Sprintf("Sample: %s, %d values", what, len(vals))
	if e.Unit != "" {
		intro += " (unit: " + e.Unit + ")"
	}
	s.Intro = append(s.Intro, intro+".")
	s.Notes = append(s.Notes, e.Notes...)
	if bad > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("%d NaN or infinite values excluded from the histogram, the QQ plots and the quantiles.", bad))
	}
	for _, f := range e.Fits {
		if len(f.Eval) != len(f.PDF) {
			return fmt.Errorf("extremes %q: fit %s has %d eval points but %d pdf values", e.Step, f.Family, len(f.Eval), len(f.PDF))
		}
		if len(f.Probabilities) != len(f.Quantiles) {
			return fmt.Errorf("extremes %q: fit %s has %d probabilities but %d quantiles", e.Step, f.Family, len(f.Probabilities), len(f.Quantiles))
		}
	}
	minAIC := math.Inf(1)
	for _, f := range e.Fits {
		if !math.IsNaN(f.AIC) && !math.IsInf(f.AIC, 0) {
			minAIC = math.Min(minAIC, f.AIC)
		}
	}
	xl := what + unitLabel(e.Unit)

	// Histogram with the fitted densities.
	f := newFigure(slug("extremes", e.Step, "fits"), "sample and fitted densities", 1, 1)
	if len(vals) > 0 {
		lo, hi := vals[0], vals[len(vals)-1]
		if lo == hi {
			w := math.Max(math.Abs(lo)*0.05, 0.5)
			lo, hi = lo-w, hi+w
		}
		edges, err := Edges(lo, hi, binsFor(len(vals)), false)
		if err != nil {
			return fmt.Errorf("extremes %q: %w", e.Step, err)
		}
		pn := newPanel("fits: "+e.Step, xl, "probability density", false, false)
		h, _, err := Histogram(vals, edges, false)
		if err != nil {
			return fmt.Errorf("extremes %q: %w", e.Step, err)
		}
		h.Color = color.Black
		h.Width = vg.Points(1)
		h.FillColor = color.Gray{Y: 220}
		pn.p.Add(h)
		pn.p.Legend.Add(fmt.Sprintf("sample (n = %d)", len(vals)), h)
		pn.n++
		for i, fit := range e.Fits {
			if len(fit.Eval) == 0 {
				continue
			}
			x, y := thin(fit.Eval, fit.PDF, maxCurvePoints)
			label := fit.Family
			if d := fit.AIC - minAIC; !math.IsNaN(d) && !math.IsInf(d, 0) {
				label += " (ΔAIC " + num(d, 3) + ")"
			}
			if err := pn.line(x, y, lineOpt{label: label, color: Color(i), dashes: lineDash(i), width: vg.Points(1.8)}); err != nil {
				return fmt.Errorf("extremes %q: fit %s: %w", e.Step, fit.Family, err)
			}
		}
		pn.finish()
		pn.p.Y.Min = 0
		// Keep the x range on the sample: fitted densities may extend far.
		pn.p.X.Min, pn.p.X.Max = math.Min(lo, vals[0]), math.Max(hi, vals[len(vals)-1])
		f.panels[0] = pn.p
		f.notes = appendNote(f.notes, droppedNote(pn.dropped, " (fitted densities)"))
	} else {
		f.notes = append(f.notes, "no finite values: histogram skipped.")
	}
	f.caption = fmt.Sprintf("Histogram of the %s (grey, unit area) with the maximum-likelihood density of each fitted family overlaid; ΔAIC is the AIC difference to the best family (0 = preferred, > 10 = strongly disfavoured). A good fit follows the histogram, in particular at the small-distance edge that extreme-value theory describes.", what)
	b.addFigure(f)

	// QQ plots.
	var qq []int
	for i, fit := range e.Fits {
		if len(fit.Probabilities) > 0 {
			qq = append(qq, i)
		}
	}
	if len(qq) > 0 && len(vals) > 0 {
		cols := min(len(qq), 2)
		rows := (len(qq) + cols - 1) / cols
		f := newFigure(slug("extremes", e.Step, "qq"), "QQ plots", rows, cols)
		dropped := 0
		for k, i := range qq {
			fit := e.Fits[i]
			sq := make([]float64, len(fit.Probabilities))
			for j, p := range fit.Probabilities {
				sq[j] = math.NaN()
				if p >= 0 && p <= 1 {
					sq[j] = quantile(vals, p)
				}
			}
			pn := newPanel(fit.Family, "fitted quantile"+unitLabel(e.Unit), "sample quantile"+unitLabel(e.Unit), false, false)
			if err := pn.scatter(fit.Quantiles, sq, "", Color(i), draw.CircleGlyph{}); err != nil {
				return fmt.Errorf("extremes %q: fit %s: %w", e.Step, fit.Family, err)
			}
			dropped += pn.dropped
			if !pn.ok() {
				continue
			}
			lo := math.Min(pn.p.X.Min, pn.p.Y.Min)
			hi := math.Max(pn.p.X.Max, pn.p.Y.Max)
			pn.p.X.Min, pn.p.Y.Min, pn.p.X.Max, pn.p.Y.Max = lo, lo, hi, hi
			pn.p.Add(plotterDiagonal())
			pn.p.Legend.Add("y = x", plotterDiagonal())
			pn.p.Legend.Top = false // bottom right: below the diagonal's start
			f.panels[k] = pn.p
		}
		f.notes = appendNote(f.notes, droppedNote(dropped, ""))
		f.caption = "Quantile–quantile plots: for each fitted family, the sample quantile (linear interpolation) against the fitted quantile at the same probabilities. Points on the dashed line y = x mean the family describes the sample; a systematic bend at the low end means the family misses the small-distance tail that sets the extreme-value behaviour."
		b.addFigure(f)
	}

	// Fits table.
	if len(e.Fits) > 0 {
		t := &tableView{Title: "fits", Columns: []string{"family", "parameters (± standard error)", "log L", "AIC", "ΔAIC", "KS D", "KS p", "AD A²", "AD p", "converged"},
			Caption: "Maximum-likelihood fits: parameters with standard errors from the observed information, log-likelihood, AIC = 2 k − 2 log L and its difference to the best family, Kolmogorov–Smirnov D and Anderson–Darling A² with their p-values (parametric bootstrap when given; n/a when not computed)."}
		for _, fit := range e.Fits {
			conv := "yes"
			if !fit.Converged {
				conv = "no"
			}
			if fit.Message != "" {
				conv += ": " + fit.Message
			}
			t.Rows = append(t.Rows, []string{fit.Family, paramString(fit.Params), num(fit.LogLik, 8), num(fit.AIC, 8), num(fit.AIC-minAIC, 4),
				num(fit.KS, 4), num(fit.KSPValue, 3), num(fit.AD, 4), num(fit.ADPValue, 3), conv})
		}
		b.addTable(t)
	}
	if e.Scaling != nil {
		return b.scaling(e, e.Scaling)
	}
	return nil
}

// localSlopes returns sc.Local, or the slopes of ln(median) between
// neighbouring N computed from the points (sorted by N), without bands.
func localSlopes(pts []LadderPoint, sc *Scaling) ([]LocalSlope, bool) {
	if len(sc.Local) > 0 {
		return sc.Local, false
	}
	var out []LocalSlope
	for i := 0; i+1 < len(pts); i++ {
		a, c := pts[i], pts[i+1]
		s := math.NaN()
		if a.N > 0 && c.N > a.N && a.Median > 0 && c.Median > 0 {
			s = (math.Log(c.Median) - math.Log(a.Median)) / (math.Log(float64(c.N)) - math.Log(float64(a.N)))
		}
		out = append(out, LocalSlope{N1: a.N, N2: c.N, Slope: s, Lo: math.NaN(), Hi: math.NaN()})
	}
	return out, true
}

func dimension(slope float64) string {
	if slope == 0 || math.IsNaN(slope) {
		return "n/a"
	}
	return num(-1/slope, 3)
}

func (b *builder) scaling(e *Extremes, sc *Scaling) error {
	pts := append([]LadderPoint(nil), sc.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].N < pts[j].N })
	local, computed := localSlopes(pts, sc)
	var n, med, mlo, mhi, mean, alo, ahi, invK []float64
	for _, p := range pts {
		n = append(n, float64(p.N))
		med, mlo, mhi = append(med, p.Median), append(mlo, p.MedianLo), append(mhi, p.MedianHi)
		mean, alo, ahi = append(mean, p.Mean), append(alo, p.MeanLo), append(ahi, p.MeanHi)
		k := math.NaN()
		if p.WeibullShape > 0 {
			k = -1 / p.WeibullShape
		}
		invK = append(invK, k)
	}
	bl := bandLabel(sc.BandLevel)
	f := newFigure(slug("extremes", e.Step, "scaling"), "scaling with the dataset size N", 2, 1)
	what := "D_N" + unitLabel(e.Unit)
	top := newPanel("nearest-neighbour distance vs N", "N (reference jets)", what, true, true)
	if err := top.band(n, mlo, mhi, Color(0)); err != nil {
		return err
	}
	if err := top.band(n, alo, ahi, Color(1)); err != nil {
		return err
	}
	if err := top.line(n, med, lineOpt{label: "median D_N", color: Color(0), markers: true}); err != nil {
		return err
	}
	if err := top.line(n, mean, lineOpt{label: "mean D_N", color: Color(1), markers: true, dashes: dashes}); err != nil {
		return err
	}
	nlo, nhi := math.Inf(1), math.Inf(-1) // range of the positive N
	for _, x := range n {
		if x > 0 {
			nlo, nhi = math.Min(nlo, x), math.Max(nhi, x)
		}
	}
	if nhi > nlo {
		for i, fl := range []struct {
			name string
			pl   PowerLaw
		}{{"median", sc.Median}, {"mean", sc.Mean}} {
			if math.IsNaN(fl.pl.Slope) || math.IsNaN(fl.pl.Intercept) || (fl.pl.Slope == 0 && fl.pl.Intercept == 0) {
				continue
			}
			fx := []float64{nlo, nhi}
			fy := []float64{math.Exp(fl.pl.Intercept + fl.pl.Slope*math.Log(nlo)), math.Exp(fl.pl.Intercept + fl.pl.Slope*math.Log(nhi))}
			label := fmt.Sprintf("%s fit: slope %s (k = %s)", fl.name, pm(fl.pl.Slope, fl.pl.SlopeErr, 4), dimension(fl.pl.Slope))
			if err := top.line(fx, fy, lineOpt{label: label, color: Color(i), dashes: dots, width: vg.Points(1.2)}); err != nil {
				return err
			}
		}
	}
	top.finish()
	bottom := newPanel("local exponent vs N", "N (reference jets)", "d ln D_N / d ln N", true, false)
	var lx, ly, llo, lhi []float64
	for _, l := range local {
		if l.N1 <= 0 || l.N2 <= 0 {
			continue
		}
		lx = append(lx, math.Sqrt(float64(l.N1)*float64(l.N2)))
		ly, llo, lhi = append(ly, l.Slope), append(llo, l.Lo), append(lhi, l.Hi)
	}
	eb := errBars{x: lx, lo: llo, hi: lhi, color: Color(0)}
	if eb.drawable() {
		bottom.p.Add(eb)
	}
	if err := bottom.line(lx, ly, lineOpt{label: "local slope of ln(median) (between neighbouring N)", color: Color(0), markers: true}); err != nil {
		return err
	}
	if err := bottom.line(n, invK, lineOpt{label: "−1/k of the Weibull fit at N", color: Color(2), markers: true, dashes: dashes}); err != nil {
		return err
	}
	if sl := sc.Median.Slope; sl != 0 && !math.IsNaN(sl) && !math.IsInf(sl, 0) {
		h := hline{y: sl, style: refStyle}
		bottom.p.Add(h)
		bottom.p.Legend.Add("global median slope "+num(sl, 4), h)
		if bottom.ok() {
			bottom.p.Y.Min, bottom.p.Y.Max = math.Min(bottom.p.Y.Min, sl), math.Max(bottom.p.Y.Max, sl)
		}
	}
	if bottom.ok() && nhi >= nlo {
		bottom.p.X.Min, bottom.p.X.Max = math.Min(bottom.p.X.Min, nlo), math.Max(bottom.p.X.Max, nhi)
	}
	bottom.finish()
	if top.ok() {
		f.panels[0] = top.p
	}
	if bottom.ok() {
		f.panels[1] = bottom.p
	}
	f.notes = appendNote(f.notes, droppedNote(top.dropped+bottom.dropped, ""))
	capt := fmt.Sprintf("Top: median and mean nearest-neighbour distance D_N over N reference jets, log–log, with the %s and the power-law fits ln D_N = a + s ln N (dotted; k = −1/s is the implied local dimension, D_N ~ N^(−1/k)). "+
		"Bottom: the local slope between neighbouring N (at their geometric mean", bl)
	if !computed && anyFinite(llo, lhi) {
		capt += ", with its bootstrap band"
	}
	capt += ") and −1/k from the Weibull shape k fitted at each N. A constant exponent would give a flat line at the global slope (grey dashed); in QCD the exponent varies slowly with the scale, so the points drift with N."
	if computed {
		capt += " Local slopes were computed by the report from the medians (no bands were given)."
	}
	f.caption = capt
	b.addFigure(f)

	t := &tableView{Title: "scaling ladder", Columns: []string{"N", "median D_N", "median band", "mean D_N", "mean band", "Weibull k", "−1/k", "local slope to next N"},
		Caption: fmt.Sprintf("Per dataset size N: median and mean nearest-neighbour distance with the %s, the fitted Weibull shape k and −1/k, and the slope of ln(median) between this N and the next. Fits: median slope %s (k = %s), mean slope %s (k = %s).",
			bl, pm(sc.Median.Slope, sc.Median.SlopeErr, 6), dimension(sc.Median.Slope), pm(sc.Mean.Slope, sc.Mean.SlopeErr, 6), dimension(sc.Mean.Slope))}
	for i, p := range pts {
		ls := ""
		for _, l := range local {
			if l.N1 == p.N {
				ls = num(l.Slope, 4)
				if iv := interval(l.Lo, l.Hi, sig4); iv != "" {
					ls += " " + iv
				}
				ls += " (to " + strconv.Itoa(l.N2) + ")"
			}
		}
		k := "n/a"
		if p.WeibullShape > 0 {
			k = num(p.WeibullShape, 5)
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(p.N), sig4(p.Median), interval(p.MedianLo, p.MedianHi, sig4), sig4(p.Mean), interval(p.MeanLo, p.MeanHi, sig4), k, num(invK[i], 4), ls})
	}
	b.addTable(t)
	return nil
}

// errBars draws vertical error bars [lo, hi] at x (drawable bars only).
type errBars struct {
	x, lo, hi []float64
	color     color.Color
}

func (e errBars) ok(i int, p *plot.Plot) bool {
	lg := p != nil && isLog(&p.Y)
	return drawable(e.lo[i], lg) && drawable(e.hi[i], lg) && drawable(e.x[i], p != nil && isLog(&p.X))
}

func (e errBars) drawable() bool {
	for i := range e.x {
		if e.ok(i, nil) {
			return true
		}
	}
	return false
}

func (e errBars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	sty := draw.LineStyle{Color: e.color, Width: vg.Points(1)}
	w := vg.Points(3)
	for i := range e.x {
		if !e.ok(i, p) {
			continue
		}
		x, y0, y1 := tx(e.x[i]), ty(e.lo[i]), ty(e.hi[i])
		c.StrokeLine2(sty, x, y0, x, y1)
		c.StrokeLine2(sty, x-w, y0, x+w, y0)
		c.StrokeLine2(sty, x-w, y1, x+w, y1)
	}
}

// DataRange includes the bars in the axis ranges.
func (e errBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for i := range e.x {
		if !e.ok(i, nil) {
			continue
		}
		xmin, xmax = math.Min(xmin, e.x[i]), math.Max(xmax, e.x[i])
		ymin, ymax = math.Min(ymin, e.lo[i]), math.Max(ymax, e.hi[i])
	}
	return
}
