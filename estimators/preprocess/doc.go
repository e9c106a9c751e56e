// Package preprocess provides feature steps: learners whose models are
// estimators.Transformers, fitted without a target, that turn some columns
// of a frame into new ones. Importing the package registers them:
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
//     levels, as a float64, as scikit-learn's OrdinalEncoder.
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
//   - the encoders take string, categorical and bool columns.
//
// Missing values are nulls, and NaN in numeric columns. Sample weights are
// not used (a weight column is left alone, and the log says so).
//
// # Outputs
//
// The scalers, the imputer and ordinal_encoder replace each column by a
// float64 column of the same name (the imputer keeps string columns as
// utf8 and bool columns as bool). one_hot replaces each column by its level
// columns. Apply returns only these new columns; Replaces names the input
// columns they stand in for, which a pipeline drops. A fit fails if an
// output would take the name of another column of the frame, or of another
// output.
//
// # Model files
//
// Every model file holds one table, "columns", with one row per input
// column: its name and what the step learnt about it (means and scales,
// minima and maxima, fill values, levels). Decoding checks every value
// against the inputs, the outputs and the hyperparameters.
package preprocess
