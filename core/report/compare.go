package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// peak returns the index of the largest finite AUC (-1 if none).
func peak(pts []SmearPoint) int {
	best := -1
	for i, p := range pts {
		if math.IsNaN(p.AUC) || math.IsInf(p.AUC, 0) {
			continue
		}
		if best < 0 || p.AUC > pts[best].AUC {
			best = i
		}
	}
	return best
}

func smearLabel(sm *Smearing) string {
	if sm.Smearer == "" || strings.Contains(sm.Step, sm.Smearer) {
		return sm.Step
	}
	return sm.Step + " (" + sm.Smearer + ")"
}

// comparisons builds the comparison section: overlays of smearing
// sections sharing an input, the overlay across metrics in units of each
// metric's NN distance, and one table per scan group.
func (b *builder) comparisons(run *Run) error {
	s := b.open([]string{"comparisons"}, "Comparisons")
	s.Intro = append(s.Intro, "Overlays of smearing steps that share a distance input or differ only by the metric, and one table per parameter scan (steps named name@param=value).")

	// Smearing sections by input.
	var order []string
	byInput := map[string][]*Smearing{}
	for i := range run.Smearing {
		sm := &run.Smearing[i]
		if sm.Input == "" || len(sm.Points) == 0 {
			continue
		}
		if _, ok := byInput[sm.Input]; !ok {
			order = append(order, sm.Input)
		}
		byInput[sm.Input] = append(byInput[sm.Input], sm)
	}
	for _, in := range order {
		if g := byInput[in]; len(g) >= 2 {
			if err := b.inputOverlay(in, g); err != nil {
				return err
			}
		}
	}
	if err := b.metricOverlay(run.Smearing); err != nil {
		return err
	}
	b.scanTables(run)

	if len(s.Blocks) == 0 {
		b.page.Sections = b.page.Sections[:len(b.page.Sections)-1]
	}
	return nil
}

func (b *builder) inputOverlay(input string, g []*Smearing) error {
	var eps, knn []*Smearing
	for _, sm := range g {
		if isKNN(sm) {
			knn = append(knn, sm)
		} else {
			eps = append(eps, sm)
		}
	}
	convert := len(knn) > 0
	for _, sm := range knn {
		_, _, _, _, _, _, _, _, r := smearCols(sm.Points)
		convert = convert && allPositive(r)
	}
	var xsAll []float64
	for _, sm := range eps {
		for _, p := range sm.Points {
			xsAll = append(xsAll, p.X)
		}
	}
	if convert {
		for _, sm := range knn {
			for _, p := range sm.Points {
				xsAll = append(xsAll, p.Radius)
			}
		}
	}
	mainPanel := len(eps) > 0 || convert
	kPanel := len(knn) > 0 && !convert
	cols := 0
	if mainPanel {
		cols++
	}
	if kPanel {
		cols++
	}
	f := newFigure(slug("compare", input, "auc"), "AUC of the smearers on "+input, 1, cols)
	col := 0
	nn, gevScale, gevOK := 0.0, 0.0, true
	var unit string
	for _, sm := range eps {
		if nn == 0 && sm.NNScale > 0 {
			nn = sm.NNScale
		}
		if unit == "" {
			unit = sm.MetricUnit
		}
		switch {
		case !showGeV(sm):
			gevOK = false
		case gevScale == 0:
			gevScale = sm.GeVScale
		case gevScale != sm.GeVScale:
			gevOK = false
		}
	}
	ci := 0
	var caption strings.Builder
	fmt.Fprintf(&caption, "AUC of the smearing steps reading the distances %s, each with its bootstrap band shaded. ", input)
	if mainPanel {
		logX := autoLog(xsAll, 10) && allPositive(xsAll)
		pn := newPanel("AUC vs resolution: "+input, "resolution ε"+unitLabel(unit), "AUC", logX, false)
		for _, sm := range eps {
			pts := sortedPoints(sm.Points)
			x, a, lo, hi, _, _, _, _, _ := smearCols(pts)
			if err := pn.series(x, a, lo, hi, smearLabel(sm), ci); err != nil {
				return err
			}
			ci++
		}
		if convert {
			for _, sm := range knn {
				pts := sortedPoints(sm.Points)
				_, a, lo, hi, _, _, _, _, r := smearCols(pts)
				if err := pn.series(r, a, lo, hi, smearLabel(sm)+" at its median k-th NN radius", ci); err != nil {
					return err
				}
				ci++
			}
			caption.WriteString("kNN steps are drawn at the median distance to the k-th neighbour for each k, so all smearers share the ε axis. ")
		}
		aucRefs(pn, nn, "median NN distance = "+num(nn, 3))
		pn.finish()
		if gevOK && gevScale > 0 && logX && pn.ok() {
			addTopAxis(pn.p, gevScale, "ε × mean jet pT [GeV]")
			caption.WriteString("The top axis gives ε × mean jet pT in GeV. ")
		}
		f.attach(col, pn)
		col++
	}
	if kPanel {
		var ks []float64
		for _, sm := range knn {
			for _, p := range sm.Points {
				ks = append(ks, p.X)
			}
		}
		logX := autoLog(ks, 10) && allPositive(ks)
		pn := newPanel("kNN: AUC vs k", "k (number of nearest neighbours)", "AUC", logX, false)
		for _, sm := range knn {
			pts := sortedPoints(sm.Points)
			x, a, lo, hi, _, _, _, _, _ := smearCols(pts)
			if err := pn.series(x, a, lo, hi, smearLabel(sm), ci); err != nil {
				return err
			}
			ci++
		}
		aucRefs(pn, 0, "")
		pn.finish()
		f.attach(col, pn)
		if mainPanel {
			caption.WriteString("Left: smearers with a radius or width ε. Right: kNN smearers against k (their own axis; no median k-th neighbour radius was given to place them on the ε axis). ")
		} else {
			caption.WriteString("kNN smearers against k. ")
		}
	}
	caption.WriteString("The curve that stays highest resolves the most class information at that scale; the grey dashed line at 0.5 is a tagger without information")
	if nn > 0 && mainPanel {
		caption.WriteString(", and the dash-dotted vertical line marks the median nearest-neighbour distance")
	}
	caption.WriteString(".")
	f.caption = caption.String()
	b.addFigure(f)

	t := &tableView{Title: "peak AUC of the smearers on " + input,
		Caption: "For each smearing step reading " + input + ": the largest AUC over its axis, where it occurs, and the background rejection 1/ε_b at ε_s = 0.5 at that point.",
		Columns: []string{"step", "smearer", "axis", "peak AUC", "AUC band", "at", "rejection at peak"}}
	for _, sm := range g {
		pts := sortedPoints(sm.Points)
		row := []string{sm.Step, sm.Smearer, axisName(sm)}
		if i := peak(pts); i >= 0 {
			p := pts[i]
			at := sig4(p.X)
			if showGeV(sm) {
				at += " (" + sig4(p.X*sm.GeVScale) + " GeV)"
			}
			row = append(row, auc4(p.AUC), interval(p.AUCLo, p.AUCHi, auc4), at, sig4(p.Rejection))
		} else {
			row = append(row, "n/a", "", "", "")
		}
		t.Rows = append(t.Rows, row)
	}
	b.addTable(t)
	return nil
}

// metricOverlay overlays AUC versus eps / (median NN distance) for eps
// smearing steps of at least two different metrics. Biased (leave-one-out)
// steps are left out, and when a smearer appears on two or more metrics
// only such smearers are shown, so that like is compared with like.
func (b *builder) metricOverlay(all []Smearing) error {
	var cand []*Smearing
	var skipped []string
	for i := range all {
		sm := &all[i]
		if isKNN(sm) || len(sm.Points) == 0 || biased(sm) {
			continue
		}
		if !(sm.NNScale > 0) || math.IsInf(sm.NNScale, 0) {
			skipped = append(skipped, sm.Step)
			continue
		}
		cand = append(cand, sm)
	}
	metricsOf := map[string]map[string]bool{} // smearer -> metrics
	for _, sm := range cand {
		if metricsOf[sm.Smearer] == nil {
			metricsOf[sm.Smearer] = map[string]bool{}
		}
		metricsOf[sm.Smearer][metricKey(sm)] = true
	}
	var use []*Smearing
	for _, sm := range cand {
		if len(metricsOf[sm.Smearer]) >= 2 {
			use = append(use, sm)
		}
	}
	if len(use) == 0 {
		use = cand
	}
	metrics := map[string]bool{}
	for _, sm := range use {
		metrics[metricKey(sm)] = true
	}
	if len(metrics) < 2 {
		return nil
	}
	f := newFigure("compare-metrics-auc", "AUC across metrics, ε in units of each metric's nearest-neighbour distance", 1, 1)
	var xsAll []float64
	for _, sm := range use {
		for _, p := range sm.Points {
			xsAll = append(xsAll, p.X/sm.NNScale)
		}
	}
	logX := autoLog(xsAll, 10) && allPositive(xsAll)
	pn := newPanel("AUC vs ε / median NN distance", "ε / (median nearest-neighbour distance of the metric)", "AUC", logX, false)
	for i, sm := range use {
		pts := sortedPoints(sm.Points)
		x, a, lo, hi, _, _, _, _, _ := smearCols(pts)
		for j := range x {
			x[j] /= sm.NNScale
		}
		label := smearLabel(sm) + ", " + metricKey(sm)
		if err := pn.series(x, a, lo, hi, label, i); err != nil {
			return err
		}
	}
	aucRefs(pn, 1, "ε = median NN distance")
	pn.finish()
	f.attach(0, pn)
	if len(skipped) > 0 {
		f.notes = append(f.notes, "Not shown (no median nearest-neighbour distance given): "+strings.Join(skipped, ", ")+".")
	}
	f.caption = "AUC of smearing steps on different metrics (the same smearer on each metric where possible; biased leave-one-out steps are left out). Each metric has its own distance scale, so ε is divided by that metric's median nearest-neighbour distance: x = 1 (dash-dotted vertical line) is where a typical jet's closest neighbour sits and balls start to empty. Curves can then be compared at equal resolution relative to the sample density; the metric whose curve lies higher separates quarks from gluons better at that relative scale."
	b.addFigure(f)
	return nil
}

func metricKey(sm *Smearing) string {
	if sm.Metric != "" {
		return sm.Metric
	}
	return sm.Input
}

// scanPoint splits "name@param=value" into ("name", "param=value").
func scanPoint(step string) (base, point string, ok bool) {
	i := strings.IndexByte(step, '@')
	if i <= 0 || i == len(step)-1 {
		return "", "", false
	}
	return step[:i], step[i+1:], true
}

type scanRow struct {
	point string
	vals  []string
}

type scanGroup struct {
	kind, base string
	cols       []string
	rows       []scanRow
}

// scanTables adds one table per scan group.
func (b *builder) scanTables(run *Run) {
	var groups []*scanGroup
	index := map[string]*scanGroup{}
	add := func(kind, step string, cols []string, vals []string) {
		base, point, ok := scanPoint(step)
		if !ok {
			return
		}
		key := kind + "\x00" + base
		g := index[key]
		if g == nil {
			g = &scanGroup{kind: kind, base: base, cols: cols}
			index[key] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, scanRow{point: point, vals: vals})
	}
	for i := range run.Distances {
		d := &run.Distances[i]
		v := []string{}
		for _, c := range [][]float64{d.QQ, d.GG, d.QG} {
			s, _ := finiteSorted(c)
			v = append(v, sig4(quantile(s, 0.5)))
		}
		add("distances", d.Step, []string{"median q–q", "median g–g", "median q–g"}, v)
	}
	for i := range run.Smearing {
		sm := &run.Smearing[i]
		pts := sortedPoints(sm.Points)
		v := []string{sm.Smearer, "n/a", "", "", ""}
		if j := peak(pts); j >= 0 {
			p := pts[j]
			v = []string{sm.Smearer, auc4(p.AUC), interval(p.AUCLo, p.AUCHi, auc4), axisName(sm) + " = " + sig4(p.X), sig4(p.Rejection)}
		}
		add("smearing", sm.Step, []string{"smearer", "peak AUC", "AUC band", "at", "rejection at peak"}, v)
	}
	for i := range run.Extremes {
		e := &run.Extremes[i]
		best, dBest := bestFit(e.Fits)
		v := []string{strconv.Itoa(len(e.Values)), best, dBest, "n/a"}
		if e.Scaling != nil {
			v[3] = pm(e.Scaling.Median.Slope, e.Scaling.Median.SlopeErr, 4)
		}
		add("extremes", e.Step, []string{"sample size", "best family (AIC)", "ΔAIC to next", "median scaling slope"}, v)
	}
	for i := range run.Taggers {
		t := &run.Taggers[i]
		name, m := "n/a", math.NaN()
		for _, v := range t.Variants {
			if mu, _ := meanStd(v.AUC); !math.IsNaN(mu) && (math.IsNaN(m) || mu > m) {
				name, m = v.Name, mu
			}
		}
		add("tagger", t.Step, []string{"best variant", "mean AUC"}, []string{name, auc4(m)})
	}
	for i := range run.Relevance {
		r := &run.Relevance[i]
		f := rankFeatures(r.Features)
		top := "n/a"
		if len(f) > 0 {
			top = f[0].Name
		}
		add("relevance", r.Step, []string{"top feature", "full-model AUC"}, []string{top, auc4(r.FullAUC)})
	}
	for _, g := range groups {
		t := &tableView{Title: fmt.Sprintf("scan of %s (%s)", g.base, g.kind),
			Caption: fmt.Sprintf("One row per point of the scan of step %s; the key numbers of each point's own section.", g.base),
			Columns: append([]string{"point"}, g.cols...)}
		for _, r := range g.rows {
			t.Rows = append(t.Rows, append([]string{r.point}, r.vals...))
		}
		b.addTable(t)
	}
}
