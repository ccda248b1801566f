"""One scenario file or ``--set`` value: its keys and their types, checked before any merge (one-line errors)."""

from __future__ import annotations

import difflib
import re
import stat
import tomllib
import typing
from pathlib import Path
from typing import Any, Literal

from townsim.model.params import Params, allowed_range
from townsim.model.paths import SCENARIO_DIR

META_KEYS = ("extends", "description", "label", "label_zh", "equal_staff")
"""Keys a scenario file may hold besides the Params fields."""

LEVER_GROUPS = ("delegation", "centre", "rule135", "assessment", "dumping", "grid", "incentives")
"""Params groups whose fields are reform levers (switched on at the end of the warm-up);
the county, its demand and its people are not levers."""

LOADER_ONLY = ()
"""Params fields only the loader sets (none: ``pre_reform`` may be written out resolved, e.g. by
``townsim scenarios show``, as an inline table of lever values; the loader fills it otherwise)."""

REMOVED_KEYS: dict[str, str] = {
    "adhoc_coordination_days": "removed: without the 135 rule tier-3/5 cases now wait first come first served "
    "for the coordinators' hours (chief_representatives, chief_rep_hours, "
    "leading_group_staff, coordination_hours); delete the key",
}
"""Keys of earlier versions and what replaced them."""

DEFAULT_SOURCE = "default"
"""Value of :attr:`Scenario.sources` for fields no file sets."""

MAX_SCENARIO_BYTES = 1024**2
"""Largest scenario file read (1 MiB; the shipped ones are a few KiB)."""

MAX_DEPTH = 2
"""Deepest nesting a scenario needs: a key holding a list of numbers (``tier_deadlines = [1, 3, 5]``)."""

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_PATH_FIELDS = ("matter_catalogue", "township_table")


class ScenarioError(ValueError):
    """A scenario or override is invalid; ``str()`` is one line (file, key, what is allowed)."""


def lever_fields() -> list[str]:
    """Params fields that are reform levers (``LEVER_GROUPS``)."""
    return [f for f, info in Params.model_fields.items() if (info.json_schema_extra or {}).get("group") in LEVER_GROUPS]


def _read(path: Path) -> dict[str, Any]:
    """Parse and check one file: syntax, emptiness, keys and types (ranges are checked on the merge)."""
    where = _show(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(f"{where}: not an ordinary file (a device, pipe or folder); give a .toml file")
        if info.st_size > MAX_SCENARIO_BYTES:
            raise ScenarioError(
                f"{where}: scenario file is {info.st_size / 1024**2:,.1f} MiB; "
                f"the limit is {MAX_SCENARIO_BYTES // 1024**2} MiB"
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{where}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ScenarioError(f"{where}: cannot read ({exc.strerror})") from None
    too_deep = (
        f"{where}: values nested deeper than a scenario needs; allowed: top-level keys whose values "
        f"are numbers, text, true/false or one list of numbers"
    )
    try:
        data = tomllib.loads(text)
    except RecursionError:  # the parser is recursive: thousands of nested [ or { exhaust the stack
        raise ScenarioError(too_deep) from None
    except tomllib.TOMLDecodeError as exc:
        msg = " ".join(str(exc).split())
        if "at end of document" in msg:  # tomllib gives no line here: name the last one
            msg = msg.replace("at end of document", f"at end of file, line {max(len(text.splitlines()), 1)}")
        raise ScenarioError(f"{where}: TOML syntax error: {msg}") from None
    if _depth(data) > MAX_DEPTH:
        raise ScenarioError(too_deep)
    if not data:
        raise ScenarioError(f'{where}: empty scenario file; write at least extends = "baseline" or one parameter')
    for key, value in data.items():
        if key == "equal_staff":
            if not isinstance(value, bool):
                raise ScenarioError(f"{where}: key 'equal_staff' must be true or false, got {_kind(value)} {value!r}")
            continue
        if key in META_KEYS:
            if not isinstance(value, str):
                raise ScenarioError(
                    f"{where}: key '{key}' must be a text value in quotes, got {_kind(value)} {value!r}"
                )
            if key != "extends" and "\n" in value.strip():
                raise ScenarioError(f"{where}: key '{key}' must be one line")
            continue
        if key in REMOVED_KEYS:
            raise ScenarioError(f"{where}: key '{key}' {REMOVED_KEYS[key]}")
        if key in LOADER_ONLY:
            raise ScenarioError(f"{where}: key '{key}' is set by the scenario loader, not in a file")
        if key not in Params.model_fields:
            hint = " (tables are not used: write every key at the top level)" if isinstance(value, dict) else ""
            raise ScenarioError(f"{where}: unknown key '{key}'{_suggest(key)}{hint}")
        _check_type(where, key, value)
    return data


def _depth(value: Any) -> int:
    """Nesting depth of a parsed TOML value (a table of scalars is 1)."""
    depth, level = 0, [value]
    while level:
        depth += 1
        level = [
            v
            for item in level
            for v in (item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
            if isinstance(v, (dict, list))
        ]
    return depth


# ----------------------------------------------------------------------------
# types
# ----------------------------------------------------------------------------
def _check_type(where: str, key: str, value: Any) -> None:
    """Strict TOML type check of one field value (no silent string→number coercion)."""
    ann = Params.model_fields[key].annotation
    origin = typing.get_origin(ann)
    ok: bool
    if ann is bool:
        ok = isinstance(value, bool)
    elif ann is int:
        ok = isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, float) and value.is_integer())
    elif ann is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif ann is str or origin is Literal:
        ok = isinstance(value, str)
    elif origin is dict:  # pre_reform: lever values of the pre-reform regime
        ok = isinstance(value, dict) and all(k in lever_fields() or k == "department_staff" for k in value)
    elif origin is tuple:
        n = len(typing.get_args(ann))
        ok = (
            isinstance(value, list)
            and len(value) == n
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        )
    else:  # pragma: no cover - a new field type must be handled here
        ok = True
    if not ok:
        raise ScenarioError(
            f"{where}: key '{key}' has the wrong type: got {_kind(value)} {_short(value)}; "
            f"allowed: {allowed_range(key)}"
        )


def _coerce(key: str, value: Any) -> Any:
    ann = Params.model_fields[key].annotation
    if ann is int and isinstance(value, float):
        return int(value)
    if typing.get_origin(ann) is tuple and isinstance(value, list):
        return tuple(float(v) for v in value)
    return value


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip("'\"")


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "integer", float: "number", str: "text", list: "list", dict: "table"}.get(
        type(value), type(value).__name__
    )


def _short(value: Any) -> str:
    s = repr(value)
    return s if len(s) <= 40 else s[:37] + "..."


def _suggest(word: str, choices: list[str] | None = None) -> str:
    if choices is None:
        choices = [*Params.model_fields, *META_KEYS]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _show(path: Path) -> str:
    """A short display form of ``path``: relative to the repository or working folder if possible."""
    path = Path(path)
    for base in (SCENARIO_DIR.parent, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
