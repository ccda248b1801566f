"""What the fields declare, read back: a field's metadata and kind, the fields left out of run keys, the dump
that keys and hashes are made of, assumptions' ranges, and a world of assumption values applied."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .errors import ParamsError, _fmt
from .kinds import kind_problem
from .model import Params, allowed_range


def meta(name: str, model: type[BaseModel] = Params) -> dict[str, Any]:
    """The metadata of field ``name``: unit, group, kind, and cite / plausible, dist, basis."""
    extra = model.model_fields[name].json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def unkeyed_fields(model: type[BaseModel] = Params) -> frozenset[str]:
    """Fields declared ``same_results`` (how a run is computed, not what): out of every key and hash."""
    return frozenset(
        n
        for n, f in model.model_fields.items()
        if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("same_results")
    )


def off_fields(model: type[BaseModel] = Params) -> dict[str, Any]:
    """Fields declared ``off_by_default``, with their default (the value that switches them off)."""
    return {
        n: f.default
        for n, f in model.model_fields.items()
        if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("off_by_default")
    }


def keyed_dump(params: BaseModel) -> dict[str, Any]:
    """``params`` as JSON values without its :func:`unkeyed_fields` and without the ``off_by_default``
    fields left off: what run keys, settings hashes and fingerprints are made of, so that choosing the
    compiled engine reuses the Python engine's runs, and a mechanism added off by default leaves every
    stored run's key as it was."""
    model = type(params)
    off = {n for n, v in off_fields(model).items() if getattr(params, n) == v}
    return params.model_dump(mode="json", exclude=set(unkeyed_fields(model)) | off)


def fields_of_kind(kind: str, model: type[BaseModel] = Params) -> list[str]:
    """Names of the fields of ``kind`` (one of ``KINDS``), in declaration order."""
    return [n for n in model.model_fields if meta(n, model).get("kind") == kind]


def kind_problems(model: type[BaseModel] = Params) -> list[str]:
    """One line per field of ``model`` whose kind is missing or incomplete (empty when all declare one)."""
    out = []
    for name, info in model.model_fields.items():
        bounds = {k: getattr(m, k) for m in info.metadata for k in ("ge", "le", "gt", "lt") if hasattr(m, k)}
        problem = kind_problem(info.default, meta(name, model), **bounds)
        if problem:
            out.append(f"{name}: {problem}")
    return out


def describe_range(name: str, model: type[BaseModel] = Params) -> str:
    """An assumption's plausible range as text, e.g. ``[0.1, 3] log-uniform`` or ``× [0.5, 2] of the list``;
    for a switch or a choice, its allowed values."""
    m = meta(name, model)
    if "plausible" not in m:
        return allowed_range(name) if model is Params else ""
    lo, hi = (_fmt(v) for v in m["plausible"])
    text = f"[{lo}, {hi}]"
    if isinstance(model.model_fields[name].default, tuple):
        text = f"× {text} of the list"
    return text + (" log-uniform" if m.get("dist") == "loguniform" else "")


def with_assumptions(params: Params, values: dict[str, Any]) -> Params:
    """``params`` with assumption values applied (a world): a number replaces the field's value; for a
    list-valued assumption the number is the factor on the list (the plausible range's meaning).
    :class:`ParamsError` (one line) on a name that is not an assumption or an invalid value."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in Params.model_fields:
            raise ParamsError(name, "unknown parameter")
        if meta(name).get("kind") != "assumption":
            raise ParamsError(name, f"is a {meta(name).get('kind')}, not an assumption")
        current = getattr(params, name)
        changes[name] = tuple(float(v) * float(value) for v in current) if isinstance(current, tuple) else value
    return params.replace(**changes) if changes else params
