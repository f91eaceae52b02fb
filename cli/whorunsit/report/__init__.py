"""Render a run's Results for people (rich terminal, markdown) and machines (JSON, CSV).

``content`` decides what the report says; ``terminal`` and ``markdown`` draw it;
``machine`` writes every metric; ``atomic`` writes any of them to a file safely.
"""

from whorunsit.report.atomic import write_atomic
from whorunsit.report.machine import render_csv, render_json
from whorunsit.report.markdown import render_markdown
from whorunsit.report.terminal import render_table, render_table_text

FORMATS = ("table", "json", "markdown", "csv", "html")

__all__ = [
    "FORMATS",
    "render_csv",
    "render_json",
    "render_markdown",
    "render_table",
    "render_table_text",
    "write_atomic",
]
