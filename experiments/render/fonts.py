"""Fonts of the figures: Chinese text needs a CJK font, chosen when a figure is drawn (never at import).

``figure(lang)`` is a context for drawing one figure: Latin text keeps matplotlib's default font;
Chinese text falls back glyph by glyph to the first CJK font the teaching app's font finder knows
(:func:`townsim.viz.fonts.family`). Without any CJK font, Chinese glyphs show as boxes and
matplotlib warns once per glyph; ``townsim`` prints one line of hint instead (see ``hint``).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import matplotlib


@functools.lru_cache(maxsize=1)
def families() -> tuple[str, ...]:
    """Font families for figure text, Latin first, then the installed CJK fall-backs."""
    try:
        from townsim.viz.fonts import family  # deferred: guarded, figures fall back to DejaVu Sans
    except ImportError:  # pragma: no cover - viz is part of the package
        return ("DejaVu Sans",)
    return tuple(family())


@functools.lru_cache(maxsize=1)
def hint() -> None:
    """Say once, on stderr, that Chinese figure text needs a CJK font."""
    print(
        "townsim: note: no CJK font found: Chinese text in figures shows as boxes "
        "(install one, e.g. apt-get install fonts-noto-cjk)",
        file=sys.stderr,
    )


@contextlib.contextmanager
def figure(lang: str = "en") -> Iterator[None]:
    """Draw a figure of language ``lang`` inside this context (fonts set for it, restored after)."""
    rc: Any = {"font.family": list(families())}  # a list of names: matplotlib falls back glyph by glyph
    if lang == "zh" and len(families()) < 2:
        hint()
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        yield
