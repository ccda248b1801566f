"""One document generator: every generated document, written into a folder it is given, or checked.

``townsim docs --write [--out DIR]`` regenerates, through each document's own generator:

========== ============================================== ======================================
document   file (under DIR)                               generator
========== ============================================== ======================================
odd        ``ODD.md`` (the parameter table)               :mod:`townsim.experiments.odd`
teaching   ``teaching.md`` (the app's numbers)            :mod:`townsim.viz.teaching`
fonts      ``viz/font/<subset>.otf`` (``DIR/font/`` when  :func:`townsim.viz.fonts.build_subset`
           DIR is not the repository's docs/ and holds one)
findings   ``findings.md`` + ``figures/findings/``        :mod:`townsim.experiments.workflows.findings`
validation ``validation.md`` + ``figures/validation/``    ``townsim validate --docs`` (``--validation``)
pins       ``tests/pins/*.json`` (``DIR/pins/``)          ``tests/pins`` (``--pins``, checkout only)
========== ============================================== ======================================

``--check`` writes nothing and exits 1 when a document is stale. The documents made from experiments
(findings from result folders, validation from a full validation run) cannot be checked without
those runs: each write records the model's behaviour fingerprint in ``DIR/generated.json``, and
``--check`` calls them stale when the model now behaves otherwise. Documents with hand-written
prose (ODD, teaching, findings) must already be in DIR: only their generated parts are replaced.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import townsim
from townsim.experiments import odd
from townsim.experiments.core import stamps
from townsim.experiments.core.atomic import write_text
from townsim.experiments.core.executors import make_executor
from townsim.experiments.core.fingerprint import model_fingerprint
from townsim.experiments.errors import UserError
from townsim.experiments.workflows import findings, validate
from townsim.viz import fonts

ROOT = Path(townsim.__file__).resolve().parent
"""The package folder: the repository root in a checkout."""


def default_docs() -> Path:
    """The repository's ``docs/`` (a checkout); refuses an installed package, which ships no docs."""
    docs = ROOT / "docs"
    if not (docs / "ODD.md").is_file():
        raise UserError(f"{docs}: no docs folder here (an installed package); give one with --out DIR")
    return docs


@dataclass(frozen=True)
class Result:
    """What a check or a write found: ``state`` is current, stale, written, unchanged, unknown or skipped."""

    name: str
    state: str
    note: str = ""


@dataclass(frozen=True)
class Options:
    """What the writers need besides the docs folder."""

    results: Path = Path("results")
    """The folder holding ``findings/`` (the result folders findings.md is made from)."""
    workers: int = 1
    """Local processes for the validation run."""


@dataclass(frozen=True)
class Document:
    name: str
    check: Callable[[Path], Result]
    write: Callable[[Path, Options], Result]


def _need(path: Path) -> Path:
    if not path.is_file():
        raise UserError(f"{path}: missing; the generated parts go into an existing copy (copy the shipped docs/)")
    return path


# --- odd -------------------------------------------------------------------------------------------


def _odd_check(docs: Path) -> Result:
    path = _need(docs / "ODD.md")
    return Result("odd", "current" if odd.check(path) else "stale", str(path))


def _odd_write(docs: Path, opts: Options) -> Result:
    path = _need(docs / "ODD.md")
    return Result("odd", "written" if odd.write(path) else "unchanged", str(path))


# --- teaching --------------------------------------------------------------------------------------


def _teaching_check(docs: Path) -> Result:
    from townsim.viz import teaching  # deferred: it pulls in solara (an optional extra [viz])

    path = _need(docs / "teaching.md")
    return Result("teaching", "current" if teaching.is_current(path) else "stale", str(path))


def _teaching_write(docs: Path, opts: Options) -> Result:
    from townsim.viz import teaching  # deferred: it pulls in solara (an optional extra [viz])

    path = _need(docs / "teaching.md")
    return Result("teaching", "written" if teaching.write(path) else "unchanged", str(path))


# --- fonts -----------------------------------------------------------------------------------------


def font_path(docs: Path) -> Path:
    """Where the font subset goes: the package's ``viz/font/`` for the repository's docs, else ``DIR/font/``."""
    return fonts.FONT_FILE if docs.resolve() == (ROOT / "docs").resolve() else docs / "font" / fonts.FONT_FILE.name


def _font_missing(path: Path) -> str:
    from fontTools.ttLib import TTFont  # deferred: fontTools is loaded only when fonts are subset

    cmap = TTFont(path, lazy=True).getBestCmap() if path.is_file() else {}
    return "".join(ch for ch in fonts.subset_text() if ord(ch) not in cmap)


def _fonts_check(docs: Path) -> Result:
    path = font_path(docs)
    path = path if path.is_file() else fonts.FONT_FILE  # a docs copy without its own subset: the package's
    missing = _font_missing(path)
    note = (
        f"{path}: lacks {len(missing)} character(s) of the set it must hold (GB 2312 level 1, the fixed labels, "
        "ASCII and CJK punctuation)"
        if missing
        else str(path)
    )
    return Result("fonts", "stale" if missing else "current", note)


def _fonts_write(docs: Path, opts: Options) -> Result:
    path = font_path(docs)
    if not _font_missing(path):
        return Result("fonts", "unchanged", str(path))
    if not any(Path(p).is_file() for p in fonts.SOURCE_FONTS):
        return Result("fonts", "skipped", f"needs the full Noto Sans CJK font ({fonts.SOURCE_FONTS[0]})")
    return Result("fonts", "written", str(fonts.build_subset(out=path)))


# --- experiment-made documents: findings and validation --------------------------------------------


def stamp(docs: Path, name: str) -> None:
    """Record in ``docs/generated.json`` that document ``name`` was just made by this model's behaviour
    (``townsim validate --docs`` calls it for validation.md, as ``--write --validation`` does)."""
    stamps.stamp(docs, name)


def _by_stamp(docs: Path, name: str) -> Result:
    made = stamps.made_with(docs, name)
    if made is None:
        return Result(name, "unknown", f"no record in {docs / stamps.STAMP} of the model it was made with")
    now = model_fingerprint()
    if made != now:
        return Result(name, "stale", f"made with model behaviour {made}, the model now gives {now}")
    return Result(name, "current", "the model behaves as when it was made")


def _findings_write(docs: Path, opts: Options) -> Result:
    folder = opts.results / "findings"
    if not folder.is_dir():
        return Result("findings", "skipped", f"{folder}: no result folders (commands in {findings.__name__})")
    _need(docs / "findings.md")
    path, n = findings.write(folder, docs)
    stamps.stamp(docs, "findings")
    return Result("findings", "written", f"{path} and {n} figures")


def _validation_write(docs: Path, opts: Options) -> Result:
    if docs.resolve() != validate.DOCS_DIR.resolve():
        return Result("validation", "skipped", "`townsim validate --docs` writes the repository's docs/ only")

    with make_executor(workers=opts.workers) as ex:
        outcomes = validate.validate(
            validate.default_out(), docs=True, executor=ex, command="townsim docs --write --validation"
        ).outcomes
    failed = sum(not o.passed for o in outcomes)
    stamps.stamp(docs, "validation")
    return Result("validation", "written", f"{docs / 'validation.md'} ({failed} of {len(outcomes)} checks fail)")


# --- regression pins -------------------------------------------------------------------------------


def _pins_module():
    init = ROOT / "tests" / "pins" / "__init__.py"
    if not init.is_file():
        raise UserError(f"{init}: missing; the regression pins are made from a checkout")
    spec = importlib.util.spec_from_file_location("townsim_pins", init)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pins_check(docs: Path) -> Result:
    pins = _pins_module()
    stale = [name for name in pins.CASES if pins.compare(pins.load(name), *pins.run_case(name))]
    return Result("pins", "stale" if stale else "current", ", ".join(stale) or f"{len(pins.CASES)} cases")


def _pins_write(docs: Path, opts: Options) -> Result:
    pins = _pins_module()
    if docs.resolve() == (ROOT / "docs").resolve():
        return Result("pins", "written", ", ".join(str(p) for p in pins.write_all(ROOT)))

    commit = pins.clean_commit(ROOT)
    for name in pins.CASES:
        write_text(docs / "pins" / f"{name}.json", json.dumps(pins.record(name, commit), indent=1) + "\n")
    return Result("pins", "written", str(docs / "pins"))


DOCUMENTS: dict[str, Document] = {
    "odd": Document("odd", _odd_check, _odd_write),
    "teaching": Document("teaching", _teaching_check, _teaching_write),
    "fonts": Document("fonts", _fonts_check, _fonts_write),
    "findings": Document("findings", lambda d: _by_stamp(d, "findings"), _findings_write),
    "validation": Document("validation", lambda d: _by_stamp(d, "validation"), _validation_write),
    "pins": Document("pins", _pins_check, _pins_write),
}
"""Every generated document, in the order they are made."""
DEFAULT = ("odd", "teaching", "fonts", "findings")
"""Made unless ``--only`` says otherwise; validation (a full validation run) and pins only when asked."""


def select(only: list[str] | None, validation: bool = False, pins: bool = False) -> list[str]:
    """Document names to make or check, in :data:`DOCUMENTS` order; unknown names are refused."""
    wanted = set(only) if only else {*DEFAULT, *(["validation"] if validation else []), *(["pins"] if pins else [])}
    unknown = sorted(wanted - set(DOCUMENTS))
    if unknown:
        raise UserError(f"docs: unknown document(s) {', '.join(unknown)}; allowed: {', '.join(DOCUMENTS)}")
    return [n for n in DOCUMENTS if n in wanted]


def check(names: list[str], docs: Path) -> list[Result]:
    """Check each document in ``docs`` without writing anything."""
    return [DOCUMENTS[n].check(docs) for n in names]


def write(names: list[str], docs: Path, opts: Options | None = None) -> list[Result]:
    """Regenerate each document into ``docs``."""
    return [DOCUMENTS[n].write(docs, opts or Options()) for n in names]
