"""A report as one self-contained HTML page: its Markdown converted, its figures embedded (base64).

The page needs nothing but a browser: no network, no files beside it. Markdown is converted with
Python-Markdown (tables, fenced code); the page frame is the template ``templates/page.html.j2``.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from pathlib import Path

import markdown
from markupsafe import Markup

from townsim.experiments.render.templates import environment

_IMG = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')


def embed_images(body: str, folder: Path) -> str:
    """Replace every relative ``<img src>`` under ``folder`` by a ``data:`` URI of the file's bytes."""
    folder = Path(folder).resolve()

    def repl(m: re.Match) -> str:
        src = html.unescape(m.group(2))
        if re.match(r"^[a-z]+:", src):
            return m.group(0)
        path = (folder / src).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            return m.group(0)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{m.group(1)}data:{kind};base64,{data}{m.group(3)}"

    return _IMG.sub(repl, body)


def page(markdown_text: str, folder: Path, lang: str = "en") -> str:
    """The HTML page of a Markdown report whose figure paths are relative to ``folder``."""
    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code", "sane_lists"])
    body = embed_images(body, folder)
    m = re.search(r"<h1>(.*?)</h1>", body, flags=re.S)
    title = re.sub(r"<[^>]+>", "", m.group(1)) if m else "townsim"
    return (
        environment()
        .get_template("page.html.j2")
        .render(title=html.unescape(title), body=Markup(body), lang="zh-CN" if lang == "zh" else "en")
    )
