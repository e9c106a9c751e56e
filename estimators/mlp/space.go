package mlp

import (
	"github.com/quiver-ml/quiver/hyperspace"
)

// Name is the registered name of the learner.
const Name = "mlp"

// MaxWidth bounds the width of a hidden layer.
const MaxWidth = 1 << 16

// Choices by name.
const (
	objAuto     = "auto"
	objSquared  = "squared_error"
	objLogLoss  = "log_loss"
	actReLU     = "relu"
	actGELU     = "gelu"
	actTanh     = "tanh"
	actSigmoid  = "sigmoid"
	optAdam     = "adam"
	optAdamW    = "adamw"
	optSGD      = "sgd"
	schConstant = "constant"
	schStep     = "step"
	schCosine   = "cosine"
)

// Space is the hyperparameter space of mlp. Names follow scikit-learn's
// MLPClassifier where the concept is the same, with the project's shared
// names elsewhere (max_iter is epochs, l2, seed, n_threads).
func Space() hyperspace.Space {
	return hyperspace.Space{
		Learner: Name,
		Holdout: "valid",
		Doc:     "Multi-layer perceptrons for tabular data, trained by mini-batch gradient descent in float32 with SIMD.",
		Params: []hyperspace.Param{
			{Name: "hidden_layers", Kind: hyperspace.Text, Default: "[100]",
				Doc: "widths of the hidden layers, such as [64, 64]; [] is a linear model"},
			{Name: "activation", Kind: hyperspace.Categorical, Default: actReLU,
				Choices: []string{actReLU, actGELU, actTanh, actSigmoid},
				Doc:     "activation of the hidden layers",
				Tuned:   true},
			{Name: "objective", Kind: hyperspace.Categorical, Default: objAuto,
				Choices: []string{objAuto, objSquared, objLogLoss},
				Doc:     "loss: auto is log_loss (sigmoid output for two classes, softmax for more) for bool, string and categorical targets and squared_error (identity output) for numeric ones"},
			{Name: "optimizer", Kind: hyperspace.Categorical, Default: optAdam,
				Choices: []string{optAdam, optAdamW, optSGD},
				Doc:     "adam, adamw (weight decay l2 decoupled from the gradient) or sgd with momentum"},
			{Name: "learning_rate", Kind: hyperspace.Float, Low: 1e-8, High: 10, Log: true, Default: 1e-3,
				Doc:   "step size at the start of training",
				Tuned: true, Search: &hyperspace.Range{Low: 0.0001, High: 0.01, Log: true}},
			{Name: "lr_schedule", Kind: hyperspace.Categorical, Default: schConstant,
				Choices: []string{schConstant, schStep, schCosine},
				Doc:     "learning rate by epoch: constant; step (times lr_gamma every lr_step_epochs); cosine (down to 0 at max_iter)"},
			{Name: "lr_step_epochs", Kind: hyperspace.Int, Low: 1, High: 1 << 20, Default: 10,
				Doc:       "epochs between steps of the step schedule",
				Condition: &hyperspace.Condition{Param: "lr_schedule", Values: []any{"step"}}},
			{Name: "lr_gamma", Kind: hyperspace.Float, Low: 1e-6, High: 1, Default: 0.1,
				Doc:       "factor of each step of the step schedule",
				Condition: &hyperspace.Condition{Param: "lr_schedule", Values: []any{"step"}}},
			{Name: "momentum", Kind: hyperspace.Float, Low: 0, High: 0.999999, Default: 0.9,
				Doc:       "momentum of sgd",
				Condition: &hyperspace.Condition{Param: "optimizer", Values: []any{"sgd"}}},
			{Name: "nesterov", Kind: hyperspace.Bool, Default: true,
				Doc:       "Nesterov momentum for sgd",
				Condition: &hyperspace.Condition{Param: "optimizer", Values: []any{"sgd"}}},
			{Name: "beta1", Kind: hyperspace.Float, Low: 0, High: 0.999999, Default: 0.9,
				Doc:       "decay of adam's first-moment estimate",
				Condition: &hyperspace.Condition{Param: "optimizer", Values: []any{"adam", "adamw"}}},
			{Name: "beta2", Kind: hyperspace.Float, Low: 0, High: 0.999999999, Default: 0.999,
				Doc:       "decay of adam's second-moment estimate",
				Condition: &hyperspace.Condition{Param: "optimizer", Values: []any{"adam", "adamw"}}},
			{Name: "epsilon", Kind: hyperspace.Float, Low: 1e-12, High: 1, Log: true, Default: 1e-8,
				Doc:       "adam's guard against division by zero",
				Condition: &hyperspace.Condition{Param: "optimizer", Values: []any{"adam", "adamw"}}},
			{Name: "batch_size", Kind: hyperspace.Int, Low: 1, High: 1 << 20, Default: 200,
				Doc:   "rows per mini-batch (all rows if fewer)",
				Tuned: true, Search: &hyperspace.Range{Low: 32, High: 512, Log: true}},
			{Name: "max_iter", Kind: hyperspace.Int, Low: 1, High: 1 << 20, Default: 200,
				Doc: "epochs (passes over the training rows)"},
			{Name: "l2", Kind: hyperspace.Float, Low: 0, High: 1e6, Default: 1e-4,
				Doc:   "L2 penalty on the weights (not the biases), as scikit-learn's alpha; adamw's decoupled weight decay",
				Tuned: true, Search: &hyperspace.Range{Low: 1e-06, High: 0.01, Log: true}},
			{Name: "dropout", Kind: hyperspace.Float, Low: 0, High: 0.95, Default: 0.0,
				Doc:   "share of each hidden layer's units dropped at random in training",
				Tuned: true, Search: &hyperspace.Range{Low: 0.0, High: 0.5}},
			{Name: "shuffle", Kind: hyperspace.Bool, Default: true,
				Doc: "shuffle the rows before every epoch"},
			{Name: "seed", Kind: hyperspace.Int, Low: 0, High: 1<<31 - 1, Default: 0,
				Doc: "seed of the initial weights, shuffling, dropout and the validation split"},
			{Name: "early_stopping_rounds", Kind: hyperspace.Int, Low: 0, High: 1 << 20, Default: 0,
				Doc: "stop when the validation loss has not improved for this many epochs and keep the best epoch; 0 never stops early"},
			{Name: "validation_fraction", Kind: hyperspace.Float, Low: 0, High: 0.9, Default: 0.0,
				Doc: "share of the training rows held out as the validation set when no valid frame is given"},
			{Name: "n_threads", Kind: hyperspace.Int, Low: 0, High: 1024, Default: 0, Runtime: true,
				Doc: "threads for the gradient of each mini-batch; 0 uses every CPU"},
		},
	}
}
