// Package linear provides the linear_regression and logistic_regression
// learners. Importing it registers both with the estimators registry.
//
// # Objective
//
// Both learners minimise a sum (not a mean) over rows, so that their
// penalties line up with scikit-learn's Ridge and LogisticRegression(C) and
// with LightGBM's lambda:
//
//	minimise  Σ_i w_i·loss_i(β) + l1·Σ_j |β_j| + (l2/2)·Σ_j β_j²
//
// where w_i is the sample weight (the Spec's Weight column, 1 without one),
// the intercept is never penalised, and loss_i is
//
//   - ½(y_i − η_i)² for linear_regression,
//   - the binary log-loss log(1 + e^η_i) − y_i·η_i for logistic_regression
//     with two classes (class 1 is the second label in sorted order),
//   - the multinomial cross-entropy log Σ_k e^η_ik − η_{i,y_i} with one
//     coefficient vector per class (softmax over K classes, as
//     scikit-learn's multinomial LogisticRegression) for three or more
//     classes. Intercepts are then only identified up to a common shift and
//     are reported centred to sum to zero; without any penalty, coefficients
//     are reported with zero sum across classes for every feature.
//
// With standardize=true (the default) the penalty applies to the
// coefficients of the features scaled to unit weighted standard deviation
// (ddof=0), as glmnet does; with standardize=false it applies to the
// coefficients as reported. Coefficients are always reported on the original
// scale of the features. Features whose variance cannot be told apart from
// zero get a coefficient of 0 (noted in the log's warnings); without an
// intercept a nonzero constant feature is kept.
//
// # Correspondence with scikit-learn
//
// With standardize=false and n rows (Σw with sample weights):
//
//	Ridge(alpha)                          l2 = alpha
//	Lasso(alpha)                          l1 = n·alpha
//	ElasticNet(alpha, l1_ratio=r)         l1 = n·alpha·r, l2 = n·alpha·(1−r)
//	LinearRegression()                    l1 = l2 = 0
//	LogisticRegression(C) (L2)            l2 = 1/C
//	LogisticRegression(C, penalty="l1")   l1 = 1/C, l2 = 0
//	LogisticRegression(C, "elasticnet", l1_ratio=r)
//	                                      l1 = r/C, l2 = (1−r)/C
//	LogisticRegression(penalty=None)      l1 = l2 = 0
//
// # Solver
//
// One pass over the data computes weighted means and variances. Features are
// read in place from their Arrow buffers (float64 columns without copying);
// only vectors of one value per row and matrices of features×features are
// allocated. The problem is solved in centred and standardized coordinates,
// where a penalty on the original coefficients becomes a per-feature
// penalty factor, which keeps the numerics well conditioned.
//
// linear_regression is one exact quadratic problem: one pass computes the
// weighted Gram matrix, which is solved by Cholesky (without l1) or by
// coordinate descent followed by an exact solve on the final support (with
// l1). Without any penalty and with collinear features the minimum-norm
// solution is returned, as scikit-learn's lstsq does.
//
// logistic_regression runs (proximal) Newton iterations; max_iter bounds
// their number. Every pass over the data first applies the step chosen
// after the pass before (the change of the margins is computed block by
// block and kept) and then computes the loss, the gradient and the Hessian
// at the new point, so an iteration reads the features once. The step is
// judged afterwards by Armijo's condition; when it fails, a backtracking
// line search runs on the stored margins without reading the features
// again. Newton steps are solved by Cholesky without l1 and by coordinate
// descent on the quadratic model (glmnet style, with an exact solve on the
// final support) with l1.
//
// The gradient always covers every row, so the solution is the exact
// optimum, but the Hessian need not: on large data (a sample of at least
// 50,000 rows that is at most a quarter of them) it is computed on a fixed
// sample, the first 2048 rows of every chunk, scaled to the whole data; and
// once the steps are small (below 1% of the coefficients) the last Hessian
// is reused, so that the pass computes only the loss and the gradient.
// Steps from such an approximate Hessian converge linearly rather than
// quadratically; whenever they stop shrinking fourfold, or fail the line
// search, a fresh Hessian on every row takes over. The log's
// hessian_sample_rows says how many rows the sampled Hessians used (0 when
// they were not sampled).
//
// The solver stops when a step changes no standardized coefficient by more
// than tol·(1 + the largest coefficient), or when a Newton step with an
// exact Hessian lowers the objective by less than tol relative while being
// below sqrt(tol)·(1 + the largest coefficient), which by quadratic
// convergence leaves an error of the order of tol. The log's converged
// says whether it stopped this way rather than at max_iter.
//
// Both solvers handle at most MaxCoefficients coefficients (features + 1,
// times the number of classes for multinomial models).
//
// Passes over rows run in chunks on n_threads goroutines; partial results
// are added in chunk order, so a fit gives the same bits on any number of
// threads (the Hessian sample does not depend on it either). Within a
// chunk, rows are taken in blocks of a few hundred, copied into a small
// buffer, one contiguous column after the other, where they serve the
// margins update (one fused multiply-add kernel) and the gradient; for the
// Hessian they are then centred and weighted in place, and each Hessian
// entry is one SIMD dot product over the block.
//
// # Log
//
// Fit's log holds the learner, hyperparameters, features, target, weight,
// n_rows, n_features, classes, iterations, converged, final_objective,
// objective_history, warnings, fit_seconds and training metrics (rmse, mae
// and r2 for regression; log_loss, accuracy and, for two classes, auc).
package linear
