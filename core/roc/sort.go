package roc

import "math"

// descKey maps a non-NaN float64 to a uint64 whose ascending order is the
// descending order of the floats (-0 and +0 map to the same key).
func descKey(x float64) uint64 {
	if x == 0 {
		x = 0 // fold -0 into +0: they tie
	}
	b := math.Float64bits(x)
	if b>>63 == 1 {
		b = ^b
	} else {
		b |= 1 << 63
	}
	return ^b
}

// keyScore inverts descKey.
func keyScore(k uint64) float64 {
	b := ^k
	if b>>63 == 1 {
		b &^= 1 << 63
	} else {
		b = ^b
	}
	return math.Float64frombits(b)
}

// sortDesc returns the indices idx (given in ascending index order) sorted
// by descending score, ties in ascending index order, and the keys in that
// order. It is a stable least-significant-digit radix sort with 11-bit
// digits; passes whose digit is constant are skipped.
func sortDesc(keys []uint64, idx []uint32) ([]uint64, []uint32) {
	n := len(keys)
	if n < 256 {
		insertion(keys, idx)
		return keys, idx
	}
	k2 := make([]uint64, n)
	i2 := make([]uint32, n)
	const bits, mask = 11, 1<<11 - 1
	var count [1 << bits]int
	for shift := uint(0); shift < 64; shift += bits {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&mask]++
		}
		if count[(keys[0]>>shift)&mask] == n {
			continue // every key has the same digit
		}
		sum := 0
		for d := range count {
			c := count[d]
			count[d] = sum
			sum += c
		}
		for j, k := range keys {
			d := (k >> shift) & mask
			p := count[d]
			count[d]++
			k2[p], i2[p] = k, idx[j]
		}
		keys, k2 = k2, keys
		idx, i2 = i2, idx
	}
	return keys, idx
}

func insertion(keys []uint64, idx []uint32) {
	for i := 1; i < len(keys); i++ {
		k, x := keys[i], idx[i]
		j := i
		for j > 0 && keys[j-1] > k {
			keys[j], idx[j] = keys[j-1], idx[j-1]
			j--
		}
		keys[j], idx[j] = k, x
	}
}
