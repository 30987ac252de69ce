package generator

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/generator/hadronize"
	"github.com/smearflow/smearflow/plugins/readers/generator/shower"
)

// Jet orders.
const (
	OrderInterleaved = "interleaved" // quark, gluon, quark, gluon, ... then the rest of the larger class
	OrderBlocked     = "blocked"     // all quarks, then all gluons
	OrderShuffled    = "shuffled"    // a seeded random sequence of the labels
)

// PID of partons in parton-level output (Hadronize = false): gluons are 21
// and every quark or antiquark is 1.
const (
	PIDGluon int32 = 21
	PIDQuark int32 = 1
)

// DefaultBatchSize is the number of jets per emitted batch when the request
// leaves it to the generator.
const DefaultBatchSize = 10000

// Config holds the generator settings.
type Config struct {
	Quarks, Gluons int
	// Pt is the transverse momentum of every jet [GeV]: the four-momentum
	// sum of its constituents has exactly this pt.
	Pt float64
	// Radius is the jet radius R: angular ordering starts at R and every
	// constituent lies within R (in rapidity-azimuth) of the jet axis.
	Radius float64
	Shower shower.Params
	// Hadronize turns the partons into hadrons; false gives massless
	// partons (PID 21 gluon, 1 quark).
	Hadronize bool
	Hadron    hadronize.Params
	// Order is OrderInterleaved, OrderBlocked or OrderShuffled.
	Order string
	// MaxRapidity: jet axes have rapidity uniform in [-MaxRapidity,
	// MaxRapidity] (0: all at y = 0).
	MaxRapidity float64
	// RandomPhi: jet axes have azimuth uniform in [0, 2 pi) (else 0).
	RandomPhi bool
	// Workers is the number of goroutines (0: GOMAXPROCS). It does not
	// change the jets.
	Workers int
}

// DefaultConfig returns the plugin defaults: 5000 quark and 5000 gluon jets
// of pt 500 GeV and R = 0.4, the default shower and hadronisation,
// interleaved, axes at (0, 0).
func DefaultConfig() Config {
	return Config{
		Quarks: 5000, Gluons: 5000, Pt: 500, Radius: 0.4,
		Shower: shower.DefaultParams(), Hadronize: true, Hadron: hadronize.DefaultParams(),
		Order: OrderInterleaved,
	}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	switch {
	case c.Quarks < 0 || c.Gluons < 0:
		return fmt.Errorf("generator: quarks and gluons must be >= 0, got %d and %d", c.Quarks, c.Gluons)
	case !(c.Pt > 0) || math.IsInf(c.Pt, 0):
		return fmt.Errorf("generator: pt must be a positive number of GeV, got %v", c.Pt)
	case !(c.Radius > 0 && c.Radius <= 1.5):
		return fmt.Errorf("generator: radius must be in (0, 1.5], got %v", c.Radius)
	case !(c.MaxRapidity >= 0) || math.IsInf(c.MaxRapidity, 0):
		return fmt.Errorf("generator: max_rapidity must be a non-negative number, got %v", c.MaxRapidity)
	case c.Order != OrderInterleaved && c.Order != OrderBlocked && c.Order != OrderShuffled:
		return fmt.Errorf("generator: order must be %q, %q or %q, got %q", OrderInterleaved, OrderBlocked, OrderShuffled, c.Order)
	case c.Workers < 0:
		return fmt.Errorf("generator: workers must be >= 0, got %d", c.Workers)
	}
	if c.Shower.Cutoff >= c.Pt*c.Radius/4 {
		return fmt.Errorf("generator: cutoff %g GeV leaves no phase space for branchings of a %g GeV jet of radius %g (need cutoff < pt*radius/4 = %g GeV)",
			c.Shower.Cutoff, c.Pt, c.Radius, c.Pt*c.Radius/4)
	}
	if err := c.Shower.Validate(); err != nil {
		return err
	}
	if c.Hadronize {
		if err := c.Hadron.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Meta returns the dataset metadata recorded on every batch: the generator
// name and version and its settings (JSON) with the seed.
func (c Config) Meta(seed int64) map[string]string {
	settings := map[string]any{
		"quarks": c.Quarks, "gluons": c.Gluons, "pt": c.Pt, "radius": c.Radius,
		"cutoff": c.Shower.Cutoff, "alpha_s": c.Shower.AlphaS, "fixed_coupling": c.Shower.FixedCoupling,
		"nf": c.Shower.NF, "hadronize": c.Hadronize, "order": c.Order,
		"max_rapidity": c.MaxRapidity, "random_phi": c.RandomPhi, "seed": seed,
	}
	if c.Hadronize {
		settings["frag_a"] = c.Hadron.A
		settings["frag_stop"] = c.Hadron.Stop
		settings["hadron_pt_sigma"] = c.Hadron.Sigma
		settings["gluon_split"] = c.Hadron.GluonSplit
	}
	b, _ := json.Marshal(settings) // map keys are sorted
	return map[string]string{
		"source":             "generator",
		"generator":          "smearflow toy leading-log angular-ordered parton shower " + Version,
		"generator_settings": string(b),
		"seed":               fmt.Sprint(seed),
	}
}

// slot says where jet k of the position order comes from.
type slot struct {
	label int8
	index int // index among the jets of its class
}

// order yields the (label, class index) of successive positions for the
// configured order. It is sequential: positions must be taken in order.
type order struct {
	kind   string
	q, g   int // jets of each class not yet placed
	nq, ng int // jets of each class placed so far
	src    rand.Source
}

func newOrder(c Config, seed int64) *order {
	o := &order{kind: c.Order, q: c.Quarks, g: c.Gluons}
	if c.Order == OrderShuffled {
		o.src = rand.NewPCG(splitmix(uint64(seed)^0x5348554646), 0x6f72646572) // "SHUFF", "order"
	}
	return o
}

// next returns the slot of the next position. Shuffled: the label is quark
// with probability (quarks left)/(jets left), which makes every label
// sequence with the right counts equally likely (a uniform random
// permutation of the labels); within a class, jets keep their index order.
func (o *order) next() slot {
	var quark bool
	switch {
	case o.q == 0:
		quark = false
	case o.g == 0:
		quark = true
	case o.kind == OrderBlocked:
		quark = true
	case o.kind == OrderShuffled:
		quark = boundedDraw(o.src, uint64(o.q+o.g)) < uint64(o.q)
	default: // interleaved
		quark = o.nq == o.ng
	}
	if quark {
		o.q--
		o.nq++
		return slot{jet.Quark, o.nq - 1}
	}
	o.g--
	o.ng++
	return slot{jet.Gluon, o.ng - 1}
}

// boundedDraw returns a uniform integer in [0, n) (Lemire's method with
// rejection), independent of the standard library's algorithms.
func boundedDraw(src rand.Source, n uint64) uint64 {
	for {
		hi, lo := bits.Mul64(src.Uint64(), n)
		if lo >= n || lo >= (-n)%n {
			return hi
		}
	}
}

// splitmix is the SplitMix64 finaliser, used to derive per-jet seeds.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// JetSeeds returns the two PCG seeds of the index-th jet of a class
// (label 1 quark, 0 gluon): a jet depends only on (seed, label, index),
// not on its position, the batch size or the number of workers.
func JetSeeds(seed int64, label int8, index int) (uint64, uint64) {
	a := splitmix(uint64(seed))
	b := splitmix(a ^ (uint64(index)<<1 | uint64(label&1)))
	return splitmix(b ^ 0x6a657431), splitmix(b ^ 0x6a657432)
}

// Generate produces the configured jets and passes them to emit in batches
// of batchSize jets (0: DefaultBatchSize), in order. Jets are generated in
// parallel on cfg.Workers goroutines; the result does not depend on the
// number of workers or on the batch size.
func Generate(ctx context.Context, cfg Config, seed int64, batchSize int, emit func(*jet.Jets) error) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if batchSize < 0 {
		return fmt.Errorf("generator: batch size must be >= 0, got %d", batchSize)
	}
	if batchSize == 0 {
		batchSize = DefaultBatchSize
	}
	n := cfg.Quarks + cfg.Gluons
	nw := cfg.Workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	nw = max(1, min(nw, batchSize, n))
	ord := newOrder(cfg, seed)
	meta := cfg.Meta(seed)
	ws := make([]*worker, nw)
	perWorker := 64 * (min(batchSize, n)/nw + 1) // particles; about 45 per hadron-level jet
	if !cfg.Hadronize {
		perWorker /= 8
	}
	for i := range ws {
		w, err := newWorker(cfg, seed)
		if err != nil {
			return err
		}
		w.pt, w.y, w.phi = make([]float64, 0, perWorker), make([]float64, 0, perWorker), make([]float64, 0, perWorker)
		w.pid = make([]int32, 0, perWorker)
		ws[i] = w
	}
	locs := make([]loc, min(batchSize, n))
	slots := make([]slot, min(batchSize, n))
	for lo := 0; lo < n; lo += batchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+batchSize, n)
		locs, slots = locs[:hi-lo], slots[:hi-lo]
		for k := range slots {
			slots[k] = ord.next()
		}
		var next atomic.Int64
		next.Store(int64(lo))
		var wg sync.WaitGroup
		errs := make([]error, nw)
		for wi, w := range ws {
			w.reset()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := int(next.Add(1) - 1)
					if k >= hi {
						return
					}
					if k%64 == 0 && ctx.Err() != nil {
						errs[wi] = ctx.Err()
						return
					}
					s := slots[k-lo]
					start := len(w.pt)
					if err := w.generate(s.label, s.index); err != nil {
						errs[wi] = fmt.Errorf("generator: jet %d (%s %d): %w", k, labelName(s.label), s.index, err)
						return
					}
					locs[k-lo] = loc{worker: wi, start: start, end: len(w.pt), label: s.label}
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		out := assemble(ws, locs)
		out.Meta = maps(meta)
		if err := emit(out); err != nil {
			return err
		}
		plugin.ReportProgress(ctx, int64(hi), int64(n), "jets generated")
	}
	return nil
}

func labelName(l int8) string {
	if l == jet.Quark {
		return "quark"
	}
	return "gluon"
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// loc is where a generated jet sits in its worker's arena.
type loc struct {
	worker, start, end int
	label              int8
}

func assemble(ws []*worker, locs []loc) *jet.Jets {
	np := 0
	for _, l := range locs {
		np += l.end - l.start
	}
	out := &jet.Jets{
		Offsets: make([]int, 1, len(locs)+1),
		Pt:      make([]float64, 0, np), Y: make([]float64, 0, np),
		Phi: make([]float64, 0, np), PID: make([]int32, 0, np),
		Label: make([]int8, 0, len(locs)), Weight: make([]float64, 0, len(locs)),
	}
	for _, l := range locs {
		w := ws[l.worker]
		out.Pt = append(out.Pt, w.pt[l.start:l.end]...)
		out.Y = append(out.Y, w.y[l.start:l.end]...)
		out.Phi = append(out.Phi, w.phi[l.start:l.end]...)
		out.PID = append(out.PID, w.pid[l.start:l.end]...)
		out.Offsets = append(out.Offsets, len(out.Pt))
		out.Label = append(out.Label, l.label)
		out.Weight = append(out.Weight, 1)
	}
	return out
}

// worker holds one goroutine's workspace and its arena of output particles.
type worker struct {
	cfg     Config
	seed    int64
	pcg     *rand.PCG
	rng     *rand.Rand
	sh      *shower.Shower
	hz      *hadronize.Hadronizer
	partons []shower.Parton
	parts   []hadronize.Hadron
	cone    cone
	sorted  []outParticle

	pt, y, phi []float64
	pid        []int32
}

type outParticle struct {
	pt, y, phi float64
	pid        int32
}

func newWorker(cfg Config, seed int64) (*worker, error) {
	sh, err := shower.New(cfg.Shower)
	if err != nil {
		return nil, err
	}
	w := &worker{cfg: cfg, seed: seed, pcg: rand.NewPCG(0, 0), sh: sh}
	w.rng = rand.New(w.pcg)
	if cfg.Hadronize {
		if w.hz, err = hadronize.New(cfg.Hadron); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (w *worker) reset() {
	w.pt, w.y, w.phi, w.pid = w.pt[:0], w.y[:0], w.phi[:0], w.pid[:0]
}

// generate appends one jet to the worker's arena.
func (w *worker) generate(label int8, index int) error {
	w.pcg.Seed(JetSeeds(w.seed, label, index))
	rng := w.rng
	y0, phi0 := 0.0, 0.0
	if w.cfg.MaxRapidity > 0 {
		y0 = w.cfg.MaxRapidity * (2*rng.Float64() - 1)
	}
	if w.cfg.RandomPhi {
		phi0 = 2 * math.Pi * rng.Float64()
	}
	f := shower.Gluon
	if label == jet.Quark {
		f = shower.Quark
	}
	_, w.partons = w.sh.Run(rng, f, w.cfg.Pt, w.cfg.Radius, w.partons[:0])
	if w.cfg.Hadronize {
		w.parts = w.hz.Hadronize(rng, w.partons, w.parts[:0])
	} else {
		w.parts = w.parts[:0]
		for _, p := range w.partons {
			pid := PIDGluon
			if p.Flavour == shower.Quark {
				pid = PIDQuark
			}
			w.parts = append(w.parts, hadronize.Hadron{P: p.P, PID: pid})
		}
	}
	parts, ys, phis, err := w.cone.finalize(w.parts, w.cfg.Radius, w.cfg.Pt)
	if err != nil {
		return err
	}
	w.sorted = w.sorted[:0]
	for i, p := range parts {
		w.sorted = append(w.sorted, outParticle{pt: p.P.Pt(), y: ys[i] + y0, phi: phis[i] + phi0, pid: p.PID})
	}
	slices.SortStableFunc(w.sorted, func(a, b outParticle) int {
		switch {
		case a.pt > b.pt:
			return -1
		case a.pt < b.pt:
			return 1
		}
		return 0
	})
	for _, p := range w.sorted {
		w.pt = append(w.pt, p.pt)
		w.y = append(w.y, p.y)
		w.phi = append(w.phi, p.phi)
		w.pid = append(w.pid, p.pid)
	}
	return nil
}

// Finalize applies the jet definition to particles given in the jet frame
// (axis near +x, rapidity 0, azimuth 0): it iterates a stable cone (drop
// the particles farther than radius from the axis of the four-momentum sum
// of the rest, until none is), then applies the Lorentz transformation that
// puts the sum at rapidity 0 and azimuth 0 (a rotation about the beam and a
// longitudinal boost, which keep every particle's pt and rapidity-azimuth
// distances) followed by a boost along the jet axis that gives the sum
// exactly the transverse momentum pt (the jet mass is unchanged). The cone
// is checked again after the boost. If the cone would empty, the hardest
// particle is kept alone. It returns the kept particles (the input slice,
// reordered and truncated) and their rapidities and azimuths.
func Finalize(parts []hadronize.Hadron, radius, pt float64) ([]hadronize.Hadron, []float64, []float64, error) {
	var c cone
	return c.finalize(parts, radius, pt)
}

// cone is the reusable scratch space of Finalize.
type cone struct{ y, phi []float64 }

func (c *cone) angles(parts []hadronize.Hadron) {
	c.y, c.phi = c.y[:0], c.phi[:0]
	for _, p := range parts {
		c.y = append(c.y, p.P.Rapidity())
		c.phi = append(c.phi, p.P.Phi())
	}
}

func (c *cone) finalize(parts []hadronize.Hadron, radius, pt float64) ([]hadronize.Hadron, []float64, []float64, error) {
	r2 := radius * radius
	c.angles(parts)
	boosted := false
	for iter := 0; iter < 100; iter++ {
		var sum shower.Vec4
		for _, p := range parts {
			sum = sum.Add(p.P)
		}
		ya, pa := sum.Rapidity(), sum.Phi()
		if boosted {
			ya, pa = 0, 0 // the sum is on the axis up to rounding
		}
		n, hardest, hpt := 0, 0, -1.0
		for i, p := range parts {
			if t := p.P.Pt(); t > hpt {
				hardest, hpt = i, t
			}
			dy, dp := c.y[i]-ya, jet.DeltaPhi(c.phi[i], pa)
			if dy*dy+dp*dp <= r2*(1+1e-12) {
				parts[n], c.y[n], c.phi[n] = p, c.y[i], c.phi[i]
				n++
			}
		}
		if n == 0 {
			parts[0], n = parts[hardest], 1
			c.y[0], c.phi[0] = c.y[hardest], c.phi[hardest]
		}
		if n < len(parts) {
			parts, c.y, c.phi = parts[:n], c.y[:n], c.phi[:n]
			boosted = false
			continue
		}
		if boosted {
			return parts, c.y, c.phi, nil
		}
		// Stable: transform, then check the cone again around (0, 0).
		transform(parts, sum, ya, pa, pt)
		c.angles(parts)
		boosted = true
	}
	return nil, nil, nil, fmt.Errorf("the jet cone did not converge in 100 iterations")
}

// transform rotates by -phi and boosts by -y along the beam (taking sum to
// rapidity 0, azimuth 0), then boosts along x so that the sum's pt is pt.
func transform(parts []hadronize.Hadron, sum shower.Vec4, y, phi, pt float64) {
	sp, cp := math.Sincos(phi)
	ch, sh := math.Cosh(y), math.Sinh(y)
	rot := func(v shower.Vec4) shower.Vec4 {
		px, py := v.Px*cp+v.Py*sp, -v.Px*sp+v.Py*cp
		return shower.Vec4{E: v.E*ch - v.Pz*sh, Px: px, Py: py, Pz: v.Pz*ch - v.E*sh}
	}
	s := rot(sum)
	m2 := math.Max((s.E-s.Px)*(s.E+s.Px), 0)
	k := (math.Sqrt(pt*pt+m2) + pt) / (s.E + s.Px)
	bc, bs := (k+1/k)/2, (k-1/k)/2
	for i := range parts {
		v := rot(parts[i].P)
		parts[i].P = shower.Vec4{E: bc*v.E + bs*v.Px, Px: bc*v.Px + bs*v.E, Py: v.Py, Pz: v.Pz}
	}
}
