"""One-line errors of a parameter: :class:`ParamsError`, the allowed values of a field as text, and
pydantic's validation error turned into one line (field, what was given, what is allowed)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import ValidationError
from pydantic.fields import FieldInfo


class ParamsError(ValueError):
    """A parameter is invalid; ``str()`` is one line naming the field and the allowed range."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def allowed_values(info: FieldInfo) -> str:
    """Human-readable allowed values of a field (e.g. '[0, 1]', 'one of a, b')."""
    ann = info.annotation
    if getattr(ann, "__origin__", None) is Literal:
        return "one of " + ", ".join(map(str, get_args(ann)))
    if ann is bool:
        return "true or false"
    if ann is str:
        return "a text value"
    if getattr(ann, "__origin__", None) is dict:
        return "a table of lever values (the scenario loader fills it)"
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo, lo_open = m.gt, True
        if getattr(m, "le", None) is not None:
            hi = m.le
        if getattr(m, "lt", None) is not None:
            hi, hi_open = m.lt, True
    kind = "an integer" if ann is int else "a number"
    if str(ann).startswith("tuple"):
        kind = f"a list of {len(get_args(ann))} numbers"
        return kind
    if lo is None and hi is None:
        return kind
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    return f"{kind} in {left}{_fmt(lo)}, {_fmt(hi)}{right}"


def _fmt(x) -> str:
    if x is None:
        return "∞"
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:,}" if isinstance(x, int) and abs(x) >= 10_000 else str(x)


def one_line_error(exc: ValidationError, fields: dict[str, FieldInfo]) -> ParamsError:
    """Turn pydantic's error on a model with ``fields`` into one line: field, what was given, what is allowed."""
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ())]
    field = loc[0] if loc else ""
    if err["type"] == "extra_forbidden":
        return ParamsError(field, "unknown parameter")
    if not field:  # model-level validator: message starts with the field name
        msg = err["msg"].removeprefix("Value error, ")
        name, _, rest = msg.partition(": ")
        return ParamsError(name, rest or msg)
    got = err.get("input")
    return ParamsError(field, f"got {got!r}; allowed: {allowed_values(fields[field])}")
