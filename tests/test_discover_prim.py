"""PRIM scenario discovery on functions with a known answer (no model runs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from townsim.experiments.workflows.discover import analysis as A
from townsim.experiments.workflows.discover import words as W
from townsim.experiments.workflows.discover.testfunctions import KNOWN_BOX, known_box

NAMES = ["x1", "x2", "x3", "x4", "x5"]
LEVERS = [A.Lever(n, 0.0, 1.0) for n in NAMES]
LIMIT_TOL = 0.05
"""Box limits are sampled values at the box's edge. With 1,000 points one peeling step (5 % of the
box's runs) moves a side of width 0.4–0.5 by about 0.02–0.025: the tolerance is two peeling steps."""


def _lhs(seed: int, n: int = 1000) -> pd.DataFrame:
    return pd.DataFrame(qmc.LatinHypercube(d=5, seed=seed).random(n), columns=NAMES)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_known_box_is_found(seed):
    x = _lhs(seed)
    y = np.array([known_box(row, 0)["y"] > 0.5 for row in x.to_dict("records")])
    d = A.find_boxes(x, y, LEVERS, min_density=0.9)
    assert d.boxes, d.note
    box = d.boxes[0]
    assert sorted(box.restricted) == sorted(KNOWN_BOX)
    for r in box.restrictions:
        lo, hi = KNOWN_BOX[r.lever.name]
        assert r.lower is not None and abs(r.lower - lo) <= LIMIT_TOL
        assert r.upper is not None and abs(r.upper - hi) <= LIMIT_TOL
        assert r.qp < 1e-6  # every side of the true box matters
    assert box.coverage >= 0.9 and box.density >= 0.9
    # every case is in box 1: no further box
    assert len(d.boxes) == 1


def test_integer_and_switch_levers():
    x = _lhs(4)
    x["x3"] = np.floor(x["x3"] * 21).astype(int)  # 0..20
    x["x5"] = x["x5"] >= 0.5
    levers = [
        A.Lever("x1", 0, 1),
        A.Lever("x2", 0, 1),
        A.Lever("x3", 0, 20, "int"),
        A.Lever("x4", 0, 1),
        A.Lever("x5", 0, 1, "bool"),
    ]
    y = ((x["x3"] <= 6) & x["x5"]).to_numpy()
    d = A.find_boxes(x, y, levers)
    box = d.boxes[0]
    by = {r.lever.name: r for r in box.restrictions}
    assert set(by) == {"x3", "x5"}
    assert by["x3"].lower is None and by["x3"].upper == 6
    assert by["x5"].values == ("on",)
    assert box.coverage >= 0.9 and box.density >= 0.9
    assert W.condition_words(box.restrictions) == "x3 ≤ 6 and x5 is on"


def test_two_boxes_by_covering():
    x = _lhs(5)
    a = (x["x1"] > 0.7) & (x["x2"] > 0.7)
    b = (x["x3"] < 0.25) & (x["x4"] < 0.25)
    d = A.find_boxes(x, (a | b).to_numpy(), LEVERS, min_density=0.9)
    assert len(d.boxes) == 2
    found = [set(bx.restricted) for bx in d.boxes]
    assert {"x1", "x2"} in found and {"x3", "x4"} in found
    assert sum(bx.coverage for bx in d.boxes) >= 0.9


def test_no_cases_everywhere_and_noise():
    x = _lhs(6, 400)
    none = A.find_boxes(x, np.zeros(len(x), bool), LEVERS)
    assert none.boxes == [] and "no run is a case" in none.note
    everywhere = A.find_boxes(x, np.ones(len(x), bool), LEVERS)
    assert everywhere.boxes[0].restrictions == [] and "everywhere" in everywhere.note
    noise = A.find_boxes(x, np.random.default_rng(0).random(len(x)) < 0.1, LEVERS)
    assert noise.boxes == [] and "no box reaches" in noise.note
    # the densest box is kept for the report, below the minimum density and never counted as a box
    assert noise.attempt is not None and noise.attempt.density < 0.8
    assert A.boxes_table([noise]).empty


def test_choose_step_takes_most_coverage_at_enough_density():
    t = pd.DataFrame({"step": [0, 1, 2, 3], "coverage": [1.0, 0.9, 0.8, 0.5], "density": [0.3, 0.7, 0.85, 0.99]})
    assert A.choose_step(t, 0.8) == 2
    assert A.choose_step(t, 0.6) == 1
    assert A.choose_step(t, 0.995) == 3  # none reaches it: the densest


def test_planner_sentence():
    lv = A.Lever("delegated_share", 0.0, 1.0)
    st = A.Lever("staff_transfer", 0.0, 1.0)
    box = A.Box(
        number=1,
        step=3,
        coverage=0.71,
        density=0.83,
        mass=0.2,
        runs=120,
        cases=100,
        restrictions=[A.Restriction(lv, lower=0.5512), A.Restriction(st, upper=0.2049)],
        trajectory=pd.DataFrame(),
    )
    text = W.box_sentence(box, "on_time_rate", 0.8, True, township=True)
    assert text == (
        "cases closed on time falls below 0.8 when staff transfer ≤ 0.2 and delegated share ≥ 0.55: "
        "71% of such cases, 83% of the runs in this box (120 runs, 20% of all)"
    )


def test_boxes_table_rows():
    x = _lhs(1)
    y = np.array([known_box(row, 0)["y"] > 0.5 for row in x.to_dict("records")])
    d = A.find_boxes(x, y, LEVERS, scenario="s")
    t = A.boxes_table([d])
    assert list(t["lever"]) == ["x2", "x4"]
    assert set(t.columns) >= {"lower", "upper", "coverage", "density", "mass", "qp_lower", "qp_upper"}
    tr = A.trajectory_table([d])
    assert tr["chosen"].sum() == 1 and tr["coverage"].iloc[0] == 1.0
