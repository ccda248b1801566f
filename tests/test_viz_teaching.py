"""docs/teaching.md: every number in it is generated from the app's own read-out (seed 1, as the app
starts) by ``python3 -m townsim.viz.teaching --write``, the exercises only ask students to read tiles the app
shows, and the claims the text makes about the numbers hold."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("solara")

from townsim.viz import teaching  # noqa: E402
from townsim.viz.i18n import TEXT  # noqa: E402

DOC = teaching.DOC
# the two tests that read every exercise step share one in-process cache of the read-outs (one worker)
SHARED = pytest.mark.xdist_group("teaching_readouts")


@SHARED
def test_teaching_numbers_are_generated_and_current():
    text = DOC.read_text(encoding="utf-8")
    fresh = teaching.render(text)
    assert fresh == text, "docs/teaching.md is out of date: run python3 -m townsim.viz.teaching --write"


def test_no_hand_typed_numbers_outside_the_generated_tables():
    """Outside the generated blocks, digits appear only in lever settings, days, seeds, fact codes and commands."""
    text = teaching.strip_generated(DOC.read_text(encoding="utf-8"))
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # commands
    prose_numbers = re.findall(r"(?<![\w.#-])(?:0\.\d+|\d+\s?%)", text)
    allowed = {
        f"{v:.2f}" for ex in teaching.EXERCISES for st in ex.steps for v in st.levers.values() if isinstance(v, float)
    }
    assert set(prose_numbers) <= allowed, sorted(set(prose_numbers) - allowed)


def test_exercises_read_only_tiles_the_app_shows():
    from townsim.model import Params, TownshipModel
    from townsim.viz.kpis import kpi_values

    shown = {key for key, _, _ in kpi_values(TownshipModel(Params(), rng=1).run(1))}
    for ex in teaching.EXERCISES:
        assert set(ex.tiles) <= shown, (ex.key, set(ex.tiles) - shown)
        for chart in ex.charts:
            assert f"chart_{chart.split(':')[0]}" in TEXT
    assert any("town_util" in ex.tiles for ex in teaching.EXERCISES)  # exercise 1 reads township utilisation


@SHARED
def test_claims_in_the_text_hold_for_the_generated_numbers():
    failures = teaching.check_claims(teaching.readouts())
    assert not failures, failures


def test_one_exercise_per_new_mechanism():
    """Distance, equal staff, the townships' day split, call-backs and the reform's half-life each have an
    exercise whose steps move that lever."""
    mechanisms = {
        "distance": {"county_area_km2", "travel_hours"},
        "equal staff": {"equal_staff"},
        "day split": {"township_service_weight"},
        "call-backs": {"callback_share", "callback_penalty"},
        "half-life": {"reform_half_life_days"},
    }
    for name, levers in mechanisms.items():
        hits = [ex.key for ex in teaching.EXERCISES if any(levers & set(st.levers) for st in ex.steps)]
        assert len(hits) == 1, (name, hits)
