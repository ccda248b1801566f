"""Scenario files: loading, `extends`, and every validation failure as one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from townsim.model.params import Params
from townsim.scenarios import (
    SCENARIO_DIR,
    ScenarioError,
    apply_overrides,
    list_scenarios,
    load_scenario,
)

SHIPPED = {
    "baseline",
    "one_stop_135",
    "delegation_no_staff",
    "delegation_with_staff",
    "two_way_assessment",
    "inspection_cut",
    "grid_governance",
    "full_reform",
    "linping",
}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(name_or_path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(name_or_path)
    msg = str(info.value)
    assert "\n" not in msg and msg.strip() == msg, msg
    return msg


# --- shipped scenarios ------------------------------------------------------------------
def test_shipped_scenarios_all_load_with_descriptions():
    scenarios = {s.name: s for s in list_scenarios()}
    assert SHIPPED <= set(scenarios)
    for s in scenarios.values():
        assert isinstance(s.params, Params)
        assert s.description and "\n" not in s.description
        assert set(s.sources) == set(Params.model_fields)


def test_shipped_scenarios_cite_facts():
    for name in SHIPPED:
        text = (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8")
        assert any(f"{c}{i}" in text for c in "FG" for i in range(1, 14)), name


def test_baseline_is_status_quo_and_reforms_differ_from_it():
    base = load_scenario("baseline").params
    assert not base.one_stop_centre and not base.joint_handling and not base.escalation_135
    assert base.delegated_share == 0 and base.two_way_weight == 0 and base.grid_coverage == 0
    assert not base.responsibility_list
    changed = {
        "one_stop_135": {"one_stop_centre", "escalation_135", "joint_handling"},
        "delegation_no_staff": {"delegated_share"},
        "delegation_with_staff": {"delegated_share", "staff_transfer"},
        "two_way_assessment": {"two_way_weight"},
        "inspection_cut": {"inspection_hours_per_week"},
        "grid_governance": {"grid_coverage"},
        "full_reform": {
            "one_stop_centre",
            "delegated_share",
            "two_way_weight",
            "responsibility_list",
            "grid_coverage",
            "inspection_hours_per_week",
        },
    }
    # two-way assessment no longer bundles the inspection cut: that is its own lever (issue 11)
    assert load_scenario("two_way_assessment").params.inspection_hours_per_week == base.inspection_hours_per_week
    for name, fields in changed.items():
        p = load_scenario(name).params
        for f in fields:
            assert getattr(p, f) != getattr(base, f), (name, f)
    assert load_scenario("delegation_no_staff").params.staff_transfer == 0


def test_linping_carries_published_figures():
    p = load_scenario("linping").params
    assert (p.townships, p.residents, p.departments) == (8, 1_175_800, 23)  # F13, F2
    assert (p.chief_representatives, p.commissioners) == (13, 96)  # F7, F10
    assert p.tier_deadlines == (1.0, 3.0, 5.0) and p.escalation_135  # F11


def test_extends_overrides_only_what_differs_and_records_sources():
    s = load_scenario("delegation_with_staff")
    assert s.params.staff_transfer == 1.0
    assert s.params.delegated_share == 0.5
    assert s.sources["staff_transfer"].endswith("delegation_with_staff.toml")
    assert s.sources["delegated_share"].endswith("delegation_no_staff.toml")
    assert s.sources["townships"].endswith("baseline.toml")
    assert s.sources["rework_rate"] == "default"
    assert [p.stem for p in s.chain] == ["delegation_with_staff", "delegation_no_staff", "baseline"]


def test_user_file_extends_shipped_and_sibling(tmp_path):
    write(tmp_path, "mine.toml", 'extends = "baseline"\ndelegated_share = 0.25\n')
    write(tmp_path, "child.toml", 'extends = "mine"\nonline_share = 0.9\n')
    s = load_scenario(tmp_path / "child.toml")
    assert s.name == "child"
    assert (s.params.delegated_share, s.params.online_share) == (0.25, 0.9)
    assert s.params.townships == load_scenario("baseline").params.townships
    assert s.description == load_scenario("baseline").description  # inherited


def test_relative_catalogue_path_is_relative_to_the_file(tmp_path):
    (tmp_path / "data").mkdir()
    write(
        tmp_path / "data",
        "m.csv",
        "name,category,requester,weight,difficulty,hours,departments,district\n"
        "licence,approval,enterprise,2,simple,0.5,0,false\n",
    )
    write(tmp_path, "cat.toml", 'matter_catalogue = "data/m.csv"\n')
    s = load_scenario(tmp_path / "cat.toml")
    assert Path(s.params.matter_catalogue) == (tmp_path / "data" / "m.csv").resolve()


# --- validation failures ---------------------------------------------------------------------
def test_toml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.toml", 'extends = "baseline"\n\ndelegated_share = = 0.5\n')
    msg = error_of(path)
    assert "bad.toml" in msg and "TOML syntax" in msg and "line 3" in msg


def test_unknown_key_suggests_nearest(tmp_path):
    path = write(tmp_path, "typo.toml", 'extends = "baseline"\ndelegated_shar = 0.5\n')
    msg = error_of(path)
    assert "typo.toml" in msg and "'delegated_shar'" in msg and "did you mean 'delegated_share'" in msg


def test_unknown_key_without_close_match(tmp_path):
    msg = error_of(write(tmp_path, "x.toml", "zzzz_qqq = 1\n"))
    assert "unknown key 'zzzz_qqq'" in msg and "did you mean" not in msg


def test_table_is_refused(tmp_path):
    msg = error_of(write(tmp_path, "t.toml", "[county]\ntownships = 3\n"))
    assert "unknown key 'county'" in msg and "top level" in msg


@pytest.mark.parametrize(
    "line, key, allowed",
    [
        ('delegated_share = "0.5"', "delegated_share", "[0, 1]"),
        ("townships = 2.5", "townships", "an integer"),
        ("one_stop_centre = 1", "one_stop_centre", "true or false"),
        ("tier_deadlines = [1, 3]", "tier_deadlines", "a list of 3 numbers"),
        ("delegation_order = 3", "delegation_order", "one of frequent_first, simple_first, by_department, random"),
        ("extends = 3", "extends", "text"),
    ],
)
def test_wrong_type(tmp_path, line, key, allowed):
    msg = error_of(write(tmp_path, "w.toml", line + "\n"))
    assert "w.toml" in msg and f"'{key}'" in msg and allowed in msg


@pytest.mark.parametrize(
    "line, key, allowed",
    [
        ("delegated_share = 1.5", "delegated_share", "[0, 1]"),
        ("townships = 0", "townships", "[1, 1000]"),
        (
            'delegation_order = "alphabetical"',
            "delegation_order",
            "one of frequent_first, simple_first, by_department, random",
        ),
        ("tier_deadlines = [5, 3, 1]", "tier_deadlines", "non-decreasing"),
    ],
)
def test_out_of_range(tmp_path, line, key, allowed):
    msg = error_of(write(tmp_path, "r.toml", 'extends = "baseline"\n' + line + "\n"))
    assert "r.toml" in msg and key in msg and allowed in msg


def test_out_of_range_names_the_file_that_set_it(tmp_path):
    write(tmp_path, "parent.toml", "dumping_base = 1.0\n")
    child = write(tmp_path, "child.toml", 'extends = "parent"\nonline_share = 0.5\n')
    msg = error_of(child)
    assert msg.startswith(str(tmp_path / "parent.toml")) or "parent.toml" in msg.split(":")[0]
    assert "dumping_base" in msg and "(0, 1)" in msg


def test_missing_extends(tmp_path):
    msg = error_of(write(tmp_path, "m.toml", 'extends = "baselin"\n'))
    assert "m.toml" in msg and "extends" in msg and "did you mean 'baseline'" in msg


def test_cyclic_extends(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b"\n')
    write(tmp_path, "b.toml", 'extends = "a"\n')
    msg = error_of(tmp_path / "a.toml")
    assert "cyclic" in msg and "a.toml" in msg and "b.toml" in msg


def test_self_extends(tmp_path):
    msg = error_of(write(tmp_path, "me.toml", 'extends = "me"\n'))
    assert "cyclic" in msg and "me.toml" in msg


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path, text):
    msg = error_of(write(tmp_path, "empty.toml", text))
    assert "empty.toml" in msg and "empty" in msg


@pytest.mark.parametrize(
    "name", ["../etc/passwd", "../../results/x", "validation/../../x", "/etc/passwd", "base line", ".hidden"]
)
def test_name_escaping_scenarios_folder_is_refused(name):
    msg = error_of(name)
    assert "not a valid scenario name" in msg


@pytest.mark.parametrize("target", ["../../../etc/passwd", "../x.toml", "sub/../../x"])
def test_extends_escaping_is_refused(tmp_path, target):
    sub = tmp_path / "s"
    sub.mkdir()
    write(tmp_path, "x.toml", "online_share = 0.5\n")
    msg = error_of(write(sub, "e.toml", f'extends = "{target}"\n'))
    assert "e.toml" in msg and "extends" in msg


def test_unknown_shipped_name():
    msg = error_of("no_such_reform")
    assert "no such scenario" in msg and "baseline" in msg


def test_missing_path():
    assert "no such scenario file" in error_of("nowhere/none.toml")


def test_unsafe_file_stem_refused(tmp_path):
    msg = error_of(write(tmp_path, "...toml", "online_share = 0.5\n"))
    assert "not a valid scenario name" in msg


# --- overrides -------------------------------------------------------------------------------
def test_apply_overrides_types():
    p = apply_overrides(
        Params(),
        [
            "delegated_share=0.6",
            "delegation_order=random",
            "one_stop_centre=true",
            "tier_deadlines=[1, 2, 4]",
            "townships=3",
        ],
    )
    assert (p.delegated_share, p.delegation_order, p.one_stop_centre, p.tier_deadlines, p.townships) == (
        0.6,
        "random",
        True,
        (1.0, 2.0, 4.0),
        3,
    )


@pytest.mark.parametrize(
    "item, needle",
    [
        ("delegated_share=2", "[0, 1]"),
        ("delegated_shar=0.5", "did you mean 'delegated_share'"),
        ("townships=two", "an integer"),
        ("nonsense", "key=value"),
        ("extends=baseline", "scenario file"),
    ],
)
def test_apply_overrides_errors(item, needle):
    with pytest.raises(ScenarioError) as info:
        apply_overrides(Params(), [item])
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"--set {item}") and needle in msg


# --- issue 10: removed keys, loader-only keys, equal staff, pre-reform levers --------------


def test_removed_adhoc_key_says_what_replaced_it(tmp_path):
    f = tmp_path / "old.toml"
    f.write_text('extends = "baseline"\nadhoc_coordination_days = 3.0\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_scenario(f)
    msg = str(e.value)
    assert "\n" not in msg and "adhoc_coordination_days" in msg and "leading_group_staff" in msg


def test_pre_reform_holds_the_roots_differing_levers_only():
    sc = load_scenario("delegation_with_staff")
    assert sc.params.pre_reform == {"delegated_share": 0.0, "staff_transfer": 0.0}
    assert load_scenario("baseline").params.pre_reform == {}


def test_equal_staff_key_funds_extra_posts_from_departments(tmp_path):
    from townsim.model.staffing import budget

    f = tmp_path / "eq.toml"
    f.write_text('extends = "one_stop_135"\nequal_staff = true\n', encoding="utf-8")
    eq, raw, base = load_scenario(f).params, load_scenario("one_stop_135").params, load_scenario("baseline").params
    assert budget(raw)["total"] > budget(base)["total"]
    assert budget(eq)["total"] == pytest.approx(budget(base)["total"])
    assert eq.department_staff < raw.department_staff
    assert eq.pre_reform["department_staff"] == raw.department_staff


def test_the_reform_switches_only_levers_in_every_shipped_scenario():
    """What a reform scenario switches at the end of the warm-up (``pre_reform``: fields of the lever groups
    that differ from its root) is, field by field, of kind "lever" (DESIGN §8): no shipped reform changes an
    assumption, a fact or a setting of the county at the reform."""
    from townsim.model.params import meta
    from townsim.scenarios import load_scenario, scenario_names

    switched_somewhere = set()
    for name in scenario_names():
        switched = load_scenario(name).params.pre_reform or {}
        wrong = {f: meta(f).get("kind") for f in switched if meta(f).get("kind") != "lever"}
        assert not wrong, f"{name} switches non-levers at the reform: {wrong}"
        switched_somewhere |= set(switched)
    assert {"one_stop_centre", "escalation_135", "delegated_share"} <= switched_somewhere
