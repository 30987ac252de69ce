package cluster

import (
	"fmt"
	"slices"

	"go-hep.org/x/hep/fastjet"

	"github.com/smearflow/smearflow/core/jet"
)

// goHEPInclusive clusters with go-hep.org/x/hep/fastjet. go-hep implements
// only the N3Dumb strategy (NlnN panics, every other strategy falls back to
// N3Dumb), so the strategy is requested explicitly. Constituent indices are
// carried in the jets' UserInfo.
func goHEPInclusive(particles []jet.FourVector, def Definition, ptMin float64) ([]Jet, error) {
	var alg fastjet.JetAlgorithm
	switch def.Algorithm {
	case AntiKt:
		alg = fastjet.AntiKtAlgorithm
	case Kt:
		alg = fastjet.KtAlgorithm
	case Cambridge:
		alg = fastjet.CambridgeAlgorithm
	default:
		return nil, fmt.Errorf("cluster: unknown jet algorithm %d", int(def.Algorithm))
	}
	in := make([]fastjet.Jet, len(particles))
	for i, p := range particles {
		in[i] = fastjet.NewJet(p.Px, p.Py, p.Pz, p.E)
		in[i].UserInfo = i
	}
	jd := fastjet.NewJetDefinition(alg, def.R, fastjet.EScheme, fastjet.N3DumbStrategy)
	cs, err := fastjet.NewClusterSequence(in, jd)
	if err != nil {
		return nil, fmt.Errorf("cluster: go-hep fastjet: %w", err)
	}
	inc, err := cs.InclusiveJets(ptMin)
	if err != nil {
		return nil, fmt.Errorf("cluster: go-hep fastjet: %w", err)
	}
	out := make([]Jet, len(inc))
	for k := range inc {
		cons, err := cs.Constituents(&inc[k])
		if err != nil {
			return nil, fmt.Errorf("cluster: go-hep fastjet constituents: %w", err)
		}
		idx := make([]int, len(cons))
		for c := range cons {
			i, ok := cons[c].UserInfo.(int)
			if !ok {
				return nil, fmt.Errorf("cluster: go-hep fastjet lost the index of a constituent")
			}
			idx[c] = i
		}
		slices.Sort(idx)
		j := &inc[k]
		out[k] = Jet{FourVector: jet.FourVector{Px: j.Px(), Py: j.Py(), Pz: j.Pz(), E: j.E()}, Constituents: idx}
	}
	return out, nil
}
