"""The model on screen: the page's settings (from the environment, checked: ``offered``, ``normalise``) →
``Params`` (``model_params``: levers, equal staff, pre-reform values) → the model (``build``); errors as one line."""

from __future__ import annotations

import functools
import os
import sys

import mesa

from townsim.model import TownshipModel
from townsim.model.params import Params, ParamsError
from townsim.model.staffing import StaffingError, equalise_staff
from townsim.scenarios import ScenarioError, lever_fields, load_scenario, scenario_names

from .beforeafter import BeforeAfterModel
from .controls import Settings
from .i18n import DEFAULT_LANG, LANGS
from .levers import LEVERS, SEED_MAX, build_params, lever_values
from .server import ENV_LANG, ENV_SCENARIO, ENV_SEED

DEFAULT_SCENARIO = "baseline"
DEFAULT_SEED = 1


class NotOffered(ValueError):
    """A scenario the page asked for is neither shipped nor the one given on the command line."""


def offered() -> list[str]:
    """Scenarios the page may choose: the shipped ones, and the one given on the command line."""
    names = scenario_names()
    given = os.environ.get(ENV_SCENARIO)
    if given and given not in names:
        names.append(given)
    return names


def one_line(exc: BaseException) -> str:
    """A readable one-line message for ``exc`` (its first line; the type for an unexpected error)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (ScenarioError, ParamsError, NotOffered)):
        return text
    return f"{type(exc).__name__}: {text}"[:300]


def release(old_model) -> None:
    """Drop Mesa's own reference to a model the page no longer shows, so it can be freed.

    Mesa 3.3 numbers agents per model in the class-level dict ``mesa.Agent._ids``, keyed by the model:
    every county the page ever built (one per lever change, reset or scenario) stayed alive there,
    ~12 MB each over a class session. Newer Mesa without that dict: nothing to do.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(old_model, None)


def report(message: str) -> None:
    """One line on the teacher's terminal."""
    print(f"townsim viz: {message}", file=sys.stderr, flush=True)


@functools.lru_cache(maxsize=64)
def scenario(name_or_path: str):
    """The resolved scenario (cached per process; scenario files are data and do not change while teaching)."""
    return load_scenario(name_or_path)


def initial() -> tuple[Settings, str]:
    """Settings and language from the environment (set by ``townsim viz``)."""
    name = os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO
    lang = os.environ.get(ENV_LANG) or DEFAULT_LANG
    lang = lang if lang in LANGS else DEFAULT_LANG
    try:
        seed = int(os.environ.get(ENV_SEED) or DEFAULT_SEED)
    except ValueError:
        seed = DEFAULT_SEED
    return normalise(Settings(name, (), seed)), lang


def normalise(settings: Settings) -> Settings:
    """Fill lever values missing from ``settings`` with the scenario's own values (NotOffered if the
    scenario is not one this app offers)."""
    if not isinstance(settings.scenario, str) or settings.scenario not in offered():
        raise NotOffered(
            f"scenario {str(settings.scenario)[:80]!r} is not offered by this app; choose one from the list"
        )
    seed = settings.seed
    if isinstance(seed, bool) or not isinstance(seed, (int, float, str)):
        raise ValueError(f"seed {str(seed)[:40]!r}: allowed: an integer in [0, {SEED_MAX}]")
    seed = min(max(int(seed), 0), SEED_MAX)
    base = lever_values(scenario(settings.scenario).params)
    given = dict(settings.levers)
    levers = tuple((lv.name, given.get(lv.name, base[lv.name])) for lv in LEVERS)
    revision = settings.revision if isinstance(settings.revision, int) else 0
    return Settings(settings.scenario, levers, seed, revision)


def model_params(settings: Settings) -> Params:
    """The Params of ``settings``: the scenario with the levers applied (validated), equal staff if asked,
    and the pre-reform values (``Params.pre_reform``) for the days before the reform switches on: the
    values of the scenario's root (the status quo) for every reform lever that differs from it.

    A control that sets an assumption about the county (``kind="assumption"``: travel hours, the
    county's scoring weights, the reform's half-life) describes the world the run lives in, so it holds
    from day 0, as in a run of the model with that value; only what the scenario file itself switches at
    the reform (its own ``pre_reform``) starts from the root's value."""
    sc = scenario(settings.scenario)
    levers = dict(settings.levers)
    params = build_params(sc.params, levers)
    root = scenario(str(sc.chain[-1])).params if len(sc.chain) > 1 else sc.params
    pre = {
        f: getattr(root, f)
        for f in lever_fields()
        if getattr(root, f) != getattr(params, f) and (_switched_at_reform(f) or f in sc.params.pre_reform)
    }
    if levers.get("equal_staff"):
        try:
            equal = equalise_staff(params, root)
        except StaffingError as exc:
            raise ParamsError("equal_staff", str(exc)) from None
        if equal.department_staff != params.department_staff:
            pre["department_staff"] = params.department_staff
        params = equal
    return params.replace(pre_reform=pre) if pre != params.pre_reform else params


def _switched_at_reform(name: str) -> bool:
    """True for a reform lever (``kind="lever"``): the status quo's value before the reform, the chosen one
    after; an assumption, fact or setting is the county's world and holds all run."""
    return (Params.model_fields[name].json_schema_extra or {}).get("kind") == "lever"


def build(settings: Settings) -> tuple[TownshipModel, Params]:
    """The model for ``settings``: ``BeforeAfterModel(model_params(settings), rng=seed)`` — a
    ``TownshipModel`` whose days before the reform are shown one by one."""
    params = model_params(settings)
    return BeforeAfterModel(params, rng=settings.seed), params
