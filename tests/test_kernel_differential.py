"""The compiled engine is the same model as the Python engine, bit for bit, where it covers a scenario.

Each test runs one scenario twice with the same seed, ``engine="python"`` (the reference) and
``engine="compiled"``, and asserts identical case tables (every field, NaN where NaN), daily KPI
tables, summaries, handler hour accounts and the generator's final state (so the two drew the same
random numbers in the same order). Covered: the M/M/c reduction at several c and ρ, fork-join serial
and joint, and the pinned counties reduced to the mechanisms the kernel compiles (coordination desks,
referral halls, delegation, the 135 rule, corner cutting, gaming and disputes off), with ad hoc
coordination at the desks, desk decisions, referral forwarding (clerks, courier runs, dispatchers,
misrouting) and commissioners' errands, disputes in local mediation, part-time servers, duty hours,
inspections, trips between departments, effort, call-backs and repeat contacts.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.experiments.checks.queueing import mmc_params  # noqa: E402
from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.experiments.core.probe import CASES as PROBE_CASES  # noqa: E402
from townsim.model import Params, TownshipModel  # noqa: E402
from townsim.model.cases import FIELDS  # noqa: E402
from townsim.model.catalogue import DISPUTE_MEDIATION  # noqa: E402
from townsim.model.kernel import PLAIN  # noqa: E402
from townsim.scenarios import VALIDATION_DIR, load_scenario  # noqa: E402

PIN_CASES = {k: PROBE_CASES[k] for k in ("default", "reform", "stressed")}
"""The pinned counties (tests/pins)."""


def _pair(params: Params, seed: int, days: int) -> tuple[TownshipModel, TownshipModel]:
    ref = TownshipModel(params.replace(engine="python"), rng=seed).run(days)
    comp = TownshipModel(params.replace(engine="compiled"), rng=seed).run(days)
    assert not ref.compiled
    assert comp.compiled, comp.engine_reason
    return ref, comp


def _same(x, y) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return x == y or (math.isnan(x) and math.isnan(y))
    return x == y


def assert_identical(ref: TownshipModel, comp: TownshipModel) -> None:
    """Every output of the two runs is bit-identical."""
    assert ref.cases.n == comp.cases.n
    for f in FIELDS:
        a, b = ref.cases.view(f), comp.cases.view(f)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f"case field {f} differs"
    sa, sb = ref.summary(), comp.summary()
    assert sa.keys() == sb.keys()
    assert [k for k in sa if not _same(sa[k], sb[k])] == []
    assert ref.timeseries().equals(comp.timeseries())
    for ha, hb in zip(ref.handlers, comp.handlers):
        assert (ha.worked_total, ha.duty_total, ha.duty_backlog, ha.open_tasks, ha.served_total) == (
            hb.worked_total,
            hb.duty_total,
            hb.duty_backlog,
            hb.open_tasks,
            hb.served_total,
        ), ha.label
    assert [d.overtime_hours for d in ref.departments] == [d.overtime_hours for d in comp.departments]
    assert ref.attendance_hours == comp.attendance_hours
    assert ref.gaming_log == comp.gaming_log  # every gaming decision: same case, moment, projection, verdict
    assert ref.rng.bit_generator.state == comp.rng.bit_generator.state


@pytest.mark.parametrize("c,rho", [(1, 0.7), (4, 0.9), (7, 0.95)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mmc_is_bit_identical(c, rho, seed):
    ref, comp = _pair(mmc_params(c, rho), seed, 60)
    assert ref.cases.n > 100 * c
    assert_identical(ref, comp)


@pytest.mark.parametrize("dist", ["lognormal", "deterministic"])
def test_mmc_other_service_time_shapes_and_a_part_time_server(dist):
    p = load_scenario(VALIDATION_DIR / "mmc.toml").params.replace(
        service_time_distribution=dist, department_staff=3.6, repeat_share=0.5, callback_share=0.4
    )
    ref, comp = _pair(p, 5, 60)
    assert ref.handlers[0].n_servers == 4 and ref.handlers[0].base_offset[-1] > 0  # the fourth works part-time
    assert ref.cases.view("resolved").sum() < ref.cases.n  # some closures unresolved: repeats drawn
    assert_identical(ref, comp)


def _one_matter(tmp_path: Path, n: int) -> str:
    csv = tmp_path / "one_matter.csv"
    deps = ";".join(str(i) for i in range(n))
    csv.write_text(
        "name,category,requester,weight,difficulty,hours,departments,district\n"
        f"m,approval,citizen,1,simple,1.0,{deps},false\n"
    )
    return str(csv)


@pytest.mark.parametrize("joint", [False, True])
@pytest.mark.parametrize("n", [2, 3])
def test_fork_join_serial_and_joint_are_bit_identical(tmp_path, n, joint):
    """The fork-join checks' setting (experiments/checks/queueing.py), queues included."""
    p = load_scenario(VALIDATION_DIR / "mmc.toml").params.replace(
        matter_catalogue=_one_matter(tmp_path, n),
        departments=n,
        department_staff=1.5 * n,
        citizen_request_rate=1.0 * 8 / 100_000,
        one_stop_centre=joint,
        joint_handling=joint,
    )
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 40)
        assert bool(ref.cases.view("joint").all()) is joint
        assert_identical(ref, comp)


@pytest.mark.parametrize("name", list(PIN_CASES))
def test_pin_counties_reduced_to_the_covered_mechanisms_are_bit_identical(name):
    values, seed, days = PIN_CASES[name]
    p = Params(**{**values, **PLAIN})
    ref, comp = _pair(p, seed, min(days, 30))
    # ad hoc coordination at the desks is compiled: the desks worked and the departments attended
    assert sum(h.served_total for h in comp.desks) > 0 and comp.attendance_hours > 0
    # referral is compiled: files forwarded from township halls (some misrouted), errands where commissioners
    assert comp.cases.view("referred").any() and comp.cases.view("misrouted").any()
    assert comp.cases.view("errand").any() == (values.get("commissioners", 0) > 0)
    assert_identical(ref, comp)


def test_disputes_found_by_the_grid_are_mediated_with_its_hours():
    p = Params(**{**SMALL_COUNTY, **PLAIN, "dispute_rate": 1e-3, "grid_coverage": 0.8, "app_reporting": 0.3})
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 30)
        assert ref.grid_hours["reports"] > 0  # the grid found some
        med = comp.cases.view("matter") == comp.catalogue.dispute_id(DISPUTE_MEDIATION)
        assert (med & ~np.isnan(comp.cases.view("closed"))).sum() > 10  # mediated disputes closed
        assert ref.grid_mediation.keys() == comp.grid_mediation.keys()
        assert_identical(ref, comp)


@pytest.mark.parametrize("online_dispatch", [False, True])
def test_referral_on_paper_and_online_with_errands(online_dispatch):
    """Forwarding by the township's clerks and courier runs (every 2 days), or by the platform's
    dispatchers; misrouting to a wrong department; commissioners' errands, referred on when township-held."""
    p = Params(
        **{
            **SMALL_COUNTY,
            **PLAIN,
            "township_hall_share": 0.7,
            "online_share": 0.1,
            "misrouting_rate": 0.3,
            "courier_interval_days": 2.0,
            "online_dispatch": online_dispatch,
            "commissioners": 4,
        }
    )
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 30)
        c = comp.cases
        assert c.view("misrouted").sum() > 10 and c.view("errand").any()
        assert (c.view("hop_courier") > 0).any() != online_dispatch
        assert_identical(ref, comp)


def test_decisions_at_the_centre_and_a_desk_without_staff():
    """Desk decisions (a simple enterprise matter decided by a chief representative at the centre) and
    coordination falling to the other desk when the first has no staff."""
    base = {**SMALL_COUNTY, **PLAIN, "one_stop_centre": True, "online_share": 0.1}
    for changes in (dict(desk_decisions=True, chief_representatives=6), dict(chief_representatives=0)):
        ref, comp = _pair(Params(**{**base, **changes}), 3, 30)
        assert (comp.desks[0].n_servers > 0) == (changes["chief_representatives"] > 0)
        if changes.get("desk_decisions"):
            assert comp.cases.view("desk_decided").any()
        else:
            assert comp.desks[1].served_total > 0  # the leading-group office took level-1 cases too
        assert_identical(ref, comp)


def test_enquiries_answered_by_their_receivers_are_bit_identical():
    """Enquiries at the halls, the seat (desk decisions on), online and through commissioners, with the
    135 rule and delegated matters: one step at the receiver fixed at intake, in both engines."""
    p = Params(
        **{**SMALL_COUNTY, "enquiry_share": 0.4, "one_stop_centre": True, "desk_decisions": True},
        chief_representatives=4,
        commissioners=5,
        escalation_135=True,
        delegated_share=0.3,
        repeat_share=0.5,
    )
    ref, comp = _pair(p, 4, 30)
    assert comp.cases.view("enquiry").sum() > 100 and comp.cases.view("desk_decided").any()
    assert_identical(ref, comp)


@pytest.mark.parametrize(
    "changes",
    [
        dict(online_share=0.0),  # every requester at the seat runs between departments
        dict(service_time_distribution="exponential", department_staff=12.5, one_stop_centre=True, joint_handling=True),
        dict(inspection_hours_per_week=40.0, duty_tasks_per_department=2.0, two_way_weight=0.7, assessment_period=5),
    ],
    ids=["trips", "joint", "duties"],
)
def test_small_county_variants_are_bit_identical(changes):
    p = Params(**{**SMALL_COUNTY, **PLAIN, "callback_share": 0.3, **changes})
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 40)
        assert_identical(ref, comp)


@pytest.mark.parametrize("dist", ["exponential", "lognormal"])
def test_small_stream_buffers_refill_at_the_same_moments(monkeypatch, dist):
    """With 61-draw buffers (instead of 8,192) the buffers refill mid-intake and mid-day many times: the
    compiled engine's batched intake must still draw each value at the reference's position."""
    from townsim.model.engine import RandomStream
    from townsim.model.kernel.engine import KernelStream

    monkeypatch.setattr(RandomStream.__init__, "__defaults__", (61,))
    monkeypatch.setattr(KernelStream.__init__, "__defaults__", (61,))
    p = Params(**{**SMALL_COUNTY, **PLAIN, "callback_share": 0.5, "service_time_distribution": dist})
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 30)
        assert ref.stream.size == comp.stream.size == 61
        assert_identical(ref, comp)


def test_a_long_run_crosses_the_default_buffers():
    """More draws than one 8,192-value buffer: refills of the default stream inside the kernel and in intake."""
    ref, comp = _pair(mmc_params(7, 0.95), 4, 200)
    assert ref.cases.n > 8192  # one draw per case at least: the exponential buffer refills
    assert_identical(ref, comp)


@pytest.mark.parametrize("name", ["default", "reform", "stressed"])
def test_every_pin_on_the_compiled_engine_matches_its_pin_file(name):
    """Every pinned county (tests/pins/*.json) is covered whole: on the compiled engine it gives the pinned
    summary and daily table."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pins

    values, seed, days = pins.CASES[name]
    m = TownshipModel(Params(**values, engine="compiled"), rng=seed).run(days)
    assert m.compiled, m.engine_reason
    diffs = pins.compare(pins.load(name), dict(m.summary()), m.timeseries())
    assert not diffs, diffs[:5]


# --- deadline gaming (its projection read from the kernel's tables) and the reform start --------------
GAMING = dict(ontime_weight=1.0, ranking_pressure=1.0, callback_share=0.3, callback_penalty=0.5)


def _gamed_some(m: TownshipModel) -> None:
    """Gaming acted: some at-risk cases gamed, and some decisions found a case on time (not at risk)."""
    assert m.cases.view("gamed").sum() > 5
    assert any(finish <= deadline for _, _, finish, deadline, _ in m.gaming_log)


@pytest.mark.parametrize(
    "changes",
    [
        dict(corner_cutting=0.5),
        # files forwarded from halls (some misrouted, on paper), coordination at the desks: projections
        # through a forwarding, a coordination waiting or running, the desks' queues
        dict(township_hall_share=0.6, misrouting_rate=0.3, chief_representatives=2, leading_group_staff=1.0),
        dict(one_stop_centre=True, joint_handling=True, service_time_distribution="exponential", department_staff=3.0),
    ],
    ids=["corner-cutting", "halls-and-desks", "joint"],
)
def test_deadline_gaming_is_bit_identical(changes):
    p = Params(**{**SMALL_COUNTY, **PLAIN, **GAMING, **changes})
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 30)
        _gamed_some(comp)
        assert_identical(ref, comp)


@pytest.mark.parametrize("name", list(PIN_CASES))
def test_pin_counties_with_gaming_are_bit_identical(name):
    values, seed, days = PIN_CASES[name]
    ref, comp = _pair(Params(**{**values, **PLAIN, **GAMING}), seed, min(days, 25))
    assert len(comp.gaming_log) > 0
    assert_identical(ref, comp)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_baseline_scenario_is_bit_identical(seed):
    """``scenarios/baseline.toml`` whole (its 65-day warm-up, gaming of on-time closures, halls, desks)."""
    from townsim.scenarios import SCENARIO_DIR

    p = load_scenario(SCENARIO_DIR / "baseline.toml").params
    assert p.ontime_weight > 0 and p.warmup_days > 0
    ref, comp = _pair(p, seed, 10)
    _gamed_some(comp)
    assert_identical(ref, comp)


def test_a_warm_up_under_other_levers_moves_the_kernels_servers():
    """The reform start after a warm-up under other levers: departments grow, townships and the level-1
    desk shrink (some servers leave after the task in hand), the service-time shape changes; the queues
    are rebuilt (new sequence numbers)."""
    p = Params(
        **{
            **SMALL_COUNTY,
            **GAMING,
            "corner_cutting": 0.5,
            "warmup_days": 12,
            "department_staff": 20.0,
            "township_staff": 9.0,
            "chief_representatives": 3,
            "pre_reform": {
                "department_staff": 11.0,
                "township_staff": 16.0,
                "chief_representatives": 5,
                "service_time_distribution": "exponential",
            },
        }
    )
    before = TownshipModel(p.replace(**p.pre_reform, warmup_days=0, pre_reform={}), rng=1)
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 20)
        servers = [[h.n_servers for h in m.handlers] for m in (before, comp)]
        changed = [a != b for a, b in zip(*servers)]
        assert any(changed[: len(comp.departments)]) and any(changed[comp.township_hid0 :])
        assert_identical(ref, comp)


@pytest.mark.parametrize(
    "name", ["inspection_cut", "two_way_assessment", "grid_governance", "delegation_no_staff", "delegation_with_staff"]
)
def test_shipped_reforms_after_a_baseline_warm_up_are_bit_identical(name):
    from townsim.scenarios import SCENARIO_DIR

    p = load_scenario(SCENARIO_DIR / f"{name}.toml").params
    assert p.pre_reform and p.warmup_days > 0
    ref, comp = _pair(p, 3, 8)
    assert_identical(ref, comp)


# --- delegated matters: the township's learning curve, rework, oversight, referring up ---------------
DELEGATION = dict(delegated_share=0.5, staff_transfer=0.5, rework_rate=0.5, initial_competence=0.3)


@pytest.mark.parametrize(
    "changes",
    [
        dict(corner_cutting=0.5, **GAMING),  # competence in the work fraction's sums and gaming's projection
        dict(online_share=0.0, township_hall_share=0.3, delegation_order="random"),  # trips for the corrected file
        dict(one_stop_centre=True, joint_handling=True, service_time_distribution="exponential"),
    ],
    ids=["load-and-gaming", "offline", "joint"],
)
def test_delegated_matters_are_bit_identical(changes):
    p = Params(**{**SMALL_COUNTY, **DELEGATION, **changes})
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 30)
        c = comp.cases
        assert c.view("reworks").sum() > 20 and c.view("delegated").sum() > 100
        assert any(t.handled for t in comp.townships)
        assert [t.handled for t in ref.townships] == [t.handled for t in comp.townships]
        assert_identical(ref, comp)


def test_a_nearly_full_task_table_is_grown_mid_day(monkeypatch):
    """The task table with little room (an eighth of what intake's bound asks for) and many reworks: the
    kernel stops between two events when the table is nearly full, Python grows it and the day goes on
    (``core.E_ROOM``), still bit-identical."""
    from townsim.model.kernel import core
    from townsim.model.kernel import engine as kengine

    resumed = [0]

    class Counting:
        def __getattr__(self, name):
            fn = getattr(core, name)
            if name != "work_day":
                return fn

            def counted(*a):
                resumed[0] += a[0] < 0  # the day goes on after the growth: no day start (-1), no batch
                return fn(*a)

            return counted

    def tight(self, need: int) -> None:
        """An eighth of the room asked for (serial steps: still room for one task per new case at filing)."""
        n = int(self.ctr[core.CTR_NTASK])
        cap = n + (need - n) // 8 + 4
        if cap > len(self.tk[0]):
            self.tk = tuple(np.concatenate([a, np.zeros(cap - len(a), a.dtype)]) for a in self.tk)

    monkeypatch.setattr(kengine, "K", Counting())
    monkeypatch.setattr(kengine.CompiledEngine, "_room_tasks", tight)
    p = Params(**{**SMALL_COUNTY, **DELEGATION, "rework_rate": 1.0, "initial_competence": 0.05, "learning_cases": 200})
    ref, comp = _pair(p, 4, 20)
    assert resumed[0] > 0
    assert comp.cases.view("reworks").sum() > 200
    assert_identical(ref, comp)


# --- the 135 rule: EDF queues keyed by coordination level, escalation events, the joint conference -----
RULE = dict(escalation_135=True, chief_representatives=3, joint_conference_interval=3, joint_conference_slots=2)


@pytest.mark.parametrize(
    "changes",
    [
        dict(),
        # with gaming (the projection's desks, requests and the conference's next meeting), delegation,
        # corner cutting and joint handling at the centre
        dict(
            ontime_weight=1.0,
            delegated_share=0.3,
            corner_cutting=0.5,
            one_stop_centre=True,
            joint_handling=True,
            service_time_distribution="exponential",
        ),
        dict(leading_group_staff=0.0, township_hall_share=0.6, misrouting_rate=0.2),  # no office: level 2 waits
    ],
    ids=["rule", "rule-gaming-delegation-joint", "no-office-halls"],
)
def test_the_135_rule_is_bit_identical(changes):
    p = Params(**{**SMALL_COUNTY, **RULE, **changes})
    for seed in (1, 2):
        ref, comp = _pair(p, seed, 30)
        c = comp.cases
        assert c.view("escalations").sum() > 10 and (c.view("boost") == 3).sum() > 5  # escalated, conferenced
        assert_identical(ref, comp)


@pytest.mark.parametrize("name", ["one_stop_135", "full_reform"])
def test_shipped_135_reforms_after_a_baseline_warm_up_are_bit_identical(name):
    """FIFO queues in the warm-up, the 135 rule's keys from the reform start (every queue re-keyed)."""
    from townsim.scenarios import SCENARIO_DIR

    p = load_scenario(SCENARIO_DIR / f"{name}.toml").params
    assert p.escalation_135 and not p.pre_reform.get("escalation_135", False)
    ref, comp = _pair(p, 2, 8)
    assert comp.cases.view("escalations").sum() > 0
    assert_identical(ref, comp)


def test_the_levers_probe_is_bit_identical():
    """The probe county that sets the levers the pins leave at their defaults (the whistle with the 135 rule
    and delegation, renewal, mediation, ranking, call-back penalties, a 3-day conference)."""
    values, seed, days = PROBE_CASES["levers"]
    assert values["whistle"]
    ref, comp = _pair(Params(**values), seed, min(days, 40))
    assert comp.cases.view("whistle").sum() > 20
    assert_identical(ref, comp)


# --- the whistle (吹哨报到): urgent department steps, the township's on-site hours from filing ------------
@pytest.mark.parametrize(
    "changes",
    [
        dict(ontime_weight=1.0, corner_cutting=0.5, township_hall_share=0.5),  # first come first served
        dict(**RULE, ontime_weight=1.0, delegated_share=0.4, corner_cutting=0.5),  # with the 135 rule
        dict(delegated_share=0.5, department_staff=10.0, township_staff=8.0),  # duty read before the day
    ],
    ids=["fifo", "rule-delegation", "loaded-delegation"],
)
def test_the_whistle_is_bit_identical(changes):
    p = Params(**{**SMALL_COUNTY, "whistle": True, **changes})
    for seed in (1, 11):
        ref, comp = _pair(p, seed, 30)
        assert comp.cases.view("whistle").sum() > 10
        assert_identical(ref, comp)


# --- many gamed closures a day, closed in the kernel's decision call (kernel.gamed) ---------------------
# a harsh ranking, cheap scruples, call-backs the desk cannot all make, repeat contacts, township owners
HEAVY = dict(
    GAMING,
    ontime_weight=3.0,
    gaming_aversion=0.5,
    callback_penalty=0.2,
    callback_desk_posts=0.2,
    repeat_share=0.6,
    department_staff=2.0,
    delegated_share=0.5,
    staff_transfer=0.5,
    corner_cutting=0.5,
)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_day_of_many_gamed_closures_is_bit_identical(seed):
    ref, comp = _pair(Params(**{**SMALL_COUNTY, **HEAVY}), seed, 40)
    gamed = comp.cases.view("gamed")
    assert gamed.sum() > 500
    days = np.floor(comp.cases.view("closed")[gamed] / 8.0)
    assert np.bincount(days.astype(int)).max() >= 20  # many gamed closures in one day's call
    assert comp.summary()["callbacks_not_made"] > 0  # the desk ran out: some gamed closures not caught
    assert comp.cases.view("called_back")[gamed].sum() > 50  # and some caught
    townships_caught = [t.period_caught for t in comp.townships]
    assert all(t.gamed for t in comp.townships) and any(townships_caught)
    assert_identical(ref, comp)
    owners = lambda m: [(o.gamed, o.caught) for o in (*m.departments, *m.townships)]  # noqa: E731
    assert owners(ref) == owners(comp)
    assert [t.period_caught for t in ref.townships] == townships_caught
    pending = lambda m: [(d, c) for d, _, c in sorted(m.repeat_queue)]  # noqa: E731 (sequence numbers: one counter)
    assert pending(ref) == pending(comp) and len(pending(comp)) > 0
    assert list(ref.callback_desk) == list(comp.callback_desk)
    assert ref.closed_today == comp.closed_today
