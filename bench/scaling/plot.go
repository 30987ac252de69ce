package scaling

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Row is one line of the benchmark's CSV (SMEARFLOW_SCALING_CSV).
type Row struct {
	N       int
	Mode    string // "on" (pruned) or "off" (brute force)
	Wall    float64
	PeakMiB float64
	// Exact and Candidates: pairs of the smearing pass computed exactly,
	// of all pairs.
	Exact, Candidates float64
}

// ReadCSV reads the rows written by BenchmarkStudy.
func ReadCSV(r io.Reader) ([]Row, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("scaling: no rows")
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"n", "mode", "wall_s", "peak_rss_mib", "exact_smear", "candidates_smear"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("scaling: CSV has no column %q", h)
		}
	}
	var out []Row
	for line, rec := range recs[1:] {
		num := func(h string) (float64, error) {
			v, err := strconv.ParseFloat(rec[col[h]], 64)
			if err != nil {
				return 0, fmt.Errorf("scaling: line %d, %s: %w", line+2, h, err)
			}
			return v, nil
		}
		var r Row
		var n float64
		var err error
		if n, err = num("n"); err != nil {
			return nil, err
		}
		r.N, r.Mode = int(n), rec[col["mode"]]
		if r.Wall, err = num("wall_s"); err != nil {
			return nil, err
		}
		if r.PeakMiB, err = num("peak_rss_mib"); err != nil {
			return nil, err
		}
		if r.Exact, err = num("exact_smear"); err != nil {
			return nil, err
		}
		if r.Candidates, err = num("candidates_smear"); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// PlotPNG draws the scaling figure: wall time (left) and peak memory
// (right) against N on log–log axes, pruned and brute force, with the
// targets (10 minutes, 4 GiB at N = 100 000) and the N² reference slope.
func PlotPNG(rows []Row) ([]byte, error) {
	line := func(mode string, y func(Row) float64) plotter.XYs {
		var xy plotter.XYs
		for _, r := range rows {
			if r.Mode == mode {
				xy = append(xy, plotter.XY{X: float64(r.N), Y: y(r)})
			}
		}
		return xy
	}
	panel := func(title, ylabel string, y func(Row) float64, target float64, legendTop bool) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "N (jets)"
		p.Y.Label.Text = ylabel
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
		p.Add(plotter.NewGrid())
		styles := []struct {
			mode, name string
			c          color.Color
		}{{"on", "pruned", color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 255}}, {"off", "brute force", color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255}}}
		for _, s := range styles {
			xy := line(s.mode, y)
			if len(xy) == 0 {
				continue
			}
			l, pts, err := plotter.NewLinePoints(xy)
			if err != nil {
				return nil, err
			}
			l.Color, pts.Color = s.c, s.c
			l.Width = vg.Points(1.5)
			pts.Shape = draw.CircleGlyph{}
			p.Add(l, pts)
			p.Legend.Add(s.name, l, pts)
		}
		if target > 0 {
			t, err := plotter.NewLine(plotter.XYs{{X: 1e3, Y: target}, {X: 1e5, Y: target}})
			if err != nil {
				return nil, err
			}
			t.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			t.Color = color.Gray{Y: 90}
			p.Add(t)
			p.Legend.Add("target (at N = 100 000)", t)
		}
		p.Legend.Top, p.Legend.Left = legendTop, legendTop
		return p, nil
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("scaling: nothing to plot")
	}
	left, err := panel("Whole study: wall time", "wall time [s]", func(r Row) float64 { return r.Wall }, 600, true)
	if err != nil {
		return nil, err
	}
	// The brute-force N² slope through the largest brute-force point.
	for i := len(rows) - 1; i >= 0; i-- {
		if r := rows[i]; r.Mode == "off" && r.Wall > 0 {
			ref := plotter.XYs{}
			for _, n := range []float64{float64(r.N), 1e5} {
				ref = append(ref, plotter.XY{X: n, Y: r.Wall * math.Pow(n/float64(r.N), 2)})
			}
			l, err := plotter.NewLine(ref)
			if err != nil {
				return nil, err
			}
			l.Dashes = []vg.Length{vg.Points(1), vg.Points(3)}
			l.Color = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255}
			left.Add(l)
			left.Legend.Add("brute force scaled as N² (extrapolated)", l)
			break
		}
	}
	right, err := panel("Whole study: peak memory (RSS)", "peak RSS [MiB]", func(r Row) float64 { return r.PeakMiB }, 4096, false)
	if err != nil {
		return nil, err
	}
	w, h := 10*vg.Inch, 4*vg.Inch
	c := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110))}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(20), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	cs := plot.Align([][]*plot.Plot{{left, right}}, tiles, dc)
	left.Draw(cs[0][0])
	right.Draw(cs[0][1])
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WritePlot reads the CSV at csvPath and writes the figure to pngPath.
func WritePlot(csvPath, pngPath string) error {
	f, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := ReadCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", csvPath, err)
	}
	png, err := PlotPNG(rows)
	if err != nil {
		return err
	}
	return os.WriteFile(pngPath, png, 0o644)
}
