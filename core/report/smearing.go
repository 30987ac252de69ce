package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// defaultBiasNote explains the leave-one-out bias (SCIENCE.md).
const defaultBiasNote = "This section uses a biased reference set (leave-one-out). Keeping the query in its class total drives the AUC towards 0 at large ε (1/2 is expected); removing it makes the normaliser depend on the query's label, which breaks every tie in favour of the true class (kNN k = 3 on 500 jets: AUC 0.802 against 0.729 leave-pair-out). Do not quote these AUCs as physics results; use K-fold cross-smearing."

func isKNN(sm *Smearing) bool { return sm.Axis == "k" }

func biased(sm *Smearing) bool {
	m := strings.ToLower(sm.Mode)
	return sm.Biased || m == "loo" || m == "leave-one-out" || m == "leave_one_out"
}

// showGeV reports whether eps × GeVScale is meaningful for the section.
func showGeV(sm *Smearing) bool {
	return !isKNN(sm) && sm.GeVScale > 0 && !math.IsInf(sm.GeVScale, 0) && sm.MetricUnit != UnitGeV
}

// sortedPoints returns the points sorted by X (stable; NaN last).
func sortedPoints(p []SmearPoint) []SmearPoint {
	out := append([]SmearPoint(nil), p...)
	sort.SliceStable(out, func(i, j int) bool {
		if math.IsNaN(out[j].X) {
			return !math.IsNaN(out[i].X)
		}
		return out[i].X < out[j].X
	})
	return out
}

func axisName(sm *Smearing) string {
	switch sm.Axis {
	case "k":
		return "k"
	case "eps", "":
		return "ε"
	default:
		return sm.Axis
	}
}

func axisLabel(sm *Smearing) string {
	if isKNN(sm) {
		return "k (number of nearest neighbours)"
	}
	return "resolution " + axisName(sm) + unitLabel(sm.MetricUnit)
}

func smearCols(pts []SmearPoint) (x, auc, alo, ahi, rej, rlo, rhi, empty, radius []float64) {
	for _, p := range pts {
		x, auc, alo, ahi = append(x, p.X), append(auc, p.AUC), append(alo, p.AUCLo), append(ahi, p.AUCHi)
		rej, rlo, rhi = append(rej, p.Rejection), append(rlo, p.RejectionLo), append(rhi, p.RejectionHi)
		empty, radius = append(empty, p.Empty), append(radius, p.Radius)
	}
	return
}

func anyFinite(v ...[]float64) bool {
	for _, s := range v {
		for _, x := range s {
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				return true
			}
		}
	}
	return false
}

func allPositive(v []float64) bool {
	for _, x := range v {
		if !(x > 0) || math.IsInf(x, 0) {
			return false
		}
	}
	return len(v) > 0
}

var (
	refStyle  = draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: dashes}
	nnStyle   = draw.LineStyle{Color: color.Black, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}}
	bandLabel = func(level float64) string {
		if level > 0 && level < 1 {
			return fmt.Sprintf("%g%% bootstrap band", math.Round(level*1000)/10)
		}
		return "bootstrap band"
	}
)

// aucRefs adds the AUC = 1/2 line and, for eps axes, the NN-scale line, and
// makes the y range include 1/2.
func aucRefs(pn *panel, nn float64, nnLabel string) {
	pn.p.Add(hline{y: 0.5, style: refStyle})
	pn.p.Legend.Add("AUC = 0.5 (no information)", hline{y: 0.5, style: refStyle})
	if nn > 0 && !math.IsInf(nn, 0) {
		pn.p.Add(vline{x: nn, style: nnStyle})
		pn.p.Legend.Add(nnLabel, vline{x: nn, style: nnStyle})
	}
	if pn.ok() {
		pn.p.Y.Min = math.Min(pn.p.Y.Min, 0.5)
		pn.p.Y.Max = math.Max(pn.p.Y.Max, 0.5)
	}
}

func (b *builder) smearing(sm *Smearing) error {
	if sm.Axis == "" {
		return fmt.Errorf("smearing %q: axis is empty (want \"eps\" or \"k\")", sm.Step)
	}
	title := "Smearing: " + sm.Step
	tag := ""
	if biased(sm) {
		title += " (biased: leave-one-out)"
		tag = " (leave-one-out, biased)"
	}
	s := b.open([]string{"smearing", sm.Step}, title)
	pts := sortedPoints(sm.Points)
	x, auc, alo, ahi, rej, rlo, rhi, empty, radius := smearCols(pts)
	k := isKNN(sm)
	logX := autoLog(x, 10) && allPositive(x)
	gev := showGeV(sm)

	intro := fmt.Sprintf("Smearer %s on distances %s (metric %s, ε in %s).", orUnknown(sm.Smearer), orUnknown(sm.Input), orUnknown(sm.Metric), orUnknown(sm.MetricUnit))
	if sm.Mode != "" {
		intro += " Reference set: " + sm.Mode + "."
	}
	if sm.Queries > 0 {
		intro += fmt.Sprintf(" %d scored jets (signal weight %s, background weight %s).", sm.Queries, num(sm.Signal, 6), num(sm.Background, 6))
	}
	if gev {
		intro += fmt.Sprintf(" Mean jet pT = %s GeV converts ε to GeV.", num(sm.GeVScale, 5))
	}
	if sm.NNScale > 0 {
		intro += fmt.Sprintf(" Median nearest-neighbour distance = %s.", num(sm.NNScale, 4))
	}
	s.Intro = append(s.Intro, intro)
	if biased(sm) {
		note := sm.BiasNote
		if note == "" {
			note = defaultBiasNote
		}
		s.Warnings = append(s.Warnings, note)
	}
	s.Notes = append(s.Notes, sm.Notes...)
	if len(pts) == 0 {
		s.Notes = append(s.Notes, "no points on the resolution axis: nothing to plot.")
		return nil
	}
	bl := bandLabel(sm.BandLevel)
	an := axisName(sm)

	// AUC versus the axis.
	f := newFigure(slug("smearing", sm.Step, "auc"), "AUC versus "+an, 1, 1)
	pn := newPanel("AUC vs "+an+": "+sm.Step+tag, axisLabel(sm), "AUC", logX, false)
	if err := pn.band(x, alo, ahi, Color(0)); err != nil {
		return fmt.Errorf("smearing %q: %w", sm.Step, err)
	}
	if err := pn.line(x, auc, lineOpt{label: "AUC (" + orUnknown(sm.Smearer) + ")", color: Color(0), markers: true}); err != nil {
		return fmt.Errorf("smearing %q: %w", sm.Step, err)
	}
	nn := 0.0
	if !k {
		nn = sm.NNScale
	}
	aucRefs(pn, nn, "median NN distance = "+num(sm.NNScale, 3))
	pn.finish()
	if gev && logX && pn.ok() {
		addTopAxis(pn.p, sm.GeVScale, an+" × mean jet pT [GeV]")
	}
	f.attach(0, pn)
	if nn > 0 && len(x) > 0 && (nn < x[0] || nn > x[len(x)-1]) {
		f.notes = append(f.notes, fmt.Sprintf("The median nearest-neighbour distance %s lies outside the scanned range.", num(nn, 4)))
	}
	capt := fmt.Sprintf("Area under the ROC curve of the smeared likelihood (quark = signal) versus the %s, with the %s shaded. ", axisLabel(sm), bl)
	if k {
		capt += "Small k uses only the closest neighbours (fine resolution); large k averages over a wide neighbourhood. "
	} else {
		capt += "Reading from right to left, the resolution becomes finer: the AUC should rise as ε decreases and fall back towards 0.5 once ε reaches the nearest-neighbour scale (the dash-dotted vertical line, when given) and balls empty. "
	}
	capt += "The grey dashed line at 0.5 is a tagger without information."
	if gev && logX {
		capt += " The top axis gives ε × mean jet pT in GeV."
	}
	f.caption = capt
	b.addFigure(f)

	// Background rejection at 50% signal efficiency.
	f = newFigure(slug("smearing", sm.Step, "rejection"), "background rejection at 50% signal efficiency versus "+an, 1, 1)
	pn = newPanel("rejection at ε_s = 0.5: "+sm.Step+tag, axisLabel(sm), "rejection 1/ε_b at ε_s = 0.5", logX, true)
	if err := pn.band(x, rlo, rhi, Color(2)); err != nil {
		return fmt.Errorf("smearing %q: %w", sm.Step, err)
	}
	var infX []float64
	finRej := make([]float64, len(rej))
	for i, r := range rej {
		finRej[i] = r
		if math.IsInf(r, 1) && drawable(x[i], logX) {
			infX = append(infX, x[i])
			finRej[i] = math.NaN() // drawn as an arrow, not counted as dropped below
		}
	}
	if err := pn.line(x, finRej, lineOpt{label: "1/ε_b at ε_s = 0.5", color: Color(2), markers: true}); err != nil {
		return fmt.Errorf("smearing %q: %w", sm.Step, err)
	}
	pn.dropped -= len(infX)
	if len(infX) > 0 {
		arrows := upArrows{xs: infX, color: Color(2)}
		pn.p.Add(arrows)
		pn.p.Legend.Add("∞ (no background passes)", arrows)
		if !pn.ok() {
			pn.p.X.Min, pn.p.X.Max = minMax(infX)
			pn.p.Y.Min, pn.p.Y.Max = 1, 10
		}
		pn.n++
	}
	rnd := hline{y: 2, style: refStyle}
	pn.p.Add(rnd)
	pn.p.Legend.Add("no information (1/ε_b = 2)", rnd)
	if pn.ok() {
		pn.p.Y.Min = math.Min(pn.p.Y.Min, 1.5)
		pn.p.Y.Max = math.Max(pn.p.Y.Max, 2.5)
	}
	pn.finish()
	if gev && logX && pn.ok() {
		addTopAxis(pn.p, sm.GeVScale, an+" × mean jet pT [GeV]")
	}
	f.attach(0, pn)
	if len(infX) > 0 {
		f.notes = append(f.notes, fmt.Sprintf("%d %s with infinite rejection (no background jet passes the cut at ε_s = 0.5) %s drawn as upward arrows at the top edge.", len(infX), plural(len(infX), "point", "points"), plural(len(infX), "is", "are")))
	}
	f.caption = fmt.Sprintf("Background (gluon) rejection 1/ε_b at the first ROC point with signal (quark) efficiency ε_s ≥ 0.5, versus the %s, on a log scale, with the %s shaded. Higher is better. A random continuous score gives 2 (grey dashed line); a score without any information (all jets tied, e.g. every ball empty) gives 1, since the first cut reaching ε_s ≥ 0.5 then keeps every jet.", axisLabel(sm), bl)
	b.addFigure(f)

	// Empty-ball fraction.
	denom := float64(sm.Queries)
	if denom == 0 {
		denom = sm.Signal + sm.Background
	}
	allZero := true
	for _, e := range empty {
		if e != 0 {
			allZero = false
		}
	}
	switch {
	case k && allZero:
		// kNN balls are never empty: nothing to show.
	case !(denom > 0):
		s.Notes = append(s.Notes, "empty-ball fraction not plotted: the number of queries is not given.")
	default:
		frac := make([]float64, len(empty))
		for i, e := range empty {
			frac[i] = e / denom
		}
		f = newFigure(slug("smearing", sm.Step, "empty"), "empty-ball fraction versus "+an, 1, 1)
		pn = newPanel("queries without information: "+sm.Step, axisLabel(sm), "fraction of queries with an empty ball", logX, false)
		if err := pn.line(x, frac, lineOpt{label: "empty-ball fraction", color: Color(4), markers: true}); err != nil {
			return fmt.Errorf("smearing %q: %w", sm.Step, err)
		}
		if !k && sm.NNScale > 0 {
			pn.p.Add(vline{x: sm.NNScale, style: nnStyle})
			pn.p.Legend.Add("median NN distance = "+num(sm.NNScale, 3), vline{x: sm.NNScale, style: nnStyle})
		}
		pn.p.Y.Min, pn.p.Y.Max = 0, 1
		pn.finish()
		pn.p.Y.Min = 0
		f.attach(0, pn)
		f.caption = fmt.Sprintf("Fraction of scored jets whose reference ball at this %s holds no jet of either class, so the score is 1/2 and carries no information. Where this fraction grows, the AUC must fall back towards 0.5: the resolution has reached the sample's nearest-neighbour scale.", an)
		b.addFigure(f)
	}

	// ROC curves.
	if len(sm.ROCs) > 0 {
		f, err := rocFigure(slug("smearing", sm.Step, "roc"), "ROC curves at selected "+an, sm.ROCs, "Smeared-likelihood ROC curves at a few points of the "+an+" axis (the label gives the point and its AUC). ")
		if err != nil {
			return fmt.Errorf("smearing %q: %w", sm.Step, err)
		}
		b.addFigure(f)
	}

	// Table of points.
	cols := []string{an + unitSuffix(sm)}
	if gev {
		cols = append(cols, an+" × ⟨pT⟩ [GeV]")
	}
	hasRadius := anyPositive(radius)
	if hasRadius {
		cols = append(cols, "median k-th NN radius")
	}
	aBand, rBand := anyFinite(alo, ahi), anyFinite(rlo, rhi)
	cols = append(cols, "AUC")
	if aBand {
		cols = append(cols, "AUC band")
	}
	cols = append(cols, "rejection at ε_s = 0.5")
	if rBand {
		cols = append(cols, "rejection band")
	}
	if !(k && allZero) {
		cols = append(cols, "empty")
		if denom > 0 {
			cols = append(cols, "empty fraction")
		}
	}
	t := &tableView{Title: "smearing points", Columns: cols,
		Caption: fmt.Sprintf("Every point of the %s axis. Bands: %s. Rejection = 1/ε_b at the first ROC point with ε_s ≥ 0.5 (∞ when no background passes). Empty = number of queries scored 1/2 for lack of neighbours.", an, bl)}
	for _, p := range pts {
		row := []string{sig4(p.X)}
		if k {
			row[0] = num(p.X, 6)
		}
		if gev {
			row = append(row, sig4(p.X*sm.GeVScale))
		}
		if hasRadius {
			row = append(row, sig4(p.Radius))
		}
		row = append(row, auc4(p.AUC))
		if aBand {
			row = append(row, interval(p.AUCLo, p.AUCHi, auc4))
		}
		row = append(row, sig4(p.Rejection))
		if rBand {
			row = append(row, interval(p.RejectionLo, p.RejectionHi, sig4))
		}
		if !(k && allZero) {
			row = append(row, num(p.Empty, 6))
			if denom > 0 {
				row = append(row, fixed(p.Empty/denom, 4))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	b.addTable(t)
	return nil
}

func unitSuffix(sm *Smearing) string {
	if isKNN(sm) || sm.MetricUnit == "" || sm.MetricUnit == UnitNormalized {
		return ""
	}
	return " [" + sm.MetricUnit + "]"
}

func anyPositive(v []float64) bool {
	for _, x := range v {
		if x > 0 && !math.IsInf(x, 0) {
			return true
		}
	}
	return false
}

func minMax(v []float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// rocFigure draws ROC curves in two panels: background rejection 1/ε_b
// versus signal efficiency (log y, the jet-physics convention) and the
// plain ROC (ε_s versus ε_b).
func rocFigure(name, title string, rocs []ROC, intro string) (*figure, error) {
	f := newFigure(name, title, 1, 2)
	left := newPanel("rejection vs signal efficiency", "signal (quark) efficiency ε_s", "background rejection 1/ε_b", false, true)
	right := newPanel("ROC", "background (gluon) efficiency ε_b", "signal (quark) efficiency ε_s", false, false)
	zeroB, bad := 0, 0
	for i, r := range rocs {
		if len(r.SignalEff) != len(r.BackgroundEff) {
			return nil, fmt.Errorf("ROC %q: %d signal efficiencies but %d background efficiencies", r.Label, len(r.SignalEff), len(r.BackgroundEff))
		}
		label := r.Label
		if !math.IsNaN(r.AUC) {
			label += " (AUC " + auc4(r.AUC) + ")"
		}
		sx, bx := thin(r.SignalEff, r.BackgroundEff, maxCurvePoints)
		inv := make([]float64, len(bx))
		for j, e := range bx {
			inv[j] = 1 / e
			if e == 0 {
				zeroB++
				inv[j] = math.NaN()
			}
		}
		c := Color(i)
		d0 := left.dropped
		if err := left.line(sx, inv, lineOpt{label: label, color: c, dashes: lineDash(i)}); err != nil {
			return nil, err
		}
		bad += left.dropped - d0
		if err := right.line(bx, sx, lineOpt{label: label, color: c, dashes: lineDash(i)}); err != nil {
			return nil, err
		}
	}
	diag := plotterDiagonal()
	right.p.Add(diag)
	right.p.Legend.Add("no information", diag)
	right.p.Legend.Top, right.p.Legend.Left = false, false
	right.p.X.Min, right.p.X.Max, right.p.Y.Min, right.p.Y.Max = 0, 1, 0, 1
	left.p.X.Min, left.p.X.Max = 0, 1
	left.finish()
	if left.ok() {
		f.panels[0] = left.p
	}
	if right.ok() {
		f.panels[1] = right.p
	}
	if n := bad - zeroB; n > 0 {
		f.notes = append(f.notes, fmt.Sprintf("%d ROC points with NaN or infinite efficiencies not drawn.", n))
	}
	f.caption = intro + "Left: background rejection 1/ε_b versus signal efficiency ε_s on a log scale (the jet-physics convention; higher is better, and points with ε_b = 0, i.e. infinite rejection, are not drawn). Right: the plain ROC curve, ε_s versus ε_b; the diagonal is a tagger without information and the AUC is the area under the curve."
	return f, nil
}

func lineDash(i int) []vg.Length {
	switch i % 3 {
	case 1:
		return dashes
	case 2:
		return []vg.Length{vg.Points(7), vg.Points(2), vg.Points(1.5), vg.Points(2)}
	}
	return nil
}

// plotterDiagonal is the y = x reference line of a ROC or QQ panel.
func plotterDiagonal() diagonal { return diagonal{style: refStyle} }
