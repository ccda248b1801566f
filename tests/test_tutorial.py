"""The researchers' tutorial (docs/tutorial.ipynb) executes cleanly on the small county, and its stored copy
carries its outputs so that it reads on the web."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "tutorial.ipynb"


def test_stored_tutorial_has_its_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code), "stored without running every cell"
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3, "its figures are stored"


def _cell(nb, needle: str):
    found = [c for c in nb.cells if c.cell_type == "code" and needle in c.source]
    assert found, f"no code cell with {needle!r}"
    return found[0]


def test_stored_tutorial_shows_a_failure_box():
    """The small robust run finds a box (PRIM on the failing worlds): its table and its figure are shown."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    table = _cell(nb, "rob.vulnerabilities").outputs[-1]["data"]["text/plain"]
    assert not table.startswith("Empty DataFrame") and "initial_competence" in table, table
    figure = _cell(nb, 'startswith("failure_")').outputs
    assert any("image/png" in o.get("data", {}) for o in figure), "the failure box's figure is stored"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_tutorial_executes_cleanly(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    env = dict(os.environ)
    client.execute(env=env)  # raises CellExecutionError on the first cell that fails
    assert (tmp_path / "results" / "tutorial" / "compare" / "report.md").exists()
    import pandas as pd

    boxes = pd.read_csv(tmp_path / "results" / "tutorial" / "robust" / "vulnerabilities.csv")
    boxes = boxes[(boxes["box"] >= 1) & boxes["assumption"].notna()]
    assert len(boxes), "the small robust run finds a failure box"
    resumed = [c for c in nb.cells if c.cell_type == "code" and "again.runs.equals" in c.source]
    assert resumed and resumed[0].outputs[-1]["data"]["text/plain"] == "True"
