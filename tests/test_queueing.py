"""Queueing theory: the M/M/c reduction matches Erlang C; serial n/μ vs joint H_n/μ."""

import math

import numpy as np
import pytest

from townsim.model import TownshipModel
from townsim.model.scenario import load_scenario


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c (hours)."""
    a = lam / mu
    rho = a / c
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) / (1 - rho)
    return tail / (head + tail) / (c * mu - lam)


@pytest.mark.slow
@pytest.mark.parametrize("rho,reps,days", [(0.5, 4, 3000), (0.75, 6, 3000), (0.9, 12, 4000)])
def test_mmc_mean_wait_matches_erlang_c(rho, reps, days):
    """Mean wait over independent long runs (warm-up dropped) within 5% of Erlang C."""
    base = load_scenario("scenarios/validation/mmc.toml").params
    c, mu = int(base.department_staff), 1.0 / base.difficulty_hours[0]
    lam = rho * c * mu  # per working hour
    p = base.replace(citizen_request_rate=lam * 8 / base.residents)
    waits = []
    for seed in range(1, reps + 1):
        m = TownshipModel(p, rng=seed)
        m.run(days)
        cases = m.cases
        created, started = cases.view("created"), cases.view("started")
        keep = (created > 100 * 8) & ~np.isnan(started)  # drop the warm-up
        waits.append((started - created)[keep].mean())
    wait = float(np.mean(waits))
    expected = erlang_c_wait(c, lam, mu)
    assert abs(wait - expected) / expected < 0.05, (rho, wait, expected, waits)


def _sojourn(tmp_path, n, joint, seed=3, days=400):
    csv = tmp_path / "one_matter.csv"
    deps = ";".join(str(i) for i in range(n))
    csv.write_text("name,category,requester,weight,difficulty,hours,departments,district\n"
                   f"m,approval,citizen,1,simple,1.0,{deps},false\n")
    p = load_scenario("scenarios/validation/mmc.toml").params.replace(
        matter_catalogue=str(csv), departments=n, department_staff=40.0 * n,
        citizen_request_rate=2.0 * 8 / 100_000,  # 2 cases/hour against 40 staff per department: no queue
        one_stop_centre=joint, joint_handling=joint)
    m = TownshipModel(p, rng=seed)
    m.run(days)
    c = m.cases
    closed = ~np.isnan(c.view("closed"))
    return ((c.view("closed") - c.view("created"))[closed]).mean(), closed.sum()


@pytest.mark.parametrize("n", [2, 3])
def test_serial_takes_n_over_mu_and_joint_takes_harmonic_over_mu(tmp_path, n):
    serial, k1 = _sojourn(tmp_path, n, joint=False)
    joint, k2 = _sojourn(tmp_path, n, joint=True)
    harmonic = sum(1.0 / i for i in range(1, n + 1))
    assert k1 > 5000 and k2 > 5000
    assert serial == pytest.approx(n * 1.0, rel=0.03)
    assert joint == pytest.approx(harmonic, rel=0.03)
