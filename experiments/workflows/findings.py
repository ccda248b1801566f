"""``docs/findings.md``: what the model says about each reform option, generated from result folders.

    python3 -m townsim.experiments.workflows.findings [--results DIR] [--write]

Reads the folders the commands in :data:`COMMANDS` write (each resumes if stopped) and writes the
planner's page: the conclusion first (a hand-written summary kept between the ``summary`` markers, the
assumptions that decide most, then one generated line and one table row per reform option), then the
evidence (default compare raw and at equal staff, Morris screening of all levers, Sobol' indices in two
regimes and where the lever rankings differ, Morris screening of assumptions and levers together, the
plausible worlds), then the caveats. A missing folder is reported as not run, with its command.
The summary and scenario-discovery sections between their markers are kept as they are (their
authors write them after reading the evidence). ``--write`` also copies the figures it cites into
``docs/figures/findings/``.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from townsim.experiments.core import stamps
from townsim.experiments.core.atomic import write_text
from townsim.experiments.core.county import county_fields
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.render import fmt
from townsim.model.metrics import kpi, kpis
from townsim.scenarios import load_scenario

from .findings_assumptions import TITLE as ASSUMPTIONS_TITLE
from .findings_assumptions import assumption_section
from .findings_sensitivity import FIGURES, LABELS, run_time, sensitivity_section
from .findings_worlds import robust_section

DOCS = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
COMMANDS = {
    "compare": "townsim compare --equal-staff --reps 20 --days 250 --out {r}/compare",
    "morris": "townsim sensitivity morris_screening --out {r}/morris",
    "sobol": "townsim sensitivity sobol_levers --out {r}/sobol",
    "morris_assumptions": "townsim sensitivity morris_assumptions --out {r}/morris_assumptions",
    "robust": "townsim robust baseline one_stop_135 delegation_no_staff delegation_with_staff grid_governance "
    "full_reform --worlds 24 --reps 2 --days 250 --out {r}/robust",
    "robust_posterior": "townsim robust baseline one_stop_135 delegation_no_staff delegation_with_staff "
    "grid_governance full_reform --posterior scenarios/posteriors/generic.parquet --worlds 24 --reps 2 --days 250 "
    "--out {r}/robust_posterior",
    "validate": "townsim validate --docs",
}
DISCOVER_BEGIN, DISCOVER_END = "<!-- discover:begin -->", "<!-- discover:end -->"
SUMMARY_BEGIN, SUMMARY_END = "<!-- summary:begin -->", "<!-- summary:end -->"


@dataclass
class Page:
    """The generated page and the figures it cites (source path → name under ``docs/figures/findings``)."""

    text: str
    figures: dict[Path, str] = field(default_factory=dict)
    drawn: dict[str, Path] = field(default_factory=dict)
    """Figures drawn at ``--write`` (name under ``docs/figures/findings`` → compare folder)."""


def _fmt(x: float, name: str = "") -> str:
    """A difference in the KPI's own terms (:func:`~townsim.experiments.render.fmt.diff`: percentage points
    for shares, the KPI's decimals otherwise)."""
    return fmt.diff(name, x) if name else fmt.number(x, 2, sign=True)


def _cell(r) -> str:
    star = "*" if bool(r.get("significant", False)) else ""
    return f"{_fmt(r.difference, r.name)}{star} ({_fmt(r.ci_low, r.name)} … {_fmt(r.ci_high, r.name)})"


def _other_counties(manifest: dict) -> set[str]:
    """Scenarios of another county than the baseline's (compare's ``COUNTY_FIELDS``; an equal-staff run
    changes department posts by design): never set against the generic baseline."""
    scen = {s["name"]: s.get("params", {}) for s in manifest.get("scenarios", [])}
    base = scen.get(manifest.get("baseline", "baseline"), {})
    return {n for n, p in scen.items() if base and any(p.get(f) != base.get(f) for f in county_fields(n))}


def draw_forest(folder: Path, path: Path) -> Path:
    """The compare's forest plot (its one drawing function) of the headline KPIs, without other counties."""
    from townsim.experiments.render.plots import (  # deferred: it pulls in matplotlib (heavy)
        forest_figure,
        scenario_colours,
    )

    cmp, man = _load_compare(folder)
    assert cmp is not None
    from townsim.experiments.render.report import title  # deferred: it pulls in matplotlib (heavy)

    def label(name: str) -> str:  # the scenario's own short label; an equal-staff run after its reform
        base_name = name.removesuffix("+equal_staff")
        try:
            text = title(load_scenario(base_name))
        except Exception:  # noqa: BLE001 - a scenario no longer shipped keeps its name
            text = base_name
        return text + (" (equal staff)" if name != base_name else "")

    base = man.get("baseline", "baseline")
    order = [base, *dict.fromkeys(cmp["scenario"])]
    labels = {n: label(n) for n in order}
    shown = [k for k in kpis("findings") if k in set(cmp.kpi)]
    return forest_figure(path, cmp, shown, order, scenario_colours(order, base), base, labels)


def _load_compare(folder: Path) -> tuple[pd.DataFrame | None, dict]:
    path = folder / "comparison.csv"
    if not path.is_file():
        return None, {}
    man = json.loads((folder / "manifest.json").read_text()) if (folder / "manifest.json").is_file() else {}
    cmp = pd.read_csv(path)
    return cmp[~cmp["scenario"].isin(_other_counties(man))], man


def _warmup(man: dict) -> str:
    """The run-in the compare's scenarios had, from its manifest ("a 65-day warm-up", "no warm-up")."""
    other = _other_counties(man)
    days = sorted(
        {
            int(sc.get("params", {}).get("warmup_days", 0))
            for sc in man.get("scenarios", [])
            if sc.get("name") not in other
        }
    )
    if not days or days == [0]:
        return "no warm-up"
    return f"a {days[0]}-day warm-up" if len(days) == 1 else "warm-ups of " + ", ".join(map(str, days)) + " days"


def compare_section(folder: Path, title: str, equal_staff: bool) -> list[str]:
    """Evidence table from a compare folder's comparison.csv: the reforms as they are (raw) or their
    ``+equal_staff`` runs (one ``compare --equal-staff`` holds both, paired)."""
    cmp, man = _load_compare(folder)
    if cmp is None:
        return [f"### {title}", "", f"*Not run yet* (`{folder}` has no comparison.csv).", ""]
    cmp = cmp[cmp["scenario"].str.endswith("+equal_staff") == equal_staff]
    shown = [k for k in kpis("findings") if k in set(cmp.kpi)]
    lines = [
        f"### {title}",
        "",
        f"{man.get('reps', '?')} replications × {man.get('days', '?')} working days per scenario (after "
        f"{_warmup(man)} under the status quo), paired with `{man.get('baseline', 'baseline')}` on common "
        "seeds; differences from it with 95 % t intervals (* = significant after Holm's correction).",
        "",
        "| scenario | " + " | ".join(kpi(k).text("en") for k in shown) + " |",
        "|---|" + "---|" * len(shown),
    ]
    for sc, g in cmp.groupby("scenario", sort=False):
        g = g.set_index("kpi")
        lines.append(f"| {sc} | " + " | ".join(_cell(g.loc[k]) for k in shown) + " |")
    others = sorted(_other_counties(man))
    if others and not equal_staff:
        lines += ["", f"Not compared (another county than the baseline's): {', '.join(others)}."]
    return lines + [""]


def _word(r) -> str:
    if r is None:
        return "not run"
    if r.ci_low > 0:
        return "raises"
    if r.ci_high < 0:
        return "lowers"
    return "does not clearly change"


def option_lines(folder: Path) -> tuple[list[str], list[str]]:
    """One row and one sentence per reform option: raw effect, its extra staff cost, and the effect when
    its extra posts come out of existing ones (the ``+equal_staff`` run); its KPIs are the registry's
    ``options`` view."""
    cmp, man = _load_compare(folder)
    if cmp is None:
        return [], []
    rows = {(r.scenario, r.kpi): r for r in cmp.itertuples(index=False)}
    names = [s for s in dict.fromkeys(cmp["scenario"]) if not s.endswith("+equal_staff")]
    descr = {s["name"]: s.get("description", "") for s in man.get("scenarios", [])}

    def get(s, k):
        return rows.get((s, k))

    table = [
        "| reform option | closed on time | really resolved by the first deadline | requester hours per case | "
        "staff-hours paid | funded from existing posts: closed on time | … really resolved |",
        "|---|---|---|---|---|---|---|",
    ]
    sentences = []
    k_on, k_res, k_hrs, k_cost = kpis("options")[:4]
    for s in names:
        on, res, hrs, cost = (get(s, k) for k in (k_on, k_res, k_hrs, k_cost))
        eq_on, eq_res = get(s + "+equal_staff", k_on), get(s + "+equal_staff", k_res)
        rel = cost.difference / cost.baseline_mean if cost is not None and cost.baseline_mean else math.nan
        cost_txt = fmt.number(100 * rel, 0, sign=True) + " %" if math.isfinite(rel) else fmt.MISSING
        table.append(
            f"| {s} | {_fmt(on.difference, k_on) if on is not None else fmt.MISSING} | "
            f"{_fmt(res.difference, k_res) if res is not None else fmt.MISSING} | "
            f"{_fmt(hrs.difference, k_hrs) if hrs is not None else fmt.MISSING} h | {cost_txt} | "
            f"{_fmt(eq_on.difference, k_on) if eq_on is not None else 'same posts'} | "
            f"{_fmt(eq_res.difference, k_res) if eq_res is not None else 'same posts'} |"
        )
        if on is None or res is None:
            continue
        what = f"**{s}**" + (f" — {descr[s].rstrip('.')}." if descr.get(s) else ":")
        staffing = (
            f"With {cost_txt} staff-hours it"
            if math.isfinite(rel) and abs(rel) >= 0.005
            else "At the baseline's staff it"
        )
        text = (
            f"{what} {staffing} {_word(on)} the share of cases closed on time "
            f"({_fmt(on.difference, k_on)}, 95 % CI {_fmt(on.ci_low, k_on)} … "
            f"{_fmt(on.ci_high, k_on)}) and {_word(res)} the share of requests really resolved by "
            f"their first deadline ({_fmt(res.difference, k_res)})"
        )
        if eq_on is not None and eq_res is not None:
            text += (
                f"; with its extra posts taken from existing ones it {_word(eq_on)} on-time closure "
                f"({_fmt(eq_on.difference, k_on)}) and {_word(eq_res)} real resolution "
                f"({_fmt(eq_res.difference, k_res)})"
            )
        sentences.append(text + ".")
    return table, sentences


def _kept(previous: str, begin: str, end: str, default: str) -> str:
    if begin in previous and end in previous:
        return previous[previous.index(begin) : previous.index(end) + len(end)]
    return f"{begin}\n{default}\n{end}"


def render(results: Path, previous: str = "", current: bool = False) -> Page:
    """The page (Markdown) from the folders under ``results``; ``previous`` supplies the kept sections
    (``current``: it was made by a model that behaves as this one, so a sensitivity folder absent from
    ``results`` keeps its section, :func:`~.findings_sensitivity.sensitivity_section`).

    Longer than 60 lines on purpose: it is the page written top to bottom (commands, conclusion, options,
    worlds, levers, caveats, discovery, evidence), each section in the order a planner reads it.

    Over 60 lines: the findings' sections in reading order, one short block each; split, every helper would take the
    same tables."""
    cmds = {k: v.format(r=results) for k, v in COMMANDS.items()}
    figures: dict[Path, str] = {}
    cmp_dir = Path(cmds["compare"].split("--out ")[1])
    table, sentences = option_lines(cmp_dir)
    ev: list[str] = []
    for equal, title in ((False, "Default comparison (raw staffing)"), (True, "At equal staff")):
        ev += compare_section(cmp_dir, title, equal)
    drawn = {}
    if (cmp_dir / "comparison.csv").is_file():
        drawn["compare_forest.png"] = cmp_dir
        ev += [
            "![Differences from the status quo with 95 % intervals, raw and at equal staff]"
            f"({FIGURES}/compare_forest.png)",
            "",
        ]
        rt = run_time(cmp_dir)
        ev += [rt, ""] if rt else []
    kept = previous if current else ""
    morris, m_tops = sensitivity_section(results / "morris", "Morris screening of all levers", figures, "morris", kept)
    sobol, s_tops = sensitivity_section(
        results / "sobol", "Sobol' indices of the key levers: baseline vs full reform", figures, "sobol", kept
    )
    screened, a_lines = assumption_section(results / "morris_assumptions", cmds["morris_assumptions"], figures)
    ev += morris + sobol + screened
    worlds, w_lines = robust_section(results / "robust", cmds["robust"])
    ev += worlds
    fitted, p_lines = robust_section(results / "robust_posterior", cmds["robust_posterior"], posterior=True)
    ev += fitted
    head = [
        "# What the model says about township reform",
        "",
        "Generated by these commands (each resumes if stopped; run the long ones on an otherwise idle "
        "machine), then `python3 -m townsim.experiments.workflows.findings --write`:",
        "",
        "```bash",
        *cmds.values(),
        "python3 -m townsim.experiments.workflows.findings --write",
        "```",
        "",
        "## Conclusion",
        "",
        _kept(previous, SUMMARY_BEGIN, SUMMARY_END, "*The planner's summary is written after reading the evidence.*"),
        "",
    ]
    if a_lines:
        head += [
            "### The assumptions that decide most",
            "",
            "Per headline output, the assumptions among its influential factors when every assumption and "
            "lever is varied at once, most important first (details under *" + ASSUMPTIONS_TITLE + "*); a "
            "conclusion below that turns on one of them is only as good as its range:",
            "",
            *[f"- {t}." for t in a_lines],
            "",
        ]
    head += ["### Each reform option against the status quo", ""]
    if sentences:
        head += [f"- {c}" for c in sentences]
        head += [
            "",
            'Differences from `baseline` (means of paired runs; "funded from existing posts" = the same '
            "reform with its extra posts taken from department posts so that the staff-hours budget equals "
            'the baseline\'s; "same posts" = the reform adds none):',
            "",
            *table,
        ]
    else:
        head += [f"*No comparison yet*: run `{cmds['compare']}`."]
    if w_lines:
        head += [
            "",
            "How often each reform's first headline effect holds across the plausible worlds (the assumptions "
            "varied over their declared ranges; details under *Across plausible worlds*):",
            "",
        ]
        head += [f"- {t}" for t in w_lines]
    if p_lines:
        head += [
            "",
            "The same over the calibrated generic county (worlds drawn from its posterior; details under *Over the "
            "calibrated generic county*):",
            "",
        ]
        head += [f"- {t}" for t in p_lines]
    if m_tops or s_tops:
        head += ["", "Levers that matter most (influential ones, most important first):", ""]
        head += [f"- {LABELS['morris']}, {t}." for t in m_tops] + [f"- {LABELS['sobol']}, {t}." for t in s_tops]
    tail = [
        "",
        "## Caveats",
        "",
        "- Validation: only the held-out published patterns in `docs/validation.md` are evidence that the "
        "model describes real counties; everything else here is what the model implies for a generic county "
        "whose behavioural parameters are assumptions (`docs/ODD.md`).",
        "- The comparison's and the sensitivity analyses' intervals are seed noise of one parameter set; "
        "uncertainty about the assumptions is in *Across plausible worlds* (the declared ranges) and *Over the "
        "calibrated generic county* (the posterior fitted to P7's levels, docs/calibration.md).",
        "- One working year after the reform starts: reforms that pay back slowly (delegation's learning, "
        "ODD §7.14) look worse here than they would in year three.",
        "- Reduced horizons and counties are used only where `docs/calibration.md` shows they match the full ones.",
        "",
        "## Scenario discovery",
        "",
        _kept(
            previous, DISCOVER_BEGIN, DISCOVER_END, "*Written by `townsim discover` (issue 15); not generated here.*"
        ),
        "",
    ]
    return Page("\n".join(head + ["", "## Evidence", ""] + ev + tail), figures, drawn)


def made_by_this_model(docs: Path) -> bool:
    """Whether ``docs/findings.md`` was made by a model that behaves as this one (its stamp in
    ``docs/generated.json``, written by ``townsim docs --write``)."""
    return stamps.made_with(docs, "findings") == model_fingerprint()


def write(results: Path, docs: Path = DOCS.parent) -> tuple[Path, int]:
    """Write ``docs/findings.md`` (its kept sections from the copy there) and its figures into ``docs``.

    Returns the page's path and the number of figures written.
    """
    path = docs / DOCS.name
    prev = path.read_text(encoding="utf-8") if path.is_file() else ""
    page = render(results, prev, made_by_this_model(docs))
    target = docs / FIGURES
    target.mkdir(parents=True, exist_ok=True)
    for src, name in page.figures.items():
        shutil.copyfile(src, target / name)
    for name, folder in page.drawn.items():
        draw_forest(folder, target / name)
    write_text(path, page.text)
    return path, len(page.figures) + len(page.drawn)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m townsim.experiments.workflows.findings")
    ap.add_argument("--results", type=Path, default=Path("results/findings"))
    ap.add_argument("--write", action="store_true", help=f"write {DOCS} and its figures (default: print)")
    ap.add_argument("--docs", type=Path, default=DOCS.parent, help="the docs folder to write into (default: docs/)")
    args = ap.parse_args(argv)
    if args.write:
        path, n = write(args.results, args.docs)
        print(f"wrote {path} and {n} figures in {args.docs / FIGURES}")
    else:
        prev = (args.docs / DOCS.name).read_text(encoding="utf-8") if (args.docs / DOCS.name).is_file() else ""
        sys.stdout.write(render(args.results, prev, made_by_this_model(args.docs)).text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
