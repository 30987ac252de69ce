//go:build amd64 && !purego

package neighbors

import "golang.org/x/sys/cpu"

// The assembly kernel is written for 16 first-checkpoint coordinates.
var (
	_ [firstLevel - 16]struct{}
	_ [16 - firstLevel]struct{}
)

var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// distT16AVX2 writes out[8b+l] = Σ_{q<16} (x[q] − yT[128b+8q+l])² for
// b < nblk (kernel_amd64.s).
//
//go:noescape
func distT16AVX2(x, yT *float32, nblk int, out *float32)

func distT(x, yT []float32, ld int, out []float32) {
	if useAVX2 && ld > 0 {
		_, _, _ = x[firstLevel-1], yT[ld*firstLevel-1], out[ld-1]
		distT16AVX2(&x[0], &yT[0], ld/8, &out[0])
		return
	}
	distTGo(x, yT, ld, out)
}

// sqdist64AVX2 returns Σ_{k<n} (x[k] − y[k])² for n a multiple of 16
// (kernel_amd64.s).
//
//go:noescape
func sqdist64AVX2(x, y *float64, n int) float64

// sqDist64 returns the float64 sum of squared differences of x and y
// (equal lengths).
func sqDist64(x, y []float64) float64 {
	n := len(x)
	y = y[:n]
	m := n &^ 15
	var s float64
	if useAVX2 && m > 0 {
		s = sqdist64AVX2(&x[0], &y[0], m)
	} else {
		m = 0
	}
	for k := m; k < n; k++ {
		e := x[k] - y[k]
		s += e * e
	}
	return s
}
