"""Errors the command line reports, and the exit codes of every ``townsim`` command (one table, here only).

``EXIT_CODES`` is the table that ``--help`` and the README show. A :class:`UserError`
is bad input: the command prints it as one line on stderr, writes nothing and exits 2.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "done"),
    (EXIT_FAILED, "a run or check failed (the results folder lists which)"),
    (EXIT_BAD_INPUT, "bad input: one line names the file or option and what is allowed; nothing is written"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C); finished runs are kept and the command resumes"),
)
"""(code, meaning) of every exit code, in the order ``--help`` lists them."""


class UserError(Exception):
    """Bad input from the user: printed as one line, exit code 2, no traceback (long values cut)."""

    def __init__(self, message: object = "") -> None:
        super().__init__(tidy(str(message)))


def tidy(text: str, limit: int = 160) -> str:
    """``text`` on one line with every word longer than ``limit`` characters cut in the middle (a value
    echoed from the input, e.g. a 309-digit number, stays readable)."""

    def cut(w: str) -> str:
        end = w[-1] if w[-1] in ";,:." else ""
        return shorten(w[: len(w) - len(end)], 50) + end

    return " ".join(w if len(w) <= limit else cut(w) for w in str(text).split())


class RunFailed(Exception):
    """A run or check failed: printed as one line, exit code 1, no traceback."""


def exit_code_table() -> str:
    """The exit-code table as plain text lines (``  0  done``)."""
    return "\n".join(f"  {code:<3} {meaning}" for code, meaning in EXIT_CODES)


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut in the middle when longer than ``limit`` characters (a 309-digit number stays readable)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}…{text[-keep:]} ({len(text)} characters)"
