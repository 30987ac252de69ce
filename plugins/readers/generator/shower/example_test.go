package shower_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/smearflow/smearflow/plugins/readers/generator/shower"
)

// Shower one 500 GeV gluon inside R = 0.4 and check the bookkeeping: the
// final partons sum to the initiator, whose three-momentum is 500 GeV along
// +x and whose mass is the jet mass.
func ExampleShower_Run() {
	s, err := shower.New(shower.DefaultParams())
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	jet, partons := s.Run(rng, shower.Gluon, 500, 0.4, nil)
	var sum shower.Vec4
	for _, p := range partons {
		sum = sum.Add(p.P)
	}
	fmt.Printf("|p| = %.9f GeV, mass > 0: %v\n", jet.P(), jet.M() > 0)
	fmt.Println("partons sum to the jet:", math.Abs(sum.E-jet.E) < 1e-9 && math.Abs(sum.Px-jet.Px) < 1e-9)
	ok := true
	for _, b := range s.Branchings() {
		ok = ok && b.Kt >= 1.5 && b.Theta <= b.ThetaMax
	}
	fmt.Println("every branching above the cutoff and angular ordered:", ok)
	// Output:
	// |p| = 500.000000000 GeV, mass > 0: true
	// partons sum to the jet: true
	// every branching above the cutoff and angular ordered: true
}

// The one-loop running coupling.
func ExampleParams_Alpha() {
	p := shower.DefaultParams()
	fmt.Printf("alpha_s(M_Z) = %.3f, alpha_s(10 GeV) = %.3f, alpha_s(1.5 GeV) = %.3f, Lambda = %.0f MeV\n",
		p.Alpha(shower.MZ), p.Alpha(10), p.Alpha(1.5), 1000*p.Lambda())
	// Output:
	// alpha_s(M_Z) = 0.118, alpha_s(10 GeV) = 0.173, alpha_s(1.5 GeV) = 0.289, Lambda = 88 MeV
}
