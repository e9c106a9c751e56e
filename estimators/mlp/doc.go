// Package mlp trains small multi-layer perceptrons for tabular data and
// registers the learner as "mlp".
//
// A network has hidden_layers of units with one activation (relu, gelu,
// tanh or sigmoid) and an output that fits the objective: one identity unit
// for squared error, one sigmoid unit for two classes, one softmax unit per
// class for more. Inputs are standardised inside the model (their means and
// scales are part of the fitted state), so raw columns go in and out.
//
// # Inputs
//
// Every feature is a numeric column (one input) or a fixed-size list of
// numbers (one input per element: an embedding, a small image), read from
// its Arrow buffer as it is. A string or categorical column, a list whose
// rows may differ in length, and missing values are errors that say what to
// do instead.
//
// # Training
//
// Mini-batches of batch_size rows, reshuffled every epoch from seed, are
// split into fixed chunks of 128 rows; each chunk's forward and backward pass
// runs on one of n_threads goroutines, and the chunks' gradients are added
// in chunk order, so a seed gives the same model, bit for bit, for any
// n_threads. Arithmetic is float32; matrix products run in the package's
// own AVX2/FMA kernels (4×16 blocks held in registers, gemm_amd64.s) where
// the CPU has them, in Go elsewhere; element-wise passes use vek.
// Optimisers: adam (as scikit-learn's), adamw (decoupled weight decay l2)
// and sgd with momentum and Nesterov momentum; learning rates constant,
// stepped or cosine by epoch; dropout on hidden units; L2 on the weights as
// scikit-learn's alpha. Weights and biases start uniform in
// ±1/sqrt(fan_in) as PyTorch's linear layers do, with Glorot's bounds for
// the weights into tanh and sigmoid units.
//
// With a validation frame (or validation_fraction of the rows held out) the
// log records the validation loss every epoch, and early_stopping_rounds
// stops training when it has not improved for that many epochs, keeping the
// best epoch's weights. A loss that becomes NaN or infinite stops the fit
// with an error that names the epoch.
package mlp
