package ot

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// lpOptimum solves the same problem with gonum's dense simplex (an
// independent LP solver): variables f_ij and slacks of the two families
// of ≤ constraints, plus the total-flow equality.
func lpOptimum(t *testing.T, a, b, cost []float64) float64 {
	t.Helper()
	m, n := len(a), len(b)
	nv := m*n + m + n
	rows := m + n + 1
	A := mat.NewDense(rows, nv, nil)
	rhs := make([]float64, rows)
	c := make([]float64, nv)
	copy(c, cost)
	sa, sb := 0.0, 0.0
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			A.Set(i, i*n+j, 1)
			A.Set(m+j, i*n+j, 1)
			A.Set(m+n, i*n+j, 1)
		}
		A.Set(i, m*n+i, 1)
		rhs[i] = a[i]
		sa += a[i]
	}
	for j := 0; j < n; j++ {
		A.Set(m+j, m*n+m+j, 1)
		rhs[m+j] = b[j]
		sb += b[j]
	}
	rhs[m+n] = min(sa, sb)
	opt, _, err := lp.Simplex(c, A, rhs, 1e-10, nil)
	if err != nil {
		t.Fatalf("gonum lp: %v (a=%v b=%v)", err, a, b)
	}
	return opt
}

func randomProblem(r *rand.Rand, m, n int, integerCosts, balanced bool) (a, b, cost []float64) {
	a, b = make([]float64, m), make([]float64, n)
	for i := range a {
		a[i] = 0.1 + r.Float64()
	}
	for j := range b {
		b[j] = 0.1 + r.Float64()
	}
	if balanced {
		sa, sb := 0.0, 0.0
		for _, x := range a {
			sa += x
		}
		for _, x := range b {
			sb += x
		}
		for j := range b {
			b[j] *= sa / sb
		}
	}
	cost = make([]float64, m*n)
	for k := range cost {
		if integerCosts {
			cost[k] = float64(r.IntN(3)) // many ties: degenerate pivots
		} else {
			cost[k] = r.Float64()
		}
	}
	return
}

// checkPlan verifies the plan's feasibility and its cost.
func checkPlan(t *testing.T, s *Solver, res Result, a, b, cost []float64) {
	t.Helper()
	flows := s.Flows(nil)
	rows, cols := make([]float64, len(a)), make([]float64, len(b))
	total, c := 0.0, 0.0
	for _, f := range flows {
		if f.F < 0 {
			t.Fatalf("negative flow %v", f)
		}
		rows[f.I] += f.F
		cols[f.J] += f.F
		total += f.F
		c += f.F * cost[f.I*len(b)+f.J]
	}
	const tol = 1e-12
	for i := range a {
		if rows[i] > a[i]*(1+tol)+tol {
			t.Fatalf("row %d ships %v > a = %v", i, rows[i], a[i])
		}
	}
	for j := range b {
		if cols[j] > b[j]*(1+tol)+tol {
			t.Fatalf("column %d receives %v > b = %v", j, cols[j], b[j])
		}
	}
	if math.Abs(total-res.Flow) > 1e-12*(1+res.Flow) || math.Abs(c-res.Cost) > 1e-12*(1+math.Abs(c)) {
		t.Fatalf("plan moves %v at cost %v; result says %v at %v", total, c, res.Flow, res.Cost)
	}
}

// TestAgainstLP compares with gonum's LP simplex on random problems up to
// 7×7: balanced and unbalanced, real and tied integer costs.
func TestAgainstLP(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var s Solver
	for trial := 0; trial < 400; trial++ {
		m, n := 1+r.IntN(7), 1+r.IntN(7)
		a, b, cost := randomProblem(r, m, n, trial%2 == 0, trial%3 == 0)
		res, err := s.Solve(a, b, cost)
		if err != nil {
			t.Fatal(err)
		}
		want := lpOptimum(t, a, b, cost)
		if math.Abs(res.Cost-want) > 1e-9*(1+math.Abs(want)) {
			t.Fatalf("trial %d (%d×%d): network simplex %.15g, LP %.15g", trial, m, n, res.Cost, want)
		}
		checkPlan(t, &s, res, a, b, cost)
	}
}

// TestAgainstAssignment: unit masses make the problem an assignment
// problem; compare with the minimum over all permutations.
func TestAgainstAssignment(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	var s Solver
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(6)
		ones := slices.Repeat([]float64{1}, n)
		cost := make([]float64, n*n)
		for k := range cost {
			cost[k] = r.Float64()
			if trial%2 == 0 {
				cost[k] = float64(r.IntN(2))
			}
		}
		res, err := s.Solve(ones, ones, cost)
		if err != nil {
			t.Fatal(err)
		}
		best := math.Inf(1)
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		var rec func(k int)
		rec = func(k int) {
			if k == n {
				c := 0.0
				for i, j := range perm {
					c += cost[i*n+j]
				}
				best = min(best, c)
				return
			}
			for i := k; i < n; i++ {
				perm[k], perm[i] = perm[i], perm[k]
				rec(k + 1)
				perm[k], perm[i] = perm[i], perm[k]
			}
		}
		rec(0)
		if math.Abs(res.Cost-best) > 1e-12*(1+best) {
			t.Fatalf("trial %d (n=%d): %v, brute force %v", trial, n, res.Cost, best)
		}
	}
}

// TestLargerDegenerate exercises heavy degeneracy (equal masses, costs in
// {0, 1}) at the sizes of real jets, against the LP for moderate sizes.
func TestLargerDegenerate(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	var s Solver
	for trial := 0; trial < 6; trial++ {
		m, n := 10+r.IntN(10), 10+r.IntN(10)
		a, b := slices.Repeat([]float64{1}, m), slices.Repeat([]float64{1}, n)
		cost := make([]float64, m*n)
		for k := range cost {
			cost[k] = float64(r.IntN(2))
		}
		res, err := s.Solve(a, b, cost)
		if err != nil {
			t.Fatal(err)
		}
		if want := lpOptimum(t, a, b, cost); math.Abs(res.Cost-want) > 1e-9*(1+want) {
			t.Fatalf("trial %d: %v, LP %v", trial, res.Cost, want)
		}
		checkPlan(t, &s, res, a, b, cost)
	}
}

func TestEdgeCases(t *testing.T) {
	var s Solver
	tests := []struct {
		name       string
		a, b, cost []float64
		want, flow float64
	}{
		{"1x1", []float64{2}, []float64{3}, []float64{0.5}, 1, 2},
		{"zero masses dropped", []float64{0, 1}, []float64{1, 0}, []float64{9, 9, 4, 9}, 4, 1},
		{"all zero", []float64{0}, []float64{0}, []float64{1}, 0, 0},
		{"empty side", nil, []float64{1}, nil, 0, 0},
		{"1xn", []float64{1}, []float64{0.25, 0.75}, []float64{2, 1}, 1.25, 1},
		{"unbalanced picks cheap", []float64{1}, []float64{1, 1}, []float64{3, 1}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Solve(tc.a, tc.b, tc.cost)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Cost-tc.want) > 1e-15 || res.Flow != tc.flow {
				t.Errorf("got cost %v flow %v, want %v %v", res.Cost, res.Flow, tc.want, tc.flow)
			}
		})
	}
	for _, tc := range []struct {
		name       string
		a, b, cost []float64
		want       string
	}{
		{"shape", []float64{1}, []float64{1}, []float64{1, 2}, "cost has 2 entries"},
		{"negative mass", []float64{-1}, []float64{1}, []float64{1}, "a[0] = -1"},
		{"NaN mass", []float64{1}, []float64{math.NaN()}, []float64{1}, "b[0] = NaN"},
		{"Inf cost", []float64{1}, []float64{1}, []float64{math.Inf(1)}, "cost[0][0] = +Inf"},
	} {
		if _, err := s.Solve(tc.a, tc.b, tc.cost); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	a, b, cost := randomProblem(r, 40, 50, true, false)
	var s1, s2 Solver
	r1, _ := s1.Solve(a, b, cost)
	s2.Solve(b[:3], a[:3], cost[:9]) // different history
	r2, _ := s2.Solve(a, b, cost)
	if r1 != r2 || !slices.Equal(s1.Flows(nil), s2.Flows(nil)) {
		t.Errorf("results differ: %+v vs %+v", r1, r2)
	}
}

func BenchmarkSolve50x50(b *testing.B) {
	r := rand.New(rand.NewPCG(51, 52))
	a, bb, cost := randomProblem(r, 50, 50, false, true)
	var s Solver
	for b.Loop() {
		if _, err := s.Solve(a, bb, cost); err != nil {
			b.Fatal(err)
		}
	}
}
