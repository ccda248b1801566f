"""The exercises of ``docs/teaching.md``: each a list of steps (a scenario, lever values, the day to stop
at) and what the students read. ``teaching`` generates the doc's numbers from them; ``classroom``
offers them as presets."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """One setting the students run: a scenario, lever values and the day they stop at."""

    label: str
    scenario: str = "baseline"
    levers: dict = field(default_factory=dict)
    day: int = 125


@dataclass(frozen=True)
class Exercise:
    key: str
    steps: tuple[Step, ...]
    tiles: tuple[str, ...]
    """KPI-strip tiles the students read (``kpis.kpi_values`` keys)."""
    charts: tuple[str, ...] = ()
    """Chart series the students read at the stop day, as ``chart:series`` (``charts`` labels)."""


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "ex1",
        (
            Step("1 · inspections 5 h/week", levers={"inspection_hours_per_week": 5.0}),
            Step("2 · + delegation 0.60", levers={"inspection_hours_per_week": 5.0, "delegated_share": 0.6}),
            Step("3a · inspections 20 h/week", levers={"inspection_hours_per_week": 20.0}),
            Step("3b · + delegation 0.60", levers={"inspection_hours_per_week": 20.0, "delegated_share": 0.6}),
            Step("3c · inspections 35 h/week", levers={"inspection_hours_per_week": 35.0}),
            Step("3d · + delegation 0.60", levers={"inspection_hours_per_week": 35.0, "delegated_share": 0.6}),
            Step(
                "4 · + staff moved down 1.00",
                levers={"inspection_hours_per_week": 35.0, "delegated_share": 0.6, "staff_transfer": 1.0},
            ),
        ),
        tiles=("town_util", "overloaded", "backlog", "on_time"),
        charts=("backlog:backlog_township", "backlog:backlog_department"),
    ),
    Exercise(
        "ex2",
        (
            Step("1 · baseline"),
            Step("2 · + 135 rule", levers={"escalation_135": True}),
            Step("3 · one_stop_135", scenario="one_stop_135"),
        ),
        tiles=("on_time", "esc_total", "ent_sat"),
        charts=(
            "on_time:on_time_rate_tier1",
            "on_time:on_time_rate_tier3",
            "on_time:on_time_rate_tier5",
            "escalations:escalations_level3",
        ),
    ),
    Exercise(
        "ex3",
        (
            Step("1 · baseline", day=250),
            Step("2 · responsibility list", levers={"responsibility_list": True}, day=250),
            Step("3 · two-way assessment 0.80", levers={"two_way_weight": 0.8}, day=250),
            Step("4 · both", levers={"responsibility_list": True, "two_way_weight": 0.8}, day=250),
        ),
        tiles=("dumped_total", "dumped", "cit_sat"),
    ),
    Exercise(
        "ex4",
        (
            Step("1 · baseline, 1000 km²", day=250),
            Step("2 · county 3000 km²", levers={"county_area_km2": 3000.0}, day=250),
            Step(
                "3 · + township hall share 0.90",
                levers={"county_area_km2": 3000.0, "township_hall_share": 0.9},
                day=250,
            ),
        ),
        tiles=("req_hours", "on_time", "town_util"),
        charts=("trips:trips_to_seat_per_case", "trips_total:seat_trips_made"),
    ),
    Exercise(
        "ex5",
        (
            Step("1 · full_reform", scenario="full_reform", day=120),
            Step("2 · + equal staff", scenario="full_reform", levers={"equal_staff": True}, day=120),
        ),
        tiles=("reform", "backlog", "on_time", "town_util", "ent_sat"),
    ),
    Exercise(
        "ex6",
        (
            Step("1 · service weight 0.10", levers={"township_service_weight": 0.1}, day=120),
            Step("2 · service weight 0.60", levers={"township_service_weight": 0.6}, day=120),
        ),
        tiles=("town_service", "cit_sat", "petitions"),
    ),
    Exercise(
        "ex7",
        (
            Step("1 · one_stop_135", scenario="one_stop_135", day=200),
            Step(
                "2 · + call-backs 0.50, no penalty",
                scenario="one_stop_135",
                levers={"callback_share": 0.5, "callback_penalty": 0.0},
                day=200,
            ),
            Step(
                "3 · + call-backs 1.00, penalty 5",
                scenario="one_stop_135",
                levers={"callback_share": 1.0, "callback_penalty": 5.0},
                day=200,
            ),
        ),
        tiles=("on_time_so_far", "resolution_so_far"),
        charts=("outcomes:on_time_rate", "outcomes:resolution_rate"),
    ),
    Exercise(
        "ex8",
        (
            Step("1 · two_way_assessment, half-life ∞", scenario="two_way_assessment", day=250),
            Step(
                "2 · half-life 30 days", scenario="two_way_assessment", levers={"reform_half_life_days": 30.0}, day=250
            ),
        ),
        tiles=("dumped_total", "dumped", "on_time"),
    ),
)
