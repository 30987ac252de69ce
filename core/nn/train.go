package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/smearflow/smearflow/core/roc"
)

// Adam hyper-parameters (Kingma & Ba defaults).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// chunkRows is the number of jets whose gradient one task accumulates.
// A mini-batch is cut into chunks of this size whatever the number of
// workers, and the chunk gradients are added in chunk order, so results
// are bit-identical for any Options.Workers.
const chunkRows = 16

// Data is a labelled feature matrix: X is rows × features, row-major, raw
// (unstandardised); Weight may be nil (all 1).
type Data struct {
	X      []float64
	Label  []int8
	Weight []float64
}

// Rows returns the number of rows.
func (d Data) Rows() int { return len(d.Label) }

func (d Data) check(what string, f int) error {
	n := len(d.Label)
	if n == 0 {
		return fmt.Errorf("%s: no jets", what)
	}
	if len(d.X) != n*f {
		return fmt.Errorf("%s: feature matrix has %d values, want %d jets × %d features", what, len(d.X), n, f)
	}
	if d.Weight != nil && len(d.Weight) != n {
		return fmt.Errorf("%s: %d weights for %d jets", what, len(d.Weight), n)
	}
	var ws, wb float64
	for i, l := range d.Label {
		w := d.w(i)
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return fmt.Errorf("%s: jet %d: weight %v is not a finite non-negative number", what, i, w)
		}
		switch l {
		case 1:
			ws += w
		case 0:
			wb += w
		default:
			return fmt.Errorf("%s: jet %d: label %d is neither 1 (quark) nor 0 (gluon)", what, i, l)
		}
	}
	if ws == 0 || wb == 0 {
		return fmt.Errorf("%s: needs quark and gluon jets with positive weight (quark weight %g, gluon weight %g)", what, ws, wb)
	}
	for i, v := range d.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: jet %d, feature %d: value %v is not finite", what, i/f, i%f, v)
		}
	}
	return nil
}

func (d Data) w(i int) float64 {
	if d.Weight == nil {
		return 1
	}
	return d.Weight[i]
}

// Options controls Train.
type Options struct {
	Epochs       int     // maximum number of passes over the training set (>= 1)
	BatchSize    int     // jets per mini-batch (>= 1)
	LearningRate float64 // Adam step size (> 0)
	// Patience: stop after this many epochs without a lower validation
	// loss; 0 runs every epoch. The weights of the best epoch are kept.
	Patience int
	// Workers is the number of goroutines (0: GOMAXPROCS). Results do not
	// depend on it.
	Workers int
	// Progress, if set, is called after every epoch.
	Progress func(EpochStats)
}

// EpochStats summarises one epoch. TrainLoss is the weighted mean binary
// cross-entropy of the training jets as seen by the mini-batch steps of
// the epoch; ValLoss and ValAUC are measured on the validation set after
// the epoch (AUC of the logits, weighted, ties counted 1/2).
type EpochStats struct {
	Epoch     int // from 1
	TrainLoss float64
	ValLoss   float64
	ValAUC    float64
}

// Train fits a copy of net (its weights are the starting point; Mean and
// Std standardise the raw features) with Adam on the weighted binary
// cross-entropy of the logit, in mini-batches drawn from a seeded
// shuffle, and early stopping on the validation loss. It returns the
// network of the epoch with the lowest validation loss (Training filled
// in) and the per-epoch statistics. The result depends only on the inputs
// and seed, bit for bit, not on Workers.
func Train(ctx context.Context, net *Network, train, val Data, opt Options, seed int64) (*Network, []EpochStats, error) {
	if err := net.Validate(); err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	switch {
	case opt.Epochs < 1:
		return nil, nil, fmt.Errorf("train: epochs %d < 1", opt.Epochs)
	case opt.BatchSize < 1:
		return nil, nil, fmt.Errorf("train: batch size %d < 1", opt.BatchSize)
	case !(opt.LearningRate > 0) || math.IsInf(opt.LearningRate, 0):
		return nil, nil, fmt.Errorf("train: learning rate %v is not a positive number", opt.LearningRate)
	case opt.Patience < 0:
		return nil, nil, fmt.Errorf("train: patience %d < 0", opt.Patience)
	}
	f := net.NumInputs()
	if err := train.check("training set", f); err != nil {
		return nil, nil, err
	}
	if err := val.check("validation set", f); err != nil {
		return nil, nil, err
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e := newEngine(net.Clone(), workers, opt.BatchSize)
	xt := standardized(e.net, train.X)
	xv := standardized(e.net, val.X)
	nt := train.Rows()

	adamM := make([]float64, len(e.params))
	adamV := make([]float64, len(e.params))
	best := append([]float64(nil), e.params...)
	bestLoss, bestAUC, bestEpoch, bad := math.Inf(1), 0.0, 0, 0
	rng := rand.New(rand.NewPCG(uint64(seed), streamShuffle))
	perm := make([]int, nt)
	for i := range perm {
		perm[i] = i
	}
	grad := make([]float64, len(e.params))
	vlog := make([]float64, val.Rows())
	var stats []EpochStats
	step := 0
	for epoch := 1; epoch <= opt.Epochs; epoch++ {
		rng.Shuffle(nt, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum, wSum float64
		for lo := 0; lo < nt; lo += opt.BatchSize {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			rows := perm[lo:min(lo+opt.BatchSize, nt)]
			bw := 0.0
			for _, r := range rows {
				bw += train.w(r)
			}
			if bw == 0 {
				continue // only zero-weight jets: no gradient
			}
			loss := e.lossGrad(xt, rows, train, 1/bw, grad)
			lossSum += loss * bw
			wSum += bw
			step++
			c1 := 1 - math.Pow(adamBeta1, float64(step))
			c2 := 1 - math.Pow(adamBeta2, float64(step))
			for i, g := range grad {
				m := adamBeta1*adamM[i] + (1-adamBeta1)*g
				v := adamBeta2*adamV[i] + (1-adamBeta2)*g*g
				adamM[i], adamV[i] = m, v
				e.params[i] -= opt.LearningRate * (m / c1) / (math.Sqrt(v/c2) + adamEps)
			}
		}
		e.logits(xv, vlog)
		vl := meanLoss(vlog, val)
		auc, err := roc.AUC(val.Label, vlog, val.Weight)
		if err != nil {
			return nil, nil, fmt.Errorf("train: validation AUC: %w", err)
		}
		if math.IsNaN(vl) || math.IsInf(vl, 0) {
			return nil, nil, fmt.Errorf("train: epoch %d: validation loss is %v (diverged; lower the learning rate)", epoch, vl)
		}
		s := EpochStats{Epoch: epoch, TrainLoss: lossSum / wSum, ValLoss: vl, ValAUC: auc}
		stats = append(stats, s)
		if opt.Progress != nil {
			opt.Progress(s)
		}
		if vl < bestLoss {
			bestLoss, bestAUC, bestEpoch, bad = vl, auc, epoch, 0
			copy(best, e.params)
		} else if bad++; opt.Patience > 0 && bad >= opt.Patience {
			break
		}
	}
	copy(e.params, best)
	out := e.net
	out.Training = &TrainingInfo{
		Seed: seed, Epochs: opt.Epochs, EpochsRun: len(stats), BestEpoch: bestEpoch,
		BestValLoss: bestLoss, BestValAUC: bestAUC, BatchSize: opt.BatchSize,
		LearningRate: opt.LearningRate, Patience: opt.Patience,
		TrainJets: nt, ValJets: val.Rows(),
	}
	return out, stats, nil
}

// BCE returns the binary cross-entropy of a logit s for label y (0 or 1),
// max(s, 0) - s y + log(1 + exp(-|s|)), stable for any s.
func BCE(s float64, y int8) float64 {
	return max(s, 0) - s*float64(y) + math.Log1p(math.Exp(-math.Abs(s)))
}

// Sigmoid returns 1 / (1 + exp(-s)) without overflow.
func Sigmoid(s float64) float64 {
	if s >= 0 {
		return 1 / (1 + math.Exp(-s))
	}
	e := math.Exp(s)
	return e / (1 + e)
}

func meanLoss(logits []float64, d Data) float64 {
	var s, w float64
	for i, z := range logits {
		wi := d.w(i)
		s += wi * BCE(z, d.Label[i])
		w += wi
	}
	return s / w
}

// standardized returns the standardised copy of a raw matrix.
func standardized(n *Network, raw []float64) []float64 {
	f := n.NumInputs()
	x := make([]float64, len(raw))
	for i := 0; i < len(raw); i += f {
		n.Standardize(raw[i:i+f], x[i:i+f])
	}
	return x
}

// engine evaluates a network and its loss gradient in parallel over
// fixed chunks of rows. The network's weights alias params.
type engine struct {
	net     *Network
	params  []float64
	offW    []int // offset of layer l's W in params
	offB    []int
	workers int
	ws      []*workspace // one per chunk of the largest batch
}

type workspace struct {
	in, z, delta [][]float64 // per layer, chunkRows × width
	grad         []float64
	loss         float64
}

func newEngine(net *Network, workers, batch int) *engine {
	e := &engine{net: net, workers: workers}
	for l := range net.Layers {
		ly := &net.Layers[l]
		e.offW = append(e.offW, len(e.params))
		e.params = append(e.params, ly.W...)
		e.offB = append(e.offB, len(e.params))
		e.params = append(e.params, ly.B...)
	}
	for l := range net.Layers {
		ly := &net.Layers[l]
		ly.W = e.params[e.offW[l] : e.offW[l]+len(ly.W) : e.offW[l]+len(ly.W)]
		ly.B = e.params[e.offB[l] : e.offB[l]+len(ly.B) : e.offB[l]+len(ly.B)]
	}
	nc := (batch + chunkRows - 1) / chunkRows
	for c := 0; c < nc; c++ {
		w := &workspace{grad: make([]float64, len(e.params))}
		for l := range net.Layers {
			ly := &net.Layers[l]
			w.in = append(w.in, make([]float64, chunkRows*ly.In))
			w.z = append(w.z, make([]float64, chunkRows*ly.Out))
			w.delta = append(w.delta, make([]float64, chunkRows*ly.Out))
		}
		e.ws = append(e.ws, w)
	}
	return e
}

// parallel runs task(c) for c in [0, n) on the engine's workers.
func (e *engine) parallel(n int, task func(c int)) {
	w := min(e.workers, n)
	if w <= 1 {
		for c := 0; c < n; c++ {
			task(c)
		}
		return
	}
	var wg sync.WaitGroup
	for g := 0; g < w; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for c := g; c < n; c += w {
				task(c)
			}
		}(g)
	}
	wg.Wait()
}

// forward runs the chunk's rows (indices into the standardised matrix x)
// through the network, filling ws.in and ws.z. The products are gonum
// BLAS calls on the chunk (see BenchmarkLayerHand/BenchmarkLayerGonum:
// gonum's assembly kernels are about twice as fast as plain loops here);
// their summation order depends only on the matrix sizes, so results do
// not depend on the number of workers.
func (e *engine) forward(ws *workspace, x []float64, rows []int) {
	f := e.net.NumInputs()
	n := len(rows)
	for l := range e.net.Layers {
		ly := &e.net.Layers[l]
		p := ly.Prev()
		for r, row := range rows {
			in := ws.in[l][r*ly.In : (r+1)*ly.In]
			if l > 0 {
				po := e.net.Layers[l-1].Out
				act(e.net.Layers[l-1].Activation, ws.z[l-1][r*po:(r+1)*po], in[:p])
			}
			xr := x[row*f : (row+1)*f]
			for i, fi := range ly.Inputs {
				in[p+i] = xr[fi]
			}
			copy(ws.z[l][r*ly.Out:(r+1)*ly.Out], ly.B)
		}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			general(n, ly.In, ws.in[l]), general(ly.In, ly.Out, ly.W), 1, general(n, ly.Out, ws.z[l]))
	}
}

// general wraps a row-major rows×cols matrix.
func general(rows, cols int, data []float64) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: data[:rows*cols]}
}

// lossGrad writes into grad the gradient of the weighted mean BCE of the
// rows (scale = 1 / Σ weights) and returns that loss.
func (e *engine) lossGrad(x []float64, rows []int, d Data, scale float64, grad []float64) float64 {
	nc := (len(rows) + chunkRows - 1) / chunkRows
	e.parallel(nc, func(c int) {
		e.chunkGrad(e.ws[c], x, rows[c*chunkRows:min((c+1)*chunkRows, len(rows))], d, scale)
	})
	copy(grad, e.ws[0].grad)
	loss := e.ws[0].loss
	for c := 1; c < nc; c++ {
		for i, g := range e.ws[c].grad {
			grad[i] += g
		}
		loss += e.ws[c].loss
	}
	return loss
}

func (e *engine) chunkGrad(ws *workspace, x []float64, rows []int, d Data, scale float64) {
	e.forward(ws, x, rows)
	L := len(e.net.Layers)
	n := len(rows)
	clear(ws.grad)
	ws.loss = 0
	out := ws.z[L-1]
	for r, row := range rows {
		w := d.w(row) * scale
		s, y := out[r], d.Label[row]
		ws.loss += w * BCE(s, y)
		ws.delta[L-1][r] = w * (Sigmoid(s) - float64(y))
	}
	for l := L - 1; l >= 0; l-- {
		ly := &e.net.Layers[l]
		o := ly.Out
		dz := general(n, o, ws.delta[l])
		// dW = inᵀ δ, db = Σ_rows δ.
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, general(n, ly.In, ws.in[l]), dz, 0,
			general(ly.In, o, ws.grad[e.offW[l]:e.offW[l]+ly.In*o]))
		gB := ws.grad[e.offB[l] : e.offB[l]+o]
		for r := 0; r < n; r++ {
			for k, v := range ws.delta[l][r*o : (r+1)*o] {
				gB[k] += v
			}
		}
		if l == 0 {
			continue
		}
		// δ of the previous layer = δ W[:p]ᵀ, masked by its ReLU.
		p := ly.Prev()
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, dz, general(p, o, ly.W), 0, general(n, p, ws.delta[l-1]))
		if e.net.Layers[l-1].Activation == ReLU {
			zp := ws.z[l-1][:n*p]
			dp := ws.delta[l-1][:n*p]
			for i, v := range zp {
				if v <= 0 {
					dp[i] = 0
				}
			}
		}
	}
}

// logits evaluates the network on every row of the standardised matrix x.
func (e *engine) logits(x []float64, out []float64) {
	n := len(out)
	nc := (n + chunkRows - 1) / chunkRows
	L := len(e.net.Layers)
	// Workspaces are per worker here (results are per row, so the
	// assignment does not matter).
	w := max(1, min(e.workers, nc, len(e.ws)))
	var wg sync.WaitGroup
	for g := 0; g < w; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			ws := e.ws[g]
			rows := make([]int, 0, chunkRows)
			for c := g; c < nc; c += w {
				rows = rows[:0]
				for r := c * chunkRows; r < min((c+1)*chunkRows, n); r++ {
					rows = append(rows, r)
				}
				e.forward(ws, x, rows)
				copy(out[c*chunkRows:], ws.z[L-1][:len(rows)])
			}
		}(g)
	}
	wg.Wait()
}

// Logits returns the logits of the network for a raw feature matrix
// (rows × NumInputs, row-major), using up to workers goroutines (0:
// GOMAXPROCS).
func (n *Network) Logits(raw []float64, workers int) ([]float64, error) {
	f := n.NumInputs()
	if f == 0 || len(raw)%f != 0 {
		return nil, errors.New("logits: matrix size is not a multiple of the number of features")
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	rows := len(raw) / f
	e := newEngine(n.Clone(), workers, workers*chunkRows)
	out := make([]float64, rows)
	e.logits(standardized(e.net, raw), out)
	return out, nil
}

// LossGradient returns the weighted mean binary cross-entropy of the
// logits of n over a raw data set and writes its gradient with respect to
// the parameters into grad, in ParamVector order. It is what Train
// descends (used by tests and benchmarks).
func (n *Network) LossGradient(d Data, grad []float64) (float64, error) {
	if err := d.check("data", n.NumInputs()); err != nil {
		return 0, err
	}
	if len(grad) != n.NumParams() {
		return 0, fmt.Errorf("gradient has %d entries, want %d", len(grad), n.NumParams())
	}
	rows := make([]int, d.Rows())
	w := 0.0
	for i := range rows {
		rows[i] = i
		w += d.w(i)
	}
	e := newEngine(n.Clone(), 1, len(rows))
	return e.lossGrad(standardized(e.net, d.X), rows, d, 1/w, grad), nil
}

// ParamVector returns the parameters in one vector: for each layer, W
// (row-major) then b.
func (n *Network) ParamVector() []float64 {
	var p []float64
	for _, l := range n.Layers {
		p = append(p, l.W...)
		p = append(p, l.B...)
	}
	return p
}

// SetParamVector sets the parameters from a ParamVector-ordered vector.
func (n *Network) SetParamVector(p []float64) error {
	if len(p) != n.NumParams() {
		return fmt.Errorf("parameter vector has %d entries, want %d", len(p), n.NumParams())
	}
	for l := range n.Layers {
		ly := &n.Layers[l]
		p = p[copy(ly.W, p):]
		p = p[copy(ly.B, p):]
	}
	return nil
}
