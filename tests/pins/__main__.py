"""``python3 -m tests.pins`` — regenerate the regression pins (tests/pins/*.json) from a committed tree."""

from pathlib import Path

from . import write_all

for path in write_all(Path(__file__).resolve().parent.parent.parent):
    print(f"wrote {path}")
