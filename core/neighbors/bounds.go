package neighbors

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"weak"

	"github.com/smearflow/smearflow/core/plugin"
	"gonum.org/v1/gonum/mat"
)

// EmbeddingForm says what a lower-bound embedding promises beyond the
// generic plugin.LowerBounder contract |v_i − v_j| ≤ d ≤ |v_i − v_j| + r_i
// + r_j. Orthogonal is also read from plugin.Embedding.Orthogonal; Monotone
// stands in for a proposed plugin.Embedding.Monotone field. A space
// declares the form by implementing FormedLowerBounder, or the host wraps
// it with WithEmbeddingForm.
type EmbeddingForm struct {
	// Orthogonal: v_i are the coordinates, in an orthonormal basis, of
	// P x_i for points x_i of a Euclidean (Hilbert) space with d(i, j) =
	// ‖x_i − x_j‖, P an orthogonal projection, and r_i = ‖w_i‖ with w_i =
	// (I − P) x_i. Then d² = |v_i − v_j|² + ‖w_i − w_j‖², so
	//
	//	|v_i − v_j|² + (r_i − r_j)² ≤ d² ≤ |v_i − v_j|² + (r_i + r_j)²,
	//
	// and any orthonormal change of basis of the v_i keeps this valid
	// (used here to refine the bound coordinate by coordinate).
	Orthogonal bool
	// Monotone (with Orthogonal): the residuals are pairwise non-negatively
	// correlated, ⟨w_i, w_j⟩ ≥ 0, so d² ≤ |v_i − v_j|² + r_i² + r_j². It
	// holds when x_i are non-decreasing functions and P averages them over
	// intervals (Chebyshev's integral inequality on every interval):
	// SEMD's quantile functions with bin averages.
	Monotone bool
}

// FormedLowerBounder is implemented by a plugin.LowerBounder that declares
// the form of its embedding. LowerBoundForm must only claim what holds.
type FormedLowerBounder interface {
	plugin.LowerBounder
	LowerBoundForm() EmbeddingForm
}

// WithEmbeddingForm declares the form of space's lower-bound embedding,
// for spaces that keep the promise but cannot say so yet (SEMD:
// EmbeddingForm{Orthogonal: true, Monotone: true}). It returns space
// unchanged when it is not a plugin.LowerBounder. The wrapper forwards
// Len, Block, Pairs, Close, LowerBound and OutOfProcess.
func WithEmbeddingForm(space plugin.Space, f EmbeddingForm) plugin.Space {
	lb, ok := space.(plugin.LowerBounder)
	if !ok {
		return space
	}
	return formedSpace{Space: space, lb: lb, form: f}
}

type formedSpace struct {
	plugin.Space
	lb   plugin.LowerBounder
	form EmbeddingForm
}

func (o formedSpace) LowerBound(ctx context.Context) (*plugin.Embedding, error) {
	return o.lb.LowerBound(ctx)
}

func (o formedSpace) LowerBoundForm() EmbeddingForm { return o.form }

// OutOfProcess forwards plugin.OutOfProcess of the wrapped space.
func (o formedSpace) OutOfProcess() bool { return outOfProcess(o.Space) }

// formOf returns the declared form of a space's embedding.
func formOf(space plugin.Space) EmbeddingForm {
	f, ok := space.(FormedLowerBounder)
	if !ok {
		return EmbeddingForm{}
	}
	return f.LowerBoundForm()
}

// Floating-point allowances of the pruned pass (see README, "Rounding").
const (
	// slackRel: the bounds are widened by sigma = slackRel × S in distance
	// units, S = max_i (|v_i| + r_i). It covers the float32 storage of the
	// rotated coordinates (≤ 2^-24 |v_i − mean| ≤ 2^-23 S per jet) with
	// 8× headroom, and the rounding of the embedding, of the rotation and
	// of the metric itself as long as they stay below ~2^-21 S (≈ 10^9
	// ulps: sums of up to a billion terms).
	slackRel = 0x1p-19
	// u32 is the unit roundoff of float32: a float32 sum of c squared
	// differences (any order, with or without FMA) is within (c+2)·u32 of
	// the exact sum of the stored values; we allow (c+8)·u32.
	u32 = 0x1p-24
	// tiny absorbs the float64 rounding of the few operations that combine
	// a prefix sum with the tail norms and of the squared thresholds.
	tiny = 0x1p-40
	// firstLevel is the first checkpoint (coordinates summed for every
	// pair); the next ones double up to the number of kept coordinates.
	firstLevel = 16
	// pcaDims is the number of principal coordinates kept when the
	// embedding has more dimensions (the rest enters through the tail
	// norms only); pcaSample the number of jets the principal axes are
	// fitted on and pcaIters the subspace iterations.
	pcaDims   = 128
	pcaSample = 1024
	pcaIters  = 3
)

// bounds is the pruning form of a lower-bound embedding: the vectors
// rotated onto their principal axes (fitted on a sample of jets; an
// orthonormal change of basis, so every bound stays valid), centred, cut
// to the leading pcaDims coordinates, zero-padded to a multiple of 8 and
// stored as float32, with, per jet and checkpoint c (a prefix length: 8,
// 16, 32, ..., dim), the norm of everything beyond the prefix: the
// remaining principal coordinates, the part of the vector outside the
// kept axes and (orthogonal form) the residual r_i.
type bounds struct {
	n, dim int
	form   EmbeddingForm
	vec    []float32 // n*dim, row-major
	cps    []int     // checkpoints
	// tail[i*C+l] = t, the norm of the coordinates beyond cps[l] and of
	// the part of the vector outside the kept axes; res[i] = r_i.
	tail []float64
	res  []float64
	res2 []float64 // r_i² (Monotone) or 0
	// sigma is the absolute widening in distance units; lof/hif the
	// relative widening of the squared bounds at each checkpoint.
	sigma    float64
	lof, hif []float64
	// scale S = max_i (|v_i| + r_i); ortho the measured departure of the
	// rotation from orthonormality (|UᵀU − I|_F).
	scale, ortho float64
	// raw is the embedding itself (float64, rawDim per jet) when the
	// principal coordinates do not cover it: a last checkpoint compares
	// the full vectors, with relative widening rawLof/rawHif.
	raw            []float64
	rawDim         int
	rawLof, rawHif float64
}

// levels is the number of checkpoints: the prefixes cps, plus the full
// raw embedding when kept.
func (b *bounds) levels() int {
	if b.raw != nil {
		return len(b.cps) + 1
	}
	return len(b.cps)
}

// dims lists the dimensions of every checkpoint.
func (b *bounds) dims() []int {
	d := append([]int(nil), b.cps...)
	if b.raw != nil {
		d = append(d, b.rawDim)
	}
	return d
}

// combine returns the squared bounds of a pair from the squared distance
// s of its leading coordinates (relative widening lof, hif), the norms ta,
// tb of its other coordinates and its residuals:
//
//	orthogonal: lo² = s + (ta−tb)² + (ra−rb)²,
//	            hi² = s + (ta+tb)² + (ra+rb)²   (Monotone: + ra² + rb²)
//	generic:    lo² = s + (ta−tb)², hi = sqrt(s + (ta+tb)²) + ra + rb.
//
// Coordinates and residual are orthogonal components, so each pair of
// norms bounds its own part of the distance.
func (b *bounds) combine(s, lof, hif, ta, tb float64, ja, jb int32) (lo2, hi2 float64) {
	dt, st := ta-tb, ta+tb
	ra, rb := b.res[ja], b.res[jb]
	if b.form.Orthogonal {
		dr, sr := ra-rb, ra+rb
		r2 := sr * sr
		if b.form.Monotone {
			r2 = b.res2[ja] + b.res2[jb]
		}
		return (s + dt*dt + dr*dr) * lof, (s + st*st + r2) * hif
	}
	h := math.Sqrt((s+st*st)*hif) + ra + rb
	return (s + dt*dt) * lof, h * h * (1 + tiny)
}

// level returns the squared lower and upper bounds of the pair (ja, jb)
// at prefix checkpoint lv < len(cps) from its float32 prefix sum s.
func (b *bounds) level(lv int, ja, jb int32, s float32) (lo2, hi2 float64) {
	C := len(b.cps)
	return b.combine(float64(s), b.lof[lv], b.hif[lv], b.tail[int(ja)*C+lv], b.tail[int(jb)*C+lv], ja, jb)
}

// rawLevel returns the bounds of the pair from the full embedding.
func (b *bounds) rawLevel(ja, jb int32) (lo2, hi2 float64) {
	k := b.rawDim
	s := sqDist64(b.raw[int(ja)*k:int(ja)*k+k], b.raw[int(jb)*k:int(jb)*k+k])
	return b.combine(s, b.rawLof, b.rawHif, 0, 0, ja, jb)
}

// bound returns the bounds of the pair at checkpoint lv (prefix sum s, or
// the raw embedding after the prefixes).
func (b *bounds) bound(lv int, ja, jb int32, s float32) (lo2, hi2 float64) {
	if lv < len(b.cps) {
		return b.level(lv, ja, jb, s)
	}
	return b.rawLevel(ja, jb)
}

func (b *bounds) bytes() int64 {
	return int64(len(b.vec))*4 + int64(len(b.tail)+len(b.res))*8
}

// boundsCache keeps the bounds built for the last embedding while that
// embedding is alive (a cleanup drops the entry when it is collected), so
// that consecutive passes over the same space (Smear, then Nearest) share
// them. The bounds are small (float32 × pcaDims per jet).
var boundsCache struct {
	sync.Mutex
	emb  weak.Pointer[plugin.Embedding]
	form EmbeddingForm
	b    *bounds
}

// lowerBounds returns the pruning bounds of space, or (nil, reason) when
// the space offers none.
func lowerBounds(ctx context.Context, space plugin.Space) (*bounds, string, error) {
	lb, ok := space.(plugin.LowerBounder)
	if !ok {
		return nil, "the metric has no lower-bound embedding", nil
	}
	form := formOf(space)
	emb, err := lb.LowerBound(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("neighbors: lower-bound embedding: %w", err)
	}
	if emb == nil {
		return nil, "", fmt.Errorf("neighbors: lower-bound embedding: the metric returned none")
	}
	if emb.Orthogonal {
		form.Orthogonal = true // the contract's own promise
	}
	if emb.Monotone {
		form.Monotone = true
	}
	form.Monotone = form.Monotone && form.Orthogonal
	boundsCache.Lock()
	defer boundsCache.Unlock()
	if boundsCache.b != nil && boundsCache.emb.Value() == emb && boundsCache.form == form && boundsCache.b.n == space.Len() {
		return boundsCache.b, "", nil
	}
	b, err := newBounds(ctx, emb, space.Len(), form)
	if err != nil {
		return nil, "", err
	}
	w := weak.Make(emb)
	boundsCache.emb, boundsCache.form, boundsCache.b = w, form, b
	runtime.AddCleanup(emb, func(w weak.Pointer[plugin.Embedding]) {
		boundsCache.Lock()
		if boundsCache.emb == w {
			boundsCache.b = nil
		}
		boundsCache.Unlock()
	}, w)
	return b, "", nil
}

// newBounds validates emb for n jets and builds the bounds.
func newBounds(ctx context.Context, emb *plugin.Embedding, n int, form EmbeddingForm) (*bounds, error) {
	k := emb.Dim
	if k < 1 {
		return nil, fmt.Errorf("neighbors: lower-bound embedding: dimension %d, want at least 1", k)
	}
	if len(emb.Vectors) != n*k {
		return nil, fmt.Errorf("neighbors: lower-bound embedding: %d vector entries for %d jets × %d dimensions (want %d)", len(emb.Vectors), n, k, n*k)
	}
	if len(emb.Residuals) != n {
		return nil, fmt.Errorf("neighbors: lower-bound embedding: %d residuals for %d jets", len(emb.Residuals), n)
	}
	b := &bounds{n: n, form: form, res: make([]float64, n), res2: make([]float64, n)}
	mean := make([]float64, k)
	for i := 0; i < n; i++ {
		r := emb.Residuals[i]
		if math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
			return nil, fmt.Errorf("neighbors: lower-bound embedding: residual of jet %d is %v (want finite and >= 0)", i, r)
		}
		norm2 := 0.0
		for q, y := range emb.Vectors[i*k : (i+1)*k] {
			if math.IsNaN(y) || math.IsInf(y, 0) {
				return nil, fmt.Errorf("neighbors: lower-bound embedding: coordinate %d of jet %d is %v", q, i, y)
			}
			norm2 += y * y
			mean[q] += y
		}
		b.scale = max(b.scale, math.Sqrt(norm2)+r)
		b.res[i] = r
		if form.Monotone {
			b.res2[i] = r * r
		}
	}
	for q := range mean {
		mean[q] /= float64(n)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, m := principalAxes(emb.Vectors, n, k, mean)
	b.ortho = orthonormalityError(u)
	b.dim = max(firstLevel, (m+7)&^7)
	for c := firstLevel; c < b.dim; c *= 2 {
		b.cps = append(b.cps, c)
	}
	b.cps = append(b.cps, b.dim)
	C := len(b.cps)
	b.vec = make([]float32, n*b.dim)
	b.tail = make([]float64, n*C)
	if err := b.project(ctx, emb, k, m, u, mean); err != nil {
		return nil, err
	}
	// sigma: slackRel·S, plus 2·sqrt(ε)·2S for the cross terms of a
	// rotation ε away from orthonormal (see README, "Rounding").
	b.sigma = slackRel*b.scale + 4*math.Sqrt(b.ortho)*b.scale
	if b.sigma == 0 {
		b.sigma = math.SmallestNonzeroFloat64
	}
	b.lof, b.hif = make([]float64, C), make([]float64, C)
	for l, c := range b.cps {
		g := float64(c+8)*u32 + b.ortho + tiny
		b.lof[l], b.hif[l] = 1-g, 1+g
	}
	if m < k {
		// A float64 sum of k squared differences: within (k+2)·2^-53.
		b.raw, b.rawDim = emb.Vectors, k
		g := float64(k+8)*0x1p-52 + tiny
		b.rawLof, b.rawHif = 1-g, 1+g
	}
	return b, nil
}

// project fills vec and tail: for chunks of jets, the centred vectors
// x = v − mean, their principal coordinates y = Uᵀx (stored as float32)
// and the norm of x − U y, computed directly (no cancellation).
func (b *bounds) project(ctx context.Context, emb *plugin.Embedding, k, m int, u *mat.Dense, mean []float64) error {
	const chunk = 512
	C := len(b.cps)
	rows0 := min(chunk, b.n)
	// Buffers reused by every chunk (no garbage proportional to n).
	xAll := mat.NewDense(rows0, k, nil)
	yAll := mat.NewDense(rows0, m, nil)
	var backAll *mat.Dense
	if m < k {
		backAll = mat.NewDense(rows0, k, nil)
	}
	outside := make([]float64, rows0)
	for lo := 0; lo < b.n; lo += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(b.n, lo+chunk)
		rows := hi - lo
		x := xAll.Slice(0, rows, 0, k).(*mat.Dense)
		y := yAll.Slice(0, rows, 0, m).(*mat.Dense)
		for i := lo; i < hi; i++ {
			row := x.RawRowView(i - lo)
			for q, v := range emb.Vectors[i*k : (i+1)*k] {
				row[q] = v - mean[q]
			}
		}
		y.Mul(x, u)
		clear(outside)
		if backAll != nil {
			back := backAll.Slice(0, rows, 0, k).(*mat.Dense)
			back.Mul(y, u.T())
			for i := 0; i < rows; i++ {
				xr, br := x.RawRowView(i), back.RawRowView(i)
				acc := 0.0
				for q := range xr {
					e := xr[q] - br[q]
					acc += e * e
				}
				outside[i] = acc
			}
		}
		for i := lo; i < hi; i++ {
			yr := y.RawRowView(i - lo)
			for q, v := range yr {
				b.vec[i*b.dim+q] = float32(v)
			}
			// Tail norms from the end (no cancellation).
			acc := outside[i-lo]
			l := C - 1
			for q := b.dim - 1; q >= 0 && l >= 0; q-- {
				if q+1 == b.cps[l] {
					b.tail[i*C+l] = math.Sqrt(acc)
					l--
				}
				if q < m {
					acc += yr[q] * yr[q]
				}
			}
		}
	}
	return nil
}

// principalAxes returns an orthonormal K×M basis U of the leading
// principal axes of the vectors (centred at mean), by decreasing variance:
// all K axes (an eigendecomposition of the covariance) when K <= pcaDims+32,
// else the leading pcaDims by subspace iteration on a sample of up to
// pcaSample jets. Its quality only affects how much is pruned, never the
// results.
func principalAxes(vec []float64, n, k int, mean []float64) (*mat.Dense, int) {
	ns := min(n, pcaSample)
	x := mat.NewDense(ns, k, nil)
	for s := 0; s < ns; s++ {
		i := int(int64(s) * int64(n) / int64(ns))
		row := x.RawRowView(s)
		for q, v := range vec[i*k : (i+1)*k] {
			row[q] = v - mean[q]
		}
	}
	if k <= pcaDims+32 {
		var cov mat.SymDense
		cov.SymOuterK(1, x.T())
		return topEigen(&cov, k), k
	}
	// Subspace iteration: Q ← orth(Xᵀ X Q), from a fixed start.
	l := pcaDims + 16
	q := mat.NewDense(k, l, nil)
	for a := 0; a < k; a++ {
		for c := 0; c < l; c++ {
			// A deterministic, well-spread start (cosines).
			q.Set(a, c, math.Cos(float64((a+1)*(c+1))*0.618034))
		}
	}
	orthonormalize(q)
	var xq, z mat.Dense
	for it := 0; it < pcaIters; it++ {
		xq.Mul(x, q)
		z.Mul(x.T(), &xq)
		q.Copy(&z)
		orthonormalize(q)
	}
	// Rayleigh–Ritz: eigenvectors of Qᵀ Xᵀ X Q.
	xq.Mul(x, q)
	var small mat.SymDense
	small.SymOuterK(1, xq.T())
	v := topEigen(&small, pcaDims)
	var u mat.Dense
	u.Mul(q, v)
	orthonormalize(&u)
	return &u, pcaDims
}

// topEigen returns the eigenvectors of the symmetric matrix a for its m
// largest eigenvalues, in decreasing order (K×m).
func topEigen(a *mat.SymDense, m int) *mat.Dense {
	var eig mat.EigenSym
	k := a.SymmetricDim()
	if !eig.Factorize(a, true) {
		// Never expected for a covariance; the identity is a valid basis.
		id := mat.NewDense(k, m, nil)
		for q := 0; q < m; q++ {
			id.Set(q, q, 1)
		}
		return id
	}
	var all mat.Dense
	eig.VectorsTo(&all)
	out := mat.NewDense(k, m, nil)
	for c := 0; c < m; c++ {
		for a := 0; a < k; a++ {
			out.Set(a, c, all.At(a, k-1-c)) // ascending eigenvalues
		}
	}
	orthonormalize(out)
	return out
}

// orthonormalize replaces the columns of a by an orthonormal basis of
// their span (modified Gram–Schmidt, twice). A column that vanishes is
// replaced by a unit vector orthogonal to the others.
func orthonormalize(a *mat.Dense) {
	r, c := a.Dims()
	cols := make([][]float64, c)
	for j := 0; j < c; j++ {
		cols[j] = mat.Col(nil, j, a)
	}
	// project removes from v its components along the first j columns
	// (twice, for orthogonality to working precision) and returns |v|.
	project := func(v []float64, j int) float64 {
		for pass := 0; pass < 2; pass++ {
			for p := 0; p < j; p++ {
				w := cols[p]
				dot := 0.0
				for q := range v {
					dot += v[q] * w[q]
				}
				for q := range v {
					v[q] -= dot * w[q]
				}
			}
		}
		norm := 0.0
		for _, x := range v {
			norm += x * x
		}
		return math.Sqrt(norm)
	}
	for j := 0; j < c; j++ {
		v := cols[j]
		norm := project(v, j)
		for e := 0; !(norm > 1e-8) && e < r; e++ {
			// Degenerate column: a unit vector independent of the others.
			clear(v)
			v[e] = 1
			norm = project(v, j)
			if norm < 0.5 {
				norm = 0
			}
		}
		for q := range v {
			v[q] /= norm
		}
	}
	for j := 0; j < c; j++ {
		a.SetCol(j, cols[j])
	}
}

// orthonormalityError returns |UᵀU − I|_F (an upper bound on the
// spectral norm).
func orthonormalityError(u *mat.Dense) float64 {
	var g mat.Dense
	g.Mul(u.T(), u)
	m, _ := g.Dims()
	s := 0.0
	for a := 0; a < m; a++ {
		for c := 0; c < m; c++ {
			e := g.At(a, c)
			if a == c {
				e--
			}
			s += e * e
		}
	}
	// Round up generously: the product itself has rounding ~K·u.
	return math.Sqrt(s) + float64(m)*0x1p-50
}
