package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// meanStd returns the mean and sample standard deviation (n − 1) of the
// finite values (NaN when there are none; std NaN for one value).
func meanStd(v []float64) (float64, float64) {
	s, _ := finiteSorted(v)
	if len(s) == 0 {
		return math.NaN(), math.NaN()
	}
	m := meanOf(s)
	if len(s) == 1 {
		return m, math.NaN()
	}
	ss := 0.0
	for _, x := range s {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(s)-1))
}

func (b *builder) tagger(tg *Tagger) error {
	s := b.open([]string{"tagger", tg.Step}, "Tagger: "+tg.Step)
	s.Intro = append(s.Intro, fmt.Sprintf("Tagger %s, %d input %s.", orUnknown(tg.Plugin), len(tg.Variants), plural(len(tg.Variants), "variant", "variants")))
	s.Notes = append(s.Notes, tg.Notes...)

	t := &tableView{Title: "AUC of the variants", Columns: []string{"variant", "seeds", "mean AUC ± spread", "min", "max", "AUC per seed"},
		Caption: "Test-set AUC (quark = signal) of each input variant: mean over the training seeds ± the sample standard deviation (the training-to-training spread), and the extremes."}
	for _, v := range tg.Variants {
		m, sd := meanStd(v.AUC)
		fs, _ := finiteSorted(v.AUC)
		lo, hi := math.NaN(), math.NaN()
		if len(fs) > 0 {
			lo, hi = fs[0], fs[len(fs)-1]
		}
		per := make([]string, len(v.AUC))
		for i, a := range v.AUC {
			per[i] = auc4(a)
			if i < len(v.Seeds) {
				per[i] = "seed " + strconv.FormatInt(v.Seeds[i], 10) + ": " + per[i]
			}
		}
		ms := auc4(m)
		if !math.IsNaN(sd) {
			ms += " ± " + fixed(sd, 4)
		}
		t.Rows = append(t.Rows, []string{v.Name, strconv.Itoa(len(v.AUC)), ms, auc4(lo), auc4(hi), strings.Join(per, "; ")})
	}
	b.addTable(t)

	var rocs []ROC
	for _, v := range tg.Variants {
		if v.ROC != nil {
			r := *v.ROC
			if r.Label == "" {
				r.Label = v.Name
			} else if !strings.Contains(r.Label, v.Name) {
				r.Label = v.Name + ", " + r.Label
			}
			rocs = append(rocs, r)
		}
	}
	if len(rocs) > 0 {
		f, err := rocFigure(slug("tagger", tg.Step, "roc"), "ROC curves of the variants", rocs, "ROC curves of the tagger variants on the test set (one training each, named in the legend). ")
		if err != nil {
			return fmt.Errorf("tagger %q: %w", tg.Step, err)
		}
		b.addFigure(f)
	}

	// Training curves: one panel per variant.
	var vs []int
	for i, v := range tg.Variants {
		if len(v.Training) > 0 {
			vs = append(vs, i)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	cols := min(len(vs), 3)
	rows := (len(vs) + cols - 1) / cols
	f := newFigure(slug("tagger", tg.Step, "training"), "training curves", rows, cols)
	dropped := 0
	for k, vi := range vs {
		v := tg.Variants[vi]
		pn := newPanel(v.Name, "epoch", "loss (binary cross-entropy)", false, false)
		for si, tc := range v.Training {
			if len(tc.Epoch) != len(tc.TrainLoss) || (len(tc.ValLoss) > 0 && len(tc.ValLoss) != len(tc.Epoch)) {
				return fmt.Errorf("tagger %q: variant %s, seed %d: %d epochs, %d train losses, %d validation losses", tg.Step, v.Name, tc.Seed, len(tc.Epoch), len(tc.TrainLoss), len(tc.ValLoss))
			}
			c := Color(si)
			label := ""
			if k == 0 {
				label = "seed " + strconv.FormatInt(tc.Seed, 10)
			}
			ex, ey := thin(tc.Epoch, tc.TrainLoss, maxCurvePoints)
			if err := pn.line(ex, ey, lineOpt{label: label, color: c}); err != nil {
				return err
			}
			if len(tc.ValLoss) > 0 {
				ex, ey = thin(tc.Epoch, tc.ValLoss, maxCurvePoints)
				if err := pn.line(ex, ey, lineOpt{color: c, dashes: dashes}); err != nil {
					return err
				}
			}
		}
		if k == 0 {
			solid, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}})
			solid.Color, solid.Width = color.Gray{Y: 90}, vg.Points(1.5)
			dash, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}})
			dash.Color, dash.Width, dash.Dashes = color.Gray{Y: 90}, vg.Points(1.5), dashes
			pn.p.Legend.Add("train", solid)
			pn.p.Legend.Add("validation", dash)
		}
		dropped += pn.dropped
		pn.finish()
		if pn.ok() {
			f.panels[k] = pn.p
		}
	}
	f.notes = appendNote(f.notes, droppedNote(dropped, ""))
	f.caption = "Loss per epoch for each variant (one panel each): training loss solid, validation loss dashed, one colour per seed. Validation loss that turns up while the training loss keeps falling signals over-training; a spread between seeds shows the training-to-training variation."
	b.addFigure(f)
	return nil
}

// rankFeatures sorts features by mean |relevance|, descending (NaN last,
// stable).
func rankFeatures(fs []FeatureRelevance) []FeatureRelevance {
	out := append([]FeatureRelevance(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, c := out[i].MeanAbs, out[j].MeanAbs
		if math.IsNaN(c) {
			return !math.IsNaN(a)
		}
		return a > c
	})
	return out
}

func (b *builder) relevance(r *Relevance) error {
	s := b.open([]string{"relevance", r.Step}, "Relevance: "+r.Step)
	intro := "Layerwise relevance propagation"
	if r.Rule != "" {
		intro += ", rule " + r.Rule
	}
	if r.Jets > 0 {
		intro += fmt.Sprintf(", over %d jets", r.Jets)
	}
	s.Intro = append(s.Intro, intro+".")
	s.Notes = append(s.Notes, r.Notes...)
	if r.TopN < 0 {
		return fmt.Errorf("relevance %q: top_n = %d, want >= 0", r.Step, r.TopN)
	}
	ranked := rankFeatures(r.Features)
	top := r.TopN
	if top == 0 {
		top = 20
	}
	top = min(top, len(ranked))
	total := 0.0
	for _, f := range ranked {
		if !math.IsNaN(f.MeanAbs) && !math.IsInf(f.MeanAbs, 0) {
			total += f.MeanAbs
		}
	}

	if top > 0 {
		f := newFigure(slug("relevance", r.Step, "features"), fmt.Sprintf("top %d features by mean |relevance|", top), 1, 1)
		f.h = vg.Length(math.Max(3, 0.24*float64(top)+1.2)) * vg.Inch
		pn := newPanel("feature ranking: "+r.Step, "mean |relevance|", "", false, false)
		names := make([]string, top)
		var legendExpert, legendLow bool
		for rank := 0; rank < top; rank++ {
			fr := ranked[rank]
			pos := top - 1 - rank // best at the top
			names[pos] = fr.Name
			v := fr.MeanAbs
			if math.IsNaN(v) || math.IsInf(v, 0) {
				pn.dropped++
				continue
			}
			bc, err := plotter.NewBarChart(plotter.Values{v}, vg.Points(math.Min(12, 300/float64(top))))
			if err != nil {
				return fmt.Errorf("relevance %q: feature %s: %w", r.Step, fr.Name, err)
			}
			bc.Horizontal = true
			bc.XMin = float64(pos)
			bc.LineStyle.Width = 0
			bc.Color = Color(0)
			if fr.Expert {
				bc.Color = Color(1)
			}
			pn.p.Add(bc)
			pn.n++
			if fr.Expert && !legendExpert {
				pn.p.Legend.Add("expert variable", bc)
				legendExpert = true
			}
			if !fr.Expert && !legendLow {
				pn.p.Legend.Add("low-level input", bc)
				legendLow = true
			}
		}
		pn.p.NominalY(names...)
		pn.p.Legend.Top = false
		pn.p.X.Min = 0
		if pn.ok() {
			pn.p.X.Max *= 1.06
		}
		f.attach(0, pn)
		f.caption = "Input features ranked by their mean absolute relevance over the explained jets (largest at the top); expert (XAUG) variables in vermillion, low-level constituent inputs in blue. A feature near the top carries much of the network's decision; expert variables high in the list show which physics the network relies on."
		b.addFigure(f)

		t := &tableView{Title: "feature ranking", Columns: []string{"rank", "feature", "type", "mean |relevance|", "share of total"},
			Caption: fmt.Sprintf("The top %d of %d features; share = mean |relevance| / sum over all features.", top, len(ranked))}
		for i := 0; i < top; i++ {
			fr := ranked[i]
			typ := "low-level"
			if fr.Expert {
				typ = "expert"
			}
			share := math.NaN()
			if total > 0 {
				share = fr.MeanAbs / total
			}
			t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), fr.Name, typ, sig4(fr.MeanAbs), fixed(share, 4)})
		}
		b.addTable(t)
	} else {
		s.Notes = append(s.Notes, "no features given: ranking skipped.")
	}

	cons := &tableView{Title: "relevance conservation", Columns: []string{"quantity", "value"},
		Caption: "Relevance is conserved when the input relevances of a jet sum to the explained output. The residual mean |sum − output| and the lost relevance (absorbed by biases and stabilisers, or dropped by rules such as z+ where a neuron has no positive contribution) measure how far this explanation is from conservation.",
		Rows: [][]string{
			{"mean |output|", sig4(r.MeanAbsOutput)},
			{"mean |sum of input relevances − output|", sig4(r.MeanAbsResidual)},
			{"relative residual (mean |sum − output| / mean |output|)", sig4(r.MeanAbsResidual / r.MeanAbsOutput)},
			{"mean lost relevance", sig4(r.MeanLost)},
		}}
	b.addTable(cons)

	if len(r.Reduced) > 0 {
		pts := append([]ReducedPoint(nil), r.Reduced...)
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].Kept < pts[j].Kept })
		var x, a, lo, hi []float64
		for _, p := range pts {
			x, a, lo, hi = append(x, float64(p.Kept)), append(a, p.AUC), append(lo, p.AUCLo), append(hi, p.AUCHi)
		}
		logX := autoLog(x, 20) && allPositive(x)
		f := newFigure(slug("relevance", r.Step, "reduced"), "AUC versus number of kept features", 1, 1)
		pn := newPanel("reduced feature sets: "+r.Step, "number of kept top features", "AUC (retrained)", logX, false)
		if err := pn.band(x, lo, hi, Color(0)); err != nil {
			return err
		}
		if err := pn.line(x, a, lineOpt{label: "retrained on the top features", color: Color(0), markers: true}); err != nil {
			return err
		}
		if !math.IsNaN(r.FullAUC) && !math.IsInf(r.FullAUC, 0) {
			h := hline{y: r.FullAUC, style: refStyle}
			pn.p.Add(h)
			pn.p.Legend.Add("full model, AUC "+auc4(r.FullAUC), h)
			if pn.ok() {
				pn.p.Y.Min, pn.p.Y.Max = math.Min(pn.p.Y.Min, r.FullAUC), math.Max(pn.p.Y.Max, r.FullAUC)
			}
		}
		pn.p.Legend.Top = false
		pn.p.Legend.Left = false
		pn.finish()
		f.attach(0, pn)
		f.caption = "AUC of the tagger retrained on only the top-ranked features, versus how many are kept, with the full model's AUC as the dashed reference. Where the curve reaches the reference, the ranking has found a small set of inputs that carries the full discrimination."
		b.addFigure(f)
		t := &tableView{Title: "reduced feature sets", Columns: []string{"kept features", "AUC", "AUC band", "AUC − full"},
			Caption: "AUC after retraining on the top features; the difference to the full model (" + auc4(r.FullAUC) + ")."}
		for _, p := range pts {
			t.Rows = append(t.Rows, []string{strconv.Itoa(p.Kept), auc4(p.AUC), interval(p.AUCLo, p.AUCHi, auc4), fixed(p.AUC-r.FullAUC, 4)})
		}
		b.addTable(t)
	}
	return nil
}
