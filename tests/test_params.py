"""Parameters: validated, immutable, each with unit, default, range and description."""

import pydantic
import pytest

from townsim.model import Params, ParamsError
from townsim.model.params import GROUPS, allowed_range, field_table_markdown


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
