"""The field helper :func:`P` and the kinds of a parameter (DESIGN §8), the groups and the day's hours."""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import Field

HOURS_PER_DAY = 8.0
"""Working hours in one step (one working day)."""

# Groups, in the order of DESIGN §4; used for the generated table and the app.
GROUPS: dict[str, str] = {
    "county": "County size and staffing",
    "demand": "Demand and work",
    "delegation": "Delegation 强镇扩权 (G3)",
    "centre": "One-stop centre and online channel (F2, F4, F6, F12)",
    "rule135": "135 rule and tiered coordination (F7–F11)",
    "assessment": "Assessment 双向互评 (G2, G5)",
    "dumping": "Dumping 属地管理 and responsibility lists (G4)",
    "grid": "Grid and co-governance (G7–G9)",
    "feedback": "Satisfaction and enterprise life cycle",
    "incentives": "Incentives and outcomes: learning, relapse, resolution, gaming, channels (G5, G9, P2)",
}


SATISFACTION_BASIS = (
    "ordinal only: a real failure weighs more than waiting, waiting more than a trip (F6); "
    "no survey of these weights (expert judgement)"
)
"""The basis of the satisfaction weights (``satisfaction``)."""

KINDS = ("lever", "fact", "assumption", "setting")
"""What a parameter is (DESIGN §8): a reform choice, a size or figure cited F#/G#/P#, a number with
no published figure (then with a plausible range, a distribution and a basis), or how the run is made."""


def P(
    default: Any,
    *,
    unit: str,
    group: str,
    desc: str,
    kind: str,
    ge=None,
    le=None,
    gt=None,
    lt=None,
    cite: str | None = None,
    plausible: tuple[float, float] | None = None,
    dist: str = "uniform",
    basis: str | None = None,
    same_results: bool = False,
    off_by_default: bool = False,
    switched_by: str | None = None,
    label: str | None = None,
    label_zh: str | None = None,
    desc_zh: str | None = None,
    app: str | None = None,
    step: float | None = None,
    slider: tuple[float, float] | None = None,
    inf_at_max: bool = False,
    screen: tuple[float, float] | None = None,
):
    """A documented field: default, unit, group, one-line description, bounds, and its kind
    (``KINDS``, required): a ``fact`` cites its F#/G#/P# code (``cite``); an ``assumption`` carries
    its ``plausible`` (low, high) range, ``dist`` (``uniform`` or ``loguniform``) and ``basis`` (one
    line: why that range — a physical bound, a survey, expert judgement). A switch or a choice among
    named options gives no ``plausible`` (its range is its allowed values); a list-valued assumption
    gives the range of one factor that scales its whole default list. The range lies within the
    allowed bounds; a default outside it must be explained in the basis (the word "default").
    ``same_results``: a setting that chooses how a run is computed, never what it computes (proven by a
    test), so it is left out of run keys, settings hashes and fingerprints (:func:`keyed_fields`).
    ``off_by_default``: the default switches the field's mechanism off; a run at that value leaves the
    field out of run keys and settings hashes (:func:`keyed_dump`), so adding a mechanism off by default keeps
    every stored run and results folder valid (its runs behave as before: the pins prove it).
    ``switched_by``: an assumption of a mechanism that the ``off_by_default`` field named here switches
    on; like that field it is not drawn with the other assumptions (drawn, it would change nothing while
    the mechanism is off, yet shift the draws of stored posteriors and screenings).
    ``label``, ``label_zh``: a short label (English, Chinese) for a control; ``desc_zh``: the description
    in Chinese. ``app``: the teaching app shows the field as a control in that card of its lever panel
    (``"card"`` or ``"card@n"``, n its place in the card; ``APP_CARDS``), which needs both labels and
    ``desc_zh``; a switch for a bool, else a slider over the allowed range, or over ``slider`` (low, high)
    when a class needs less (``inf_at_max``: its top position means ∞), in steps of ``step`` (default
    0.05). ``screen``: a lever's range for a screening of all levers when narrower than the allowed range
    (default: the allowed range).
    A declaration that breaks these rules raises :class:`KindError` when the class is defined.

    Over 60 lines: one keyword and one line of documentation per metadata key, all in the one place a field
    is declared; the checks live in :func:`kind_problem` and :func:`app_problem`."""
    extra: dict[str, Any] = {"unit": unit, "group": group, "kind": kind}
    shown = {"label": label, "label_zh": label_zh, "desc_zh": desc_zh, "app": app, "step": step}
    extra.update({k: v for k, v in shown.items() if v is not None})
    if slider is not None:
        extra["slider"] = [float(slider[0]), float(slider[1])]
    if inf_at_max:
        extra["inf_at_max"] = True
    if screen is not None:
        extra["screen"] = [float(screen[0]), float(screen[1])]
    if off_by_default:
        extra["off_by_default"] = True
    if switched_by is not None:
        extra["switched_by"] = switched_by
    if same_results:
        if kind != "setting":
            raise KindError(f"parameter {desc!r}: only a setting can leave the results the same")
        extra["same_results"] = True
    if cite is not None:
        extra["cite"] = cite
    if plausible is not None:
        extra["plausible"] = [float(plausible[0]), float(plausible[1])]
        extra["dist"] = dist
    if basis is not None:
        extra["basis"] = basis
    problem = kind_problem(default, extra, ge=ge, le=le, gt=gt, lt=lt) or app_problem(
        default, extra, ge=ge, le=le, gt=gt, lt=lt
    )
    if problem:
        raise KindError(f"parameter {desc!r}: {problem}")
    return Field(default, description=desc, ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=extra)


class KindError(ValueError):
    """A parameter's kind declaration is incomplete or inconsistent (one line)."""


CITE_RE = re.compile(r"^[FGP]\d{1,2}(, [FGP]\d{1,2})*$")
"""A fact's citation: one or more F#/G#/P# codes, comma-separated (``"F13"``, ``"F7, F9"``)."""
DISTS = ("uniform", "loguniform")


def kind_problem(default: Any, extra: dict[str, Any], ge=None, le=None, gt=None, lt=None) -> str | None:
    """What is wrong with one field's kind metadata ``extra`` (None when nothing): the rules of :func:`P`."""
    kind = extra.get("kind")
    if kind not in KINDS:
        return f"kind {kind!r}; allowed: {', '.join(KINDS)}"
    numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
    listed = isinstance(default, tuple)
    if kind == "fact" and not CITE_RE.match(str(extra.get("cite", ""))):
        return f"a fact cites its F#/G#/P# code (cite='F13'), got {extra.get('cite')!r}"
    if kind != "fact" and "cite" in extra:
        return "only a fact takes cite= (name the code in the description otherwise)"
    if kind != "assumption":
        if "plausible" in extra or "basis" in extra:
            return "only an assumption takes plausible= and basis="
        return None
    basis = str(extra.get("basis") or "").strip()
    if len(basis) < 20 or "\n" in basis:
        return "an assumption needs basis= (one line: why that range — physical bound, survey, expert judgement)"
    rng = extra.get("plausible")
    if not (numeric or listed):
        return "plausible= applies only to numbers" if rng is not None else None
    if rng is None:
        return "an assumption needs plausible=(low, high)"
    lo, hi = rng
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        return f"plausible range ({lo}, {hi}) must be finite with low < high"
    if extra.get("dist") not in DISTS:
        return f"dist {extra.get('dist')!r}; allowed: {', '.join(DISTS)}"
    if extra["dist"] == "loguniform" and lo <= 0:
        return "a loguniform range needs low > 0"
    if listed:  # a factor on the default list
        if not lo <= 1.0 <= hi:
            return f"the factor range ({lo}, {hi}) of a list must contain 1 (the default list)"
        return None
    if (
        (ge is not None and lo < ge)
        or (gt is not None and lo <= gt)
        or (le is not None and hi > le)
        or (lt is not None and hi >= lt)
    ):
        return f"plausible range ({lo}, {hi}) lies outside the allowed bounds"
    if not lo <= float(default) <= hi and "default" not in basis:
        return f"default {default} lies outside the plausible range ({lo}, {hi}); say why in the basis"
    return None


APP_CARDS = ("delegation", "service", "assessment", "grid", "geography", "time")
"""The cards of the teaching app's lever panel, in the order shown (headings ``group_<card>`` in the app's
translation table)."""
APP_RE = re.compile(r"^([a-z_]+)(?:@(\d{1,3}))?$")
"""A field's place in the app: ``"card"`` or ``"card@n"``."""


def app_problem(default: Any, extra: dict[str, Any], ge=None, le=None, gt=None, lt=None) -> str | None:
    """What is wrong with one field's labels, app place, slider and screening range (None when nothing)."""
    for key in ("label", "label_zh", "desc_zh"):
        if key in extra and (not str(extra[key]).strip() or "\n" in str(extra[key])):
            return f"{key}= is one line of text"
    switch = isinstance(default, bool)
    numeric = isinstance(default, (int, float)) and not switch
    if "screen" in extra:
        a, b = extra["screen"]
        if extra.get("kind") != "lever" or not numeric:
            return "only a numeric lever takes screen= (a switch is screened as a switch)"
        if not (math.isfinite(a) and math.isfinite(b) and a < b) or not _within(a, b, ge, le, gt, lt):
            return f"screen range ({a}, {b}) must be finite, low < high, within the allowed bounds"
    shown = [k for k in ("step", "slider", "inf_at_max") if k in extra]
    if "app" not in extra:
        return f"{shown[0]}= only for a field the app shows (app=)" if shown else None
    m = APP_RE.match(str(extra["app"]))
    if not m or m.group(1) not in APP_CARDS:
        return f"app={extra['app']!r}; allowed: a card of {', '.join(APP_CARDS)}, optionally @n (its place)"
    missing = [k for k in ("label", "label_zh", "desc_zh") if k not in extra]
    if missing:
        return f"a field the app shows needs {'=, '.join(missing)}= (its labels and Chinese description)"
    if switch:
        return f"a switch takes no {shown[0]}=" if shown else None
    if not numeric:
        return "the app shows numbers and switches only"
    a, b = extra.get("slider", (ge, le))
    if a is None or b is None or not (math.isfinite(a) and math.isfinite(b) and a < b):
        return "a slider needs finite closed bounds (ge=, le=) or slider=(low, high)"
    if not _within(a, b, ge, le, gt, lt):
        return f"slider range ({a}, {b}) lies outside the allowed bounds"
    if "step" in extra and not (0 < float(extra["step"]) <= b - a):
        return f"step {extra['step']} must be positive and at most the slider's range"
    return None


def _within(a: float, b: float, ge=None, le=None, gt=None, lt=None) -> bool:
    """True when [a, b] lies within the allowed bounds."""
    return not (
        (ge is not None and a < ge)
        or (gt is not None and a <= gt)
        or (le is not None and b > le)
        or (lt is not None and b >= lt)
    )
