"""The findings page's robustness section: how often each reform's effect holds across the plausible worlds.

Reads a ``townsim robust`` folder (``robustness.csv``, ``vulnerabilities.csv``, ``manifest.json``) and
writes, per reform option, one sentence per headline KPI (the robust report's own sentence: the share of
worlds where the reform is better, worse or not distinguishable from the status quo, and the assumption
box where its usual effect fails) and a table of those shares. Nothing is recomputed here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from townsim.experiments.core.assumptions import assumptions
from townsim.experiments.render import fmt
from townsim.experiments.render.worlds import sentence
from townsim.model.metrics import kpi, kpis


def _manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _settings(man: dict) -> str:
    """The run's size ("32 worlds × 2 replications × 250 days, 19 assumptions varied") from its manifest."""
    parts = [f"{man[k]} {w}" for k, w in (("worlds", "worlds"), ("reps", "replications"), ("days", "days")) if k in man]
    varied = man.get("assumptions")
    text = " × ".join(parts)
    if isinstance(varied, (list, dict)) and varied:
        text += f", {len(varied)} assumptions varied"
    return text


TITLES = {
    False: "### Across plausible worlds (`townsim robust`)",
    True: "### Over the calibrated generic county (`townsim robust --posterior`)",
}
DRAWN = {
    False: "Every reform and the status quo were run in each plausible world: the declared assumptions (every "
    "`Params` field of kind *assumption*, docs/ODD.md) drawn by a Latin hypercube over their plausible ranges",
    True: "Every reform and the status quo were run in each world drawn from the generic county's calibration "
    "posterior, `scenarios/posteriors/generic.parquet` (docs/calibration.md): the ten calibrated assumptions from a "
    "particle resampled by weight, every other assumption drawn from its range as in the calibration",
}
APART = {
    False: "",
    True: " Seed noise and parameter uncertainty stay apart: a world's verdict rests on its paired seeds' 95 % "
    "interval (seed noise); the spread of the effect over the worlds is the posterior's (parameter uncertainty).",
}


def robust_section(folder: Path, command: str, posterior: bool = False) -> tuple[list[str], list[str]]:
    """Evidence lines and the conclusion's per-reform lines (empty when the folder has no robustness.csv);
    ``posterior``: the worlds are draws of the generic county's posterior (``robust --posterior``)."""
    path = folder / "robustness.csv"
    if not path.is_file():
        return [TITLES[posterior], "", f"*Not run yet*: `{command}`.", ""], []
    robust = pd.read_csv(path)
    vul_path = folder / "vulnerabilities.csv"
    vul = pd.read_csv(vul_path) if vul_path.is_file() else pd.DataFrame(columns=["reform", "kpi", "box"])
    vul["assumption"] = vul.get("assumption", pd.Series(dtype=object)).fillna("")
    units = {a.name: a.unit for a in assumptions()}
    shown = [k for k in kpis("worlds") if k in set(robust["kpi"])]
    reforms = list(dict.fromkeys(robust["reform"]))
    man = _manifest(folder)
    said = _settings(man)
    lines = [
        TITLES[posterior],
        "",
        f"{DRAWN[posterior]}{f' ({said})' if said else ''}, paired seeds within a world. A world counts as *better* or "
        "*worse* when the paired 95 % interval of the reform's effect excludes 0, else as *not "
        "distinguishable*; shares carry Wilson 95 % intervals; each cell ends with the effect's median and its "
        "5–95 % range over the worlds. Where the usual direction of an effect fails "
        "in some worlds, PRIM names the assumption box that holds them, scored on worlds it never saw."
        + APART[posterior],
        "",
        *_collapse_note(robust),
        "| reform | " + " | ".join(kpi(k).text("en") for k in shown) + " |",
        "|---|" + "---|" * len(shown),
    ]
    for r in reforms:
        cells = []
        for k in shown:
            row = robust[(robust["reform"] == r) & (robust["kpi"] == k)]
            if row.empty:
                cells.append("–")
                continue
            x = row.iloc[0]
            cells.append(
                f"{fmt.share(x['share_better'])} better / {fmt.share(x['share_worse'])} worse "
                f"(median {fmt.diff(k, float(x['effect_median']))}; {_spread(k, x)})"
            )
        lines.append(f"| `{r}` | " + " | ".join(cells) + " |")
    lines += ["", "In words, per reform:", ""]
    conclusion = []
    for r in reforms:
        texts = [sentence(r, k, robust, vul, units, "en") for k in shown]
        if posterior:
            texts = [t.replace("plausible worlds", "worlds drawn from the posterior") for t in texts]
        texts = [t for t in texts if t]
        if texts:
            lines.append(f"- `{r}`: " + " ".join(t[0].upper() + t[1:] for t in texts))
            conclusion.append(f"`{r}` {texts[0]}")
    lines += ["", f"Reproduce: `{command}`.", ""]
    return lines, conclusion


def _spread(k: str, x: pd.Series) -> str:
    """The effect's 5–95 % range over the worlds (the assumptions' uncertainty, or the posterior's), in the
    KPI's own terms."""
    if "effect_p05" not in x.index or pd.isna(x["effect_p05"]):
        return "range not recorded"
    return f"5–95 %: {fmt.diff(k, float(x['effect_p05']))} … {fmt.diff(k, float(x['effect_p95']))}"


def _collapse_note(robust: pd.DataFrame) -> list[str]:
    """A line on the worlds where a run's queues grew without bound (the stop rule), when any did."""
    if "share_collapsed" not in robust.columns:
        return []
    first = robust.drop_duplicates("reform").set_index("reform")
    down = {r: x for r, x in first["share_collapsed"].items() if x > 0}
    base = float(first["baseline_collapsed"].max())
    if not down and not base > 0:
        return []
    parts = [f"`{r}` in {fmt.share(x)}" for r, x in down.items()]
    if base > 0:
        parts.append(f"the status quo in {fmt.share(base)}")
    return [
        "Queues grew without bound (the run stopped, counted as a failure, never averaged into an effect) for "
        + ", ".join(parts)
        + " of the worlds.",
        "",
    ]
