"""The county view says what the model does (issue 26, defects 3, 4 and 5)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from townsim.model import Params, TownshipModel  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402
from townsim.viz import county  # noqa: E402
from townsim.viz.sampling import MarkSample  # noqa: E402

SMALL = dict(
    townships=4,
    departments=6,
    enterprises=300,
    residents=20_000,
    residents_per_agent=100,
    matter_types=40,
    department_staff=10.0,
    township_staff=8.0,
)


def desk_marks(fig, model):
    """The desk markers of the figure: level → its scatter collection."""
    lay = county.Layout(model)
    out = {}
    for col in fig.axes[0].collections:
        offsets = np.asarray(col.get_offsets())
        for lvl, xy in lay.desk_xy.items():
            if len(offsets) == 1 and np.allclose(offsets[0], xy):
                out[lvl] = col
    return out


def filled(col) -> bool:
    fc = np.asarray(col.get_facecolors())
    return len(fc) > 0 and fc[0][3] > 0


def test_coordination_desks_drawn_in_use_when_they_hold_cases_without_the_135_rule():
    """Defect 4: without the 135 rule the chief representatives and the leading-group office still
    coordinate (ad hoc, first come first served); the picture greyed them out as "135 rule off" while the
    backlog chart showed cases waiting there."""
    p = Params(**{**SMALL, "escalation_135": False})
    assert not p.escalation_135
    m = TownshipModel(p, rng=2)
    for _ in range(30):
        m.step()
        if sum(d.open_tasks for d in m.desks):
            break
    assert sum(d.open_tasks for d in m.desks) > 0  # cases wait at the desks
    fig = county.draw_county(m, MarkSample(m), "en", "test")
    marks = desk_marks(fig, m)
    assert filled(marks[1]) and filled(marks[2])  # in use: coloured by their load
    assert not filled(marks[3])  # the joint conference meets only under the rule
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "(135 rule off)" not in texts


def test_linping_townships_named_in_the_pages_language_without_overlap():
    """Defect 3: the Chinese page showed Linping's townships in English, overlapping each other."""
    sc = load_scenario("linping")
    m = TownshipModel(sc.params.replace(enterprises=400, residents=40_000, residents_per_agent=200), rng=1)
    for lang, expect in (("zh", "塘栖镇"), ("en", "Tangqi")):
        fig = county.draw_county(m, MarkSample(m), lang, "linping")
        renderer = FigureCanvasAgg(fig).get_renderer()
        lay = county.Layout(m)
        names = [
            t
            for t in fig.axes[0].texts
            if any(np.isclose(t.get_position()[0], x) for x in lay.town_x)
            and np.isclose(t.get_position()[1], county.Y_TOWN)
        ]
        assert len(names) == len(m.townships)
        joined = " ".join(t.get_text() for t in names)
        assert expect in joined, joined
        if lang == "zh":
            assert "subdistrict" not in joined and "Linping" not in joined
        boxes = sorted((t.get_window_extent(renderer) for t in names), key=lambda b: b.x0)
        for a, b in zip(boxes, boxes[1:]):
            assert a.x1 <= b.x0, (lang, a, b)  # no two names overlap


def test_departments_named_by_function_in_both_languages():
    """Department numbers had no label (D1–D20); they are named by function, zh and en."""
    m = TownshipModel(Params(**SMALL), rng=1)
    for lang in ("zh", "en"):
        fig = county.draw_county(m, MarkSample(m), lang, "test")
        lay = county.Layout(m)
        labels = [
            t.get_text()
            for t in fig.axes[0].texts
            if any(np.isclose(t.get_position()[0], x) for x in lay.dept_x)
            and np.isclose(t.get_position()[1], county.Y_DEPT - 0.075)
        ]
        assert len(labels) == len(m.departments)
        assert not any(lbl.startswith("D") and lbl[1:].isdigit() for lbl in labels), labels
        if lang == "zh":
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in lbl) for lbl in labels), labels


def test_scenario_descriptions_in_the_pages_language():
    """Defect 5: the Chinese page showed the scenario descriptions in English."""
    from townsim.scenarios import scenario_names
    from townsim.viz.i18n import scenario_description

    for name in scenario_names():
        zh = scenario_description(name, "zh", load_scenario(name).description)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), (name, zh)
        assert scenario_description(name, "en", load_scenario(name).description) == load_scenario(name).description
    assert scenario_description("/tmp/own.toml", "zh", "a teacher's own text") == "a teacher's own text"
