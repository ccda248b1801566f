"""The scenario selector, the lever controls and the seed (one card in the sidebar).

Sliders report a value when released (Vuetify's ``change`` event, also sent by
the arrow keys), so dragging does not rebuild the county at every pixel; the
browser keeps the slider's position while it is moved (the page sets it only
when the value changed elsewhere, never pushes a stale one back), and the page
rebuilds the county once the controls have been idle (``app.IDLE_SECONDS``).
Each lever shows its value; a lever moved away from the scenario's value is
marked in red with the scenario's value beside it, so a class sees what was
changed. Every change goes through ``on_change(Settings)``; the page rebuilds
the model from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import solara
import solara.lab  # noqa: F401  (registers solara.lab components used by Mesa)

from .i18n import scenario_label, t
from .levers import LEVERS, Lever


@dataclass(frozen=True)
class Settings:
    """What defines the model on screen: a scenario, lever values and a seed."""

    scenario: str
    levers: tuple[tuple[str, object], ...]
    seed: int

    def lever(self, name: str):
        return dict(self.levers)[name]

    def with_lever(self, name: str, value) -> Settings:
        return replace(self, levers=tuple((k, value if k == name else v) for k, v in self.levers))


def _fmt(lever: Lever, value) -> str:
    if lever.kind == "switch":
        return ""
    if float(value) == float("inf"):
        return "∞"
    if lever.step >= 1:
        return f"{value:.0f}"
    return f"{value:.2f}"


def lever_text(name: str, value, lang: str) -> str:
    """A lever and its value in one short phrase (the comparison's label of a run)."""
    lever = next((lv for lv in LEVERS if lv.name == name), None)
    if lever is None:
        return f"{name} {value}"
    if lever.kind == "switch":
        return f"{t(f'lever_{name}', lang)} {t('on' if value else 'off', lang)}"
    return f"{t(f'lever_{name}', lang)} {_fmt(lever, value)}"


def LeverControl(lever: Lever, value, scenario_value, lang: str, on_value: Callable):
    """One lever: a switch, or a slider with its value (red when changed from the scenario)."""
    if lever.kind == "switch":
        return SwitchLever(lever, value, scenario_value, lang, on_value)
    return SliderLever(lever, value, scenario_value, lang, on_value)


@solara.component
def SwitchLever(lever: Lever, value, scenario_value, lang: str, on_value: Callable):
    changed = bool(value) != bool(scenario_value)
    with solara.Div() as main:
        solara.Switch(
            label=t(f"lever_{lever.name}", lang),
            value=bool(value),
            on_value=on_value,
            classes=["townsim-lever", f"lever-{lever.name}"] + (["townsim-lever-changed"] if changed else []),
        )
        if changed:
            solara.Text(
                f"{t('changed_from', lang)}: {t('on' if scenario_value else 'off', lang)}",
                classes=["townsim-note", "townsim-lever-changed"],
            )
    return main


@solara.component
def SliderLever(lever: Lever, value, scenario_value, lang: str, on_value: Callable):
    changed = lever.position(value) != lever.position(scenario_value)
    shown = f"{t(f'lever_{lever.name}', lang)}  {_fmt(lever, value)}"
    if changed:
        shown += f"  ({t('changed_from', lang)}: {_fmt(lever, scenario_value)})"
    at = lever.position(value)
    # The browser owns the slider's position while a student moves it. The position is not a prop of the
    # element: the renderer re-applies an element's props to its widget whenever it reconciles the tree,
    # and with the page a few key presses behind (a loaded machine) that pushed a stale position back to
    # the browser, from which the next press counted. The page sets the position only when the value
    # changed elsewhere (first render, another scenario): when it is not what the slider reported.
    track = solara.use_ref({"reported": at, "moves": 0})
    if not _same(at, track.current["reported"], lever.step):
        track.current = {"reported": at, "moves": track.current["moves"] + 1}

    def on_change(widget, event, data):
        if data is not None:
            track.current["reported"] = data
            on_value(data)  # converted and checked by the page (levers.build_params), never here

    with solara.Div() as main:
        solara.Div(
            children=[shown],
            classes=["townsim-lever-label", f"lever-{lever.name}-label"]
            + (["townsim-lever-changed"] if changed else []),
        )
        slider = solara.v.Slider(
            min=min(lever.min, at),
            max=max(lever.max, at),
            step=lever.step,
            hide_details=True,
            thumb_label=True,
            dense=True,
            class_=f"townsim-lever lever-{lever.name}",
        )
        solara.v.use_event(slider, "change", on_change)

        def place():
            solara.get_widget(slider).v_model = at

        solara.use_effect(place, [track.current["moves"]])
    return main


def _same(a, b, step: float) -> bool:
    """Two slider positions are one stop of the slider (a position from the browser is a rounded float)."""
    try:
        return abs(float(a) - float(b)) < step / 1000
    except (TypeError, ValueError):
        return False


@solara.component
def LeverPanel(
    settings: Settings,
    scenario_values: dict,
    scenario_names: list[str],
    description: str,
    lang: str,
    on_change: Callable[[Settings], None],
    error: str | None = None,
    pending: bool = False,
):
    """Scenario selector, the levers of ``LEVERS`` and the seed."""
    with solara.Card(t("levers_card", lang), classes=["townsim-levers"]):
        items = [{"text": scenario_label(n, lang), "value": n} for n in scenario_names]
        solara.v.Select(
            label=t("scenario", lang),
            items=items,
            v_model=settings.scenario,
            on_v_model=lambda name: on_change(Settings(name, (), settings.seed)),
            class_="townsim-scenario",
            hide_details=True,
            dense=True,
        )
        if description:
            solara.Text(description, classes=["townsim-note"])
        for lever in LEVERS:
            LeverControl(
                lever,
                settings.lever(lever.name),
                scenario_values[lever.name],
                lang,
                on_value=lambda v, name=lever.name: on_change(settings.with_lever(name, v)),
            )
        solara.InputInt(
            t("seed", lang),
            value=settings.seed,
            continuous_update=False,
            on_value=lambda s: on_change(replace(settings, seed=s)),  # checked by the page
            classes=["townsim-seed"],
        )
        if error:
            solara.Error(error, classes=["townsim-error"])
        if pending:  # the county on screen is rebuilt with these settings once the controls are idle
            solara.Text(t("applying", lang), classes=["townsim-note", "townsim-pending"])
        solara.Text(t("restart_note", lang), classes=["townsim-note"])
