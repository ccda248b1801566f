"""Small helpers shared by the app's charts (``charts``, ``hours``): the compared run's grey, the
reform-start day and the wrapped one-line definitions under a chart's title."""

from __future__ import annotations

import textwrap

GREY = "#9a9a9a"
"""The colour of the run compared against, on every chart."""


def reform_start(model) -> int:
    """Day after which the reform's levers apply (0: none, or from the first day)."""
    from .kpis import has_reform  # deferred: it pulls in solara (an optional extra [viz])

    start = int(getattr(model, "warmup_days", 0) or 0)
    return start if start and has_reform(model) else 0


def wrap(text: str, lang: str) -> list[str]:
    """A chart's one-line definition broken into lines that fit the chart's width."""
    if lang == "zh":
        return [text[i : i + 34] for i in range(0, len(text), 34)]
    return textwrap.wrap(text, 66)
