package gbdt

import (
	"context"
	"testing"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

func TestBinaryLearns(t *testing.T) {
	train := syntheticFrame(t, 20000, 6, 1)
	test := syntheticFrame(t, 5000, 6, 2)
	m, log := fitModel(t, train, estimators.Spec{Target: "y"}, map[string]any{"objective": "log_loss", "max_iter": 50})
	out, err := m.Apply(context.Background(), test, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	auc := engine.AUC(column0(t, test, "y"), column0(t, out, "probability_1"), nil)
	t.Logf("AUC %.4f, log %v", auc, log["num_trees"])
	if auc < 0.8 {
		t.Fatalf("test AUC %.4f, want > 0.8", auc)
	}
}
