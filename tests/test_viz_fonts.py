"""The shipped CJK font subset: every glyph of every fixed zh label is in it; registered when figures are drawn
(not at import); figures with Chinese labels draw no missing-glyph boxes; one hint line for uncovered user text."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

matplotlib = pytest.importorskip("matplotlib")
from fontTools.ttLib import TTFont  # noqa: E402

from townsim.viz import fonts  # noqa: E402


def test_font_and_its_licence_are_shipped():
    assert fonts.FONT_FILE.is_file() and fonts.FONT_FILE.stat().st_size <= 2_000_000  # 3,900 glyphs: ~1.8 MB
    licence = fonts.LICENCE_FILE.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence.upper()


def test_every_glyph_of_every_zh_label_is_in_the_subset():
    cmap = TTFont(fonts.FONT_FILE).getBestCmap()
    labels = fonts.fixed_labels()
    from townsim.model.metrics import KPIS
    from townsim.viz.i18n import TEXT

    assert all(k.zh in labels for k in KPIS) and all(v["zh"] in labels for v in TEXT.values())
    missing = {ch for text in labels for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert not missing, (
        f"not in {fonts.FONT_FILE.name}: {''.join(sorted(missing))} "
        f"(regenerate with python3 -m townsim.viz.fonts --subset)"
    )


def test_every_label_a_parameter_declares_is_in_the_subset():
    from townsim.model.params import Params, meta

    cmap = TTFont(fonts.FONT_FILE).getBestCmap()
    labels = [meta(n).get(key, "") for n in Params.model_fields for key in ("label", "label_zh")]
    assert sum(1 for text in labels if text) >= 32  # the app's levers, en and zh
    missing = {ch for text in labels for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert not missing, f"not in {fonts.FONT_FILE.name}: {''.join(sorted(missing))} (townsim docs --write --only fonts)"


def test_the_subset_holds_the_common_characters_so_a_new_label_needs_no_new_font():
    """Level 1 of GB 2312 (3,755 common-use characters) is in the subset, whatever the labels say today: a
    new lever's everyday label, in characters no label uses yet, is drawn with no regeneration."""
    cmap = TTFont(fonts.FONT_FILE).getBestCmap()
    assert len(fonts.COMMON_CHARS) == len(set(fonts.COMMON_CHARS)) == 3755
    assert fonts.COMMON_CHARS[:2] == "啊阿" and fonts.COMMON_CHARS[-1] == "座"
    assert all("\u4e00" <= ch <= "\u9fff" for ch in fonts.COMMON_CHARS)
    assert not [ch for ch in fonts.COMMON_CHARS if ord(ch) not in cmap]
    today = set("".join(fonts.fixed_labels()))
    new_label = "会议文件精简比例（县级会议与发文）"  # e.g. a label for meeting_document_cut
    assert set(new_label) - today, "the example must use characters no label uses today"
    assert not fonts.missing_glyphs(new_label) and all(ord(ch) in cmap for ch in new_label)


def test_font_is_registered_when_figures_are_drawn_not_at_import():
    code = (
        "import matplotlib; from matplotlib import font_manager as fm; import townsim.viz.fonts as f; "
        "import townsim.viz.county; "
        "print(any(e.fname == str(f.FONT_FILE) for e in fm.fontManager.ttflist)); "
        "fam = f.use_cjk_font(); "
        "print(any(e.fname == str(f.FONT_FILE) for e in fm.fontManager.ttflist), fam[1] == f.SHIPPED_FAMILY)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "True"]


def test_zh_figure_draws_without_missing_glyphs_using_only_the_shipped_font(monkeypatch):
    """With no system CJK font at all (as on a bare Linux server), the zh labels still have every glyph."""
    from matplotlib.figure import Figure

    monkeypatch.setattr(fonts, "cjk_families", lambda: ())
    fam = fonts.use_cjk_font()
    assert fam[:2] == ["DejaVu Sans", fonts.SHIPPED_FAMILY]
    from townsim.viz.i18n import TEXT

    fig = Figure(figsize=(4, 3))
    for i, v in enumerate(TEXT.values()):
        fig.text(0.01, (i % 40) / 40, v["zh"], family=[fam[0], fam[1]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    glyph = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not glyph, glyph[:3]


def test_uncovered_user_text_gives_one_hint_line(monkeypatch, caplog):
    monkeypatch.setattr(fonts, "cjk_families", lambda: ())
    fonts.use_cjk_font()
    text = "情景 \U0002a6a5\U0002a6a6"  # two rare CJK Extension B characters: not in the subset
    assert fonts.missing_glyphs(text) == {"\U0002a6a5", "\U0002a6a6"}
    with caplog.at_level("WARNING"):
        fonts.hint_missing(text)
        fonts.hint_missing(text)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "\n" not in lines[0] and "font" in lines[0]
