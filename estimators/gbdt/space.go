package gbdt

import (
	"github.com/quiver-ml/quiver/hyperspace"
)

// Name is the registered name of the learner.
const Name = "gbdt"

// MaxCategories is the largest number of distinct categories a categorical
// feature may have: every category is a bin of its own, bins are uint16 and
// bin 0 is kept for missing and unseen values.
const MaxCategories = 65534

// Objectives and metrics by name.
const (
	objAuto          = "auto"
	objSquaredError  = "squared_error"
	objAbsoluteError = "absolute_error"
	objHuber         = "huber"
	objLogLoss       = "log_loss"
	objPoisson       = "poisson"

	metricAuto    = "auto"
	metricAUC     = "auc"
	metricLogLoss = "log_loss"
	metricRMSE    = "rmse"
	metricMAE     = "mae"
)

// Space is the hyperparameter space of gbdt. Names follow LightGBM where
// the concept is LightGBM's and the project's shared names elsewhere
// (max_iter, l1, l2, seed, n_threads).
func Space() hyperspace.Space {
	return hyperspace.Space{
		Learner: Name,
		Holdout: "valid",
		Doc:     "Histogram-based gradient-boosted decision trees grown leaf-wise, with native missing values and categorical features.",
		Params: []hyperspace.Param{
			{Name: "objective", Kind: hyperspace.Categorical, Default: objAuto,
				Choices: []string{objAuto, objSquaredError, objAbsoluteError, objHuber, objLogLoss, objPoisson},
				Doc:     "loss to minimise; auto is log_loss (binary or softmax) for bool, string and categorical targets and squared_error for numeric ones"},
			{Name: "max_iter", Kind: hyperspace.Int, Low: 1, High: 1000000, Default: 100,
				Doc:   "boosting rounds (one tree per round, one per class for multiclass)",
				Tuned: true, Search: &hyperspace.Range{Low: 50, High: 1000, Log: true}},
			{Name: "learning_rate", Kind: hyperspace.Float, Low: 1e-6, High: 10, Log: true, Default: 0.1,
				Doc:   "shrinkage applied to every tree's leaf values",
				Tuned: true, Search: &hyperspace.Range{Low: 0.01, High: 0.3, Log: true}},
			{Name: "num_leaves", Kind: hyperspace.Int, Low: 2, High: 131072, Default: 31,
				Doc:   "maximum leaves per tree; trees grow leaf-wise, best split first",
				Tuned: true, Search: &hyperspace.Range{Low: 8, High: 256, Log: true}},
			{Name: "max_depth", Kind: hyperspace.Int, Low: 0, High: 1000, Default: 0,
				Doc: "maximum depth of a tree; 0 means no limit besides num_leaves"},
			{Name: "min_data_in_leaf", Kind: hyperspace.Int, Low: 1, High: 1 << 30, Default: 20,
				Doc:   "minimum training rows in a leaf",
				Tuned: true, Search: &hyperspace.Range{Low: 5, High: 200, Log: true}},
			{Name: "min_sum_hessian_in_leaf", Kind: hyperspace.Float, Low: 0, High: 1e12, Default: 1e-3,
				Doc: "minimum sum of hessians (weights for squared error) in a leaf"},
			{Name: "min_gain_to_split", Kind: hyperspace.Float, Low: 0, High: 1e12, Default: 0.0,
				Doc: "minimum loss reduction a split must bring"},
			{Name: "l1", Kind: hyperspace.Float, Low: 0, High: 1e12, Default: 0.0,
				Doc: "L1 penalty on leaf values"},
			{Name: "l2", Kind: hyperspace.Float, Low: 0, High: 1e12, Default: 0.0,
				Doc:   "L2 penalty on leaf values",
				Tuned: true, Search: &hyperspace.Range{Low: 0.001, High: 100.0, Log: true}},
			{Name: "max_bin", Kind: hyperspace.Int, Low: 2, High: 65534, Default: 255,
				Doc: "maximum bins per numeric feature, cut at quantiles of the training data; up to 255 keeps bins in one byte"},
			{Name: "bin_sample", Kind: hyperspace.Int, Low: 1000, High: 1 << 30, Default: 200000,
				Doc: "training rows sampled to find the bin edges"},
			{Name: "subsample", Kind: hyperspace.Float, Low: 1e-3, High: 1, Default: 1.0,
				Doc:   "fraction of rows drawn (without replacement) for each round",
				Tuned: true, Search: &hyperspace.Range{Low: 0.5, High: 1.0}},
			{Name: "colsample", Kind: hyperspace.Float, Low: 1e-3, High: 1, Default: 1.0,
				Doc:   "fraction of features drawn for each tree",
				Tuned: true, Search: &hyperspace.Range{Low: 0.5, High: 1.0}},
			{Name: "seed", Kind: hyperspace.Int, Low: 0, High: 1<<31 - 1, Default: 0,
				Doc: "seed of row and column subsampling"},
			{Name: "huber_delta", Kind: hyperspace.Float, Low: 1e-12, High: 1e12, Default: 1.0,
				Doc:       "residual size where the huber loss turns from squared to absolute",
				Condition: &hyperspace.Condition{Param: "objective", Values: []any{"huber"}}},
			{Name: "max_cat_to_onehot", Kind: hyperspace.Int, Low: 1, High: 1024, Default: 4,
				Doc: "a categorical feature with at most this many categories in a node splits one category against the rest"},
			{Name: "max_cat_threshold", Kind: hyperspace.Int, Low: 1, High: 1024, Default: 32,
				Doc: "maximum categories on the explicit side of a categorical split"},
			{Name: "cat_smooth", Kind: hyperspace.Float, Low: 0, High: 1e6, Default: 10.0,
				Doc: "added to a category's hessian sum when categories are ordered by gradient ratio"},
			{Name: "cat_l2", Kind: hyperspace.Float, Low: 0, High: 1e12, Default: 10.0,
				Doc: "extra L2 penalty in categorical splits"},
			{Name: "min_data_per_group", Kind: hyperspace.Int, Low: 1, High: 1 << 30, Default: 100,
				Doc: "minimum rows of a category, and of each side of a categorical split"},
			{Name: "early_stopping_rounds", Kind: hyperspace.Int, Low: 0, High: 1000000, Default: 0,
				Doc: "stop when the validation metric has not improved for this many rounds (needs valid=); 0 never stops early"},
			{Name: "metric", Kind: hyperspace.Categorical, Default: metricAuto,
				Choices: []string{metricAuto, metricAUC, metricLogLoss, metricRMSE, metricMAE},
				Doc:     "validation metric; auto is log_loss for classifiers, mae for absolute_error and rmse otherwise"},
			{Name: "n_threads", Kind: hyperspace.Int, Low: 0, High: 1024, Default: 0,
				Doc: "number of threads; 0 uses every CPU (the model does not depend on it)", Runtime: true},
		},
	}
}
