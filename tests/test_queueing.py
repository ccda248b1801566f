"""Queueing theory: the M/M/c reduction matches Erlang C at several c and ρ; serial n/μ vs joint H_n/μ.

The checks are defined once in experiments/checks/queueing.py (``townsim validate`` reports them);
these tests assert their quick versions."""

import pytest
from checks_cache import explain, group, quick

from townsim.experiments.checks.queueing import ERLANG_CASES, erlang_c_wait


def test_erlang_c_formula_textbook_values():
    # M/M/1: Wq = ρ/(μ − λ); M/M/2 at λ = 1, μ = 1: Wq = 1/3
    assert erlang_c_wait(1, 0.5, 1.0) == pytest.approx(0.5 / (1.0 - 0.5))
    assert erlang_c_wait(2, 1.0, 1.0) == pytest.approx(1 / 3)


@pytest.mark.slow
@pytest.mark.parametrize(
    "c,rho", [pytest.param(c, rho, marks=group(f"erlang_c_c{c}_rho{rho:g}")) for c, rho, *_ in ERLANG_CASES]
)
def test_mmc_mean_wait_matches_erlang_c(c, rho):
    """Mean wait over independent long runs (warm-up dropped) within 5 % of Erlang C."""
    r = quick(f"erlang_c_c{c}_rho{rho:g}")
    assert r.passed, explain(r)


@pytest.mark.parametrize(
    "kind,n",
    [pytest.param(k, n, marks=group(f"fork_join_{k}_n{n}")) for n in (2, 3) for k in ("serial", "joint")],
)
def test_serial_takes_n_over_mu_and_joint_takes_harmonic_over_mu(n, kind):
    r = quick(f"fork_join_{kind}_n{n}")
    assert r.passed, explain(r)
