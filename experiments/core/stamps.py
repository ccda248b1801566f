"""Which model behaviour made each experiment-made document (``docs/generated.json``).

``townsim docs`` stamps the findings and the validation pages when it writes them and reports them stale when
the model's behaviour fingerprint has moved on; the findings page reads its own stamp to know whether its
sections still describe this model (``workflows.findings.made_by_this_model``).
"""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import write_json
from .fingerprint import model_fingerprint

STAMP = "generated.json"
"""Behaviour fingerprints of the experiment-made documents, under the docs folder."""


def stamps(docs: Path) -> dict:
    """Every document's record (``{name: {"model": fingerprint}}``); empty when there is none yet."""
    path = docs / STAMP
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def made_with(docs: Path, name: str) -> str | None:
    """The behaviour fingerprint of the model that made document ``name``, None when not recorded."""
    return stamps(docs).get(name, {}).get("model")


def stamp(docs: Path, name: str) -> None:
    """Record that document ``name`` was just made by this model's behaviour."""
    write_json(docs / STAMP, {**stamps(docs), name: {"model": model_fingerprint()}})
