package preprocess

import "github.com/quiver-ml/quiver/hyperspace"

// The registered names of the learners.
const (
	StandardScalerName = "standard_scaler"
	MinMaxScalerName   = "min_max_scaler"
	ImputerName        = "imputer"
	OneHotName         = "one_hot"
	OrdinalEncoderName = "ordinal_encoder"
)

// MaxLevels is the largest number of distinct levels an encoder takes from
// one column; more look like an identifier rather than a category.
const MaxLevels = 65536

// valueBound bounds the float hyperparameters that are values in the data's
// own units (fill values, ranges, codes).
const valueBound = 1e12

// The strategies of the imputer.
const (
	strategyMean         = "mean"
	strategyMedian       = "median"
	strategyMostFrequent = "most_frequent"
	strategyConstant     = "constant"
)

// The choices of handle_unknown.
const (
	unknownIgnore = "ignore"            // one_hot: all zeros
	unknownError  = "error"             // both encoders: refuse
	unknownNaN    = "nan"               // ordinal_encoder: NaN
	unknownValue  = "use_encoded_value" // ordinal_encoder: unknown_value
)

func threadsParam() hyperspace.Param {
	return hyperspace.Param{Name: "n_threads", Kind: hyperspace.Int, Low: 0, High: 1024, Default: 0, Runtime: true,
		Doc: "number of threads; 0 uses every CPU (the result does not depend on it)"}
}

// StandardScalerSpace is the hyperparameter space of standard_scaler.
func StandardScalerSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     StandardScalerName,
		Doc:         "Standardize numeric columns: (x - mean) / std with the population standard deviation, as scikit-learn's StandardScaler; missing values stay missing.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "with_mean", Kind: hyperspace.Bool, Default: true,
				Doc: "subtract the column's mean"},
			{Name: "with_std", Kind: hyperspace.Bool, Default: true,
				Doc: "divide by the column's population standard deviation (1 for a constant column)"},
			threadsParam(),
		},
	}
}

// MinMaxScalerSpace is the hyperparameter space of min_max_scaler.
func MinMaxScalerSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     MinMaxScalerName,
		Doc:         "Scale numeric columns so that their training range [min, max] maps onto [feature_range_low, feature_range_high], as scikit-learn's MinMaxScaler; missing values stay missing.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "feature_range_low", Kind: hyperspace.Float, Low: -valueBound, High: valueBound, Default: 0.0,
				Doc: "the value the training minimum maps to; must be below feature_range_high"},
			{Name: "feature_range_high", Kind: hyperspace.Float, Low: -valueBound, High: valueBound, Default: 1.0,
				Doc: "the value the training maximum maps to"},
			{Name: "clip", Kind: hyperspace.Bool, Default: false,
				Doc: "clip transformed values to [feature_range_low, feature_range_high]"},
			threadsParam(),
		},
	}
}

// ImputerSpace is the hyperparameter space of imputer.
func ImputerSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     ImputerName,
		Doc:         "Replace missing values (nulls, and NaN in numeric columns) with a statistic of the column's training values or a constant, as scikit-learn's SimpleImputer.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "strategy", Kind: hyperspace.Categorical, Default: strategyMean,
				Choices: []string{strategyMean, strategyMedian, strategyMostFrequent, strategyConstant},
				Doc:     "mean and median for numeric columns; most_frequent (the smallest value among ties) and constant for numeric, bool, string and categorical columns"},
			{Name: "fill_value", Kind: hyperspace.Float, Low: -valueBound, High: valueBound, Default: 0.0,
				Doc: "with strategy='constant', the value of missing numbers (0 or 1 for bool columns)"},
			{Name: "fill_text", Kind: hyperspace.Text, Default: "missing_value",
				Doc: "with strategy='constant', the value of missing strings and categories"},
			{Name: "add_indicator", Kind: hyperspace.Bool, Default: false,
				Doc: "add a bool column '<col>_missing' for every column that had missing values in training"},
			threadsParam(),
		},
	}
}

// OneHotSpace is the hyperparameter space of one_hot.
func OneHotSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     OneHotName,
		Doc:         "One-hot encode string, categorical and bool columns: one float64 0/1 column '<col>_<level>' per training level, levels sorted, as scikit-learn's OneHotEncoder.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "max_categories", Kind: hyperspace.Int, Low: 0, High: MaxLevels, Default: 0,
				Doc: "if positive, at most this many level columns per column: the max_categories-1 most frequent levels, and '<col>_infrequent' for the rest (a '<col>_NA' column is not counted); 0 keeps every level"},
			{Name: "handle_unknown", Kind: hyperspace.Categorical, Default: unknownIgnore,
				Choices: []string{unknownIgnore, unknownError},
				Doc:     "what a level unseen in training gives: 'ignore' (all level columns 0) or 'error'; missing values count as unseen unless training had some"},
			threadsParam(),
		},
	}
}

// OrdinalEncoderSpace is the hyperparameter space of ordinal_encoder.
func OrdinalEncoderSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     OrdinalEncoderName,
		Doc:         "Encode string, categorical and bool columns as the rank (0 to k-1, as float64) of their level among the sorted training levels, as scikit-learn's OrdinalEncoder.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "handle_unknown", Kind: hyperspace.Categorical, Default: unknownNaN,
				Choices: []string{unknownNaN, unknownValue, unknownError},
				Doc:     "what unseen levels and missing values give: 'nan' NaN, 'use_encoded_value' unknown_value, 'error' refuses unseen levels (missing values give NaN)"},
			{Name: "unknown_value", Kind: hyperspace.Float, Low: -valueBound, High: valueBound, Default: -1.0,
				Doc: "the code of unseen levels and missing values with handle_unknown='use_encoded_value'"},
			threadsParam(),
		},
	}
}
