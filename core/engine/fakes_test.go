package engine

import (
	"context"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
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
			{Name: "fail", Type: plugin.TypeBool, Default: false},
			{Name: "path", Type: plugin.TypePath, Default: "", Doc: "a file holding n (overrides n)"},
			{Name: "extra_gluons", Type: plugin.TypeInt, Default: int64(0), Min: plugin.Bound(0)}}}
}

func (toyReader) Read(ctx context.Context, req plugin.ReadRequest, emit func(*jet.Jets) error) error {
	if req.Params.Bool("fail") {
		return errors.New("toy reader: asked to fail")
	}
	n := req.Params.Int("n")
	if p := req.Params.String("path"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if n, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
			return err
		}
	}
	js := &jet.Jets{}
	for i := 0; i < 2*n+2*req.Params.Int("extra_gluons"); i++ {
		lab := int8(i % 2)
		if i >= 2*n {
			lab = jet.Gluon
		}
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

// openSpaces counts toy spaces prepared and not yet closed.
var openSpaces atomic.Int64

func (toyMetric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	openSpaces.Add(1)
	return &toySpace{js: req.Jets, hang: req.Params.Bool("hang"), fail: req.Params.Bool("fail")}, nil
}

// toyBoundMetric is toyMetric with an exact lower-bound embedding (v = pt,
// r = 0), so the engine takes the pruned path instead of keeping a matrix.
type toyBoundMetric struct{ toyMetric }

func (m toyBoundMetric) Info() plugin.Info {
	i := m.toyMetric.Info()
	i.Name = "toybound"
	i.Capabilities = []string{plugin.CapLowerBound}
	return i
}

func (m toyBoundMetric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	s, err := m.toyMetric.Prepare(ctx, req)
	if err != nil {
		return nil, err
	}
	return toyBoundSpace{s.(*toySpace)}, nil
}

type toyBoundSpace struct{ *toySpace }

func (s toyBoundSpace) LowerBound(ctx context.Context) (*plugin.Embedding, error) {
	e := &plugin.Embedding{Dim: 1, Vectors: make([]float64, s.Len()), Residuals: make([]float64, s.Len())}
	for i := range e.Vectors {
		e.Vectors[i] = s.js.Pt[s.js.Offsets[i]]
	}
	return e, nil
}

type toySpace struct {
	js         *jet.Jets
	hang, fail bool
	closed     bool
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
func (s *toySpace) Close() error {
	if !s.closed {
		s.closed = true
		openSpaces.Add(-1)
	}
	return nil
}

// toyTagger must not be reached by the tests that use it.
type toyTagger struct{}

func (toyTagger) Info() plugin.Info {
	return plugin.Info{Kind: plugin.KindTagger, Name: "toy", Version: "1", APIVersion: plugin.APIVersion}
}

func (toyTagger) Train(ctx context.Context, req plugin.TrainRequest) ([]plugin.TrainedModel, error) {
	return nil, errors.New("toy tagger: Train was called")
}

func (toyTagger) Predict(ctx context.Context, params plugin.Params, model plugin.Model, data plugin.Dataset) ([]float64, error) {
	return nil, errors.New("toy tagger: Predict was called")
}
