"""``townsim compare --posterior PATH``: a comparison over a calibration's posterior.

Replication ``k`` of every scenario runs at draw ``k`` of the posterior
(:func:`townsim.experiments.core.posterior.posterior_draws` under the comparison's seed) and with that
replication's seed: the comparison stays paired across scenarios (every scenario of replication ``k``
shares draw ``k``'s world), and its intervals include parameter uncertainty as well as seed noise. For a
posterior calibrated with ``other_assumptions = "drawn"`` a draw also sets every assumption the
calibration did not fit, drawn from its range as in the calibration; for ``"defaults"`` they keep the
scenario's values. A key that a scenario sets itself (its value differs from the calibrated scenario's,
a scenario file outside the calibrated chain sets it, or ``--set`` gives it) keeps the scenario's value;
such keys are reported. A posterior made for another county is refused unless forced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from townsim.experiments.core.posterior import Posterior, how_drawn, posterior_draws
from townsim.experiments.render import templates
from townsim.scenarios import apply_overrides, load_scenario


def set_keys(overrides: Sequence[str]) -> set[str]:
    """Keys given with ``--set`` (they hold in every draw)."""
    return {o.partition("=")[0].strip() for o in overrides}


def own_values(post: Posterior, scenarios: Sequence[Any], calibrated: Any, overrides: Sequence[str]) -> dict:
    """Scenario name → keys of a draw it sets itself, which keep the scenario's value: keys given with
    ``--set``, and keys that a scenario file outside the calibrated scenario's ``extends`` chain sets
    (a reform lever), or whose value differs from the calibrated scenario's."""
    given = set_keys(overrides)
    names = post.names + [a.name for a in post.others(given)]
    chain = {str(p) for p in calibrated.chain} if calibrated is not None else set()
    out = {}
    for s in scenarios:
        sources = load_scenario(s.path).sources
        keys = [
            k
            for k in names
            if k in given
            or (
                calibrated is not None
                and (
                    getattr(s.params, k) != getattr(calibrated.params, k)
                    or (sources.get(k) not in chain and sources.get(k) != "default")
                )
            )
        ]
        if keys:
            out[s.name] = keys
    return out


def apply(post: Posterior, specs: Sequence[Any], reps: int, seed: int, own: dict, overrides: Sequence[str] = ()):
    """The run specs with replication ``k`` of every scenario at posterior draw ``k`` (same draw, same seed)."""
    draws = posterior_draws(post, reps, seed, keep=set_keys(overrides))
    return [replace(s, params=draws[s.replication].apply(s.params, own.get(s.scenario, ()))) for s in specs]


def calibrated_scenario(post: Posterior, overrides: Sequence[str]):
    """The calibrated scenario (its Params with ``--set``), the reference for "sets it itself"."""
    if not post.scenario:
        return None

    sc = load_scenario(post.scenario)
    return replace(sc, params=apply_overrides(sc.params, list(overrides)))


def note(post: Posterior, reps: int, own: dict[str, list[str]], county_diff: list[str], overrides=(), lang="en") -> str:
    """The report's paragraph on parameter uncertainty (``lang``: ``en`` or ``zh``; text in the
    ``compare_posterior`` templates)."""
    return templates.render(
        f"compare_posterior.{lang}.md.j2",
        path=post.path,
        reps=reps,
        names=post.names,
        how=how_drawn(post, set_keys(overrides), lang),
        own=own,
        county_diff=county_diff,
    )
