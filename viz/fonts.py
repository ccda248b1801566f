"""Chinese-capable fonts for every matplotlib figure townsim draws (the app's county view and the commands' plots).

townsim ships a subset of Noto Sans CJK SC (SIL Open Font License 1.1, licence text beside it in ``font/``)
holding a fixed character set, ``COMMON_CHARS`` — the 3,755 characters of level 1 of GB 2312 (the
common-use characters, rows 16–55; read from Python's own ``gb2312`` codec, so the list needs no download)
— plus every character of every fixed label: the app's ``i18n`` table (the levers' labels from their
``Params`` metadata included) and the KPI registry in both languages. A new label in everyday Chinese is
therefore drawn without regenerating the subset; only a rare character outside level 1 needs it.

``use_cjk_font()`` registers it with matplotlib the first time a figure is drawn (never at
import) and puts ``["DejaVu Sans", SHIPPED_FAMILY, <system CJK fonts>]`` first in matplotlib's sans-serif
list. Matplotlib (≥ 3.6) falls back along that list glyph by glyph: Latin text keeps matplotlib's look,
fixed Chinese labels come from the subset even on a server without any CJK font, and user text (scenario
names and descriptions) falls back to an installed CJK font. When no font covers a character,
``hint_missing`` logs one line (once per character set) instead of matplotlib's warning per glyph.

Experiments' figures call the same function::

    from townsim.viz.fonts import use_cjk_font
    use_cjk_font()          # before drawing; returns the family list

Regenerate the subset after adding a label with a character outside that set (the test names the missing
characters)::

    townsim docs --write --only fonts          # needs the Noto Sans CJK font (Debian: fonts-noto-cjk)
"""

from __future__ import annotations

import functools
import logging
import os
import string
import warnings
from pathlib import Path

from townsim.model.metrics import KPIS, SHORT

from .i18n import TEXT

FONT_DIR = Path(__file__).resolve().parent / "font"
FONT_FILE = FONT_DIR / "NotoSansSC-townsim-subset.otf"
LICENCE_FILE = FONT_DIR / "OFL.txt"
SHIPPED_FAMILY = "Noto Sans SC townsim subset"
"""Family name of the shipped subset (renamed so it never shadows a full system Noto font)."""

CANDIDATES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "Arial Unicode MS",
)
_FILE_HINTS = ("notosanscjk", "sourcehansans", "wqy", "msyh", "simhei", "pingfang", "stheiti", "hiragino")
SOURCE_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)
"""Where ``--subset`` looks for the full font (index of the SC face found by its family name)."""

log = logging.getLogger("townsim.fonts")


def fixed_labels() -> list[str]:
    """Every fixed text the app and the figures draw: the i18n table and the KPI registry, both languages."""
    labels = [text for entry in TEXT.values() for text in entry.values()]
    labels += [label for k in KPIS for label in (k.zh, k.en)]
    labels += [label for pair in SHORT.values() for label in pair]
    return labels


def gb2312_level1() -> str:
    """The 3,755 characters of level 1 of GB 2312 (rows 16–55, 0xB0A1–0xD7F9; row 55 ends at column 89), the
    common-use characters, in the standard's order (by pinyin)."""
    cells = (bytes((row, col)) for row in range(0xB0, 0xD8) for col in range(0xA1, 0xFF))
    return "".join(c.decode("gb2312") for c in cells if c <= b"\xd7\xf9")


COMMON_CHARS = gb2312_level1()
"""The fixed character set the shipped subset holds beyond the labels' own characters."""


def subset_text() -> str:
    """The characters the shipped subset must hold: ``COMMON_CHARS``, the fixed labels, printable ASCII and CJK
    punctuation."""
    chars = set(COMMON_CHARS) | set("".join(fixed_labels())) | set(string.printable.strip())
    chars |= set("，。、；：？！（）《》“”‘’—…·　")
    return "".join(sorted(c for c in chars if not c.isspace()))


@functools.lru_cache(maxsize=1)
def cjk_families() -> tuple[str, ...]:
    """Installed (system) CJK-capable font family names, best first (empty if none)."""
    from matplotlib import font_manager as fm  # deferred: matplotlib is heavy, loaded only when a figure is drawn

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


def _no_bold_notice(record: logging.LogRecord) -> bool:
    """Drop matplotlib's notice that the subset has no bold face (it then draws the regular one)."""
    return not (SHIPPED_FAMILY in str(record.args) or SHIPPED_FAMILY in record.getMessage())


@functools.lru_cache(maxsize=1)
def _register_shipped() -> bool:
    """Add the shipped subset to matplotlib's font list once; False if the file is missing or unreadable."""
    from matplotlib import font_manager as fm  # deferred: matplotlib is heavy, loaded only when a figure is drawn

    if not FONT_FILE.is_file():
        log.warning("townsim: the shipped CJK font %s is missing; Chinese labels need a system CJK font", FONT_FILE)
        return False
    logging.getLogger("matplotlib.font_manager").addFilter(_no_bold_notice)
    try:
        fm.fontManager.addfont(str(FONT_FILE))
    except Exception as exc:  # pragma: no cover - a damaged install
        log.warning("townsim: cannot load the shipped CJK font %s (%s)", FONT_FILE, exc)
        return False
    return True


def use_cjk_font() -> list[str]:
    """Register the shipped subset (once) and put the CJK-capable family list first in matplotlib's
    sans-serif fonts; returns ``["DejaVu Sans", SHIPPED_FAMILY, <system CJK families>]``."""
    import matplotlib  # deferred: matplotlib is heavy, loaded only when a figure is drawn

    fam = family()
    current = [f for f in matplotlib.rcParams["font.sans-serif"] if f not in fam]
    matplotlib.rcParams["font.sans-serif"] = [*fam, *current]
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    return fam


def family() -> list[str]:
    """Font family list for matplotlib text: DejaVu Sans, the shipped subset, then system CJK fonts."""
    shipped = [SHIPPED_FAMILY] if _register_shipped() else []
    return ["DejaVu Sans", *shipped, *(f for f in cjk_families() if f != SHIPPED_FAMILY)]


@functools.lru_cache(maxsize=16)
def _cmap_of(name: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # deferred: fontTools is loaded only when fonts are subset
    from matplotlib import font_manager as fm  # deferred: matplotlib is heavy, loaded only when a figure is drawn

    try:
        path = fm.findfont(fm.FontProperties(family=name), fallback_to_default=False)
        return frozenset(TTFont(path, fontNumber=0, lazy=True).getBestCmap())
    except Exception:
        return frozenset()


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` that none of ``family()``'s fonts can draw."""
    covered = [_cmap_of(name) for name in family()]
    return {ch for ch in text if not ch.isspace() and not any(ord(ch) in c for c in covered)}


_hinted: set[frozenset[str]] = set()


def hint_missing(text: str) -> None:
    """Log one line if some characters of ``text`` have no glyph in any font (once per character set)."""
    missing = frozenset(missing_glyphs(text))
    if missing and missing not in _hinted:
        _hinted.add(missing)
        log.warning(
            "townsim: no installed font can draw %s (shown as boxes); install a CJK font such as "
            "Noto Sans CJK (Debian: apt-get install fonts-noto-cjk)",
            "".join(sorted(missing)),
        )


def build_subset(source: str | None = None, out: Path = FONT_FILE) -> Path:
    """Write the subset of the Noto Sans CJK SC face holding ``subset_text()`` (fontTools' subsetter)."""
    from fontTools import subset  # deferred: fontTools is loaded only when fonts are subset
    from fontTools.ttLib import TTCollection, TTFont  # deferred: fontTools is loaded only when fonts are subset

    src = source or next((p for p in SOURCE_FONTS if Path(p).is_file()), None)
    if src is None:
        raise SystemExit("townsim.viz.fonts: Noto Sans CJK not found (Debian: apt-get install fonts-noto-cjk)")
    if src.endswith(".ttc"):
        faces = TTCollection(src).fonts
        index = next(i for i, f in enumerate(faces) if f["name"].getDebugName(1) == "Noto Sans CJK SC")
        font = TTFont(src, fontNumber=index)
    else:
        font = TTFont(src)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(text=subset_text())
    sub.subset(font)
    names = font["name"]
    for rec in list(names.names):
        if rec.nameID in (1, 4, 16):
            names.setName(SHIPPED_FAMILY, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 6:
            names.setName(
                SHIPPED_FAMILY.replace(" ", "") + "-Regular", rec.nameID, rec.platformID, rec.platEncID, rec.langID
            )
    if "CFF " in font:
        font["CFF "].cff.fontNames = [SHIPPED_FAMILY.replace(" ", "") + "-Regular"]
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out


if __name__ == "__main__":  # python3 -m townsim.viz.fonts --subset [SOURCE]
    import sys

    if "--subset" in sys.argv:
        rest = [a for a in sys.argv[1:] if a != "--subset"]
        path = build_subset(rest[0] if rest else None)
        print(f"{path}: {path.stat().st_size:,} bytes, {len(subset_text())} characters")
    else:
        print(__doc__)
