"""``townsim scenarios list|show|validate`` — inspect and check scenario files.

``show NAME --assumptions`` lists the scenario's assumptions instead of its TOML: name, value in
this scenario, plausible range, distribution and basis (from each field's metadata, DESIGN §8).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from townsim.experiments.errors import UserError
from townsim.model.paths import SCENARIO_DIR, VALIDATION_DIR

if TYPE_CHECKING:
    from townsim.scenarios import Scenario


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "scenarios",
        help="list, show or validate reform scenarios (TOML files)",
        description="Inspect the reform scenarios: shipped files live in scenarios/, "
        "validation reductions in scenarios/validation/.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    ls = sub.add_parser(
        "list",
        help="scenario names with their one-line description",
        description="List the shipped scenarios with their one-line description.",
    )
    ls.add_argument("--all", action="store_true", help="also list the validation scenarios")
    ls.set_defaults(func=cmd_list)

    show = sub.add_parser(
        "show",
        help="the fully resolved parameters as TOML, with each value's source",
        description="Print every parameter of a scenario as TOML; a comment names the "
        "file that set each value (or 'default').",
    )
    show.add_argument("scenario", metavar="NAME|PATH", help="shipped name (e.g. baseline) or path to a .toml file")
    show.add_argument(
        "--assumptions",
        action="store_true",
        help="list the assumptions instead: name, value in this scenario, plausible range, distribution, basis",
    )
    show.set_defaults(func=cmd_show)

    val = sub.add_parser(
        "validate",
        help="check scenario files (all shipped ones when none is given)",
        description="Validate scenario files; prints 'ok' per file, or one error line per "
        "bad file on stderr and exits with code 2.",
    )
    val.add_argument(
        "scenarios",
        metavar="NAME|PATH",
        nargs="*",
        help="names or paths (default: every file in scenarios/ and scenarios/validation/)",
    )
    val.set_defaults(func=cmd_validate)


def cmd_list(args: argparse.Namespace) -> int:
    """Names and descriptions, read from the files alone (quick: no parameter is built or checked); a file
    that cannot be read that way is loaded in full and listed as INVALID with its error."""
    files = sorted(SCENARIO_DIR.glob("*.toml"))
    if args.all:
        files += sorted(VALIDATION_DIR.glob("*.toml"))
    rows = []
    for path in files:
        label = path.stem if path.parent == SCENARIO_DIR else f"validation/{path.stem}"
        desc = _description(path)
        if desc is None:
            from townsim.scenarios import ScenarioError, load_scenario

            try:
                desc = load_scenario(path).description
            except ScenarioError as exc:
                desc = f"INVALID: {exc}"
        rows.append((label, desc or "-"))
    width = max((len(r[0]) for r in rows), default=4)
    for name, text in rows:
        print(f"{name:<{width}}  {text}")
    return 0


def _description(path: Path, depth: int = 0) -> str | None:
    """A scenario file's description (its own, else the one of the file it extends); None when the file or
    its chain cannot be read simply (then the full loader says why)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    desc = data.get("description")
    if isinstance(desc, str):
        return desc
    parent = data.get("extends")
    if desc is not None or depth > 8 or not (parent is None or isinstance(parent, str)):
        return None
    if parent is None:
        return ""
    target = path.parent / parent if parent.endswith(".toml") else SCENARIO_DIR / f"{parent}.toml"
    return _description(target, depth + 1) if target.is_file() else None


def cmd_show(args: argparse.Namespace) -> int:
    from townsim.scenarios import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        raise UserError(str(exc)) from None
    sys.stdout.write(render_assumptions(scenario) if args.assumptions else render_toml(scenario))
    return 0


def render_assumptions(scenario: Scenario) -> str:
    """The scenario's assumptions, one per line: name, value here, plausible range, distribution, basis.

    A value outside its plausible range is marked ``!``; a value the scenario's files set (not the
    default) is marked ``*``."""
    from townsim.model.params import Params, describe_range, fields_of_kind, meta
    from townsim.scenarios import DEFAULT_SOURCE

    values = scenario.params.model_dump(mode="json")
    rows = []
    for name in fields_of_kind("assumption"):
        m = meta(name)
        value = _toml_value(values[name])
        rng = m.get("plausible")
        default = Params.model_fields[name].default
        if rng is not None and not isinstance(default, tuple) and not rng[0] <= values[name] <= rng[1]:
            value += " !"
        if scenario.sources.get(name, DEFAULT_SOURCE) != DEFAULT_SOURCE:
            value += " *"
        dist = m.get("dist", "choice") if rng is not None else "choice"
        rows.append((name, value, describe_range(name).removesuffix(" log-uniform"), dist, m["basis"]))
    head = ("assumption", "value", "plausible range", "distribution", "basis")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    lines = [
        f"# scenario: {scenario.name} — {len(rows)} assumptions (no published figure: a plausible range and its basis)",
        "# value: * set by the scenario's files, ! outside the plausible range; a list's range is a factor on it",
        "  ".join(h.ljust(w) for h, w in zip(head, widths)) + "  " + head[4],
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[4] for r in rows]
    return "\n".join(lines) + "\n"


def render_toml(scenario: Scenario) -> str:
    """The resolved parameters as valid TOML, grouped as in Params, each value commented with its source."""
    from townsim.model.params import GROUPS, Params
    from townsim.scenarios import DEFAULT_SOURCE
    from townsim.scenarios.loader import _show as show_path

    lines = [
        f"# scenario: {scenario.name}",
        f"# file: {show_path(scenario.path)}",
        "# chain: " + " → ".join(show_path(p) for p in scenario.chain),
    ]
    if scenario.description:
        lines.append(f"description = {_toml_value(scenario.description)}")
    values = scenario.params.model_dump(mode="json")
    for group, title in GROUPS.items():
        fields = [n for n, f in Params.model_fields.items() if (f.json_schema_extra or {}).get("group") == group]
        if not fields:
            continue
        lines.append("")
        lines.append(f"# --- {title} ---")
        body = [(f"{n} = {_toml_value(values[n])}", scenario.sources.get(n, DEFAULT_SOURCE)) for n in fields]
        width = max(len(b[0]) for b in body)
        for text, src in body:
            where = src if src == DEFAULT_SOURCE else show_path(src)
            lines.append(f"{text:<{width}}  # {where}")
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    """One TOML value on one line (arrays inline)."""
    import tomli_w

    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table (Params.pre_reform)
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return tomli_w.dumps({"v": value}).strip().removeprefix("v = ")


def cmd_validate(args: argparse.Namespace) -> int:
    from townsim.scenarios import ScenarioError, load_scenario
    from townsim.scenarios.loader import _show as show_path

    targets = list(args.scenarios) or [
        str(p) for p in (*sorted(SCENARIO_DIR.glob("*.toml")), *sorted(VALIDATION_DIR.glob("*.toml")))
    ]
    failures = 0
    for target in targets:
        try:
            scenario = load_scenario(target)
        except ScenarioError as exc:
            failures += 1
            print(f"townsim: error: {exc}", file=sys.stderr)
            continue
        print(f"ok  {show_path(scenario.path)}")
    return 2 if failures else 0
