"""``python -m townsim.model.params [--markdown]``: the parameter table, or the defaults as JSON."""

from __future__ import annotations

import sys

from . import Params, field_table_markdown

if "--markdown" in sys.argv:
    print(field_table_markdown(), end="")
else:
    print(Params().model_dump_json(indent=2))
