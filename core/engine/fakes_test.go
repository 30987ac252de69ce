package engine

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// toyReader emits n quark and n gluon one- or two-particle jets whose
// distance (see toyMetric) separates the classes partly.
type toyReader struct{}

func (toyReader) Info() plugin.Info {
	return plugin.Info{Kind: plugin.KindReader, Name: "toy", Version: "1", APIVersion: plugin.APIVersion,
		Params: plugin.Spec{{Name: "n", Type: plugin.TypeInt, Default: int64(50), Min: plugin.Bound(0)},
			{Name: "fail", Type: plugin.TypeBool, Default: false}}}
}

func (toyReader) Read(ctx context.Context, req plugin.ReadRequest, emit func(*jet.Jets) error) error {
	if req.Params.Bool("fail") {
		return errors.New("toy reader: asked to fail")
	}
	n := req.Params.Int("n")
	js := &jet.Jets{}
	for i := 0; i < 2*n; i++ {
		lab := int8(i % 2)
		// pt encodes a 1-D position: quarks around 10, gluons around 12.
		x := 10 + 2*float64(1-lab) + 3*math.Sin(float64(i)*1.7)
		js.Append([]float64{x}, []float64{0}, []float64{0}, []int32{22}, lab, 1)
	}
	return emit(js)
}

// toyMetric is |pt_a - pt_b|; `hang` makes Block wait for the context.
type toyMetric struct{}

func (toyMetric) Info() plugin.Info {
	return plugin.Info{Kind: plugin.KindMetric, Name: "toy", Version: "1", APIVersion: plugin.APIVersion,
		Params: plugin.Spec{{Name: "hang", Type: plugin.TypeBool, Default: false},
			{Name: "fail", Type: plugin.TypeBool, Default: false}}}
}

func (toyMetric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	return &toySpace{js: req.Jets, hang: req.Params.Bool("hang"), fail: req.Params.Bool("fail")}, nil
}

type toySpace struct {
	js         *jet.Jets
	hang, fail bool
}

func (s *toySpace) Len() int { return s.js.Len() }
func (s *toySpace) d(i, j int) float64 {
	return math.Abs(s.js.Pt[s.js.Offsets[i]] - s.js.Pt[s.js.Offsets[j]])
}
func (s *toySpace) misbehave(ctx context.Context) error {
	if s.hang {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Minute):
		}
	}
	if s.fail {
		return errors.New("toy metric: asked to fail")
	}
	return nil
}

func (s *toySpace) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if err := s.misbehave(ctx); err != nil {
		return err
	}
	k := 0
	for i := rows.Lo; i < rows.Hi; i++ {
		for j := cols.Lo; j < cols.Hi; j++ {
			out[k] = s.d(i, j)
			k++
		}
	}
	return nil
}
func (s *toySpace) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if err := s.misbehave(ctx); err != nil {
		return err
	}
	for k := range i {
		out[k] = s.d(int(i[k]), int(j[k]))
	}
	return nil
}
func (s *toySpace) Close() error { return nil }
