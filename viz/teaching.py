"""Every number in ``docs/teaching.md``, generated from what the app shows.

Each exercise is a list of steps (a scenario, lever values, the day to stop at). For each step this
module builds the model exactly as the app does (``app.normalise`` and ``app.build``: the scenario, the
levers, the days before the reform, with the app's first seed), steps it to the day, and reads the tiles
of the KPI strip (``kpis.kpi_values``, the very text the page shows) and the last point of the named
charts. The tables go between ``<!-- generated:KEY -->`` and ``<!-- /generated:KEY -->`` in the doc;
the prose holds no measured numbers, and ``check_claims`` tests what it says about them.

    python3 -m townsim.viz.teaching --write     # regenerate the tables in docs/teaching.md
    python3 -m townsim.viz.teaching --check     # exit 1 if the doc is out of date (tests do this)
    python3 -m townsim.viz.teaching --write --path DIR/teaching.md     # another copy of the doc
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from townsim.model.metrics import kpi

from .i18n import t
from .kpis import kpi_values

DOC = Path(__file__).resolve().parent.parent / "docs" / "teaching.md"
SEED = 1
"""The app's first seed (``viz.app.DEFAULT_SEED``): students who keep it see these exact numbers."""


@dataclass(frozen=True)
class Step:
    """One setting the students run: a scenario, lever values and the day they stop at."""

    label: str
    scenario: str = "baseline"
    levers: dict = field(default_factory=dict)
    day: int = 60


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
            Step("1 · baseline, 1000 km²", day=120),
            Step("2 · county 3000 km²", levers={"county_area_km2": 3000.0}, day=120),
            Step(
                "3 · + township hall share 0.90",
                levers={"county_area_km2": 3000.0, "township_hall_share": 0.9},
                day=120,
            ),
        ),
        tiles=("req_hours", "on_time", "town_util"),
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
        tiles=("on_time", "resolution"),
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


def readout(step: Step) -> dict[str, str | float]:
    """What the app shows at ``step.day`` for ``step``: tile texts by key and chart values by series."""
    return _readout(step.scenario, tuple(sorted(step.levers.items())), step.day)


@functools.cache
def _readout(scenario: str, levers: tuple, day: int) -> dict[str, str | float]:
    from .app import build, normalise  # the page's own path: scenario, levers, pre-reform days, model
    from .controls import Settings

    settings = normalise(Settings(scenario, (), SEED))
    for name, value in levers:
        settings = settings.with_lever(name, value)
    model, _ = build(normalise(settings))
    for _ in range(day):
        model.step()
    out: dict[str, str | float] = {key: text for key, _, text in kpi_values(model)}
    out.update({f"series:{k}": v for k, v in (model.kpi_today or {}).items()})
    out.update({f"total:{k}": v for k, v in model.kpi_totals.items()})
    return out


def readouts() -> dict[str, list[dict]]:
    """The read-out of every step, by exercise key."""
    return {ex.key: [readout(st) for st in ex.steps] for ex in EXERCISES}


def _series(name: str) -> str:
    return kpi(name).short_text("en")


def table(ex: Exercise) -> str:
    """The generated markdown table of ``ex``: one row per step, one column per tile or chart series."""
    heads = [t(f"kpi_{k}", "zh") + " / " + t(f"kpi_{k}", "en") for k in ex.tiles]
    for chart, series in (c.split(":") for c in ex.charts):
        heads.append(f"{t('chart_' + chart, 'zh')}: {_series(series)}")
    lines = ["| step | day | " + " | ".join(heads) + " |", "|---" * (len(heads) + 2) + "|"]
    for st in ex.steps:
        r = readout(st)
        cells = [str(r[k]) for k in ex.tiles]
        cells += [_fmt(float(r[f"series:{c.split(':')[1]}"])) for c in ex.charts]
        lines.append(f"| {st.label} | {st.day} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt(x: float) -> str:
    if x != x:
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() and abs(x) >= 1 else f"{x:.2f}"


_BLOCK = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)


def render(text: str) -> str:
    """``text`` with every generated block replaced by the current tables."""
    by_key = {ex.key: ex for ex in EXERCISES}

    def sub(m: re.Match) -> str:
        ex = by_key[m.group(2)]
        note = (
            f"*Generated by `python3 -m townsim.viz.teaching --write`: what the app shows at the stop day "
            f"with seed {SEED} (the app's first seed); another seed gives other digits, the same direction.*"
        )
        return f"{m.group(1)}{note}\n\n{table(ex)}\n{m.group(4)}"

    return _BLOCK.sub(sub, text)


def strip_generated(text: str) -> str:
    """``text`` without its generated blocks (what is typed by hand)."""
    return _BLOCK.sub("", text)


def _n(text: str) -> float:
    """The first number in a tile text ('83%' → 0.83, '1 / 10' → 1, '1,234' → 1234)."""
    m = re.search(r"-?[\d,]+(?:\.\d+)?", str(text))
    v = float(m.group(0).replace(",", "")) if m else float("nan")
    return v / 100 if str(text).endswith("%") else v


def check_claims(r: dict[str, list[dict]]) -> list[str]:
    """What the prose of docs/teaching.md says about the tables; returns the claims that do not hold."""
    e1, e2, e3, e4, e5, e6, e7, e8 = (r[f"ex{i}"] for i in range(1, 9))
    util = [_n(x["town_util"]) for x in e1]
    over = [_n(x["overloaded"]) for x in e1]
    backlog = [_n(x["backlog"]) for x in e1]
    gap = [x["series:on_time_rate"] - x["series:resolution_rate"] for x in e7]
    claims = {
        "ex1: delegation raises township utilisation at every inspection level": util[1] > util[0]
        and util[3] > util[2]
        and util[5] > util[4],
        "ex1: with light inspections the delegation overloads no township yet, but open cases grow": over[0]
        == over[1]
        == 0
        and backlog[1] > backlog[0],
        "ex1: with delegation utilisation is high at every level; busier townships pile up open cases and "
        "are overloaded at 35 h/week": min(util[1], util[3], util[5]) > 0.8
        and backlog[5] > backlog[3] > backlog[1]
        and over[5] > over[3],
        "ex1: moving the staff down brings overload and open cases back down": backlog[6] < backlog[5]
        and over[6] == 0 < over[5],
        "ex2: without the rule nothing is escalated; with it, escalations appear": _n(e2[0]["esc_total"]) == 0
        and _n(e2[1]["esc_total"]) > 0,
        "ex2: without the rule tier-5 cases are the ones most often late": e2[0]["series:on_time_rate_tier5"]
        < min(e2[0]["series:on_time_rate_tier1"], e2[0]["series:on_time_rate_tier3"]),
        "ex2: the rule raises on-time closing": _n(e2[1]["on_time"]) > _n(e2[0]["on_time"]),
        "ex2: the joint conference is among the escalation levels used": e2[1]["total:escalations_level3"] > 0,
        "ex2: with the one-stop centre fewer cases are escalated and enterprise satisfaction is higher": _n(
            e2[2]["esc_total"]
        )
        < _n(e2[1]["esc_total"])
        and _n(e2[2]["ent_sat"]) > _n(e2[0]["ent_sat"]),
        "ex3: the list bounces tasks back, baseline bounces none": e3[0]["total:bounced_tasks"] == 0
        and e3[1]["total:bounced_tasks"] > 0,
        "ex3: the list cuts dumping; both remedies together dump least": e3[1]["total:dumped_tasks"]
        < e3[0]["total:dumped_tasks"]
        and e3[3]["total:dumped_tasks"] <= min(x["total:dumped_tasks"] for x in e3[:3]),
        "ex4: a larger county costs requesters more hours": _n(e4[1]["req_hours"]) > _n(e4[0]["req_hours"]),
        "ex5: funding the reform from department posts leaves more open cases and fewer on time": _n(e5[1]["backlog"])
        > _n(e5[0]["backlog"])
        and _n(e5[1]["on_time"]) < _n(e5[0]["on_time"]),
        "ex6: a higher service weight moves township hours to residents": _n(e6[1]["town_service"])
        > _n(e6[0]["town_service"]),
        "ex7: call-backs without a penalty do not narrow the on-time vs resolved gap": gap[1] >= gap[0],
        "ex8: with a half-life the reform fades and departments dump more over the year": e8[1]["total:dumped_tasks"]
        > e8[0]["total:dumped_tasks"],
    }
    return [claim for claim, ok in claims.items() if not ok]


def is_current(path: Path = DOC) -> bool:
    """True when the generated tables in ``path`` (a copy of ``docs/teaching.md``) are the current ones."""
    text = path.read_text(encoding="utf-8")
    return render(text) == text


def write(path: Path = DOC) -> bool:
    """Regenerate the tables in ``path`` (the prose kept); return whether the file changed."""
    text = path.read_text(encoding="utf-8")
    fresh = render(text)
    if fresh != text:
        path.write_text(fresh, encoding="utf-8")
    return fresh != text


def main(argv: list[str]) -> int:
    doc = Path(argv[argv.index("--path") + 1]) if "--path" in argv else DOC
    text = doc.read_text(encoding="utf-8")
    fresh = render(text)
    if "--write" in argv:
        write(doc)
        print(f"{doc}: tables regenerated")
    failures = check_claims(readouts())
    for claim in failures:
        print(f"claim no longer holds: {claim}", file=sys.stderr)
    if "--check" in argv and fresh != text:
        print(f"{doc} is out of date: run python3 -m townsim.viz.teaching --write", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
