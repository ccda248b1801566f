"""The app's sidebar: the time controls, the exercise presets and the card of scenario, levers and seed."""

from __future__ import annotations

import solara

from .classroom import PresetPicker
from .clock import TimeControls
from .controls import LeverPanel, Settings
from .i18n import scenario_description
from .levers import lever_values
from .page_model import offered, scenario

SIDEBAR_DEPTH = 5
"""Wrapper levels above our sidebar card. Solara orders sidebar content by component depth; SolaraViz's
own sidebar call sits 4 levels below the page, so 5 puts this card under Mesa's controls (Reset / ▶ /
Step stay on top). Nothing in the sidebar is remounted when the model changes."""


@solara.component
def _SidebarLevers(levers: dict, time: dict, exercises: dict, depth: int):
    if depth > 0:
        _SidebarLevers(levers, time, exercises, depth - 1)
        return
    with solara.Sidebar():
        TimeControls(**time)
        with solara.Card(classes=["townsim-levers", "townsim-exercises"]):
            PresetPicker(**exercises)
        _Levers(**levers)


@solara.component
def _Levers(
    settings: solara.Reactive,
    built: Settings,
    lang: str,
    on_change,
    error: str | None,
    on_error,
    rebuild,
):
    """The card of scenario, levers and seed for the settings in ``settings`` (read here, not by the page),
    and the thread that rebuilds the county once the controls are idle (``rebuild``, restarted at every
    change of the settings)."""
    s = settings.value
    solara.use_thread(rebuild, dependencies=[s], intrusive_cancel=False)
    sc = scenario(s.scenario)
    LeverPanel(
        settings=s,
        scenario_values=lever_values(sc.params),
        scenario_names=offered(),
        description=scenario_description(s.scenario, lang, sc.description),
        lang=lang,
        on_change=on_change,
        error=error,
        pending=built != s and error is None,
        on_error=on_error,
    )
