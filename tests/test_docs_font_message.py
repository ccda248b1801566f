"""The font check says what it checks: the subset must hold GB 2312 level 1, the fixed labels and punctuation."""

import pytest

pytest.importorskip("fontTools")

from townsim.experiments import docs  # noqa: E402
from townsim.viz import fonts  # noqa: E402


def test_a_subset_lacking_a_character_names_the_set_it_must_hold(tmp_path, monkeypatch):
    assert docs._fonts_check(tmp_path).state == "current"  # the shipped subset holds the set
    rare = "\U00020000"  # outside GB 2312 and every label: no subset holds it
    monkeypatch.setattr(fonts, "subset_text", lambda: fonts.COMMON_CHARS[:5] + rare)
    result = docs._fonts_check(tmp_path)
    assert result.state == "stale"
    assert "lacks 1 character(s)" in result.note and "GB 2312 level 1" in result.note
