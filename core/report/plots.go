package report

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/smearflow/smearflow/core/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure sizes and PNG resolution.
const (
	// PanelWidth and PanelHeight are the size of a one-panel figure.
	PanelWidth  = 6 * vg.Inch
	PanelHeight = 4 * vg.Inch
	// DPI is the resolution of the PNG files: a one-panel figure is
	// 900 × 600 pixels.
	DPI = 150
)

// palette is the Okabe-Ito colour-blind-safe palette (black last).
var palette = []color.RGBA{
	{0, 114, 178, 255},   // blue
	{213, 94, 0, 255},    // vermillion
	{0, 158, 115, 255},   // bluish green
	{204, 121, 167, 255}, // reddish purple
	{230, 159, 0, 255},   // orange
	{86, 180, 233, 255},  // sky blue
	{240, 228, 66, 255},  // yellow
	{0, 0, 0, 255},       // black
}

// Color returns the i-th colour of the report's colour-blind-safe palette
// (cycling).
func Color(i int) color.RGBA { return palette[((i%len(palette))+len(palette))%len(palette)] }

func withAlpha(c color.RGBA, a uint8) color.NRGBA {
	return color.NRGBA{R: c.R, G: c.G, B: c.B, A: a}
}

var (
	grey   = color.RGBA{110, 110, 110, 255}
	dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	dots   = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
)

// points returns the finite (x, y) pairs, dropping those that are NaN,
// ±Inf or (on a log axis) not positive, and the number dropped. x and y
// must have the same length.
func points(x, y []float64, logX, logY bool) (plotter.XYs, int) {
	xy := make(plotter.XYs, 0, len(x))
	for i := range x {
		if !drawable(x[i], logX) || !drawable(y[i], logY) {
			continue
		}
		xy = append(xy, plotter.XY{X: x[i], Y: y[i]})
	}
	return xy, len(x) - len(xy)
}

func drawable(v float64, log bool) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!log || v > 0)
}

// LinePlot returns a solid line through the drawable points of (x, y) and
// how many points were dropped (NaN, ±Inf, or not positive on a log
// axis). It returns nil when no point is drawable. x and y must have the
// same length.
func LinePlot(x, y []float64, logX, logY bool) (*plotter.Line, int, error) {
	if len(x) != len(y) {
		return nil, 0, fmt.Errorf("line: %d x values but %d y values", len(x), len(y))
	}
	xy, dropped := points(x, y, logX, logY)
	if len(xy) == 0 {
		return nil, dropped, nil
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, dropped, err
	}
	l.Width = vg.Points(1.5)
	return l, dropped, nil
}

// Band returns a shaded polygon between lo(x) and hi(x) (a bootstrap band)
// over the points where x, lo and hi are all drawable, and how many points
// were dropped. Runs of drawable points separated by dropped ones become
// separate outlines of one polygon. It returns nil when no two consecutive
// points are drawable.
func Band(x, lo, hi []float64, logX, logY bool, c color.Color) (*plotter.Polygon, int, error) {
	if len(x) != len(lo) || len(x) != len(hi) {
		return nil, 0, fmt.Errorf("band: lengths differ (x %d, lo %d, hi %d)", len(x), len(lo), len(hi))
	}
	var rings []plotter.XYer
	var run []int
	dropped := 0
	flush := func() {
		if len(run) >= 2 {
			ring := make(plotter.XYs, 0, 2*len(run))
			for _, i := range run {
				ring = append(ring, plotter.XY{X: x[i], Y: lo[i]})
			}
			for k := len(run) - 1; k >= 0; k-- {
				ring = append(ring, plotter.XY{X: x[run[k]], Y: hi[run[k]]})
			}
			rings = append(rings, ring)
		}
		run = run[:0]
	}
	for i := range x {
		if !drawable(x[i], logX) || !drawable(lo[i], logY) || !drawable(hi[i], logY) {
			dropped++
			flush()
			continue
		}
		run = append(run, i)
	}
	flush()
	if len(rings) == 0 {
		return nil, dropped, nil
	}
	p, err := plotter.NewPolygon(rings...)
	if err != nil {
		return nil, dropped, err
	}
	p.Color = c
	p.LineStyle.Width = 0
	return p, dropped, nil
}

// Edges returns bins+1 bin edges from lo to hi, equally spaced in x or (log)
// in ln x. lo < hi is required, and lo > 0 for log edges.
func Edges(lo, hi float64, bins int, log bool) ([]float64, error) {
	if bins < 1 || !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || (log && lo <= 0) {
		return nil, fmt.Errorf("histogram edges: need bins >= 1 and finite lo < hi (lo > 0 on a log axis), got bins %d, lo %g, hi %g", bins, lo, hi)
	}
	e := make([]float64, bins+1)
	for i := range e {
		t := float64(i) / float64(bins)
		if log {
			e[i] = math.Exp(math.Log(lo) + t*(math.Log(hi)-math.Log(lo)))
		} else {
			e[i] = lo + t*(hi-lo)
		}
	}
	e[0], e[bins] = lo, hi
	return e, nil
}

// density bins values into edges and returns the density per bin,
// normalised to unit area over the values inside [edges[0], edges[n]]: per
// unit x, or per unit log10 x when logX. It also returns the number of
// values inside the range and the number outside it (NaN counts as
// outside).
func density(values, edges []float64, logX bool) (d []float64, inside, outside int) {
	n := len(edges) - 1
	d = make([]float64, n)
	for _, v := range values {
		if !(v >= edges[0] && v <= edges[n]) {
			outside++
			continue
		}
		k := sort.SearchFloat64s(edges, v) // first edge >= v
		if k > 0 && (k == len(edges) || edges[k] != v) {
			k--
		}
		if k >= n { // v == upper edge: last bin is closed
			k = n - 1
		}
		d[k]++
		inside++
	}
	if inside == 0 {
		return d, 0, outside
	}
	for i := range d {
		w := edges[i+1] - edges[i]
		if logX {
			w = math.Log10(edges[i+1] / edges[i])
		}
		d[i] /= float64(inside) * w
	}
	return d, inside, outside
}

// Histogram returns the outline (a step line dropping to zero at both ends)
// of the histogram of values in the given edges, normalised to unit area
// over the values inside the range: the density per unit x, or per unit
// log10 x when logX (so that shapes read correctly on a log axis). It also
// returns how many values fell outside the range or were NaN.
func Histogram(values, edges []float64, logX bool) (*plotter.Line, int, error) {
	if len(edges) < 2 {
		return nil, 0, fmt.Errorf("histogram: need at least 2 edges, got %d", len(edges))
	}
	d, _, outside := density(values, edges, logX)
	n := len(d)
	xy := make(plotter.XYs, 0, n+3)
	xy = append(xy, plotter.XY{X: edges[0], Y: 0})
	for i := range d {
		xy = append(xy, plotter.XY{X: edges[i], Y: d[i]})
	}
	xy = append(xy, plotter.XY{X: edges[n], Y: d[n-1]}, plotter.XY{X: edges[n], Y: 0})
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, outside, err
	}
	l.StepStyle = plotter.PostStep
	l.Width = vg.Points(1.5)
	return l, outside, nil
}

// logTicks labels every decade, and also 2 and 5 times a decade when the
// range spans less than 2.5 decades; minor ticks sit at the other integer
// multiples. When that labels fewer than two ticks it labels every
// integer multiple, and when even that is too few (a range inside one
// step) it falls back to gonum/plot's linear ticks.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) || math.IsInf(max, 0) {
		return nil
	}
	lo := int(math.Floor(math.Log10(min)))
	hi := int(math.Ceil(math.Log10(max)))
	span := math.Log10(max / min)
	for _, all := range []bool{false, true} {
		var ticks []plot.Tick
		labels := 0
		for e := lo; e <= hi; e++ {
			base := math.Pow(10, float64(e))
			for m := 1; m <= 9; m++ {
				v := float64(m) * base
				if v < min*(1-1e-9) || v > max*(1+1e-9) {
					continue
				}
				t := plot.Tick{Value: v}
				if all || m == 1 || span < 1 || (span < 2.5 && (m == 2 || m == 5)) {
					t.Label = tickLabel(v)
					labels++
				}
				ticks = append(ticks, t)
			}
		}
		if labels >= 2 {
			return ticks
		}
	}
	return plot.DefaultTicks{}.Ticks(min, max)
}

// tickLabel formats a tick value compactly: 0.002, 30, 1e-05 -> 1e-5.
func tickLabel(v float64) string {
	s := strconv.FormatFloat(v, 'g', 4, 64)
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp := s[:i], s[i+1:]
		sign := ""
		if exp[0] == '-' || exp[0] == '+' {
			if exp[0] == '-' {
				sign = "-"
			}
			exp = exp[1:]
		}
		exp = strings.TrimLeft(exp, "0")
		return mant + "e" + sign + exp
	}
	return s
}

// setLog makes an axis logarithmic with the report's ticks.
func setLog(a *plot.Axis) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = logTicks{}
}

// hline is a horizontal reference line across the data area; it does not
// change the axis range.
type hline struct {
	y     float64
	style draw.LineStyle
}

func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	if h.y < p.Y.Min || h.y > p.Y.Max || (isLog(&p.Y) && h.y <= 0) {
		return
	}
	_, ty := p.Transforms(&c)
	y := ty(h.y)
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

func (h hline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// vline is a vertical reference line across the data area.
type vline struct {
	x     float64
	style draw.LineStyle
}

func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	if v.x < p.X.Min || v.x > p.X.Max || (isLog(&p.X) && v.x <= 0) {
		return
	}
	tx, _ := p.Transforms(&c)
	x := tx(v.x)
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

func (v vline) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

func isLog(a *plot.Axis) bool {
	_, ok := a.Scale.(plot.LogScale)
	return ok
}

// upArrows marks x positions whose y value is +Inf with an arrow pointing
// up at the top edge of the data area.
type upArrows struct {
	xs    []float64
	color color.Color
}

func (u upArrows) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	for _, x := range u.xs {
		if x < p.X.Min || x > p.X.Max || (isLog(&p.X) && x <= 0) {
			continue
		}
		u.draw(&c, tx(x), c.Max.Y)
	}
}

func (u upArrows) draw(c *draw.Canvas, x, top vg.Length) {
	sty := draw.LineStyle{Color: u.color, Width: vg.Points(1.2)}
	c.StrokeLine2(sty, x, top-vg.Points(16), x, top-vg.Points(4))
	c.SetColor(u.color)
	var path vg.Path
	path.Move(vg.Point{X: x - vg.Points(3.5), Y: top - vg.Points(6)})
	path.Line(vg.Point{X: x + vg.Points(3.5), Y: top - vg.Points(6)})
	path.Line(vg.Point{X: x, Y: top})
	path.Close()
	c.Fill(path)
}

func (u upArrows) Thumbnail(c *draw.Canvas) {
	u.draw(c, c.Center().X, c.Max.Y+vg.Points(2))
}

// topAxis draws a secondary logarithmic x axis above the data area showing
// x × factor. The plot must have a title, whose padding is enlarged to
// make room (see addTopAxis).
type topAxis struct {
	factor float64
	label  string
}

const topAxisRoom = 34 // points reserved above the data area

// addTopAxis adds a top axis showing x × factor to a log-x plot.
func addTopAxis(p *plot.Plot, factor float64, label string) {
	if p.Title.Text == "" {
		p.Title.Text = " "
	}
	p.Title.Padding = vg.Points(topAxisRoom)
	p.Add(topAxis{factor: factor, label: label})
}

func (t topAxis) Plot(c draw.Canvas, p *plot.Plot) {
	lo, hi := p.X.Min*t.factor, p.X.Max*t.factor
	if !(lo > 0) || !(hi > lo) {
		return
	}
	tx, _ := p.Transforms(&c)
	top := c.Max.Y
	axisStyle := p.X.LineStyle
	c.StrokeLine2(axisStyle, c.Min.X, top, c.Max.X, top)
	lab := p.X.Tick.Label
	lab.XAlign = draw.XCenter
	lab.YAlign = draw.YBottom
	var labelTop vg.Length
	for _, tk := range (logTicks{}).Ticks(lo, hi) {
		x := tx(tk.Value / t.factor)
		l := p.X.Tick.Length / 2
		if tk.Label != "" {
			l = p.X.Tick.Length
		}
		c.StrokeLine2(p.X.Tick.LineStyle, x, top, x, top+l)
		if tk.Label != "" {
			c.FillText(lab, vg.Point{X: x, Y: top + l + vg.Points(1)}, tk.Label)
			labelTop = l + vg.Points(1) + lab.Height(tk.Label)
		}
	}
	ls := p.X.Label.TextStyle
	ls.XAlign = draw.XCenter
	ls.YAlign = draw.YBottom
	if labelTop == 0 {
		labelTop = p.X.Tick.Length
	}
	c.FillText(ls, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: top + labelTop + vg.Points(2)}, t.label)
}

// figure is one image of the report: a grid of panels.
type figure struct {
	name    string // file base name, unique in the report
	title   string // heading above the image in the HTML page
	caption string
	notes   []string
	rows    int
	cols    int
	panels  []*plot.Plot // row-major; nil leaves a tile empty
	w, h    vg.Length
	labels  []axisLabels // set by prepare
}

// axisLabels are the axis titles of a panel, drawn by the figure rather
// than by gonum/plot: gonum/plot places the glyph box of a centred axis
// label at the arithmetic middle of the data range, which on a log axis
// lies near one end and makes it shrink the data area needlessly. The
// panel keeps a one-space label so that the same room is reserved.
type axisLabels struct{ x, y string }

// prepare detaches the axis labels (once; a figure is rendered by one
// goroutine at a time) and makes room for the legends.
func (f *figure) prepare() {
	if f.labels != nil {
		return
	}
	f.labels = make([]axisLabels, len(f.panels))
	for i, p := range f.panels {
		if p == nil {
			continue
		}
		f.labels[i] = axisLabels{x: p.X.Label.Text, y: p.Y.Label.Text}
		if p.X.Label.Text != "" {
			p.X.Label.Text = " "
		}
		if p.Y.Label.Text != "" {
			p.Y.Label.Text = " "
		}
	}
	f.fitLegends()
}

// fitLegends raises the top of the y range of every panel whose legend
// sits at the top, so that the data stay below the legend. It lays the
// figure out on a scratch canvas of the same size to measure the legend
// and the data area.
func (f *figure) fitLegends() {
	c := draw.New(vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(12)))
	tiles := f.tiles(c)
	for i, p := range f.panels {
		if p == nil || !p.Legend.Top {
			continue
		}
		fitLegend(p, tiles[i])
	}
}

// fitLegend raises the top of p's y range so that the data occupy only the
// part of the data area below the legend (at most 70% of it is given to
// the legend).
func fitLegend(p *plot.Plot, tile draw.Canvas) {
	h := p.Legend.Rectangle(tile).Size().Y
	if h <= 0 {
		return
	}
	d := p.DataCanvas(tile).Size().Y
	if d <= 0 {
		return
	}
	frac := math.Min(float64(h+vg.Points(6))/float64(d), 0.7)
	y := &p.Y
	if math.IsInf(y.Min, 0) || math.IsInf(y.Max, 0) || !(y.Max > y.Min) {
		return
	}
	if isLog(y) {
		if y.Min > 0 {
			y.Max = y.Min * math.Pow(y.Max/y.Min, 1/(1-frac))
		}
		return
	}
	y.Max = y.Min + (y.Max-y.Min)/(1-frac)
}

// tiles returns the canvas of every panel (row-major) on c.
func (f *figure) tiles(c draw.Canvas) []draw.Canvas {
	out := make([]draw.Canvas, len(f.panels))
	if f.rows*f.cols == 1 {
		out[0] = draw.Crop(c, vg.Points(4), -vg.Points(8), vg.Points(4), -vg.Points(4))
		return out
	}
	grid := make([][]*plot.Plot, f.rows)
	for r := range grid {
		grid[r] = f.panels[r*f.cols : (r+1)*f.cols]
	}
	tiles := draw.Tiles{Rows: f.rows, Cols: f.cols, PadX: vg.Points(18), PadY: vg.Points(14),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	cs := plot.Align(grid, tiles, c)
	for r := range cs {
		copy(out[r*f.cols:], cs[r])
	}
	return out
}

// drawPanel draws p into its tile with its axis labels, where gonum/plot
// would put them.
func drawPanel(p *plot.Plot, tile draw.Canvas, l axisLabels) {
	p.Draw(tile)
	dc := p.DataCanvas(tile)
	if l.x != "" {
		sty := p.X.Label.TextStyle
		tile.FillText(sty, vg.Point{X: dc.Center().X, Y: tile.Min.Y + sty.FontExtents().Descent}, l.x)
	}
	if l.y != "" {
		sty := p.Y.Label.TextStyle
		x := tile.Min.X + sty.Height(l.y) - sty.FontExtents().Descent
		sty.Rotation += math.Pi / 2
		tile.FillText(sty, vg.Point{X: x, Y: dc.Center().Y}, l.y)
	}
}

// newFigure returns a figure of rows × cols panels sized for the grid.
func newFigure(name, title string, rows, cols int) *figure {
	w := PanelWidth
	if cols > 1 {
		w = vg.Length(cols) * 4.5 * vg.Inch
	}
	h := PanelHeight
	if rows > 1 {
		h = vg.Length(rows) * 3.4 * vg.Inch
	}
	return &figure{name: name, title: title, rows: rows, cols: cols, panels: make([]*plot.Plot, rows*cols), w: w, h: h}
}

func (f *figure) empty() bool {
	for _, p := range f.panels {
		if p != nil {
			return false
		}
	}
	return true
}

// render draws the figure as "png" or "svg". A figure must not be
// rendered by two goroutines at once (gonum/plot adjusts axis ranges while
// drawing).
func (f *figure) render(format string) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plot %s.%s: plotting failed: %v", f.name, format, r)
		}
	}()
	f.prepare()
	var cw vg.CanvasWriterTo
	switch format {
	case "png":
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(DPI))}
	case "svg":
		cw = vgsvg.New(f.w, f.h)
	default:
		return nil, fmt.Errorf("plot %s: unknown format %q", f.name, format)
	}
	dc := draw.New(cw)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	for i, tile := range f.tiles(dc) {
		if p := f.panels[i]; p != nil {
			drawPanel(p, tile, f.labels[i])
		}
	}
	var buf bytes.Buffer
	if _, err := cw.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot %s.%s: %w", f.name, format, err)
	}
	if format == "svg" {
		// Fonts are not embedded (they would add ~400 kB per file): name
		// metric-compatible fallbacks for browsers without Liberation.
		return bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Serif;"), svgFonts), nil
	}
	return buf.Bytes(), nil
}

var svgFonts = []byte("font-family:'Liberation Serif','Times New Roman',Times,serif;")

// SavePlot writes one plot atomically to path as PNG (at DPI) or SVG,
// chosen by the extension.
func SavePlot(p *plot.Plot, w, h vg.Length, path string) error {
	f := &figure{name: filepath.Base(path), rows: 1, cols: 1, panels: []*plot.Plot{p}, w: w, h: h}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	b, err := f.render(ext)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// diagonal draws y = x across the data area, within both axis ranges.
type diagonal struct{ style draw.LineStyle }

func (d diagonal) Plot(c draw.Canvas, p *plot.Plot) {
	lo, hi := math.Max(p.X.Min, p.Y.Min), math.Min(p.X.Max, p.Y.Max)
	if !(hi > lo) || ((isLog(&p.X) || isLog(&p.Y)) && lo <= 0) {
		return
	}
	tx, ty := p.Transforms(&c)
	c.StrokeLine2(d.style, tx(lo), ty(lo), tx(hi), ty(hi))
}

func (d diagonal) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(d.style, c.Min.X, y, c.Max.X, y)
}
