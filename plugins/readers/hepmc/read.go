package hepmc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/smearflow/smearflow/core/cluster"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/hepmc/hepmcascii"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// DefaultBatchSize is the number of jets per emitted batch when the request
// leaves it to the plugin.
const DefaultBatchSize = 1024

// labelMode says how the jets of a source are labelled.
type labelMode int

const (
	labelFixed   labelMode = iota // every jet gets source.label
	labelProcess                  // from the event's signal process id
)

type source struct {
	path  string
	mode  labelMode
	label int8
}

type config struct {
	sources     []source
	quarkProc   map[int64]bool
	gluonProc   map[int64]bool
	skipOther   bool
	def         cluster.Definition
	jetPtMin    float64
	allJets     bool
	invisible   []int32
	eventWeight bool
	pathDesc    string
}

func configFromParams(p plugin.Params) (config, error) {
	var c config
	alg, err := cluster.ParseAlgorithm(p.String(ParamAlgorithm))
	if err != nil {
		return c, &plugin.ParamError{Param: ParamAlgorithm, Msg: err.Error()}
	}
	c.def = cluster.Definition{Algorithm: alg, R: p.Float(ParamRadius)}
	if err := c.def.Validate(); err != nil {
		return c, &plugin.ParamError{Param: ParamRadius, Msg: err.Error()}
	}
	c.jetPtMin = p.Float(ParamJetPtMin)
	c.allJets = p.String(ParamJets) == "all"
	for _, id := range p.Ints(ParamInvisible) {
		c.invisible = append(c.invisible, int32(min(max(id, -id), math.MaxInt32)))
	}
	c.eventWeight = p.Bool(ParamEventWeight)
	c.skipOther = p.String(ParamOtherProcesses) == "skip"
	c.quarkProc, c.gluonProc = map[int64]bool{}, map[int64]bool{}
	for _, id := range p.Ints(ParamQuarkProcesses) {
		c.quarkProc[id] = true
	}
	for _, id := range p.Ints(ParamGluonProcesses) {
		if c.quarkProc[id] {
			return c, &plugin.ParamError{Param: ParamGluonProcesses, Msg: fmt.Sprintf("process id %d is also in %s", id, ParamQuarkProcesses)}
		}
		c.gluonProc[id] = true
	}

	path, gpath, label := p.String(ParamPath), p.String(ParamGluonPath), p.String(ParamLabel)
	if path == "" {
		return c, &plugin.ParamError{Param: ParamPath, Msg: "is empty"}
	}
	files, err := selection.ParamFiles(ParamPath, path)
	if err != nil {
		return c, err
	}
	c.pathDesc = path
	var gfiles []string
	if gpath != "" {
		if label != "auto" && label != "quark" {
			return c, &plugin.ParamError{Param: ParamLabel, Msg: fmt.Sprintf("is %q, but with %s set the jets of %s are quark jets: use auto or quark", label, ParamGluonPath, ParamPath)}
		}
		label = "quark"
		if gfiles, err = selection.ParamFiles(ParamGluonPath, gpath); err != nil {
			return c, err
		}
		c.pathDesc = path + " (quark), " + gpath + " (gluon)"
	} else if label == "auto" {
		label = "process"
	}
	if label == "process" && len(c.quarkProc)+len(c.gluonProc) == 0 {
		return c, &plugin.ParamError{Param: ParamQuarkProcesses, Msg: "label is process but quark_processes and gluon_processes are both empty"}
	}
	for _, f := range files {
		switch label {
		case "quark":
			c.sources = append(c.sources, source{path: f, mode: labelFixed, label: jet.Quark})
		case "gluon":
			c.sources = append(c.sources, source{path: f, mode: labelFixed, label: jet.Gluon})
		default:
			c.sources = append(c.sources, source{path: f, mode: labelProcess})
		}
	}
	for _, f := range gfiles {
		c.sources = append(c.sources, source{path: f, mode: labelFixed, label: jet.Gluon})
	}
	return c, nil
}

// eventClusterer turns the visible final state of an event into jets.
type eventClusterer struct {
	cl        *cluster.Clusterer
	jetPtMin  float64
	invisible []int32

	parts []jet.FourVector // visible final-state particles of the event
	pids  []int32
	lines []int
	order []int
}

func newEventClusterer(def cluster.Definition, jetPtMin float64, invisible []int32) (*eventClusterer, error) {
	cl, err := cluster.New(def)
	if err != nil {
		return nil, err
	}
	return &eventClusterer{cl: cl, jetPtMin: jetPtMin, invisible: invisible}, nil
}

// visible fills parts, pids and lines with the status-1 particles whose
// |pid| is not in the invisible list.
func (e *eventClusterer) visible(ev *hepmcascii.Event) {
	e.parts, e.pids, e.lines = e.parts[:0], e.pids[:0], e.lines[:0]
	for i := range ev.Particles {
		p := &ev.Particles[i]
		if p.Status != 1 {
			continue
		}
		a := p.PID
		if a < 0 {
			a = -a
		}
		if slices.Contains(e.invisible, a) {
			continue
		}
		e.parts = append(e.parts, jet.FourVector{Px: p.Px, Py: p.Py, Pz: p.Pz, E: p.E})
		e.pids = append(e.pids, p.PID)
		e.lines = append(e.lines, p.Line)
	}
}

// jets clusters the event's visible final state: the inclusive jets above
// jetPtMin, by decreasing pt. The constituent indices refer to e.parts.
func (e *eventClusterer) jets(ev *hepmcascii.Event) ([]cluster.Jet, error) {
	e.visible(ev)
	js, err := e.cl.InclusiveJets(e.parts, e.jetPtMin)
	if err != nil {
		var pe *cluster.ParticleError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("particle at line %d: %w", e.lines[pe.Index], err)
		}
		return nil, err
	}
	return js, nil
}

// appendJet appends one clustered jet to batch: its constituents as
// (pt, rapidity, phi, pid) by decreasing pt, phi within pi of the jet's.
func (e *eventClusterer) appendJet(batch *jet.Jets, j cluster.Jet, label int8, weight float64) error {
	e.order = append(e.order[:0], j.Constituents...)
	slices.SortStableFunc(e.order, func(a, b int) int { return cluster.ByDecreasingKt2(e.parts[a], e.parts[b]) })
	jphi := j.Phi()
	if len(batch.Offsets) == 0 {
		batch.Offsets = append(batch.Offsets, 0)
	}
	for _, c := range e.order {
		p := e.parts[c]
		pt := math.Sqrt(cluster.Kt2(p))
		if !(pt > 0) {
			return fmt.Errorf("jet constituent at line %d has zero transverse momentum (a jet of pt %v with jet_pt_min = %v)", e.lines[c], j.Pt(), e.jetPtMin)
		}
		phi := cluster.Phi(p)
		if phi-jphi > math.Pi {
			phi -= 2 * math.Pi
		} else if phi-jphi < -math.Pi {
			phi += 2 * math.Pi
		}
		batch.Pt = append(batch.Pt, pt)
		batch.Y = append(batch.Y, cluster.Rapidity(p))
		batch.Phi = append(batch.Phi, phi)
		batch.PID = append(batch.PID, e.pids[c])
	}
	batch.Offsets = append(batch.Offsets, len(batch.Pt))
	batch.Label = append(batch.Label, label)
	batch.Weight = append(batch.Weight, weight)
	return nil
}

func newBatch() *jet.Jets {
	return &jet.Jets{Offsets: []int{0}, Aux: map[string][]float64{AuxEvent: nil, AuxFileIndex: nil, AuxJetRank: nil}}
}

// Read streams the jets of every input file through the shared selection
// and emits them in batches of req.BatchSize (0: DefaultBatchSize).
// Parameters missing from req.Params take their defaults.
func (*Reader) Read(ctx context.Context, req plugin.ReadRequest, emit func(*jet.Jets) error) error {
	p, err := Spec().Resolve(map[string]any(req.Params))
	if err != nil {
		return fmt.Errorf("hepmc reader: %w", err)
	}
	c, err := configFromParams(p)
	if err != nil {
		return fmt.Errorf("hepmc reader: %w", err)
	}
	sel, err := selection.New(p, req.Seed, c.pathDesc)
	if err != nil {
		return fmt.Errorf("hepmc reader: %w", err)
	}
	ec, err := newEventClusterer(c.def, c.jetPtMin, c.invisible)
	if err != nil {
		return fmt.Errorf("hepmc reader: %w", err)
	}
	batchSize := req.BatchSize
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	meta := map[string]string{
		"reader":     Name,
		"path":       c.pathDesc,
		"clustering": fmt.Sprintf("%s, inclusive jets pt >= %g GeV, %s", c.def, c.jetPtMin, p.String(ParamJets)),
	}
	var files []string
	for _, s := range c.sources {
		files = append(files, s.path)
	}
	meta["files"] = strings.Join(files, ",")

	flush := sel.Feeder("hepmc reader: ", meta, emit)

	batch := newBatch()
	var ev hepmcascii.Event
	events, skipped := 0, 0
	done := false
	for fi, src := range c.sources {
		if done {
			break
		}
		sel.SetSource(src.path)
		r, err := hepmcascii.Open(src.path)
		if err != nil {
			return fmt.Errorf("hepmc reader: %w", err)
		}
		for {
			if err := ctx.Err(); err != nil {
				r.Close()
				return err
			}
			err := r.Next(&ev)
			if err == io.EOF {
				break
			}
			if err != nil {
				r.Close()
				return fmt.Errorf("hepmc reader: %w", err)
			}
			events++
			where := func() string { return fmt.Sprintf("%s:%d (event %d)", src.path, ev.Line, ev.Number) }
			label := src.label
			if src.mode == labelProcess {
				switch {
				case !ev.HasSignalID:
					r.Close()
					return fmt.Errorf("hepmc reader: %s: no signal_process_id attribute, so label process cannot label it; set label to quark or gluon", where())
				case c.quarkProc[ev.SignalProcessID]:
					label = jet.Quark
				case c.gluonProc[ev.SignalProcessID]:
					label = jet.Gluon
				case c.skipOther:
					skipped++
					continue
				default:
					r.Close()
					return fmt.Errorf("hepmc reader: %s: signal process id %d is in neither %s %v nor %s %v (set other_processes: skip to drop such events)",
						where(), ev.SignalProcessID, ParamQuarkProcesses, p.Ints(ParamQuarkProcesses), ParamGluonProcesses, p.Ints(ParamGluonProcesses))
				}
			}
			weight := 1.0
			if c.eventWeight {
				if len(ev.Weights) == 0 || !(ev.Weights[0] >= 0) || math.IsInf(ev.Weights[0], 0) {
					r.Close()
					return fmt.Errorf("hepmc reader: %s: event_weight is set but the event weight is %v (want a finite non-negative first weight)", where(), ev.Weights)
				}
				weight = ev.Weights[0]
			}
			js, err := ec.jets(&ev)
			if err != nil {
				r.Close()
				return fmt.Errorf("hepmc reader: %s: %w", where(), err)
			}
			if !c.allJets && len(js) > 1 {
				js = js[:1]
			}
			for rank, j := range js {
				if err := ec.appendJet(batch, j, label, weight); err != nil {
					r.Close()
					return fmt.Errorf("hepmc reader: %s: %w", where(), err)
				}
				batch.Aux[AuxEvent] = append(batch.Aux[AuxEvent], float64(ev.Number))
				batch.Aux[AuxFileIndex] = append(batch.Aux[AuxFileIndex], float64(fi))
				batch.Aux[AuxJetRank] = append(batch.Aux[AuxJetRank], float64(rank))
			}
			if batch.Len() >= batchSize {
				if err := flush(batch); err != nil {
					r.Close()
					return err
				}
				batch = newBatch()
				if sel.Done() {
					done = true
					break
				}
			}
			if events%256 == 0 {
				plugin.ReportProgress(ctx, int64(fi), int64(len(c.sources)), fmt.Sprintf("%s: %d events read", filepath.Base(src.path), ev.Index+1))
			}
		}
		if err := r.Close(); err != nil {
			return fmt.Errorf("hepmc reader: %s: %w", src.path, err)
		}
		// Flush at file boundaries so that selection errors name the right file.
		if err := flush(batch); err != nil {
			return err
		}
		batch = newBatch()
		if sel.Done() {
			done = true
		}
	}
	rest, err := sel.Finish()
	if err != nil {
		if skipped > 0 {
			return fmt.Errorf("hepmc reader: %w (%d events read, %d skipped for their signal process id)", err, events, skipped)
		}
		return fmt.Errorf("hepmc reader: %w (%d events read)", err, events)
	}
	plugin.ReportProgress(ctx, int64(len(c.sources)), int64(len(c.sources)), sel.Summary())
	if rest.Len() > 0 {
		rest.Meta = meta
		return emit(rest)
	}
	return nil
}
