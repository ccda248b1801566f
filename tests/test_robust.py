"""townsim robust: a null reform is never distinguishable, a reform that must help helps in every world,
a sign flip at a known threshold is found, resume after SIGKILL is byte-identical, bad input is one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import cli_env
from scipy.stats import qmc

from townsim.experiments.cli import main
from townsim.experiments.core.assumptions import Assumption, assumptions
from townsim.experiments.core.executors import SerialExecutor
from townsim.experiments.core.regret import rank_options, regret_table
from townsim.experiments.core.robustness import TIE, share_interval, tie_rule
from townsim.experiments.workflows.robust.analysis import vulnerabilities
from townsim.experiments.workflows.robust.pipeline import run_robust
from townsim.experiments.workflows.robust.settings import RobustSettings
from townsim.experiments.workflows.robust.worlds import Worlds

SMALL = """description = "a small county"
extends = "baseline"
townships = 4
departments = 8
enterprises = 300
residents = 30000
matter_types = 40
department_staff = 16.0
township_staff = 12.0
warmup_days = 10
"""
SMALL_KEYS = dict(
    townships=4, departments=8, enterprises=300, residents=30000, department_staff=40.0, township_staff=12.0
)
"""The small county as ``--set`` overrides (they reach the root of the extends chain too): 40 department posts
fund the one-stop centre's desks at equal staff."""
PAIRED_REPS = 5
"""Replications of the paired run (common random numbers: the three scenarios of a world share each seed)."""
NULL = 'description = "the small county unchanged, under another name"\nextends = "small"\n'
MORE_STAFF = 'description = "twice the department posts"\nextends = "small"\ndepartment_staff = 32.0\n'


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("scenarios")
    (d / "small.toml").write_text(SMALL)
    (d / "null.toml").write_text(NULL)
    (d / "more_staff.toml").write_text(MORE_STAFF)
    return d


def _settings(county: Path, names=("null", "more_staff"), **kw) -> RobustSettings:
    base = dict(worlds=10, reps=3, days=30, seed=3)
    base.update(kw)
    return RobustSettings(
        scenarios=[str(county / f"{n}.toml") for n in names], baseline=str(county / "small.toml"), **base
    )


@pytest.fixture(scope="module")
def paired(county, tmp_path_factory):
    # 5 paired replications: with 3 (a paired t interval on 2 degrees of freedom) a real gain of the twice-staffed
    # county is "not distinguishable" in worlds where its departments are idle or saturated either way
    with SerialExecutor() as ex:
        return run_robust(
            _settings(county, reps=PAIRED_REPS), tmp_path_factory.mktemp("paired"), ex, show_progress=False
        )


# --- what must show ----------------------------------------------------------------------------------
def test_null_reform_is_not_distinguishable_in_any_world(paired):
    null = paired.robustness[paired.robustness["reform"] == "null"]
    assert len(null) > 20 and (null["worlds"] == 10).all()
    assert (null["share_not_distinguishable"] == 1.0).all()
    assert (null["share_better"] == 0).all() and (null["share_worse"] == 0).all()


def test_more_department_staff_is_better_in_every_world(paired):
    """Twice the department posts shortens the waiting in the departments' queues (hours from a step's arrival
    to its start), the KPI such posts act on.

    Not the share of simple matters closed within 1 h (F5): since posts follow work above a floor and work less
    than fully under load, in a world whose departments stay saturated at twice the posts no simple matter closes
    within the hour either way, and in one whose departments are idle the hour is bounded by service time. Nor
    the requesters' hours over the whole chain: in a world whose townships' halls are the bottleneck (many
    enquiries, few township posts) department posts cannot shorten them."""
    row = paired.robustness.query("reform == 'more_staff' and kpi == 'department_wait_hours'").iloc[0]
    assert row["share_better"] >= 0.99 and row["effect_p95"] < 0  # hours: lower is better
    staff = paired.robustness.query("reform == 'more_staff' and kpi == 'staff_hours'").iloc[0]
    assert staff["share_worse"] == 1.0  # and it costs more in every world
    # the counterfactual: the same county without the extra posts (the null reform) moves nothing
    assert (
        paired.robustness.query("reform == 'null' and kpi == 'requester_hours_per_case'").iloc[0]["share_better"] == 0
    )


def test_null_reform_with_independent_seeds_is_rarely_distinguishable(county, tmp_path):
    s = _settings(county, names=("null",), worlds=12, days=20, independent_seeds=True)
    with SerialExecutor() as ex:
        res = run_robust(s, tmp_path, ex, show_progress=False, make_figures=False)
    r = res.robustness
    pooled = float((r["share_not_distinguishable"] * r["worlds"]).sum() / r["worlds"].sum())
    assert pooled >= 0.95, pooled  # Welch's 95 % interval: about 5 % of (world, KPI) verdicts are false alarms


def test_outputs_and_report(paired):
    out = paired.out
    for name in ("worlds.parquet", "runs.parquet", "robustness.csv", "regret.csv", "vulnerabilities.csv"):
        assert (out / name).is_file(), name
    worlds = pd.read_parquet(out / "worlds.parquet")
    assert len(worlds) == 10 and set(a.name for a in assumptions()) <= set(worlds.columns)
    for a in assumptions():  # every world inside the plausible range; a Latin hypercube fills every tenth
        assert worlds[a.name].between(a.low, a.high).all()
        assert sorted((worlds[f"{a.name}__unit"] * 10).astype(int)) == list(range(10))
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 3 * 10 * PAIRED_REPS and set(runs["replication"]) == set(range(PAIRED_REPS))
    assert (runs.groupby("scenario")["param_hash"].nunique() == 10).all()  # each world its own parameters
    # common random numbers: the three scenarios of a world share each replication's seed
    assert (runs.groupby(["world", "replication"])["seed"].nunique() == 1).all()
    assert runs.groupby("world")["seed"].nunique().min() == PAIRED_REPS
    ranking = pd.read_csv(out / "regret_ranking.csv")
    assert list(ranking["rank"]) == [1, 2, 3] and ranking["max_regret"].is_monotonic_increasing
    text = (out / "report.md").read_text()
    sentences = text.split("## One sentence per reform")[1].split("##")[0]
    assert "twice the department posts" in sentences and "of plausible worlds" in sentences
    intro = " ".join(text.split("\n## ")[0].split())
    assert "the status quo **" not in intro and "runs the baseline (**" in intro  # not "the status quo **Status quo**"
    assert (out / "report.html").stat().st_size > (out / "report.md").stat().st_size
    for png in (out / "figures").glob("*.png"):
        assert png.stat().st_size > 5000


# --- statistics of core --------------------------------------------------------------------------------
def test_tie_rule_and_wilson():
    assert tie_rule(-0.1, 0.2, 0.05, 1) == TIE
    assert tie_rule(0.1, 0.2, 0.15, 1) == "better" and tie_rule(0.1, 0.2, 0.15, -1) == "worse"
    assert tie_rule(float("nan"), float("nan"), 0.0, 1) == TIE
    share, lo, hi = share_interval(10, 10)
    assert share == 1.0 and hi == pytest.approx(1.0) and 0.69 < lo < 0.73  # Wilson, 10 of 10
    assert share_interval(0, 0)[0] != share_interval(0, 0)[0]  # NaN


def test_regret_and_minimax_ranking():
    rows = []
    # world 0: A best (10), B 8, C 9; world 1: B best (10), A 5, C 9 → max regret A 5, B 2, C 1
    for w, vals in enumerate([{"A": 10, "B": 8, "C": 9}, {"A": 5, "B": 10, "C": 9}]):
        for opt, v in vals.items():
            rows += [{"world": w, "option": opt, "replication": r, "value": v + 0.01 * r} for r in range(3)]
    table = regret_table(pd.DataFrame(rows), direction=1)
    got = table.set_index(["world", "option"])["regret"]
    assert got[(0, "A")] == 0 and got[(0, "B")] == pytest.approx(2) and got[(1, "A")] == pytest.approx(5)
    ranking = rank_options(table)
    assert list(ranking["option"]) == ["C", "B", "A"]
    lower = regret_table(pd.DataFrame(rows), direction=-1)  # lower is better: the worst becomes best
    assert lower.set_index(["world", "option"])["regret"][(0, "B")] == 0


def test_loguniform_assumption_maps_both_ways():
    a = Assumption("x", 0.1, 2.0, "loguniform")
    assert a.value(0) == pytest.approx(0.1) and a.value(1) == pytest.approx(2.0)
    assert a.value(0.5) == pytest.approx((0.1 * 2.0) ** 0.5)
    assert a.unit_value(a.value(0.3)) == pytest.approx(0.3)


# --- a toy with a known answer: the effect changes sign at x0 = 0.3 -------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vulnerability_search_finds_a_known_threshold(seed):
    names = ["x0", "x1", "x2", "x3", "x4"]
    n = 600
    u = qmc.LatinHypercube(d=5, seed=seed).random(n)
    unit = pd.DataFrame(u, columns=names)
    varied = [Assumption(nm, 0.0, 1.0) for nm in names]
    worlds = Worlds(varied, unit.copy(), unit, "lhs")
    noise = 0.02 * np.random.default_rng(seed).standard_normal(n)  # seed noise: the sign is exact only away from 0.3
    effect = (unit["x0"] - 0.3).to_numpy() + noise  # the other four assumptions play no part
    effects = pd.DataFrame(
        {
            "world": np.arange(n),
            "reform": "toy",
            "kpi": "on_time_rate",
            "effect": effect,
            "ci_low": effect - 0.01,
            "ci_high": effect + 0.01,
        }
    )
    vul = vulnerabilities(effects, worlds, ["on_time_rate"], held_out=1 / 3, seed=seed)
    box = vul[(vul["box"] == 1) & (vul["assumption"] != "")]
    assert list(box["assumption"]) == ["x0"], vul
    assert box["usual"].iloc[0] == "raises"
    assert abs(float(box["upper_unit"].iloc[0]) - 0.3) <= 0.05
    assert float(box["heldout_density"].iloc[0]) >= 0.9 and float(box["heldout_coverage"].iloc[0]) >= 0.9
    # the counterfactual: without the sign flip there is nothing to find
    flat = effects.assign(effect=effects["effect"].abs() + 0.05, ci_low=0.04, ci_high=2.0)
    assert vulnerabilities(flat, worlds, ["on_time_rate"], 1 / 3, seed).empty


def test_vulnerability_searches_on_workers_give_the_same_table():
    """The searches spread over the experiment's workers (``mapper``) give the table made here, row for row."""
    from functools import partial

    from townsim.experiments.core.executors import ProcessExecutor, collect

    names = ["x0", "x1", "x2"]
    n = 120
    unit = pd.DataFrame(qmc.LatinHypercube(d=3, seed=5).random(n), columns=names)
    worlds = Worlds([Assumption(nm, 0.0, 1.0) for nm in names], unit.copy(), unit, "lhs")
    rows = []
    for r, (name, cut) in enumerate([("a", 0.3), ("b", 0.6), ("c", 0.5)]):
        effect = (unit[names[r]] - cut).to_numpy()
        for k in ("on_time_rate", "mean_days_to_close"):
            rows.append(
                pd.DataFrame(
                    {
                        "world": np.arange(n),
                        "reform": name,
                        "kpi": k,
                        "effect": effect,
                        "ci_low": effect - 0.01,
                        "ci_high": effect + 0.01,
                    }
                )
            )
    effects = pd.concat(rows, ignore_index=True)
    kpis = ["on_time_rate", "mean_days_to_close"]
    here = vulnerabilities(effects, worlds, kpis, held_out=1 / 3, seed=2)
    with ProcessExecutor(2) as ex:
        spread = vulnerabilities(effects, worlds, kpis, held_out=1 / 3, seed=2, mapper=partial(collect, ex))
    assert len(here) >= 6 and set(here["assumption"]) >= {"x0", "x1", "x2"}
    pd.testing.assert_frame_equal(here, spread)


# --- resume, other settings, bad input -------------------------------------------------------------------
def _rows(out: Path) -> list[Path]:
    return sorted(p for p in (out / "runs").glob("*.json") if not p.name.startswith("."))


def _snapshot(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in ("manifest.json", ".townsim.lock")
    }


def test_sigkill_then_resume_is_byte_identical_and_other_settings_are_refused(county, tmp_path, capsys):
    args = [
        "robust",
        str(county / "null.toml"),
        str(county / "more_staff.toml"),
        "--baseline",
        str(county / "small.toml"),
        "--worlds",
        "4",
        "--days",
        "10",  # resume and byte identity are under test, not the statistics
        "--seed",
        "5",
        "--workers",
        "1",
        "--progress",
        "never",
    ]
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "townsim.experiments.cli", *args, "--out", str(out)],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "runs").exists() and len(_rows(out)) >= 6:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "finished before it could be killed: " + proc.stderr.read().decode()
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stderr.close()
    done = _rows(out)
    assert 6 <= len(done) < 36 and not (out / "robustness.csv").exists()
    before = {p.name: p.stat().st_mtime_ns for p in done}
    assert main([*args, "--out", str(out)]) == 0  # resume
    assert all(p.stat().st_mtime_ns == before[p.name] for p in done)  # finished runs were not made again
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["invocations"][-1]["runs"]["skipped"] == len(done)
    resumed = _snapshot(out)

    import shutil

    shutil.rmtree(out)
    assert main([*args, "--out", str(out)]) == 0  # the same experiment, uninterrupted, in the same folder
    clean = _snapshot(out)
    assert sorted(resumed) == sorted(clean)
    assert [k for k in clean if resumed[k] != clean[k]] == []

    capsys.readouterr()
    other = [a if a != "5" else "6" for a in args]  # another seed: other worlds
    assert main([*other, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "other settings" in err
    assert _snapshot(out) == clean


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--worlds", "1"], "--worlds 1: allowed: an integer in [2,"),
        (["--vary", "no_such_thing"], "--vary no_such_thing: not an assumption"),
        (["--fix", "courier_interval_days,bogus"], "--fix bogus: not an assumption"),
        (["--range", "courier_interval_days=2:0.1"], "--range courier_interval_days: range 2–0.1"),
        (["--range", "courier_interval_days=0:2"], "a loguniform range must be above 0"),
        (["--range", "initial_competence=0.5:1.5"], "leaves the parameter's allowed values (0, 1]"),
        (["--range", "courier_interval_days"], "expected NAME=LOW:HIGH"),
        (["--vary", "courier_interval_days", "--range", "learning_cases=10:20"], "is not varied"),
        (["--regret-kpi", "staff_posts"], "--regret-kpi staff_posts: allowed"),
        (["--vary", "courier_interval_days", "--set", "courier_interval_days=0.5"], "also given with --set"),
        (["--posterior", "scenarios/posteriors/linping.parquet"], "made for another county"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(extra, needle, tmp_path, capsys):
    out = tmp_path / "out"
    posterior = [str(Path(__file__).resolve().parent.parent / e) if e.startswith("scenarios/") else e for e in extra]
    rc = main(["robust", "baseline", "--worlds", "2", "--days", "2", *posterior, "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.count("\n") == 0 and needle in err, err
    assert not out.exists()


def test_worlds_from_a_posterior_and_the_chinese_report(county, tmp_path):
    post = tmp_path / "posterior.parquet"
    pd.DataFrame({"courier_interval_days": [0.2, 0.5, 1.5], "weight": [0.5, 0.25, 0.25]}).to_parquet(post)
    made_for = {"townships": 4, "residents": 30000, "departments": 8, "enterprises": 300}
    post.with_suffix(".json").write_text(json.dumps({"scenario": "baseline", "county": made_for}))
    s = _settings(county, names=("null",), worlds=4, days=5, posterior=str(post))
    with SerialExecutor() as ex:
        res = run_robust(s, tmp_path / "out", ex, show_progress=False, lang="zh")
    worlds = pd.read_parquet(tmp_path / "out" / "worlds.parquet")
    assert list(worlds.columns[:2]) == ["world", "courier_interval_days"] and "learning_cases" not in worlds.columns
    assert set(worlds["courier_interval_days"]) <= {0.2, 0.5, 1.5}
    man = json.loads((tmp_path / "out" / "manifest.json").read_text())
    hops = {sc["name"]: sc["params"]["courier_interval_days"] for sc in man["scenarios"]}
    assert hops["null"] == 1.0  # the scenarios' own value; each world's run has the drawn one
    runs = res.runs
    assert len(runs) == 2 * 4 * 3
    text = (tmp_path / "out" / "report.md").read_text()
    assert "可信世界" in text and "posterior.parquet" in text


def test_equal_staff_arm_has_the_baselines_posts_in_every_world_and_is_the_regret_option(tmp_path):
    small = [f"{k}={v}" for k, v in SMALL_KEYS.items()]
    s = RobustSettings(scenarios=["one_stop_135"], worlds=3, reps=2, days=10, seed=2, overrides=small, equal_staff=True)
    with SerialExecutor() as ex:
        res = run_robust(s, tmp_path, ex, show_progress=False, make_figures=False)
    runs = res.runs
    assert set(runs["scenario"]) == {"baseline", "one_stop_135", "one_stop_135+equal_staff"}
    posts = runs.groupby(["world", "scenario"])["staff_posts"].first().unstack()
    assert np.allclose(posts["one_stop_135+equal_staff"], posts["baseline"])
    assert (posts["one_stop_135"] > posts["baseline"] + 1).all()  # the raw reform adds posts
    assert set(res.regret["option"]) == {"baseline", "one_stop_135+equal_staff"}
    # a value given with --set holds in every world: such an assumption is not varied
    assert not set(SMALL_KEYS) & set(pd.read_parquet(tmp_path / "worlds.parquet").columns)


def test_assumptions_are_read_from_the_parameter_metadata():
    from pydantic import BaseModel

    from townsim.model.params import P

    class Good(BaseModel):
        x: float = P(1.0, unit="days", group="g", desc="d", gt=0, le=10, kind="assumption", plausible=(0.5, 5.0),
                     dist="loguniform", basis="expert judgement, for the test")  # fmt: skip
        y: int = P(3, unit="count", group="g", desc="d", ge=1, le=9, kind="lever")

    want = Assumption("x", 0.5, 5.0, "loguniform", "expert judgement, for the test", "days", False)
    assert assumptions(Good) == [want]

    def bad():
        class Bad(BaseModel):
            x: float = P(1.0, unit="days", group="g", desc="d", gt=0, le=10, kind="assumption",
                         plausible=(0.5, 20.0), basis="too wide a range for the field")  # fmt: skip

        return assumptions(Bad)

    # refused by the reader, or already where the field is declared (when P checks its declaration)
    with pytest.raises(ValueError, match=r"leaves the parameter's allowed values|outside the allowed bounds"):
        bad()

    class Listed(BaseModel):
        d: tuple[float, float] = P((1.0, 3.0), unit="days", group="g", desc="d", kind="assumption",
                                   plausible=(0.5, 2.0), basis="a factor on the whole list, for the test")  # fmt: skip

    (listed,) = assumptions(Listed)
    assert listed.factor and listed.value(1.0) == 2.0
    from townsim.experiments.core.assumptions import apply_world
    from townsim.model.params import Params

    p = apply_world(Params(), {"tier_deadlines": 2.0, "courier_interval_days": 0.25}, factors=["tier_deadlines"])
    assert p.tier_deadlines == tuple(2 * v for v in Params().tier_deadlines) and p.courier_interval_days == 0.25
    declared = {a.name for a in assumptions()}
    assert {"courier_interval_days", "learning_cases", "initial_competence", "citizen_patience_days"} <= declared


# --- collapse: a run the stop rule stopped is a failure, never a truncated effect ---------------------------
def _collapse_runs(stopped: dict[tuple[int, str], bool]) -> pd.DataFrame:
    rows = []
    for w in range(2):
        for scen in ("base", "ref"):
            for r in range(3):
                stop = stopped.get((w, scen), False)
                rows.append(
                    {
                        "world": w,
                        "scenario": scen,
                        "replication": r,
                        "on_time_rate": (0.5 if scen == "base" else 0.7) + 0.01 * r,
                        "stopped_day": 12.0 if stop and r == 1 else np.nan,
                    }
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("arm", "verdict"), [("ref", "worse"), ("base", "better"), ("both", "not distinguishable"), ("", "better")]
)
def test_a_collapsed_arm_decides_the_verdict_and_no_truncated_effect_is_averaged(arm, verdict):
    from townsim.experiments.core.robustness import robustness_table, world_effects

    stopped = {(0, a): True for a in ({"ref", "base"} if arm == "both" else {arm} - {""})}
    eff = world_effects(_collapse_runs(stopped), "base", ["ref"], ["on_time_rate"], {"on_time_rate": 1})
    w0, w1 = eff[eff["world"] == 0].iloc[0], eff[eff["world"] == 1].iloc[0]
    assert w0["verdict"] == verdict and w1["verdict"] == "better"  # world 1: no collapse, the real +0.2
    assert w1["effect"] == pytest.approx(0.2) and w1["collapsed"] == ""
    assert (w0["collapsed"] == {"ref": "reform", "base": "baseline"}.get(arm, arm)) and (
        np.isnan(w0["effect"]) == bool(arm)
    )
    row = robustness_table(eff, {"on_time_rate": 1}).iloc[0]
    assert row["share_collapsed"] == (0.5 if arm in ("ref", "both") else 0.0)
    assert row["baseline_collapsed"] == (0.5 if arm in ("base", "both") else 0.0)
    assert row["effect_median"] == pytest.approx(0.2 if arm else 0.2)  # the collapsed world adds no effect


def test_a_collapse_against_the_usual_effect_is_a_failing_world():
    from townsim.experiments.workflows.robust.analysis import failing

    e = pd.DataFrame(
        {
            "effect": [0.2, 0.1, 0.15, np.nan],
            "ci_low": [0.1, 0.05, 0.1, np.nan],
            "ci_high": [0.3, 0.2, 0.2, np.nan],
            "collapsed": ["", "", "", "reform"],
        }
    )
    cases, usual = failing(e, direction=1)  # raising is good, and the reform collapsed in world 3
    assert usual == 1 and list(cases) == [False, False, False, True]
    assert failing(e.assign(collapsed=""), direction=1) is None  # the counterfactual: no collapse, nothing fails
    assert failing(e, direction=-1) is None  # raising is bad here: its collapse agrees with the usual verdict


def test_a_reform_that_collapses_in_every_world_is_reported_so(county, tmp_path):
    """End to end: a county with a tenth of its department posts stops (stop rule at 3 days of backlog) in every
    world; the baseline never does; the report has the collapse table."""
    (county / "starved.toml").write_text(
        'description = "a tenth of the department posts"\nextends = "small"\ndepartment_staff = 1.6\n'
    )
    s = _settings(county, names=("null", "starved"), worlds=3, reps=2, days=30, overrides=["stop_backlog_days=3"])
    with SerialExecutor() as ex:
        res = run_robust(s, tmp_path, ex, show_progress=False)
    rob = res.robustness.set_index(["reform", "kpi"])
    assert rob.loc[("starved", "on_time_rate"), "share_collapsed"] == 1.0
    assert rob.loc[("starved", "on_time_rate"), "share_worse"] == 1.0
    assert (rob["baseline_collapsed"] == 0).all()
    assert rob.loc[("null", "on_time_rate"), "share_collapsed"] == 0.0
    assert res.runs.query("scenario == 'starved'")["stopped_day"].notna().all()
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Worlds where a queue grows without bound" in report and "100% (3/3)" in report
