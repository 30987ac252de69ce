package neighbors

// The first checkpoint is computed row by row against the tile's columns,
// stored in blocks of eight columns: block b holds, for each coordinate q
// < firstLevel, the eight columns' values at yT[b*8*firstLevel + 8q + l].
// distT (kernel_amd64.go, kernel_generic.go) writes out[c] = Σ_q (x[q] −
// column c's q)² in float32 for c < ld (a multiple of 8).

// transposeIndex is the position of column c's coordinate q in yT.
func transposeIndex(c, q int) int { return (c>>3)*8*firstLevel + 8*q + c&7 }

func distTGo(x, yT []float32, ld int, out []float32) {
	out = out[:ld]
	x = x[:firstLevel]
	for b := 0; b < ld/8; b++ {
		blk := yT[b*8*firstLevel : (b+1)*8*firstLevel]
		var acc [8]float32
		for q, xv := range x {
			row := blk[8*q : 8*q+8]
			for l := range acc {
				e := xv - row[l]
				acc[l] += e * e
			}
		}
		copy(out[8*b:], acc[:])
	}
}

// segSum returns the float32 sum of squared differences of x and y (equal
// lengths, a multiple of 8).
func segSum(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	for k := 0; k+8 <= len(x); k += 8 {
		a, b := x[k:k+8], y[k:k+8]
		d0, d1, d2, d3 := a[0]-b[0], a[1]-b[1], a[2]-b[2], a[3]-b[3]
		d4, d5, d6, d7 := a[4]-b[4], a[5]-b[5], a[6]-b[6], a[7]-b[7]
		s0 += d0*d0 + d4*d4
		s1 += d1*d1 + d5*d5
		s2 += d2*d2 + d6*d6
		s3 += d3*d3 + d7*d7
	}
	return (s0 + s1) + (s2 + s3)
}
