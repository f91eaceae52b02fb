"""Self-contained HTML reports: one file per run, for people who look rather than read.

A *page* is built from a command's result by a builder registered under the command's
name (``simulate``, ``compare``, ``gate``, ``calibrate``; later ``sweep``, ``fit`` ...)
and drawn by one jinja2 template with inline CSS, a few lines of inline JavaScript (table
sorting) and charts as inline SVG from matplotlib. The page requests nothing from the
network. jinja2 and matplotlib come with the ``html`` extra; without it ``render`` fails
with one line naming the extra.

A new page: build a :class:`~whorunsit.report.html.page.Page` from the result and
register the builder::

    from whorunsit.report import html
    from whorunsit.report.html.page import Page

    @html.register("sweep")
    def sweep_page(result, **context) -> Page: ...

then ``html.render("sweep", result)`` in the command (after importing the builder's
module). Charts are in ``report.html.charts``; tables and sections in ``report.html.page``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from whorunsit.errors import WhorunsitError

EXTRA_HINT = "HTML reports need the html extra: pip install 'whorunsit[html]'"
#: pages this package draws itself, imported on first use (charts pull in matplotlib)
BUILTIN = {"simulate": "whorunsit.report.html.simulate",
           "compare": "whorunsit.report.html.compare"}

_builders: dict[str, Callable[..., Any]] = {}


def register(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``builder(subject, **context) -> Page`` as the HTML page of ``kind``."""
    def decorate(builder: Callable[..., Any]) -> Callable[..., Any]:
        _builders[kind] = builder
        return builder
    return decorate


def require_extra() -> None:
    """Fail with one line naming the extra when jinja2 or matplotlib is missing."""
    for module in ("jinja2", "matplotlib"):
        try:
            importlib.import_module(module)
        except ImportError:
            raise WhorunsitError(f"{EXTRA_HINT} ({module} is not installed)") from None


def render(kind: str, subject: Any, **context: Any) -> str:
    """The whole page for ``subject`` (a command's result) as HTML text."""
    require_extra()
    if kind not in _builders and kind in BUILTIN:
        importlib.import_module(BUILTIN[kind])
    if kind not in _builders:
        raise WhorunsitError(f"no HTML page for {kind!r}; pages: {', '.join(sorted(kinds()))}")
    from whorunsit.report.html.page import draw

    return draw(_builders[kind](subject, **context))


def kinds() -> set[str]:
    return set(_builders) | set(BUILTIN)
