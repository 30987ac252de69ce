package semd

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/metrics/metricutil/metrictest"
)

// ---------------------------------------------------------------- helpers

func prepare(t testing.TB, jets *jet.Jets, params map[string]any) *Space {
	t.Helper()
	return metrictest.Prepare[*Space](t, New(), spec, jets, params)
}

// relOK reports |got - want| <= max(rel*|want|, abs).
func relOK(got, want, rel, abs float64) bool {
	return math.Abs(got-want) <= math.Max(rel*math.Abs(want), abs)
}

// ------------------------------------------------------- reference tests

// handJets reads reference/semd/hand_jets.csv into a batch (E used as pt)
// and returns the index of each jet name.
func handJets(t *testing.T) (*jet.Jets, map[string]int) {
	rows := sharedtest.ReadCSVRows(t, "reference/semd/hand_jets.csv")
	js := &jet.Jets{}
	idx := map[string]int{}
	var names []string
	parts := map[string][][3]float64{}
	for _, r := range rows {
		n := r["jet"]
		if _, ok := parts[n]; !ok {
			names = append(names, n)
		}
		parts[n] = append(parts[n], [3]float64{r.Float(t, "E"), r.Float(t, "y"), r.Float(t, "phi")})
	}
	for _, n := range names {
		var pt, y, phi []float64
		for _, p := range parts[n] {
			pt, y, phi = append(pt, p[0]), append(y, p[1]), append(phi, p[2])
		}
		idx[n] = js.Len()
		js.Append(pt, y, phi, nil, jet.Quark, 1)
	}
	return js, idx
}

// TestHandVectors checks every row of reference/semd/hand_semd.csv (both
// SEMD and SEMD²) to 1e-9 relative; B–F, zero in exact arithmetic, to
// 1e-12 GeV or 1e-14 (normalised) absolute, as the reference README says.
// The unbalanced GeV rows at β = 2 test the default ω_max = R^β/β = 0.08
// and the explicit parameter ω_max = 0.4.
func TestHandVectors(t *testing.T) {
	js, idx := handJets(t)
	rows := sharedtest.ReadCSVRows(t, "reference/semd/hand_semd.csv")
	spaces := map[string]*Space{}
	for _, r := range rows {
		beta := r.Float(t, "beta")
		params := map[string]any{"beta": beta, "normalize": r["energies"] == "norm"}
		if r["omega_max"] != "" {
			om := r.Float(t, "omega_max")
			if om != math.Pow(0.4, beta)/beta {
				params["omega_max"] = om // otherwise: the default
			}
		}
		key := fmt.Sprint(params)
		s, ok := spaces[key]
		if !ok {
			s = prepare(t, js, params)
			spaces[key] = s
		}
		a, b := idx[r["jet_a"]], idx[r["jet_b"]]
		got := metrictest.Pair(t, s, a, b)
		want, want2 := r.Float(t, "semd"), r.Float(t, "semd2")
		abs := 0.0
		if r["jet_a"]+r["jet_b"] == "BF" {
			abs = 1e-12
			if r["energies"] == "norm" {
				abs = 1e-14
			}
		}
		name := fmt.Sprintf("%s-%s %s beta=%v omega_max=%q", r["jet_a"], r["jet_b"], r["energies"], beta, r["omega_max"])
		if !relOK(got, want, 1e-9, abs) || !relOK(got*got, want2, 1e-9, abs*abs) {
			t.Errorf("%s: SEMD = %.17g (SEMD² %.17g), want %.17g (%.17g)", name, got, got*got, want, want2)
		}
		if back := metrictest.Pair(t, s, b, a); back != got {
			t.Errorf("%s: not symmetric: %v vs %v", name, got, back)
		}
	}
	// The exact values the README lists (β = 1, GeV).
	s := prepare(t, js, map[string]any{"normalize": false})
	for _, c := range []struct {
		a, b  string
		semd2 float64
	}{{"A", "B", 432}, {"A", "C", 370}, {"A", "D", 252.5}, {"A", "E", 606}, {"B", "E", 102}, {"A", "F", 432}} {
		if got := metrictest.Pair(t, s, idx[c.a], idx[c.b]); !relOK(got*got, c.semd2, 1e-12, 0) {
			t.Errorf("%s-%s: SEMD² = %.17g, want %v", c.a, c.b, got*got, c.semd2)
		}
	}
}

// TestPairsReference checks the 2000 pairs of reference/semd/pairs_semd.csv
// (the first 200 small-sample jets) for the three variants to 1e-9
// relative; the largest differences are logged.
func TestPairsReference(t *testing.T) {
	rows := sharedtest.ReadCSVRows(t, "reference/semd/pairs_semd.csv")
	all := sharedtest.SmallSample(t)
	idx := make([]int, 200)
	for i := range idx {
		idx[i] = i
	}
	jets := all.Subset(idx)
	for _, v := range []struct {
		col    string
		params map[string]any
		square bool
	}{
		{"semd_norm_b1", map[string]any{}, false},
		{"semd2_norm_b1", map[string]any{}, true},
		{"semd_norm_b2", map[string]any{"beta": 2.0}, false},
		{"semd_gev_b1", map[string]any{"normalize": false}, false},
	} {
		s := prepare(t, jets, v.params)
		n := len(rows)
		is, js := make([]int32, n), make([]int32, n)
		for k, r := range rows {
			is[k], js[k] = int32(r.Float(t, "i")), int32(r.Float(t, "j"))
		}
		out := make([]float64, n)
		if err := s.Pairs(context.Background(), is, js, out); err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for k, r := range rows {
			got := out[k]
			if v.square {
				got *= got
			}
			want := r.Float(t, v.col)
			d := math.Abs(got-want) / want
			worst = max(worst, d)
			if d > 1e-9 {
				t.Errorf("%s pair (%d, %d): %.17g, want %.17g (rel %.2g)", v.col, is[k], js[k], got, want, d)
			}
		}
		t.Logf("%s: %d pairs, largest relative difference %.2g", v.col, n, worst)
	}
	// sum_pt columns: our (Σpt)² totals come from the same jets.
	s := prepare(t, jets, map[string]any{"normalize": false})
	for _, r := range rows[:50] {
		i := int(r.Float(t, "i"))
		if want := r.Float(t, "sum_pt_i"); !relOK(math.Sqrt(s.total[i]), want, 1e-14, 0) {
			t.Errorf("jet %d: sqrt(T) = %.17g, want sum_pt %.17g", i, math.Sqrt(s.total[i]), want)
		}
	}
}

// TestMatrix500 compares all 124 750 pairs of the 500 small-sample jets,
// computed through Block tiles, with reference/smearing/semd_matrix_500.npy
// (normalised, β = 1) to 1e-13 absolute (README-analysis.md).
func TestMatrix500(t *testing.T) {
	want, rows, cols := sharedtest.ReadNPYMatrix(t, "reference/smearing/semd_matrix_500.npy")
	jets := sharedtest.SmallSample(t)
	n := jets.Len()
	if rows != n || cols != n {
		t.Fatalf("matrix shape [%d %d], want [%d %d]", rows, cols, n, n)
	}
	s := prepare(t, jets, nil)
	got := fullMatrix(t, s, 96)
	worst, worstRel := 0.0, 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g, w := got[i*n+j], want[i*n+j]
			d := math.Abs(g - w)
			worst = max(worst, d)
			if i != j {
				worstRel = max(worstRel, d/w)
			}
			if d > 1e-13 {
				t.Fatalf("(%d, %d): %.17g, want %.17g", i, j, g, w)
			}
			if g != got[j*n+i] {
				t.Fatalf("(%d, %d) not bit-symmetric", i, j)
			}
		}
	}
	t.Logf("largest absolute difference %.2g, relative %.2g", worst, worstRel)
}

// fullMatrix computes the whole matrix with tiles of the given size,
// concurrently from several goroutines (a Space must allow it).
func fullMatrix(t testing.TB, s *Space, tile int) []float64 {
	n := s.Len()
	out := make([]float64, n*n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for r0 := 0; r0 < n; r0 += tile {
		for c0 := 0; c0 < n; c0 += tile {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rows := plugin.Range{Lo: r0, Hi: min(n, r0+tile)}
				cols := plugin.Range{Lo: c0, Hi: min(n, c0+tile)}
				buf := make([]float64, rows.Len()*cols.Len())
				if err := s.Block(context.Background(), rows, cols, buf); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				for i := rows.Lo; i < rows.Hi; i++ {
					copy(out[i*n+cols.Lo:i*n+cols.Hi], buf[(i-rows.Lo)*cols.Len():(i-rows.Lo+1)*cols.Len()])
				}
			}()
		}
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	return out
}

// --------------------------------------------------------- kernel tests

// randomSpectrum returns a random spectrum of n entries ending at T, with
// some repeated ω and repeated breakpoints to exercise ties.
func randomSpectrum(r *rand.Rand, n int, T float64) []entry {
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Round(r.Float64()*50) / 100 // many ties
	}
	w[0] = 0
	sort.Float64s(w)
	wt := make([]float64, n)
	sum := 0.0
	for i := range wt {
		wt[i] = float64(1 + r.IntN(4)) // integer weights: repeated breakpoints across spectra
		sum += wt[i]
	}
	out := make([]entry, n+1)
	c := 0.0
	for i := range w {
		c += wt[i] * T / sum
		out[i] = entry{c: min(c, T), w: w[i]}
	}
	out[n-1].c = T
	out[n] = entry{c: sentinelC, w: w[n-1]}
	return out
}

// TestKernelsAgree checks that the four-chain branch-free sweep equals the
// plain two-pointer sweep (up to summation order, 1e-14 relative) on random
// spectra of many lengths, including ties of ω and of breakpoints, and
// against an independent evaluation of ∫(Q_A − Q_B)² on the union of
// breakpoints.
func TestKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 2000; trial++ {
		na, nb := 1+r.IntN(200), 1+r.IntN(200)
		if trial%10 == 0 {
			na = 1
		}
		T := 1.0
		if trial%3 == 0 {
			T = 250000
		}
		a, b := randomSpectrum(r, na, T), randomSpectrum(r, nb, T)
		p, f, g := sweepPlain(a, b), sweepFast(a, b), sweepGo(a, b)
		ref := unionIntegral(a, b)
		if f != g || !relOK(f, p, 1e-13, 1e-300) || !relOK(p, ref, 1e-12, 1e-15*T*T) {
			t.Fatalf("trial %d (na=%d nb=%d): fast %.17g, go %.17g, plain %.17g, union %.17g", trial, na, nb, f, g, p, ref)
		}
	}
}

// unionIntegral integrates (Q_A − Q_B)² over the sorted union of both
// spectra's breakpoints, evaluating Q by binary search (an independent,
// slow method).
func unionIntegral(a, b []entry) float64 {
	var pts []float64
	for _, e := range a[:len(a)-1] {
		pts = append(pts, e.c)
	}
	for _, e := range b[:len(b)-1] {
		pts = append(pts, e.c)
	}
	sort.Float64s(pts)
	q := func(s []entry, t float64) float64 {
		k := sort.Search(len(s)-1, func(k int) bool { return s[k].c >= t })
		return s[k].w
	}
	acc, prev := 0.0, 0.0
	for _, p := range pts {
		if p > prev {
			mid := prev + (p-prev)/2
			d := q(a, mid) - q(b, mid)
			acc += (p - prev) * d * d
			prev = p
		}
	}
	return acc
}

func TestSplitMatchesSequentialState(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		a, b := randomSpectrum(r, 1+r.IntN(40), 1), randomSpectrum(r, 1+r.IntN(40), 1)
		segs := len(a) + len(b) - 3
		ia, ib, tt := 0, 0, 0.0
		for d := 0; d <= segs; d++ {
			sa, sb, st := split(a, b, d)
			if sa != ia || sb != ib || st != tt {
				t.Fatalf("trial %d diag %d: split (%d, %d, %v), sequential (%d, %d, %v)", trial, d, sa, sb, st, ia, ib, tt)
			}
			if 3*d <= segs {
				ja, jb, jt := splits3(a, b, d)
				for k := range 3 {
					if sa, sb, st := split(a, b, (k+1)*d); ja[k] != sa || jb[k] != sb || jt[k] != st {
						t.Fatalf("trial %d: splits3(%d)[%d] = (%d, %d, %v), split = (%d, %d, %v)", trial, d, k, ja[k], jb[k], jt[k], sa, sb, st)
					}
				}
			}
			_, ia, ib, tt = run1(a, b, ia, ib, tt, 1)
		}
	}
}

// ------------------------------------------------------ lower bound

// TestLowerBound checks |v_i − v_j| ≤ SEMD(i, j) ≤ |v_i − v_j| + r_i + r_j
// on all 124 750 small-sample pairs, allowing only 1e-12 relative (plus
// 1e-15 absolute) for floating rounding, and logs how tight the bounds are.
func TestLowerBound(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	d := fullMatrix(t, prepare(t, jets, nil), 128)
	for _, bins := range []int{16, 64} {
		s := prepare(t, jets, map[string]any{"bound_bins": bins})
		emb, err := s.LowerBound(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n := s.Len()
		if emb.Dim != bins || len(emb.Vectors) != n*bins || len(emb.Residuals) != n {
			t.Fatalf("embedding shape: dim %d, %d vectors, %d residuals", emb.Dim, len(emb.Vectors), len(emb.Residuals))
		}
		var lowRatio, upRatio []float64
		const rel, abs = 1e-12, 1e-15
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				lo := 0.0
				for k := 0; k < bins; k++ {
					x := emb.Vectors[i*bins+k] - emb.Vectors[j*bins+k]
					lo += x * x
				}
				lo = math.Sqrt(lo)
				up := lo + emb.Residuals[i] + emb.Residuals[j]
				dij := d[i*n+j]
				if lo > dij*(1+rel)+abs || dij > up*(1+rel)+abs {
					t.Fatalf("K=%d pair (%d, %d): bounds %.17g <= %.17g <= %.17g violated", bins, i, j, lo, dij, up)
				}
				// The orthogonal (Pythagorean) upper bound promised by Embedding.Orthogonal.
				rr := emb.Residuals[i] + emb.Residuals[j]
				if upOrth := math.Sqrt(lo*lo + rr*rr); !emb.Orthogonal || dij > upOrth*(1+rel)+abs {
					t.Fatalf("K=%d pair (%d, %d): orthogonal bound %.17g <= %.17g violated (orthogonal=%v)", bins, i, j, dij, upOrth, emb.Orthogonal)
				}
				// The monotone bound promised by Embedding.Monotone (quantile functions are non-decreasing).
				ri, rj := emb.Residuals[i], emb.Residuals[j]
				if upMono := math.Sqrt(lo*lo + ri*ri + rj*rj); !emb.Monotone || dij > upMono*(1+rel)+abs {
					t.Fatalf("K=%d pair (%d, %d): monotone bound %.17g <= %.17g violated (monotone=%v)", bins, i, j, dij, upMono, emb.Monotone)
				}
				lowRatio = append(lowRatio, lo/dij)
				upRatio = append(upRatio, up/dij)
			}
		}
		sort.Float64s(lowRatio)
		sort.Float64s(upRatio)
		q := func(x []float64, p float64) float64 { return x[int(p*float64(len(x)-1))] }
		t.Logf("K=%d: lower/true min %.3f median %.3f max %.6f; upper/true min %.6f median %.3f max %.3f",
			bins, lowRatio[0], q(lowRatio, 0.5), lowRatio[len(lowRatio)-1], upRatio[0], q(upRatio, 0.5), upRatio[len(upRatio)-1])
	}
}

func TestLowerBoundGeV(t *testing.T) {
	js, _ := handJets(t)
	s := prepare(t, js, map[string]any{"normalize": false})
	if _, err := s.LowerBound(context.Background()); err == nil || !strings.Contains(err.Error(), "unequal") {
		t.Errorf("GeV energies with unequal totals: err = %v, want an error", err)
	}
	// Equal totals (A–D all have 100 GeV): the embedding is offered and valid.
	sub := js.Subset([]int{0, 1, 2, 3})
	s = prepare(t, sub, map[string]any{"normalize": false, "bound_bins": 4})
	emb, err := s.LowerBound(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			lo := 0.0
			for k := 0; k < 4; k++ {
				x := emb.Vectors[i*4+k] - emb.Vectors[j*4+k]
				lo += x * x
			}
			lo = math.Sqrt(lo)
			d := metrictest.Pair(t, s, i, j)
			if lo > d*(1+1e-12) || d > (lo+emb.Residuals[i]+emb.Residuals[j])*(1+1e-12)+1e-12 {
				t.Errorf("(%d, %d): %v <= %v <= %v violated", i, j, lo, d, lo+emb.Residuals[i]+emb.Residuals[j])
			}
		}
	}
}

// -------------------------------------------------------- edge cases

// TestOneParticleJet: a one-particle jet's spectrum is only the ω = 0
// entry, so against any jet (same T) SEMD² = Σ_{i<j} 2 E_i E_j ω_ij².
func TestOneParticleJet(t *testing.T) {
	js := &jet.Jets{}
	js.Append([]float64{536}, []float64{0.2}, []float64{1}, []int32{22}, jet.Quark, 1)
	js.Append([]float64{300}, []float64{-0.5}, []float64{4}, []int32{22}, jet.Quark, 1)
	js.Append([]float64{50, 30, 20}, []float64{0, 0.1, -0.2}, []float64{0, 0.2, 0.1}, nil, jet.Gluon, 1)
	s := prepare(t, js, nil)
	if d := metrictest.Pair(t, s, 0, 1); d != 0 {
		t.Errorf("two one-particle jets: SEMD = %v, want 0", d)
	}
	z := []float64{0.5, 0.3, 0.2}
	want2 := 2 * (z[0]*z[1]*(0.01+0.04) + z[0]*z[2]*(0.04+0.01) + z[1]*z[2]*(0.09+0.01))
	if d := metrictest.Pair(t, s, 0, 2); !relOK(d*d, want2, 1e-14, 0) {
		t.Errorf("one-particle vs three: SEMD² = %.17g, want %.17g", d*d, want2)
	}
	g := prepare(t, js, map[string]any{"normalize": false})
	for _, p := range [][2]int{{0, 1}, {0, 2}, {1, 2}} {
		if d := metrictest.Pair(t, g, p[0], p[1]); math.IsNaN(d) || d <= 0 {
			t.Errorf("GeV %v: SEMD = %v", p, d)
		}
	}
	// One-particle jets with unequal pt: only the padding differs, at ω_max:
	// SEMD² = (536² − 300²)·ω_max² with ω_max = 0.4.
	if d := metrictest.Pair(t, g, 0, 1); !relOK(d*d, (536*536-300*300)*0.16, 1e-13, 0) {
		t.Errorf("GeV one-particle pair: SEMD² = %v", d*d)
	}
}

// TestDevSinglePhoton reads row 4377 of data/pythia8-qg-dev.npz, a single
// 536 GeV photon (data/README.md), and checks that its distances to the
// small-sample jets are finite and positive.
func TestDevSinglePhoton(t *testing.T) {
	zr, err := zip.OpenReader(sharedtest.Path(t, "data/pythia8-qg-dev.npz"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	pt, y, phi := devRow(t, zr, 4377)
	if len(pt) != 1 {
		t.Fatalf("row 4377 has %d particles, want 1", len(pt))
	}
	js := sharedtest.SmallSample(t).Subset([]int{0, 1, 2, 3})
	js.Append(pt, y, phi, []int32{22}, jet.Quark, 1)
	for _, params := range []map[string]any{nil, {"normalize": false}, {"beta": 2.0}} {
		s := prepare(t, js, params)
		out := make([]float64, 5*5)
		if err := s.Block(context.Background(), plugin.Range{Lo: 0, Hi: 5}, plugin.Range{Lo: 0, Hi: 5}, out); err != nil {
			t.Fatal(err)
		}
		for k, d := range out {
			if math.IsNaN(d) || math.IsInf(d, 0) || (d <= 0) != (k/5 == k%5) {
				t.Errorf("%v: d(%d, %d) = %v", params, k/5, k%5, d)
			}
		}
	}
}

// devRow returns the non-padding particles of one row of X.npy in the npz.
func devRow(t *testing.T, zr *zip.ReadCloser, row int) (pt, y, phi []float64) {
	for _, f := range zr.File {
		if f.Name != "X.npy" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		br := bufio.NewReader(rc)
		head := make([]byte, 10)
		io.ReadFull(br, head)
		hlen := int(binary.LittleEndian.Uint16(head[8:10]))
		h := make([]byte, hlen)
		io.ReadFull(br, h)
		m := regexp.MustCompile(`'shape': \((\d+), (\d+), 4\)`).FindStringSubmatch(string(h))
		if m == nil || !strings.Contains(string(h), "<f8") {
			t.Fatalf("unexpected X.npy header %q", h)
		}
		M, _ := strconv.Atoi(m[2])
		if _, err := io.CopyN(io.Discard, br, int64(row*M*4*8)); err != nil {
			t.Fatal(err)
		}
		vals := make([]float64, M*4)
		if err := binary.Read(br, binary.LittleEndian, vals); err != nil {
			t.Fatal(err)
		}
		for p := 0; p < M; p++ {
			if vals[p*4] > 0 {
				pt, y, phi = append(pt, vals[p*4]), append(y, vals[p*4+1]), append(phi, vals[p*4+2])
			}
		}
		return
	}
	t.Fatal("X.npy not found in the npz")
	return
}

func TestErrors(t *testing.T) {
	good := &jet.Jets{}
	good.Append([]float64{10, 20}, []float64{0, 0.1}, []float64{0, 0}, nil, jet.Quark, 1)
	empty := &jet.Jets{Offsets: []int{0, 0}, Label: []int8{0}, Weight: []float64{1}}
	nan := &jet.Jets{}
	nan.Append([]float64{10, math.NaN()}, []float64{0, 0.1}, []float64{0, 0}, nil, jet.Quark, 1)
	metrictest.CheckPrepareErrors(t, New(), []metrictest.PrepareCase{
		{Name: "empty jet", Jets: empty, Params: nil, Want: "jet 0: jet has no particles"},
		{Name: "NaN pt", Jets: nan, Params: nil, Want: "jet 0, particle 1: pt is NaN"},
		{Name: "no jets", Jets: nil, Params: nil, Want: "no jets"},
		{Name: "beta 0", Jets: good, Params: map[string]any{"beta": 0.0}, Want: `parameter "beta"`},
		{Name: "negative omega_max", Jets: good, Params: map[string]any{"omega_max": -1.0}, Want: `parameter "omega_max"`},
		{Name: "bound_bins 0", Jets: good, Params: map[string]any{"bound_bins": 0}, Want: `parameter "bound_bins"`},
		{Name: "unknown", Jets: good, Params: map[string]any{"betta": 1.0}, Want: `did you mean "beta"`},
	})
	metrictest.CheckSpaceArgs(t, prepare(t, good, nil))
}

// TestHostParams: the host's metric parameters may be passed along with
// the plugin's own and are ignored, not rejected.
func TestHostParams(t *testing.T) {
	metrictest.CheckHostParams(t, New(), nil)
}

func TestInfo(t *testing.T) {
	info := metrictest.CheckInfo(t, New())
	if !info.Has(plugin.CapExact) || !info.Has(plugin.CapLowerBound) || info.Version != Version {
		t.Errorf("info = %+v", info)
	}
	if _, err := plugin.NewRegistry(New()); err != nil {
		t.Fatal(err)
	}
}

// ---------------------------------------------------------- benchmarks

// BenchmarkSmallSample computes all 124 750 pairs (i < j) of the 500
// small-sample jets (normalised, β = 1) through 64×64 Block tiles covering
// the upper triangle, on one goroutine, with the kernel used by the plugin
// ("fast": the amd64 assembly kernel, or the portable one elsewhere), the
// portable four-chain Go kernel ("go") and the plain two-pointer sweep
// ("plain", the baseline). It reports pairs/s of wall time and pairs per
// CPU second (robust on a shared machine); the diagonal tiles' duplicate
// entries are counted as overhead, not as pairs.
func BenchmarkSmallSample(b *testing.B) {
	jets := sharedtest.SmallSample(b)
	for _, k := range []struct {
		name   string
		kernel func(a, b []entry) float64
	}{{"fast", sweepFast}, {"go", sweepGo}, {"plain", sweepPlain}} {
		b.Run(k.name, func(b *testing.B) {
			s := prepare(b, jets, nil)
			s.kernel = k.kernel
			n := s.Len()
			const tile = 64
			buf := make([]float64, tile*tile)
			b.ResetTimer()
			c0 := cpuSeconds()
			for it := 0; it < b.N; it++ {
				for r0 := 0; r0 < n; r0 += tile {
					for c0 := r0; c0 < n; c0 += tile {
						rows := plugin.Range{Lo: r0, Hi: min(n, r0+tile)}
						cols := plugin.Range{Lo: c0, Hi: min(n, c0+tile)}
						if err := s.Block(context.Background(), rows, cols, buf[:rows.Len()*cols.Len()]); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			cpu := cpuSeconds() - c0
			pairs := float64(n*(n-1)/2) * float64(b.N)
			b.ReportMetric(pairs/b.Elapsed().Seconds(), "pairs/s")
			b.ReportMetric(pairs/cpu, "pairs/cpu-s")
		})
	}
}

// cpuSeconds returns the CPU time (user + system) used by the process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)*1e-6
}
