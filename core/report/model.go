package report

import "time"

// Units of a metric's distances, as shown in the report.
const (
	// UnitNormalized labels distances between jets with normalised
	// energies z_i = pT_i / sum pT (SEMD, EMD with normalize: true).
	UnitNormalized = "dimensionless (normalised energies)"
	// UnitGeV labels distances carrying the energy scale of the jets.
	UnitGeV = "GeV"
)

// Scale selects a linear or logarithmic axis.
type Scale string

// Axis scales. The zero value is ScaleAuto.
const (
	// ScaleAuto picks a log axis when the positive values span a factor
	// of at least 50 (max / min), else a linear one.
	ScaleAuto Scale = ""
	// ScaleLinear forces a linear axis.
	ScaleLinear Scale = "linear"
	// ScaleLog forces a log axis; non-positive values are not drawn (the
	// caption says how many).
	ScaleLog Scale = "log"
)

// Run is everything a report shows. Every section list is optional and
// may hold several sections (one per workflow step). The zero values of
// optional numeric fields mean "not given" unless documented otherwise;
// NaN and ±Inf are accepted anywhere and are shown as such in tables and
// skipped (with a note) in plots.
type Run struct {
	// Title heads the page; empty means "smearflow report: <workflow>".
	Title string `json:"title,omitempty"`
	// Notes are free remarks shown under the title (e.g. failed steps).
	Notes      []string   `json:"notes,omitempty"`
	Provenance Provenance `json:"provenance"`

	Distances []Distances `json:"distances,omitempty"`
	Smearing  []Smearing  `json:"smearing,omitempty"`
	Extremes  []Extremes  `json:"extremes,omitempty"`
	Taggers   []Tagger    `json:"taggers,omitempty"`
	Relevance []Relevance `json:"relevance,omitempty"`
	Tables    []Table     `json:"tables,omitempty"`
}

// Provenance records how the run was made.
type Provenance struct {
	Workflow   string `json:"workflow"`    // workflow name
	File       string `json:"file"`        // workflow file path
	FileSHA256 string `json:"file_sha256"` // hex SHA-256 of the workflow file
	Seed       int64  `json:"seed"`
	Output     string `json:"output,omitempty"` // output folder
	// Started is the start time of the run (shown in UTC, RFC 3339).
	Started   time.Time `json:"started"`
	Seconds   float64   `json:"seconds,omitempty"` // wall time of the run
	Version   string    `json:"smearflow_version,omitempty"`
	Host      string    `json:"host,omitempty"`
	GoVersion string    `json:"go_version,omitempty"`
	OS        string    `json:"os,omitempty"`
	Arch      string    `json:"arch,omitempty"`
	CPUs      int       `json:"cpus,omitempty"`
	Steps     []Step    `json:"steps,omitempty"`
}

// Step is the provenance of one workflow step.
type Step struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`    // reader, metric, smearer, ...
	Plugin  string `json:"plugin"`  // plugin name
	Version string `json:"version"` // plugin version
	// Origin is "builtin" or the path of the external plugin binary.
	Origin string   `json:"origin"`
	Inputs []string `json:"inputs,omitempty"`
	// Params are the resolved parameters, shown as compact JSON with
	// sorted keys.
	Params   map[string]any `json:"params,omitempty"`
	Cached   bool           `json:"cached"`
	Seconds  float64        `json:"seconds"`
	CacheKey string         `json:"cache_key,omitempty"` // the report shows its first 12 characters
	Status   string         `json:"status,omitempty"`    // ok, failed, skipped
	Error    string         `json:"error,omitempty"`
}

// Distances is the output of a metric step: sampled pair distances per
// class pair, in metric units.
type Distances struct {
	Step   string `json:"step"`
	Metric string `json:"metric"` // e.g. "semd"
	Unit   string `json:"unit"`   // UnitNormalized or UnitGeV (free text allowed)
	// QQ, GG and QG are sampled distances of quark-quark, gluon-gluon and
	// quark-gluon pairs.
	QQ []float64 `json:"qq"`
	GG []float64 `json:"gg"`
	QG []float64 `json:"qg"`
	// XScale chooses the histogram's x axis (ScaleAuto by default).
	XScale Scale `json:"x_scale,omitempty"`
	// Bins is the number of histogram bins (0: Rice rule 2 n^(1/3),
	// clamped to [10, 60]).
	Bins  int      `json:"bins,omitempty"`
	Notes []string `json:"notes,omitempty"`
}

// Smearing is the output of a smearer step: discrimination power versus
// the resolution axis.
type Smearing struct {
	Step    string `json:"step"`
	Smearer string `json:"smearer"` // plugin name: ball, gaussian, knn, ...
	// Input is the distances step the smearer read. Sections sharing an
	// Input are overlaid in a comparison plot.
	Input      string `json:"input,omitempty"`
	Metric     string `json:"metric,omitempty"`      // metric of that input, e.g. "semd"
	MetricUnit string `json:"metric_unit,omitempty"` // unit of eps (UnitNormalized or UnitGeV)
	// Axis is "eps" (a radius or width in metric units) or "k" (kNN).
	Axis string `json:"axis"`
	// Mode is the reference-set mode (kfold, test, loo). Biased marks a
	// biased mode (leave-one-out) and is shown as a warning; BiasNote
	// replaces the default explanation.
	Mode     string `json:"mode,omitempty"`
	Biased   bool   `json:"biased,omitempty"`
	BiasNote string `json:"bias_note,omitempty"`
	// Queries is the number of scored jets, Signal and Background the
	// total weights of quark and gluon queries.
	Queries    int     `json:"queries,omitempty"`
	Signal     float64 `json:"signal,omitempty"`
	Background float64 `json:"background,omitempty"`
	// GeVScale is the mean jet pT [GeV]; when > 0 and the metric is
	// dimensionless, plots show eps × GeVScale on a top axis.
	GeVScale float64 `json:"gev_scale,omitempty"`
	// NNScale is the median nearest-neighbour distance (metric units);
	// when > 0 it is marked by a dashed vertical line and used to put
	// different metrics on one axis in the comparison plot.
	NNScale float64 `json:"nn_scale,omitempty"`
	// BandLevel is the central coverage of the bootstrap bands (e.g.
	// 0.68); 0 if unknown.
	BandLevel float64      `json:"band_level,omitempty"`
	Points    []SmearPoint `json:"points"`
	// ROCs are ROC curves at a few chosen points of the axis.
	ROCs  []ROC    `json:"rocs,omitempty"`
	Notes []string `json:"notes,omitempty"`
}

// SmearPoint is one point of the resolution axis.
type SmearPoint struct {
	X float64 `json:"x"` // eps (metric units) or k
	// AUC and its bootstrap band (NaN bounds: no band).
	AUC   float64 `json:"auc"`
	AUCLo float64 `json:"auc_lo"`
	AUCHi float64 `json:"auc_hi"`
	// Rejection is 1/eff_b at the first ROC point with eff_s >= 0.5
	// (+Inf when no background passes), with its band.
	Rejection   float64 `json:"rejection"`
	RejectionLo float64 `json:"rejection_lo"`
	RejectionHi float64 `json:"rejection_hi"`
	// Empty is the number (weight) of queries scored without information
	// (an empty ball, scored 1/2).
	Empty float64 `json:"empty"`
	// Radius is, for kNN, the median distance to the k-th neighbour
	// (metric units); 0 if not given.
	Radius float64 `json:"radius,omitempty"`
}

// ROC is one ROC curve: SignalEff[i] and BackgroundEff[i] (TPR and FPR)
// of the cut score >= threshold i.
type ROC struct {
	Label         string    `json:"label"`
	SignalEff     []float64 `json:"signal_eff"`
	BackgroundEff []float64 `json:"background_eff"`
	AUC           float64   `json:"auc"`
}

// Extremes is the output of a fitter step: extreme-value fits of a sample
// (usually nearest-neighbour distances) and the scaling with N.
type Extremes struct {
	Step   string `json:"step"`
	Sample string `json:"sample"` // what Values are, e.g. "nearest-neighbour SEMD distance"
	Unit   string `json:"unit,omitempty"`
	// Values is the fitted sample.
	Values []float64 `json:"values"`
	Fits   []Fit     `json:"fits,omitempty"`
	// Scaling is the ladder of dataset sizes (nil: none).
	Scaling *Scaling `json:"scaling,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// Fit is the fit of Extremes.Values with one family.
type Fit struct {
	Family    string  `json:"family"` // e.g. "weibull_min"
	N         int     `json:"n"`
	Params    []Param `json:"params"`
	LogLik    float64 `json:"loglik"`
	AIC       float64 `json:"aic"`
	KS        float64 `json:"ks"`
	KSPValue  float64 `json:"ks_p"`
	AD        float64 `json:"ad"`
	ADPValue  float64 `json:"ad_p"`
	Converged bool    `json:"converged"`
	Message   string  `json:"message,omitempty"`
	// Eval and PDF: the fitted density at Eval (same length).
	Eval []float64 `json:"eval,omitempty"`
	PDF  []float64 `json:"pdf,omitempty"`
	// Probabilities and Quantiles: the fitted quantile function (same
	// length), for the QQ plot.
	Probabilities []float64 `json:"probabilities,omitempty"`
	Quantiles     []float64 `json:"quantiles,omitempty"`
}

// Param is one fitted parameter.
type Param struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	StdErr float64 `json:"stderr"` // NaN when not available
	Fixed  bool    `json:"fixed,omitempty"`
}

// Scaling is the nearest-neighbour distance versus dataset size N.
type Scaling struct {
	Points []LadderPoint `json:"points"`
	// Median and Mean are the least-squares fits
	// ln(stat) = Intercept + Slope ln N (natural logs).
	Median PowerLaw `json:"median"`
	Mean   PowerLaw `json:"mean"`
	// Local holds the local slopes of ln(median) between neighbouring N.
	// When empty the report computes them from Points (without bands).
	Local     []LocalSlope `json:"local,omitempty"`
	BandLevel float64      `json:"band_level,omitempty"`
}

// LadderPoint is one rung of the ladder.
type LadderPoint struct {
	N        int     `json:"n"`
	Median   float64 `json:"median"`
	MedianLo float64 `json:"median_lo"`
	MedianHi float64 `json:"median_hi"`
	Mean     float64 `json:"mean"`
	MeanLo   float64 `json:"mean_lo"`
	MeanHi   float64 `json:"mean_hi"`
	// WeibullShape is the fitted loc-0 Weibull shape k at this N (NaN or
	// 0: not fitted).
	WeibullShape float64 `json:"weibull_shape"`
}

// PowerLaw is a fit ln(stat) = Intercept + Slope ln N.
type PowerLaw struct {
	Slope     float64 `json:"slope"`
	SlopeErr  float64 `json:"slope_err"`
	Intercept float64 `json:"intercept"`
}

// LocalSlope is the slope of ln(median) between N1 and N2, with its band.
type LocalSlope struct {
	N1    int     `json:"n1"`
	N2    int     `json:"n2"`
	Slope float64 `json:"slope"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
}

// Tagger is the output of a tagger step.
type Tagger struct {
	Step     string          `json:"step"`
	Plugin   string          `json:"plugin"`
	Variants []TaggerVariant `json:"variants"`
	Notes    []string        `json:"notes,omitempty"`
}

// TaggerVariant is one input variant (low-level, expert, both) trained
// with several seeds.
type TaggerVariant struct {
	Name  string    `json:"name"`
	Seeds []int64   `json:"seeds,omitempty"`
	AUC   []float64 `json:"auc"` // test AUC per seed
	// ROC is a representative curve (its Label says which seed).
	ROC      *ROC            `json:"roc,omitempty"`
	Training []TrainingCurve `json:"training,omitempty"`
}

// TrainingCurve is the loss per epoch of one training.
type TrainingCurve struct {
	Seed      int64     `json:"seed"`
	Epoch     []float64 `json:"epoch"`
	TrainLoss []float64 `json:"train_loss"`
	ValLoss   []float64 `json:"val_loss,omitempty"`
}

// Relevance is the output of an explainer step.
type Relevance struct {
	Step string `json:"step"`
	Rule string `json:"rule,omitempty"` // e.g. "epsilon (eps = 1e-6), bias excluded"
	Jets int    `json:"jets,omitempty"`
	// Features are ranked by the report by MeanAbs (descending).
	Features []FeatureRelevance `json:"features"`
	// TopN is how many features the bar chart shows (0: 20).
	TopN int `json:"top_n,omitempty"`
	// Conservation: mean |output|, mean |sum of input relevances − output|
	// and mean lost relevance (NaN: not given).
	MeanAbsOutput   float64 `json:"mean_abs_output"`
	MeanAbsResidual float64 `json:"mean_abs_residual"`
	MeanLost        float64 `json:"mean_lost"`
	// FullAUC is the AUC of the model with every input (NaN: not given);
	// Reduced the AUCs after retraining on the top features.
	FullAUC float64        `json:"full_auc"`
	Reduced []ReducedPoint `json:"reduced,omitempty"`
	Notes   []string       `json:"notes,omitempty"`
}

// FeatureRelevance is the mean |relevance| of one input feature.
type FeatureRelevance struct {
	Name    string  `json:"name"`
	MeanAbs float64 `json:"mean_abs"`
	Expert  bool    `json:"expert"` // an expert (XAUG) variable, not a low-level input
}

// ReducedPoint is the AUC of a model retrained on the Kept top features.
type ReducedPoint struct {
	Kept  int     `json:"kept"`
	AUC   float64 `json:"auc"`
	AUCLo float64 `json:"auc_lo"` // NaN: no band
	AUCHi float64 `json:"auc_hi"`
}

// Table is a generic table shown as is.
type Table struct {
	Title   string     `json:"title"`
	Caption string     `json:"caption,omitempty"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}
