"""Every fact code (F#, G#, P#) cited in the project resolves to docs/ODD.md's Appendix B — Facts."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
CODE = re.compile(r"\b([FGP]\d{1,2})\b")  # not lint codes such as F401
RANGE = re.compile(r"\b([FGP])(\d{1,2})\s*[–-]\s*\1?(\d{1,2})\b")
SOURCES = ("model", "scenarios", "docs", "experiments", "viz")
SUFFIXES = {".py", ".toml", ".md", ".csv", ".j2"}


def fact_table() -> dict[str, str]:
    """{code: text} of the appendix table (the appendix runs to the end of the file)."""
    text = ODD.read_text(encoding="utf-8")
    head = text.find("## Appendix B — Facts")
    assert head >= 0, "docs/ODD.md has no '## Appendix B — Facts'"
    return dict(re.findall(r"^\| ([FGP]\d+) \| (.+) \|$", text[head:], flags=re.M))


def codes_in(text: str) -> set[str]:
    """The fact codes ``text`` cites; a range such as ``F1–F13`` cites every code in it."""
    codes = set(CODE.findall(text))
    for letter, lo, hi in RANGE.findall(text):
        codes |= {f"{letter}{i}" for i in range(int(lo), int(hi) + 1)}
    return codes


def cited() -> dict[str, set[str]]:
    """{code: files citing it}."""
    files = [ROOT / "README.md"] + [
        p for d in SOURCES for p in sorted((ROOT / d).rglob("*")) if p.suffix in SUFFIXES and p.is_file()
    ]
    out: dict[str, set[str]] = {}
    for path in files:
        for c in codes_in(path.read_text(encoding="utf-8", errors="replace")):
            out.setdefault(c, set()).add(str(path.relative_to(ROOT)))
    return out


def test_fact_table_covers_every_fact_in_order():
    table = fact_table()
    assert [c for c in table if c.startswith("F")] == [f"F{i}" for i in range(1, 14)]
    assert [c for c in table if c.startswith("G")] == [f"G{i}" for i in range(1, 10)]
    assert [c for c in table if c.startswith("P")] == [f"P{i}" for i in range(1, 11)]
    assert all(len(t.strip()) > 20 for t in table.values()), "a fact without its text"


def test_every_cited_code_resolves():
    table, uses = fact_table(), cited()
    assert {"F11", "G3", "G5"} <= set(uses), "the scan found none of the codes the scenarios cite"
    unknown = {c: sorted(f) for c, f in uses.items() if c not in table}
    assert not unknown, f"fact codes cited but not in docs/ODD.md Appendix B: {unknown}"


@pytest.mark.parametrize(
    "text, codes", [("(F1–F13)", {f"F{i}" for i in range(1, 14)}), ("G7-G9 and P2", {"G7", "G8", "G9", "P2"})]
)
def test_ranges_cite_every_code_in_them(text, codes):
    assert codes_in(text) == codes


def test_an_unknown_code_would_be_caught():
    table = fact_table()
    assert codes_in("as G10 says; noqa: F401") == {"G10"} and "G10" not in table
