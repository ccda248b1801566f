"""The teaching app: one page on Mesa's ``SolaraViz`` showing a live ``model.TownshipModel``.

Layout: the app bar (title, classroom mode, language); the sidebar with the
page's time controls (``clock``: Reset, ▶, Step = one day, run to day N), the
exercise presets (``classroom``) and the card of scenario, levers (grouped)
and seed; the main area with the KPI strip, the comparison with the previous
run (``compare``), the county view and the charts (``charts``, ``hours``) as
components of Mesa's ``SolaraViz`` page. Mesa's own controls are hidden: its
Step moved Render Interval days and its labels are English only. Every lever,
tile and comparison row shows its definition on hover (``help``: from ``Params``
and the KPI registry); chart tooltips show each series' label and definition.

The model on screen is ``BeforeAfterModel(params, rng=seed)`` — a
``TownshipModel`` whose warm-up days under the pre-reform levers are shown one
by one (``beforeafter``) — built from the scenario file and the levers
(``model_params``), no copy or twin.
It lives in one reactive variable that ``SolaraViz`` steps. Changing the
scenario, a lever or the seed updates the controls at once and, once the
page has been idle for ``IDLE_SECONDS`` (the latest value wins, so fast key
presses on a slider are never lost), puts a new model at day 0 into that
variable (play goes on with the new model); SolaraViz and its controls stay
mounted, so a click on Step right after a lever change cannot reach a stale
button.

The server does not trust the browser: it accepts only the shipped scenarios
and the one given on the command line (``offered``), and every error in a
callback reaches the page as one line (``.townsim-error``) and the terminal
as one ``townsim viz:`` line, never a traceback. Mesa controls the app does
not use (the empty "Model Parameters" card, "Use Threads", the single page
tab) are hidden.
Were Mesa's (hidden) Reset used, it builds ``TownshipModel(**model_params)``
from the parameters its ``ModelCreator`` read when first shown; the page then
swaps in the model of the current settings, so Reset always restarts what is
on screen.

Start it with ``townsim viz`` (``viz.server``); settings come from the
environment (``TOWNSIM_VIZ_SCENARIO``, ``TOWNSIM_VIZ_LANG``, ``TOWNSIM_VIZ_SEED``).
Each browser tab gets its own model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from townsim.model.params import Params

from . import county
from .charts import chart_components
from .classroom import CLASSROOM_CSS, COUNTY_FIGSIZE, presets
from .clock import lock
from .compare import CompareTable, keep
from .controls import LanguageToggle, Settings
from .i18n import DEFAULT_LANG, LANGS, scenario_label, t
from .kpis import CSS, KpiStrip, has_reform
from .levers import lever_values
from .page_model import (
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    NotOffered,
    build,
    initial,
    model_params,
    normalise,
    offered,
    one_line,
    release,
    report,
    scenario,
)
from .sampling import MarkSample
from .sidebar import SIDEBAR_DEPTH, _Levers, _SidebarLevers

if TYPE_CHECKING:
    from .charts import Comparison

__all__ = [
    "DEFAULT_LANG",
    "DEFAULT_SCENARIO",
    "DEFAULT_SEED",
    "HIDE_CSS",
    "IDLE_SECONDS",
    "LANGS",
    "PLAY_INTERVAL_MS",
    "SIDEBAR_DEPTH",
    "CountyView",
    "ModelView",
    "NotOffered",
    "Page",
    "_Levers",
    "_SidebarLevers",
    "build",
    "county_title",
    "initial",
    "model_params",
    "normalise",
    "offered",
    "one_line",
    "release",
    "report",
    "scenario",
]

PLAY_INTERVAL_MS = 150
"""Pause between played steps (Mesa's play interval slider starts here)."""
IDLE_SECONDS = 0.35
"""Quiet time after the last control change before the county is rebuilt with the latest settings."""

HIDE_CSS = """
/* Mesa controls this app does not use */
.v-navigation-drawer .v-input--checkbox { display: none !important; }            /* "Use Threads" */
.v-navigation-drawer .v-card:has(> .v-card__text > .d-flex:only-child:empty),    /* empty "Model Parameters" */
.v-navigation-drawer .v-card:has(> .v-card__text:empty) { display: none !important; }
.v-tabs:not(:has(.v-tab ~ .v-tab)) { display: none !important; }                 /* a single "Page 0" tab */
/* Mesa's Controls (its Step moves Render Interval days, its labels are English) and step counter: the
   page's own time controls (``clock``) replace them */
.v-navigation-drawer .v-card:not(.townsim-time):not(.townsim-levers) { display: none !important; }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }   /* the badge over the legend */
"""


def county_title(model, lang: str, title: str) -> str:
    """The county view's subtitle: the scenario, and whether the reform is on yet (a reform only)."""
    if getattr(model, "warmup_days", 0) and has_reform(model):
        after = getattr(model, "clock_day", model.day) >= model.warmup_days
        title = f"{title} · {t('county_after' if after else 'county_before', lang)}"
    return title


@solara.component
def CountyView(model, lang: str, title: str, classroom: bool = False):
    """The county view of ``model`` (``county.draw_county``), redrawn after every step."""
    update_counter.get()
    sample = solara.use_memo(lambda: MarkSample(model, seed=0), [model])
    layout = solara.use_memo(lambda: county.Layout(model), [model])
    title = county_title(model, lang, title)
    with lock(model):
        fig = county.draw_county(model, sample, lang, title, layout, figsize=COUNTY_FIGSIZE[bool(classroom)])
    png = county.figure_png(fig)
    with solara.Div(classes=["townsim-county"]) as main:
        solara.Image(png, format="png")
    return main


@solara.component
def ModelView(
    model: solara.Reactive,
    params: Params,
    seed: int,
    lang: str,
    title: str,
    compare: solara.Reactive,
    classroom: bool = False,
):
    """KPIs, county view and Mesa's SolaraViz (its page layout and the charts) for the model in ``model``."""
    model_params = {"params": params, "rng": seed}
    components = solara.use_memo(lambda: chart_components(lang, compare), [lang])
    KpiStrip(model.value, lang)
    CompareTable(model.value, compare, lang)
    CountyView(model.value, lang, title, classroom)
    SolaraViz(
        model,
        components=components,
        model_params=model_params,
        name=t("app_title", lang),
        play_interval=PLAY_INTERVAL_MS,
    )


@solara.component
def Page():
    """The whole app (one per browser tab).

    Over 60 lines: on purpose, its callbacks (replace the model, apply settings, rebuild when idle,
    reset, presets) are closures over the page's reactive state, and Solara's hooks must run in the same
    order at every render; the settings → model steps and the sidebar live in ``page_model`` and ``sidebar``.
    """
    start = solara.use_memo(initial, [])
    settings = solara.use_reactive(start[0])
    lang = solara.use_reactive(start[1])
    error = solara.use_reactive(cast("str | None", None))
    target = solara.use_reactive(cast("str | int | None", None))  # what runs: None, "play" or the day to run to
    compare = solara.use_reactive(cast("Comparison | None", None))  # the run compared against, None at first
    classroom = solara.use_reactive(False)
    queued_day = solara.use_ref(None)  # an exercise preset's day: run to it once its county is on screen
    # the model on screen lives only in this reactive variable (and ``ours``): nothing else keeps the
    # first county alive once it is replaced
    model = solara.use_memo(lambda: solara.reactive(build(start[0])[0]), [])
    ours = solara.use_ref(model.value)
    built_for = solara.use_ref(start[0])

    def replace_model(new_model, for_settings: Settings):
        kept = compare.value
        if kept is None or not kept.pinned:  # the county leaving the screen becomes the compared run
            left = keep(ours.current, built_for.current, lever_values(scenario(built_for.current.scenario).params))
            if left is not None:
                compare.set(left)
        for old in (ours.current, model.value):  # leaving the screen: ours, or the one Mesa's Reset built
            if old is not new_model:
                release(old)
        ours.current = new_model
        built_for.current = for_settings
        model.set(new_model)  # re-renders the page (in this thread when called from the rebuild)
        if queued_day.current is not None and for_settings == settings.value:
            day, queued_day.current = queued_day.current, None
            target.set(day)

    def guarded(callback):
        """``callback`` whose errors become one line on the page and in the terminal, never a traceback."""

        def run(*args):
            try:
                callback(*args)
            except Exception as exc:  # anything a browser can send must not reach the page as a traceback
                message = one_line(exc)
                report(f"error: {message}")
                error.set(message)

        return run

    def refuse(message: str):
        """A value the page did not offer: one line on the page and in the terminal; nothing changes."""
        report(f"error: {message}")
        error.set(message)

    @guarded
    def apply(new: Settings):
        new = normalise(new)
        model_params(new)  # validate now; build when idle
        error.set(None)
        settings.set(new)

    def rebuild_when_idle(cancel):
        # Runs in a thread whenever the settings change. A newer change sets ``cancel``: during the idle
        # wait nothing is built, and a model built meanwhile is dropped, so only the latest settings are
        # built, once the page has been idle for IDLE_SECONDS. (Not solara's intrusive cancel: it traces
        # every line of the thread and would make building the county many times slower.)
        wanted = settings.value
        if built_for.current == wanted or cancel.wait(IDLE_SECONDS):
            return
        try:
            new_model = build(wanted)[0]
        except Exception as exc:
            if not cancel.is_set():
                report(f"error: {one_line(exc)}")
                error.set(one_line(exc))
            return
        if cancel.is_set():  # newer settings came in while building: this county is never shown
            release(new_model)
        else:
            replace_model(new_model, wanted)

    @guarded
    def after_mesa_reset():
        # Mesa's Reset builds TownshipModel(**model_params) from the model_params its ModelCreator
        # read when it was first shown. Replace that model by the one of the current settings, so
        # Reset always means "day 0 with the scenario, levers and seed on screen".
        if model.value is not ours.current:
            replace_model(build(settings.value)[0], settings.value)

    solara.use_effect(after_mesa_reset, [model.value])

    @guarded
    def reset():
        replace_model(build(settings.value)[0], settings.value)

    @guarded
    def preset(key: str):
        _, name, levers, day = presets()[key]
        new = normalise(Settings(name, (), settings.value.seed, settings.value.revision + 1))
        for lever, value in levers.items():
            new = new.with_lever(lever, value)
        target.set(None)
        queued_day.current = day
        apply(new)

    solara.Style(CSS + HIDE_CSS + (CLASSROOM_CSS if classroom.value else ""))
    with solara.AppBar():
        solara.Switch(
            label=t("classroom", lang.value),
            value=classroom.value,
            on_value=lambda v: classroom.set(bool(v)) if isinstance(v, bool) else None,
            classes=["townsim-classroom"],
            style={"margin-right": "16px"},
        )
        LanguageToggle(lang.value, guarded(lang.set))
    with solara.Column(style={"padding": "0 8px"}):
        # which settings the county on screen was built from (for tests and screen readers; not shown)
        solara.Div(children=[f"{built_for.current.scenario}"], classes=["townsim-built"], style={"display": "none"})
        ModelView(
            model,
            ours.current.params,
            built_for.current.seed,
            lang.value,
            scenario_label(built_for.current.scenario, lang.value),
            compare,
            classroom.value,
        )
    # The page never reads ``settings.value`` while drawing: a lever change re-renders the sidebar's card
    # only (a whole page took 0.3 s of the server's time per key press, and a loaded server lagged behind
    # a student's presses); the page re-renders when the county on screen is replaced.
    levers = dict(
        settings=settings,
        built=built_for.current,
        lang=lang.value,
        on_change=apply,
        error=error.value,
        on_error=refuse,
        rebuild=rebuild_when_idle,
    )
    time_panel = dict(model=model, lang=lang.value, on_reset=reset, target=target)
    _SidebarLevers(levers, time_panel, dict(lang=lang.value, on_preset=preset, on_error=refuse), SIDEBAR_DEPTH)
