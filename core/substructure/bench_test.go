package substructure

import (
	"testing"

	"github.com/smearflow/smearflow/core/cluster"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// benchJets runs f on every small-sample jet (PDG masses) per iteration and
// reports ns/jet. The baseline is BenchmarkReset (preparing the
// constituents: 4-vectors and their sum), measured in the same run.
func benchJets(b *testing.B, f func(j *Jet)) {
	jets := sharedtest.SmallSample(b)
	var j Jet
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := 0; i < jets.Len(); i++ {
			if err := j.Reset(jets.Jet(i), true); err != nil {
				b.Fatal(err)
			}
			f(&j)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*jets.Len()), "ns/jet")
}

func BenchmarkReset(b *testing.B) { benchJets(b, func(*Jet) {}) }

func BenchmarkMass(b *testing.B) { benchJets(b, func(j *Jet) { _ = j.Mass() }) }

func BenchmarkE2(b *testing.B) { benchJets(b, func(j *Jet) { _, _ = j.E2(1) }) }

func BenchmarkECF(b *testing.B) { benchJets(b, func(j *Jet) { _, _, _ = j.ECF(1) }) }

func BenchmarkClusterKtWTA(b *testing.B) {
	benchJets(b, func(j *Jet) { _ = j.cluster(&j.hist[histKtWTA], cluster.Kt, MaxAllowableR, WTA) })
}

func BenchmarkTausWTA(b *testing.B) {
	var tau [3]float64
	benchJets(b, func(j *Jet) { _ = j.Taus(WTAKTAxes, UnnormalizedMeasure(1), tau[:]) })
}

func BenchmarkTausOnePassKT(b *testing.B) {
	var tau [3]float64
	benchJets(b, func(j *Jet) { _ = j.Taus(OnePassKTAxes, NormalizedMeasure(1, 0.4), tau[:]) })
}

func BenchmarkSoftDrop(b *testing.B) {
	benchJets(b, func(j *Jet) { _, _ = j.SoftDrop(0, 0.1, 0.4) })
}
