"""The page's own time controls: Reset, ▶/❚❚, Step (always one working day) and "run to day N".

Mesa's controller steps ``render_interval`` days per Step and per tick of play, so a raised Render
Interval made Step move 19 days and made a pause land tens of days late. Here one step is one day,
always: Step advances the county by one working day; ▶ plays day by day (the page is drawn after each
day) until paused, and a pause takes effect at the end of the day being computed; "run to day N"
computes the days up to N, drawing the page about once a second (``DRAW_EVERY_S``) and at day N,
where it stops exactly. The labels follow the page's language.

The days run in a thread of the page (``solara.use_thread``): a new county (a lever changed, Reset)
cancels it, and playing or running on goes on with the new county.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Callable
from typing import cast

import solara
from mesa.visualization.utils import force_update, update_counter

from .i18n import t

DRAW_WAIT_S = 10.0
"""Longest wait for the page to draw a day before the next day is computed anyway."""
DRAW_EVERY_S = 1.0
"""While running to a day: seconds of computing between two drawings of the page."""
MAX_DAY = 2000
"""Largest day "run to day N" accepts (eight years of working days)."""
PLAY_PAUSE_S = 0.15
"""Pause between played days (seconds), so a class can follow the charts."""


_LOCKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def lock(model) -> threading.RLock:
    """The lock of ``model``'s state: held while a day is computed and while a panel reads the model, so
    a panel drawn from another thread (a click while playing) never reads a day half done."""
    with _LOCKS_GUARD:
        found = _LOCKS.get(model)
        if found is None:
            found = _LOCKS[model] = threading.RLock()
        return found


def step_day(model) -> None:
    """Compute one working day of ``model`` (under its lock)."""
    with lock(model):
        model.step()


def shown_day(model) -> int:
    """The working day on screen (every day shown, the days before the reform too)."""
    return int(getattr(model, "clock_day", model.day))


def parse_day(value, now: int) -> int:
    """The target day typed by a teacher: a whole number in [now + 1, MAX_DAY] (ValueError otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"run to day: got {str(value)[:40]!r}; allowed: a whole number of days up to {MAX_DAY}")
    try:
        x = float(str(value).strip())
    except ValueError:
        raise ValueError(
            f"run to day: got {str(value)[:40]!r}; allowed: a whole number of days up to {MAX_DAY}"
        ) from None
    if not math.isfinite(x) or x != int(x) or not 0 <= x <= MAX_DAY:
        raise ValueError(f"run to day: got {str(value)[:40]!r}; allowed: a whole number of days up to {MAX_DAY}")
    day = int(x)
    if day <= now:
        raise ValueError(f"run to day: the county is already at day {now}; choose a later day (up to {MAX_DAY})")
    return day


def _draw(drawn) -> None:
    """Draw the page and wait until it is drawn (a pending drawing by another thread included), so the
    next day is not computed while the page still draws the last one."""
    if drawn is not None:
        drawn.clear()
    force_update()
    if drawn is not None:
        drawn.wait(DRAW_WAIT_S)


def run_days(model, cancel, until: int | None, drawn: threading.Event | None = None) -> None:
    """Step ``model`` one day at a time until day ``until`` (None: until ``cancel`` is set).

    Played (``until`` None): drawn after every day. Run to a day: drawn about every ``DRAW_EVERY_S``
    seconds and at the last day. ``cancel`` is checked before every day, so a pause lands at most at the
    end of the day being computed.
    """
    last_draw = time.monotonic()
    drawn_day = shown_day(model)
    while not cancel.is_set():
        if until is not None and shown_day(model) >= until:
            break
        step_day(model)
        now = time.monotonic()
        if until is None or shown_day(model) >= until or now - last_draw >= DRAW_EVERY_S:
            _draw(drawn)
            drawn_day, last_draw = shown_day(model), time.monotonic()
        if until is None and cancel.wait(PLAY_PAUSE_S):
            break
    if shown_day(model) != drawn_day:
        _draw(drawn)  # stopped between two drawings: draw the day reached


@solara.component
def TimeControls(model: solara.Reactive, lang: str, on_reset: Callable[[], None], target: solara.Reactive):
    """Reset, ▶/❚❚, Step and "run to day N" for the county in ``model``.

    ``target`` holds what runs: None (stopped), ``"play"``, or the day to run to (an int).

    Over 60 lines: a Solara component: its hooks must run in the same order at every render, and its callbacks are
    closures over them, so its body stays one piece.
    """
    counter = update_counter.get()
    drawn = solara.use_memo(threading.Event, [])
    solara.use_effect(drawn.set, [counter])  # runs once the page is drawn for this counter
    typed = solara.use_reactive("")
    problem = solara.use_reactive(cast("str | None", None))
    m = model.value
    running = target.value is not None

    def work(cancel):
        goal = target.value
        if goal is None:
            return
        try:
            run_days(model.value, cancel, None if goal == "play" else int(goal), drawn)
        finally:
            if not cancel.is_set() and target.value == goal:
                target.set(None)  # reached the day (a pause or a new county sets ``cancel`` instead)

    # a thread only while something runs: a new county while stopped starts none
    running_model = model.value if running else None
    solara.use_thread(work, dependencies=[target.value, running_model], intrusive_cancel=False)

    def step():
        if target.value is None:
            step_day(model.value)
            force_update()

    def play_pause():
        target.set(None if running else "play")

    def run_to():
        try:
            day = parse_day(typed.value, shown_day(model.value))
        except ValueError as exc:
            problem.set(str(exc))
            return
        problem.set(None)
        target.set(day)

    def reset():
        target.set(None)
        on_reset()

    with solara.Card(t("time_card", lang), classes=["townsim-time"]) as main:
        with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}):
            solara.Button(t("reset", lang), color="primary", on_click=reset, classes=["townsim-reset"])
            solara.Button(
                "❚❚ " + t("pause", lang) if running else "▶ " + t("play", lang),
                color="primary",
                on_click=play_pause,
                classes=["townsim-play"],
            )
            solara.Button(t("step", lang), color="primary", on_click=step, disabled=running, classes=["townsim-step"])
        with solara.Row(style={"align-items": "center", "gap": "6px"}):
            solara.InputText(
                t("run_to", lang),
                value=typed,
                continuous_update=True,
                disabled=running,
                classes=["townsim-run-to"],
            )
            solara.Button(t("run_go", lang), on_click=run_to, disabled=running, classes=["townsim-run"])
        if isinstance(target.value, int):
            solara.Text(
                t("running_to", lang, day=target.value, now=shown_day(m)), classes=["townsim-note", "townsim-running"]
            )
        if problem.value:
            solara.Error(problem.value, classes=["townsim-run-error"])
        solara.Text(t("step_note", lang), classes=["townsim-note"])
    return main
