package plugin

import (
	"context"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/table"
)

// Plugin is what every plugin implements.
type Plugin interface {
	Info() Info
}

// ---------------------------------------------------------------- reader

// ReadRequest asks a reader for jets. Path parameters have already been
// resolved against the workflow's folder by the host.
type ReadRequest struct {
	Params    Params
	Seed      int64 // for seeded subsampling and generation
	BatchSize int   // jets per emitted batch; 0 means the plugin's choice
}

// Reader produces labelled jets.
type Reader interface {
	Plugin
	// Read streams the selected jets, in order, as batches passed to emit.
	// Memory used by the reader itself must be bounded by a batch (and by
	// any selection that needs a buffer, such as seeded subsampling). A
	// non-nil error from emit stops reading and is returned.
	Read(ctx context.Context, req ReadRequest, emit func(*jet.Jets) error) error
}

// ---------------------------------------------------------------- metric

// MetricRequest asks a metric to prepare distances between jets.
type MetricRequest struct {
	Params Params
	Jets   *jet.Jets
}

// Metric is a distance between jets.
type Metric interface {
	Plugin
	// Prepare loads the jets once (building whatever per-jet state the
	// metric needs) and returns a Space that answers tiles of pairs.
	Prepare(ctx context.Context, req MetricRequest) (Space, error)
}

// Range is the half-open index range [Lo, Hi).
type Range struct{ Lo, Hi int }

// Len returns Hi - Lo.
func (r Range) Len() int { return r.Hi - r.Lo }

// Space is a metric prepared over a fixed set of jets, indexed 0..Len()-1.
// A Space must be safe for concurrent use by several goroutines.
type Space interface {
	// Len is the number of jets.
	Len() int
	// Block writes d(i, j) for i in rows and j in cols into out, row-major
	// (out[(i-rows.Lo)*cols.Len() + (j-cols.Lo)]); len(out) must be
	// rows.Len()*cols.Len().
	Block(ctx context.Context, rows, cols Range, out []float64) error
	// Pairs writes d(i[k], j[k]) into out[k].
	Pairs(ctx context.Context, i, j []int32, out []float64) error
	// Close releases the space.
	Close() error
}

// LowerBounder is an optional capability of a Space (declared as
// CapLowerBound): an embedding v_i in R^Dim with residual r_i >= 0 such
// that, for every pair,
//
//	|v_i - v_j| <= d(i, j) <= |v_i - v_j| + r_i + r_j
//
// exactly (up to floating-point rounding, which the host allows for). The
// host uses it to skip exact evaluations without changing any result.
type LowerBounder interface {
	LowerBound(ctx context.Context) (*Embedding, error)
}

// OutOfProcess is implemented by spaces served by another process (the
// gRPC shims of external plugins). Their calls wait for the other process
// instead of using a core of this one, so a host may keep more of them in
// flight than it has cores.
type OutOfProcess interface {
	OutOfProcess() bool
}

// Embedding is the lower-bound embedding of a LowerBounder.
type Embedding struct {
	Dim       int
	Vectors   []float64 // Len()*Dim, row-major
	Residuals []float64 // Len()
	// Orthogonal promises more: the metric is an L2 distance d(i,j) =
	// |x_i − x_j|, v_i is an orthogonal projection P x_i and r_i = |(I−P) x_i|,
	// so that the tighter d(i,j)² ≤ |v_i − v_j|² + (r_i + r_j)² holds
	// (SEMD: v = bin averages of the quantile function).
	Orthogonal bool
	// Monotone (with Orthogonal) promises that the remainders are
	// non-negatively correlated, ⟨(I−P)x_i, (I−P)x_j⟩ ≥ 0, so that
	// d(i,j)² ≤ |v_i − v_j|² + r_i² + r_j². It holds for bin averages of
	// non-decreasing functions (Chebyshev's sum inequality per bin), e.g.
	// SEMD's quantile functions.
	Monotone bool
}

// --------------------------------------------------------------- smearer

// NeighborRequest says which neighbour summaries a smearer needs for every
// query jet. The host computes them exactly over the query's reference set
// (see core/neighbors) and hands them to Smear in batches.
type NeighborRequest struct {
	// Radii: per class, the total reference weight within each radius
	// (d <= r, inclusive). Radii must be sorted ascending.
	Radii []float64
	// KNearest: the k nearest reference jets, sorted by distance, plus
	// every further jet tied with the k-th (so counts within the k-th
	// distance are exact).
	KNearest int
	// GaussianWidths: per class, sum of weight*exp(-d^2/(2 sigma^2)) over
	// the whole reference set, for each sigma.
	GaussianWidths []float64
	// ListRadius: every reference jet within this radius, sorted by
	// distance (0 = none).
	ListRadius float64
}

// SmearPlan is a smearer's plan for its parameters.
type SmearPlan struct {
	// Axis names the scanned resolution parameter ("eps" or "k") and
	// Points holds its values; Smear returns one score per query and point.
	Axis   string
	Unit   string // unit of the axis values ("" for metric units)
	Points []float64
	Needs  NeighborRequest
}

// Neighbor is one reference jet near a query.
type Neighbor struct {
	Index    int32 // global jet index
	Distance float64
	Label    int8
	Weight   float64
}

// NeighborBatch holds the neighbour summaries of a batch of query jets.
// Per-query arrays have one entry per query; arrays over radii or widths
// are query-major (q*len(Radii) + r).
type NeighborBatch struct {
	Queries []int32 // global indices of the query jets
	Label   []int8
	Weight  []float64
	// NormS, NormB: total weight of signal (quark) and background (gluon)
	// jets in the query's reference set.
	NormS, NormB []float64
	// Integer reports that every weight is 1, so counts are integers and
	// ratios can be formed exactly (SCIENCE.md tie rule).
	Integer bool

	Radii          []float64
	CountS, CountB []float64 // len(Queries)*len(Radii)

	// KNearest lists: query q owns KList[KOffsets[q]:KOffsets[q+1]].
	KOffsets []int
	KList    []Neighbor

	GaussianWidths []float64
	GaussS, GaussB []float64 // len(Queries)*len(GaussianWidths)

	ListRadius  float64
	ListOffsets []int
	List        []Neighbor
}

// ScoreBatch is a smearer's answer for one NeighborBatch: Scores and Empty
// are query-major with len(Queries)*len(Points) entries. Empty marks a
// score formed without information (for example an empty ball, scored 1/2).
type ScoreBatch struct {
	Scores []float64
	Empty  []bool
	// Counts optionally holds the number (weight) of reference jets that
	// contributed to each score (for example the ball population), same
	// layout as Scores; nil when the smearer has no such notion.
	Counts []float64
}

// Smearer turns neighbour summaries into smeared likelihood scores.
type Smearer interface {
	Plugin
	// Plan returns the axis, its points and the summaries needed.
	Plan(params Params) (SmearPlan, error)
	// Smear scores a batch of queries at every point of the plan.
	Smear(ctx context.Context, params Params, batch *NeighborBatch) (*ScoreBatch, error)
}

// ---------------------------------------------------------------- fitter

// Sample is a named vector of values to fit.
type Sample struct {
	Name   string
	Values []float64
}

// FitRequest asks a fitter to fit every sample. Eval and Probabilities
// request the fitted pdf/cdf at Eval points and quantiles at Probabilities,
// for plots (histogram overlays, QQ plots).
type FitRequest struct {
	Params        Params
	Seed          int64 // for parametric-bootstrap p-values
	Samples       []Sample
	Eval          []float64
	Probabilities []float64
}

// Estimate is one fitted parameter.
type Estimate struct {
	Name   string
	Value  float64
	StdErr float64 // NaN when not available
	Fixed  bool    // held fixed, not fitted
}

// FitResult is the fit of one sample with one family.
type FitResult struct {
	Sample    string
	Family    string // e.g. "weibull_min"
	N         int
	Params    []Estimate
	LogLik    float64
	AIC       float64
	KS        float64 // Kolmogorov-Smirnov D
	KSPValue  float64 // parametric-bootstrap p-value (NaN if not computed)
	AD        float64 // Anderson-Darling A^2
	ADPValue  float64
	Converged bool
	Message   string    // why it did not converge, or notes
	PDF, CDF  []float64 // at FitRequest.Eval
	Quantiles []float64 // at FitRequest.Probabilities
}

// Fitter fits one extreme-value family.
type Fitter interface {
	Plugin
	Fit(ctx context.Context, req FitRequest) ([]FitResult, error)
}

// ----------------------------------------------------------- observables

// ObservablesRequest asks for per-jet variables.
type ObservablesRequest struct {
	Params Params
	Jets   *jet.Jets
}

// Observables computes per-jet variables: one table row per jet, in order.
type Observables interface {
	Plugin
	Compute(ctx context.Context, req ObservablesRequest) (*table.Table, error)
}

// ---------------------------------------------------------------- tagger

// Dataset is what a tagger sees of a set of jets: the jets and, optionally,
// a per-jet table of expert variables (one row per jet).
type Dataset struct {
	Jets   *jet.Jets
	Expert *table.Table
}

// Model is a trained tagger in a documented, serialisable format.
type Model struct {
	Format string // e.g. "smearflow-mlp/1"
	Data   []byte
}

// TrainRequest asks a tagger to train one model per seed.
type TrainRequest struct {
	Params     Params
	Seeds      []int64
	Train      Dataset
	Validation Dataset
	// Keep restricts the inputs to these feature names (empty = all), for
	// retraining on a reduced feature set.
	Keep []string
}

// TrainedModel is one trained model and its history.
type TrainedModel struct {
	Seed    int64
	Model   Model
	History *table.Table // per epoch: epoch, train_loss, val_loss, val_auc, ...
}

// Tagger trains and applies a classifier; outputs are quark probabilities.
type Tagger interface {
	Plugin
	Train(ctx context.Context, req TrainRequest) ([]TrainedModel, error)
	Predict(ctx context.Context, params Params, model Model, data Dataset) ([]float64, error)
}

// ------------------------------------------------------------- explainer

// ExplainRequest asks for the relevance of every input for every jet.
type ExplainRequest struct {
	Params Params
	Model  Model
	Data   Dataset
}

// Explanation holds per-jet relevances: Relevance is jets x features,
// row-major. Output is the explained quantity (e.g. the logit) per jet,
// Sum the total input relevance per jet and Lost the relevance not
// conserved (absorbed by biases, stabilisers or dropped by the rule).
type Explanation struct {
	Features  []string
	Relevance []float64
	Output    []float64
	Sum       []float64
	Lost      []float64
}

// Explainer attributes a model's output to its inputs.
type Explainer interface {
	Plugin
	Explain(ctx context.Context, req ExplainRequest) (*Explanation, error)
}
