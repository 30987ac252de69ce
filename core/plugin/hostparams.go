package plugin

// Host parameters: what the engine does around a plugin call, identical for
// built-in and external plugins of a kind (see KindSpec.HostParams).
func init() {
	setHost := func(k Kind, s Spec) {
		ks := KindSpecs[k]
		ks.HostParams = s
		KindSpecs[k] = ks
	}
	setHost(KindMetric, Spec{
		{Name: "matrix", Type: TypeString, Default: "auto", Enum: []string{"auto", "always", "never"},
			Doc: "Keep the full N×N distance matrix (in memory and in the cache, for every later step): `auto` keeps it when it fits in `matrix_max_mb` and either the step is exported or the metric has no lower-bound embedding (metrics with one are faster through the exact pruned pass of each consumer); `always` keeps it (error if larger than `matrix_max_mb`); `never` evaluates pairs on demand."},
		{Name: "matrix_max_mb", Type: TypeInt, Default: int64(512), Min: Bound(1), Unit: "MiB",
			Doc: "Largest matrix kept in memory and in the cache when `matrix` is `auto`."},
		{Name: "pair_sample", Type: TypeInt, Default: int64(20000), Min: Bound(0),
			Doc: "Number of random pairs (seeded) whose distances are kept per class combination (quark–quark, gluon–gluon, quark–gluon) for the distance-distribution plots."},
	})
	setHost(KindSmearer, Spec{
		{Name: "reference", Type: TypeString, Default: "kfold", Enum: []string{"kfold", "loo", "loo_keep_self"},
			Doc: "Which jets form a query's reference set: `kfold` (stratified K-fold cross-smearing, no label leak; the default), `loo` (leave-one-out, query leaves its class total; biased, labelled so in the output) or `loo_keep_self` (leave-one-out with the query kept in its class total; biased)."},
		{Name: "folds", Type: TypeInt, Default: int64(10), Min: Bound(2), Max: Bound(1000),
			Doc: "K of the K-fold cross-smearing."},
		{Name: "shuffle_folds", Type: TypeBool, Default: false,
			Doc: "Shuffle jets (seeded) before assigning folds; by default a jet's fold is its position within its class modulo K."},
		{Name: "n_boot", Type: TypeInt, Default: int64(200), Min: Bound(0), Max: Bound(100000),
			Doc: "Bootstrap resamples for the AUC and rejection bands (seeded; 0 disables bands)."},
		{Name: "confidence", Type: TypeFloat, Default: 0.68, Min: Bound(0.01), Max: Bound(0.999),
			Doc: "Central probability of the bootstrap bands."},
		{Name: "roc_at", Type: TypeFloatList,
			Doc: "Axis values (eps or k) at which full ROC curves are kept and plotted; by default the best point and two others."},
	})
	setHost(KindFitter, Spec{
		{Name: "sample", Type: TypeString, Default: "nn", Enum: []string{"nn", "nn_quark", "nn_gluon", "nn_to_quark", "nn_to_gluon", "column"},
			Doc: "What to fit when the input is distances: every jet's distance to its nearest reference jet (`nn`); the same for quark or gluon query jets only (`nn_quark`, `nn_gluon`); every jet's distance to the nearest quark or gluon reference jet (`nn_to_quark`, `nn_to_gluon`). `column` fits a table column (the input must be a table)."},
		{Name: "reference", Type: TypeString, Default: "loo", Enum: []string{"loo", "kfold"},
			Doc: "Reference set of the nearest-neighbour search: every other jet (`loo`), or the jets of the other folds of a stratified K-fold split (`kfold`, K = `folds`)."},
		{Name: "folds", Type: TypeInt, Default: int64(10), Min: Bound(2), Max: Bound(1000),
			Doc: "K of the K-fold reference sets (reference: kfold)."},
		{Name: "column", Type: TypeString, Default: "",
			Doc: "Table column to fit when the input is a table."},
		{Name: "sizes", Type: TypeIntList, Min: Bound(3),
			Doc: "Dataset sizes N of the scaling ladder (seeded subsamples, leave-one-out nearest neighbours inside each subsample); empty = no ladder."},
		{Name: "repeats", Type: TypeInt, Default: int64(5), Min: Bound(1), Max: Bound(1000),
			Doc: "Subsamples per ladder size."},
		{Name: "ladder_subsets", Type: TypeString, Default: "random", Enum: []string{"random", "prefix"},
			Doc: "How ladder subsamples are drawn: seeded random subsets, or the first N jets (one repetition)."},
		{Name: "n_boot_ladder", Type: TypeInt, Default: int64(200), Min: Bound(0),
			Doc: "Bootstrap resamples for the median/mean bands of the ladder."},
	})
	setHost(KindTagger, Spec{
		{Name: "test_fraction", Type: TypeFloat, Default: 0.3, Min: Bound(0.05), Max: Bound(0.9),
			Doc: "Fraction of the jets held out (stratified, seeded by the step seed) to measure the AUC; the tagger never sees them."},
		{Name: "seeds", Type: TypeInt, Default: int64(3), Min: Bound(1), Max: Bound(100),
			Doc: "Number of trainings with different seeds (derived from the step seed); their spread is the training-to-training uncertainty."},
	})
	setHost(KindExplainer, Spec{
		{Name: "explain_jets", Type: TypeInt, Default: int64(2000), Min: Bound(10),
			Doc: "Explain at most this many held-out test jets (the first ones, in order)."},
		{Name: "retrain_top_k", Type: TypeIntList, Default: []int64{1, 2, 3, 5, 8, 13, 21, 34}, Min: Bound(1),
			Doc: "Retrain the tagger on the k most relevant inputs for each k (empty: no retraining) and report the test AUC it keeps."},
		{Name: "retrain_seeds", Type: TypeInt, Default: int64(2), Min: Bound(1), Max: Bound(100),
			Doc: "Trainings (seeds) per reduced feature set."},
	})
}
