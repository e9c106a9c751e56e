package fft

import (
	"math"

	"github.com/quiver-ml/quiver/estimators"
)

// confusion counts the outcomes of binary decisions: hits (true positives),
// false alarms (false positives), misses (false negatives) and correct
// rejections (true negatives).
type confusion struct{ hi, fa, mi, cr int }

func (c confusion) add(o confusion) confusion {
	return confusion{c.hi + o.hi, c.fa + o.fa, c.mi + o.mi, c.cr + o.cr}
}

func (c confusion) n() int { return c.hi + c.fa + c.mi + c.cr }

// ratio is a/b, or 0 when b is 0, so empty groups score as nothing rather
// than NaN.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// costs are the costs of the four outcomes, per case.
type costs struct{ hi, fa, mi, cr float64 }

// objective turns the outcomes of a tree or a cue into the number a goal
// maximises.
type objective struct {
	goal  string  // bacc, wacc, acc, dprime or cost
	sensW float64 // weight of sensitivity in wacc
	costs costs
}

// value is the goal's score of outcomes c whose cues cost cueCost per case
// on average; higher is better (for the cost goal it is minus the mean cost).
func (o objective) value(c confusion, cueCost float64) float64 {
	sens := ratio(float64(c.hi), float64(c.hi+c.mi))
	spec := ratio(float64(c.cr), float64(c.cr+c.fa))
	switch o.goal {
	case goalBacc:
		return (sens + spec) / 2
	case goalWacc:
		return o.sensW*sens + (1-o.sensW)*spec
	case goalAcc:
		return ratio(float64(c.hi+c.cr), float64(c.n()))
	case goalDprime:
		return dprime(c)
	}
	return -(o.outcomeCost(c) + cueCost)
}

// outcomeCost is the mean cost of the outcomes per case.
func (o objective) outcomeCost(c confusion) float64 {
	total := float64(c.hi)*o.costs.hi + float64(c.fa)*o.costs.fa + float64(c.mi)*o.costs.mi + float64(c.cr)*o.costs.cr
	return ratio(total, float64(c.n()))
}

// dprime is the sensitivity index z(hit rate) - z(false-alarm rate), with
// a quarter of a case added to every cell (as FFTrees does) so that perfect
// rates stay finite.
func dprime(c confusion) float64 {
	hr := (float64(c.hi) + 0.25) / (float64(c.hi+c.mi) + 0.5)
	far := (float64(c.fa) + 0.25) / (float64(c.fa+c.cr) + 0.5)
	return probit(hr) - probit(far)
}

// probit is the standard normal quantile function.
func probit(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }

// Stats are a tree's results on one frame, as the log reports them.
type Stats struct {
	N      int     `json:"n"`
	Hi     int     `json:"hi"`
	Fa     int     `json:"fa"`
	Mi     int     `json:"mi"`
	Cr     int     `json:"cr"`
	Sens   float64 `json:"sens"`
	Spec   float64 `json:"spec"`
	PPV    float64 `json:"ppv"`
	NPV    float64 `json:"npv"`
	Acc    float64 `json:"acc"`
	Bacc   float64 `json:"bacc"`
	Wacc   float64 `json:"wacc"`
	Dprime float64 `json:"dprime"`
	Cost   float64 `json:"cost"`
	// MCU is the mean number of cues used (levels visited) per case.
	MCU float64 `json:"mcu"`
	// PCI is the share of the available cue lookups a case did not need:
	// 1 - MCU / (number of cues offered to the learner).
	PCI float64 `json:"pci"`
}

// newStats fills Stats from outcomes, the total of levels visited over all
// cases, the total cue cost and the number of cues offered.
func newStats(o objective, c confusion, levelsVisited int, cueCost float64, nCues int) Stats {
	n := float64(c.n())
	s := Stats{N: c.n(), Hi: c.hi, Fa: c.fa, Mi: c.mi, Cr: c.cr,
		Sens: ratio(float64(c.hi), float64(c.hi+c.mi)),
		Spec: ratio(float64(c.cr), float64(c.cr+c.fa)),
		PPV:  ratio(float64(c.hi), float64(c.hi+c.fa)),
		NPV:  ratio(float64(c.cr), float64(c.cr+c.mi)),
		Acc:  ratio(float64(c.hi+c.cr), n),
		MCU:  ratio(float64(levelsVisited), n),
	}
	s.Bacc = (s.Sens + s.Spec) / 2
	s.Wacc = o.sensW*s.Sens + (1-o.sensW)*s.Spec
	s.Dprime = dprime(c)
	s.Cost = o.outcomeCost(c) + ratio(cueCost, n)
	if nCues > 0 {
		s.PCI = 1 - s.MCU/float64(nCues)
	}
	return s
}

func (s Stats) log() estimators.Log {
	return estimators.Log{
		"n": s.N, "hi": s.Hi, "fa": s.Fa, "mi": s.Mi, "cr": s.Cr,
		"sens": s.Sens, "spec": s.Spec, "ppv": s.PPV, "npv": s.NPV,
		"acc": s.Acc, "bacc": s.Bacc, "wacc": s.Wacc, "dprime": s.Dprime,
		"cost": s.Cost, "mcu": s.MCU, "pci": s.PCI,
	}
}
