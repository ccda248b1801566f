"""The grid, co-governance, satisfaction and life-cycle fields of :class:`~townsim.model.params.Params`.

Each field is declared with :func:`~townsim.model.params.kinds.P` (unit, group, range, kind);
``Params`` inherits every group (``model.py``), in the order of the parameter table."""

from __future__ import annotations

from pydantic import BaseModel

from .kinds import P


class Grid(BaseModel):
    """Grid and co-governance (G7–G9)."""

    dispute_rate: float = P(
        0.00005,
        unit="disputes/resident/day",
        group="grid",
        kind="assumption",
        plausible=(2e-05, 0.0002),
        basis="0.5–5 disputes per 100 residents per working year (expert judgement)",
        dist="loguniform",
        ge=0,
        le=1,
        desc="Citizen disputes arising per resident per day.",
    )
    grid_coverage: float = P(
        0.0,
        unit="share",
        group="grid",
        ge=0,
        le=1,
        desc="Share of residents living in a grid with a paid grid worker who patrols it (网格化管理, '5+N', G9); "
        "posts = this × residents / grid_worker_residents.",
        kind="lever",
        label="Grid management coverage (网格化管理)",
        label_zh="网格化管理覆盖率",
        desc_zh="居住在配有专职网格员（巡查网格）的网格内的居民比例（“5+N”网格化管理，G9）。",
        app="grid@1",
    )
    app_reporting: float = P(
        0.0,
        unit="share",
        group="grid",
        kind="lever",
        ge=0,
        le=1,
        desc="Probability a dispute is reported early by app (江城小蜜蜂, G8).",
    )
    points_incentive: float = P(
        0.0,
        unit="share",
        group="grid",
        kind="lever",
        ge=0,
        le=1,
        desc="Relative boost of app reporting by a points bank (积分银行, G9).",
    )
    local_mediation: float = P(
        0.8,
        unit="probability",
        group="grid",
        ge=0,
        le=1,
        desc="Ceiling of local mediation (枫桥经验, G7): share of early-detected disputes mediators can settle "
        "at all; success = this × (1 − exp(−mediator hours / dispute_difficulty_hours)).",
        kind="assumption",
        plausible=(0.6, 1.0),
        basis="expert judgement: some disputes need a court or a department whatever the mediators do",
    )
    dispute_difficulty_hours: float = P(
        2.0,
        unit="hours",
        group="grid",
        gt=0,
        le=1000,
        desc="Mean mediator hours a dispute needs to be settled (exponential across disputes).",
        kind="assumption",
        plausible=(0.5, 8.0),
        dist="loguniform",
        basis="a talk at the door to a day of meetings with both sides (expert judgement)",
    )
    grid_mediation_hours: float = P(
        2.0,
        unit="hours",
        group="grid",
        ge=0,
        le=8,
        desc="Hours a grid worker gives to mediating each dispute it finds on patrol, beside the township's "
        "(taken from its patrol time).",
        kind="lever",
    )
    mediation_accept_threshold: float = P(
        0.0,
        unit="probability",
        group="grid",
        ge=0,
        le=1,
        off_by_default=True,  # added after results were stored: 0, every dispute is mediated as before
        desc="Mediators take on an early-detected dispute only when its expected success at the hours they can "
        "give reaches this; a refused one goes to general township handling (0 = accept every dispute).",
        kind="assumption",
        plausible=(0.3, 0.9),
        basis="expert judgement: the success rate mediators' own work is judged by; the default 0 (accept every "
        "dispute, the model before this mechanism) lies outside",
    )
    dispute_surface_days: float = P(
        10.0,
        unit="days",
        group="grid",
        kind="assumption",
        plausible=(3.0, 40.0),
        basis="an undetected dispute surfaces within days to two months (expert judgement)",
        dist="loguniform",
        gt=0,
        le=1000,
        desc="Mean delay before an undetected dispute surfaces as a harder case.",
    )
    grid_worker_residents: float = P(
        10_000.0,
        unit="residents/worker",
        group="grid",
        kind="assumption",
        plausible=(2000.0, 20000.0),
        basis=(
            "residents per paid grid worker: grids of 300–1,000 households, several grids per paid post (expert "
            "judgement, G9)"
        ),
        dist="loguniform",
        gt=0,
        le=1e9,
        desc="Residents one paid grid worker covers at full coverage (posts = grid_coverage × residents / this).",
    )
    local_problem_rate: float = P(
        0.0,
        unit="problems/resident/day",
        group="grid",
        ge=0,
        le=1,
        desc="Local problems (hazards, sanitation, facilities) per resident per day, found by grid patrols or "
        "app reports or surfacing as calls (0 = not modelled; shipped scenarios: 0.0001).",
        kind="assumption",
        plausible=(0.00002, 0.0005),
        dist="loguniform",
        basis="no published rate (G8 gives counts without a base); from a fifth of to ten times the dispute "
        "rate (expert judgement); the default 0 (not modelled) lies outside: shipped scenarios set 0.0001",
    )
    patrol_residents_per_hour: float = P(
        1250.0,
        unit="residents/hour",
        group="grid",
        gt=0,
        le=1e7,
        desc="Residents' neighbourhood one grid worker sweeps in an hour of patrol (a latent problem there is "
        "found with probability 1 − exp(−hours × this / residents of the grid)).",
        kind="assumption",
        plausible=(300.0, 5000.0),
        dist="loguniform",
        basis="a '5+N' grid of 300–500 households (about 1,000 residents) walked in a quarter of an hour to "
        "three hours (expert judgement)",
    )
    report_hours: float = P(
        0.25,
        unit="hours",
        group="grid",
        gt=0,
        le=8,
        desc="Grid worker's hours to check and file one problem found on patrol (taken from patrol time).",
        kind="assumption",
        plausible=(0.1, 1.0),
        dist="loguniform",
        basis="a photo and a form in the app to an hour's visit and write-up (expert judgement)",
    )
    citizen_patience_days: float = P(
        30.0,
        unit="days",
        group="grid",
        kind="assumption",
        plausible=(10.0, 90.0),
        basis="days a resident waits on a dispute before petitioning: two weeks to a season (expert judgement)",
        dist="loguniform",
        gt=0,
        le=10_000,
        desc="Mean citizen patience; a dispute open longer becomes a petition (上访).",
    )


class Feedback(BaseModel):
    """Satisfaction and the enterprise life cycle."""

    satisfaction_learning: float = P(
        0.3,
        unit="0–1",
        group="feedback",
        kind="assumption",
        plausible=(0.1, 0.6),
        basis="weight of the latest case in a requester's satisfaction: long to short memory (expert judgement)",
        ge=0,
        le=1,
        desc="Weight of the latest closed case in a requester's satisfaction.",
    )
    enterprise_exit_base: float = P(
        0.0002,
        unit="1/day",
        group="feedback",
        kind="assumption",
        plausible=(5e-05, 0.0005),
        basis="annual exit of satisfied firms 1.25–12.5 % (expert judgement, business-demography orders of magnitude)",
        dist="loguniform",
        ge=0,
        le=1,
        desc="Daily exit probability of a satisfied enterprise.",
    )
    enterprise_exit_sensitivity: float = P(
        0.004,
        unit="1/day",
        group="feedback",
        kind="assumption",
        plausible=(0.001, 0.01),
        basis=(
            "extra exit per unit of dissatisfaction: a dissatisfied firm's exit risk up to 2.5–25 %/year (expert "
            "judgement)"
        ),
        dist="loguniform",
        ge=0,
        le=1,
        desc="Extra daily exit probability per unit of satisfaction below 0.8.",
    )
    enterprise_entry_rate: float = P(
        0.0003,
        unit="1/day",
        group="feedback",
        kind="assumption",
        plausible=(0.0001, 0.0006),
        basis="annual entry 2.5–15 % of live firms (expert judgement, business-demography orders of magnitude)",
        dist="loguniform",
        ge=0,
        le=1,
        desc="New enterprises per existing enterprise per day at mean satisfaction 0.7.",
    )
    startup_days: float = P(
        250.0,
        unit="days",
        group="feedback",
        kind="assumption",
        plausible=(125.0, 750.0),
        basis="half a working year to three as a start-up (expert judgement)",
        dist="loguniform",
        gt=0,
        le=100_000,
        desc="Mean days an enterprise stays a start-up.",
    )
    growth_days: float = P(
        750.0,
        unit="days",
        group="feedback",
        kind="assumption",
        plausible=(250.0, 2500.0),
        basis="one to ten working years of growth before maturity (expert judgement)",
        dist="loguniform",
        gt=0,
        le=100_000,
        desc="Mean days an enterprise stays in growth before maturity.",
    )
    settle_stocks: bool = P(
        True,
        unit="switch",
        group="feedback",
        desc="Draw satisfaction, channel memories and life-cycle stages from their status-quo stationary state "
        "during the warm-up (false: they start from fixed values and drift for years).",
        kind="setting",
    )
