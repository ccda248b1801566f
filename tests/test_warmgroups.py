"""Runs that share a warm-up travel as one job (``experiments/core/warmgroups.py``): a robustness world's arms
at one replication form one group, finished runs stay out of groups, a failing run fails alone."""

from __future__ import annotations

import pytest

from townsim.experiments.core.executors import Failure
from townsim.experiments.core.warmgroups import WarmUpGroup, by_warm_up, in_groups
from townsim.experiments.workflows.robust.plan import plan
from townsim.experiments.workflows.robust.settings import RobustSettings
from townsim.model.warmstart import warmup_key

pytest.importorskip("numba")


@pytest.fixture(scope="module")
def specs():
    p = plan(RobustSettings(worlds=2, reps=2, equal_staff=True))
    return p.specs


class _Store:
    def __init__(self, keys):
        self.keys = set(keys)

    def has(self, key) -> bool:
        return key in self.keys


def test_a_world_replications_arms_form_one_group_in_plan_order(specs):
    jobs = by_warm_up(specs)
    assert all(isinstance(j, WarmUpGroup) for j in jobs)
    assert len(jobs) == len({warmup_key(s.params, s.seed) for s in specs}) == 2 * 2
    for job in jobs:
        assert len({warmup_key(r.params, r.seed) for r in job.runs}) == 1
        assert [specs.index(r) for r in job.runs] == sorted(specs.index(r) for r in job.runs)
    assert sorted(k for j in jobs for k in j.keys) == sorted(s.key for s in specs)


def test_finished_runs_stay_single_so_that_a_resume_skips_them(specs):
    done = [specs[0].key, specs[5].key]
    jobs = by_warm_up(specs, _Store(done))
    singles = [j for j in jobs if not isinstance(j, WarmUpGroup)]
    assert sorted(s.key for s in singles) == sorted(done)
    grouped = [k for j in jobs if isinstance(j, WarmUpGroup) for k in j.keys]
    assert not set(grouped) & set(done) and len(grouped) == len(specs) - 2


def _fake(spec):
    if spec.scenario == "baseline":
        raise ValueError("boom")
    return {"scenario": spec.scenario}


def test_a_group_runs_each_run_and_a_failure_stays_its_own(specs):
    group = by_warm_up(specs)[0]
    out = in_groups(_fake)(group)
    assert len(out) == len(group.runs)
    for run, result in zip(group.runs, out):
        if run.scenario == "baseline":
            assert isinstance(result, Failure) and "boom" in result.error
        else:
            assert result == {"scenario": run.scenario}
    other = next(s for s in specs if s.scenario != "baseline")
    assert in_groups(_fake)(other) == {"scenario": other.scenario}  # a single run: fn's own outcome
