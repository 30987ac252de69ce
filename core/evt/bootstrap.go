package evt

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/smearflow/smearflow/internal/parallel"
)

// BootStream is the second PCG seed word of every bootstrap replicate's
// generator; the first is derived from the user seed and the replicate
// index (replicateRNG), so replicate b draws the same numbers whatever
// the number of workers.
const BootStream = 0x5eed_b007_57a7_0001

// splitmix64 is the SplitMix64 finaliser, used to derive independent
// per-replicate seeds from (seed, index).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// DeriveSeed returns the seed of item i (a replicate, a sample) of a run
// seeded with seed.
func DeriveSeed(seed uint64, i int) uint64 { return splitmix64(seed ^ splitmix64(uint64(i)+1)) }

func replicateRNG(seed uint64, b int) *rand.Rand {
	return rand.New(rand.NewPCG(DeriveSeed(seed, b), BootStream))
}

// GOFPValues holds parametric-bootstrap p-values of the goodness-of-fit
// statistics of a fit.
type GOFPValues struct {
	// KS and AD are (1 + #{T_b >= T}) / (1 + B), with B the number of
	// successful replicates (Davison & Hinkley 1997, eq. 4.11), so they
	// are never 0; NaN when no replicate succeeded.
	KS, AD float64
	NBoot  int    // replicates requested
	Failed int    // replicates whose refit failed or did not converge (excluded)
	Seed   uint64 // the seed used
	// KSBoot and ADBoot are the statistics of the successful replicates,
	// in replicate order.
	KSBoot, ADBoot []float64
}

// BootstrapGOF computes parametric-bootstrap p-values for the KS and AD
// statistics of a converged fit: nBoot samples of size N are drawn from
// the fitted distribution, each is refitted with the same family and
// options, and its statistics are computed against its own fit (so the
// estimation of the parameters is accounted for). workers <= 0 uses
// GOMAXPROCS; the result does not depend on it.
func (r *Result) BootstrapGOF(ctx context.Context, nBoot int, seed uint64, workers int) (GOFPValues, error) {
	if r == nil || !r.Converged {
		return GOFPValues{}, errors.New("evt: bootstrap p-values need a converged fit")
	}
	if nBoot < 1 {
		return GOFPValues{}, fmt.Errorf("evt: n_boot must be >= 1, got %d", nBoot)
	}
	ks := make([]float64, nBoot)
	ad := make([]float64, nBoot)
	ok := make([]bool, nBoot)
	err := parallel.ForEach(ctx, nBoot, workers, func() []float64 { return make([]float64, r.N) }, func(b int, xs []float64) {
		rng := replicateRNG(seed, b)
		for i := range xs {
			xs[i] = r.Dist.Rand(rng)
		}
		slices.Sort(xs)
		if checkSample(r.Family, xs, r.Options) != nil {
			return
		}
		fr, err := fitSorted(r.Family, xs, r.Options)
		if err != nil || !fr.converged {
			return
		}
		ks[b], ad[b] = gofSorted(fr.d, xs)
		ok[b] = !math.IsNaN(ks[b]) && !math.IsNaN(ad[b])
	})
	if err != nil {
		return GOFPValues{}, err
	}
	out := GOFPValues{NBoot: nBoot, Seed: seed}
	nks, nad := 0, 0
	for b := range ok {
		if !ok[b] {
			out.Failed++
			continue
		}
		out.KSBoot = append(out.KSBoot, ks[b])
		out.ADBoot = append(out.ADBoot, ad[b])
		if ks[b] >= r.KS {
			nks++
		}
		if ad[b] >= r.AD {
			nad++
		}
	}
	good := nBoot - out.Failed
	if good == 0 {
		out.KS, out.AD = math.NaN(), math.NaN()
		return out, nil
	}
	out.KS = float64(1+nks) / float64(1+good)
	out.AD = float64(1+nad) / float64(1+good)
	return out, nil
}
