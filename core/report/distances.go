package report

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot/vg"
)

// unitLabel returns the axis-label suffix for a metric unit.
func unitLabel(unit string) string {
	switch unit {
	case "":
		return ""
	case UnitNormalized:
		return " (dimensionless)"
	default:
		return " [" + unit + "]"
	}
}

// binsFor is the Rice rule 2 n^(1/3), clamped to [10, 60].
func binsFor(n int) int {
	b := int(math.Round(2 * math.Cbrt(float64(n))))
	return min(max(b, 10), 60)
}

func (b *builder) distances(d *Distances) error {
	title := "Distances: " + d.Step
	s := b.open([]string{"distances", d.Step}, title)
	s.Intro = append(s.Intro, fmt.Sprintf("Metric %s; unit: %s.", orUnknown(d.Metric), orUnknown(d.Unit)))
	s.Notes = append(s.Notes, d.Notes...)
	type class struct {
		name   string
		values []float64
	}
	classes := []class{{"quark–quark", d.QQ}, {"gluon–gluon", d.GG}, {"quark–gluon", d.QG}}

	var all []float64
	for _, c := range classes {
		all = append(all, c.values...)
	}
	logX := false
	switch d.XScale {
	case ScaleLog:
		logX = true
	case ScaleLinear:
	case ScaleAuto:
		logX = autoLog(all, 50)
	default:
		return fmt.Errorf("distances %q: x_scale %q is not one of \"\", linear, log", d.Step, d.XScale)
	}
	if d.Bins < 0 {
		return fmt.Errorf("distances %q: bins = %d, want >= 0", d.Step, d.Bins)
	}

	// Range over the drawable values of all classes.
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, x := range all {
		if drawable(x, logX) {
			lo, hi, n = math.Min(lo, x), math.Max(hi, x), n+1
		}
	}
	f := newFigure(slug("distances", d.Step), "pair distances by class", 1, 1)
	xl := "distance d" + unitLabel(d.Unit)
	if d.Metric != "" {
		xl = d.Metric + " distance d" + unitLabel(d.Unit)
	}
	yl := "1/N dN/dd"
	if logX {
		yl = "1/N dN/dlog10(d)"
	}
	pn := newPanel(d.Metric+" distances by class pair", xl, yl, logX, false)
	if n > 0 {
		if lo == hi {
			if logX {
				lo, hi = lo/1.1, hi*1.1
			} else {
				w := math.Max(math.Abs(lo)*0.05, 0.5)
				lo, hi = lo-w, hi+w
			}
		}
		bins := d.Bins
		if bins == 0 {
			bins = binsFor(n)
		}
		edges, err := Edges(lo, hi, bins, logX)
		if err != nil {
			return fmt.Errorf("distances %q: %w", d.Step, err)
		}
		for i, c := range classes {
			kept := 0
			for _, x := range c.values {
				if drawable(x, logX) {
					kept++
				}
			}
			if dropped := len(c.values) - kept; dropped > 0 {
				f.notes = append(f.notes, fmt.Sprintf("%s: %d of %d distances not drawn (NaN, infinite, or not positive on the log axis).", c.name, dropped, len(c.values)))
			}
			if kept == 0 {
				if len(c.values) == 0 {
					f.notes = append(f.notes, c.name+": no pairs sampled.")
				}
				continue
			}
			h, _, err := Histogram(c.values, edges, logX)
			if err != nil {
				return fmt.Errorf("distances %q: %w", d.Step, err)
			}
			h.Color = Color(i)
			h.Dashes = [][]vg.Length{nil, dashes, dots}[i]
			pn.p.Add(h)
			pn.p.Legend.Add(fmt.Sprintf("%s (%d pairs)", c.name, kept), h)
			pn.n++
		}
		pn.finish()
		pn.p.Y.Min = 0
	} else {
		f.notes = append(f.notes, "no drawable distances: histogram skipped.")
	}
	if pn.ok() {
		f.panels[0] = pn.p
	}
	scale := "a linear"
	per := "per unit distance"
	if logX {
		scale = "a logarithmic"
		per = "per unit log10(d), so that areas read correctly on the log axis"
	}
	f.caption = fmt.Sprintf("Normalised distributions of the sampled pair distances of metric %s for quark–quark (solid), gluon–gluon (dashed) and quark–gluon (dotted) pairs, on %s x axis. Each curve has unit area (%s). "+
		"Read it as: where the same-class curves sit left of the quark–gluon curve, jets of one class are closer to each other than to the other class at that scale; a smearing resolution ε near the left edge of the distributions probes the finest structure the sample resolves.",
		orUnknown(d.Metric), scale, per)
	b.addFigure(f)

	t := &tableView{Title: "distance summary by class pair", Caption: "Quantiles of the sampled pair distances (linear interpolation); unit: " + orUnknown(d.Unit) + ". NaN and infinite values are excluded and counted.",
		Columns: []string{"pair class", "pairs", "excluded", "median", "mean", "10%", "90%", "min", "max"}}
	for _, c := range classes {
		v, bad := finiteSorted(c.values)
		row := []string{c.name, strconv.Itoa(len(v)), strconv.Itoa(bad)}
		if len(v) == 0 {
			row = append(row, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a")
		} else {
			row = append(row, sig4(quantile(v, 0.5)), sig4(meanOf(v)), sig4(quantile(v, 0.1)), sig4(quantile(v, 0.9)), sig4(v[0]), sig4(v[len(v)-1]))
		}
		t.Rows = append(t.Rows, row)
	}
	b.addTable(t)
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "(not given)"
	}
	return s
}
