"""Feedback: requesters' satisfaction, and the enterprise life cycle (DESIGN §3.6).

A closed case is judged

    s_case = clip(1 − 0.4·late − 0.1·max(trips − 1, 0) − 0.15·reworks − 0.3·petitioned, 0, 1)

and the requester's satisfaction moves ``s ← s + α (s_case − s)`` with
``α = satisfaction_learning`` (disputes count for the citizen who raised
them). Enterprises move start-up → growth → mature with daily probabilities
``1/startup_days`` and ``1/growth_days``; each exits with daily probability
``enterprise_exit_base + enterprise_exit_sensitivity · max(0, 0.8 − s)``;
new ones enter at ``enterprise_entry_rate × live × (mean satisfaction / 0.7)``
a day (the business environment).
"""

from __future__ import annotations

import numpy as np

from .catalogue import CITIZEN, DISPUTE, ENTERPRISE
from .params import Params

SATISFACTION_START = 0.7
EXIT_THRESHOLD = 0.8
ENTRY_REFERENCE = 0.7


def case_satisfaction(late: np.ndarray, trips: np.ndarray, reworks: np.ndarray, petitioned: np.ndarray) -> np.ndarray:
    s = 1.0 - 0.4 * late - 0.1 * np.maximum(trips - 1, 0) - 0.15 * reworks - 0.3 * petitioned
    return np.clip(s, 0.0, 1.0)


def judge(model, ids: np.ndarray) -> None:
    """Update requesters' satisfaction and trips, and the owners' assessment counters, for closed cases."""
    if len(ids) == 0:
        return
    cases = model.cases
    late = cases.closed[ids] > cases.deadline[ids]
    s_case = case_satisfaction(late, cases.trips[ids].astype(float), cases.reworks[ids].astype(float),
                               cases.petitioned[ids])
    alpha = model.params.satisfaction_learning
    kind = cases.requester_kind[ids]
    who = cases.requester[ids]
    for k, arrays in ((ENTERPRISE, model.enterprise_state), (CITIZEN, model.citizen_state)):
        sel = (kind == k) | ((kind == DISPUTE) & (k == CITIZEN))
        for i, s, tr in zip(who[sel].tolist(), s_case[sel].tolist(), cases.trips[ids][sel].tolist()):
            arrays["satisfaction"][i] += alpha * (s - arrays["satisfaction"][i])
            arrays["trips"][i] += tr
    owner = model.catalogue.owner[cases.matter[ids]]
    township_held = cases.delegated[ids] | (owner < 0)
    for cid, lt, own, th in zip(ids.tolist(), late.tolist(), owner.tolist(), township_held.tolist()):
        agent = model.townships[int(cases.township[cid])] if th else model.departments[own]
        agent.period_cases += 1
        agent.period_late += int(lt)


def enterprise_life_cycle(model) -> tuple[int, int]:
    """Advance stages, draw exits and entries; return (entries, exits)."""
    p: Params = model.params
    st = model.enterprise_state
    n = model.n_enterprises
    if n == 0 and p.enterprise_entry_rate == 0:
        return 0, 0
    rng = model.rng
    stage = st["stage"][:n]
    sat = st["satisfaction"][:n]
    alive = stage < 3
    u = rng.random(n)
    grow = alive & (stage == 0) & (u < 1.0 / p.startup_days)
    mature = alive & (stage == 1) & (u < 1.0 / p.growth_days)
    p_exit = p.enterprise_exit_base + p.enterprise_exit_sensitivity * np.maximum(0.0, EXIT_THRESHOLD - sat)
    leave = alive & (rng.random(n) < p_exit)
    stage[grow] = 1
    stage[mature] = 2
    stage[leave] = 3
    exits = np.flatnonzero(leave)
    for i in exits.tolist():
        model.enterprise_agents[i].remove()
        model.enterprise_agents[i] = None
    live = int(alive.sum()) - len(exits)
    mean_sat = float(sat[alive & ~leave].mean()) if live else SATISFACTION_START
    lam = p.enterprise_entry_rate * max(live, 1) * mean_sat / ENTRY_REFERENCE
    entries = int(rng.poisson(lam)) if lam > 0 else 0
    if entries:
        town = rng.choice(len(model.townships), size=entries, p=model.township_share)
        model.add_enterprises(town, stage=0)
    return entries, len(exits)
