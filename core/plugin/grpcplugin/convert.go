package grpcplugin

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	pb "github.com/smearflow/smearflow/core/plugin/proto"
	"github.com/smearflow/smearflow/core/table"
)

// Conversions between the SDK's Go types and the protobuf messages. The
// encoders alias the Go slices they can (marshalling only reads them); the
// decoders alias the freshly unmarshalled protobuf slices. Every float64
// travels as its IEEE-754 bits, so values are bit-identical on both sides.
// Empty slices decode as nil, except where nil and empty mean different
// things (string table columns, ScoreBatch.Counts), which have a flag.

// ---------------------------------------------------------------- params

// encodeParams returns the canonical JSON of p, or an error naming a
// parameter that JSON cannot carry (NaN or ±Inf).
func encodeParams(p plugin.Params) ([]byte, error) {
	for _, k := range sortedKeys(p) {
		if bad := nonFinite(p[k]); bad {
			return nil, &plugin.ParamError{Param: k, Msg: "value is not finite and cannot be sent to an external plugin"}
		}
	}
	return p.JSON(), nil
}

func nonFinite(v any) bool {
	switch x := v.(type) {
	case float64:
		return math.IsNaN(x) || math.IsInf(x, 0)
	case float32:
		return nonFinite(float64(x))
	case []float64:
		for _, f := range x {
			if nonFinite(f) {
				return true
			}
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ------------------------------------------------------------------ info

func infoToPB(in plugin.Info) (*pb.Info, error) {
	out := &pb.Info{
		Kind: string(in.Kind), Name: in.Name, Version: in.Version, ApiVersion: int32(in.APIVersion),
		Summary: in.Summary, Doc: in.Doc, Capabilities: in.Capabilities,
	}
	for _, p := range in.Params {
		ps := &pb.ParamSpec{
			Name: p.Name, Type: string(p.Type), Required: p.Required, Unit: p.Unit, Doc: p.Doc,
			Min: p.Min, Max: p.Max, Enum: p.Enum,
		}
		if p.Default != nil {
			b, err := json.Marshal(p.Default)
			if err != nil {
				return nil, fmt.Errorf("plugin %s: parameter %q: default %v cannot be encoded: %v", in.ID(), p.Name, p.Default, err)
			}
			ps.DefaultJson = b
		}
		out.Params = append(out.Params, ps)
	}
	return out, nil
}

// infoFromPB rebuilds an Info. Defaults are decoded from JSON and
// canonicalised with ParamSpec.Coerce (JSON loses the int/float
// distinction), so they equal the plugin's canonical defaults.
func infoFromPB(in *pb.Info) (plugin.Info, error) {
	out := plugin.Info{
		Kind: plugin.Kind(in.Kind), Name: in.Name, Version: in.Version, APIVersion: int(in.ApiVersion),
		Summary: in.Summary, Doc: in.Doc, Capabilities: in.Capabilities,
	}
	for _, p := range in.Params {
		ps := plugin.ParamSpec{
			Name: p.Name, Type: plugin.ParamType(p.Type), Required: p.Required, Unit: p.Unit, Doc: p.Doc,
			Min: p.Min, Max: p.Max, Enum: p.Enum,
		}
		if len(p.DefaultJson) > 0 {
			var raw any
			if err := json.Unmarshal(p.DefaultJson, &raw); err != nil {
				return out, fmt.Errorf("plugin %s/%s: parameter %q: bad default %s: %v", in.Kind, in.Name, p.Name, p.DefaultJson, err)
			}
			v, err := ps.Coerce(raw)
			if err != nil {
				return out, fmt.Errorf("plugin %s/%s: parameter %q: bad default %s: %v", in.Kind, in.Name, p.Name, p.DefaultJson, err)
			}
			ps.Default = v
		}
		out.Params = append(out.Params, ps)
	}
	return out, nil
}

// ------------------------------------------------------------------ jets

func jetsToPB(j *jet.Jets) *pb.Jets {
	if j == nil {
		return nil
	}
	out := &pb.Jets{
		Offsets: intsToPB(j.Offsets), Pt: j.Pt, Y: j.Y, Phi: j.Phi, Pid: j.PID,
		Label: labelsToPB(j.Label), Weight: j.Weight, Meta: j.Meta,
	}
	for _, k := range sortedKeys(j.Aux) {
		out.Aux = append(out.Aux, &pb.FloatColumn{Name: k, Values: j.Aux[k]})
	}
	return out
}

func jetsFromPB(in *pb.Jets) *jet.Jets {
	if in == nil {
		return nil
	}
	out := &jet.Jets{
		Offsets: intsFromPB(in.Offsets), Pt: in.Pt, Y: in.Y, Phi: in.Phi, PID: in.Pid,
		Label: labelsFromPB(in.Label), Weight: in.Weight, Meta: in.Meta,
	}
	if len(in.Aux) > 0 {
		out.Aux = make(map[string][]float64, len(in.Aux))
		for _, c := range in.Aux {
			out.Aux[c.Name] = c.Values
		}
	}
	return out
}

func intsToPB(x []int) []int64 {
	if x == nil {
		return nil
	}
	out := make([]int64, len(x))
	for i, v := range x {
		out[i] = int64(v)
	}
	return out
}

func intsFromPB(x []int64) []int {
	if len(x) == 0 {
		return nil
	}
	out := make([]int, len(x))
	for i, v := range x {
		out[i] = int(v)
	}
	return out
}

func labelsToPB(x []int8) []byte {
	if x == nil {
		return nil
	}
	out := make([]byte, len(x))
	for i, v := range x {
		out[i] = byte(v)
	}
	return out
}

func labelsFromPB(x []byte) []int8 {
	if len(x) == 0 {
		return nil
	}
	out := make([]int8, len(x))
	for i, v := range x {
		out[i] = int8(v)
	}
	return out
}

// ----------------------------------------------------------------- table

func tableToPB(t *table.Table) *pb.Table {
	if t == nil {
		return nil
	}
	out := &pb.Table{Columns: make([]*pb.Column, len(t.Columns))}
	for i, c := range t.Columns {
		out.Columns[i] = &pb.Column{Name: c.Name, Unit: c.Unit, IsString: c.IsString(), Floats: c.Float, Strings: c.String}
	}
	return out
}

func tableFromPB(in *pb.Table) *table.Table {
	if in == nil {
		return nil
	}
	out := &table.Table{Columns: make([]table.Column, len(in.Columns))}
	for i, c := range in.Columns {
		col := table.Column{Name: c.Name, Unit: c.Unit}
		if c.IsString {
			col.String = c.Strings
			if col.String == nil {
				col.String = []string{}
			}
		} else {
			col.Float = c.Floats
		}
		out.Columns[i] = col
	}
	return out
}

// --------------------------------------------------------------- smearer

func planToPB(p plugin.SmearPlan) *pb.SmearPlan {
	n := p.Needs
	return &pb.SmearPlan{Axis: p.Axis, Unit: p.Unit, Points: p.Points, Needs: &pb.NeighborRequest{
		Radii: n.Radii, KNearest: int64(n.KNearest), GaussianWidths: n.GaussianWidths, ListRadius: n.ListRadius,
	}}
}

func planFromPB(in *pb.SmearPlan) plugin.SmearPlan {
	n := in.GetNeeds()
	return plugin.SmearPlan{Axis: in.Axis, Unit: in.Unit, Points: in.Points, Needs: plugin.NeighborRequest{
		Radii: n.GetRadii(), KNearest: int(n.GetKNearest()), GaussianWidths: n.GetGaussianWidths(), ListRadius: n.GetListRadius(),
	}}
}

func neighborsToPB(ns []plugin.Neighbor) *pb.Neighbors {
	out := &pb.Neighbors{
		Index: make([]int32, len(ns)), Distance: make([]float64, len(ns)),
		Label: make([]byte, len(ns)), Weight: make([]float64, len(ns)),
	}
	for i, n := range ns {
		out.Index[i], out.Distance[i], out.Label[i], out.Weight[i] = n.Index, n.Distance, byte(n.Label), n.Weight
	}
	return out
}

func neighborsFromPB(in *pb.Neighbors) ([]plugin.Neighbor, error) {
	n := len(in.GetIndex())
	if len(in.GetDistance()) != n || len(in.GetLabel()) != n || len(in.GetWeight()) != n {
		return nil, fmt.Errorf("neighbour list columns have different lengths: %d indices, %d distances, %d labels, %d weights",
			n, len(in.GetDistance()), len(in.GetLabel()), len(in.GetWeight()))
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]plugin.Neighbor, n)
	for i := range out {
		out[i] = plugin.Neighbor{Index: in.Index[i], Distance: in.Distance[i], Label: int8(in.Label[i]), Weight: in.Weight[i]}
	}
	return out, nil
}

func batchToPB(b *plugin.NeighborBatch) *pb.NeighborBatch {
	if b == nil {
		return nil
	}
	return &pb.NeighborBatch{
		Queries: b.Queries, Label: labelsToPB(b.Label), Weight: b.Weight, NormS: b.NormS, NormB: b.NormB,
		Integer: b.Integer, Radii: b.Radii, CountS: b.CountS, CountB: b.CountB,
		KOffsets: intsToPB(b.KOffsets), KList: neighborsToPB(b.KList),
		GaussianWidths: b.GaussianWidths, GaussS: b.GaussS, GaussB: b.GaussB,
		ListRadius: b.ListRadius, ListOffsets: intsToPB(b.ListOffsets), List: neighborsToPB(b.List),
	}
}

func batchFromPB(in *pb.NeighborBatch) (*plugin.NeighborBatch, error) {
	if in == nil {
		return nil, nil
	}
	k, err := neighborsFromPB(in.KList)
	if err != nil {
		return nil, fmt.Errorf("k-nearest lists: %w", err)
	}
	l, err := neighborsFromPB(in.List)
	if err != nil {
		return nil, fmt.Errorf("radius lists: %w", err)
	}
	return &plugin.NeighborBatch{
		Queries: in.Queries, Label: labelsFromPB(in.Label), Weight: in.Weight, NormS: in.NormS, NormB: in.NormB,
		Integer: in.Integer, Radii: in.Radii, CountS: in.CountS, CountB: in.CountB,
		KOffsets: intsFromPB(in.KOffsets), KList: k,
		GaussianWidths: in.GaussianWidths, GaussS: in.GaussS, GaussB: in.GaussB,
		ListRadius: in.ListRadius, ListOffsets: intsFromPB(in.ListOffsets), List: l,
	}, nil
}

func scoresToPB(s *plugin.ScoreBatch) *pb.ScoreBatch {
	if s == nil {
		return nil
	}
	return &pb.ScoreBatch{Scores: s.Scores, Empty: s.Empty, Counts: s.Counts, HasCounts: s.Counts != nil}
}

func scoresFromPB(in *pb.ScoreBatch) *plugin.ScoreBatch {
	if in == nil {
		return nil
	}
	out := &plugin.ScoreBatch{Scores: in.Scores, Empty: in.Empty, Counts: in.Counts}
	if in.HasCounts && out.Counts == nil {
		out.Counts = []float64{}
	}
	return out
}

// ---------------------------------------------------------------- fitter

func fitRequestToPB(r plugin.FitRequest, params []byte) *pb.FitRequest {
	out := &pb.FitRequest{Params: params, Seed: r.Seed, Eval: r.Eval, Probabilities: r.Probabilities}
	for _, s := range r.Samples {
		out.Samples = append(out.Samples, &pb.Sample{Name: s.Name, Values: s.Values})
	}
	return out
}

func fitRequestFromPB(in *pb.FitRequest, params plugin.Params) plugin.FitRequest {
	out := plugin.FitRequest{Params: params, Seed: in.Seed, Eval: in.Eval, Probabilities: in.Probabilities}
	for _, s := range in.Samples {
		out.Samples = append(out.Samples, plugin.Sample{Name: s.Name, Values: s.Values})
	}
	return out
}

func fitResultsToPB(rs []plugin.FitResult) *pb.FitResponse {
	out := &pb.FitResponse{Results: make([]*pb.FitResult, len(rs))}
	for i, r := range rs {
		p := &pb.FitResult{
			Sample: r.Sample, Family: r.Family, N: int64(r.N), LogLik: r.LogLik, Aic: r.AIC,
			Ks: r.KS, KsPValue: r.KSPValue, Ad: r.AD, AdPValue: r.ADPValue, Converged: r.Converged,
			Message: r.Message, Pdf: r.PDF, Cdf: r.CDF, Quantiles: r.Quantiles,
		}
		for _, e := range r.Params {
			p.Params = append(p.Params, &pb.Estimate{Name: e.Name, Value: e.Value, StdErr: e.StdErr, Fixed: e.Fixed})
		}
		out.Results[i] = p
	}
	return out
}

func fitResultsFromPB(in *pb.FitResponse) []plugin.FitResult {
	if len(in.Results) == 0 {
		return nil
	}
	out := make([]plugin.FitResult, len(in.Results))
	for i, p := range in.Results {
		r := plugin.FitResult{
			Sample: p.Sample, Family: p.Family, N: int(p.N), LogLik: p.LogLik, AIC: p.Aic,
			KS: p.Ks, KSPValue: p.KsPValue, AD: p.Ad, ADPValue: p.AdPValue, Converged: p.Converged,
			Message: p.Message, PDF: p.Pdf, CDF: p.Cdf, Quantiles: p.Quantiles,
		}
		for _, e := range p.Params {
			r.Params = append(r.Params, plugin.Estimate{Name: e.Name, Value: e.Value, StdErr: e.StdErr, Fixed: e.Fixed})
		}
		out[i] = r
	}
	return out
}

// ------------------------------------------------------ tagger, explainer

func datasetToPB(d plugin.Dataset) *pb.Dataset {
	return &pb.Dataset{Jets: jetsToPB(d.Jets), Expert: tableToPB(d.Expert)}
}

func datasetFromPB(in *pb.Dataset) plugin.Dataset {
	return plugin.Dataset{Jets: jetsFromPB(in.GetJets()), Expert: tableFromPB(in.GetExpert())}
}

func modelToPB(m plugin.Model) *pb.Model { return &pb.Model{Format: m.Format, Data: m.Data} }

func modelFromPB(in *pb.Model) plugin.Model {
	return plugin.Model{Format: in.GetFormat(), Data: in.GetData()}
}

func trainedToPB(ms []plugin.TrainedModel) *pb.TrainResponse {
	out := &pb.TrainResponse{Models: make([]*pb.TrainedModel, len(ms))}
	for i, m := range ms {
		out.Models[i] = &pb.TrainedModel{Seed: m.Seed, Model: modelToPB(m.Model), History: tableToPB(m.History)}
	}
	return out
}

func trainedFromPB(in *pb.TrainResponse) []plugin.TrainedModel {
	if len(in.Models) == 0 {
		return nil
	}
	out := make([]plugin.TrainedModel, len(in.Models))
	for i, m := range in.Models {
		out[i] = plugin.TrainedModel{Seed: m.Seed, Model: modelFromPB(m.Model), History: tableFromPB(m.History)}
	}
	return out
}

func explanationToPB(e *plugin.Explanation) *pb.Explanation {
	if e == nil {
		return nil
	}
	return &pb.Explanation{Features: e.Features, Relevance: e.Relevance, Output: e.Output, Sum: e.Sum, Lost: e.Lost}
}

func explanationFromPB(in *pb.Explanation) *plugin.Explanation {
	if in == nil {
		return nil
	}
	return &plugin.Explanation{Features: in.Features, Relevance: in.Relevance, Output: in.Output, Sum: in.Sum, Lost: in.Lost}
}

// ---------------------------------------------------------------- metric

func embeddingToPB(e *plugin.Embedding) *pb.Embedding {
	if e == nil {
		return nil
	}
	return &pb.Embedding{Dim: int64(e.Dim), Vectors: e.Vectors, Residuals: e.Residuals, Orthogonal: e.Orthogonal, Monotone: e.Monotone}
}

func embeddingFromPB(in *pb.Embedding) *plugin.Embedding {
	if in == nil {
		return nil
	}
	return &plugin.Embedding{Dim: int(in.Dim), Vectors: in.Vectors, Residuals: in.Residuals, Orthogonal: in.Orthogonal, Monotone: in.Monotone}
}
