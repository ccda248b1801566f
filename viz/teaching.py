"""Every number in ``docs/teaching.md``, generated from what the app shows.

Each exercise is a list of steps (a scenario, lever values, the day to stop at). For each step this
module builds the model exactly as the app does (``levers.build_params`` on the scenario, then
``TownshipModel(params, rng=seed)`` with the app's first seed), runs it to the day, and reads the tiles
of the KPI strip (``kpis.kpi_values``, the very text the page shows) and the last point of the named
charts. The tables go between ``<!-- generated:KEY -->`` and ``<!-- /generated:KEY -->`` in the doc;
the prose holds no measured numbers, and ``check_claims`` tests what it says about them.

    python3 -m townsim.viz.teaching --write     # regenerate the tables in docs/teaching.md
    python3 -m townsim.viz.teaching --check     # exit 1 if the doc is out of date (tests do this)
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from townsim.model import TownshipModel
from townsim.model.scenario import load_scenario

from .i18n import t
from .kpis import kpi_values
from .levers import build_params

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
    Exercise("ex1", (
        Step("1 · inspections 5 h/week", levers={"inspection_hours_per_week": 5.0}),
        Step("2 · + delegation 0.60", levers={"inspection_hours_per_week": 5.0, "delegated_share": 0.6}),
        Step("3a · inspections 20 h/week", levers={"inspection_hours_per_week": 20.0}),
        Step("3b · + delegation 0.60", levers={"inspection_hours_per_week": 20.0, "delegated_share": 0.6}),
        Step("3c · inspections 35 h/week", levers={"inspection_hours_per_week": 35.0}),
        Step("3d · + delegation 0.60", levers={"inspection_hours_per_week": 35.0, "delegated_share": 0.6}),
        Step("4 · + staff moved down 1.00", levers={"inspection_hours_per_week": 35.0, "delegated_share": 0.6,
                                                    "staff_transfer": 1.0}),
    ), tiles=("town_util", "overloaded", "backlog", "on_time")),
    Exercise("ex2", (
        Step("1 · baseline"),
        Step("2 · + 135 rule", levers={"escalation_135": True}),
        Step("3 · one_stop_135", scenario="one_stop_135"),
    ), tiles=("on_time", "esc_total", "ent_sat"),
        charts=("on_time:on_time_rate_tier1", "on_time:on_time_rate_tier3", "on_time:on_time_rate_tier5",
                "escalations:escalations_level3")),
    Exercise("ex3", (
        Step("1 · baseline", day=250),
        Step("2 · responsibility list", levers={"responsibility_list": True}, day=250),
        Step("3 · two-way assessment 0.80", levers={"two_way_weight": 0.8}, day=250),
        Step("4 · both", levers={"responsibility_list": True, "two_way_weight": 0.8}, day=250),
    ), tiles=("dumped_total", "dumped", "cit_sat")),
)


def readout(step: Step) -> dict[str, str | float]:
    """What the app shows at ``step.day`` for ``step``: tile texts by key and chart values by series."""
    return _readout(step.scenario, tuple(sorted(step.levers.items())), step.day)


@functools.lru_cache(maxsize=None)
def _readout(scenario: str, levers: tuple, day: int) -> dict[str, str | float]:
    params = build_params(load_scenario(scenario).params, dict(levers))
    model = TownshipModel(params, rng=SEED)
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
    return t(f"series_{name}", "en")


def table(ex: Exercise) -> str:
    """The generated markdown table of ``ex``: one row per step, one column per tile or chart series."""
    heads = [t(f"kpi_{k}", "zh") + " / " + t(f"kpi_{k}", "en") for k in ex.tiles]
    for chart, series in (c.split(":") for c in ex.charts):
        heads.append(f"{t('chart_' + chart, 'zh')}: {_series(series)}")
    lines = ["| step | day | " + " | ".join(heads) + " |", "|---" * (len(heads) + 2) + "|"]
    for st in ex.steps:
        r = readout(st)
        cells = [str(r[k]) for k in ex.tiles]
        cells += [_fmt(r[f"series:{c.split(':')[1]}"]) for c in ex.charts]
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
        note = (f"*Generated by `python3 -m townsim.viz.teaching --write`: what the app shows at the stop day "
                f"with seed {SEED} (the app's first seed); another seed gives other digits, the same direction.*")
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
    e1, e2, e3 = r["ex1"], r["ex2"], r["ex3"]
    util = [_n(x["town_util"]) for x in e1]
    over = [_n(x["overloaded"]) for x in e1]
    backlog = [_n(x["backlog"]) for x in e1]
    claims = {
        "ex1: delegation raises township utilisation at every inspection level":
            util[1] > util[0] and util[3] > util[2] and util[5] > util[4],
        "ex1: with light inspections the delegation overloads no township": over[0] == over[1] == 0,
        "ex1: busier townships (more inspections) are more loaded": util[5] > util[3] > util[1],
        "ex1: at 35 h/week with delegation, townships are overloaded and open cases pile up":
            over[5] > over[1] and backlog[5] > backlog[1],
        "ex1: moving the staff down brings utilisation and open cases back down":
            util[6] < util[5] and backlog[6] < backlog[5],
        "ex2: without the rule nothing is escalated; with it, escalations appear":
            _n(e2[0]["esc_total"]) == 0 and _n(e2[1]["esc_total"]) > 0,
        "ex2: the joint conference is among the escalation levels used":
            e2[1]["total:escalations_level3"] > 0,
        "ex2: the one-stop centre raises enterprise satisfaction": _n(e2[2]["ent_sat"]) > _n(e2[0]["ent_sat"]),
        "ex3: the list bounces tasks back, baseline bounces none":
            e3[0]["total:bounced_tasks"] == 0 and e3[1]["total:bounced_tasks"] > 0,
        "ex3: two-way assessment dumps less over the year than baseline":
            e3[2]["total:dumped_tasks"] < e3[0]["total:dumped_tasks"],
    }
    return [claim for claim, ok in claims.items() if not ok]


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    fresh = render(text)
    if "--write" in argv:
        DOC.write_text(fresh, encoding="utf-8")
        print(f"{DOC}: tables regenerated")
    failures = check_claims(readouts())
    for claim in failures:
        print(f"claim no longer holds: {claim}", file=sys.stderr)
    if "--check" in argv and fresh != text:
        print(f"{DOC} is out of date: run python3 -m townsim.viz.teaching --write", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
