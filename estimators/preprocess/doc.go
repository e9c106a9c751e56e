// Package preprocess provides feature steps: learners whose models are
// estimators.Transformers, fitted without a target (but for
// target_encoder), that turn some columns of a frame into new ones.
// Importing the package registers them:
//
//   - standard_scaler: (x - mean) / std per numeric column, as
//     scikit-learn's StandardScaler (population standard deviation; a
//     constant column is scaled by 1);
//   - min_max_scaler: maps each numeric column's training range
//     [min, max] onto [feature_range_low, feature_range_high], optionally
//     clipping values outside it, as scikit-learn's MinMaxScaler;
//   - imputer: replaces missing values by the column's mean, median, most
//     frequent value or a constant, optionally adding a bool
//     "<col>_missing" indicator, as scikit-learn's SimpleImputer;
//   - one_hot: one float64 0/1 column "<col>_<level>" per level of a
//     string, categorical or bool column, as scikit-learn's OneHotEncoder;
//   - ordinal_encoder: the rank of each level among the sorted training
//     levels, as a float64, as scikit-learn's OrdinalEncoder;
//   - target_encoder: the mean of the target per level, smoothed toward
//     its overall mean (an m-estimate), as scikit-learn's TargetEncoder
//     with a float smooth; the model encodes with every training row, and
//     quiver.target_encoder (Python) encodes the training frame out of
//     fold by fitting it once per fold;
//   - regex_features: a bool "<col>_<name>" per named regular expression
//     (RE2) of a string or categorical column, true where it matches;
//   - hashed_tokens: token counts of a string or categorical column in
//     float64 columns "<col>_h<k>", as scikit-learn's
//     HashingVectorizer(alternate_sign=False, norm=None);
//   - log_transform: log1p(x + offset) or log(x + offset), refusing values
//     outside the logarithm's domain;
//   - clip: each numeric column clipped to quantiles of its training
//     values or to given bounds;
//   - bucketize: the index of each value's bucket among quantile or
//     uniform edges, as scikit-learn's KBinsDiscretizer(encode='ordinal');
//   - select_columns, drop_columns and rename_columns: the column steps,
//     which keep, drop or rename the columns their "columns"
//     hyperparameter names (a JSON list, or an object of old to new names).
//
// # Columns
//
// A step acts on spec.Features if given, otherwise on every column of the
// kinds it handles, never on spec.Target or spec.Weight:
//
//   - the scalers, and the imputer with the mean or median strategy, take
//     numeric columns; by default those other than booleans (a bool column
//     named in spec.Features is read as 0 and 1);
//   - the imputer with the most_frequent or constant strategy takes
//     numeric, bool, string and categorical (dictionary) columns;
//   - the encoders (target_encoder included) take string, categorical and
//     bool columns;
//   - regex_features and hashed_tokens take string and categorical columns;
//   - log_transform, clip and bucketize take numeric columns, as the
//     scalers do;
//   - the column steps take the columns their "columns" hyperparameter
//     names, whatever their type, and refuse spec.Features.
//
// Missing values are nulls, and NaN in numeric columns. Sample weights are
// not used (a weight column is left alone, and the log says so). Only
// target_encoder uses the target; the other steps leave it alone, and the
// column steps never drop or rename it, nor the weight.
//
// # Outputs
//
// The scalers, the imputer, ordinal_encoder, target_encoder,
// log_transform, clip and bucketize replace each column by a float64
// column of the same name (the imputer keeps string columns as utf8 and
// bool columns as bool). one_hot replaces each column by its level
// columns, regex_features by its bool features and hashed_tokens by its
// counts (both keep the column, as utf8, before them with keep_input).
// Apply returns only these new columns; Replaces names the input columns
// they stand in for, which a pipeline drops. A fit fails if an output would
// take the name of another column of the frame, or of another output.
//
// The column steps return their inputs themselves: select_columns and
// drop_columns the columns they keep (in place of themselves, since a
// frame of no columns cannot cross the C data interface), with the
// dropped columns among Replaces but not among the inputs, so a frame need
// not have them at predict time; rename_columns the renamed columns under
// their new names, in place of the old ones.
//
// # Model files
//
// Every model file holds one table, "columns", with one row per input
// column: its name and what the step learnt about it (means and scales,
// minima and maxima, fill values, levels, target sums and counts, bucket
// edges); the column steps' table also has a row per dropped column, with
// each row's role. target_encoder's state also describes the target (its
// name, type, positive class and mean). Decoding checks every value
// against the inputs, the outputs and the hyperparameters.
package preprocess
