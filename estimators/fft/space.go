package fft

import (
	"github.com/quiver-ml/quiver/hyperspace"
)

// Name is the registered name of the learner.
const Name = "fft"

// MaxLevels bounds max_levels: every exit structure of the first levels is
// enumerated, 2^(max_levels-1) trees.
const MaxLevels = 12

// Algorithms, goals, stopping rules and threshold methods by name.
const (
	algIfan   = "ifan"
	algDfan   = "dfan"
	algMax    = "max"
	algZigzag = "zigzag"

	goalBacc   = "bacc"
	goalWacc   = "wacc"
	goalAcc    = "acc"
	goalDprime = "dprime"
	goalCost   = "cost"

	stopExemplars = "exemplars"
	stopLevels    = "levels"
	stopStatdelta = "statdelta"

	threshExact  = "exact"
	threshOptim  = "o"
	threshMedian = "m"
)

var goals = []string{goalBacc, goalWacc, goalAcc, goalDprime, goalCost}

// Space is the hyperparameter space of fft. Names follow FFTrees with
// underscores for dots.
func Space() hyperspace.Space {
	return hyperspace.Space{
		Learner: Name,
		Holdout: "test",
		Doc:     "Fast-and-frugal trees for binary classification: one question per level, each level but the last with one exit.",
		Params: []hyperspace.Param{
			{Name: "algorithm", Kind: hyperspace.Categorical, Default: algIfan,
				Choices: []string{algIfan, algDfan, algMax, algZigzag},
				Doc:     "how cues are ordered: ifan ranks them once on all cases, dfan re-ranks them on the cases still unclassified at each level, max and zigzag are Martignon et al.'s (2008) orderings by predictive value",
				Tuned:   true},
			{Name: "goal", Kind: hyperspace.Categorical, Default: goalBacc, Choices: goals,
				Doc: "statistic by which the best of the candidate trees is chosen"},
			{Name: "goal_chase", Kind: hyperspace.Categorical, Default: goalBacc, Choices: goals,
				Doc: "statistic by which cues are ranked when a tree is grown"},
			{Name: "goal_threshold", Kind: hyperspace.Categorical, Default: goalBacc, Choices: goals,
				Doc: "statistic by which each cue's threshold or set of levels is chosen"},
			{Name: "sens_w", Kind: hyperspace.Float, Low: 0, High: 1, Default: 0.5,
				Doc: "weight of sensitivity (against specificity) in the wacc goal"},
			{Name: "max_levels", Kind: hyperspace.Int, Low: 1, High: MaxLevels, Default: 4,
				Doc:   "maximum number of levels (questions) of a tree",
				Tuned: true, Search: &hyperspace.Range{Low: 2, High: 6}},
			{Name: "stopping_rule", Kind: hyperspace.Categorical, Default: stopExemplars,
				Choices: []string{stopExemplars, stopLevels, stopStatdelta},
				Doc:     "when a tree stops growing before max_levels: exemplars when fewer than stopping_par of the cases are left unclassified, levels never, statdelta when a level improves goal_chase by less than stopping_par"},
			{Name: "stopping_par", Kind: hyperspace.Float, Low: 0, High: 1, Default: 0.1,
				Doc: "parameter of the stopping rule"},
			{Name: "repeat_cues", Kind: hyperspace.Bool, Default: true,
				Doc: "whether dfan may ask about a cue again at a later level (with a threshold fitted to the cases left)"},
			{Name: "numthresh_method", Kind: hyperspace.Categorical, Default: threshOptim,
				Choices: []string{threshExact, threshOptim, threshMedian},
				Doc:     "numeric thresholds: o takes numthresh_n of the cue's distinct values evenly spaced in rank, ends included (all of them when there are fewer), as FFTrees does, which also keeps small samples from overfitting; exact tries every distinct value; m takes the median"},
			{Name: "numthresh_n", Kind: hyperspace.Int, Low: 2, High: 100000, Default: 10,
				Doc:       "candidate thresholds per numeric cue with numthresh_method o",
				Condition: &hyperspace.Condition{Param: "numthresh_method", Values: []any{"o"}}},
			{Name: "cost_hi", Kind: hyperspace.Float, Low: -1e12, High: 1e12, Default: 0.0,
				Doc: "cost of a hit (true positive) in the cost goal"},
			{Name: "cost_fa", Kind: hyperspace.Float, Low: -1e12, High: 1e12, Default: 1.0,
				Doc: "cost of a false alarm (false positive) in the cost goal"},
			{Name: "cost_mi", Kind: hyperspace.Float, Low: -1e12, High: 1e12, Default: 1.0,
				Doc: "cost of a miss (false negative) in the cost goal"},
			{Name: "cost_cr", Kind: hyperspace.Float, Low: -1e12, High: 1e12, Default: 0.0,
				Doc: "cost of a correct rejection (true negative) in the cost goal"},
			{Name: "cue_costs", Kind: hyperspace.Text, Default: "",
				Doc: "cost of looking up each cue, added per case that reaches its level: a JSON object or a mapping from cue to cost; cues not named cost 0"},
			{Name: "tree", Kind: hyperspace.Text, Default: "",
				Doc: `a tree in words to evaluate as is instead of growing one, such as "If age > 60, decide True, otherwise, decide False."`},
			{Name: "n_threads", Kind: hyperspace.Int, Low: 0, High: 1024, Default: 0, Runtime: true,
				Doc: "threads for counting; 0 uses every CPU"},
		},
	}
}
