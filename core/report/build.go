package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ------------------------------------------------------------ view model

// page is what the HTML template renders.
type page struct {
	Title    string
	Subtitle string
	Notes    []string
	TOC      []tocEntry
	Sections []*section
}

type tocEntry struct {
	ID, Title string
	Sub       []tocEntry
}

// section is one part of the page (one workflow step, a comparison, or
// the provenance); blocks are figures and tables in order.
type section struct {
	ID       string
	Title    string
	Intro    []string
	Warnings []string
	Notes    []string
	Blocks   []block
}

type block struct {
	Figure *figView
	Table  *tableView
}

type figView struct {
	ID, Title, SVG, PNG, Alt, Caption string
	Number                            int
	Notes                             []string
}

type tableView struct {
	ID, Title, Caption string
	Number             int
	Columns            []string
	Rows               [][]string
	Mono               bool // monospace cells (provenance)
}

// builder turns a Run into the page and the figures to render.
type builder struct {
	figs    []*figure
	used    map[string]bool // HTML ids
	usedFig map[string]bool // figure file names
	page    page
	nFig    int
	nTable  int
	current *section
}

func newBuilder() *builder { return &builder{used: map[string]bool{}, usedFig: map[string]bool{}} }

// slug makes a file- and id-safe name from parts.
func slug(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('-')
		}
		for _, r := range strings.ToLower(p) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.':
				b.WriteRune(r)
			case r == '@':
				b.WriteString("_at_")
			case r == '=':
				b.WriteByte('_')
			default:
				b.WriteByte('-')
			}
		}
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		s = "x"
	}
	return s
}

// unique returns name, or name-2, name-3, ... if taken in used (and
// marks it taken).
func unique(used map[string]bool, name string) string {
	n := name
	for k := 2; used[n]; k++ {
		n = fmt.Sprintf("%s-%d", name, k)
	}
	used[n] = true
	return n
}

func (b *builder) unique(name string) string { return unique(b.used, name) }

func (b *builder) open(idParts []string, title string) *section {
	s := &section{ID: b.unique(slug(idParts...)), Title: title}
	b.page.Sections = append(b.page.Sections, s)
	b.current = s
	return s
}

// addFigure registers a figure in the current section (unless it has no
// panel, in which case its notes become section notes).
func (b *builder) addFigure(f *figure) {
	s := b.current
	if f.empty() {
		for _, n := range f.notes {
			s.Notes = append(s.Notes, f.title+": "+n)
		}
		return
	}
	f.name = unique(b.usedFig, f.name)
	b.figs = append(b.figs, f)
	b.nFig++
	s.Blocks = append(s.Blocks, block{Figure: &figView{
		ID: "fig-" + f.name, Title: f.title, SVG: "plots/" + f.name + ".svg", PNG: "plots/" + f.name + ".png",
		Alt: f.title, Caption: f.caption, Number: b.nFig, Notes: f.notes,
	}})
}

func (b *builder) addTable(t *tableView) {
	b.nTable++
	t.Number = b.nTable
	t.ID = b.unique("tab-" + slug(b.current.ID, t.Title))
	b.current.Blocks = append(b.current.Blocks, block{Table: t})
}

func (b *builder) toc() {
	for _, s := range b.page.Sections {
		e := tocEntry{ID: s.ID, Title: s.Title}
		for _, bl := range s.Blocks {
			switch {
			case bl.Figure != nil:
				e.Sub = append(e.Sub, tocEntry{ID: bl.Figure.ID, Title: fmt.Sprintf("Figure %d: %s", bl.Figure.Number, bl.Figure.Title)})
			case bl.Table != nil:
				e.Sub = append(e.Sub, tocEntry{ID: bl.Table.ID, Title: fmt.Sprintf("Table %d: %s", bl.Table.Number, bl.Table.Title)})
			}
		}
		b.page.TOC = append(b.page.TOC, e)
	}
}

// ------------------------------------------------------------ formatting

// num formats x with sig significant digits; NaN is "n/a", ±Inf "∞".
func num(x float64, sig int) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	}
	s := strconv.FormatFloat(x, 'g', sig, 64)
	if strings.ContainsRune(s, 'e') {
		return tickLabel(x) // compact exponent
	}
	return s
}

// fixed formats x with d decimals (AUCs, fractions).
func fixed(x float64, d int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return num(x, 4)
	}
	return strconv.FormatFloat(x, 'f', d, 64)
}

// interval formats a band [lo, hi]; empty when both bounds are NaN.
func interval(lo, hi float64, f func(float64) string) string {
	if math.IsNaN(lo) && math.IsNaN(hi) {
		return ""
	}
	return "[" + f(lo) + ", " + f(hi) + "]"
}

func pm(v, e float64, sig int) string {
	if math.IsNaN(e) || e == 0 {
		return num(v, sig)
	}
	return num(v, sig) + " ± " + num(e, 2)
}

func auc4(x float64) string { return fixed(x, 4) }
func sig4(x float64) string { return num(x, 4) }

// ------------------------------------------------------------ statistics

// finite returns the finite values (sorted) and the number dropped.
func finiteSorted(v []float64) ([]float64, int) {
	out := make([]float64, 0, len(v))
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out = append(out, x)
		}
	}
	sort.Float64s(out)
	return out, len(v) - len(out)
}

// quantile of sorted data with linear interpolation (numpy's default).
func quantile(s []float64, p float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	h := float64(len(s)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

func meanOf(s []float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	t := 0.0
	for _, x := range s {
		t += x
	}
	return t / float64(len(s))
}

// autoLog reports whether the positive finite values span at least a
// factor minRatio (max / min).
func autoLog(values []float64, minRatio float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, x := range values {
		if x > 0 && !math.IsInf(x, 0) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	return hi > 0 && hi/lo >= minRatio
}

// ------------------------------------------------------------ panels

// panel wraps a plot with its axis scales and counts what it drew and
// dropped.
type panel struct {
	p          *plot.Plot
	logX, logY bool
	n          int // data plotters added
	dropped    int // points dropped (NaN, Inf, non-positive on log axes)
}

func newPanel(title, xlabel, ylabel string, logX, logY bool) *panel {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	p.X.Tick.Label.Font.Size = vg.Points(9.5)
	p.Y.Tick.Label.Font.Size = vg.Points(9.5)
	p.Legend.TextStyle.Font.Size = vg.Points(9.5)
	p.Legend.Top = true
	p.Legend.Padding = vg.Points(1)
	p.Legend.ThumbnailWidth = vg.Points(22)
	if logX {
		setLog(&p.X)
	}
	if logY {
		setLog(&p.Y)
	}
	g := plotter.NewGrid()
	g.Vertical = draw.LineStyle{Color: color.Gray{Y: 225}, Width: vg.Points(0.5)}
	g.Horizontal = g.Vertical
	p.Add(g)
	return &panel{p: p, logX: logX, logY: logY}
}

type lineOpt struct {
	label   string
	color   color.Color
	dashes  []vg.Length
	width   vg.Length
	markers bool
	step    plotter.StepKind
}

// line adds a line (and optional markers) through the drawable points.
func (pn *panel) line(x, y []float64, o lineOpt) error {
	l, dropped, err := LinePlot(x, y, pn.logX, pn.logY)
	pn.dropped += dropped
	if err != nil || l == nil {
		return err
	}
	l.Color = o.color
	l.Dashes = o.dashes
	l.StepStyle = o.step
	if o.width > 0 {
		l.Width = o.width
	}
	pn.p.Add(l)
	var thumb []plot.Thumbnailer
	thumb = append(thumb, l)
	if o.markers {
		s, err := plotter.NewScatter(l.XYs)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: o.color, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		pn.p.Add(s)
		thumb = append(thumb, s)
	}
	if o.label != "" {
		pn.p.Legend.Add(o.label, thumb...)
	}
	pn.n++
	return nil
}

// scatter adds markers only.
func (pn *panel) scatter(x, y []float64, label string, c color.Color, shape draw.GlyphDrawer) error {
	if len(x) != len(y) {
		return fmt.Errorf("scatter: %d x values but %d y values", len(x), len(y))
	}
	xy, dropped := points(x, y, pn.logX, pn.logY)
	pn.dropped += dropped
	if len(xy) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.4), Shape: shape}
	pn.p.Add(s)
	if label != "" {
		pn.p.Legend.Add(label, s)
	}
	pn.n++
	return nil
}

// band adds a shaded band; dropped band points are not counted as dropped
// data (bands are often absent).
func (pn *panel) band(x, lo, hi []float64, c color.RGBA) error {
	b, _, err := Band(x, lo, hi, pn.logX, pn.logY, withAlpha(c, 55))
	if err != nil || b == nil {
		return err
	}
	pn.p.Add(b)
	return nil
}

// series draws one curve with its shaded band (NaN bounds: no band) in
// the i-th colour and dash pattern, with markers.
func (pn *panel) series(x, y, lo, hi []float64, label string, i int) error {
	if err := pn.band(x, lo, hi, Color(i)); err != nil {
		return err
	}
	return pn.line(x, y, lineOpt{label: label, color: Color(i), dashes: lineDash(i), markers: true})
}

// attach puts the panel's plot at tile i of the figure when it drew any
// data, and notes the points it dropped.
func (f *figure) attach(i int, pn *panel) {
	if pn.ok() {
		f.panels[i] = pn.p
	}
	f.notes = appendNote(f.notes, droppedNote(pn.dropped, ""))
}

// finish guards the axis ranges against degenerate (zero-width) ranges,
// which gonum/plot would widen to include non-positive values on a log
// axis, and adds a small margin above the data. Room for a legend at the
// top is made when the figure is drawn (fitLegend).
func (pn *panel) finish() {
	for _, a := range []*plot.Axis{&pn.p.X, &pn.p.Y} {
		if math.IsInf(a.Min, 0) || math.IsInf(a.Max, 0) {
			continue
		}
		lg := isLog(a)
		if a.Min == a.Max {
			if lg {
				a.Min, a.Max = a.Min/2, a.Max*2
			} else {
				w := math.Max(math.Abs(a.Min)*0.05, 0.5)
				a.Min, a.Max = a.Min-w, a.Max+w
			}
		}
	}
	a := &pn.p.Y
	if math.IsInf(a.Min, 0) || math.IsInf(a.Max, 0) {
		return
	}
	if pn.logY {
		a.Max *= math.Pow(a.Max/a.Min, 0.04)
	} else {
		a.Max += 0.04 * (a.Max - a.Min)
	}
}

// ok reports whether the panel drew any data.
func (pn *panel) ok() bool { return pn.n > 0 }

// droppedNote describes dropped points, or "".
func droppedNote(n int, what string) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d %s not drawn (NaN, infinite, or not positive on a log axis).", n, plural(n, "point", "points")) + what
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func appendNote(notes []string, s string) []string {
	if s == "" {
		return notes
	}
	return append(notes, s)
}

// thin keeps at most max points of a curve (every k-th, plus the last).
func thin(x, y []float64, max int) ([]float64, []float64) {
	if len(x) <= max {
		return x, y
	}
	k := (len(x) + max - 1) / max
	var tx, ty []float64
	for i := 0; i < len(x); i += k {
		tx, ty = append(tx, x[i]), append(ty, y[i])
	}
	if (len(x)-1)%k != 0 {
		tx, ty = append(tx, x[len(x)-1]), append(ty, y[len(y)-1])
	}
	return tx, ty
}

// maxCurvePoints bounds the points of a drawn ROC or loss curve.
const maxCurvePoints = 2000
