// Package gbdt is the gbdt learner: histogram-based gradient-boosted
// decision trees in the manner of LightGBM.
//
// # Training
//
// Every feature is binned once. Numeric features get at most max_bin bins
// cut at quantiles of a sample of bin_sample rows; a categorical feature
// (a string or dictionary column) gets one bin per category. Bin 0 of
// every feature holds missing values (nulls and NaN) and, at prediction
// time, categories never seen in training. The binned matrix is stored row
// by row, one byte per value when every feature has at most 256 bins and
// two bytes otherwise.
//
// Each round fits one tree per score (one for regression and binary
// classification, one per class for softmax) to the gradients and
// hessians of the loss at the current scores. Trees grow leaf-wise: the
// leaf whose best split reduces the loss most is split next, until
// num_leaves leaves or no admissible split remain. A leaf's histogram is
// built only for the smaller child of a split; the larger child's is the
// parent's minus it. Histograms are built in parallel over fixed blocks of
// rows (and over groups of features when a leaf has few rows) and the
// blocks are added in order, so the model is the same, bit for bit, for
// any number of threads.
//
// Numeric splits send bins up to a threshold left; the side of missing
// values is learned (both are tried when the node has missing values,
// otherwise they follow the larger child). Categorical splits send a set
// of categories left: one category against the rest when the node has at
// most max_cat_to_onehot categories, otherwise a prefix of the categories
// ordered by gradient over smoothed hessian, as in LightGBM. Missing
// values and unseen categories take the side learned for them.
//
// As in LightGBM, histograms do not count rows: min_data_in_leaf is
// checked on counts estimated from hessian sums, which is exact for the
// squared, absolute and Huber losses without weights.
//
// # Prediction
//
// Models score raw feature values (not bins), with each numeric split's
// threshold at the upper bound of its bin, so training and prediction
// agree exactly. Explain adds raw scores and exact path-dependent TreeSHAP
// contributions (Lundberg et al., 2018), with node covers being training
// row counts.
//
// # Model file
//
// A model is stored as two tables, "nodes" and "leaves", with the
// objective, classes, initial scores and per-feature categories in the
// metadata; see Model.Encode.
package gbdt
