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

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import solara
import solara.lab  # noqa: F401  (registers solara.lab components used by Mesa)

from townsim.model.metrics.text import number

from .help import lever_help
from .i18n import LANGS, scenario_label, t
from .levers import GROUPS, LEVERS, Lever


@dataclass(frozen=True)
class Settings:
    """What defines the model on screen: a scenario, lever values and a seed."""

    scenario: str
    levers: tuple[tuple[str, object], ...]
    seed: int
    revision: int = 0
    """Counts changes made by the page itself (another scenario, an exercise preset): the sliders take
    their positions from the settings only when it changes (see ``SliderLever``)."""

    def lever(self, name: str):
        return dict(self.levers)[name]

    def with_lever(self, name: str, value) -> Settings:
        return replace(self, levers=tuple((k, value if k == name else v) for k, v in self.levers))


def _fmt(lever: Lever, value) -> str:
    if lever.kind == "switch":
        return ""
    if float(value) == float("inf"):
        return "∞"
    return number(value, 0 if lever.step >= 1 else 2)


def lever_text(name: str, value, lang: str) -> str:
    """A lever and its value in one short phrase (the comparison's label of a run)."""
    lever = next((lv for lv in LEVERS if lv.name == name), None)
    if lever is None:
        return f"{name} {value}"
    if lever.kind == "switch":
        return f"{t(f'lever_{name}', lang)} {t('on' if value else 'off', lang)}"
    return f"{t(f'lever_{name}', lang)} {_fmt(lever, value)}"


def _Help(lever: Lever, lang: str):
    """The block of one lever, with its definition on hover (``help.lever_help``)."""
    return solara.Div(
        classes=["townsim-lever-help", f"lever-{lever.name}-help"], attributes={"title": lever_help(lever.name, lang)}
    )


def LeverControl(lever: Lever, value, scenario_value, lang: str, on_value: Callable, revision: int = 0, on_error=None):
    """One lever: a switch, or a slider with its value (red when changed from the scenario)."""
    if lever.kind == "switch":
        return SwitchLever(lever, value, scenario_value, lang, on_value, on_error)
    return SliderLever(lever, value, scenario_value, lang, on_value, revision, on_error)


@solara.component
def SwitchLever(lever: Lever, value, scenario_value, lang: str, on_value: Callable, on_error=None):
    changed = bool(value) != bool(scenario_value)

    def set_value(data):
        if not isinstance(data, bool):  # a switch offers on and off only
            if on_error is not None:
                on_error(f"{lever.name}: got {str(data)[:40]!r}; allowed: on or off")
            return
        on_value(data)

    with _Help(lever, lang) as main:
        solara.Switch(
            label=t(f"lever_{lever.name}", lang),
            value=bool(value),
            on_value=set_value,
            classes=["townsim-lever", f"lever-{lever.name}"] + (["townsim-lever-changed"] if changed else []),
        )
        if changed:
            solara.Text(
                f"{t('changed_from', lang)}: {t('on' if scenario_value else 'off', lang)}",
                classes=["townsim-note", "townsim-lever-changed"],
            )
    return main


def offered_position(lever: Lever, data) -> float | None:
    """The slider position ``data`` sent by the browser if it is one the slider offers (a finite number in
    the slider's range, on its grid of steps), else None. A bool, text, list or ∞ is never a position."""
    if isinstance(data, bool) or not isinstance(data, (int, float)) or not math.isfinite(data):
        return None
    if not lever.min - lever.step / 1000 <= data <= lever.max + lever.step / 1000:
        return None
    stops = (data - lever.min) / lever.step
    if abs(stops - round(stops)) > 1e-6:
        return None
    return float(min(max(lever.min + round(stops) * lever.step, lever.min), lever.max))


@solara.component
def SliderLever(
    lever: Lever,
    value,
    scenario_value,
    lang: str,
    on_value: Callable,
    revision: int = 0,
    on_error: Callable[[str], None] | None = None,
):
    """Over 60 lines: a Solara component: its hooks and the closures over them stay in one body, in the order Solara
    calls them."""
    changed = lever.position(value) != lever.position(scenario_value)
    shown = f"{t(f'lever_{lever.name}', lang)}  {_fmt(lever, value)}"
    if changed:
        shown += f"  ({t('changed_from', lang)}: {_fmt(lever, scenario_value)})"
    at = lever.position(value)
    # The browser owns the slider's position while a student moves it: the position is not a prop of the
    # element (the renderer would push it back at every reconciliation). The page sets it only when the
    # page itself changed the settings (first render, another scenario, an exercise preset: ``revision``),
    # never from a render whose settings may be older than the browser's last report (a render from the
    # thread that rebuilds the county, while key presses arrive, once pushed an older position back and
    # the next presses counted from it).

    def on_change(widget, event, data):
        position = offered_position(lever, data)
        if position is None:  # not a position this slider offers (sent by developer tools): refused
            if on_error is not None:
                on_error(
                    f"{lever.name}: got {str(data)[:40]!r}; allowed: {_fmt(lever, lever.min)} to "
                    f"{_fmt(lever, lever.max)} in steps of {lever.step:g}"
                )
            return
        on_value(position)  # converted and checked by the page (levers.build_params), never here

    with _Help(lever, lang) as main:
        solara.Div(
            children=[shown],
            classes=["townsim-lever-label", f"lever-{lever.name}-label"]
            + (["townsim-lever-changed"] if changed else []),
        )
        slider = solara.v.Slider(
            min=lever.min,
            max=lever.max,
            step=lever.step,
            hide_details=True,
            thumb_label=True,
            dense=True,
            class_=f"townsim-lever lever-{lever.name}",
        )
        solara.v.use_event(slider, "change", on_change)
        widget = solara.use_ref(None)
        placed = solara.use_ref(-1)  # the latest revision placed: a render with an older one never places

        def grab():  # the slider's widget, found once when mounted (an element of a later render may be stale)
            widget.current = solara.get_widget(slider)

        def place():
            if widget.current is not None and revision > placed.current:
                placed.current = revision
                widget.current.v_model = at

        solara.use_effect(grab, [])
        solara.use_effect(place, [revision])
    return main


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
    on_error: Callable[[str], None] | None = None,
):
    """Scenario selector, the levers of ``LEVERS`` and the seed."""
    with solara.Card(t("levers_card", lang), classes=["townsim-levers"]):
        items = [{"text": scenario_label(n, lang), "value": n} for n in scenario_names]
        solara.v.Select(
            label=t("scenario", lang),
            items=items,
            v_model=settings.scenario,
            on_v_model=lambda name: on_change(Settings(name, (), settings.seed, settings.revision + 1)),
            class_="townsim-scenario",
            hide_details=True,
            dense=True,
        )
        if description:
            solara.Text(description, classes=["townsim-note"])
        by_name = {lv.name: lv for lv in LEVERS}
        for group, names in GROUPS:
            solara.Div(
                children=[t(group, lang)], classes=["townsim-group"], style={"font-weight": "700", "margin-top": "10px"}
            )
            for lever in (by_name[n] for n in names):
                LeverControl(
                    lever,
                    settings.lever(lever.name),
                    scenario_values[lever.name],
                    lang,
                    on_value=lambda v, name=lever.name: on_change(settings.with_lever(name, v)),
                    revision=settings.revision,
                    on_error=on_error,
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


@solara.component
def LanguageToggle(lang: str, on_lang: Callable[[str], None]):
    """中文 / English buttons; the server takes only the two indices it offered (anything else the
    browser sends is refused and the buttons show the language in use again)."""
    index = LANGS.index(lang)
    widget = solara.use_ref(None)

    def choose(data):
        if isinstance(data, int) and not isinstance(data, bool) and 0 <= data < len(LANGS):
            if data != index:
                on_lang(LANGS[data])
        elif widget.current is not None:
            widget.current.v_model = index  # show the language in use again

    toggle = solara.v.BtnToggle(
        v_model=index,
        on_v_model=choose,
        mandatory=True,
        class_="townsim-lang",
        children=[solara.v.Btn(children=[name], text=True) for name in ("中文", "English")],
    )

    def keep_widget():
        widget.current = solara.get_widget(toggle)

    solara.use_effect(keep_widget, [])
    return toggle
