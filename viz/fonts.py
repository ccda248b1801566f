"""Chinese-capable fonts for the app's matplotlib figures.

Matplotlib draws text with one font family list and falls back along the list
glyph by glyph (matplotlib ≥ 3.6). ``family()`` returns ``["DejaVu Sans",
<CJK fonts found>]`` so Latin text keeps matplotlib's default look and Chinese
labels come from the first installed CJK font (Noto Sans CJK, WenQuanYi,
Microsoft YaHei, SimHei, PingFang …). Matplotlib's font cache may predate a
font installed later, so system font files with known CJK names are added
once. Without any CJK font the Chinese labels show as boxes; the page's HTML
text (controls, KPIs) is drawn by the browser and is unaffected.
"""

from __future__ import annotations

import functools
import os
import warnings

CANDIDATES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB", "Arial Unicode MS",
)
_FILE_HINTS = ("notosanscjk", "sourcehansans", "wqy", "msyh", "simhei", "pingfang", "stheiti", "hiragino")


@functools.lru_cache(maxsize=1)
def cjk_families() -> tuple[str, ...]:
    """Installed CJK-capable font family names, best first (empty if none)."""
    from matplotlib import font_manager as fm

    def present() -> tuple[str, ...]:
        names = {f.name for f in fm.fontManager.ttflist}
        return tuple(n for n in CANDIDATES if n in names)

    found = present()
    if found:
        return found
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in fm.findSystemFonts():
            if any(h in os.path.basename(path).lower() for h in _FILE_HINTS):
                try:
                    fm.fontManager.addfont(path)
                except Exception:  # an unreadable font file is skipped, never fatal
                    continue
    return present()


def family() -> list[str]:
    """Font family list for matplotlib text: DejaVu Sans first, then the CJK fallbacks."""
    return ["DejaVu Sans", *cjk_families()]
