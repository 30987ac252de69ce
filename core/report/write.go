package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smearflow/smearflow/core/atomicfile"
)

//go:embed report.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("report").Parse(pageTemplate))

// Write renders the run into dir: dir/report.html and, for every figure,
// dir/plots/NAME.svg (shown by the page) and dir/plots/NAME.png (at DPI,
// for papers). Every file is written atomically. It returns the names of
// the files written, relative to dir, with report.html last. The same Run
// gives the same HTML and SVG bytes.
//
// Inconsistent input (for example ROC arrays of different lengths, a fit
// whose Eval and PDF differ in length, a table row with the wrong number
// of cells) is an error naming the section; NaN and infinite values are
// not errors: they are shown as such in tables and left out of plots
// with a note.
func Write(dir string, run *Run) ([]string, error) {
	if run == nil {
		return nil, errors.New("report: nil run")
	}
	if dir == "" {
		return nil, errors.New("report: empty output folder")
	}
	b, err := build(run)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}

	// Render every figure in both formats: figures in parallel, the two
	// formats of one figure in sequence (gonum/plot mutates a plot while
	// drawing it). The output does not depend on the order.
	out := make([][2][]byte, len(b.figs))
	errs := make([]error, len(b.figs))
	formats := [2]string{"svg", "png"}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(runtime.GOMAXPROCS(0), max(len(b.figs), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				for k, format := range formats {
					if out[i][k], errs[i] = b.figs[i].render(format); errs[i] != nil {
						break
					}
				}
			}
		}()
	}
	for i := range b.figs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}

	var names []string
	for i, f := range b.figs {
		for k, format := range formats {
			name := "plots/" + f.name + "." + format
			if err := atomicfile.WriteBytes(filepath.Join(dir, filepath.FromSlash(name)), out[i][k]); err != nil {
				return names, fmt.Errorf("report: %w", err)
			}
			names = append(names, name)
		}
	}
	var html bytes.Buffer
	if err := tmpl.Execute(&html, &b.page); err != nil {
		return names, fmt.Errorf("report: render report.html: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, "report.html"), html.Bytes()); err != nil {
		return names, fmt.Errorf("report: %w", err)
	}
	return append(names, "report.html"), nil
}

// build checks the run and assembles the page and its figures.
func build(run *Run) (*builder, error) {
	b := newBuilder()
	pv := &run.Provenance
	b.page.Title = run.Title
	if b.page.Title == "" {
		b.page.Title = "smearflow report: " + orUnknown(pv.Workflow)
	}
	sub := "workflow " + orUnknown(pv.Workflow) + ", seed " + strconv.FormatInt(pv.Seed, 10)
	if !pv.Started.IsZero() {
		sub += ", run started " + pv.Started.UTC().Format(time.RFC3339)
	}
	b.page.Subtitle = sub
	b.page.Notes = run.Notes

	for i := range run.Distances {
		if err := b.distances(&run.Distances[i]); err != nil {
			return nil, err
		}
	}
	for i := range run.Smearing {
		if err := b.smearing(&run.Smearing[i]); err != nil {
			return nil, err
		}
	}
	if err := b.comparisons(run); err != nil {
		return nil, err
	}
	for i := range run.Extremes {
		if err := b.extremes(&run.Extremes[i]); err != nil {
			return nil, err
		}
	}
	for i := range run.Taggers {
		if err := b.tagger(&run.Taggers[i]); err != nil {
			return nil, err
		}
	}
	for i := range run.Relevance {
		if err := b.relevance(&run.Relevance[i]); err != nil {
			return nil, err
		}
	}
	if len(run.Tables) > 0 {
		b.open([]string{"tables"}, "Tables")
		for i, t := range run.Tables {
			for r, row := range t.Rows {
				if len(row) != len(t.Columns) {
					return nil, fmt.Errorf("table %d %q: row %d has %d cells, want %d (columns %q)", i+1, t.Title, r+1, len(row), len(t.Columns), t.Columns)
				}
			}
			b.addTable(&tableView{Title: t.Title, Caption: t.Caption, Columns: t.Columns, Rows: t.Rows})
		}
	}
	b.provenance(pv)
	b.toc()
	return b, nil
}

// provenance adds the run and step provenance section.
func (b *builder) provenance(pv *Provenance) {
	s := b.open([]string{"provenance"}, "Provenance")
	s.Intro = append(s.Intro, "How this report was made: the workflow, the machine, and every step with its plugin, parameters and cache state.")
	started := "(not given)"
	if !pv.Started.IsZero() {
		started = pv.Started.UTC().Format(time.RFC3339)
	}
	rows := [][]string{
		{"workflow", orUnknown(pv.Workflow)},
		{"file", orUnknown(pv.File)},
		{"file SHA-256", orUnknown(pv.FileSHA256)},
		{"seed", strconv.FormatInt(pv.Seed, 10)},
		{"output", orUnknown(pv.Output)},
		{"started (UTC)", started},
		{"wall time [s]", fixed(pv.Seconds, 2)},
		{"smearflow version", orUnknown(pv.Version)},
		{"host", orUnknown(pv.Host)},
		{"Go version", orUnknown(pv.GoVersion)},
		{"OS / arch", orUnknown(pv.OS) + " / " + orUnknown(pv.Arch)},
		{"CPUs", strconv.Itoa(pv.CPUs)},
	}
	b.addTable(&tableView{Title: "run", Columns: []string{"field", "value"}, Rows: rows, Mono: true})
	if len(pv.Steps) == 0 {
		return
	}
	t := &tableView{Title: "steps", Mono: true,
		Columns: []string{"step", "kind", "plugin", "version", "origin", "inputs", "parameters", "cached", "seconds", "cache key", "status"},
		Caption: "Every workflow step in order: parameters as resolved (compact JSON, sorted keys), whether the result came from the cache, the step's wall time and the first 12 characters of its cache key."}
	for _, st := range pv.Steps {
		cached := "no"
		if st.Cached {
			cached = "yes"
		}
		key := st.CacheKey
		if len(key) > 12 {
			key = key[:12]
		}
		status := st.Status
		if st.Error != "" {
			status += ": " + st.Error
		}
		inputs := ""
		for i, in := range st.Inputs {
			if i > 0 {
				inputs += ", "
			}
			inputs += in
		}
		t.Rows = append(t.Rows, []string{st.Name, st.Kind, st.Plugin, st.Version, orUnknown(st.Origin), inputs, paramsJSON(st.Params), cached, fixed(st.Seconds, 3), key, status})
	}
	b.addTable(t)
}

// paramsJSON renders parameters as compact JSON with sorted keys; NaN and
// infinities (which JSON cannot hold) are written as strings.
func paramsJSON(p map[string]any) string {
	if len(p) == 0 {
		return "{}"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the page escapes; keep < and > readable
	if err := enc.Encode(jsonSafe(p)); err != nil {
		return "(parameters not printable as JSON: " + err.Error() + ")"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return num(x, 6)
		}
		return x
	case float32:
		return jsonSafe(float64(x))
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = jsonSafe(f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x)) // json.Marshal sorts the keys
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	}
	return v
}
