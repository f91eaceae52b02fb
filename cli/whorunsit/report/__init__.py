"""Render a run's Results for people (rich terminal, markdown) and machines (JSON, CSV).

``content`` decides what the report says; ``terminal`` and ``markdown`` draw it;
``machine`` writes every metric; ``atomic`` writes any of them to a file safely.
"""

import importlib

FORMATS = ("table", "json", "markdown", "csv", "html")

#: where each renderer lives: imported when first asked for, so a JSON run never loads
#: rich's tables (``whorunsit simulate --format json`` starts ~0.1 s sooner)
_WHERE = {"write_atomic": "atomic", "render_csv": "machine", "render_json": "machine",
          "render_markdown": "markdown", "render_table": "terminal",
          "render_table_text": "terminal"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"whorunsit.report.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'whorunsit.report' has no attribute {name!r}")

__all__ = [
    "FORMATS",
    "render_csv",
    "render_json",
    "render_markdown",
    "render_table",
    "render_table_text",
    "write_atomic",
]
