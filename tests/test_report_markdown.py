"""The markdown report for pull-request comments."""

import re

import report_samples
from whorunsit.report.markdown import escape, render_markdown


def test_sections_tables_and_verdict():
    text = render_markdown(report_samples.results(discontinuous=0.8))
    assert text.startswith("## whorunsit: Ops Run It (synthetic)\n")
    for heading in ("### Headline outcomes", "### Incident flow by team", "### Per incident",
                    "### Time to restore by priority",
                    "### On-call and cost by team", "### Cost per year",
                    "### Availability by application", "### Warnings"):
        assert heading in text
    assert "**Delivery: Discontinuous Delivery** — 1.10 deployments a week delivered" in text
    assert "| Team | Tier | Tickets /wk |" in text
    assert re.search(r"\| app-ops \| L2 · deploys \| .* \| \*\*9\d\.\d% ±0\.\d% !\*\* \|", text)
    assert "| **Total (headcount + on-call + downtime)** | **£" in text
    assert "| Priority | Mean | p50 | p95 |" in text
    assert re.search(r"\| \*\*Urgent \(P1, P2\)\*\* \| \*\*2\.\d\dh ±", text)
    assert "- ⚠️ **WARN** app-ops is offered 9" in text


def test_histograms_in_text_blocks_and_all_metrics_folded():
    r = report_samples.results()
    text = render_markdown(r)
    assert text.count("```text") == 2
    assert "<details><summary>All " in text and "</details>" in text
    for name in r.samples:
        assert f"| `{name}` |" in text
    assert "| `applications.checkout.availability` | 99.8" in text


def test_table_rows_have_as_many_cells_as_the_header():
    text = render_markdown(report_samples.results())
    block: list[str] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            widths = {len(re.split(r"(?<!\\)\|", row)) for row in block}
            assert len(widths) == 1, block
            block = []


def test_short_enough_for_a_comment():
    assert len(render_markdown(report_samples.results()).encode()) < 60_000


def test_escape_keeps_tables_intact():
    assert escape("a|b\nc") == "a\\|b c"
