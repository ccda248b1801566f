"""The county's size and staffing fields, and the engine setting, of :class:`~townsim.model.params.Params`.

Each field is declared with :func:`~townsim.model.params.kinds.P` (unit, group, range, kind);
``Params`` inherits every group (``model.py``), in the order of the parameter table."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from .kinds import P


class County(BaseModel):
    """County size and staffing: townships, departments, requesters, posts and their hours."""

    townships: int = P(
        10,
        unit="count",
        group="county",
        kind="fact",
        cite="F13",
        ge=1,
        le=1000,
        desc="Township-level units (乡镇/街道) in the county (Linping: 8, F13).",
    )
    departments: int = P(
        20,
        unit="count",
        group="county",
        kind="fact",
        cite="F2",
        ge=1,
        le=1000,
        desc="County (district) departments that own matters (Linping centre: 23, F2).",
    )
    enterprises: int = P(
        1500,
        unit="count",
        group="county",
        kind="assumption",
        plausible=(500, 5000),
        basis=(
            "no published count for the generic county; 5–50 service-using firms per 1,000 residents of a 100,000 "
            "county (expert judgement)"
        ),
        dist="loguniform",
        ge=0,
        le=5_000_000,
        desc="Enterprises at the start, one agent each.",
    )
    residents: int = P(
        100_000,
        unit="persons",
        group="county",
        kind="fact",
        cite="F13",
        ge=0,
        le=100_000_000,
        desc="Resident population (Linping: 1,175,800, F13).",
    )
    residents_per_agent: int = P(
        100,
        unit="persons/agent",
        group="county",
        kind="setting",
        ge=1,
        le=100_000_000,
        desc="Residents one Citizen agent stands for (1 = one agent per resident).",
    )
    township_size_spread: float = P(
        0.3,
        unit="log-sd",
        group="county",
        kind="assumption",
        plausible=(0.1, 0.8),
        basis=(
            "no township populations in the seed; 0.1 ≈ near-equal units, 0.8 ≈ a largest unit ten times the smallest "
            "among ten (expert judgement)"
        ),
        ge=0,
        le=3,
        desc="Spread of township populations (sd of log share; 0 = equal sizes).",
    )
    department_staff: float = P(
        50.0,
        unit="persons",
        group="county",
        kind="lever",
        ge=0.1,
        le=10_000_000,
        desc="Service staff of all departments, in posts following expected work with a one-person floor each.",
        # screening range: one post per department of the generic county (20) up to 1.4 × Linping's 430 (scenarios)
        screen=(20.0, 600.0),
    )
    township_staff: float = P(
        40.0,
        unit="persons",
        group="county",
        kind="lever",
        ge=0.1,
        le=10_000_000,
        desc="Service staff of all townships (the posts the county funds, G3), split by population.",
        # screening range: one post per township of the generic county (10) up to 2.5 × Linping's 80 (scenarios)
        screen=(10.0, 200.0),
    )
    catalogue_seed: int = P(
        20260101,
        unit="seed",
        group="county",
        kind="setting",
        ge=0,
        le=2**63 - 1,
        desc=(
            "Seed of the county itself: matter catalogue, delegated matters, township "
            "sizes and distances (one per county, inherited through extends)."
        ),
    )
    county_area_km2: float = P(
        1000.0,
        unit="km²",
        group="county",
        kind="fact",
        cite="F13",
        ge=0,
        le=1_000_000,
        desc="County area; townships lie uniformly in a disc of this area around the seat (Linping: 1,228 km², F13).",
        label="County area (km², sets distances to the seat)",
        label_zh="县域面积（平方公里，决定到县城的距离）",
        desc_zh="县域面积；乡镇均匀分布在以县城为中心、此面积的圆内（临平：1228 平方公里，F13）。",
        app="geography@1",
        step=100.0,
        slider=(100.0, 3000.0),
    )
    travel_speed_kmh: float = P(
        20.0,
        unit="km/h",
        group="county",
        kind="assumption",
        plausible=(10.0, 40.0),
        basis=(
            "door-to-door by bus, motorbike or car on county roads with waiting and parking: 10–40 km/h (physical "
            "bound, expert judgement)"
        ),
        gt=0,
        le=200,
        desc="Door-to-door speed of a requester's trip to the county seat (assumption).",
    )
    township_table: str = P(
        "",
        unit="path",
        group="county",
        kind="setting",
        desc=(
            "CSV of townships (name, residents, travel_hours, staff) replacing the "
            "drawn sizes, distances and staff split ('' = draw)."
        ),
    )
    warmup_days: int = P(
        0,
        unit="days",
        group="county",
        kind="setting",
        ge=0,
        le=10_000,
        desc="Days simulated under the pre-reform levers before the counted run (not in any KPI).",
        label="Days before the reform switches on",
        label_zh="改革前运行天数（之后改革开启）",
        desc_zh="在改革前的杠杆下先运行的天数，之后改革开启（不计入任何指标）。",
        app="time@2",
        step=10.0,
        slider=(0.0, 120.0),
    )
    stop_backlog_days: float = P(
        0.0,
        unit="days",
        group="county",
        kind="setting",
        ge=0,
        le=10_000,
        off_by_default=True,  # added after results were stored: off, it leaves their keys as they were
        desc=(
            "Stop rule (0 = off): stop at the end of a day whose open backlog exceeds this many days of the mean "
            "daily arrivals so far (KPI stopped_day)."
        ),
    )
    pre_reform: dict[str, Any] = P(
        {},
        unit="-",
        group="county",
        kind="setting",
        desc="Lever values used during warm-up (set by the scenario loader from the root of the extends chain).",
    )


class Engine(BaseModel):
    """How the day's event flow is computed (the reference Python engine or the compiled kernel)."""

    engine: Literal["python", "compiled"] = P(
        "python",
        unit="-",
        group="county",
        kind="setting",
        same_results=True,  # the engines are bit-identical where the compiled one runs (tests/test_kernel_*)
        desc=(
            "Event engine: the Python reference, or the compiled kernel where it covers every mechanism "
            "the scenario uses (else the Python engine runs, with the reason)."
        ),
    )
    overload_threshold: float = P(
        1.5,
        unit="days",
        group="county",
        kind="setting",
        gt=0,
        le=100,
        desc="A township is overloaded when its open work exceeds this many days of its capacity.",
    )
