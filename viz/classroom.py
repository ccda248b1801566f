"""Classroom mode: large type for a projector, and exercise presets that set the levers and run to the
day the exercise reads.

The presets are the steps of the exercises in ``docs/teaching.md`` (``teaching.EXERCISES``): choosing
one puts the step's scenario and lever values on the page (as if the teacher had moved them) and, once
the county is rebuilt, runs it to the step's day. Only the presets listed are accepted.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from .exercises import EXERCISES
from .i18n import t

CLASSROOM_CSS = """
.townsim-kpi .kpi-label { font-size: 18px !important; }
.townsim-kpi .kpi-value { font-size: 38px !important; }
.townsim-lever-label, .townsim-levers .v-label, .townsim-time .v-btn { font-size: 17px !important; }
.townsim-note { font-size: 15px !important; }
.townsim-compare-table, .townsim-compare-head { font-size: 18px !important; }
.townsim-group { font-size: 18px !important; }
"""
"""Larger type for a projector at 1280×800 (the county figure is drawn smaller, so its text is larger)."""

COUNTY_FIGSIZE = {False: (12.0, 5.6), True: (9.6, 5.4)}
"""County figure size in inches, by classroom mode (same pixels on screen: larger text in class)."""


def presets() -> dict[str, tuple]:
    """Every exercise step by its preset key ``exN:i``: (label, scenario, levers, day)."""
    return {
        f"{ex.key}:{i}": (f"{ex.key[2:]} · {st.label}", st.scenario, dict(st.levers), st.day)
        for ex in EXERCISES
        for i, st in enumerate(ex.steps)
    }


@solara.component
def PresetPicker(lang: str, on_preset: Callable[[str], None], on_error: Callable[[str], None]):
    """A select of the exercise steps; only the listed keys are accepted."""
    table = presets()
    items = [
        {"text": f"{t('exercise', lang)} {label} → {t('kpi_day', lang)} {day}", "value": key}
        for key, (label, _, _, day) in table.items()
    ]

    def choose(key):
        if isinstance(key, str) and key in presets():
            on_preset(key)
        else:
            on_error(f"exercise: got {str(key)[:40]!r}; allowed: one of the exercises listed")

    solara.v.Select(
        label=t("exercise_pick", lang),
        items=items,
        v_model=None,
        on_v_model=choose,
        dense=True,
        hide_details=True,
        class_="townsim-preset",
    )
