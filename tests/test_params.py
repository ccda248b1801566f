"""Parameters: validated, immutable, each with unit, default, range and description."""

import re
from pathlib import Path

import numpy as np
import pydantic
import pytest
from pydantic import BaseModel, Field

from townsim.model import Params, ParamsError
from townsim.model import params as params_mod
from townsim.model.params import (
    GROUPS,
    KINDS,
    KindError,
    P,
    allowed_range,
    describe_range,
    field_table_markdown,
    fields_of_kind,
    kind_problems,
    meta,
    with_assumptions,
)


@pytest.mark.parametrize(
    "field,value,allowed",
    [
        ("delegated_share", 1.5, "[0, 1]"),
        ("townships", 0, "[1, 1000]"),
        ("dumping_base", 1.0, "(0, 1)"),
        ("delegation_order", "alphabetical", "one of frequent_first, simple_first, by_department, random"),
        ("joint_conference_interval", 0, "[1, 250]"),
    ],
)
def test_invalid_value_names_field_and_allowed_range(field, value, allowed):
    with pytest.raises(ParamsError) as err:
        Params.build(**{field: value})
    msg = str(err.value)
    assert msg.startswith(field + ":") and allowed in msg and "\n" not in msg


def test_unknown_and_inconsistent_values_are_one_line_errors():
    with pytest.raises(ParamsError, match="^delegated_shares: unknown parameter$"):
        Params.build(delegated_shares=0.5)
    with pytest.raises(ParamsError, match="^tier_deadlines: must be non-decreasing"):
        Params.build(tier_deadlines=(5, 3, 1))


def test_params_are_immutable_and_replace_validates():
    p = Params()
    with pytest.raises(pydantic.ValidationError):
        p.delegated_share = 0.5
    q = p.replace(delegated_share=0.5)
    assert q.delegated_share == 0.5 and p.delegated_share == 0.0
    with pytest.raises(ParamsError, match="staff_transfer"):
        p.replace(staff_transfer=-1)


def test_every_field_documented_with_unit_group_and_range():
    for name, info in Params.model_fields.items():
        extra = info.json_schema_extra or {}
        assert info.description and len(info.description) < 200, name
        assert extra.get("unit"), name
        assert extra.get("group") in GROUPS, name
        assert allowed_range(name), name
    table = field_table_markdown()
    assert all(f"`{name}`" in table for name in Params.model_fields)


def test_every_design_lever_exists():
    levers = (
        "delegated_share delegation_order staff_transfer initial_competence learning_cases one_stop_centre "
        "joint_handling online_share escalation_135 tier_deadlines level_time_share chief_representatives "
        "commissioners joint_conference_interval joint_conference_slots two_way_weight "
        "inspection_hours_per_week assessment_period dumping_base dumping_pressure_slope "
        "responsibility_list list_enforcement grid_coverage app_reporting points_incentive local_mediation "
        "townships departments enterprises residents residents_per_agent matter_types"
    ).split()
    assert not [k for k in levers if k not in Params.model_fields]


# --- kinds (DESIGN §8): every field is a lever, a fact, an assumption or a setting -----------------
ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def test_every_field_declares_a_complete_kind():
    assert kind_problems() == []
    assert {meta(n)["kind"] for n in Params.model_fields} <= set(KINDS)
    for name in fields_of_kind("assumption"):
        m = meta(name)
        assert len(m["basis"]) >= 20 and "\n" not in m["basis"], name
        if isinstance(Params.model_fields[name].default, (int, float, tuple)):
            lo, hi = m["plausible"]
            assert lo < hi and m["dist"] in ("uniform", "loguniform"), name


def test_kind_check_catches_a_field_without_kind_or_an_incomplete_assumption():
    class Bad(BaseModel):
        ok: float = P(0.5, unit="-", group="demand", desc="fine", kind="assumption", plausible=(0, 1), basis="b" * 30)
        bare: float = Field(0.5, description="no kind at all")
        no_basis: float = Field(
            0.5,
            json_schema_extra={
                "unit": "-",
                "group": "demand",
                "kind": "assumption",
                "plausible": [0, 1],
                "dist": "uniform",
            },
        )
        no_range: float = Field(0.5, json_schema_extra={"kind": "assumption", "basis": "expert judgement, wide doubt"})
        uncited: int = Field(8, json_schema_extra={"kind": "fact"})
        odd_kind: int = Field(8, json_schema_extra={"kind": "guess"})

    problems = kind_problems(Bad)
    assert [p.split(":")[0] for p in problems] == ["bare", "no_basis", "no_range", "uncited", "odd_kind"]
    assert "basis" in problems[1] and "plausible" in problems[2] and "cite" in problems[3]


WIDE = "expert judgement: wide doubt"


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(kind="assumption", basis=WIDE), "plausible"),
        (dict(kind="assumption", plausible=(0.1, 0.9)), "basis"),
        (dict(kind="assumption", plausible=(0.1, 2.0), basis=WIDE), "outside the allowed"),
        (
            dict(kind="assumption", plausible=(0.0, 0.9), dist="loguniform", basis=WIDE),
            "low > 0",
        ),
        (dict(kind="assumption", plausible=(0.6, 0.9), basis=WIDE), "outside the plausible"),
        (dict(kind="assumption", plausible=(0.9, 0.1), basis=WIDE), "low < high"),
        (dict(kind="assumption", plausible=(0.1, 0.9), dist="normal", basis="expert judgement: wide"), "dist"),
        (dict(kind="fact"), "cite"),
        (dict(kind="fact", cite="Linping"), "cite"),
        (dict(kind="lever", cite="F13"), "only a fact"),
        (dict(kind="lever", plausible=(0, 1), basis=WIDE), "only an assumption"),
        (dict(kind="constant"), "allowed: lever, fact, assumption, setting"),
    ],
)
def test_P_refuses_an_incomplete_declaration(kwargs, words):
    with pytest.raises(KindError, match=words):
        P(0.5, unit="-", group="demand", desc="x", ge=0, le=1, **kwargs)


def test_P_requires_a_kind_and_accepts_a_default_outside_the_range_only_when_the_basis_says_why():
    with pytest.raises(TypeError, match="kind"):
        P(0.5, unit="-", group="demand", desc="x")  # type: ignore[call-arg]
    P(
        0.5,
        unit="-",
        group="demand",
        desc="x",
        ge=0,
        le=1,
        kind="assumption",
        plausible=(0.6, 0.9),
        basis="expert judgement; the default 0.5 lies below: the base world is calmer",
    )


def test_facts_cite_codes_of_the_odd_appendix():
    text = ODD.read_text(encoding="utf-8")
    appendix = set(re.findall(r"^\| ([FGP]\d+) \|", text[text.find("## Appendix B — Facts") :], flags=re.M))
    facts = fields_of_kind("fact")
    assert {"townships", "departments", "tier_deadlines", "whistle_answer_hours"} <= set(facts)
    for name in facts:
        codes = meta(name)["cite"].split(", ")
        assert set(codes) <= appendix, (name, codes)


def test_levers_include_the_reforms_and_settings_are_how_the_run_is_made():
    levers = set(fields_of_kind("lever"))
    assert {
        "delegated_share",
        "staff_transfer",
        "one_stop_centre",
        "escalation_135",
        "two_way_weight",
        "responsibility_list",
        "grid_coverage",
        "callback_share",
    } <= levers
    assert {"residents_per_agent", "warmup_days", "catalogue_seed"} <= set(fields_of_kind("setting"))
    assert not levers & set(fields_of_kind("assumption"))


def test_describe_range_reads_the_metadata():
    assert describe_range("learning_cases") == "[10, 300] log-uniform"
    assert describe_range("difficulty_hours").startswith("× [0.5, 2] of the list")
    assert describe_range("service_time_distribution").startswith("one of lognormal")


# --- behavioural constants now assumption parameters: each reaches the model (counterfactuals) -----
def test_satisfaction_weights_are_the_parameters():
    from townsim.model import satisfaction

    args = dict(
        resolved=[0, 1],
        overdue_share=[0.5, 0.0],
        trips=[2, 0],
        travel_hours=[1.0, 0.0],
        repeats=[1, 0],
        petitioned=[0, 0],
    )
    base = satisfaction.case_satisfaction(**args, params=Params())
    assert base[0] == pytest.approx(1 - 0.5 - 0.3 * 0.5 - 0.05 * 2 - 0.02 - 0.1)
    np.testing.assert_array_equal(base, satisfaction.case_satisfaction(**args))
    for name in (
        "satisfaction_unresolved_weight",
        "satisfaction_overdue_weight",
        "satisfaction_trip_weight",
        "satisfaction_travel_weight",
        "satisfaction_repeat_weight",
    ):
        other = satisfaction.case_satisfaction(**args, params=Params(**{name: 0.0}))
        assert other[0] > base[0] and other[1] == base[1], name
    pet = dict(args, petitioned=[1, 0])
    assert (
        satisfaction.case_satisfaction(**pet, params=Params(satisfaction_petition_weight=0.0))[0]
        > satisfaction.case_satisfaction(**pet)[0]
    )


def test_township_and_county_score_weights_are_the_parameters():
    from townsim.model.assessment import township_score

    p = Params(township_score_late_weight=0.2, township_score_duty_weight=0.7)
    assert township_score(3, 10, 1.0, 3.0, 1, 2.0, p) == pytest.approx(1 - 0.2 * 0.3 - 0.7 * 0.25 - 0.2 * 2 * 0.1)
    assert township_score(3, 10, 1.0, 3.0) == pytest.approx(1 - 0.5 * 0.3 - 0.5 * 0.25)


def test_staff_floor_and_dispute_hours_reach_the_model():
    from helpers import small

    from townsim.model import TownshipModel
    from townsim.model.catalogue import DISPUTE

    def built(**kw):
        return TownshipModel(small(**kw), rng=1)

    base, more = built(), built(department_staff_floor=2.0)
    sb = np.array([d.handler.staff for d in base.departments])
    sm = np.array([d.handler.staff for d in more.departments])
    assert sb.sum() == pytest.approx(sm.sum()) and sm.min() > sb.min()  # same total, a higher floor
    cat_b, cat_f = base.catalogue, built(dispute_hours_factor=3.0).catalogue
    disp = cat_b.category == "dispute"  # the three dispute kinds (local problems reported by the grid are not)
    assert disp.sum() == 3 and (cat_b.requester[disp] == DISPUTE).all()
    np.testing.assert_allclose(cat_f.hours[disp], cat_b.hours[disp] * 1.5)
    np.testing.assert_array_equal(cat_f.hours[~disp], cat_b.hours[~disp])


def test_detection_prior_strength_and_estimator_residuals_are_the_parameters():
    from types import SimpleNamespace

    from townsim.model.assessment import ScoreEstimator
    from townsim.model.gaming import GamingState

    agent = SimpleNamespace(caught=1, gamed=4)
    weak, strong = Params(detection_prior_strength=0.5), Params(detection_prior_strength=10.0)
    assert GamingState.detection(agent, weak) == pytest.approx((0.5 * 0.2 + 1) / 4.5)
    assert GamingState.detection(agent, strong) == pytest.approx((10 * 0.2 + 1) / 14)
    est = ScoreEstimator(Params(estimator_residual_prior_sd=0.3, estimator_residual_rate=0.5))
    assert est.s2 == pytest.approx(0.09)
    est.update(0.0, 1.0)  # no surprise at the prior mean: s² halves towards 0
    assert est.s2 == pytest.approx(0.045)


def test_kind_metadata_lives_in_the_field_schema():
    schema = Params.model_json_schema()["properties"]
    assert schema["learning_cases"]["kind"] == "assumption" and schema["learning_cases"]["plausible"] == [10, 300]
    assert params_mod.CITE_RE.match("F7, F9") and not params_mod.CITE_RE.match("F")


def test_with_assumptions_sets_numbers_and_scales_lists():
    base = Params(difficulty_hours=(0.5, 1.0, 2.0, 4.0))
    world = with_assumptions(base, {"learning_cases": 120.0, "difficulty_hours": 1.5, "enterprises": 800})
    assert world.learning_cases == 120.0 and world.enterprises == 800
    assert world.difficulty_hours == (0.75, 1.5, 3.0, 6.0)  # the factor scales the scenario's own list
    assert with_assumptions(base, {}) is base
    with pytest.raises(ParamsError, match="^delegated_share: is a lever, not an assumption$"):
        with_assumptions(base, {"delegated_share": 0.5})
    with pytest.raises(ParamsError, match="^learning_cases: got -1"):
        with_assumptions(base, {"learning_cases": -1})
    with pytest.raises(ParamsError, match="unknown parameter"):
        with_assumptions(base, {"learning_case": 10})
