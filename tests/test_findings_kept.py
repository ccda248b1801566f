"""A findings page re-rendered while a sensitivity folder is absent keeps that section only when the page was
made by a model that behaves as this one (its stamp); otherwise the section reads *Not run yet*."""

from __future__ import annotations

import json
from pathlib import Path

from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.workflows import findings

SOBOL = "### Sobol' indices of the key levers: baseline vs full reform"
PAGE = "\n".join(
    [
        "# What the model says about township reform",
        "",
        "- Sobol', on-time closure in `baseline`: initial_competence, delegated_share.",
        "",
        SOBOL,
        "",
        "| regime | output | levers, most important first |",
        "|---|---|---|",
        "| baseline | on_time_rate | **initial_competence**, delegated_share |",
        "",
        "### Across plausible worlds (`townsim robust`)",
        "",
    ]
)


def _docs(tmp_path: Path, model: str) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "findings.md").write_text(PAGE, encoding="utf-8")
    (docs / "generated.json").write_text(json.dumps({"findings": {"model": model}}), encoding="utf-8")
    return docs


def test_absent_folder_keeps_its_section_when_the_model_is_unchanged(tmp_path):
    docs = _docs(tmp_path, model_fingerprint())
    assert findings.made_by_this_model(docs)
    text = findings.render(tmp_path / "results", PAGE, current=True).text
    assert "| baseline | on_time_rate | **initial_competence**, delegated_share |" in text
    assert "- Sobol', on-time closure in `baseline`: initial_competence, delegated_share." in text
    assert "`" + str(tmp_path / "results" / "sobol") + "` has no rankings.csv" not in text


def test_absent_folder_is_not_run_when_the_model_changed(tmp_path):
    docs = _docs(tmp_path, "0000000000000000")
    assert not findings.made_by_this_model(docs)
    text = findings.render(tmp_path / "results", PAGE, current=findings.made_by_this_model(docs)).text
    assert "**initial_competence**" not in text
    assert "has no rankings.csv" in text
