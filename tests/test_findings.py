"""docs/findings.md generator: conclusion first from the comparisons (each option's raw effect, its staff
cost and its effect at equal staff), rankings, regime differences, commands at the top, the summary and
discover sections kept, other counties left out, cited figures collected, missing analyses said."""

import json

import pandas as pd

from townsim.experiments.workflows.findings import (
    DISCOVER_BEGIN,
    DISCOVER_END,
    SUMMARY_BEGIN,
    SUMMARY_END,
    render,
)


def _row(scenario, kpi, diff, lo, hi, base=1.0, sig=True):
    return {
        "scenario": scenario,
        "kpi": kpi,
        "baseline_mean": base,
        "difference": diff,
        "ci_low": lo,
        "ci_high": hi,
        "significant": sig,
    }


def _compare_folder(tmp_path):
    cmp = tmp_path / "compare"
    (cmp / "figures").mkdir(parents=True)
    rows = [
        _row("full_reform", "on_time_rate", 0.04, 0.02, 0.06),
        _row("full_reform", "request_on_time_rate", 0.01, -0.01, 0.03, sig=False),
        _row("full_reform", "staff_hours", 20_000.0, 20_000.0, 20_000.0, base=200_000.0),
        _row("full_reform+equal_staff", "on_time_rate", -0.03, -0.05, -0.01),
        _row("full_reform+equal_staff", "request_on_time_rate", -0.02, -0.03, -0.01),
        _row("grid_governance", "on_time_rate", -0.001, -0.01, 0.008, sig=False),
        _row("grid_governance", "request_on_time_rate", 0.0, -0.01, 0.01, sig=False),
        _row("grid_governance", "staff_hours", 0.0, 0.0, 0.0, base=200_000.0, sig=False),
        _row("linping", "on_time_rate", 0.16, 0.15, 0.17),
    ]
    pd.DataFrame(rows).to_csv(cmp / "comparison.csv", index=False)
    county = {"townships": 10, "residents": 100_000}
    man = {
        "baseline": "baseline",
        "reps": 20,
        "days": 250,
        "scenarios": [
            {"name": "baseline", "params": county},
            {"name": "full_reform", "description": "All reforms together", "params": county},
            {"name": "grid_governance", "params": county},
            {"name": "linping", "params": {"townships": 8, "residents": 1_175_800}},
        ],
    }
    (cmp / "manifest.json").write_text(json.dumps(man))
    return cmp


def _sobol_folder(tmp_path):
    sob = tmp_path / "sobol"
    (sob / "figures").mkdir(parents=True)
    pd.DataFrame(
        [
            {
                "scenario": "baseline",
                "output": "on_time_rate",
                "parameter": "staff_transfer",
                "rank": 1,
                "influential": True,
                "value": 0.6,
            },
            {
                "scenario": "baseline",
                "output": "on_time_rate",
                "parameter": "app_reporting",
                "rank": 2,
                "influential": False,
                "value": 0.01,
            },
        ]
    ).to_csv(sob / "rankings.csv", index=False)
    pd.DataFrame(
        [
            {
                "output": "on_time_rate",
                "a": "baseline",
                "b": "full_reform",
                "kendall_tau": 0.2,
                "top_a": "",
                "top_b": "",
                "changed": "staff_transfer (rank 1 vs 4)",
                "suggestive": "",
            }
        ]
    ).to_csv(sob / "regimes.csv", index=False)
    (sob / "figures" / "heatmap_total_order.png").write_bytes(b"png")
    (sob / "manifest.json").write_text(
        json.dumps({"ran_now": 4096, "run_seconds_now": 3900.0, "executor": {"kind": "processes", "workers": 2}})
    )


def test_render_from_result_folders(tmp_path):
    _compare_folder(tmp_path)
    _sobol_folder(tmp_path)
    prev = (
        f"old\n{SUMMARY_BEGIN}\nthe planner's summary\n{SUMMARY_END}\n"
        f"{DISCOVER_BEGIN}\nboxes found by discover\n{DISCOVER_END}\n"
    )
    page = render(tmp_path, prev)
    text = page.text
    concl = text[text.index("## Conclusion") : text.index("## Evidence")]
    assert text.index("```bash") < text.index("## Conclusion")  # commands at the top
    assert "the planner's summary" in concl  # the hand-written summary is kept, first
    assert concl.index("the planner's summary") < concl.index("**full_reform**")
    # raw effect with its staff cost, and the same reform funded from existing posts
    assert (
        "**full_reform** — All reforms together. With +10 % staff-hours it raises the share of cases closed "
        "on time (+4.0 pp" in concl
    )
    assert "does not clearly change the share of requests really resolved by their first deadline (+1.0 pp)" in concl
    assert (
        "with its extra posts taken from existing ones it lowers on-time closure (−3.0 pp) and lowers "
        "real resolution (−2.0 pp)" in concl
    )
    assert "**grid_governance**: At the baseline's staff it does not clearly change" in concl
    assert "| full_reform | +4.0 pp | +1.0 pp | — h | +10 % | −3.0 pp | −2.0 pp |" in concl
    assert "| grid_governance | −0.1 pp | 0.0 pp | — h | 0 % | same posts | same posts |" in concl
    # another county is never set against the generic baseline
    assert "linping" not in concl and "Not compared (another county than the baseline's): linping." in text
    raw = text[text.index("### Default comparison") : text.index("### At equal staff")]
    assert "| full_reform |" in raw and "+equal_staff" not in raw and "| linping |" not in raw
    assert "**staff_transfer**, app_reporting" in text and "τ = 0.20" in text
    assert "Sobol', cases closed on time in `baseline`: staff_transfer." in concl
    assert "Run time: 65 minutes for 4,096 simulations on 2 worker processes." in text  # recorded, not typed
    assert "*Not run yet* (`" in text  # missing analyses (Morris here) are said
    assert "boxes found by discover" in text  # the discover section is kept
    # the figures it cites are collected for docs/figures/findings
    assert set(page.figures.values()) == {"sobol_heatmap.png"} and set(page.drawn) == {"compare_forest.png"}
    assert "](figures/findings/sobol_heatmap.png)" in text and "](figures/findings/compare_forest.png)" in text


def test_render_with_nothing_run(tmp_path):
    text = render(tmp_path, "").text
    assert "*No comparison yet*: run `townsim compare --equal-staff" in text
    assert SUMMARY_BEGIN in text and DISCOVER_BEGIN in text


def _robust_folder(tmp_path):
    rob = tmp_path / "robust"
    rob.mkdir()
    base = {"direction": 1, "worlds": 24, "better_low": 0.1, "better_high": 0.9, "worse_low": 0.0, "worse_high": 0.3}
    rows = [
        {
            **base,
            "reform": "one_stop_135",
            "kpi": "on_time_rate",
            "share_better": 0.75,
            "share_worse": 0.125,
            "share_not_distinguishable": 0.125,
            "not_distinguishable_low": 0.04,
            "not_distinguishable_high": 0.31,
            "effect_median": 0.08,
            "effect_p05": -0.02,
            "effect_p95": 0.2,
        }
    ]
    pd.DataFrame(rows).to_csv(rob / "robustness.csv", index=False)
    vul = {
        "reform": "one_stop_135",
        "kpi": "on_time_rate",
        "usual": "raises",
        "worlds": 24,
        "failing_worlds": 3,
        "box": 1,
        "assumption": "courier_interval_days",
        "lower": float("nan"),
        "upper": 0.7,
        "lower_unit": float("nan"),
        "upper_unit": 0.2,
        "train_coverage": 1.0,
        "train_density": 1.0,
        "heldout_worlds": 6,
        "heldout_coverage": 1.0,
        "heldout_density": 0.5,
        "note": "",
    }
    pd.DataFrame([vul]).to_csv(rob / "vulnerabilities.csv", index=False)
    (rob / "manifest.json").write_text(json.dumps({"worlds": 24, "reps": 2, "days": 250, "assumptions": [{}] * 19}))
    return rob


def test_robust_section_states_shares_of_worlds_and_the_failure_box(tmp_path):
    _robust_folder(tmp_path)
    text = render(tmp_path).text
    section = text[text.index("### Across plausible worlds") :]
    assert "24 worlds × 2 replications × 250 days, 19 assumptions varied" in section
    row = next(line for line in section.splitlines() if line.startswith("| `one_stop_135`"))
    assert "75% better" in row
    assert "+8.0 pp" in row
    # the conclusion states the share of worlds, and where the usual effect fails
    conclusion = text[: text.index("## Evidence")]
    line = next(x for x in conclusion.splitlines() if x.startswith("- `one_stop_135`"))
    assert "of plausible worlds" in line and "courier interval days" in line and "under 0.7" in line


def test_robust_section_says_not_run_with_its_command(tmp_path):
    text = render(tmp_path).text
    section = text[text.index("### Across plausible worlds") :]
    assert "*Not run yet*" in section and "townsim robust" in section


def test_the_posterior_section_keeps_seed_noise_and_parameter_uncertainty_apart(tmp_path):
    """The same robustness folder read as worlds drawn from the generic posterior: its own section and
    conclusion lines, which name the posterior; collapsed worlds are said when any run stopped."""
    rob = _robust_folder(tmp_path)
    table = pd.read_csv(rob / "robustness.csv").assign(share_collapsed=0.125, baseline_collapsed=0.0)
    table.to_csv(rob / "robustness.csv", index=False)
    rob.rename(tmp_path / "robust_posterior")
    text = render(tmp_path).text
    assert "### Across plausible worlds (`townsim robust`)\n\n*Not run yet*" in text  # the other folder is absent
    section = text[text.index("### Over the calibrated generic county") :]
    assert "generic.parquet" in section and "Seed noise and parameter uncertainty stay apart" in section
    assert "`one_stop_135` in 12%" in section  # the collapse note
    conclusion = text[: text.index("## Evidence")]
    assert "The same over the calibrated generic county" in conclusion
    assert "of worlds drawn from the posterior" in conclusion and "of plausible worlds" not in conclusion


def test_a_kept_folder_without_figures_cites_the_shipped_ones(tmp_path, monkeypatch):
    """git keeps a findings folder's manifest and CSVs, not its figures: rendered from such a folder (a fresh
    checkout), the page cites the copies it already ships and copies nothing; none shipped, none cited."""
    import shutil

    from townsim.experiments.workflows import findings_sensitivity

    _sobol_folder(tmp_path)
    shutil.rmtree(tmp_path / "sobol" / "figures")
    shipped = tmp_path / "docs-figures"
    shipped.mkdir()
    for name in ("sobol_heatmap.png", "sobol_indices_baseline.png", "morris_heatmap.png"):
        (shipped / name).write_bytes(b"png")
    monkeypatch.setattr(findings_sensitivity, "SHIPPED", shipped)
    page = render(tmp_path, "")
    assert "](figures/findings/sobol_heatmap.png)" in page.text
    assert "![Sobol' indices of the key levers: baseline vs full reform: indices_baseline]" in page.text
    assert "morris_heatmap" not in page.text  # Morris is not run here: its shipped figure is not cited
    assert not any("sobol" in name for name in page.figures.values()), "nothing to copy: the page has them"
    monkeypatch.setattr(findings_sensitivity, "SHIPPED", tmp_path / "none")
    assert "sobol_heatmap" not in render(tmp_path, "").text


def _screening_folder(tmp_path, rows):
    folder = tmp_path / "morris_assumptions"
    folder.mkdir()
    pd.DataFrame(
        [
            {"scenario": "baseline", "output": out, "parameter": p, "rank": r, "influential": inf, "value": v}
            for out, p, r, inf, v in rows
        ]
    ).to_csv(folder / "rankings.csv", index=False)
    return folder


def test_the_assumptions_that_decide_most_are_named_first(tmp_path):
    """The screening of assumptions and levers together: the conclusion names each headline output's influential
    assumptions (not its levers as assumptions) before the reform options, the evidence marks each factor's
    kind; without the folder the page says how to run it."""
    _compare_folder(tmp_path)
    _screening_folder(
        tmp_path,
        [
            ("on_time_rate", "department_staff", 1, True, 0.09),  # a lever
            ("on_time_rate", "service_time_cv", 2, True, 0.05),  # an assumption
            ("on_time_rate", "initial_competence", 3, False, 0.001),  # an assumption, not influential
            ("petitions", "catalogue_zipf", 1, True, 3.0),  # not a headline output: evidence only
        ],
    )
    text = render(tmp_path).text
    concl = text[text.index("## Conclusion") : text.index("## Evidence")]
    line = (
        "- cases closed on time in `baseline`: assumptions service_time_cv; levers department_staff "
        "(1 of its 2 influential factors are assumptions)."
    )
    assert line in concl
    assert concl.index(line) < concl.index("**full_reform**")
    assert "catalogue_zipf" not in concl and "initial_competence" not in concl
    ev = text[text.index("### Morris screening of assumptions and levers together") :]
    assert "**department_staff** *L*, **service_time_cv** *A*, initial_competence *A* | 1 / 1 |" in ev
    assert "4 factors sampled together — 3 assumptions" in ev and "and 1 reform levers" in ev


def test_an_unscreened_page_says_how_to_screen(tmp_path):
    _compare_folder(tmp_path)
    text = render(tmp_path).text
    assert "### The assumptions that decide most" not in text
    assert "*Not run yet*: `townsim sensitivity morris_assumptions --out" in text
