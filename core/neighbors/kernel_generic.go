//go:build !amd64 || purego

package neighbors

func distT(x, yT []float32, ld int, out []float32) { distTGo(x, yT, ld, out) }

func sqDist64(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	for k := range x {
		e := x[k] - y[k]
		s += e * e
	}
	return s
}
