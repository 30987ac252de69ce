package observable

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/jetobs"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/metrics/metricutil"
)

// Values computes the observable for every jet.
func Values(ctx context.Context, jets *jet.Jets, o Options) ([]float64, error) {
	out := make([]float64, jets.Len())
	for i := range out {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := jets.Jet(i)
		var x float64
		var err error
		switch o.Observable {
		case Mass:
			x, err = jetobs.Mass(v, o.Massive)
		case Multiplicity:
			x = float64(jetobs.Multiplicity(v))
			if x == 0 {
				err = &jetobs.EmptyJetError{Jet: i}
			}
		case PtD:
			x, err = jetobs.PtD(v)
		case Width, Angularity:
			var y0, phi0 float64
			if y0, phi0, err = jetobs.Axis(v, o.Axis, o.Massive); err == nil {
				if o.Observable == Width {
					x, err = jetobs.Width(v, y0, phi0)
				} else {
					x, err = jetobs.Angularity(v, y0, phi0, o.A, o.Radius)
				}
			}
		default:
			return nil, &plugin.ParamError{Param: "observable", Msg: fmt.Sprintf("unknown observable %q", o.Observable)}
		}
		if err != nil {
			return nil, fmt.Errorf("observable %s: %w", o.Observable, err)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("observable %s: jet %d: value %v is not finite", o.Observable, i, x)
		}
		out[i] = x
	}
	return out, nil
}

// Prepare computes the observable of every jet once.
func (*Metric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	o, err := options(req.Params)
	if err != nil {
		return nil, err
	}
	if err := metricutil.CheckJets("observable", req.Jets); err != nil {
		return nil, err
	}
	v, err := Values(ctx, req.Jets, o)
	if err != nil {
		return nil, err
	}
	return &Space{v: v}, nil
}

// Space holds the observable of every jet. It is read-only after Prepare
// and safe for concurrent use.
type Space struct{ v []float64 }

// Len reports the number of jets.
func (s *Space) Len() int { return len(s.v) }

// Close releases the values.
func (s *Space) Close() error { s.v = nil; return nil }

// Block writes |O(i) − O(j)| for i in rows, j in cols into out (row-major).
func (s *Space) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if err := metricutil.CheckBlock("observable", s.Len(), rows, cols, out); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	vc := s.v[cols.Lo:cols.Hi]
	for i := rows.Lo; i < rows.Hi; i++ {
		row := out[(i-rows.Lo)*len(vc) : (i-rows.Lo+1)*len(vc)]
		x := s.v[i]
		for k, y := range vc {
			row[k] = math.Abs(x - y)
		}
	}
	return nil
}

// Pairs writes |O(i[k]) − O(j[k])| into out[k].
func (s *Space) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if err := metricutil.CheckPairs("observable", s.Len(), i, j, out); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for k := range i {
		out[k] = math.Abs(s.v[i[k]] - s.v[j[k]])
	}
	return nil
}

// LowerBound returns the exact one-dimensional embedding v_i = O(i) with
// zero residuals: |v_i − v_j| is the distance itself. The returned
// embedding must not be modified.
func (s *Space) LowerBound(ctx context.Context) (*plugin.Embedding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &plugin.Embedding{Dim: 1, Vectors: s.v, Residuals: make([]float64, len(s.v))}, nil
}

var _ plugin.LowerBounder = (*Space)(nil)
