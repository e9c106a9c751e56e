// Package fft fits fast-and-frugal trees for binary classification, the
// way the R package FFTrees (Phillips, Neth, Woike and Gaissmaier, 2017)
// does, and registers the learner as "fft".
//
// A fast-and-frugal tree asks one question per level about one cue, such
// as "age > 60" or "thal = {rd,fd}". Every level but the last has a single
// exit: the cases that answer yes leave with the level's decision, the
// others go on. The last level decides both ways. In words:
//
//	If thal = {rd,fd}, decide True. If cp != {a}, decide False.
//	If slope = {flat,down}, decide True, otherwise, decide False.
//
// # Cues and thresholds
//
// Numeric columns are numeric cues, asked with >, >=, < or <= (grown trees
// use > and <=); string, categorical and boolean columns are asked with
// = {levels} or != {levels}. Each cue's question is the one that scores
// best by goal_threshold on the cases at hand: for a numeric cue, among
// candidate thresholds counted in one pass over the cue's values sorted
// once (a radix sort); for a categorical cue, among the sets made of its
// levels taken in order of how well each scores alone. numthresh_method "o"
// (the default) takes FFTrees' candidates, numthresh_n distinct values
// evenly spaced in rank; "exact" takes every distinct value; "m" the
// median. Ties go to >, to the smaller threshold and to the smaller set,
// as in FFTrees, so with the defaults the trees are FFTrees' own.
//
// # Growing
//
// ifan ranks the cues once, on all cases, by goal_chase and asks them in
// that order; dfan re-ranks them on the cases still unclassified at each
// level, where a cue may be asked again. For both, every exit structure of
// the first max_levels-1 levels is grown, 2^(max_levels-1) trees, and a
// tree stops early when it runs out of cases or cues, classifies the cases
// so far perfectly, leaves fewer than stopping_par of them (the exemplar
// rule), improves goal_chase by less than stopping_par (statdelta), or,
// for dfan, leaves cases of one outcome only. max and zigzag (Martignon et
// al., 2008) grow one tree from the cues' predictive values. The candidates
// are scored on the training data and ranked by goal; the first is the
// model, and the log holds them all with their statistics on the training
// data and, given a test frame, on it.
//
// Trees whose questions are known before they grow (ifan, max, zigzag)
// are grown and scored on cells of cases that answer all the questions
// alike, at most 3^max_levels of them, counted in one parallel pass over
// the rows; dfan grows on the rows, re-counting them for every level.
// Counts are integers, so the trees do not depend on the number of
// threads.
//
// # Missing values
//
// For a categorical or boolean cue a missing value is a level of its own,
// "NA", that sets may hold (voting's "physician = {FALSE,NA}"); a level
// not seen in training is in no set. A missing numeric value answers no
// question: at a level before the last the case goes on to the next, and
// at the last level it takes the decision of the training majority (True
// when more than half the training cases are; FFTrees' rule). When a
// numeric cue is ranked, its missing cases are left out of its counts.
//
// # Outputs
//
// A model adds "prediction" (bool) and "probability_true": the share of
// True cases among the training cases that left by the same exit. Asked
// for it (estimators.ApplyOptions.ExitLevel), it also adds "exit_level",
// the level (from 1) at which each case left.
package fft
