"""Hyperparameter spaces: the JSON form, conditions and forbidden
combinations, and the samplers and tuner adapters (sample, grid, Optuna,
hyperopt, scikit-learn), each of which must respect the conditions."""

from __future__ import annotations

import json

import pytest

import quiver
from quiver import Space

# A space with every feature: steps, log scale, a condition, a forbidden pair.
TOY = {
    "learner": "toy",
    "doc": "a toy space",
    "params": [
        {"name": "policy", "kind": "categorical", "choices": ["lossguide", "depthwise"], "default": "lossguide", "doc": ""},
        {"name": "depth", "kind": "int", "low": 1, "high": 12, "step": 1, "default": 6, "doc": "",
         "condition": {"param": "policy", "values": ["depthwise"]}},
        {"name": "rate", "kind": "float", "low": 1e-4, "high": 1.0, "log": True, "default": 0.1, "doc": ""},
        {"name": "frac", "kind": "float", "low": 0.1, "high": 1.0, "step": 0.1, "default": 1.0, "doc": ""},
        {"name": "fast", "kind": "bool", "default": False, "doc": ""},
        {"name": "n_threads", "kind": "int", "low": 0, "high": 64, "default": 0, "doc": "", "runtime": True},
    ],
    "forbidden": [[{"param": "policy", "value": "depthwise"}, {"param": "fast", "value": True}]],
}


@pytest.fixture
def toy() -> Space:
    return Space.from_dict(TOY)


def check(space: Space, config: dict) -> None:
    """config respects the space: known, in range, on the step, conditions
    hold exactly for the parameters present, nothing forbidden."""
    assert "n_threads" not in config, "runtime parameters are not searched"
    for name, value in config.items():
        p = space[name]
        if p.kind in ("float", "int"):
            assert p.low <= value <= p.high, (name, value)
            if p.step:
                k = (value - p.low) / p.step
                assert abs(k - round(k)) < 1e-9, (name, value)
            if p.kind == "int":
                assert isinstance(value, int) and not isinstance(value, bool), (name, value)
        elif p.kind == "categorical":
            assert value in p.choices
        else:
            assert isinstance(value, bool)
    for p in space:
        if p.condition is not None and p.name in config:
            parent, values = p.condition
            assert config.get(parent, space[parent].default) in values, (p.name, config)
    assert not (config.get("policy") == "depthwise" and config.get("fast") is True) or space.learner != "toy"
    space.validate(config)  # the engine-side rules agree


def test_json_round_trip(toy):
    again = Space.from_dict(json.loads(json.dumps(toy.to_dict())))
    assert again == toy
    for name in quiver.learners():
        sp = quiver.space(name)
        assert Space.from_dict(json.loads(json.dumps(sp.to_dict()))) == sp


def test_schema_is_published():
    schema = quiver.space_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"version", "spaces"} <= set(schema["properties"])


def test_validate_enforces_conditions_and_forbidden(toy):
    toy.validate({"policy": "depthwise", "depth": 3})
    toy.validate({"depth": 6})  # inactive, at its default: harmless
    with pytest.raises(ValueError, match="'depth' only applies when 'policy' is one of"):
        toy.validate({"depth": 3})
    with pytest.raises(ValueError, match="forbidden"):
        toy.validate({"policy": "depthwise", "fast": True})


def test_sample_is_seeded_and_respects_the_space(toy):
    assert toy.sample(seed=3) == toy.sample(seed=3)
    configs = [toy.sample(seed=s) for s in range(300)]
    assert len({json.dumps(c, sort_keys=True) for c in configs}) > 250
    for c in configs:
        check(toy, c)
    assert any("depth" in c for c in configs) and any("depth" not in c for c in configs)


def test_grid_covers_branches_without_repeats(toy):
    configs = toy.grid(points=3)
    keys = {json.dumps(c, sort_keys=True) for c in configs}
    assert len(keys) == len(configs)
    for c in configs:
        check(toy, c)
    # lossguide: 3 rates x 3 fracs x 2 fast = 18; depthwise: 3 depths x 3 x 3 x 1 (fast forbidden) = 27
    assert len(configs) == 18 + 27


def test_optuna_respects_conditions(toy):
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    seen = []

    def objective(trial):
        c = toy.suggest(trial)
        check(toy, c)
        seen.append(c)
        return c.get("depth", 0) + c["rate"]

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=60)
    assert any("depth" in c for c in seen) and any("depth" not in c for c in seen)
    pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
    assert all(t.params.get("policy") == "depthwise" and t.params.get("fast") for t in pruned)


def test_hyperopt_respects_conditions(toy):
    pytest.importorskip("hyperopt")
    from hyperopt.pyll import stochastic

    expr = toy.to_hyperopt()
    import numpy as np

    rng = np.random.default_rng(0)
    for _ in range(200):
        c = toy.from_hyperopt(stochastic.sample(expr, rng=rng))
        if c.get("policy") == "depthwise" and c.get("fast"):
            continue  # hyperopt cannot express forbidden pairs; the learner refuses them
        check(toy, c)


def test_sklearn_distributions_respect_conditions(toy):
    from sklearn.model_selection import ParameterSampler

    dists = toy.to_sklearn()
    assert isinstance(dists, list) and len(dists) == 2
    for c in ParameterSampler(dists, n_iter=200, random_state=0):
        if c.get("policy") == "depthwise" and c.get("fast"):
            continue
        check(toy, dict(c))


def untuned(sp: Space) -> Space:
    """sp with every parameter searched over its full bounds."""
    d = sp.to_dict()
    for p in d["params"]:
        p.pop("tuned", None)
        p.pop("search", None)
    return Space.from_dict(d)


def test_tuned_parameters_and_search_ranges_narrow_the_default_search():
    for name in ("gbdt", "mlp", "logistic_regression", "fft"):
        sp = quiver.space(name)
        tuned = {p.name for p in sp if p.tuned}
        assert tuned, name
        for seed in range(30):
            c = sp.sample(seed=seed)
            assert set(c) <= tuned
            for k, v in c.items():
                if sp[k].search is not None:
                    low, high, _ = sp[k].search
                    assert low <= v <= high, (name, k, v)
            sp.validate(c)


def test_real_spaces_sample_into_valid_fits():
    sp = untuned(quiver.space("mlp"))
    for seed in range(50):
        c = sp.sample(seed=seed)
        check(sp, c)
        assert ("momentum" in c) == (c["optimizer"] == "sgd")
        assert ("beta1" in c) == (c["optimizer"] in ("adam", "adamw"))
        assert ("lr_gamma" in c) == (c["lr_schedule"] == "step")
    import numpy as np

    rng = np.random.default_rng(0)
    df = {"x": rng.standard_normal(200), "y": rng.standard_normal(200)}
    c = sp.sample(seed=1)
    c.update(max_iter=2, hidden_layers=[4], learning_rate=1e-3, l2=0.0, objective="squared_error")
    quiver.mlp(df, target="y", progress=False, **c)
