"""Reform scenarios: small TOML files of parameter values, validated into :class:`Params`.

A scenario file is data only (read with :mod:`tomllib`; no code, no eval, no
pickle). Its top-level keys are :class:`model.params.Params` fields, plus two
optional keys:

``extends = "baseline"``
    start from another scenario (a name looked up beside the file first, then
    in :data:`SCENARIO_DIR`; or a relative ``.toml`` path) and override only
    what differs. Chains are resolved recursively; cycles are an error.
``description = "..."``
    one line shown by ``townsim scenarios list``.
``label = "..."``, ``label_zh = "..."``
    the scenario's short name in reports (English, Chinese); not inherited.
``equal_staff = true``
    fund the scenario's extra posts from department posts pro rata so that its total
    budgeted staff-hours equal those of the root of its ``extends`` chain
    (:func:`model.staffing.equalise_staff`), resolved into the parameters.

Reform start: the loader records, in ``Params.pre_reform``, the root's values of
the reform levers (``LEVER_GROUPS``) that the scenario changes, plus the
department posts before ``equal_staff``; a run with ``warmup_days > 0`` simulates
its warm-up with them, then switches the scenario's levers on.

A relative ``matter_catalogue`` path is taken relative to the file that sets it.

Every failure raises :class:`ScenarioError`, whose ``str()`` is one line naming
the file, the key and what is allowed (the CLI prints it and exits with code 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from townsim.model.catalogue import CatalogueError, load_csv
from townsim.model.params import Params, ParamsError
from townsim.model.paths import SCENARIO_DIR, VALIDATION_DIR
from townsim.model.staffing import StaffingError, equalise_staff

from .reading import (
    _NAME_RE,
    _PATH_FIELDS,
    DEFAULT_SOURCE,
    LEVER_GROUPS,
    LOADER_ONLY,
    MAX_DEPTH,
    MAX_SCENARIO_BYTES,
    META_KEYS,
    REMOVED_KEYS,
    ScenarioError,
    _check_type,
    _coerce,
    _parse_value,
    _read,
    _show,
    _suggest,
    lever_fields,
)

__all__ = [
    "DEFAULT_SOURCE",
    "LEVER_GROUPS",
    "LOADER_ONLY",
    "MAX_DEPTH",
    "MAX_SCENARIO_BYTES",
    "META_KEYS",
    "REMOVED_KEYS",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "lever_fields",
    "list_scenarios",
    "load_scenario",
    "resolve_name",
    "scenario_names",
]


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario.

    ``sources`` maps every Params field to the file that set its value
    (a path string) or to ``"default"``.
    """

    name: str
    path: Path
    description: str
    params: Params
    sources: dict[str, str] = field(default_factory=dict)
    chain: tuple[Path, ...] = ()
    """Files read, the scenario's own file first, then what it extends."""
    label: str = ""
    label_zh: str = ""

    def title(self, lang: str = "en") -> str:
        """The scenario's short name for reports in ``lang``: its label, else its description, else its name."""
        own = self.label_zh if lang == "zh" else self.label
        return own or self.label or self.description or self.name


# ----------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------
def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and validate a scenario by shipped name (``"baseline"``) or by ``.toml`` path."""
    path = resolve_name(name_or_path)
    name = _scenario_name(path)
    values, sources, description, chain = _resolve(path, ())
    params = _build(values, sources, path)
    if len(chain) > 1 and "pre_reform" not in values:
        root_values, root_sources, _, _ = _resolve(chain[-1], ())
        root = _build(root_values, root_sources, chain[-1])
        pre = {f: getattr(root, f) for f in lever_fields() if getattr(root, f) != getattr(params, f)}
        if _equal_staff(path, chain):
            try:
                equal = equalise_staff(params, root)
            except StaffingError as exc:
                raise ScenarioError(f"{_show(path)}: {exc}") from None
            if equal.department_staff != params.department_staff:
                pre["department_staff"] = params.department_staff
                sources["department_staff"] = f"{path} (equal_staff)"
            params = equal
        if pre:
            params = params.replace(pre_reform=pre)
    _check_catalogue(params, sources.get("matter_catalogue", str(path)))
    full_sources = {f: sources.get(f, DEFAULT_SOURCE) for f in Params.model_fields}
    own = _read(path)
    return Scenario(
        name=name,
        path=path,
        description=description,
        params=params,
        sources=full_sources,
        chain=tuple(chain),
        label=own.get("label", ""),
        label_zh=own.get("label_zh", ""),
    )


def _check_catalogue(params: Params, source: str) -> None:
    """Load the scenario's matter catalogue once, so a bad CSV fails with the scenario (ScenarioError)."""
    if not params.matter_catalogue:
        return

    try:
        load_csv(params.matter_catalogue, params)
    except CatalogueError as exc:
        raise ScenarioError(f"{_show(Path(source))}: matter_catalogue: {exc}") from None


def _build(values: dict, sources: dict, path: Path) -> Params:
    try:
        return Params.build(**values)
    except ParamsError as exc:
        src = sources.get(exc.field, str(path))
        raise ScenarioError(f"{_show(Path(src)) if src != DEFAULT_SOURCE else _show(path)}: {exc}") from None


def _equal_staff(path: Path, chain) -> bool:
    """The scenario's own ``equal_staff`` (not inherited: each file says it)."""
    return bool(_read(path).get("equal_staff", False))


def list_scenarios(include_validation: bool = False) -> list[Scenario]:
    """All shipped scenarios, sorted by name (validation ones after, if asked)."""
    files = sorted(SCENARIO_DIR.glob("*.toml"))
    if include_validation:
        files += sorted(VALIDATION_DIR.glob("*.toml"))
    return [load_scenario(p) for p in files]


def scenario_names(include_validation: bool = False) -> list[str]:
    """Names of the shipped scenarios without loading them."""
    names = [p.stem for p in sorted(SCENARIO_DIR.glob("*.toml"))]
    if include_validation:
        names += [p.stem for p in sorted(VALIDATION_DIR.glob("*.toml"))]
    return names


def apply_overrides(params: Params, overrides: list[str] | tuple[str, ...]) -> Params:
    """Apply ``["key=value", ...]`` to ``params`` with the same validation as a file.

    Values are read as TOML values (``0.6``, ``true``, ``[1, 3, 5]``, ``"random"``);
    a bare word that is not valid TOML is taken as a string (``delegation_order=random``).
    """
    for item in overrides:
        where = f"--set {item}"
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key:
            raise ScenarioError(f"{where}: expected key=value, e.g. --set delegated_share=0.6")
        if key in META_KEYS:
            raise ScenarioError(f"{where}: '{key}' can only be set in a scenario file")
        if key in REMOVED_KEYS:
            raise ScenarioError(f"{where}: '{key}' {REMOVED_KEYS[key]}")
        if key in LOADER_ONLY:
            raise ScenarioError(f"{where}: '{key}' is set by the scenario loader, not by hand")
        if key not in Params.model_fields:
            raise ScenarioError(f"{where}: unknown key '{key}'{_suggest(key)}")
        value = _parse_value(text)
        _check_type(where, key, value)
        if key in _PATH_FIELDS and value:
            value = str(Path(value).expanduser().resolve())
        try:
            params = params.replace(**{key: _coerce(key, value)})
        except ParamsError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
    return params


def resolve_name(name_or_path: str | Path) -> Path:
    """The file of a scenario name or path; raise :class:`ScenarioError` if unsafe or missing.

    A plain name (letters, digits, ``_`` and ``-``) is looked up in
    :data:`SCENARIO_DIR`, then in :data:`VALIDATION_DIR`; ``validation/NAME`` also
    works. Anything ending in ``.toml`` is a path. Any other text (e.g. containing
    ``..`` or ``/``) is refused, so a name can never escape the scenarios folder.
    """
    text = str(name_or_path).strip()
    if not text:
        raise ScenarioError("scenario: empty name; give a name such as 'baseline' or a path to a .toml file")
    if text.endswith(".toml"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ScenarioError(f"{text}: no such scenario file")
        return path.resolve()
    base, sub = SCENARIO_DIR, text
    if text.startswith("validation/"):
        base, sub = VALIDATION_DIR, text.removeprefix("validation/")
    if not _NAME_RE.match(sub):
        raise ScenarioError(
            f"{text}: not a valid scenario name (use letters, digits, _ and - only, e.g. 'baseline', "
            f"or a path ending in .toml); names may not leave the scenarios folder"
        )
    for folder in (base, VALIDATION_DIR) if base == SCENARIO_DIR else (base,):
        path = folder / f"{sub}.toml"
        if path.is_file():
            return path.resolve()
    raise ScenarioError(
        f"{text}: no such scenario{_suggest(sub, scenario_names(True))}; available: {', '.join(scenario_names())}"
    )


# ----------------------------------------------------------------------------
# resolution
# ----------------------------------------------------------------------------
def _resolve(path: Path, stack: tuple[Path, ...]):
    """Merged values, their source files, the description, and the chain of files of ``path``."""
    if path in stack:
        cycle = " → ".join(_show(p) for p in (*stack, path))
        raise ScenarioError(f"{_show(stack[-1])}: extends: cyclic chain {cycle}; a scenario may not extend itself")
    data = _read(path)
    own = {k: v for k, v in data.items() if k not in META_KEYS}
    description = data.get("description", "")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    chain = [path]
    if "extends" in data:
        parent = _extends_path(path, data["extends"])
        values, sources, parent_desc, parent_chain = _resolve(parent, (*stack, path))
        chain += parent_chain
        if "description" not in data:
            description = parent_desc
    for key, value in own.items():
        if key in _PATH_FIELDS and value:
            p = Path(value).expanduser()
            value = str(p if p.is_absolute() else (path.parent / p).resolve())
        values[key] = _coerce(key, value)
        sources[key] = str(path)
    return values, sources, description, chain


def _extends_path(path: Path, target: str) -> Path:
    """The file ``extends = target`` in ``path`` points to; it must stay in a scenario folder."""
    where = _show(path)
    target = target.strip()
    if target.endswith(".toml"):
        cand = (path.parent / target).resolve()
        allowed = (path.parent.resolve(), SCENARIO_DIR.resolve())
        if not any(cand.is_relative_to(a) for a in allowed):
            raise ScenarioError(
                f"{where}: extends = '{target}': path leaves the scenario folders; "
                f"use a scenario name such as 'baseline'"
            )
        if not cand.is_file():
            raise ScenarioError(f"{where}: extends = '{target}': no such file")
        return cand
    sub = target.removeprefix("validation/")
    if not _NAME_RE.match(sub):
        raise ScenarioError(
            f"{where}: extends = '{target}': not a valid scenario name (letters, digits, "
            f"_ and - only; names may not leave the scenarios folder)"
        )
    folders = [path.parent, SCENARIO_DIR, VALIDATION_DIR]
    if target.startswith("validation/"):
        folders = [VALIDATION_DIR]
    for folder in folders:
        cand = folder / f"{sub}.toml"
        if cand.is_file():
            return cand.resolve()
    raise ScenarioError(
        f"{where}: extends = '{target}': no such scenario{_suggest(sub, scenario_names(True))}; "
        f"available: {', '.join(scenario_names())}"
    )


def _scenario_name(path: Path) -> str:
    name = path.stem
    if not _NAME_RE.match(name):
        raise ScenarioError(
            f"{_show(path)}: file name '{name}' is not a valid scenario name (letters, digits, _ and - only)"
        )
    return name
