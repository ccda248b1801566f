"""PRIM: the boxes of input values (levers, assumptions) where a case of interest happens.

Shared by ``discover`` (boxes of lever values) and ``robust`` (boxes of assumption values where
a reform fails, scored on held-out worlds with :func:`score_box`).

PRIM (the patient rule induction method) is the EMA Workbench's implementation
(:mod:`ema_workbench.analysis.prim`): it peels a box down from the whole lever
space, ``peel_alpha`` of the remaining runs at a time, then pastes back, and
records the trajectory of (coverage, density) on the way. Here:

- every *run* is one row (a sample point's replications are separate rows), so a
  box's **density** is the share of runs in the box that are cases of interest and
  its **coverage** the share of all cases of interest that fall in the box;
  **mass** is the share of all runs in the box;
- the **chosen step** of a trajectory is the one of highest coverage whose
  density is at least ``min_density`` (the densest step if none reaches it);
- after a box is chosen, its runs are taken out and PRIM looks for the next
  box in the rest (covering), until ``max_boxes`` boxes, or the densest box of
  the rest stays below ``min_density``;
- a lever is **restricted** on a side when the box limit lies inside the range of
  the sampled values; the **quasi-p-value** of that side is the one-sided binomial
  probability of the box's density if the restriction were dropped (Bryant and
  Lempert 2010): small values mean the restriction matters.

Switches (true/false levers) are categorical inputs for PRIM ("off"/"on").
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "SWITCH_VALUES",
    "Lever",
    "Restriction",
    "Box",
    "Discovery",
    "prim_frame",
    "find_boxes",
    "choose_step",
    "in_box",
    "score_box",
    "holdout_split",
]

SWITCH_VALUES = ("off", "on")
"""How a true/false lever is shown to PRIM and in the words of the report."""


@dataclass(frozen=True)
class Lever:
    """A sampled lever and its full range (``kind``: ``"float"``, ``"int"`` or ``"bool"``)."""

    name: str
    low: float
    high: float
    kind: str = "float"


@dataclass(frozen=True)
class Restriction:
    """A restricted lever of a box.

    ``lower``/``upper`` are the box limits (``None`` on a side left open);
    ``values`` the allowed values of a switch. ``qp_lower``/``qp_upper`` are the
    quasi-p-values of each restricted side (``None`` on an open side).
    """

    lever: Lever
    lower: float | None = None
    upper: float | None = None
    values: tuple[str, ...] | None = None
    qp_lower: float | None = None
    qp_upper: float | None = None

    @property
    def qp(self) -> float:
        """The larger (weaker) quasi-p-value of the restricted sides."""
        vals = [v for v in (self.qp_lower, self.qp_upper) if v is not None]
        return max(vals) if vals else float("nan")

    def share_of_range(self) -> float:
        """Width of the box limits as a share of the lever's full range (switches: allowed values / 2)."""
        if self.values is not None:
            return len(self.values) / 2
        lo = self.lever.low if self.lower is None else self.lower
        hi = self.lever.high if self.upper is None else self.upper
        return (hi - lo) / (self.lever.high - self.lever.low)


@dataclass
class Box:
    """One box of a scenario: its chosen step on the peeling trajectory and its restrictions."""

    number: int
    step: int
    coverage: float
    density: float
    mass: float
    runs: int
    cases: int
    restrictions: list[Restriction]
    trajectory: pd.DataFrame
    """One row per step: step, coverage, density, mass, res_dim, n, k."""
    steps: list[list[Restriction]] = field(default_factory=list, repr=False)
    """The restrictions at every step of the trajectory."""

    @property
    def restricted(self) -> list[str]:
        return [r.lever.name for r in self.restrictions]


@dataclass
class Discovery:
    """The PRIM result of one scenario."""

    scenario: str
    runs: int
    cases: int
    levers: list[Lever]
    boxes: list[Box]
    min_density: float
    note: str = ""
    """Why there is no box (no cases, cases everywhere, no box dense enough), else empty."""
    attempt: Box | None = None
    """When no box reaches ``min_density``: PRIM's densest box (shown, never counted as a box)."""

    @property
    def base_rate(self) -> float:
        return self.cases / self.runs if self.runs else float("nan")


def prim_frame(values: pd.DataFrame, levers: Sequence[Lever]) -> pd.DataFrame:
    """The lever columns as PRIM inputs: floats, integers, switches as "off"/"on" categories."""
    x = pd.DataFrame(index=range(len(values)))
    for lv in levers:
        col = values[lv.name].to_numpy()
        if lv.kind == "bool":
            x[lv.name] = pd.Categorical(np.where(col.astype(bool), "on", "off"), categories=list(SWITCH_VALUES))
        elif lv.kind == "int":
            x[lv.name] = col.astype(np.int64)
        else:
            x[lv.name] = col.astype(np.float64)
    # names as plain objects: pandas 3 keeps column names as pyarrow strings, and PRIM masks them at every
    # peeling step (``columns.values[mask]``), each a pyarrow call (a sixth of a robustness analysis's time)
    x.columns = pd.Index([lv.name for lv in levers], dtype=object)
    return x


def find_boxes(
    values: pd.DataFrame,
    cases: np.ndarray,
    levers: Sequence[Lever],
    *,
    scenario: str = "",
    min_density: float = 0.8,
    max_boxes: int = 3,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """Run PRIM on one scenario's runs.

    ``values``: one row per run, a column per lever (model values); ``cases``: one
    bool per run (a case of interest). Returns the boxes in the order found.
    """
    prim = _prim_module()
    levers = list(levers)
    y = np.asarray(cases, dtype=bool)
    n, k = len(y), int(y.sum())
    if len(values) != n:
        raise ValueError(f"{len(values)} rows of lever values but {n} case flags")
    disc = Discovery(scenario, n, k, levers, [], min_density)
    if n == 0 or k == 0:
        disc.note = "no run is a case of interest: there is no box to find"
        return disc
    if k == n:  # PRIM needs both classes; every run is a case: the box is the whole lever space
        whole = pd.DataFrame(
            {"step": [0], "coverage": [1.0], "density": [1.0], "mass": [1.0], "res_dim": [0], "n": [n], "k": [k]}
        )
        disc.boxes.append(Box(1, 0, 1.0, 1.0, 1.0, n, k, [], whole, [[]]))
        disc.note = _everywhere(disc, min_density)
        return disc
    x = prim_frame(values, levers)
    # PRIM's threshold both marks the cases (y ≥ threshold) and is the mean a box must reach to be
    # kept; with y in {0, 1} a tiny threshold marks exactly the cases and keeps every box, so that
    # ``min_density`` is applied here (and the densest box is known when none reaches it).
    with _quiet():
        p = prim.Prim(
            x, y.astype(np.int64), threshold=1e-9, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min
        )
        _peel(p, disc, k, levers, min_density, max_boxes)
    if disc.boxes and not disc.boxes[0].restrictions:
        disc.note = _everywhere(disc, min_density)
    return disc


def _peel(p, disc: Discovery, k: int, levers: Sequence[Lever], min_density: float, max_boxes: int) -> None:
    """Find up to ``max_boxes`` boxes with PRIM ``p`` and add to ``disc`` those dense enough; the first box
    short of ``min_density`` ends the search (kept as ``disc.attempt`` when it is the first)."""
    for number in range(1, max_boxes + 1):
        if k - sum(b.cases for b in disc.boxes) <= 0:
            break  # every case of interest is in a box already
        pbox = p.find_box()
        if pbox is None:
            break
        box = _box(number, pbox, p.box_init, levers, min_density)
        step, steps = box.step, box.steps
        if box.density < min_density - 1e-12:
            if not disc.boxes:
                disc.attempt = box
                disc.note = (
                    f"no box reaches a density of {min_density:.0%}: the densest box found "
                    f"holds {box.density:.0%} cases of interest"
                )
            break
        pbox.select(step)
        disc.boxes.append(box)
        if not steps[step]:  # the whole remaining space is dense: nothing more to separate
            break


def _box(number: int, pbox, box_init: pd.DataFrame, levers: Sequence[Lever], min_density: float) -> Box:
    """The ``number``-th box PRIM found, at the step ``choose_step`` picks from its peeling trajectory."""
    traj = _trajectory(pbox)
    step = choose_step(traj, min_density)
    steps = [_restrictions(pbox, i, box_init, levers) for i in range(len(traj))]
    return Box(
        number=number,
        step=step,
        coverage=float(traj.at[step, "coverage"]),
        density=float(traj.at[step, "density"]),
        mass=float(traj.at[step, "mass"]),
        runs=int(traj.at[step, "n"]),
        cases=int(traj.at[step, "k"]),
        restrictions=steps[step],
        trajectory=traj,
        steps=steps,
    )


def _everywhere(disc: Discovery, min_density: float) -> str:
    """The note when no lever restriction is needed: the cases of interest are dense everywhere."""
    return (
        f"cases of interest are everywhere: {disc.base_rate:.0%} of all runs, no lever "
        f"restriction is needed to reach a density of {min_density:.0%}"
    )


def choose_step(trajectory: pd.DataFrame, min_density: float) -> int:
    """The step of highest coverage with density ≥ ``min_density`` (the densest step if none)."""
    ok = trajectory[trajectory["density"] >= min_density - 1e-12]
    if ok.empty:
        return int(trajectory["density"].idxmax())
    best = ok["coverage"].max()
    # among equal coverage, the densest (and then the later, smaller) step
    tied = ok[ok["coverage"] >= best - 1e-12]
    return int(tied.sort_values(["density", "step"]).index[-1])


def in_box(values: pd.DataFrame, restrictions: Sequence[Restriction]) -> np.ndarray:
    """One bool per row of ``values``: inside every restriction (limits inclusive; open sides unbounded)."""
    inside = np.ones(len(values), dtype=bool)
    for r in restrictions:
        col = values[r.lever.name].to_numpy()
        if r.values is not None:
            on = np.where(col.astype(bool), "on", "off")
            inside &= np.isin(on, list(r.values))
            continue
        if r.lower is not None:
            inside &= col >= r.lower
        if r.upper is not None:
            inside &= col <= r.upper
    return inside


def score_box(values: pd.DataFrame, cases: np.ndarray, restrictions: Sequence[Restriction]) -> dict[str, float]:
    """Coverage, density and mass of a box on (other) rows: e.g. held-out worlds PRIM did not see.

    coverage = cases in the box / all cases; density = cases in the box / rows in the box;
    mass = rows in the box / all rows (NaN where a denominator is 0).
    """
    y = np.asarray(cases, dtype=bool)
    inside = in_box(values, restrictions)
    n_in, k_in, k = int(inside.sum()), int((inside & y).sum()), int(y.sum())
    return {
        "coverage": k_in / k if k else float("nan"),
        "density": k_in / n_in if n_in else float("nan"),
        "mass": n_in / len(y) if len(y) else float("nan"),
        "rows": n_in,
        "cases": k_in,
    }


def holdout_split(n: int, share: float, seed: int) -> np.ndarray:
    """One bool per row: True for the held-out rows (``round(share × n)`` of them, drawn without
    replacement from ``numpy.random.default_rng(seed)``), False for the rows PRIM is trained on."""
    if not 0 <= share < 1:
        raise ValueError(f"held-out share {share}: allowed: [0, 1)")
    held = np.zeros(n, dtype=bool)
    k = int(round(share * n))
    if k:
        held[np.random.default_rng(seed).choice(n, size=k, replace=False)] = True
    return held


# ------------------------------------------------------------------------------------------
# internals
# ------------------------------------------------------------------------------------------
def _prim_module():
    """Import the EMA Workbench's PRIM quietly (it warns about optional parallel back ends)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim  # deferred: ema_workbench is heavy, loaded only by PRIM
    return prim


class _quiet:
    """Silence the workbench's INFO log lines and pandas warnings raised inside PRIM."""

    def __enter__(self):
        self._logger = logging.getLogger("EMA")
        self._level = self._logger.level
        self._logger.setLevel(logging.WARNING)
        self._warn = warnings.catch_warnings()
        self._warn.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc):
        self._warn.__exit__(*exc)
        self._logger.setLevel(self._level)
        return False


def _trajectory(pbox) -> pd.DataFrame:
    t = pbox.peeling_trajectory
    out = pd.DataFrame(
        {
            "step": np.arange(len(t)),
            "coverage": t["coverage"].to_numpy(float),
            "density": t["density"].to_numpy(float),
            "mass": t["mass"].to_numpy(float),
            "res_dim": t["res_dim"].to_numpy(int),
            "n": t["n"].to_numpy(int),
            "k": t["k"].to_numpy(int),
        }
    )
    return out


def _restrictions(pbox, i: int, box_init: pd.DataFrame, levers: Sequence[Lever]) -> list[Restriction]:
    """The restricted levers of step ``i`` with their limits and quasi-p-values, in lever order."""
    lim = pbox.box_lims[i]
    qp = pbox.qp[i]
    out = []
    for lv in levers:
        lo, hi = lim[lv.name].iloc[0], lim[lv.name].iloc[1]
        ilo, ihi = box_init[lv.name].iloc[0], box_init[lv.name].iloc[1]
        q = qp.get(lv.name, [-1, -1])
        if lv.kind == "bool":
            allowed = tuple(v for v in SWITCH_VALUES if v in set(lo))
            if set(allowed) == set(ilo):
                continue
            out.append(Restriction(lv, values=allowed, qp_lower=_qp(q[0])))
            continue
        low_cut, high_cut = lo != ilo, hi != ihi
        if not (low_cut or high_cut):
            continue
        out.append(
            Restriction(
                lv,
                lower=_num(lo, lv) if low_cut else None,
                upper=_num(hi, lv) if high_cut else None,
                qp_lower=_qp(q[0]) if low_cut else None,
                qp_upper=_qp(q[1]) if high_cut else None,
            )
        )
    return out


def _num(v, lv: Lever):
    return int(v) if lv.kind == "int" else float(v)


def _qp(v) -> float | None:
    v = float(v)
    return None if v < 0 or not np.isfinite(v) else v
