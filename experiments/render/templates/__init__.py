"""The report templates (Jinja2) and their environment: Markdown reports per language, the HTML page."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from townsim.experiments.render import fmt

FOLDER = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Templates of this folder; Markdown templates are not escaped, the HTML page is."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(FOLDER),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        value=fmt.value, diff=fmt.diff, interval=fmt.interval, share=fmt.share, number=fmt.number, cell=fmt.md_cell
    )
    return env


def render(name: str, **context) -> str:
    """Render template ``name`` with ``context``; blank-line runs are collapsed to one."""
    text = environment().get_template(name).render(**context)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"
