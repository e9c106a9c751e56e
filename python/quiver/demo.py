"""The README's main job: fit quiver's linear models and a fast-and-frugal
tree on scikit-learn's bundled data sets and print train and test metrics.

Run it with ``make demo`` or ``python -m quiver.demo``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split

import quiver


def _split(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return train_test_split(frame, test_size=0.25, random_state=0, stratify=frame[target] if target == "label" else None)


def classification() -> None:
    data = load_breast_cancer(as_frame=True)
    frame = data.frame.rename(columns={"target": "label"})
    train, test = _split(frame, "label")
    started = time.perf_counter()
    predict, scored, log = quiver.logistic_regression(train, target="label", l2=1.0)
    seconds = time.perf_counter() - started
    out = predict(test)
    step = log["logistic_regression"]
    print(f"logistic_regression on breast cancer ({len(train)} train / {len(test)} test rows, "
          f"{step['n_features']} features): {step['iterations']} iterations, "
          f"converged={step['converged']}, {seconds * 1000:.0f} ms")
    for name, part in (("train", scored), ("test", out)):
        p = part["probability_1"].to_numpy()
        print(f"  {name:5s} AUC {roc_auc_score(part['label'], p):.4f}  "
              f"accuracy {accuracy_score(part['label'], part['prediction']):.4f}  "
              f"log loss {log_loss(part['label'], p):.4f}")


def regression() -> None:
    data = load_diabetes(as_frame=True)
    train, test = _split(data.frame, "target")
    for label, params in (("ridge", {"l2": 10.0}), ("lasso", {"l1": 2000.0}),
                          ("elastic net", {"l1": 1000.0, "l2": 100.0})):
        predict, scored, log = quiver.linear_regression(train, target="target", **params)
        out = predict(test)
        step = log["linear_regression"]
        nonzero = int(np.count_nonzero(predict.summary["coef"][0]))
        print(f"linear_regression ({label}, {params}) on diabetes: {nonzero} of {step['n_features']} "
              f"coefficients non-zero")
        for name, part in (("train", scored), ("test", out)):
            print(f"  {name:5s} R2 {r2_score(part['target'], part['prediction']):.4f}  "
                  f"MAE {mean_absolute_error(part['target'], part['prediction']):.2f}")


def fast_and_frugal() -> None:
    data = load_breast_cancer(as_frame=True)
    # The bundled target is 1 for benign; the tree predicts malignancy.
    frame = data.frame.assign(malignant=data.frame["target"] == 0).drop(columns="target")
    train, test = _split(frame, "malignant")
    started = time.perf_counter()
    predict, _, log = quiver.fft(train, target="malignant", test=test, progress=False)
    seconds = time.perf_counter() - started
    step = log["fft"]
    print(f"fft on breast cancer: {len(step['trees'])} candidate trees, {seconds * 1000:.0f} ms; the best:")
    print(f"  {step['tree']}")
    for name in ("train", "test"):
        st = step[name]
        print(f"  {name:5s} balanced accuracy {st['bacc']:.4f}  sensitivity {st['sens']:.4f}  "
              f"specificity {st['spec']:.4f}  mean cues used {st['mcu']:.2f}")


def main() -> None:
    print(f"quiver {quiver.__version__}")
    classification()
    regression()
    fast_and_frugal()


if __name__ == "__main__":
    main()
