"""A results object's ``.figures`` are live matplotlib Figures drawn by the project's figure functions (not
pictures of the saved PNGs): their axes hold the data of the tables, and a notebook user can restyle them."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import townsim
from townsim.experiments.core.county import SMALL_COUNTY
from townsim.experiments.render.plots import HEADLINE, scale

QUIET = {"workers": 1, "progress": "never"}


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures") / "compare"
    return townsim.compare(
        ["baseline", "delegation_with_staff", "one_stop_135"],
        reps=2,
        days=6,
        seed=3,
        set=SMALL_COUNTY,
        out=out,
        **QUIET,
    )


def _points(ax) -> list:
    """The forest panel's point estimates (one round marker per reform)."""
    return [line for line in ax.lines if line.get_marker() == "o"]


def test_compare_forest_figure_holds_the_comparison_table(compared):
    fig = compared.figures["forest_differences"]
    assert isinstance(fig, Figure)
    comparison = compared.comparison
    kpis = [k for k in HEADLINE if k in set(comparison["kpi"])]
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(kpis), "one panel per headline KPI of the table"
    reforms = list(dict.fromkeys(comparison["scenario"]))
    for ax, kpi in zip(panels, kpis):
        points = _points(ax)
        assert len(points) == len(reforms), kpi
        drawn = sorted(float(p.get_xdata()[0]) for p in points)
        table = sorted(comparison.loc[comparison["kpi"] == kpi, "difference"].to_numpy(float) * scale(kpi))
        np.testing.assert_allclose(drawn, table, rtol=1e-9, err_msg=kpi)  # the table went through CSV


def test_every_figure_file_has_its_live_figure(compared):
    figures = compared.figures
    assert set(figures) == set(compared.figure_files)
    assert all(isinstance(f, Figure) for f in figures.values())
    ts = figures["timeseries_backlog"]
    shown = [ax for ax in ts.axes if ax.get_visible()]
    assert len(shown) == 2, "one panel per reform, each against the baseline"
    days = sorted(set(compared.timeseries["day"]))
    assert all(len(line.get_xdata()) == len(days) for ax in shown for line in ax.lines)


def test_a_figure_can_be_restyled_and_drawn_again(compared):
    fig = compared.figures["tradeoffs"]
    fig.axes[0].set_title("restyled")
    fig.set_size_inches(4, 3)
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")
    assert compared.figures["tradeoffs"].axes[0].get_title() == "restyled", "the same live object each time"


def test_sweep_line_figure_holds_the_summary(tmp_path):
    res = townsim.sweep(
        "baseline", vary={"two_way_weight": "0:1:3"}, reps=2, days=5, kpi="on_time_rate", set=SMALL_COUNTY,
        out=tmp_path / "s", **QUIET,
    )  # fmt: skip
    fig = res.figures["sweep_on_time_rate"]
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    (line,) = [ln for ln in ax.lines if ln.get_marker() == "o"]
    sub = res.summary[res.summary["kpi"] == "on_time_rate"].sort_values("two_way_weight")
    np.testing.assert_allclose(line.get_xdata(), sub["two_way_weight"].to_numpy(float))
    np.testing.assert_allclose(line.get_ydata(), sub["mean"].to_numpy(float) * scale("on_time_rate"))


def test_figures_of_a_finished_folder_are_drawn_again_from_its_tables(compared):
    again = townsim.Results(compared.command, compared.out, compared.argv)
    fig = again.figures["forest_differences"]
    assert isinstance(fig, Figure) and len([ax for ax in fig.axes if ax.get_visible()]) > 1
