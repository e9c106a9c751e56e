package preprocess

import "github.com/quiver-ml/quiver/hyperspace"

// The registered names of the learners.
const (
	StandardScalerName = "standard_scaler"
	MinMaxScalerName   = "min_max_scaler"
	ImputerName        = "imputer"
	OneHotName         = "one_hot"
	OrdinalEncoderName = "ordinal_encoder"
	TargetEncoderName  = "target_encoder"
	RegexFeaturesName  = "regex_features"
	HashedTokensName   = "hashed_tokens"
	LogTransformName   = "log_transform"
	ClipName           = "clip"
	BucketizeName      = "bucketize"
	SelectColumnsName  = "select_columns"
	DropColumnsName    = "drop_columns"
	RenameColumnsName  = "rename_columns"
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

// The choices of log_transform's function, clip's bounds and bucketize's
// strategy.
const (
	logLog1p         = "log1p"
	logLog           = "log"
	boundsQuantile   = "quantile"
	boundsValue      = "value"
	strategyQuantile = "quantile"
	strategyUniform  = "uniform"
)

// DefaultTokenPattern is hashed_tokens' default token_pattern: maximal runs
// of two or more Unicode letters, digits and underscores, which is what
// scikit-learn's default (?u)\b\w\w+\b finds, written for RE2 (whose \w
// and \b are ASCII only).
const DefaultTokenPattern = `[\p{L}\p{N}_]{2,}`

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

// TargetEncoderSpace is the hyperparameter space of target_encoder.
func TargetEncoderSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     TargetEncoderName,
		Doc:         "Replace string, categorical and bool columns by the mean of the target per level, smoothed toward the target's mean (an m-estimate), as scikit-learn's TargetEncoder with a float smooth: the probability of the positive class for a two-class target (bool, 0/1 or two strings), the mean for a numeric one. quiver.target_encoder returns the training frame encoded out of fold.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "smooth", Kind: hyperspace.Float, Low: 0, High: 1e12, Default: 1.0,
				Doc:   "m of the m-estimate: a level's encoding is (sum of its targets + smooth·mean) / (its rows + smooth); unseen levels get the mean",
				Tuned: true, Search: &hyperspace.Range{Low: 0.1, High: 100, Log: true}},
			{Name: "n_folds", Kind: hyperspace.Int, Low: 2, High: 1000, Default: 5,
				Doc: "folds of the out-of-fold encoding of the training frame (each row is encoded by a fit on the other folds); the model itself encodes with every training row"},
			{Name: "seed", Kind: hyperspace.Int, Low: 0, High: 1<<31 - 1, Default: 0,
				Doc: "seed of the shuffle that deals the training rows to the folds, as quiver.KFold"},
			threadsParam(),
		},
	}
}

// RegexFeaturesSpace is the hyperparameter space of regex_features.
func RegexFeaturesSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     RegexFeaturesName,
		Doc:         "Turn string and categorical columns into bool columns '<col>_<name>', one per named regular expression (RE2 syntax), true where the expression matches somewhere in the value.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "patterns", Kind: hyperspace.Text, Default: "{}",
				Doc: "a JSON object mapping names to regular expressions in RE2 syntax, such as {\"digits\": \"[0-9]\"}; outputs follow the names' sorted order, and missing values match nothing"},
			{Name: "keep_input", Kind: hyperspace.Bool, Default: false,
				Doc: "keep each text column (as utf8) before its features; by default the features replace it"},
			threadsParam(),
		},
	}
}

// HashedTokensSpace is the hyperparameter space of hashed_tokens.
func HashedTokensSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     HashedTokensName,
		Doc:         "Count the tokens of string and categorical columns into n_features hashed float64 columns '<col>_h0' to '<col>_h<n_features-1>', as scikit-learn's HashingVectorizer(alternate_sign=False, norm=None): the bucket of a token is |murmurhash3_32(token)| mod n_features.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "n_features", Kind: hyperspace.Int, Low: 1, High: 1 << 16, Default: 32,
				Doc: "number of hash buckets, each a float64 column"},
			{Name: "lowercase", Kind: hyperspace.Bool, Default: true,
				Doc: "lower-case the text before finding tokens"},
			{Name: "token_pattern", Kind: hyperspace.Text, Default: DefaultTokenPattern,
				Doc: "RE2 regular expression of a token (of its one capturing group, if it has one); the default finds what scikit-learn's (?u)\\b\\w\\w+\\b does"},
			{Name: "keep_input", Kind: hyperspace.Bool, Default: false,
				Doc: "keep each text column (as utf8) before its counts; by default the counts replace it"},
			threadsParam(),
		},
	}
}

// LogTransformSpace is the hyperparameter space of log_transform.
func LogTransformSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     LogTransformName,
		Doc:         "Replace numeric columns by their logarithm: log1p(x + offset) or log(x + offset); a value outside the logarithm's domain is an error, and missing values stay missing.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "function", Kind: hyperspace.Categorical, Default: logLog1p, Choices: []string{logLog1p, logLog},
				Doc: "log1p, which needs x + offset > -1, or log, which needs x + offset > 0"},
			{Name: "offset", Kind: hyperspace.Float, Low: -valueBound, High: valueBound, Default: 0.0,
				Doc: "added to every value before the logarithm"},
			threadsParam(),
		},
	}
}

// ClipSpace is the hyperparameter space of clip.
func ClipSpace() hyperspace.Space {
	quantile := &hyperspace.Condition{Param: "bounds", Values: []any{boundsQuantile}}
	value := &hyperspace.Condition{Param: "bounds", Values: []any{boundsValue}}
	return hyperspace.Space{
		Learner:     ClipName,
		Doc:         "Clip numeric columns to [low, high]: quantiles of each column's training values (linear interpolation, as numpy's quantile) or given values; missing values stay missing.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "bounds", Kind: hyperspace.Categorical, Default: boundsQuantile, Choices: []string{boundsQuantile, boundsValue},
				Doc: "'quantile' learns the bounds from the training values, 'value' takes low and high"},
			{Name: "quantile_low", Kind: hyperspace.Float, Low: 0, High: 1, Default: 0.0, Condition: quantile,
				Doc: "quantile of the training values that is the lower bound (0: the minimum)"},
			{Name: "quantile_high", Kind: hyperspace.Float, Low: 0, High: 1, Default: 1.0, Condition: quantile,
				Doc: "quantile of the training values that is the upper bound (1: the maximum)"},
			{Name: "low", Kind: hyperspace.Float, Low: -valueBound, High: valueBound, Default: -valueBound, Condition: value,
				Doc: "the lower bound; the default, -1e12, means none"},
			{Name: "high", Kind: hyperspace.Float, Low: -valueBound, High: valueBound, Default: valueBound, Condition: value,
				Doc: "the upper bound; the default, 1e12, means none"},
			threadsParam(),
		},
	}
}

// BucketizeSpace is the hyperparameter space of bucketize.
func BucketizeSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     BucketizeName,
		Doc:         "Replace numeric columns by the index (0 to n_buckets-1, as float64) of their bucket among edges learnt from the training values, as scikit-learn's KBinsDiscretizer(encode='ordinal'); missing values stay missing.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "n_buckets", Kind: hyperspace.Int, Low: 2, High: 1 << 16, Default: 5,
				Doc:   "number of buckets; quantile edges closer than 1e-8 merge, so a column may get fewer, and a constant column gets one",
				Tuned: true, Search: &hyperspace.Range{Low: 2, High: 20}},
			{Name: "strategy", Kind: hyperspace.Categorical, Default: strategyQuantile, Choices: []string{strategyQuantile, strategyUniform},
				Doc: "'quantile': edges at evenly spaced quantiles (linear interpolation, as KBinsDiscretizer's quantile_method='linear'); 'uniform': evenly spaced between the minimum and maximum"},
			threadsParam(),
		},
	}
}

// SelectColumnsSpace is the hyperparameter space of select_columns.
func SelectColumnsSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     SelectColumnsName,
		Doc:         "Keep only the named columns, and the target and weight: every other column of the training frame is dropped.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "columns", Kind: hyperspace.Text, Default: "[]",
				Doc: "a JSON list of the column names to keep, such as [\"age\", \"income\"]"},
		},
	}
}

// DropColumnsSpace is the hyperparameter space of drop_columns.
func DropColumnsSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     DropColumnsName,
		Doc:         "Drop the named columns.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "columns", Kind: hyperspace.Text, Default: "[]",
				Doc: "a JSON list of the column names to drop, such as [\"id\"]; not the target or the weight"},
		},
	}
}

// RenameColumnsSpace is the hyperparameter space of rename_columns.
func RenameColumnsSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner:     RenameColumnsName,
		Doc:         "Rename columns, leaving their values as they are.",
		Transformer: true,
		Params: []hyperspace.Param{
			{Name: "columns", Kind: hyperspace.Text, Default: "{}",
				Doc: "a JSON object mapping old names to new ones, such as {\"x\": \"age\"}; not the target or the weight"},
		},
	}
}
