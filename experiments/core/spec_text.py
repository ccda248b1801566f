"""Error text shared by the spec models: one line per problem (file, key, what is allowed)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from townsim.experiments.errors import shorten


class KeyProblem(Exception):
    """Raised inside validation with the offending key (not a ValueError, so pydantic passes it through)."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def describe_error(model: type[BaseModel], err: dict[str, Any]) -> str:
    """One line for a pydantic error: ``key: got VALUE; allowed: ...``."""
    loc = [str(x) for x in err.get("loc", ())]
    key = ".".join(loc) or "spec"
    field = model.model_fields.get(loc[0]) if loc else None
    if field is None and loc:  # an alias ("parameters")
        field = next((f for f in model.model_fields.values() if f.alias == loc[0]), None)
    kind = err.get("type", "")
    keys = [f.alias or n for n, f in model.model_fields.items()]
    if kind == "extra_forbidden":
        return f"{key}: unknown key{suggest(loc[-1], keys)}; allowed: {', '.join(keys)}"
    if kind == "missing":
        return f"{key}: missing; allowed: {allowed_text(field)}"
    got = err.get("input")
    return f"{key}: got {kind_of(got)} {shorten(repr(got))}; allowed: {allowed_text(field, loc)}"


def allowed_text(field: Any, loc: list[str] | None = None) -> str:
    """What a field allows, from its annotation and bounds (e.g. ``an integer in [1, 10000]``)."""
    if field is None:
        return "see the spec documentation"
    ann = field.annotation
    lo = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
    hi = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
    if getattr(ann, "__origin__", None) is Literal:
        return ", ".join(str(a) for a in ann.__args__)
    if ann is int:
        return f"an integer in [{lo if lo is not None else '-∞'}, {hi if hi is not None else '∞'}]"
    if ann is float:
        if lo is not None and hi is None:
            return f"a finite number >= {num(lo)}"
        return f"a finite number in [{num(lo) if lo is not None else '-∞'}, {num(hi) if hi is not None else '∞'}]"
    if ann is bool:
        return "true or false"
    if ann is str or ann == (str | None):
        return "text"
    if getattr(ann, "__origin__", None) is list:
        return 'a list, e.g. ["a", "b"]'
    if getattr(ann, "__origin__", None) is dict:
        return "a table of key = value"
    return str(ann)


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def kind_of(value: Any) -> str:
    return {bool: "true/false", int: "integer", float: "number", str: "text", list: "list", dict: "table"}.get(
        type(value), type(value).__name__
    )


def num(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def show_path(path: Path) -> str:
    """``path`` relative to the working folder when possible."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
