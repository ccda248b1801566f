"""The parameter table of ``docs/ODD.md``, generated from the fields (``python -m townsim.experiments.odd --write``)."""

from __future__ import annotations

from .errors import _fmt
from .keys import describe_range, meta
from .kinds import GROUPS
from .model import Params, allowed_range


def kind_cell(name: str) -> str:
    """The table's kind column: ``lever``, ``fact (F13)``, ``assumption``, ``setting``."""
    m = meta(name)
    return f"fact ({m['cite']})" if m.get("kind") == "fact" else str(m.get("kind", ""))


def field_table_markdown() -> str:
    """The parameter table of docs/ODD.md, generated from the fields above: default, unit, allowed
    values, kind (fact with its code), an assumption's plausible range and, after its description,
    the basis of that range."""
    lines = []
    for key, title in GROUPS.items():
        lines.append(f"\n**{title}**\n")
        lines.append("| parameter | default | unit | allowed | kind | plausible | description (basis of the range) |")
        lines.append("|---|---|---|---|---|---|---|")
        for name, info in Params.model_fields.items():
            extra = meta(name)
            if extra.get("group") != key:
                continue
            default = info.default
            if isinstance(default, tuple):
                default = "[" + ", ".join(_fmt(v) for v in default) + "]"
            elif isinstance(default, str):
                default = f"'{default}'"
            else:
                default = _fmt(default)
            plausible = describe_range(name) if extra.get("kind") == "assumption" else ""
            desc = info.description or ""
            if extra.get("basis"):
                desc += f" *Basis:* {extra['basis']}."
            lines.append(
                f"| `{name}` | {default} | {extra.get('unit', '')} | {allowed_range(name)} | {kind_cell(name)} "
                f"| {plausible} | {desc} |"
            )
    return "\n".join(lines).strip() + "\n"
